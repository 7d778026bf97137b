import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { parseTrigger } from '../../shared/events';
import { queueGroupId, shortHash } from '../../shared/naming';
import { maxConcurrentReconciles, notConvergedPeriod, spreadSchedule } from '../../shared/stack/events';
import { clusterEntry, packageStack, type CfnTemplate, type Packaged } from './package-stack';

// The event flow, read from the packaged CloudFormation template:
// per-cluster CloudTrail and schedule rules -> SQS FIFO (group = cluster ARN) -> resync; DLQ; alarms.

const orders = clusterEntry(1);
const payments = clusterEntry(2);
let packaged: Packaged;
let template: CfnTemplate;
beforeAll(() => {
  packaged = packageStack({ clusters: [orders, payments] }, { scheduleRate: 'rate(10 minutes)' });
  if (packaged.status !== 0) throw new Error(`packaging failed:\n${packaged.output}`);
  template = packaged.template();
}, 240_000);
afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

const ofType = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type);
/** The per-cluster rules (CloudTrail, schedule), which put messages in the queue; the watch rule invokes the function. */
const clusterRules = () => ofType('AWS::Events::Rule').filter(([, r]) => r.Properties.Targets[0].SqsParameters);
const queue = { 'Fn::GetAtt': ['ResyncQueue', 'Arn'] };
const topic = { 'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, ''] };

describe('rules', () => {
  test('each cluster has a CloudTrail rule and a schedule rule, both putting messages in its group of the queue', () => {
    const rules = clusterRules().map(([, r]) => r.Properties);
    expect(rules).toHaveLength(4);
    for (const cluster of [orders, payments]) {
      const mine = rules.filter((r) => r.Targets[0].SqsParameters.MessageGroupId === queueGroupId(cluster.clusterArn));
      expect(mine.map((r) => (r.ScheduleExpression ? 'schedule' : 'events')).sort()).toEqual(['events', 'schedule']);
      for (const rule of mine) expect(rule.Targets).toEqual([expect.objectContaining({ Arn: queue })]);
    }
  });

  test('the CloudTrail pattern: successful MSK calls that can change the mapping, on that cluster only', () => {
    const [, rule] = clusterRules().find(([, r]) => r.Properties.Targets[0].SqsParameters.MessageGroupId === queueGroupId(payments.clusterArn) && r.Properties.EventPattern)!;
    const pattern = rule.Properties.EventPattern;
    expect(pattern.source).toEqual(['aws.kafka']);
    expect(pattern['detail-type']).toEqual(['AWS API Call via CloudTrail']);
    expect(pattern.detail.eventSource).toEqual(['kafka.amazonaws.com']);
    // A rejected call (errorCode present) changed nothing.
    expect(pattern.detail.errorCode).toEqual([{ exists: false }]);
    expect(pattern.detail.eventName).toEqual(expect.arrayContaining(['UpdateBrokerCount', 'UpdateBrokerType', 'UpdateClusterConfiguration', 'UpdateSecurity']));
    // Calls that cannot change listeners, targets, names or alarms do not start a reconcile.
    for (const name of ['CreateClusterV2', 'UpdateBrokerStorage', 'RebootBroker', 'TagResource']) expect(pattern.detail.eventName).not.toContain(name);
    expect(pattern.detail.requestParameters.clusterArn).toEqual([payments.clusterArn, encodeURIComponent(payments.clusterArn)]);
  });

  test('the schedule message resync receives names its cluster', () => {
    const [, rule] = clusterRules().find(([, r]) => r.Properties.Targets[0].SqsParameters.MessageGroupId === queueGroupId(orders.clusterArn) && r.Properties.ScheduleExpression)!;
    // rate(10 minutes), at this cluster's own minute of each ten (spreadSchedule).
    expect(rule.Properties.ScheduleExpression).toBe(`cron(${spreadSchedule('rate(10 minutes)', orders.clusterArn).offsetMinutes}/10 * * * ? *)`);
    const { InputPathsMap, InputTemplate } = rule.Properties.Targets[0].InputTransformer;
    expect(InputPathsMap).toEqual({ time: '$.time' });
    // What EventBridge writes into the queue once it has filled in <time>:
    const body = JSON.parse(InputTemplate.replace('<time>', '2026-12-01T10:00:00Z'));
    expect(parseTrigger(body)).toEqual({ reason: 'schedule', clusterArn: orders.clusterArn, dryRun: false });
  });
});

describe('queue', () => {
  test('FIFO, deduplicated by content, hidden longer than a reconcile may run, dead-lettered after 3 receives', () => {
    const q = template.Resources.ResyncQueue!.Properties;
    const timeout = template.Resources.ResyncLambdaFunction!.Properties.Timeout;
    expect(q).toMatchObject({ FifoQueue: true, ContentBasedDeduplication: true });
    expect(q.VisibilityTimeout).toBeGreaterThan(timeout);
    expect(q.RedrivePolicy).toEqual({ deadLetterTargetArn: { 'Fn::GetAtt': ['ResyncDeadLetterQueue', 'Arn'] }, maxReceiveCount: 3 });
    expect(template.Resources.ResyncDeadLetterQueue!.Properties).toMatchObject({ FifoQueue: true });
  });

  test('only the stack rules may send to it', () => {
    const [statement] = template.Resources.ResyncQueuePolicy!.Properties.PolicyDocument.Statement;
    expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sqs:SendMessage', Resource: queue });
    // The stack's rules are named <service>-<stage>-…; the policy admits that prefix (one condition, any number of clusters).
    expect(statement.Condition.ArnLike['aws:SourceArn']).toEqual({ 'Fn::Sub': 'arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/msk-custom-domain-sync-dev-*' });
    for (const [, rule] of clusterRules()) {
      expect(rule.Properties.Name).toMatch(/^msk-custom-domain-sync-dev-[0-9a-f]{10}-(events|schedule)$/);
      expect(rule.DependsOn).toEqual(['ResyncQueuePolicy']);
    }
    expect(JSON.stringify(template.Resources.ResyncQueuePolicy!.Properties.PolicyDocument).length).toBeLessThan(8192);
  });

  test('message groups fit EventBridge and SQS (100 characters), for the longest cluster name MSK allows', () => {
    const longest = `arn:aws:kafka:ap-southeast-2:123456789012:cluster/${'n'.repeat(64)}/0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0-12`;
    expect(longest.length).toBeGreaterThan(100);
    expect(queueGroupId(longest).length).toBeLessThanOrEqual(100);
    expect(queueGroupId(orders.clusterArn)).not.toBe(queueGroupId(payments.clusterArn));
  });

  test('resync is fed by the queue, one message at a time, at most 5 clusters at once by default, with no reserved concurrency; only the watch invokes it directly', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    expect(mappings).toEqual([
      expect.objectContaining({ EventSourceArn: queue, BatchSize: 1, FunctionName: { 'Fn::GetAtt': ['ResyncLambdaFunction', 'Arn'] }, ScalingConfig: { MaximumConcurrency: 5 } }),
    ]);
    expect(template.Resources.ResyncLambdaFunction!.Properties.ReservedConcurrentExecutions).toBeUndefined();
    expect(template.Resources.ResyncLambdaFunction!.Properties.Environment.Variables.MAX_CONCURRENT_RECONCILES).toBe('5');
    // The watch: every minute, {"watch": true}, which parseTrigger does not take for a reconcile of its own.
    const direct = ofType('AWS::Events::Rule').filter(([, r]) => !r.Properties.Targets[0].SqsParameters).map(([, r]) => r.Properties);
    expect(direct).toEqual([expect.objectContaining({ ScheduleExpression: 'rate(1 minute)', Targets: [expect.objectContaining({ Arn: { 'Fn::GetAtt': ['ResyncLambdaFunction', 'Arn'] }, Input: '{"watch":true}' })] })]);
    const invokers = ofType('AWS::Lambda::Permission').filter(([, r]) => JSON.stringify(r.Properties.FunctionName).includes('Resync'));
    expect(invokers.map(([, r]) => r.Properties.Principal)).toEqual(['events.amazonaws.com']);
  });
});

