import type { ClusterConfigInput } from '../../shared/config/schema';
import { startFakeCluster, type FakeCluster, type FakeListener, type ScramCredentialStore } from '../kafka/fake';
import { CREDENTIALS, staticCredentials } from '../kafka/helpers';
import { brokerIp, createScenario, type Scenario, type ScenarioOptions, type WorldBroker } from './scenario';
import { resolveListeners, type Authentication } from '../../shared/listeners';
import { VirtualClock } from '../world';
import { brokerListenerBackend, ClientNetwork } from '../world/network';
import { ContinuityProbe, type ProbeFigures, type ProbeSasl } from './probe';

/** The SCRAM user a scenario's SCRAM clients log in as (on MSK: an AmazonMSK_ secret associated with the cluster). */
export const SCRAM_USER = { username: 'orders-app', password: 'orders-app-scram-secret' };

/** Listeners a probe can speak to: the fake serves IAM and SCRAM. */
type ProbedAuthentication = Extract<Authentication, 'iam' | 'scram'>;

/** Loopback address of fake broker `id` (each broker its own host, as MSK brokers are). */
export const fakeHost = (id: number) => `127.0.20.${id}`;

export interface KafkaScenario extends Scenario {
  kafka: FakeCluster;
  /** World time: health checks, draining and the reconciler's waits. */
  clock: VirtualClock;
  /** The NLB as real sockets, and DNS as a client in the VPC resolves it. */
  network: ClientNetwork;
  /** The probe of the first listener the config maps (IAM unless the config says otherwise). */
  probe: ContinuityProbe;
  /** One probe per listener the config maps on the scenario's NLB, by authentication ('iam', 'scram'). */
  probes: Partial<Record<ProbedAuthentication, ContinuityProbe>>;
  /** Probe every `ms` of world time from now on (default 10 s), every listener's probe. */
  startProbe(ms?: number): void;
  /**
   * Lets world time pass (the probes keep ticking), then returns what the first listener's probe
   * saw since the last take. Every probe's figures are taken: use passAll to see them all.
   */
  pass(ms: number): Promise<ProbeFigures>;
  /** As pass, with every listener's figures. */
  passAll(ms: number): Promise<Partial<Record<ProbedAuthentication, ProbeFigures>>>;
  /** Scale out or in, in MSK and in the fake Kafka cluster alike (new brokers join as MSK adds them). */
  setBrokers(ids: number[]): Promise<void>;
  /** An UpdateBrokerCount as MSK runs it: the cluster goes UPDATING, announcing `ids`; complete it with `msk.completeOperations`. */
  startScaleOut(ids: number[]): void;
  stop(): Promise<void>;
}

/**
 * The embedded AWS world plus a fake Kafka cluster whose brokers the world's MSK model lists
 * (ListNodes endpoints and GetBootstrapBrokers ports point at the fake brokers), reached with
 * real kafkajs, the real MSK IAM signer and real TLS.
 */
