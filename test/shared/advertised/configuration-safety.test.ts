import { afterEach, describe, expect, test } from '@jest/globals';
import { dedicatedConfigurationName } from '../../../shared/advertised/msk-configuration';
import { restoreCluster } from '../../../shared/reconcile';
import { brokerIp, brokersFor } from '../../support/scenario';
import { createKafkaScenario, type KafkaScenario } from '../../support/kafka-scenario';
import { resolveCluster } from '../../../shared/listeners';

// msk-configuration mode must never damage a configuration: what the user sees is counted in the
// embedded MSK (rolling restarts, revisions, other clusters' configurations), not in the plan.

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const PROPERTIES = ['auto.create.topics.enable=false', '# keep three copies', 'default.replication.factor=3', 'num.partitions = 6', ''].join('\n');
const IAM = 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}';
const KEY = 'custom.advertised.listeners';

const commands = (s: KafkaScenario) => s.world.calls.map((c) => c.command);
const configWrites = (s: KafkaScenario) =>
  s.world.writes().filter((c) => ['CreateConfigurationCommand', 'UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand'].includes(c.command)).map((c) => c.command);
const configurationOf = (s: KafkaScenario, clusterArn = s.clusterArn) => s.world.msk.cluster(clusterArn).configuration!;

describe('a configuration shared with another cluster', () => {
  async function sharedWithPayments(config: Record<string, unknown> = {}) {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true, ...config }, serverProperties: PROPERTIES });
    const shared = configurationOf(s).arn;
    const payments = s.world.msk.addCluster({ name: 'payments', brokers: brokersFor([1, 2, 3]).map((b) => ({ ...b, ip: b.ip.replace('10.0.', '10.1.') })), configuration: { arn: shared } });
    return { shared, payments };
  }

  test("copy (default): a dedicated configuration with every property plus the change; the other cluster's configuration and brokers untouched", async () => {
    const { shared, payments } = await sharedWithPayments();
    const { plan, applied } = await s!.reconcile();

    const name = dedicatedConfigurationName({ arn: s!.clusterArn, name: 'orders' });
    expect(plan.warnings).toContainEqual(expect.stringContaining(`dedicated configuration ${name} created for this cluster (orders-configuration is shared with ${payments}`));
    expect(configWrites(s!)).toEqual(['CreateConfigurationCommand', 'UpdateClusterConfigurationCommand']);
    expect(applied?.operation).toMatchObject({ state: 'UPDATE_COMPLETE' });
    // This cluster: its own copy, every property byte for byte, plus the entry.
    expect(s!.world.msk.configuration(configurationOf(s!).arn).name).toBe(name);
    expect(s!.world.msk.serverProperties(s!.clusterArn)).toBe(`${PROPERTIES}${KEY}=${IAM}\n`);
    expect(s!.world.msk.rollingRestarts(s!.clusterArn)).toBe(1);
    // The other cluster: same configuration, same single revision, no restart.
    expect(s!.world.msk.configuration(shared).revisions).toEqual([{ revision: 1, description: '', serverProperties: PROPERTIES }]);
    expect(configurationOf(s!, payments)).toEqual({ arn: shared, revision: 1 });
    expect(s!.world.msk.rollingRestarts(payments)).toBe(0);

    // Converged: the next run reads the one revision and writes nothing.
    s!.world.resetCalls();
    const again = await s!.reconcile();
    expect(again.plan.actions).toEqual([]);
    expect(s!.world.writes()).toEqual([]);
    expect(commands(s!)).not.toContain('ListClustersV2Command');
  });

  test("refuse: a conflict naming the other cluster and the option; nothing written", async () => {
    const { shared, payments } = await sharedWithPayments({ sharedConfiguration: 'refuse' });
    const { plan } = await s!.reconcile();
    expect(plan.conflicts).toEqual([
      { resource: 'msk configuration', message: expect.stringMatching(new RegExp(`orders-configuration: it is shared with ${payments.replace(/[/.]/g, '\\$&')}, and sharedConfiguration is 'refuse'`)) },
    ]);
    expect(configWrites(s!)).toEqual([]);
    expect(configurationOf(s!)).toEqual({ arn: shared, revision: 1 });
  });
});

