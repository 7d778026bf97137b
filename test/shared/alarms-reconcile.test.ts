import { afterEach, describe, expect, test } from '@jest/globals';
import { DescribeAlarmsCommand, type PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { alarmPrefix } from '../../shared/alarms/desired';
import type { AlarmsConfig, ClusterConfig } from '../../shared/config/schema';
import { alarmsSchema } from '../../shared/config/schema';
import type { Action } from '../../shared/plan/types';
import { reconcileCluster } from '../../shared/reconcile';
import type { EnhancedMonitoring } from '@aws-sdk/client-kafka';
import type { WorldAlarm } from '../world';
import { brokersFor, createScenario, range, type Scenario } from '../support/scenario';

// The connection-quota alarm stories, end to end: the real reconciler against the embedded
// AWS world, asserting what CloudWatch holds afterwards and which calls were written.

const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:msk-connection-alarms';
const METRICS = ['ClientConnectionCount', 'ConnectionCreationRate', 'IAMTooManyConnections'];

let s: Scenario;
afterEach(() => s?.world.restore());

/** A scenario whose config notifies TOPIC; alarms otherwise at their defaults unless given. */
function scenario(options: { brokerIds?: number[]; alarms?: Partial<AlarmsConfig>; authentication?: ClusterConfig['authentication'] } = {}): Scenario {
  return createScenario({
    brokerIds: options.brokerIds,
    config: { alarms: { snsTopicArn: TOPIC, ...options.alarms }, ...(options.authentication ? { authentication: options.authentication } : {}) },
  });
}

/** The same cluster config with a changed alarms section, parsed as the config loader would. */
function withAlarms(config: ClusterConfig, alarms: Partial<AlarmsConfig>): ClusterConfig {
  return { ...config, alarms: alarmsSchema.parse({ ...config.alarms, ...alarms }) };
}

function reconcileWith(config: ClusterConfig, apply = true) {
  return reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply });
}

/** The prefix under which the tool owns this scenario's alarms. */
function prefixOf(clusterArn: string): string {
  return alarmPrefix(clusterArn.split('/')[1]!, clusterArn);
}

/** This cluster's alarms in the world, as `broker-<id>/<metric>` -> alarm. */
function ownAlarms(clusterArn = s.clusterArn): Record<string, WorldAlarm> {
  const prefix = prefixOf(clusterArn);
  return Object.fromEntries(
    s.world.cloudwatch
      .alarms()
      .filter((a) => a.AlarmName!.startsWith(prefix))
      .map((a) => [a.AlarmName!.slice(prefix.length), a]),
  );
}

/** `broker-<id>/<metric>` for every id and metric, sorted as CloudWatch lists them. */
function keys(ids: number[], metrics = METRICS): string[] {
  return ids.flatMap((id) => metrics.map((m) => `broker-${id}/${m}`)).sort();
}

function writeCommands(): string[] {
  return s.world.writes().map((c) => c.command);
}

function puts(actions: Action[]): Extract<Action, { type: 'put-alarm' }>[] {
  return actions.filter((a): a is Extract<Action, { type: 'put-alarm' }> => a.type === 'put-alarm');
}

function deleteCalls(): string[][] {
  return s.world.calls.filter((c) => c.command === 'DeleteAlarmsCommand').map((c) => (c.input as { AlarmNames: string[] }).AlarmNames);
}

/** A foreign alarm on the same metric and dimensions as one of ours: only the name differs. */
function foreignAlarm(name: string, brokerId = 1): PutMetricAlarmCommandInput {
  return {
    AlarmName: name,
    Namespace: 'AWS/Kafka',
    MetricName: 'ConnectionCount',
    Dimensions: [{ Name: 'Cluster Name', Value: 'orders' }, { Name: 'Broker ID', Value: String(brokerId) }],
    Statistic: 'Maximum',
    Period: 300,
    EvaluationPeriods: 1,
    Threshold: 1000,
    ComparisonOperator: 'GreaterThanThreshold',
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:team-orders'],
  };
}

/** A second cluster in the same world (instance type, monitoring level), and its config. */
function addCluster(seed: { name: string; brokerIds?: number[]; instanceType?: string; enhancedMonitoring?: EnhancedMonitoring }, alarms: Partial<AlarmsConfig> = {}): ClusterConfig {
  const clusterArn = s.world.msk.addCluster({
    name: seed.name,
    brokers: brokersFor(seed.brokerIds ?? [1, 2, 3]),
    instanceType: seed.instanceType ?? 'kafka.m5.large',
    enhancedMonitoring: seed.enhancedMonitoring ?? 'PER_BROKER',
  });
  return withAlarms({ ...s.config, clusterArn }, alarms);
}