describe('alarms on the controller itself', () => {
  test('errors of either function and anything in the dead-letter queue notify the stack topic', () => {
    const alarms = Object.fromEntries(ofType('AWS::CloudWatch::Alarm').map(([id, r]) => [id, r.Properties]));
    const notConverged = (arn: string) => `ResyncClusterNotConverged${shortHash(arn, 10)}`;
    expect(Object.keys(alarms).sort()).toEqual(['NotifyErrorsAlarm', notConverged(orders.clusterArn), notConverged(payments.clusterArn), 'ResyncDeadLetterAlarm', 'ResyncErrorsAlarm'].sort());
    expect(alarms.ResyncErrorsAlarm).toMatchObject({
      Namespace: 'AWS/Lambda', MetricName: 'Errors', Dimensions: [{ Name: 'FunctionName', Value: 'msk-custom-domain-sync-dev-resync' }],
      Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold', AlarmActions: [topic], OKActions: [topic],
    });
    expect(alarms.NotifyErrorsAlarm.Dimensions).toEqual([{ Name: 'FunctionName', Value: 'msk-custom-domain-sync-dev-notify' }]);
    expect(alarms.ResyncDeadLetterAlarm).toMatchObject({
      Namespace: 'AWS/SQS', MetricName: 'ApproximateNumberOfMessagesVisible', Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': ['ResyncDeadLetterQueue', 'QueueName'] } }],
      AlarmActions: [topic],
    });
    // Per cluster: the Converged metric resync emits (EMF, dimensions service + ClusterArn) stayed below 1.
    expect(alarms[notConverged(payments.clusterArn)]).toMatchObject({
      Namespace: 'MskCustomDomainSync', MetricName: 'Converged', Statistic: 'Maximum',
      Dimensions: [{ Name: 'service', Value: 'msk-custom-domain-sync' }, { Name: 'ClusterArn', Value: payments.clusterArn }],
      Threshold: 1, ComparisonOperator: 'LessThanThreshold', Period: 900, EvaluationPeriods: 3, TreatMissingData: 'breaching', AlarmActions: [topic],
    });
    // The function names the alarms watch are the functions the stack defines.
    expect(template.Resources.ResyncLambdaFunction!.Properties.FunctionName).toBe('msk-custom-domain-sync-dev-resync');
    expect(template.Resources.NotifyLambdaFunction!.Properties.FunctionName).toBe('msk-custom-domain-sync-dev-notify');
  });
});

