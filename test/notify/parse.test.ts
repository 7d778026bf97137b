import { describe, expect, test } from '@jest/globals';
import { parseAlarmMessage } from '../../shared/notify/parse';
import { reasonDatapoints, reasonValue } from '../../shared/notify/reason';
import { alarmMessage, CLUSTER_ARN } from './fixtures';

const parse = (m: unknown) => parseAlarmMessage(typeof m === 'string' ? m : JSON.stringify(m));

describe('parseAlarmMessage', () => {
  test('a real-shaped ALARM message', () => {
    const r = parse(alarmMessage());
    if (!r.ok) throw new Error(r.reason);
    expect(r.alarm).toMatchObject({
      name: expect.stringMatching(/^msk-custom-domain\/orders\/[0-9a-f]{8}\/broker-2\/ClientConnectionCount$/),
      newState: 'ALARM',
      oldState: 'OK',
      accountId: '123456789012',
      region: 'US East (N. Virginia)',
      stateChangeTime: '2022-11-26T10:16:00.123Z',
      tag: { kind: 'connection-count', quota: 3000, percent: 80, brokerId: 2, clusterArn: CLUSTER_ARN },
      trigger: {
        metricName: 'ClientConnectionCount',
        namespace: 'AWS/Kafka',
        statistic: 'MAXIMUM',
        dimensions: { 'Cluster Name': 'orders', 'Broker ID': '2' },
        period: 60,
        evaluationPeriods: 3,
        datapointsToAlarm: 2,
        comparisonOperator: 'GreaterThanOrEqualToThreshold',
        threshold: 2400,
      },
    });
    expect(r.alarm.trigger).not.toHaveProperty('unit'); // "Unit": null
  });

  test('dimensions in the API casing give the same result', () => {
    const lower = parse(alarmMessage());
    const upper = parse(alarmMessage({ dimensionCase: 'upper' }));
    expect(upper).toEqual(lower);
  });

  test('OK and INSUFFICIENT_DATA transitions', () => {
    const ok = parse(alarmMessage({ newState: 'OK', oldState: 'ALARM' }));
    expect(ok.ok && [ok.alarm.newState, ok.alarm.oldState]).toEqual(['OK', 'ALARM']);
    const none = parse(alarmMessage({ newState: 'INSUFFICIENT_DATA', oldState: 'OK', reason: 'Insufficient Data: 3 datapoints were unknown.' }));
    expect(none.ok && none.alarm.newState).toBe('INSUFFICIENT_DATA');
  });

  test('an alarm someone else made (null description, other namespace) still parses', () => {
    const r = parse({
      AlarmName: 'alarm-test', AlarmDescription: null, AWSAccountId: '663000815183', NewStateValue: 'OK', OldStateValue: 'INSUFFICIENT_DATA',
      NewStateReason: 'Threshold Crossed: 1 datapoint (1.0) was not greater than or equal to the threshold (2.0).',
      StateChangeTime: '2012-03-23T00:01:43.726+0000', Region: 'US - N. Virginia',
      Trigger: { MetricName: 'ApproximateNumberOfMessagesVisible', Namespace: 'AWS/SQS', Statistic: 'AVERAGE', Unit: null,
        Dimensions: [{ name: 'QueueName', value: 'fault-handling-test' }], Period: 60, EvaluationPeriods: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold', Threshold: 2.0 },
    });
    if (!r.ok) throw new Error(r.reason);
    expect(r.alarm.description).toBeUndefined();
    expect(r.alarm.tag).toBeUndefined();
    expect(r.alarm.trigger.dimensions).toEqual({ QueueName: 'fault-handling-test' });
  });

  test('reasons say what was wrong', () => {
    expect(parse('Threshold crossed!')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parse('')).toEqual({ ok: false, reason: 'not JSON' });
    expect(parse('[1,2]')).toEqual({ ok: false, reason: 'not a CloudWatch alarm: not a JSON object' });
    // A non-alarm SNS message (an S3 test event) on the same topic.
    expect(parse({ Service: 'Amazon S3', Event: 's3:TestEvent', Bucket: 'b' })).toEqual({ ok: false, reason: 'not a CloudWatch alarm: missing AlarmName' });
    // A metric-math alarm: its Trigger has Metrics instead of MetricName.
    const math = alarmMessage();
    math.Trigger = { Metrics: [{ Id: 'm1', Expression: 'SUM(METRICS())' }], Threshold: 1, ComparisonOperator: 'GreaterThanThreshold' };
    expect(parse(math)).toEqual({ ok: false, reason: 'not a CloudWatch alarm: missing Trigger.MetricName' });
    const composite = alarmMessage();
    delete composite.Trigger;
    expect(parse(composite)).toEqual({ ok: false, reason: 'not a CloudWatch alarm: missing Trigger' });
    expect(parse(alarmMessage({ newState: 'BROKEN' as never }))).toMatchObject({ ok: false, reason: expect.stringMatching(/^not a CloudWatch alarm: NewStateValue: /) });
    const badDim = alarmMessage();
    (badDim.Trigger as Record<string, unknown>).Dimensions = [{ key: 'Cluster Name' }];
    expect(parse(badDim)).toEqual({ ok: false, reason: 'not a CloudWatch alarm: Trigger.Dimensions.0: expected { name, value } or { Name, Value }' });
    const badThreshold = alarmMessage();
    (badThreshold.Trigger as Record<string, unknown>).Threshold = '2400';
    expect(parse(badThreshold)).toEqual({ ok: false, reason: 'not a CloudWatch alarm: Trigger.Threshold: expected number, received string' });
  });
});

describe('reasonDatapoints', () => {
  test('current format, most recent first', () => {
    expect(reasonDatapoints('Threshold Crossed: 1 out of the last 1 datapoints [2450.0 (22/11/26 10:15:00)] was greater than or equal to the threshold (2400.0) (minimum 1 datapoint for OK -> ALARM transition).')).toEqual([2450]);
    expect(reasonDatapoints('Threshold Crossed: 2 out of the last 3 datapoints [83.5 (26/11/22 10:15:00), 1.2E2 (26/11/22 10:14:00)] was greater than or equal to the threshold (80.0)')).toEqual([83.5, 120]);
  });
  test('older format, and none', () => {
    expect(reasonValue('Threshold Crossed: 1 datapoint (10.0) was greater than or equal to the threshold (1.0).')).toBe(10);
    expect(reasonValue('Insufficient Data: 3 datapoints were unknown.')).toBeUndefined();
  });
});
