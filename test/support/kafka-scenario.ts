import type { ClusterConfigInput } from '../../shared/config/schema';
import { CUSTOM_ADVERTISED_LISTENERS, getProperty } from '../../shared/advertised/server-properties';
import { findListener, replaceListener } from '../../shared/kafka/advertised-listeners';
import { startFakeCluster, type FakeCluster } from '../kafka/fake';
import { CREDENTIALS, staticCredentials } from '../kafka/helpers';
import { brokerIp, createScenario, type Scenario, type ScenarioOptions, type WorldBroker } from './scenario';
import { hostName } from '../../shared/naming';
import { brokerTargetPort } from '../../shared/listeners';
import { VirtualClock } from '../world';
import { ClientNetwork } from '../world/network';
import { ContinuityProbe, type ProbeFigures } from './probe';

/** Loopback address of fake broker `id` (each broker its own host, as MSK brokers are). */
export const fakeHost = (id: number) => `127.0.20.${id}`;

export interface KafkaScenario extends Scenario {
  kafka: FakeCluster;
  /** World time: health checks, draining and the reconciler's waits. */
  clock: VirtualClock;
  /** The NLB as real sockets, and DNS as a client in the VPC resolves it. */
  network: ClientNetwork;
  probe: ContinuityProbe;
  /** Probe every `ms` of world time from now on (default 10 s). */
  startProbe(ms?: number): void;
  /** Lets world time pass (the probe keeps ticking), then returns what the probe saw since the last take. */
  pass(ms: number): Promise<ProbeFigures>;
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
  /** Extra settings of the embedded world (NLB security groups, certificate names). */
  world?: Pick<ScenarioOptions, 'loadBalancer' | 'loadBalancerIngress' | 'certificateNames' | 'managedIngressSource' | 'prepare'>;
}): Promise<KafkaScenario> {
  const ids = options.brokerIds ?? [1, 2, 3];
  const mode = options.mode ?? 'zookeeper';
  const kafka = await startFakeCluster({
    brokers: ids.map((id) => ({ id, host: fakeHost(id) })),
    mode,
    credentials: CREDENTIALS,
    region: 'eu-west-1',
    advertise: 'aws-name',
  });
  const seeds = (): WorldBroker[] => kafka.brokers.map((b) => ({ id: b.id, ip: brokerIp(b.id), endpoint: b.awsHost, port: b.port }));
  const clock = new VirtualClock();
  const scenario = createScenario({
    ...options.world,
    clock,
    brokers: seeds(),
    kafkaVersion: mode === 'kraft' ? '3.7.x.kraft' : '3.6.0',
    config: { advertisedListeners: 'dynamic-broker-config', ...options.config },
    serverProperties: options.serverProperties,
    latencyMs: options.latencyMs,
    kafkaAccess: { credentials: staticCredentials(), tls: { ca: [kafka.ca], lookup: kafka.lookup }, connectionTimeoutMs: 2000 },
  });
  scenario.world.msk.onConfigurationApplied = (_, properties) => applyCustomAdvertisedListeners(kafka, properties);
  const targetPort = brokerTargetPort(scenario.config.authentication);
  const network = new ClientNetwork({
    world: scenario.world,
    lbArn: scenario.lbArn,
    // A VPC address answers when MSK lists a broker with that client IP and its fake broker runs.
    backend: (ip, port) => {
      const broker = scenario.world.msk.cluster(scenario.clusterArn).brokers.find((b) => b.ip === ip);
      const fake = broker && port === targetPort ? kafka.brokers.find((b) => b.id === broker.id) : undefined;
      return fake && { host: fake.host, port: fake.port };
    },
  });
  const probe = new ContinuityProbe({
    network,
    clock,
    bootstrap: { host: hostName(scenario.config, 'bootstrap'), port: scenario.config.bootstrapPort },
    region: 'eu-west-1',
    awsLookup: kafka.lookup,
    extraCa: [kafka.ca],
  });
  let stopProbe: (() => void) | undefined;
  return {
    ...scenario,
    kafka,
    clock,
    network,
    probe,
    startProbe(ms = 10_000) {
      stopProbe?.();
      stopProbe = clock.every(ms, () => probe.tick());
    },
    async pass(ms: number) {
      await clock.sleep(ms);
      return probe.take();
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
      stopProbe?.();
      await network.stop();
      scenario.world.restore();
      await kafka.stop();
    },
  };
}

/**
 * What MSK does on the rolling restart that applies a configuration with
 * custom.advertised.listeners: each broker's listener entry takes the template, with
 * {broker_id} substituted and `<base>+{broker_id}` evaluated.
 */
function applyCustomAdvertisedListeners(kafka: FakeCluster, properties: string, ids = kafka.brokers.map((b) => b.id)): void {
  const template = getProperty(properties, CUSTOM_ADVERTISED_LISTENERS);
  if (!template) return; // restore: a real restart would bring back the AWS names; the fake keeps its current statics
  // One entry per client listener; a listener the fake brokers do not have is skipped (modelled:
  // what real MSK does with an entry for a listener that is not enabled is unverified).
  const entries = template.split(',').map((raw) => {
    const match = /^([A-Z_]+):\/\/([^:]+):(\d+)\+\{broker_id\}$/.exec(raw.trim());
    if (!match) throw new Error(`the embedded MSK cannot evaluate ${CUSTOM_ADVERTISED_LISTENERS}=${template}`);
    return { listener: match[1], hostTemplate: match[2], base: Number(match[3]) };
  });
  for (const id of ids) {
    const broker = kafka.broker(id);
    let value = broker.configs.static['advertised.listeners'];
    for (const e of entries) {
      if (!findListener(value, e.listener)) continue;
      value = replaceListener(value, e.listener, e.hostTemplate.replace('{broker_id}', String(id)), e.base + id);
    }
    broker.setStaticConfig('advertised.listeners', value);
  }
}
