// CloudWatch: PutMetricAlarm is an upsert (a retry just writes it again); only a delete can be refused.
import { DescribeAlarmsCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';

/** ResourceNotFound on DeleteAlarms: none of the alarms is left. */
export async function alarmsGone(cloudwatch: CloudWatchClient, names: string[]): Promise<boolean> {
  const out = await cloudwatch.send(new DescribeAlarmsCommand({ AlarmNames: names, MaxRecords: 100 }));
  return !(out.MetricAlarms?.length || out.CompositeAlarms?.length);
}
