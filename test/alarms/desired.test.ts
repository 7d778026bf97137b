import { describe, expect, test } from '@jest/globals';
import { alarmsSchema, type AlarmsConfig } from '../../shared/config/schema';
import { alarmPrefix, desiredAlarms, threshold } from '../../shared/alarms/desired';
import { parseDescriptionTag, stripDescriptionTag } from '../../shared/alarms/description';
import type { ObservedCluster } from '../../shared/types';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/payments/11111111-2222-3333-4444-555555555555-3';
const TOPIC = 'arn:aws:sns:eu-west-1:123456789012:msk-alarms';

function cluster(over: Partial<ObservedCluster> = {}): ObservedCluster {
  return {
    arn: ARN,
    name: 'payments',
    region: 'eu-west-1',
    state: 'ACTIVE',
    clusterType: 'PROVISIONED',
    instanceType: 'kafka.m5.large',
    enhancedMonitoring: 'PER_BROKER',
    brokers: [
      { id: 3, clientIp: '10.0.3.10' },
      { id: 1, clientIp: '10.0.1.10' },
      { id: 2, clientIp: '10.0.2.10' },
      { id: 4 }, // announced by a pending UpdateBrokerCount, not created yet
    ],
    ...over,
  };
}
const config = (over: Partial<AlarmsConfig> = {}): AlarmsConfig => ({ ...alarmsSchema.parse({}), ...over });