describe('a fresh 3-broker IAM cluster', () => {
  test('gets ClientConnectionCount, ConnectionCreationRate and IAMTooManyConnections alarms per broker, notifying the topic', async () => {
    // Prepare
    s = scenario();
    // Act
    const { plan } = await s.reconcile();
    // Assess
    expect(plan.warnings).toEqual([]);
    const alarms = ownAlarms();
    expect(Object.keys(alarms)).toEqual(keys([1, 2, 3]));
    expect(s.world.cloudwatch.alarms()).toHaveLength(9);
    for (const id of [1, 2, 3]) {
      const count = alarms[`broker-${id}/ClientConnectionCount`]!;
      expect(count).toMatchObject({ Namespace: 'AWS/Kafka', Threshold: 2400, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Maximum', Period: 60 });
      // The IAM quota counts IAM client connections: the ClientConnectionCount of that authentication only.
      expect(count.Dimensions).toEqual([{ Name: 'Cluster Name', Value: 'orders' }, { Name: 'Broker ID', Value: String(id) }, { Name: 'Client Authentication', Value: 'IAM' }]);
      // 80 % of the table quota of kafka.m5.large (100 new connections per second), against the Sum of the broker's data points.
      expect(alarms[`broker-${id}/ConnectionCreationRate`]).toMatchObject({ Threshold: 80, ComparisonOperator: 'GreaterThanOrEqualToThreshold', Statistic: 'Sum', Period: 60 });
      expect(alarms[`broker-${id}/IAMTooManyConnections`]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
      for (const metric of METRICS) {
        const a = alarms[`broker-${id}/${metric}`]!;
        expect(a.MetricName).toBe(metric);
        expect(a.Dimensions!.slice(0, 2)).toEqual([{ Name: 'Cluster Name', Value: 'orders' }, { Name: 'Broker ID', Value: String(id) }]);
        expect(a.AlarmActions).toEqual([TOPIC]);
        expect(a.OKActions).toEqual([TOPIC]);
        expect(a.InsufficientDataActions).toEqual([]);
        expect(a.tags).toMatchObject({ 'managed-by': 'msk-custom-domain-sync', 'msk-cluster-arn': s.clusterArn, 'msk-broker-id': String(id) });
      }
    }
    expect(alarms['broker-2/ClientConnectionCount']!.AlarmDescription).toContain('80% of the IAM quota of 3000');
    // One PutMetricAlarm per alarm, nothing deleted.
    expect(writeCommands().filter((c) => c === 'PutMetricAlarmCommand')).toHaveLength(9);
    expect(deleteCalls()).toEqual([]);
  });

  test('DescribeAlarms through the SDK lists them under the cluster prefix, in the state a new alarm has', async () => {
    s = scenario();
    await s.reconcile();
    const out = await s.clients.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: prefixOf(s.clusterArn) }));
    expect(out.MetricAlarms?.map((a) => a.AlarmName)).toEqual(keys([1, 2, 3]).map((k) => prefixOf(s.clusterArn) + k));
    expect(new Set(out.MetricAlarms?.map((a) => a.StateValue))).toEqual(new Set(['INSUFFICIENT_DATA']));
  });

  test('a second reconcile writes nothing', async () => {
    s = scenario();
    await s.reconcile();
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions).toEqual([]);
    expect(s.world.writes()).toHaveLength(0);
    expect(s.world.calls.some((c) => c.command === 'DescribeAlarmsCommand')).toBe(true);
  });

  test('an alarm edited by hand is put back; the untouched ones are not rewritten', async () => {
    s = scenario();
    await s.reconcile();
    const edited = s.world.cloudwatch.alarms().find((a) => a.AlarmName!.endsWith('broker-2/ClientConnectionCount'))!;
    s.world.cloudwatch.putAlarm({ ...edited.input, Threshold: 2999, AlarmActions: [] });
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(['put-alarm broker-2']);
    expect(ownAlarms()['broker-2/ClientConnectionCount']).toMatchObject({ Threshold: 2400, AlarmActions: [TOPIC] });
    expect(writeCommands()).toEqual(['PutMetricAlarmCommand']);
  });

  test('a state change (ALARM) is not drift: nothing is written', async () => {
    s = scenario();
    await s.reconcile();
    s.world.cloudwatch.setAlarmState(`${prefixOf(s.clusterArn)}broker-1/ClientConnectionCount`, 'ALARM');
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toHaveLength(0);
    expect(ownAlarms()['broker-1/ClientConnectionCount']!.StateValue).toBe('ALARM');
  });
});

