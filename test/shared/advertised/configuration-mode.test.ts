import { afterEach, describe, expect, test } from '@jest/globals';
import { createKafkaScenario, type KafkaScenario } from '../../support/kafka-scenario';

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const PROPERTIES = ['auto.create.topics.enable=false', '# keep three copies', 'default.replication.factor=3', 'num.partitions = 6', ''].join('\n');
const TEMPLATE = 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}';

const configWrites = (s: KafkaScenario) =>
  s.world.writes().filter((c) => ['CreateConfigurationCommand', 'UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand'].includes(c.command));

describe('msk-configuration mode', () => {
  test('property absent and no permission to restart: plan shows the rolling restart loudly and nothing is written to MSK', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: PROPERTIES });
    const { plan } = await s.reconcile();
    expect(plan.pending).toEqual([expect.stringContaining(`ROLLING RESTART NEEDED: set custom.advertised.listeners=${TEMPLATE}`)]);
    expect(configWrites(s)).toEqual([]);
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(PROPERTIES);
  });

  test('with --allow-rolling-restart: a new revision keeps every other property, MSK applies it, brokers advertise the names', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: PROPERTIES });
    const { applied } = await s.reconcile({ allowRollingRestart: true });
    expect(configWrites(s).map((c) => c.command)).toEqual(['UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand']);
    expect(applied?.operation).toMatchObject({ state: 'UPDATE_COMPLETE' });
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${PROPERTIES}custom.advertised.listeners=${TEMPLATE}\n`);
    expect(applied?.verification?.map((v) => [v.brokerId, v.actual, v.ok])).toEqual([
      [1, 'b-1.kafka.example.com:9001', true],
      [2, 'b-2.kafka.example.com:9002', true],
      [3, 'b-3.kafka.example.com:9003', true],
    ]);
  });

  test('a cluster on MSK default settings gets its first configuration', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true } });
    await s.reconcile();
    expect(configWrites(s).map((c) => c.command)).toEqual(['CreateConfigurationCommand', 'UpdateClusterConfigurationCommand']);
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`custom.advertised.listeners=${TEMPLATE}\n`);
  });

  test('already right: zero writes', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: `${PROPERTIES}custom.advertised.listeners=${TEMPLATE}\n` });
    await s.reconcile();
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions).toEqual([]);
    expect(plan.pending).toEqual([]);
    expect(s.world.writes()).toEqual([]);
    expect(s.kafka.requests.filter((r) => r.apiName === 'AlterConfigs')).toEqual([]);
  });

  test('a leftover dynamic override (which would win over the configuration) is removed, other dynamic configs kept', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: `${PROPERTIES}custom.advertised.listeners=${TEMPLATE}\n` });
    const staticValue = s.kafka.broker(2).configs.static['advertised.listeners'];
    s.kafka.broker(2).setDynamicConfig('advertised.listeners', staticValue.replace(/CLIENT_IAM:\/\/[^,]+/, 'CLIENT_IAM://old-name.example.com:9092'));
    s.kafka.broker(2).setDynamicConfig('log.cleaner.threads', '2');
    const { plan } = await s.reconcile();
    expect(plan.actions.filter((a) => a.type === 'alter-broker-configs').map((a) => [a.resource, a.type === 'alter-broker-configs' && a.purpose])).toEqual([['broker-2', 'remove-override']]);
    expect(s.kafka.broker(2).configs.dynamic).toEqual({ 'log.cleaner.threads': '2' });
  });
});
