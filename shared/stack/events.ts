import type { Config } from '../config/schema';
import { CLUSTER_SCHEDULE_SOURCE } from '../events';
import { CONTROLLER_ALARM_PREFIX } from '../notify/controller';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../report/metrics';
import { queueGroupId, shortHash } from '../naming';

// The event flow of the deployed stack, as CloudFormation resources generated from the config:
//
//   CloudTrail rule per cluster ─┐
//                                ├─> SQS FIFO queue, one message group per cluster ─> resync (batch 1)
//   schedule rule per cluster  ──┘        └─ after 3 failed receives ─> dead-letter queue (alarm)
//
// A FIFO message group is processed one message at a time, groups in parallel: one reconcile per
// cluster at a time, many clusters at once. EventBridge's SQS target takes a fixed MessageGroupId,
// so each cluster has its own two rules (2 rules per cluster against EventBridge's 300 per bus).

/** API calls that can change what the tool maps: brokers, their type (alarm quotas), configuration, auth (target port), monitoring, public access. */
export const MAPPING_EVENTS = [
  'UpdateBrokerCount',
  'UpdateBrokerType',
  'UpdateClusterConfiguration',
  'UpdateClusterKafkaVersion',
  'UpdateConnectivity',
  'UpdateMonitoring',
  'UpdateSecurity',
];

/** Longer than the resync timeout (900 s): Lambda refuses an SQS source whose visibility timeout is shorter. */
export const QUEUE_VISIBILITY_SECONDS = 960;
export const MAX_RECEIVES = 3;
/** "Not converged": no converged reconcile of a cluster in 3 consecutive periods of at least 15 minutes. */
export const NOT_CONVERGED = { periodSeconds: 900, periods: 3 };

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_SECONDS: Record<string, number> = { minute: 60, minutes: 60, hour: 3600, hours: 3600, day: 86_400, days: 86_400 };

/**
 * The not-converged alarm's period: 15 minutes, or the schedule's interval when that is longer
 * (a period without any run would read as "not converged"). CloudWatch evaluates at most one day
 * (periods x evaluation periods), so slower schedules are refused.
 */
export function notConvergedPeriod(scheduleRate: string): number {
  const match = RATE.exec(scheduleRate.trim());
  if (!match) throw new Error(`scheduleRate ${scheduleRate}: use rate(<n> minutes|hours), e.g. rate(5 minutes)`);
  const interval = Number(match[1]) * UNIT_SECONDS[match[2]!]!;
  const period = Math.max(NOT_CONVERGED.periodSeconds, Math.ceil(interval / 60) * 60);
  if (period * NOT_CONVERGED.periods > 86_400) {
    throw new Error(`scheduleRate ${scheduleRate} is too slow for the not-converged alarm (3 runs must fit in a day): use at most rate(8 hours)`);
  }
  return period;
}

/**
 * How many clusters reconcile at once: the SQS event source's MaximumConcurrency (Lambda API,
 * ScalingConfig: "Limits the number of concurrent instances that the Amazon SQS event source can
 * invoke", valid range 2 to 1000). Messages over the bound wait in the queue, unreceived, so
 * their visibility timeout does not run. Every reconcile shares the account's Route 53 and ELBv2
 * token buckets: each keeps to 1/(this + 1) of their refill rates (shared/aws/account-rate.ts; the
 * +1 is the watch), so a larger bound makes every reconcile slower, not the account busier. At 5,
 * 100 clusters with a replaced broker each converge within one 5-minute interval (npm run bench -- --fleet 100).
 */
export const DEFAULT_MAX_CONCURRENT_RECONCILES = 5;
export const MAX_CONCURRENCY_RANGE = { min: 2, max: 1000 } as const;

/** The --param maxConcurrentReconciles value, checked before anything is deployed. */
export function maxConcurrentReconciles(value: string | undefined): number {
  const text = (value ?? '').trim();
  if (!text) return DEFAULT_MAX_CONCURRENT_RECONCILES;
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < MAX_CONCURRENCY_RANGE.min || n > MAX_CONCURRENCY_RANGE.max) {
    throw new Error(
      `maxConcurrentReconciles ${text}: use a whole number from ${MAX_CONCURRENCY_RANGE.min} to ${MAX_CONCURRENCY_RANGE.max} ` +
        `(Lambda's range for an SQS event source's maximum concurrency; default ${DEFAULT_MAX_CONCURRENT_RECONCILES})`,
    );
  }
  return n;
}

/** The schedule interval in minutes. */
function intervalMinutes(scheduleRate: string): number {
  const match = RATE.exec(scheduleRate.trim());
  if (!match) throw new Error(`scheduleRate ${scheduleRate}: use rate(<n> minutes|hours), e.g. rate(5 minutes)`);
  return (Number(match[1]) * UNIT_SECONDS[match[2]!]!) / 60;
}