describe('the alarm config changes', () => {
  test('thresholdPercent 80 -> 70: every alarm with a percentage is updated in place, nothing created or deleted', async () => {
    s = scenario();
    await s.reconcile();
    s.world.cloudwatch.setAlarmState(`${prefixOf(s.clusterArn)}broker-3/ClientConnectionCount`, 'ALARM');
    s.world.resetCalls();

    const { plan } = await reconcileWith(withAlarms(s.config, { thresholdPercent: 70 }));

    expect(new Set(plan.actions.map((a) => a.type))).toEqual(new Set(['put-alarm']));
    expect(puts(plan.actions).every((a) => a.reason === 'update')).toBe(true);
    // IAMTooManyConnections is "> 0" whatever the percentage: it has no percentage to change.
    expect(puts(plan.actions).map((a) => a.alarm.MetricName).sort()).toEqual([...Array(3).fill('ClientConnectionCount'), ...Array(3).fill('ConnectionCreationRate')]);
    expect(new Set(writeCommands())).toEqual(new Set(['PutMetricAlarmCommand']));
    expect(writeCommands()).toHaveLength(6);

    const alarms = ownAlarms();
    expect(Object.keys(alarms)).toEqual(keys([1, 2, 3]));
    for (const id of [1, 2, 3]) {
      expect(alarms[`broker-${id}/ClientConnectionCount`]!.Threshold).toBe(2100);
      expect(alarms[`broker-${id}/ConnectionCreationRate`]!.Threshold).toBe(70);
      expect(alarms[`broker-${id}/IAMTooManyConnections`]!.Threshold).toBe(0);
      expect(alarms[`broker-${id}/ClientConnectionCount`]!.AlarmDescription).toContain('70% of the IAM quota of 3000');
    }
    // An update keeps the alarm's state (PutMetricAlarm replaces the configuration only).
    expect(alarms['broker-3/ClientConnectionCount']!.StateValue).toBe('ALARM');
  });

  test('the new thresholds are stable: reconciling again with the new config writes nothing', async () => {
    s = scenario();
    const config = withAlarms(s.config, { thresholdPercent: 70 });
    await reconcileWith(config);
    s.world.resetCalls();
    const { plan } = await reconcileWith(config);
    expect(plan.actions).toEqual([]);
    expect(s.world.writes()).toHaveLength(0);
  });

  test('a quota override for the instance type changes only the alarms derived from the rate quota', async () => {
    s = scenario();
    await s.reconcile();
    const before = ownAlarms();
    s.world.resetCalls();

    const { plan } = await reconcileWith(withAlarms(s.config, { connectionCreationRateQuotas: { 'kafka.m5.large': 50, 'kafka.m7g.large': 7 } }));

    const metrics = puts(plan.actions).map((a) => a.alarm.MetricName);
    expect(metrics).not.toContain('ClientConnectionCount');
    expect(plan.actions.every((a) => a.type === 'put-alarm' && a.reason === 'update')).toBe(true);
    const after = ownAlarms();
    for (const id of [1, 2, 3]) {
      expect(after[`broker-${id}/ConnectionCreationRate`]!.Threshold).toBe(40);
      expect(after[`broker-${id}/ConnectionCreationRate`]!.AlarmDescription).toContain('configured for kafka.m5.large');
      // The connection-count alarms were not touched at all.
      expect(after[`broker-${id}/ClientConnectionCount`]!.AlarmConfigurationUpdatedTimestamp).toEqual(before[`broker-${id}/ClientConnectionCount`]!.AlarmConfigurationUpdatedTimestamp);
      expect(after[`broker-${id}/ClientConnectionCount`]!.input).toEqual(before[`broker-${id}/ClientConnectionCount`]!.input);
      // IAMTooManyConnections keeps "> 0"; its description names the new quota, which the notification reads back.
      expect(after[`broker-${id}/IAMTooManyConnections`]).toMatchObject({ Threshold: 0, ComparisonOperator: 'GreaterThanThreshold' });
      expect(after[`broker-${id}/IAMTooManyConnections`]!.AlarmDescription).toContain('quota=50');
    }
    const written = s.world.writes().map((c) => (c.input as PutMetricAlarmCommandInput).MetricName);
    expect(written.filter((m) => m === 'ConnectionCreationRate')).toHaveLength(3);
    expect(written).not.toContain('ClientConnectionCount');
  });

  test('an override for another instance type changes nothing', async () => {
    s = scenario();
    await s.reconcile();
    s.world.resetCalls();
    const { plan } = await reconcileWith(withAlarms(s.config, { connectionCreationRateQuotas: { 'kafka.t3.small': 2 } }));
    expect(plan.actions).toEqual([]);
    expect(s.world.writes()).toHaveLength(0);
  });

  test('tooManyConnectsAlarm=false deletes just the IAMTooManyConnections alarms', async () => {
    s = scenario();
    await s.reconcile();
    s.world.resetCalls();
    const { plan } = await reconcileWith(withAlarms(s.config, { tooManyConnectsAlarm: false }));
    expect(plan.actions).toEqual([{ type: 'delete-alarms', resource: 'alarms', names: keys([1, 2, 3], ['IAMTooManyConnections']).map((k) => prefixOf(s.clusterArn) + k) }]);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3], ['ClientConnectionCount', 'ConnectionCreationRate']));
    expect(writeCommands()).toEqual(['DeleteAlarmsCommand']);
  });

  test('a new SNS topic moves every alarm to it, alarm and OK actions alike', async () => {
    s = scenario();
    await s.reconcile();
    const other = 'arn:aws:sns:eu-west-1:123456789012:platform-oncall';
    const { plan } = await reconcileWith(withAlarms(s.config, { snsTopicArn: other }));
    expect(puts(plan.actions)).toHaveLength(9);
    for (const a of Object.values(ownAlarms())) {
      expect(a.AlarmActions).toEqual([other]);
      expect(a.OKActions).toEqual([other]);
    }
  });

  test('a t3.small cluster gets 80 % of its 4/s table quota, to the decimal', async () => {
    s = scenario();
    const config = addCluster({ name: 'tiny', instanceType: 'kafka.t3.small' }, { snsTopicArn: TOPIC });
    await reconcileWith(config);
    const alarms = ownAlarms(config.clusterArn);
    expect(alarms['broker-1/ConnectionCreationRate']!.Threshold).toBe(3.2);
    expect(alarms['broker-1/ConnectionCreationRate']!.Dimensions).toEqual([{ Name: 'Cluster Name', Value: 'tiny' }, { Name: 'Broker ID', Value: '1' }]);
    s.world.resetCalls();
    await reconcileWith(config);
    expect(s.world.writes()).toHaveLength(0);
  });
});

