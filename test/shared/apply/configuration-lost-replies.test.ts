// msk-configuration mode: CreateConfiguration and UpdateClusterConfiguration take no idempotency
// token, so the SDK's retry after a lost reply is refused. The run confirms with a read that the
// first attempt did it (and counts it done), and still fails when the refusal is someone else's doing.
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import { applyPlan } from '../../../shared/apply';
import { dedicatedConfigurationName } from '../../../shared/advertised/msk-configuration';
import { logger } from '../../../shared/log';
import { createKafkaScenario, type KafkaScenario } from '../../support/kafka-scenario';
import { resolveCluster } from '../../../shared/listeners';

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
  jest.restoreAllMocks();
});

const TEMPLATE = 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}';
const start = (serverProperties?: string) =>
  createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties });

/** Observe and plan, let `meanwhile` change the world, then apply that plan. */
async function applyAfter(s: KafkaScenario, meanwhile: () => void) {
  const { plan, observed } = await s.reconcile({ apply: false });
  meanwhile();
  return applyPlan(s.clients, resolveCluster(s.config), plan, observed, s.reconcileOptions);
}

describe('a lost reply, confirmed by one read', () => {
  test('CreateConfiguration: the configuration of the deterministic name holds the text sent; one configuration, one rolling restart', async () => {
    s = await start();
    const debug = jest.spyOn(logger, 'debug');
    s.world.faults.add({ command: 'CreateConfigurationCommand', error: 'reply-lost' });
    const { applied } = await s.reconcile();
    expect(s.world.calls.filter((c) => c.command === 'CreateConfigurationCommand').map((c) => c.error)).toEqual(['ECONNRESET', 'ConflictException']);
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ refusal: 'ConflictException' }), expect.stringContaining('already in place'));
    expect(applied?.operation).toMatchObject({ state: 'UPDATE_COMPLETE' });
    expect(s.world.msk.configurationArns()).toHaveLength(1);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`custom.advertised.listeners=${TEMPLATE}\n`);
  });

  test('UpdateClusterConfiguration: the cluster is already updating to that revision; that operation is followed', async () => {
    s = await start('num.partitions=6\n');
    const debug = jest.spyOn(logger, 'debug');
    s.world.faults.add({ command: 'UpdateClusterConfigurationCommand', error: 'reply-lost' });
    const { applied } = await s.reconcile();
    const attempts = s.world.calls.filter((c) => c.command === 'UpdateClusterConfigurationCommand');
    expect(attempts.map((c) => c.error)).toEqual(['ECONNRESET', 'BadRequestException']);
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ refusal: 'BadRequestException' }), expect.stringContaining('already in place'));
    expect(applied?.operation).toMatchObject({ state: 'UPDATE_COMPLETE', operationArn: s.world.msk.operations(s.clusterArn)[0].arn });
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);
    expect(applied?.verification?.every((v) => v.ok)).toBe(true);
  });
});

describe('a refusal that is not our lost reply still fails', () => {
  test('a configuration of the tool\'s name with other text appeared after planning', async () => {
    s = await start();
    const name = dedicatedConfigurationName({ arn: s.clusterArn, name: 'orders' });
    await expect(applyAfter(s, () => { s!.world.msk.addConfiguration({ name, serverProperties: 'num.partitions=1\n' }); }))
      .rejects.toThrow(`an MSK configuration named ${name} appeared after the configurations were listed`);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(0);
  });

  test('someone else moved the cluster to another revision after planning', async () => {
    s = await start('num.partitions=6\n');
    const theirs = s.world.msk.addConfiguration({ name: 'someone-elses', serverProperties: 'num.partitions=12\n' });
    await expect(applyAfter(s, () => s!.world.msk.applyConfiguration(s!.clusterArn, theirs))).rejects.toThrow(/isn’t current|UPDATING state/);
    expect(s.world.msk.operations(s.clusterArn)).toHaveLength(1);
  });
});