export interface SpreadSchedule {
  /** The rule's ScheduleExpression: a cron with this cluster's offset. */
  expression: string;
  /** Minutes after each interval's start (on the UTC hour or day) at which this cluster fires. */
  offsetMinutes: number;
  intervalMinutes: number;
}

/**
 * One cluster's schedule, offset within the interval by a hash of its ARN, so that a fleet's
 * ticks spread over the interval instead of landing on the same minute. A rate rule starts
 * counting when it is created, and a deployment creates every cluster's rule at once; a cron
 * rule fires at fixed times. EventBridge cron ("Using cron and rate expressions to schedule
 * rules"): the / wildcard specifies increments, "1/10 to specify every tenth minute, starting from
 * the first minute of the hour". An increment repeats within its field, so the interval must
 * divide an hour (minutes) or a day (hours).
 */
export function spreadSchedule(scheduleRate: string, clusterArn: string): SpreadSchedule {
  const minutes = intervalMinutes(scheduleRate);
  // 48 bits of the ARN's SHA-256: uniform enough over at most 1,440 slots.
  const offset = parseInt(shortHash(clusterArn, 12), 16) % minutes;
  if (minutes < 60 && 60 % minutes === 0) {
    return { expression: `cron(${offset}/${minutes} * * * ? *)`, offsetMinutes: offset, intervalMinutes: minutes };
  }
  const hours = minutes / 60;
  if (Number.isInteger(hours) && 24 % hours === 0) {
    return { expression: `cron(${offset % 60} ${Math.floor(offset / 60)}/${hours} * * ? *)`, offsetMinutes: offset, intervalMinutes: minutes };
  }
  throw new Error(
    `scheduleRate ${scheduleRate}: to spread clusters over the interval, use a rate that divides an hour ` +
      `(1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 minutes) or a day (1, 2, 3, 4, 6 or 8 hours)`,
  );
}

/** Rule names (64 characters at most) start with the function prefix: the queue policy admits exactly those. */
function ruleName(prefix: string, clusterArn: string, kind: 'events' | 'schedule'): string {
  const name = `${prefix}-${shortHash(clusterArn, 10)}-${kind}`;
  if (name.length > 64) throw new Error(`rule name ${name} is longer than EventBridge's 64 characters: use a shorter service or stage name`);
  return name;
}

type CfnValue = string | Record<string, unknown>;

export interface EventFlowOptions {
  /** `<service>-<stage>`: the functions are `<prefix>-resync` and `<prefix>-notify`. */
  functionPrefix: string;
  scheduleRate: string;
  /** Where the stack's own alarms go (the stack's topic, or --param alarmTopicArn). */
  alarmTopic: CfnValue;
}

const queueArn = { 'Fn::GetAtt': ['ResyncQueue', 'Arn'] };

/** The CloudTrail pattern for one cluster: mapping-relevant calls that succeeded (no errorCode). */
export function cloudTrailPattern(clusterArn: string) {
  return {
    source: ['aws.kafka'],
    'detail-type': ['AWS API Call via CloudTrail'],
    detail: {
      eventSource: ['kafka.amazonaws.com'],
      eventName: MAPPING_EVENTS,
      // A rejected call changed nothing.
      errorCode: [{ exists: false }],
      // CloudTrail records the path parameter URL-encoded.
      requestParameters: { clusterArn: [clusterArn, encodeURIComponent(clusterArn)] },
    },
  };
}

/** At least one datapoint >= 1 in 5 minutes, unless `overrides` say otherwise. */
function alarm(description: string, metric: Record<string, unknown>, topic: CfnValue, overrides: Record<string, unknown> = {}) {
  return {
    Type: 'AWS::CloudWatch::Alarm',
    Properties: {
      AlarmDescription: description,
      ...metric,
      Period: 300,
      EvaluationPeriods: 1,
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topic],
      OKActions: [topic],
      ...overrides,
    },
  };
}