describe('alarms follow the brokers', () => {
  test('scale-out 3 -> 6 creates the alarms of brokers 4-6 only', async () => {
    s = scenario();
    await s.reconcile();
    const before = ownAlarms();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    s.world.resetCalls();

    const { plan } = await s.reconcile();

    const alarmActions = plan.actions.filter((a) => a.type === 'put-alarm' || a.type === 'delete-alarms');
    expect(alarmActions.every((a) => a.type === 'put-alarm' && a.reason === 'create')).toBe(true);
    expect(alarmActions.map((a) => a.resource).sort()).toEqual(['broker-4', 'broker-5', 'broker-6'].flatMap((r) => [r, r, r]));
    const alarms = ownAlarms();
    expect(Object.keys(alarms)).toEqual(keys(range(1, 6)));
    for (const k of keys([1, 2, 3])) expect(alarms[k]!.AlarmConfigurationUpdatedTimestamp).toEqual(before[k]!.AlarmConfigurationUpdatedTimestamp);
    const written = s.world.writes().filter((c) => c.service === 'cloudwatch');
    expect(written).toHaveLength(9);
    expect(written.every((c) => c.command === 'PutMetricAlarmCommand')).toBe(true);
    expect(written.map((c) => (c.input as PutMetricAlarmCommandInput).Dimensions![1]!.Value).sort()).toEqual(['4', '4', '4', '5', '5', '5', '6', '6', '6']);
  });

  test('scale-in 6 -> 3 deletes the alarms of brokers 4-6 in one DeleteAlarms call, and nothing else in CloudWatch', async () => {
    s = scenario({ brokerIds: range(1, 6) });
    await s.reconcile();
    const before = ownAlarms();
    expect(Object.keys(before)).toHaveLength(18);
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    s.world.resetCalls();

    const { plan } = await s.reconcile();

    expect(plan.actions.filter((a) => a.type === 'put-alarm')).toEqual([]);
    const prefix = prefixOf(s.clusterArn);
    expect(deleteCalls()).toEqual([keys([4, 5, 6]).map((k) => prefix + k)]);
    expect(s.world.writes().filter((c) => c.service === 'cloudwatch').map((c) => c.command)).toEqual(['DeleteAlarmsCommand']);
    const after = ownAlarms();
    expect(Object.keys(after)).toEqual(keys([1, 2, 3]));
    for (const k of keys([1, 2, 3])) expect(after[k]!.input).toEqual(before[k]!.input);
  });

  test('a broker announced without a client IP yet gets no alarm until it exists', async () => {
    s = scenario();
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, [...brokersFor([1, 2, 3]), { id: 4, ip: '' }]);
    const { plan } = await s.reconcile();
    expect(plan.warnings.join('\n')).toMatch(/broker 4 not created yet/);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toEqual(keys(range(1, 4)));
  });

  test('a broker listed without a client IP (between two IPs) keeps its alarms, as it keeps its listener and name', async () => {
    s = scenario({ brokerIds: range(1, 4) });
    await s.reconcile();
    const before = ownAlarms();
    s.world.msk.setBrokers(s.clusterArn, [...brokersFor([1, 2, 3]), { id: 4, ip: '' }]);
    s.world.resetCalls();

    const { plan } = await s.reconcile();

    expect(plan.actions.filter((a) => a.type === 'put-alarm' || a.type === 'delete-alarms')).toEqual([]);
    expect(s.world.writes().filter((c) => c.service === 'cloudwatch')).toEqual([]);
    expect(ownAlarms()).toEqual(before);

    // Back with a new IP: the same alarms, untouched. Gone for good: its alarms go too.
    s.world.msk.setBrokers(s.clusterArn, [...brokersFor([1, 2, 3]), { id: 4, ip: '10.0.1.114' }]);
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes().filter((c) => c.service === 'cloudwatch')).toEqual([]);
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });

  test('a broker replaced with a new IP keeps its alarms: no CloudWatch write', async () => {
    s = scenario();
    await s.reconcile();
    s.world.msk.replaceBroker(s.clusterArn, 2, '10.0.2.112');
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions.length).toBeGreaterThan(0); // the targets move
    expect(s.world.writes().filter((c) => c.service === 'cloudwatch')).toEqual([]);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });

  test('more than 100 stale alarms (40 -> 3 brokers) are deleted in batches of at most 100', async () => {
    s = scenario({ brokerIds: range(1, 40) });
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toHaveLength(120);
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    s.world.resetCalls();

    const { plan } = await s.reconcile();

    const deletion = plan.actions.find((a) => a.type === 'delete-alarms');
    expect(deletion?.type === 'delete-alarms' && deletion.names).toHaveLength(111);
    const calls = deleteCalls();
    expect(calls.length).toBeGreaterThanOrEqual(2);
    for (const names of calls) expect(names.length).toBeLessThanOrEqual(100);
    expect(calls.flat().sort()).toEqual(keys(range(4, 40)).map((k) => prefixOf(s.clusterArn) + k).sort());
    expect(s.world.calls.filter((c) => c.service === 'cloudwatch' && c.failed)).toEqual([]);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toHaveLength(0);
  });
});

