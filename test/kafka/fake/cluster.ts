// A cluster of in-process fake MSK brokers speaking the Kafka wire protocol over TLS (or TCP) on
// loopback addresses, with IAM (SASL/OAUTHBEARER) and SASL/SCRAM-SHA-512 authentication.
//
// Listeners: like an MSK broker with several access methods enabled, each fake broker serves
// one socket per client listener (CLIENT_IAM, CLIENT_SASL_SCRAM), on its own loopback address
// and a random port per listener (MSK's are 9098 and 9096: the world's network maps those target
// ports to these sockets). A connection accepts only its listener's mechanism and Metadata
// answers with every broker's advertised endpoint for that listener.
//
// Advertised addresses: by default each broker's client entries in advertised.listeners are its
// real loopback ip:port, so Metadata points plain kafkajs clients at reachable brokers, and a
// changed advertised.listeners (a custom name) really changes what Metadata returns. With
// `advertise: 'aws-name'` brokers advertise MSK-style host names instead
// (b-<id>.demo-cluster.a1b2c3.c2.kafka.<region>.amazonaws.com), which only the cluster's
// `lookup` resolves: clients must pass it as a TLS option, as an offline stand-in for DNS.
import { readFileSync } from 'node:fs';
import { isIPv6, createServer as createTcpServer, type Server, type Socket, type LookupFunction } from 'node:net';
import { join } from 'node:path';
import { createServer as createTlsServer } from 'node:tls';
import { BrokerConfig, staticBrokerProperties, type ClusterMode } from './broker-config';
import { serveConnection, type RecordedRequest } from './connection';
import type { CredentialStore } from './iam-token';
import { SCRAM_SHA_512, scramCredentials, type ScramCredentialStore } from './scram';
import type { MetadataBroker } from './apis';

const fixture = (name: string) => readFileSync(join(__dirname, '..', 'fixtures', name), 'utf8');
/** PEM of the CA that signed the fake brokers' certificate. */
export const FAKE_CA_PEM = fixture('ca.pem');
const SERVER_CERT = fixture('server.pem');
const SERVER_KEY = fixture('server.key.pem');

export interface FakeBrokerSpec {
  id: number;
  /** Loopback address to listen on; the test certificate covers 127.0.0.1, ::1 and 127.0.10.1-32. */
  host: string;
}

/** Client listeners the fake serves, as MSK names them. */
export type FakeListener = 'CLIENT_IAM' | 'CLIENT_SASL_SCRAM' | 'CLIENT_IAM_PUBLIC' | 'CLIENT_SASL_SCRAM_PUBLIC';

/** The SASL mechanisms each listener enables (MSK's IAM listener also has AWS_MSK_IAM: not modelled). */
export function listenerMechanisms(listener: FakeListener): string[] {
  return listener.startsWith('CLIENT_SASL_SCRAM') ? [SCRAM_SHA_512] : ['OAUTHBEARER'];
}

export interface FakeClusterOptions {
  brokers: readonly FakeBrokerSpec[];
  /** Default 'zookeeper'. KRaft brokers refuse dynamic changes of advertised.listeners. */
  mode?: ClusterMode;
  /** Default true (SASL_SSL). false serves SASL_PLAINTEXT. */
  tls?: boolean;
  /** IAM access key id -> secret access key (or { secretAccessKey, sessionToken }). */
  credentials: CredentialStore;
  /** SCRAM user name -> password, for the CLIENT_SASL_SCRAM listener. */
  scramCredentials?: ScramCredentialStore;
  /** Default 'us-east-1'. Tokens must be signed for this region. */
  region?: string;
  /** Default 'ip' (see the header comment). */
  advertise?: 'ip' | 'aws-name';
  /** Highest DescribeConfigs version offered (default 2, as kafkajs' own maximum). 0 hides config sources. */
  describeConfigsMaxVersion?: 0 | 1 | 2;
  /** Extra static server.properties for every broker. */
  staticConfigs?: Readonly<Record<string, string>>;
  /** Client listeners every broker serves, one socket each (default [CLIENT_IAM]); the first is the primary. */
  listeners?: readonly FakeListener[];
}

export interface FakeBrokerInfo {
  id: number;
  host: string;
  /** The primary (first) listener's port. */
  port: number;
  /** Port of each listener's socket. */
  ports: Readonly<Partial<Record<FakeListener, number>>>;
  /** MSK-style broker host name, resolvable only through the cluster's `lookup`. */
  awsHost: string;
}