export async function createKafkaScenario(options: {
  brokerIds?: number[];
  mode?: 'zookeeper' | 'kraft';
  config?: Partial<ClusterConfigInput>;
  serverProperties?: string;
  latencyMs?: number;
  /**
   * SCRAM users of the cluster. Given, or when the config maps a SCRAM listener (default
   * SCRAM_USER), MSK has SASL/SCRAM enabled and the fake brokers serve CLIENT_SASL_SCRAM beside
   * CLIENT_IAM (which the tool's admin always uses).
   */
  scramCredentials?: ScramCredentialStore;
  /** Extra settings of the embedded world (NLB security groups, certificate names, AWS's delays). */
  world?: Pick<ScenarioOptions, 'loadBalancer' | 'loadBalancerIngress' | 'certificateNames' | 'managedIngressSource' | 'prepare' | 'timing'>;
  /**
   * The probes also keep one connection per broker and use it every `everyMs` of world time;
   * the client closes a connection idle for `maxIdleMs` (its connections.max.idle.ms) itself.
   */
  idleClient?: { maxIdleMs: number; everyMs: number };
  /** The probes' resolver keeps each answer for the record's TTL (ProbeOptions.cacheAnswers). */
  cacheAnswers?: boolean;
}): Promise<KafkaScenario> {
  const ids = options.brokerIds ?? [1, 2, 3];
  const mode = options.mode ?? 'zookeeper';
  const input = options.config ?? {};
  const mapsScram = (input.listeners?.map((l) => l.authentication) ?? [input.authentication ?? 'iam']).includes('scram');
  const scramCredentials = options.scramCredentials ?? (mapsScram ? { [SCRAM_USER.username]: SCRAM_USER.password } : undefined);
  const listeners: FakeListener[] = scramCredentials ? ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'] : ['CLIENT_IAM'];
  const kafka = await startFakeCluster({
    brokers: ids.map((id) => ({ id, host: fakeHost(id) })),
    mode,
    credentials: CREDENTIALS,
    scramCredentials,
    listeners,
    region: 'eu-west-1',
    advertise: 'aws-name',
  });
  const seeds = (): WorldBroker[] =>
    kafka.brokers.map((b) => ({ id: b.id, ip: brokerIp(b.id), endpoint: b.awsHost, port: b.ports.CLIENT_IAM, ...(scramCredentials ? { scramPort: b.ports.CLIENT_SASL_SCRAM } : {}) }));
  const clock = new VirtualClock();
  const scenario = createScenario({
    ...options.world,
    clock,
    brokers: seeds(),
    kafkaVersion: mode === 'kraft' ? '3.7.x.kraft' : '3.6.0',
    authentication: { iam: true, scram: scramCredentials !== undefined },
    config: { advertisedListeners: 'dynamic-broker-config', ...options.config },
    serverProperties: options.serverProperties,
    latencyMs: options.latencyMs,
    kafkaAccess: { credentials: staticCredentials(), tls: { ca: [kafka.ca], lookup: kafka.lookup }, connectionTimeoutMs: 2000 },
  });
  scenario.world.msk.onConfigurationApplied = (_, properties) => applyCustomAdvertisedListeners(kafka, properties);
  const network = new ClientNetwork({
    world: scenario.world,
    lbArn: scenario.lbArn,
    // Every NLB of the world is reachable: brokers spread over several (brokerLoadBalancers), or a cluster moved to another.
    moreLoadBalancers: () => scenario.world.elbv2.loadBalancers().map((lb) => lb.LoadBalancerArn!),
    // A VPC address answers when MSK lists a broker with that client IP and its fake broker runs,
    // on the socket of the listener the target port names (9098 IAM, 9096 SCRAM).
    backend: brokerListenerBackend((ip) => {
      const broker = scenario.world.msk.cluster(scenario.clusterArn).brokers.find((b) => b.ip === ip);
      return broker && kafka.brokers.find((b) => b.id === broker.id);
    }),
  });
  const probeFor = (bootstrap: { host: string; port: number }, sasl: ProbeSasl) =>
    new ContinuityProbe({ network, clock, bootstrap, sasl, region: 'eu-west-1', awsLookup: kafka.lookup, extraCa: [kafka.ca], cacheAnswers: options.cacheAnswers, ...(options.idleClient ? { idleClient: options.idleClient } : {}) });
  // One probe per listener on this scenario's NLB, each a client of that listener.
  const probes: Partial<Record<ProbedAuthentication, ContinuityProbe>> = {};
  for (const l of resolveListeners(scenario.config)) {
    if (l.loadBalancerArn !== scenario.lbArn || (l.authentication !== 'iam' && l.authentication !== 'scram')) continue;
    const sasl: ProbeSasl = l.authentication === 'iam' ? { mechanism: 'aws-msk-iam' } : { mechanism: 'scram-sha-512', ...SCRAM_USER };
    probes[l.authentication] = probeFor({ host: `${l.bootstrapHost}.${l.domain}`, port: l.bootstrapPort }, sasl);
  }
  const all = Object.values(probes);
  if (!all.length) throw new Error('kafka scenario: the config maps no IAM or SCRAM listener on the scenario\'s load balancer: nothing to probe');
  const probe = all[0] as ContinuityProbe;
  const takeAll = () => Object.fromEntries(Object.entries(probes).map(([k, p]) => [k, p.take()])) as Partial<Record<ProbedAuthentication, ProbeFigures>>;
  let stopProbes: (() => void)[] = [];
  return {
    ...scenario,
    kafka,
    clock,
    network,
    probe,
    probes,
    startProbe(ms = 10_000) {
      for (const stop of stopProbes) stop();
      stopProbes = all.map((p) => clock.every(ms, () => p.tick()));
      const idle = options.idleClient;
      if (idle) stopProbes.push(...all.map((p) => clock.every(idle.everyMs, () => p.useIdleConnections())));
    },
    async pass(ms: number) {
      await clock.sleep(ms);
      const figures = takeAll();
      return figures[Object.keys(probes)[0] as ProbedAuthentication] as ProbeFigures;
    },
    async passAll(ms: number) {
      await clock.sleep(ms);
      return takeAll();
    },
    async setBrokers(next: number[]) {
      for (const b of kafka.brokers.filter((b) => !next.includes(b.id))) await kafka.removeBroker(b.id);
      const added = next.filter((id) => !kafka.brokers.some((b) => b.id === id));
      for (const id of added) await kafka.addBroker({ id, host: fakeHost(id) });
      // MSK applies custom.advertised.listeners of the cluster's configuration to brokers it adds.
      const properties = scenario.world.msk.serverProperties(scenario.clusterArn);
      if (properties) applyCustomAdvertisedListeners(kafka, properties, added);
      scenario.world.msk.setBrokers(scenario.clusterArn, seeds());
    },
    startScaleOut(ids: number[]) {
      scenario.world.msk.startOperation(scenario.clusterArn, { type: 'INCREASE_BROKER_COUNT', polls: 1_000_000, createdBrokerIds: ids });
    },
    async stop() {
      for (const stop of stopProbes) stop();
      for (const p of all) p.stop();
      await network.stop();
      scenario.world.restore();
      await kafka.stop();
    },
  };
}