describe('the not-converged window follows the schedule', () => {
  test('15-minute periods, or the schedule interval when longer; schedules too slow for a day of 3 periods are refused', () => {
    expect(notConvergedPeriod('rate(5 minutes)')).toBe(900);
    expect(notConvergedPeriod('rate(30 minutes)')).toBe(1800);
    expect(notConvergedPeriod('rate(2 hours)')).toBe(7200);
    expect(() => notConvergedPeriod('rate(1 day)')).toThrow(/too slow for the not-converged alarm/);
    expect(() => notConvergedPeriod('cron(0 * * * ? *)')).toThrow(/use rate\(<n> minutes\|hours\)/);
  });
});

describe('the cluster lease', () => {
  test('a DynamoDB table keyed by cluster ARN, named in the resync environment and the outputs, and only resync may use it', () => {
    const table = template.Resources.LeaseTable!;
    expect(table.Type).toBe('AWS::DynamoDB::Table');
    expect(table.Properties).toMatchObject({
      KeySchema: [{ AttributeName: 'clusterArn', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
    });
    expect(template.Resources.ResyncLambdaFunction!.Properties.Environment.Variables.LEASE_TABLE).toEqual({ Ref: 'LeaseTable' });
    expect((template.Outputs as Record<string, { Value: unknown }>).LeaseTableName!.Value).toEqual({ Ref: 'LeaseTable' });
    const statements = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => r.Properties.PolicyDocument.Statement as { Action: string[]; Resource: unknown[] }[])
      .filter((st) => st.Action.some((a) => a.startsWith('dynamodb:')));
    expect(statements).toEqual([expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'], Resource: [{ 'Fn::GetAtt': ['LeaseTable', 'Arn'] }] })]);
  });
});

describe('a fleet: clusters reconciling at once, and their ticks spread over the interval', () => {
  const fleet = Array.from({ length: 24 }, (_, i) => clusterEntry(100 + i));
  let big: Packaged;
  beforeAll(() => {
    big = packageStack({ clusters: fleet }, { scheduleRate: 'rate(10 minutes)', maxConcurrentReconciles: '12' });
    if (big.status !== 0) throw new Error(`packaging failed:\n${big.output}`);
  }, 240_000);
  afterAll(() => rmSync(big.dir, { recursive: true, force: true }));

  test('--param maxConcurrentReconciles sets the queue event source\'s MaximumConcurrency', () => {
    const resources = Object.values(big.template().Resources);
    const mappings = resources.filter((r) => r.Type === 'AWS::Lambda::EventSourceMapping');
    expect(mappings.map((r) => r.Properties.ScalingConfig)).toEqual([{ MaximumConcurrency: 12 }]);
    // The function knows the bound too: each reconcile keeps to its share of the account's rates.
    const resync = big.template().Resources.ResyncLambdaFunction!.Properties;
    expect(resync.Environment.Variables.MAX_CONCURRENT_RECONCILES).toBe('12');
  });

  test('each cluster fires at its own minute of the interval: 24 clusters over rate(10 minutes) use most of the 10 minutes, none more than a fair share plus margin', () => {
    const rules = Object.values(big.template().Resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets[0].SqsParameters && r.Properties.ScheduleExpression);
    expect(rules).toHaveLength(24);
    const offsets = rules.map((r) => {
      const m = /^cron\((\d+)\/10 \* \* \* \? \*\)$/.exec(r.Properties.ScheduleExpression);
      expect(m).not.toBeNull();
      return Number(m![1]);
    });
    // Within the interval: minute m, m+10, m+20 ... of every hour.
    for (const offset of offsets) {
      expect(offset).toBeGreaterThanOrEqual(0);
      expect(offset).toBeLessThan(10);
    }
    const perMinute = new Map<number, number>();
    for (const offset of offsets) perMinute.set(offset, (perMinute.get(offset) ?? 0) + 1);
    // Not all on the same minute (what 24 rate rules created together do): at least 7 of the 10 minutes used, at most 6 clusters on one.
    expect(perMinute.size).toBeGreaterThanOrEqual(7);
    expect(Math.max(...perMinute.values())).toBeLessThanOrEqual(6);
    // The offset is the cluster's own: the same ARN, the same minute, on every deployment.
    for (const cluster of fleet) {
      const rule = rules.find((r) => r.Properties.Targets[0].SqsParameters.MessageGroupId === queueGroupId(cluster.clusterArn))!;
      expect(rule.Properties.ScheduleExpression).toBe(spreadSchedule('rate(10 minutes)', cluster.clusterArn).expression);
    }
  });

  test('a bad maxConcurrentReconciles is refused before anything is written, saying the range', () => {
    const run = packageStack({ clusters: [orders] }, { maxConcurrentReconciles: '1' });
    try {
      expect(run.status).not.toBe(0);
      expect(run.output).toContain('maxConcurrentReconciles 1: use a whole number from 2 to 1000');
    } finally {
      rmSync(run.dir, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('spreadSchedule and maxConcurrentReconciles', () => {
  const arns = Array.from({ length: 200 }, (_, i) => clusterEntry(i).clusterArn);

  test('minutes that divide an hour: cron with the offset as the start of the increment', () => {
    const spread = arns.map((arn) => spreadSchedule('rate(5 minutes)', arn));
    for (const s of spread) {
      expect(s.offsetMinutes).toBeGreaterThanOrEqual(0);
      expect(s.offsetMinutes).toBeLessThan(5);
      expect(s.expression).toBe(`cron(${s.offsetMinutes}/5 * * * ? *)`);
    }
    // 200 clusters over 5 minutes: every minute used, none with more than twice its share (40).
    const counts = [0, 1, 2, 3, 4].map((m) => spread.filter((s) => s.offsetMinutes === m).length);
    expect(Math.min(...counts)).toBeGreaterThan(0);
    expect(Math.max(...counts)).toBeLessThanOrEqual(80);
    expect(spreadSchedule('rate(1 minute)', arns[0]!).expression).toBe('cron(0/1 * * * ? *)');
  });

  test('hours that divide a day: the offset spans the whole interval (minute and hour)', () => {
    const spread = arns.map((arn) => spreadSchedule('rate(4 hours)', arn));
    for (const s of spread) {
      expect(s.intervalMinutes).toBe(240);
      expect(s.offsetMinutes).toBeLessThan(240);
      expect(s.expression).toBe(`cron(${s.offsetMinutes % 60} ${Math.floor(s.offsetMinutes / 60)}/4 * * ? *)`);
    }
    expect(new Set(spread.map((s) => Math.floor(s.offsetMinutes / 60))).size).toBe(4);
    expect(spreadSchedule('rate(60 minutes)', arns[0]!).expression).toMatch(/^cron\(\d{1,2} 0\/1 \* \* \? \*\)$/);
  });

  test('an interval a cron increment cannot repeat is refused, naming the rates that work', () => {
    expect(() => spreadSchedule('rate(7 minutes)', arns[0]!)).toThrow(/rate\(7 minutes\): to spread clusters over the interval, use a rate that divides an hour \(1, 2, 3, 4, 5, 6, 10, 12, 15, 20 or 30 minutes\) or a day/);
    expect(() => spreadSchedule('rate(5 hours)', arns[0]!)).toThrow(/divides an hour/);
    expect(() => spreadSchedule('cron(0 * * * ? *)', arns[0]!)).toThrow(/use rate\(<n> minutes\|hours\)/);
  });

  test('maxConcurrentReconciles: 5 by default, Lambda\'s 2 to 1000 otherwise', () => {
    expect(maxConcurrentReconciles('')).toBe(5);
    expect(maxConcurrentReconciles(undefined)).toBe(5);
    expect(maxConcurrentReconciles('2')).toBe(2);
    expect(maxConcurrentReconciles(' 1000 ')).toBe(1000);
    for (const bad of ['1', '1001', '2.5', 'ten', '-3']) expect(() => maxConcurrentReconciles(bad)).toThrow(/use a whole number from 2 to 1000/);
  });
});