export interface FakeBrokerHandle extends FakeBrokerInfo {
  /** Snapshot of the broker's static and dynamic per-broker configs. */
  readonly configs: { static: Record<string, string>; dynamic: Record<string, string> };
  /** Sets a dynamic per-broker config directly, as if an earlier AlterConfigs had (no validation). */
  setDynamicConfig(name: string, value: string, opts?: { sensitive?: boolean }): void;
  removeDynamicConfig(name: string): void;
  /** Changes a static (server.properties) value, as a restart with a new configuration does. */
  setStaticConfig(name: string, value: string): void;
  /** Where Metadata on `listener` (default: the primary) says this broker is, or undefined when it advertises none there. */
  advertisedEndpoint(listener?: FakeListener): { host: string; port: number } | undefined;
  /** Every request this broker received, in order. */
  readonly requests: readonly RecordedRequest[];
}

export interface FakeCluster {
  readonly brokers: readonly FakeBrokerInfo[];
  readonly region: string;
  readonly mode: ClusterMode;
  /** PEM of the CA to trust. */
  readonly ca: string;
  /** `host:port,...` of every broker on the primary listener, as GetBootstrapBrokers would list them (ip or aws name per `advertise`). */
  readonly bootstrapBrokers: string;
  /** The same for one listener (GetBootstrapBrokers' BootstrapBrokerStringSaslScram for CLIENT_SASL_SCRAM). */
  bootstrapBrokersFor(listener: FakeListener): string;
  readonly listeners: readonly FakeListener[];
  /** A dns.lookup stand-in resolving the brokers' awsHost names; every other name fails with ENOTFOUND. */
  readonly lookup: LookupFunction;
  broker(id: number): FakeBrokerHandle;
  /** Every request to every broker, in arrival order. */
  readonly requests: readonly RecordedRequest[];
  /** Shifts the brokers' clock (token expiry checks) by `ms` from real time. */
  setClockOffset(ms: number): void;
  addBroker(spec: FakeBrokerSpec): Promise<FakeBrokerInfo>;
  removeBroker(id: number): Promise<void>;
  stop(): Promise<void>;
}

interface RunningBroker extends FakeBrokerInfo {
  servers: Server[];
  sockets: Set<Socket>;
  config: BrokerConfig;
  requests: RecordedRequest[];
}

const CLUSTER_LABEL = 'demo-cluster.a1b2c3.c2';

function listen(server: Server, host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => {
      server.off('error', reject);
      const addr = server.address();
      resolve(typeof addr === 'object' && addr ? addr.port : 0);
    });
  });
}

