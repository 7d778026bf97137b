import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import { alarmsSchema } from '../../shared/config/schema';
import { desiredAlarms } from '../../shared/alarms/desired';
import type { ObservedCluster } from '../../shared/types';

// CloudWatch alarm messages shaped like the real ones CloudWatch publishes to SNS
// (lower-case dimension keys, upper-case statistic, "Unit": null, the odd
// "- TreatMissingData: missing" value), with descriptions written by desiredAlarms.

export const CLUSTER_ARN = 'arn:aws:kafka:us-east-1:123456789012:cluster/orders/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2';
export const TOPIC_ARN = 'arn:aws:sns:us-east-1:123456789012:msk-alarms';

export const cluster: ObservedCluster = {
  arn: CLUSTER_ARN,
  name: 'orders',
  region: 'us-east-1',
  state: 'ACTIVE',
  clusterType: 'PROVISIONED',
  instanceType: 'kafka.m5.large',
  enhancedMonitoring: 'PER_BROKER',
  brokers: [
    { id: 1, clientIp: '10.0.1.10' },
    { id: 2, clientIp: '10.0.2.10' },
    { id: 3, clientIp: '10.0.3.10' },
  ],
};

export function specFor(metric: string, brokerId = 2) {
  // ConnectionCount is the opt-in connection metric (alarms.connectionMetric); ClientConnectionCount the default.
  const alarms = alarmsSchema.parse(metric === 'ConnectionCount' ? { connectionMetric: 'ConnectionCount' } : {});
  const { specs } = desiredAlarms(cluster, alarms, { snsTopicArn: TOPIC_ARN });
  const spec = specs.find((s) => s.brokerId === brokerId && s.input.MetricName === metric);
  if (!spec) throw new Error(`no spec for ${metric}`);
  return spec.input;
}

type State = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export function alarmMessage(opts: {
  metric?: string;
  newState?: State;
  oldState?: State;
  reason?: string;
  dimensionCase?: 'lower' | 'upper';
  brokerId?: number;
  overrides?: Record<string, unknown>;
} = {}): Record<string, unknown> {
  const metric = opts.metric ?? 'ClientConnectionCount';
  const input = specFor(metric, opts.brokerId ?? 2);
  const dims = (input.Dimensions ?? []).map((d) =>
    opts.dimensionCase === 'upper' ? { Name: d.Name, Value: d.Value } : { value: d.Value, name: d.Name },
  );
  return {
    AlarmName: input.AlarmName,
    AlarmDescription: input.AlarmDescription,
    AWSAccountId: '123456789012',
    AlarmConfigurationUpdatedTimestamp: '2022-11-26T09:00:00.000+0000',
    NewStateValue: opts.newState ?? 'ALARM',
    NewStateReason:
      opts.reason ??
      'Threshold Crossed: 2 out of the last 3 datapoints [2450.0 (26/11/22 10:15:00), 2420.0 (26/11/22 10:14:00)] was greater than or equal to the threshold (2400.0) (minimum 2 datapoints for OK -> ALARM transition).',
    StateChangeTime: '2022-11-26T10:16:00.123+0000',
    Region: 'US East (N. Virginia)',
    AlarmArn: `arn:aws:cloudwatch:us-east-1:123456789012:alarm:${input.AlarmName}`,
    OldStateValue: opts.oldState ?? 'OK',
    OKActions: [TOPIC_ARN],
    AlarmActions: [TOPIC_ARN],
    InsufficientDataActions: [],
    Trigger: {
      MetricName: metric,
      Namespace: 'AWS/Kafka',
      StatisticType: 'Statistic',
      Statistic: String(input.Statistic).toUpperCase(),
      Unit: null,
      Dimensions: dims,
      Period: input.Period,
      EvaluationPeriods: input.EvaluationPeriods,
      DatapointsToAlarm: input.DatapointsToAlarm,
      ComparisonOperator: input.ComparisonOperator,
      Threshold: input.Threshold,
      TreatMissingData: `- TreatMissingData: ${input.TreatMissingData}`,
      EvaluateLowSampleCountPercentile: '',
    },
    ...opts.overrides,
  };
}

export function snsRecord(message: string, messageId = 'msg-1', subject = 'ALARM: "x" in US East (N. Virginia)'): SNSEventRecord {
  return {
    EventSource: 'aws:sns',
    EventVersion: '1.0',
    EventSubscriptionArn: `${TOPIC_ARN}:11111111-2222-3333-4444-555555555555`,
    Sns: {
      Type: 'Notification',
      MessageId: messageId,
      TopicArn: TOPIC_ARN,
      Subject: subject,
      Message: message,
      Timestamp: '2022-11-26T10:16:00.200Z',
      SignatureVersion: '1',
      Signature: 'EXAMPLE',
      SigningCertUrl: 'https://sns.us-east-1.amazonaws.com/SimpleNotificationService-0000.pem',
      UnsubscribeUrl: 'https://sns.us-east-1.amazonaws.com/?Action=Unsubscribe',
      MessageAttributes: {},
    },
  };
}

export function snsEvent(...messages: (string | Record<string, unknown>)[]): SNSEvent {
  return {
    Records: messages.map((m, i) => snsRecord(typeof m === 'string' ? m : JSON.stringify(m), `msg-${i + 1}`)),
  };
}
