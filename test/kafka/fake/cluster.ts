// A cluster of in-process fake MSK brokers speaking the Kafka wire protocol over TLS (or TCP) on
// loopback addresses, with IAM (SASL/OAUTHBEARER) authentication.
//
// Advertised addresses: by default each broker's CLIENT_IAM entry in advertised.listeners is its
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

export interface FakeClusterOptions {
  brokers: readonly FakeBrokerSpec[];
  /** Default 'zookeeper'. KRaft brokers refuse dynamic changes of advertised.listeners. */
  mode?: ClusterMode;
  /** Default true (SASL_SSL). false serves SASL_PLAINTEXT. */
  tls?: boolean;
  /** IAM access key id -> secret access key (or { secretAccessKey, sessionToken }). */
  credentials: CredentialStore;
  /** Default 'us-east-1'. Tokens must be signed for this region. */
  region?: string;
  /** Default 'ip' (see the header comment). */
  advertise?: 'ip' | 'aws-name';
  /** Highest DescribeConfigs version offered (default 2, as kafkajs' own maximum). 0 hides config sources. */
  describeConfigsMaxVersion?: 0 | 1 | 2;
  /** Extra static server.properties for every broker. */
  staticConfigs?: Readonly<Record<string, string>>;
  /** Client listener name (default CLIENT_IAM). */
  clientListener?: string;
}

export interface FakeBrokerInfo {
  id: number;
  host: string;
  port: number;
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
  /** Where Metadata says this broker is, or undefined when it advertises no client listener. */
  advertisedEndpoint(): { host: string; port: number } | undefined;
  /** Every request this broker received, in order. */
  readonly requests: readonly RecordedRequest[];
}

export interface FakeCluster {
  readonly brokers: readonly FakeBrokerInfo[];
  readonly region: string;
  readonly mode: ClusterMode;
  /** PEM of the CA to trust. */
  readonly ca: string;
  /** `host:port,...` of every broker, as GetBootstrapBrokers would list them (ip or aws name per `advertise`). */
  readonly bootstrapBrokers: string;
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
  server: Server;
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
  const clientListener = options.clientListener ?? 'CLIENT_IAM';
  const advertise = options.advertise ?? 'ip';
  const awsDomain = `${CLUSTER_LABEL}.kafka.${region}.amazonaws.com`;
  const zookeeperConnect = [1, 2, 3].map((z) => `z-${z}.${awsDomain}:2181`).join(',');
  const running = new Map<number, RunningBroker>();
  const allRequests: RecordedRequest[] = [];
  let clockOffset = 0;

  const metadataBrokers = (): MetadataBroker[] =>
    [...running.values()]
      .sort((a, b) => a.id - b.id)
      .flatMap((b) => {
        const ep = b.config.advertisedEndpoint(clientListener);
        return ep ? [{ nodeId: b.id, host: ep.host, port: ep.port, rack: b.config.effective('broker.rack') }] : [];
      });

  async function addBroker(spec: FakeBrokerSpec): Promise<FakeBrokerInfo> {
    if (running.has(spec.id)) throw new Error(`fake broker ${spec.id} already exists`);
    const sockets = new Set<Socket>();
    const requests: RecordedRequest[] = [];
    const awsHost = `b-${spec.id}.${awsDomain}`;
    let broker: RunningBroker | undefined;
    const onSocket = (socket: Socket) => {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      if (!broker) return void socket.destroy();
      serveConnection(socket, {
        id: spec.id,
        config: broker.config,
        clientListener,
        region,
        credentials: options.credentials,
        describeConfigsMaxVersion: options.describeConfigsMaxVersion ?? 2,
        now: () => Date.now() + clockOffset,
        metadataBrokers,
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
    const port = await listen(server, spec.host);
    const advertised = advertise === 'ip' ? { host: spec.host, port } : { host: awsHost, port };
    const statics = staticBrokerProperties({
      id: spec.id,
      mode,
      clientListener,
      bind: { host: spec.host, port },
      advertised,
      internalHost: `b-${spec.id}-internal.${awsDomain}`,
      zookeeperConnect,
      extra: { 'broker.rack': `use1-az${((spec.id - 1) % 3) + 1}`, ...options.staticConfigs },
    });
    broker = { id: spec.id, host: spec.host, port, awsHost, server, sockets, requests, config: new BrokerConfig(spec.id, mode, statics) };
    running.set(spec.id, broker);
    return info(broker);
  }

  const info = (b: RunningBroker): FakeBrokerInfo => ({ id: b.id, host: b.host, port: b.port, awsHost: b.awsHost });

  async function stopBroker(b: RunningBroker): Promise<void> {
    await new Promise<void>((resolve) => {
      b.server.close(() => resolve());
      for (const s of b.sockets) s.destroy();
    });
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
      return [...running.values()]
        .sort((a, b) => a.id - b.id)
        .map((b) => `${advertise === 'ip' ? b.host : b.awsHost}:${b.port}`)
        .join(',');
    },
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
        advertisedEndpoint: () => b.config.advertisedEndpoint(clientListener),
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