/** The listener names custom.advertised.listeners accepts (MSK developer guide, custom domain names). */
const MSK_CLIENT_LISTENERS = new Set(['CLIENT', 'CLIENT_SECURE', 'CLIENT_SASL_SCRAM', 'CLIENT_IAM'].flatMap((n) => [n, `${n}_PUBLIC`]));

/** `key=value` of a Java properties text (the subset MSK configurations use: no line continuations). */
function propertyOf(text: string, key: string): string | undefined {
  for (const line of text.split(/\r?\n/)) {
    const m = /^\s*([^#!\s][^=:\s]*)\s*[=:]\s*(.*?)\s*$/.exec(line);
    if (m && m[1] === key) return m[2];
  }
  return undefined;
}

/**
 * What MSK does on the rolling restart that applies a configuration with
 * custom.advertised.listeners: every entry (one per client listener, comma-separated) replaces
 * that listener's entry in each broker's advertised.listeners, with {broker_id} substituted and
 * `<base>+{broker_id}` evaluated; the other entries (other listeners, REPLICATION) stay. Modelled
 * from the MSK documentation, written here independently of the tool's own parser.
 */
export function applyCustomAdvertisedListeners(kafka: FakeCluster, properties: string, ids = kafka.brokers.map((b) => b.id)): void {
  const template = propertyOf(properties, 'custom.advertised.listeners') ?? '';
  const entries = template.split(',').filter((entry) => entry.trim()).map((entry) => {
    const match = /^\s*([A-Z_]+):\/\/([^:]+):(\d+)\+\{broker_id\}\s*$/.exec(entry);
    if (!match) throw new Error(`the embedded MSK cannot evaluate custom.advertised.listeners=${template} (entry ${JSON.stringify(entry)})`);
    return { listener: match[1] as string, host: match[2] as string, base: Number(match[3]) };
  });
  for (const id of ids) {
    const broker = kafka.broker(id);
    let current = broker.configs.static['advertised.listeners'].split(',');
    for (const e of entries) {
      // MSK validates listener names (the documented set) before restarting; whether it refuses an
      // entry for a listener the cluster has not enabled is unverified: modelled as skipped.
      if (!MSK_CLIENT_LISTENERS.has(e.listener)) throw new Error(`the embedded MSK refuses custom.advertised.listeners=${template}: ${e.listener} is not an MSK client listener`);
      const at = current.findIndex((c) => c.startsWith(`${e.listener}://`));
      if (at < 0) continue;
      current = current.map((c, i) => (i === at ? `${e.listener}://${e.host.replaceAll('{broker_id}', String(id))}:${e.base + id}` : c));
    }
    // A client listener without an entry (none left, or its entry removed) advertises its AWS name again after the restart.
    current = current.map((c) => {
      const name = /^([A-Z_]+):\/\//.exec(c)?.[1] ?? '';
      if (!name.startsWith('CLIENT') || entries.some((e) => e.listener === name)) return c;
      const port = broker.ports[name as keyof typeof broker.ports];
      return port === undefined ? c : `${name}://${broker.awsHost}:${port}`;
    });
    broker.setStaticConfig('advertised.listeners', current.join(','));
  }
}