describe('failures', () => {
  test('a throttled PutMetricAlarm fails the run clearly; the next run creates just what is missing', async () => {
    s = scenario();
    s.world.faults.add({ command: 'PutMetricAlarmCommand', afterCalls: 4, error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow(/create alarm .*Rate exceeded/);
    expect(Object.keys(ownAlarms())).toHaveLength(8);
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(puts(plan.actions)).toHaveLength(1);
    expect(writeCommands()).toEqual(['PutMetricAlarmCommand']);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });

  test('a failed second DeleteAlarms batch is finished by the next run', async () => {
    s = scenario({ brokerIds: range(1, 40) });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    s.world.faults.add({ command: 'DeleteAlarmsCommand', afterCalls: 1, error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow(/delete alarm/);
    expect(Object.keys(ownAlarms()).length).toBeGreaterThan(9);
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });
});

describe('foreign alarms', () => {
  const FOREIGN_NAME = 'orders-ConnectionCount-broker-1';

  /** The world with two foreign alarms: another name, and the prefix of another incarnation of "orders". */
  function seedForeign(): { names: string[]; inputs: PutMetricAlarmCommandInput[] } {
    const otherOrders = s.world.msk.addCluster({ name: 'orders', brokers: brokersFor([1]), enhancedMonitoring: 'PER_BROKER' });
    const inputs = [
      foreignAlarm(FOREIGN_NAME),
      foreignAlarm(`${prefixOf(otherOrders)}broker-1/ClientConnectionCount`),
      // Looks like ours but is in a prefix of another cluster whose name starts with ours.
      foreignAlarm(`${alarmPrefix('orders-eu', s.clusterArn.replace('/orders/', '/orders-eu/'))}broker-5/ClientConnectionCount`, 5),
    ];
    for (const input of inputs) s.world.cloudwatch.putAlarm(input);
    return { names: inputs.map((i) => i.AlarmName!), inputs };
  }

  /** The foreign alarms as they are now, in the order of `names`. */
  function foreignNow(names: string[]) {
    const byName = new Map(s.world.cloudwatch.alarms().map((a) => [a.AlarmName!, a]));
    return names.map((n) => byName.get(n));
  }

  test('survive creation, scale-in and alarms.enabled=false, which removes all of this cluster\'s alarms and only those', async () => {
    s = scenario({ brokerIds: range(1, 5) });
    const { names, inputs } = seedForeign();

    await s.reconcile();
    expect(Object.keys(ownAlarms())).toEqual(keys(range(1, 5)));
    expect(foreignNow(names).map((a) => a?.input)).toEqual(inputs);

    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
    expect(foreignNow(names).map((a) => a?.input)).toEqual(inputs);

    s.world.resetCalls();
    const { plan } = await reconcileWith(withAlarms(s.config, { enabled: false }));
    expect(plan.actions.map((a) => a.type)).toEqual(['delete-alarms']);
    expect(ownAlarms()).toEqual({});
    expect(s.world.cloudwatch.alarms().map((a) => a.AlarmName).sort()).toEqual([...names].sort());
    expect(foreignNow(names).map((a) => a?.input)).toEqual(inputs);
    for (const n of deleteCalls().flat()) expect(n.startsWith(prefixOf(s.clusterArn))).toBe(true);

    // Disabled stays disabled: no more writes.
    s.world.resetCalls();
    await reconcileWith(withAlarms(s.config, { enabled: false }));
    expect(s.world.writes()).toHaveLength(0);
  });

  test('a foreign alarm on the same metric and dimensions neither counts as ours nor blocks ours', async () => {
    s = scenario();
    const { names } = seedForeign();
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([]);
    expect(puts(plan.actions)).toHaveLength(9);
    expect(puts(plan.actions).map((a) => a.alarm.AlarmName)).not.toContain(FOREIGN_NAME);
    expect(s.world.cloudwatch.alarms()).toHaveLength(9 + names.length);
  });

  test('a cluster whose name extends ours keeps its alarms when ours go', async () => {
    s = scenario();
    const longer = addCluster({ name: 'orders-eu', brokerIds: [1] }, { snsTopicArn: TOPIC });
    await reconcileCluster(s.clients, { ...longer, domain: 'eu.kafka.example.com', bootstrapPort: 9100, brokerPortBase: 9100 }, { ...s.reconcileOptions, apply: true });
    await s.reconcile();
    expect(Object.keys(ownAlarms(longer.clusterArn))).toEqual(keys([1]));
    await reconcileWith(withAlarms(s.config, { enabled: false }));
    expect(ownAlarms()).toEqual({});
    expect(Object.keys(ownAlarms(longer.clusterArn))).toEqual(keys([1]));
  });
});

describe('monitoring level', () => {
  test('enhanced monitoring DEFAULT: a plan warning naming PER_BROKER and INSUFFICIENT_DATA; the rate alarms are still made', async () => {
    s = scenario();
    const config = addCluster({ name: 'billing', enhancedMonitoring: 'DEFAULT' }, { snsTopicArn: TOPIC });
    const { plan } = await reconcileWith(config);
    const warning = plan.warnings.find((w) => /enhanced monitoring is DEFAULT/.test(w));
    expect(warning).toEqual(expect.stringContaining('PER_BROKER'));
    expect(warning).toEqual(expect.stringContaining('INSUFFICIENT_DATA'));
    expect(Object.keys(ownAlarms(config.clusterArn))).toEqual(keys([1, 2, 3]));
  });

  test('with skipCreationRateWithoutPerBrokerMonitoring only the ClientConnectionCount alarms are made', async () => {
    s = scenario();
    const config = addCluster({ name: 'billing', enhancedMonitoring: 'DEFAULT' }, { snsTopicArn: TOPIC, skipCreationRateWithoutPerBrokerMonitoring: true });
    const { plan } = await reconcileWith(config);
    expect(plan.warnings.join('\n')).toMatch(/enhanced monitoring is DEFAULT; skipping the ConnectionCreationRate and IAMTooManyConnections alarms/);
    expect(Object.keys(ownAlarms(config.clusterArn))).toEqual(keys([1, 2, 3], ['ClientConnectionCount']));
    expect(s.world.writes().filter((c) => c.command === 'PutMetricAlarmCommand')).toHaveLength(3);
  });

  test('turning skip on for a DEFAULT cluster that has rate alarms deletes just those', async () => {
    s = scenario();
    const config = addCluster({ name: 'billing', enhancedMonitoring: 'DEFAULT' }, { snsTopicArn: TOPIC });
    await reconcileWith(config);
    s.world.resetCalls();
    await reconcileWith(withAlarms(config, { skipCreationRateWithoutPerBrokerMonitoring: true }));
    expect(Object.keys(ownAlarms(config.clusterArn))).toEqual(keys([1, 2, 3], ['ClientConnectionCount']));
    expect(writeCommands()).toEqual(['DeleteAlarmsCommand']);
  });

  test('a PER_BROKER cluster ignores the skip option and gets no monitoring warning', async () => {
    s = scenario({ alarms: { skipCreationRateWithoutPerBrokerMonitoring: true } });
    const { plan } = await s.reconcile();
    expect(plan.warnings).toEqual([]);
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });
});

describe('authentication other than IAM', () => {
  test('a scram cluster gets no alarms and a warning saying why', async () => {
    s = scenario({ authentication: 'scram' });
    const { plan } = await s.reconcile();
    expect(plan.warnings).toContain('connection-quota alarms are for IAM authentication; scram clusters get none');
    expect(plan.actions.filter((a) => a.type === 'put-alarm' || a.type === 'delete-alarms')).toEqual([]);
    expect(s.world.cloudwatch.alarms()).toEqual([]);
    expect(s.world.calls.some((c) => c.command === 'PutMetricAlarmCommand')).toBe(false);
  });

  test('switching an IAM cluster\'s config to scram removes the alarms the tool made, and only those', async () => {
    s = scenario();
    s.world.cloudwatch.putAlarm(foreignAlarm('orders-ConnectionCount-broker-1'));
    await s.reconcile();
    expect(Object.keys(ownAlarms())).toHaveLength(9);
    s.world.resetCalls();

    const { plan } = await reconcileWith({ ...s.config, authentication: 'scram' });

    expect(plan.warnings).toContain('connection-quota alarms are for IAM authentication; scram clusters get none');
    expect(plan.actions.filter((a) => a.type === 'delete-alarms')).toHaveLength(1);
    expect(ownAlarms()).toEqual({});
    expect(s.world.cloudwatch.alarms().map((a) => a.AlarmName)).toEqual(['orders-ConnectionCount-broker-1']);
    expect(deleteCalls()).toHaveLength(1);
  });
});

describe('plan without apply', () => {
  test('shows the put-alarm actions but writes nothing', async () => {
    s = scenario();
    const { plan, applied } = await s.reconcile({ apply: false });
    const alarmPuts = puts(plan.actions);
    expect(alarmPuts).toHaveLength(9);
    expect(alarmPuts.every((a) => a.reason === 'create')).toBe(true);
    expect(alarmPuts.map((a) => a.alarm.AlarmName!.slice(prefixOf(s.clusterArn).length)).sort()).toEqual(keys([1, 2, 3]));
    expect(alarmPuts.find((a) => a.alarm.MetricName === 'ClientConnectionCount')?.alarm.Threshold).toBe(2400);
    expect(applied).toBeUndefined();
    expect(s.world.writes()).toHaveLength(0);
    expect(s.world.cloudwatch.alarms()).toEqual([]);
  });

  test('a dry run of a scale-in shows the delete and keeps every alarm', async () => {
    s = scenario({ brokerIds: range(1, 4) });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    s.world.resetCalls();
    const { plan } = await s.reconcile({ apply: false });
    const deletion = plan.actions.find((a) => a.type === 'delete-alarms');
    expect(deletion).toMatchObject({ names: keys([4]).map((k) => prefixOf(s.clusterArn) + k) });
    expect(s.world.writes()).toHaveLength(0);
    expect(Object.keys(ownAlarms())).toEqual(keys(range(1, 4)));
  });
});

// Alarms made by the version before issue 18: ConnectionCount for the connection quota (name
// `broker-<id>/ConnectionCount`), ConnectionCreationRate as an Average. An upgrade moves them to the
// new definitions: the rate alarms in place (same name: PutMetricAlarm overwrites the definition and
// keeps the state), the connection alarms under their new name, each created before the old one goes.
describe('an upgrade from the previous alarm definitions', () => {
  /** The world as the previous version left it: its ConnectionCount alarms, its Average rate alarms. */
  async function seededWithOldDefinitions(latencyMs = 0, concurrency?: number): Promise<void> {
    s = createScenario({ latencyMs, concurrency, config: { alarms: { snsTopicArn: TOPIC, connectionMetric: 'ConnectionCount' } } });
    await reconcileWith(withAlarms(s.config, { connectionMetric: 'ConnectionCount' }));
    for (const a of s.world.cloudwatch.alarms().filter((a) => a.MetricName === 'ConnectionCreationRate')) {
      s.world.cloudwatch.putAlarm({ ...a.input, Statistic: 'Average' });
    }
    s.world.cloudwatch.setAlarmState(`${prefixOf(s.clusterArn)}broker-2/ConnectionCreationRate`, 'ALARM');
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3], ['ConnectionCount', 'ConnectionCreationRate', 'IAMTooManyConnections']));
    s.world.resetCalls();
  }
  const current = () => withAlarms(s.config, { connectionMetric: 'ClientConnectionCount' });

  test('exactly the new alarms remain, each new one written before any old one is deleted, the rate alarms updated in place', async () => {
    await seededWithOldDefinitions();
    const { plan } = await reconcileWith(current());

    expect(plan.actions.map((a) => (a.type === 'put-alarm' ? `${a.reason} ${a.alarm.AlarmName!.slice(prefixOf(s.clusterArn).length)}` : a.type)).sort()).toEqual([
      ...[1, 2, 3].map((id) => `create broker-${id}/ClientConnectionCount`),
      ...[1, 2, 3].map((id) => `update broker-${id}/ConnectionCreationRate`),
      'delete-alarms',
    ].sort());
    const alarms = ownAlarms();
    expect(Object.keys(alarms)).toEqual(keys([1, 2, 3]));
    for (const id of [1, 2, 3]) {
      expect(alarms[`broker-${id}/ClientConnectionCount`]!.Dimensions).toContainEqual({ Name: 'Client Authentication', Value: 'IAM' });
      expect(alarms[`broker-${id}/ConnectionCreationRate`]!.Statistic).toBe('Sum');
    }
    // In place: the state survives the update (no INSUFFICIENT_DATA gap for the rate alarm in ALARM).
    expect(alarms['broker-2/ConnectionCreationRate']!.StateValue).toBe('ALARM');
    // No moment without a connection alarm: every new one answered before the delete was sent.
    const calls = s.world.calls.filter((c) => c.write);
    const creates = calls.filter((c) => c.command === 'PutMetricAlarmCommand' && (c.input as PutMetricAlarmCommandInput).MetricName === 'ClientConnectionCount');
    const deletes = calls.filter((c) => c.command === 'DeleteAlarmsCommand');
    expect(creates).toHaveLength(3);
    expect(deletes.map((c) => (c.input as { AlarmNames: string[] }).AlarmNames.map((n) => n.slice(prefixOf(s.clusterArn).length)))).toEqual([
      [1, 2, 3].map((id) => `broker-${id}/ConnectionCount`),
    ]);
    expect(Math.max(...creates.map((c) => c.endedAt!))).toBeLessThanOrEqual(deletes[0]!.startedAt);
    expect(calls.indexOf(deletes[0]!)).toBe(calls.length - 1);
    // And nothing more to do.
    s.world.resetCalls();
    expect((await reconcileWith(current())).plan.actions).toEqual([]);
  });

  test('with latency and room for every call at once, the delete still waits for the new alarms (written beside the phases)', async () => {
    await seededWithOldDefinitions(20, 20);
    await reconcileWith(current());
    const calls = s.world.calls.filter((c) => c.write);
    const lastCreate = Math.max(...calls.filter((c) => c.command === 'PutMetricAlarmCommand').map((c) => c.endedAt!));
    expect(lastCreate).toBeLessThanOrEqual(calls.find((c) => c.command === 'DeleteAlarmsCommand')!.startedAt);
  });

  test('a new alarm that fails to be written keeps every old one; the next run finishes the move', async () => {
    await seededWithOldDefinitions();
    s.world.faults.add({ command: 'PutMetricAlarmCommand', afterCalls: 1 });
    await expect(reconcileWith(current())).rejects.toThrow(/not deleted: 1 alarm write\(s\) of this run failed/);
    expect(s.world.calls.filter((c) => c.command === 'DeleteAlarmsCommand')).toEqual([]);
    expect(Object.keys(ownAlarms()).filter((k) => k.endsWith('/ConnectionCount'))).toHaveLength(3);
    s.world.faults.clear();
    await reconcileWith(current());
    expect(Object.keys(ownAlarms())).toEqual(keys([1, 2, 3]));
  });
});