export async function startFakeCluster(options: FakeClusterOptions): Promise<FakeCluster> {
  const mode = options.mode ?? 'zookeeper';
  const region = options.region ?? 'us-east-1';
  const tls = options.tls ?? true;
  const listeners = options.listeners ?? ['CLIENT_IAM'];
  if (!listeners.length || new Set(listeners).size !== listeners.length) throw new Error(`fake cluster: listeners must be distinct and at least one: ${listeners.join(',')}`);
  const primary = listeners[0] as FakeListener;
  // Derived once: PBKDF2 per user, as Kafka stores SCRAM credentials (salted), not per connection.
  const scram = scramCredentials(options.scramCredentials ?? {});
  const advertise = options.advertise ?? 'ip';
  const awsDomain = `${CLUSTER_LABEL}.kafka.${region}.amazonaws.com`;
  const zookeeperConnect = [1, 2, 3].map((z) => `z-${z}.${awsDomain}:2181`).join(',');
  const running = new Map<number, RunningBroker>();
  const allRequests: RecordedRequest[] = [];
  let clockOffset = 0;

  // Kafka's MetadataCache.getAliveBrokerNodes(listenerName): brokers not advertising the listener are left out.
  const metadataBrokers = (listener: FakeListener): MetadataBroker[] =>
    [...running.values()]
      .sort((a, b) => a.id - b.id)
      .flatMap((b) => {
        const ep = b.config.advertisedEndpoint(listener);
        return ep ? [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.config.effective('broker.rack') }] : [];
      });

  async function addBroker(spec: FakeBrokerSpec): Promise<FakeBrokerInfo> {
    if (running.has(spec.id)) throw new Error(`fake broker ${spec.id} already exists`);
    const sockets = new Set<Socket>();
    const requests: RecordedRequest[] = [];
    const awsHost = `b-${spec.id}.${awsDomain}`;
    let broker: RunningBroker | undefined;
    const serverFor = (listener: FakeListener): Server => {
      const onSocket = (socket: Socket) => {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        if (!broker) return void socket.destroy();
        serveConnection(socket, {
          id: spec.id,
          config: broker.config,
          listener,
          mechanisms: listenerMechanisms(listener),
          region,
          credentials: options.credentials,
          scramCredentials: scram,
          describeConfigsMaxVersion: options.describeConfigsMaxVersion ?? 2,
          now: () => Date.now() + clockOffset,
          metadataBrokers: () => metadataBrokers(listener),
          controllerId: () => Math.min(...running.keys()),
          record: (r) => {
            requests.push(r);
            allRequests.push(r);
          },
        });
      };
      const server: Server = tls
        ? createTlsServer({ key: SERVER_KEY, cert: SERVER_CERT, minVersion: 'TLSv1.2' }, onSocket)
        : createTcpServer(onSocket);
      // Sockets that fail the TLS handshake (e.g. a client rejecting the certificate) never reach onSocket.
      server.on('connection', (raw: Socket) => {
        sockets.add(raw);
        raw.on('close', () => sockets.delete(raw));
        raw.on('error', () => undefined);
      });
      server.on('tlsClientError', () => undefined);
      return server;
    };
    const servers: Server[] = [];
    const ports: Partial<Record<FakeListener, number>> = {};
    try {
      for (const listener of listeners) {
        const server = serverFor(listener);
        servers.push(server);
        ports[listener] = await listen(server, spec.host);
      }
    } catch (e) {
      for (const server of servers) server.close();
      throw e;
    }
    const statics = staticBrokerProperties({
      id: spec.id,
      mode,
      clients: listeners.map((listener) => {
        const port = ports[listener] as number;
        return { listener, port, bind: spec.host, advertised: advertise === 'ip' ? spec.host : awsHost };
      }),
      internalHost: `b-${spec.id}-internal.${awsDomain}`,
      zookeeperConnect,
      extra: { 'broker.rack': `use1-az${((spec.id - 1) % 3) + 1}`, ...options.staticConfigs },
    });
    const port = ports[primary] as number;
    broker = { id: spec.id, host: spec.host, port, ports, awsHost, servers, sockets, requests, config: new BrokerConfig(spec.id, mode, statics) };
    running.set(spec.id, broker);
    return info(broker);
  }

  const info = (b: RunningBroker): FakeBrokerInfo => ({ id: b.id, host: b.host, port: b.port, ports: { ...b.ports }, awsHost: b.awsHost });

  async function stopBroker(b: RunningBroker): Promise<void> {
    const closed = b.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve())));
    for (const s of b.sockets) s.destroy();
    await Promise.all(closed);
  }

  const lookup: LookupFunction = (hostname, opts, callback) => {
    const b = [...running.values()].find((x) => x.awsHost === hostname.toLowerCase());
    process.nextTick(() => {
      if (!b) {
        const err = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', hostname, syscall: 'getaddrinfo' });
        return callback(err, '', 0);
      }
      const family = isIPv6(b.host) ? 6 : 4;
      if (opts.all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [{ address: b.host, family }]);
      else callback(null, b.host, family);
    });
  };

  function bootstrapBrokersFor(listener: FakeListener): string {
    if (!listeners.includes(listener)) throw new Error(`fake cluster serves no ${listener} listener (it serves ${listeners.join(', ')})`);
    return [...running.values()]
      .sort((a, b) => a.id - b.id)
      .map((b) => `${advertise === 'ip' ? b.host : b.awsHost}:${b.ports[listener]}`)
      .join(',');
  }

  try {
    for (const spec of options.brokers) await addBroker(spec);
  } catch (e) {
    await Promise.all([...running.values()].map(stopBroker));
    throw e;
  }

  return {
    get brokers() {
      return [...running.values()].sort((a, b) => a.id - b.id).map(info);
    },
    region,
    mode,
    ca: FAKE_CA_PEM,
    get bootstrapBrokers() {
      return bootstrapBrokersFor(primary);
    },
    bootstrapBrokersFor,
    listeners,
    lookup,
    get requests() {
      return allRequests;
    },
    broker(id) {
      const b = running.get(id);
      if (!b) throw new Error(`no fake broker ${id}`);
      return {
        ...info(b),
        get configs() {
          return { static: Object.fromEntries(b.config.statics), dynamic: Object.fromEntries(b.config.dynamic) };
        },
        setDynamicConfig(name, value, opts) {
          b.config.dynamic.set(name, value);
          if (opts?.sensitive) b.config.markedSensitive.add(name);
        },
        removeDynamicConfig(name) {
          b.config.dynamic.delete(name);
        },
        setStaticConfig(name, value) {
          b.config.statics.set(name, value);
        },
        advertisedEndpoint: (listener = primary) => b.config.advertisedEndpoint(listener),
        requests: b.requests,
      };
    },
    setClockOffset(ms) {
      clockOffset = ms;
    },
    addBroker,
    async removeBroker(id) {
      const b = running.get(id);
      if (!b) return;
      running.delete(id);
      await stopBroker(b);
    },
    async stop() {
      const all = [...running.values()];
      running.clear();
      await Promise.all(all.map(stopBroker));
    },
  };
}