describe('desiredAlarms', () => {
  test('three alarms per existing broker, at 80 % of the quotas', () => {
    const { specs, warnings } = desiredAlarms(cluster(), config(), { snsTopicArn: TOPIC });
    expect(specs.map((s) => `${s.brokerId}:${s.kind}`)).toEqual([
      '1:connection-count', '1:connection-creation-rate', '1:too-many-connects',
      '2:connection-count', '2:connection-creation-rate', '2:too-many-connects',
      '3:connection-count', '3:connection-creation-rate', '3:too-many-connects',
    ]);
    const count = specs.find((s) => s.brokerId === 2 && s.kind === 'connection-count')!.input;
    expect(count).toMatchObject({
      AlarmName: `${alarmPrefix('payments', ARN)}broker-2/ClientConnectionCount`,
      Namespace: 'AWS/Kafka',
      // What the IAM quota counts: authenticated client connections of the IAM authentication.
      MetricName: 'ClientConnectionCount',
      Dimensions: [{ Name: 'Cluster Name', Value: 'payments' }, { Name: 'Broker ID', Value: '2' }, { Name: 'Client Authentication', Value: 'IAM' }],
      Statistic: 'Maximum',
      Period: 60,
      EvaluationPeriods: 3,
      DatapointsToAlarm: 2,
      Threshold: 2400,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'missing',
      AlarmActions: [TOPIC],
      OKActions: [TOPIC],
      InsufficientDataActions: [],
    });
    const rate = specs.find((s) => s.brokerId === 2 && s.kind === 'connection-creation-rate')!;
    // A broker's data points (one per client listener and network processor) added up, over one publication (60 s).
    expect(rate.input).toMatchObject({ MetricName: 'ConnectionCreationRate', Statistic: 'Sum', Period: 60, Threshold: 80, EvaluationPeriods: 5, DatapointsToAlarm: 3 });
    expect(rate.input.Dimensions).toEqual([{ Name: 'Cluster Name', Value: 'payments' }, { Name: 'Broker ID', Value: '2' }]);
    expect(rate.summary).toBe('ConnectionCreationRate (Sum) >= 80/s: 80% of quota 100/s (table, kafka.m5.large)');
    const refused = specs.find((s) => s.brokerId === 2 && s.kind === 'too-many-connects')!.input;
    expect(refused).toMatchObject({ MetricName: 'IAMTooManyConnections', Statistic: 'Sum', Threshold: 0, ComparisonOperator: 'GreaterThanThreshold', TreatMissingData: 'notBreaching' });
    // Broker 4 has no IP yet: no alarms, but the plan says why.
    expect(specs.some((s) => s.brokerId === 4)).toBe(false);
    expect(warnings).toEqual(['cluster payments: broker 4 not created yet (no client IP): alarms follow once it exists']);
  });

  test('connectionMetric ConnectionCount (opt-in) watches every connection, under its own name; clientAuthentication names the dimension value', () => {
    const all = desiredAlarms(cluster(), config({ connectionMetric: 'ConnectionCount' })).specs.find((s) => s.brokerId === 1 && s.kind === 'connection-count')!;
    expect(all.input).toMatchObject({
      AlarmName: `${alarmPrefix('payments', ARN)}broker-1/ConnectionCount`,
      MetricName: 'ConnectionCount',
      Dimensions: [{ Name: 'Cluster Name', Value: 'payments' }, { Name: 'Broker ID', Value: '1' }],
      Statistic: 'Maximum',
      Threshold: 2400,
    });
    expect(all.input.AlarmDescription).toContain('ConnectionCount (all connections (clients of every authentication, unauthenticated and inter-broker)) at or above 2400');
    expect(all.summary).toBe('ConnectionCount (all connections) >= 2400: 80% of quota 3000 connections');
    const other = desiredAlarms(cluster(), config({ clientAuthentication: 'SASL/IAM' })).specs.find((s) => s.brokerId === 1 && s.kind === 'connection-count')!;
    expect(other.input.Dimensions).toContainEqual({ Name: 'Client Authentication', Value: 'SASL/IAM' });
    expect(other.summary).toBe('ClientConnectionCount [SASL/IAM] >= 2400: 80% of quota 3000 connections');
  });

  test('every name is under the cluster prefix and within 255 characters', () => {
    const longName = 'a'.repeat(64);
    const { specs } = desiredAlarms(cluster({ name: longName }), config());
    const prefix = alarmPrefix(longName, ARN);
    for (const s of specs) {
      expect(s.input.AlarmName!.startsWith(prefix)).toBe(true);
      expect(s.input.AlarmName!.length).toBeLessThanOrEqual(255);
      expect(s.input.AlarmDescription!.length).toBeLessThanOrEqual(1024);
    }
  });

  test('the prefix is stable, per ARN, and never a prefix of another cluster\'s', () => {
    expect(alarmPrefix('payments', ARN)).toMatch(/^msk-custom-domain\/payments\/[0-9a-f]{8}\/$/);
    expect(alarmPrefix('payments', ARN)).toBe(alarmPrefix('payments', ARN));
    expect(alarmPrefix('payments', ARN)).not.toBe(alarmPrefix('payments', ARN.replace('-3', '-4')));
    expect(alarmPrefix('ab', ARN).startsWith(alarmPrefix('a', ARN))).toBe(false);
  });

  test('description: one sentence plus the tail the notifier reads back', () => {
    const { specs } = desiredAlarms(cluster(), config());
    const d = specs[0]!.input.AlarmDescription!;
    expect(stripDescriptionTag(d)).toBe(
      'MSK cluster payments, broker 1: ClientConnectionCount (client connections authenticated with IAM) at or above 2400, 80% of the IAM quota of 3000 connections per broker.',
    );
    expect(d).toContain(` [msk-custom-domain kind=connection-count quota=3000 percent=80 broker=1 cluster=${ARN}]`);
    expect(parseDescriptionTag(d)).toEqual({ kind: 'connection-count', quota: 3000, percent: 80, brokerId: 1, clusterArn: ARN });
    expect(parseDescriptionTag(specs[1]!.input.AlarmDescription)).toMatchObject({ kind: 'connection-creation-rate', quota: 100, quotaSource: 'table' });
  });

  test('percent, connection quota and rate overrides flow into the thresholds', () => {
    const { specs } = desiredAlarms(
      cluster(),
      config({ thresholdPercent: 90, connectionQuota: 4000, connectionCreationRateQuotas: { 'kafka.m5.large': 250 } }),
    );
    expect(specs.find((s) => s.kind === 'connection-count')!.input.Threshold).toBe(3600);
    const rate = specs.find((s) => s.kind === 'connection-creation-rate')!;
    expect(rate.input.Threshold).toBe(225);
    expect(rate.summary).toContain('250/s (override, kafka.m5.large)');
    expect(parseDescriptionTag(rate.input.AlarmDescription)).toMatchObject({ quota: 250, percent: 90, quotaSource: 'override' });
  });

  test('small brokers get fractional thresholds without float noise', () => {
    const { specs } = desiredAlarms(cluster({ instanceType: 'kafka.t3.small' }), config());
    expect(specs.find((s) => s.kind === 'connection-creation-rate')!.input.Threshold).toBe(3.2);
    expect(threshold(3000, 80)).toBe(2400);
    expect(threshold(7, 33.3)).toBe(2.331);
  });

  test('below PER_BROKER: warns clearly and keeps the alarms unless told to skip them', () => {
    const warned = desiredAlarms(cluster({ enhancedMonitoring: 'DEFAULT' }), config());
    expect(warned.specs.filter((s) => s.kind === 'connection-creation-rate')).toHaveLength(3);
    expect(warned.warnings).toContain(
      'cluster payments: enhanced monitoring is DEFAULT, but ConnectionCreationRate and IAMTooManyConnections are only published ' +
        'at PER_BROKER or higher: the ConnectionCreationRate alarm would stay INSUFFICIENT_DATA and the IAMTooManyConnections ' +
        'alarm could never fire; set enhanced monitoring to PER_BROKER or set alarms.skipCreationRateWithoutPerBrokerMonitoring',
    );

    const skipped = desiredAlarms(cluster({ enhancedMonitoring: undefined }), config({ skipCreationRateWithoutPerBrokerMonitoring: true }));
    expect(skipped.specs.map((s) => s.kind)).toEqual(['connection-count', 'connection-count', 'connection-count']);
    expect(skipped.warnings.join('\n')).toContain('skipping the ConnectionCreationRate and IAMTooManyConnections alarms');

    for (const level of ['PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION']) {
      const ok = desiredAlarms(cluster({ enhancedMonitoring: level }), config({ skipCreationRateWithoutPerBrokerMonitoring: true }));
      expect(ok.specs).toHaveLength(9);
      expect(ok.warnings.join('\n')).not.toContain('enhanced monitoring');
    }
  });

  test('tooManyConnectsAlarm off, alarms disabled, no topic', () => {
    expect(desiredAlarms(cluster(), config({ tooManyConnectsAlarm: false })).specs.map((s) => s.kind)).not.toContain('too-many-connects');
    expect(desiredAlarms(cluster(), config({ enabled: false }))).toEqual({ specs: [], warnings: [] });
    const noTopic = desiredAlarms(cluster(), config()).specs[0]!.input;
    expect(noTopic.AlarmActions).toEqual([]);
    expect(noTopic.OKActions).toEqual([]);
    const configTopic = 'arn:aws:sns:eu-west-1:123456789012:team-topic';
    expect(desiredAlarms(cluster(), config({ snsTopicArn: configTopic })).specs[0]!.input.OKActions).toEqual([configTopic]);
    expect(desiredAlarms(cluster(), config({ snsTopicArn: configTopic }), { snsTopicArn: TOPIC }).specs[0]!.input.AlarmActions).toEqual([TOPIC]);
  });

  test('an instance type without a known quota uses the fallback and asks for an override', () => {
    const { specs, warnings } = desiredAlarms(cluster({ instanceType: 'kafka.m9.huge' }), config());
    expect(specs.find((s) => s.kind === 'connection-creation-rate')!.input.Threshold).toBe(16);
    expect(warnings).toContain(
      'cluster payments: no known new-connection quota for instance type kafka.m9.huge; using 20/s (fallback, unknown type kafka.m9.huge); ' +
        'set alarms.connectionCreationRateQuotas["kafka.m9.huge"] to the real quota',
    );
  });

  test('serverless clusters get no per-broker alarms', () => {
    const r = desiredAlarms(cluster({ clusterType: 'SERVERLESS', brokers: [] }), config());
    expect(r.specs).toEqual([]);
    expect(r.warnings[0]).toMatch(/serverless/);
  });
});
