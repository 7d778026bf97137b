import type { ClusterConfigInput } from '../../shared/config/schema';
import { CUSTOM_ADVERTISED_LISTENERS, getProperty } from '../../shared/advertised/server-properties';
import { replaceListener } from '../../shared/kafka/advertised-listeners';
import { startFakeCluster, type FakeCluster } from '../kafka/fake';
import { CREDENTIALS, staticCredentials } from '../kafka/helpers';
import { brokerIp, createScenario, type Scenario, type WorldBroker } from './scenario';

/** Loopback address of fake broker `id` (each broker its own host, as MSK brokers are). */
export const fakeHost = (id: number) => `127.0.20.${id}`;

export interface KafkaScenario extends Scenario {
  kafka: FakeCluster;
  /** Scale out or in, in MSK and in the fake Kafka cluster alike. */
  setBrokers(ids: number[]): Promise<void>;
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
  const scenario = createScenario({
    brokers: seeds(),
    kafkaVersion: mode === 'kraft' ? '3.7.x.kraft' : '3.6.0',
    config: { advertisedListeners: 'dynamic-broker-config', ...options.config },
    serverProperties: options.serverProperties,
    latencyMs: options.latencyMs,
    kafkaAccess: { credentials: staticCredentials(), tls: { ca: [kafka.ca], lookup: kafka.lookup }, connectionTimeoutMs: 2000 },
  });
  scenario.world.msk.onConfigurationApplied = (_, properties) => applyCustomAdvertisedListeners(kafka, properties);
  return {
    ...scenario,
    kafka,
    async setBrokers(next: number[]) {
      for (const b of kafka.brokers.filter((b) => !next.includes(b.id))) await kafka.removeBroker(b.id);
      for (const id of next.filter((id) => !kafka.brokers.some((b) => b.id === id))) await kafka.addBroker({ id, host: fakeHost(id) });
      scenario.world.msk.setBrokers(scenario.clusterArn, seeds());
    },
    async stop() {
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
function applyCustomAdvertisedListeners(kafka: FakeCluster, properties: string): void {
  const template = getProperty(properties, CUSTOM_ADVERTISED_LISTENERS);
  if (!template) return; // restore: a real restart would bring back the AWS names; the fake keeps its current statics
  const match = /^([A-Z_]+):\/\/([^:]+):(\d+)\+\{broker_id\}$/.exec(template);
  if (!match) throw new Error(`the embedded MSK cannot evaluate ${CUSTOM_ADVERTISED_LISTENERS}=${template}`);
  const [, listener, hostTemplate, base] = match;
  for (const { id } of kafka.brokers) {
    const broker = kafka.broker(id);
    const current = broker.configs.static['advertised.listeners'];
    broker.setStaticConfig('advertised.listeners', replaceListener(current, listener, hostTemplate.replace('{broker_id}', String(id)), Number(base) + id));
  }
}
