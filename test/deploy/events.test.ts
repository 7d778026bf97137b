import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { rmSync } from 'node:fs';
import { parseTrigger } from '../../shared/events';
import { queueGroupId, shortHash } from '../../shared/naming';
import { notConvergedPeriod } from '../../shared/stack/events';
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
    expect(rule.Properties.ScheduleExpression).toBe('rate(10 minutes)');
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

  test('resync is fed by the queue, one message at a time, with no reserved concurrency; only the watch invokes it directly', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, r]) => r.Properties);
    expect(mappings).toEqual([expect.objectContaining({ EventSourceArn: queue, BatchSize: 1, FunctionName: { 'Fn::GetAtt': ['ResyncLambdaFunction', 'Arn'] } })]);
    expect(template.Resources.ResyncLambdaFunction!.Properties.ReservedConcurrentExecutions).toBeUndefined();
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
