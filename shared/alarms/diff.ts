import type { MetricAlarm, PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';

// Compares only what we set with PutMetricAlarm, normalised the way CloudWatch reports it
// back in DescribeAlarms (absent lists are [], absent DatapointsToAlarm means
// EvaluationPeriods, absent TreatMissingData means "missing", dimensions in any order),
// so that reconciling an unchanged cluster writes nothing.

const list = (v: readonly string[] | undefined) => [...(v ?? [])].sort().join('\n');
const dims = (v: readonly { Name?: string; Value?: string }[] | undefined) =>
  (v ?? []).map((d) => `${d.Name}=${d.Value}`).sort().join('\n');
const sameNumber = (a: number | undefined, b: number | undefined) =>
  a === b || (a !== undefined && b !== undefined && Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)));

/** Names of the fields whose observed value differs from the desired one (for plan output). */
export function alarmDifferences(desired: PutMetricAlarmCommandInput, observed: MetricAlarm): string[] {
  const out: string[] = [];
  const check = (field: string, same: boolean) => {
    if (!same) out.push(field);
  };
  check('AlarmName', desired.AlarmName === observed.AlarmName);
  check('AlarmDescription', (desired.AlarmDescription ?? '') === (observed.AlarmDescription ?? ''));
  check('ActionsEnabled', (desired.ActionsEnabled ?? true) === (observed.ActionsEnabled ?? true));
  check('AlarmActions', list(desired.AlarmActions) === list(observed.AlarmActions));
  check('OKActions', list(desired.OKActions) === list(observed.OKActions));
  check('InsufficientDataActions', list(desired.InsufficientDataActions) === list(observed.InsufficientDataActions));
  check('Namespace', desired.Namespace === observed.Namespace);
  check('MetricName', desired.MetricName === observed.MetricName);
  check('Dimensions', dims(desired.Dimensions) === dims(observed.Dimensions));
  check('Statistic', desired.Statistic === observed.Statistic);
  check('ExtendedStatistic', (desired.ExtendedStatistic ?? '') === (observed.ExtendedStatistic ?? ''));
  check('Unit', desired.Unit === observed.Unit);
  check('Period', desired.Period === observed.Period);
  check('EvaluationPeriods', desired.EvaluationPeriods === observed.EvaluationPeriods);
  check(
    'DatapointsToAlarm',
    (desired.DatapointsToAlarm ?? desired.EvaluationPeriods) === (observed.DatapointsToAlarm ?? observed.EvaluationPeriods),
  );
  check('Threshold', sameNumber(desired.Threshold, observed.Threshold));
  check('ComparisonOperator', desired.ComparisonOperator === observed.ComparisonOperator);
  check('TreatMissingData', (desired.TreatMissingData ?? 'missing') === (observed.TreatMissingData ?? 'missing'));
  check(
    'EvaluateLowSampleCountPercentile',
    (desired.EvaluateLowSampleCountPercentile ?? '') === (observed.EvaluateLowSampleCountPercentile ?? ''),
  );
  // Catches an alarm someone turned into a metric-math one (we only write single-metric alarms).
  check('Metrics', JSON.stringify(desired.Metrics ?? []) === JSON.stringify(observed.Metrics ?? []));
  check('ThresholdMetricId', (desired.ThresholdMetricId ?? '') === (observed.ThresholdMetricId ?? ''));
  return out;
}

/** True when PutMetricAlarm must be called to make the observed alarm match. */
export function alarmDiffers(desired: PutMetricAlarmCommandInput, observed: MetricAlarm): boolean {
  return alarmDifferences(desired, observed).length > 0;
}