describe('a configuration reverted behind the tool’s back (infrastructure as code owns it)', () => {
  test('exactly one unattended restart, then a conflict on every run and no second UpdateClusterConfiguration; an operator may override by hand', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    await s.reconcile();
    const { arn } = configurationOf(s);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);

    // IaC writes its own text again and applies it: a restart that is not the tool's.
    const reverted = s.world.msk.reviseConfiguration(arn, PROPERTIES, 'terraform');
    s.world.msk.applyConfiguration(s.clusterArn, arn, reverted);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(2);

    for (const run of [1, 2]) {
      s.world.resetCalls();
      const { plan } = await s.reconcile();
      expect([run, plan.conflicts]).toEqual([run, [{ resource: 'msk configuration', message: expect.stringContaining('someone else (infrastructure as code?) reverts it') }]]);
      expect(plan.conflicts[0].message).toContain(`run by hand: msk-custom-domain apply --cluster ${s.clusterArn} --allow-rolling-restart`);
      expect(plan.actions.filter((a) => a.type === 'update-msk-configuration')).toEqual([]);
      expect(configWrites(s)).toEqual([]);
    }
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(2);

    // A person re-running by hand with --allow-rolling-restart sets it again, and the plan says why.
    const byHand = await s.reconcile({ allowRollingRestart: true });
    expect(byHand.plan.conflicts).toEqual([]);
    expect(byHand.plan.warnings).toContainEqual(expect.stringContaining('setting them again because --allow-rolling-restart was given by hand'));
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${PROPERTIES}${KEY}=${IAM}\n`);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(3);
  });

  test('moved back from the dedicated copy to the shared configuration: a conflict, not a second copy', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    const shared = configurationOf(s).arn;
    s.world.msk.addCluster({ name: 'payments', brokers: [{ id: 1, ip: '10.1.1.11' }], configuration: { arn: shared } });
    await s.reconcile();
    expect(configurationOf(s).arn).not.toBe(shared);
    s.world.msk.applyConfiguration(s.clusterArn, shared, 1);

    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{ resource: 'msk configuration', message: expect.stringContaining('reverts it') }]);
    expect(configWrites(s)).toEqual([]);
    expect(s.world.msk.configurationArns()).toHaveLength(2);
  });
});

describe('a failed UpdateClusterConfiguration', () => {
  test('on MSK defaults: the next run finds the dedicated configuration by name and applies it, no ConflictException', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true } });
    s.world.faults.add({ command: 'UpdateClusterConfigurationCommand', error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow(/MSK configuration/);
    expect(s.world.msk.cluster(s.clusterArn).configuration).toBeUndefined();

    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.warnings).toContainEqual(expect.stringContaining('already holds the change'));
    expect(configWrites(s)).toEqual(['UpdateClusterConfigurationCommand']);
    expect(s.world.calls.filter((c) => c.failed)).toEqual([]);
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${KEY}=${IAM}\n`);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);
  });

  test('on its own configuration: the next run applies the revision already written, no second revision', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    s.world.faults.add({ command: 'UpdateClusterConfigurationCommand', error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow();
    s.world.resetCalls();
    await s.reconcile();
    expect(configWrites(s)).toEqual(['UpdateClusterConfigurationCommand']);
    expect(configurationOf(s).revision).toBe(2);
    expect(s.world.msk.configuration(configurationOf(s).arn).revisions).toHaveLength(2);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);
  });
});

