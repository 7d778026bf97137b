import { describe, expect, test } from '@jest/globals';
import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import { alarmsSchema } from '../../shared/config/schema';
import { alarmDifferences, alarmDiffers, desiredAlarms } from '../../shared/alarms/desired';
import { cluster, TOPIC_ARN } from '../notify/fixtures';

/** What DescribeAlarms returns for an alarm just written by PutMetricAlarm(input). */
function asDescribed(input: PutMetricAlarmCommandInput): MetricAlarm {
  const { Tags: _tags, ...rest } = input; // tags are not part of DescribeAlarms
  const observed: MetricAlarm = {
    ...rest,
    AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${input.AlarmName}`,
    AlarmConfigurationUpdatedTimestamp: new Date('2022-11-26T09:00:00Z'),
    StateValue: 'INSUFFICIENT_DATA',
    StateReason: 'Unchecked: Initial alarm creation',
    StateUpdatedTimestamp: new Date('2022-11-26T09:00:00Z'),
    StateTransitionedTimestamp: new Date('2022-11-26T09:00:00Z'),
    Dimensions: [...(input.Dimensions ?? [])].reverse(),
    AlarmActions: [...(input.AlarmActions ?? [])],
    OKActions: [...(input.OKActions ?? [])],
    InsufficientDataActions: [],
  };
  // CloudWatch omits DatapointsToAlarm when it equals EvaluationPeriods.
  if (input.DatapointsToAlarm === input.EvaluationPeriods) delete observed.DatapointsToAlarm;
  return observed;
}

const specs = desiredAlarms(cluster, alarmsSchema.parse({}), { snsTopicArn: TOPIC_ARN }).specs;

describe('alarmDiffers', () => {
  test('false for every alarm as CloudWatch returns it after PutMetricAlarm', () => {
    for (const s of specs) expect(alarmDifferences(s.input, asDescribed(s.input))).toEqual([]);
  });

  test('true after a threshold change, naming the field', () => {
    const s = specs[0]!;
    const observed = { ...asDescribed(s.input), Threshold: 2000 };
    expect(alarmDiffers(s.input, observed)).toBe(true);
    expect(alarmDifferences(s.input, observed)).toEqual(['Threshold']);
  });

  test('notices actions, statistic, description and missing-data changes', () => {
    const s = specs[1]!;
    const base = asDescribed(s.input);
    expect(alarmDifferences(s.input, { ...base, AlarmActions: [] })).toEqual(['AlarmActions']);
    expect(alarmDifferences(s.input, { ...base, Statistic: 'Maximum' })).toEqual(['Statistic']);
    expect(alarmDifferences(s.input, { ...base, AlarmDescription: 'edited by hand' })).toEqual(['AlarmDescription']);
    expect(alarmDifferences(s.input, { ...base, TreatMissingData: 'breaching' })).toEqual(['TreatMissingData']);
    expect(alarmDifferences(s.input, { ...base, ActionsEnabled: false })).toEqual(['ActionsEnabled']);
    expect(alarmDifferences(s.input, { ...base, Dimensions: [{ Name: 'Cluster Name', Value: 'orders' }] })).toEqual(['Dimensions']);
  });

  test('absent TreatMissingData means "missing"', () => {
    const s = specs.find((x) => x.input.TreatMissingData === 'missing')!;
    const { TreatMissingData: _t, ...observed } = asDescribed(s.input);
    expect(alarmDiffers(s.input, observed)).toBe(false);
  });
});
