import { paginateDescribeAlarms, type CloudWatchClient, type MetricAlarm } from '@aws-sdk/client-cloudwatch';

/** The alarms under the cluster's own prefix: the only ones the tool may touch. */
export async function observeAlarms(cloudwatch: CloudWatchClient, prefix: string): Promise<MetricAlarm[]> {
  const alarms: MetricAlarm[] = [];
  for await (const page of paginateDescribeAlarms({ client: cloudwatch, pageSize: 100 }, { AlarmNamePrefix: prefix, AlarmTypes: ['MetricAlarm'] })) {
    alarms.push(...(page.MetricAlarms ?? []));
  }
  return alarms;
}