describe("the configuration's latest revision is newer than the cluster's", () => {
  test('only the managed property differs: the new revision is built from latest, keeping its other entries', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    const { arn } = configurationOf(s);
    const scram = 'CLIENT_SASL_SCRAM://scram-{broker_id}.kafka.example.com:19000+{broker_id}';
    s.world.msk.reviseConfiguration(arn, `${PROPERTIES}${KEY}=${scram}\n`);

    const { plan } = await s.reconcile();
    expect(plan.warnings).toContainEqual(expect.stringContaining('built from orders-configuration revision 2, the latest (the cluster runs 1'));
    expect(configurationOf(s)).toEqual({ arn, revision: 3 });
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${PROPERTIES}${KEY}=${scram},${IAM}\n`);
  });

  test('other properties differ too: refused with the keys named, nothing written', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    const { arn } = configurationOf(s);
    s.world.msk.reviseConfiguration(arn, PROPERTIES.replace('num.partitions = 6', 'num.partitions = 12'));

    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{ resource: 'msk configuration', message: expect.stringContaining('runs revision 1 but the latest is 2, and they differ in num.partitions') }]);
    expect(configWrites(s)).toEqual([]);
    expect(s.world.msk.configuration(arn).revisions).toHaveLength(2);
  });

  test('someone adds a revision between plan and apply: UpdateConfiguration is not sent', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    const { arn } = configurationOf(s);
    const { plan, observed } = await s.reconcile({ apply: false });
    s.world.msk.reviseConfiguration(arn, `${PROPERTIES}log.retention.hours=24\n`);
    const { applyPlan } = await import('../../../shared/apply');
    await expect(applyPlan(s.clients, resolveCluster(s.config), plan, observed, s.reconcileOptions)).rejects.toThrow(/got revision 2 after revision 1 was read; nothing was written/);
    expect(configWrites(s)).toEqual([]);
  });
});

describe('entries of other listeners', () => {
  test('are kept byte for byte, spacing included; only the mapped entry changes', async () => {
    const scram = ' CLIENT_SASL_SCRAM://scram-{broker_id}.other.example.com:19000+{broker_id} ';
    const publicIam = 'CLIENT_IAM_PUBLIC://pub-{broker_id}.other.example.com:29000+{broker_id}';
    s = await createKafkaScenario({
      config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true },
      serverProperties: `${PROPERTIES}${KEY}=${scram},CLIENT_IAM://old-{broker_id}.kafka.example.com:9000+{broker_id},${publicIam}\n`,
    });
    await s.reconcile();
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${PROPERTIES}${KEY}=${scram},${IAM},${publicIam}\n`);
  });
});

describe('restore (the rescue)', () => {
  test('removes only the mapped entry, keeps the other listener’s, on the cluster’s own configuration built from latest', async () => {
    const scram = 'CLIENT_SASL_SCRAM://scram-{broker_id}.other.example.com:19000+{broker_id}';
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: `${PROPERTIES}${KEY}=${IAM},${scram}\n` });
    const { arn } = configurationOf(s);
    const { plan } = await restoreCluster(s.clients, s.config, { ...s.reconcileOptions, apply: true, allowRollingRestart: true });
    expect(plan.conflicts).toEqual([]);
    expect(configurationOf(s)).toEqual({ arn, revision: 2 });
    expect(s.world.msk.serverProperties(s.clusterArn)).toBe(`${PROPERTIES}${KEY}=${scram}\n`);
    expect(s.world.msk.configuration(arn).revisions[1].description).toMatch(/^msk-custom-domain-sync: custom.advertised.listeners for cluster orders \(id [0-9a-f]{12}\)$/);
  });
});

describe('two mapped listeners (IAM and SCRAM) in one configuration', () => {
  test('one revision carries both entries, a third listener’s entry and every property kept; one restart, and each listener advertises its names', async () => {
    const scram = 'CLIENT_SASL_SCRAM://scram-{broker_id}.kafka.example.com:19000+{broker_id}';
    const publicTls = 'CLIENT_SECURE_PUBLIC://tls-{broker_id}.other.example.com:29000+{broker_id}';
    s = await createKafkaScenario({
      config: {
        advertisedListeners: 'msk-configuration', allowRollingRestart: true,
        listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 19000, brokerPortBase: 19000, brokerHostTemplate: 'scram-{id}', bootstrapHost: 'bootstrap-scram' }],
      },
      serverProperties: `${PROPERTIES}${KEY}=${publicTls}\n`,
    });
    const { plan, applied } = await s.reconcile();
    expect(plan.conflicts).toEqual([]);
    const update = plan.actions.find((a) => a.type === 'update-msk-configuration');
    expect(update).toMatchObject({ serverProperties: `${PROPERTIES}${KEY}=${publicTls},${IAM},${scram}\n`, target: { kind: 'revise', baseRevision: 1 } });
    // The fake brokers serve IAM and SCRAM: both targets turn healthy, the data path is verified, then one rolling restart.
    expect(applied?.waiting).toBeUndefined();
    expect(configWrites(s)).toEqual(['UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand']);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(1);
    expect(applied?.verification?.filter((v) => !v.ok)).toEqual([]);
    expect(s.kafka.broker(2).advertisedEndpoint('CLIENT_IAM')).toEqual({ host: 'b-2.kafka.example.com', port: 9002 });
    expect(s.kafka.broker(2).advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 'scram-2.kafka.example.com', port: 19002 });
  });

  test('a broker whose SCRAM target is not healthy holds the rollout: no restart onto names that lead nowhere', async () => {
    s = await createKafkaScenario({
      config: {
        advertisedListeners: 'msk-configuration', allowRollingRestart: true,
        listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 19000, brokerPortBase: 19000, brokerHostTemplate: 'scram-{id}', bootstrapHost: 'bootstrap-scram' }],
      },
    });
    // Broker 2's SCRAM socket answers nothing (as if its listener were down): its target never turns healthy.
    const reachable = s.world.elbv2.reachable;
    s.world.elbv2.reachable = (ip, port) => !(ip === brokerIp(2) && port === 9096) && (reachable?.(ip, port) ?? true);
    const { applied } = await s.reconcile();
    expect(applied?.waiting).toMatch(/waiting for target health: .*scram@\S+ broker-2/);
    expect(configWrites(s)).toEqual([]);
    expect(s.world.msk.rollingRestarts(s.clusterArn)).toBe(0);
  });
});