export function eventFlowResources(config: Config, options: EventFlowOptions): Record<string, unknown> {
  const resources: Record<string, unknown> = {
    ResyncDeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: { QueueName: `${options.functionPrefix}-resync-dlq.fifo`, FifoQueue: true, MessageRetentionPeriod: 1_209_600 },
    },
    ResyncQueue: {
      Type: 'AWS::SQS::Queue',
      Properties: {
        QueueName: `${options.functionPrefix}-resync.fifo`,
        FifoQueue: true,
        // Every message differs (CloudTrail event id, schedule time): the body is the deduplication id.
        ContentBasedDeduplication: true,
        VisibilityTimeout: QUEUE_VISIBILITY_SECONDS,
        // The schedule enqueues again anyway: an old trigger is worth nothing after a day.
        MessageRetentionPeriod: 86_400,
        RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': ['ResyncDeadLetterQueue', 'Arn'] }, maxReceiveCount: MAX_RECEIVES },
      },
    },
  };
  // One lease per cluster, shared by the function and the CLI (config `lease`; shared/lease).
  resources.LeaseTable = {
    Type: 'AWS::DynamoDB::Table',
    Properties: {
      TableName: `${options.functionPrefix}-leases`,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'clusterArn', AttributeType: 'S' }],
      KeySchema: [{ AttributeName: 'clusterArn', KeyType: 'HASH' }],
      // Sweeps leases whose holder died; expiry itself is decided by each item's expiresAt.
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    },
  };
  const period = notConvergedPeriod(options.scheduleRate);
  // Rules send only once the queue admits them.
  const afterPolicy = { DependsOn: ['ResyncQueuePolicy'] };
  for (const cluster of config.clusters) {
    const target = { Id: 'resync-queue', Arn: queueArn, SqsParameters: { MessageGroupId: queueGroupId(cluster.clusterArn) } };
    // Logical ids from the cluster ARN, not its position: removing a cluster leaves the others' rules and alarms alone.
    const id = shortHash(cluster.clusterArn, 10);
    const events = `ResyncClusterEvents${id}`;
    const schedule = `ResyncClusterSchedule${id}`;
    resources[events] = {
      Type: 'AWS::Events::Rule',
      ...afterPolicy,
      Properties: {
        Name: ruleName(options.functionPrefix, cluster.clusterArn, 'events'),
        Description: `MSK changes requested on ${cluster.clusterArn}`.slice(0, 512),
        State: 'ENABLED',
        EventPattern: cloudTrailPattern(cluster.clusterArn),
        Targets: [target],
      },
    };
    // Conflicted, waiting, held back or failing for 45 minutes; silence counts too (the schedule runs every few minutes).
    resources[`ResyncClusterNotConverged${id}`] = alarm(
      `${CONTROLLER_ALARM_PREFIX}${cluster.clusterArn} has not converged for ${(period * NOT_CONVERGED.periods) / 60} minutes (conflicts, a held-back change, or failures: see the resync logs for this cluster)`.slice(0, 1024),
      {
        Namespace: METRICS_NAMESPACE,
        MetricName: 'Converged',
        Statistic: 'Maximum',
        Dimensions: [{ Name: 'service', Value: METRICS_SERVICE }, { Name: 'ClusterArn', Value: cluster.clusterArn }],
      },
      options.alarmTopic,
      { Period: period, EvaluationPeriods: NOT_CONVERGED.periods, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' },
    );
    resources[schedule] = {
      Type: 'AWS::Events::Rule',
      ...afterPolicy,
      Properties: {
        Name: ruleName(options.functionPrefix, cluster.clusterArn, 'schedule'),
        // Broker replacement (healing) makes no API call: the schedule catches it, and any drift.
        Description: `Scheduled resync of ${cluster.clusterArn}`.slice(0, 512),
        State: 'ENABLED',
        // The cluster's own minute within the interval (spreadSchedule).
        ScheduleExpression: spreadSchedule(options.scheduleRate, cluster.clusterArn).expression,
        Targets: [
          {
            ...target,
            InputTransformer: {
              InputPathsMap: { time: '$.time' },
              InputTemplate: JSON.stringify({ source: CLUSTER_SCHEDULE_SOURCE, clusterArn: cluster.clusterArn, time: '<time>' }),
            },
          },
        ],
      },
    };
  }
  resources.ResyncQueuePolicy = {
    Type: 'AWS::SQS::QueuePolicy',
    Properties: {
      Queues: [{ Ref: 'ResyncQueue' }],
      PolicyDocument: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'StackRulesOnly',
            Effect: 'Allow',
            Principal: { Service: 'events.amazonaws.com' },
            Action: 'sqs:SendMessage',
            Resource: queueArn,
            // One pattern, not one ARN per rule: SQS policies may hold 8,192 bytes, 2 rules x 50 clusters do not fit.
            Condition: { ArnLike: { 'aws:SourceArn': { 'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/${options.functionPrefix}-*` } } },
          },
        ],
      },
    },
  };
  // The controller tells you when it is not working.
  const lambdaErrors = (fn: string) => ({ Namespace: 'AWS/Lambda', MetricName: 'Errors', Statistic: 'Sum', Dimensions: [{ Name: 'FunctionName', Value: `${options.functionPrefix}-${fn}` }] });
  resources.ResyncErrorsAlarm = alarm(`${CONTROLLER_ALARM_PREFIX}the resync function failed (a reconcile error, or a trigger it could not read)`, lambdaErrors('resync'), options.alarmTopic);
  resources.NotifyErrorsAlarm = alarm(`${CONTROLLER_ALARM_PREFIX}the notify function failed (webhook down, or its parameter unreadable)`, lambdaErrors('notify'), options.alarmTopic);
  resources.ResyncDeadLetterAlarm = alarm(
    `${CONTROLLER_ALARM_PREFIX}a trigger failed ${MAX_RECEIVES} times and sits in the dead-letter queue`,
    { Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Statistic: 'Maximum', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ResyncDeadLetterQueue', 'QueueName'] } }] },
    options.alarmTopic,
  );
  return resources;
}
