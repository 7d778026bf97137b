import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, ResourceNotFoundException } from '@aws-sdk/client-acm';
import {
  CloudWatchClient,
  DeleteAlarmsCommand,
  DescribeAlarmsCommand,
  InvalidParameterCombinationException,
  ListTagsForResourceCommand,
  PutMetricAlarmCommand,
  type PutMetricAlarmCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { CreateListenerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsWorld } from './index';

let world: AwsWorld;

beforeEach(() => {
  world = AwsWorld.install();
});
afterEach(() => world.restore());

describe('ACM', () => {
  const acm = () => new ACMClient({ region: 'eu-west-1' });

  test('DescribeCertificate: the domain name is the first SAN, status ISSUED', async () => {
    const arn = world.acm.addCertificate({ domainName: 'kafka.example.com', subjectAlternativeNames: ['*.kafka.example.com'] });
    const { Certificate: cert } = await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(arn).toMatch(/^arn:aws:acm:eu-west-1:123456789012:certificate\/[0-9a-f-]{36}$/);
    expect(cert).toMatchObject({
      CertificateArn: arn, DomainName: 'kafka.example.com', SubjectAlternativeNames: ['kafka.example.com', '*.kafka.example.com'],
      Status: 'ISSUED', Type: 'AMAZON_ISSUED', InUseBy: [], NotAfter: expect.any(Date),
    });
  });

  test('InUseBy lists the load balancers whose listeners use the certificate', async () => {
    const arn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb', vpcId: 'vpc-0abc1234def567890' });
    const elb = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
    const tg = await elb.send(new CreateTargetGroupCommand({ Name: 'b-1', Protocol: 'TCP', Port: 9098, VpcId: 'vpc-0abc1234def567890', TargetType: 'ip' }));
    await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Port: 9001, Protocol: 'TLS', Certificates: [{ CertificateArn: arn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0].TargetGroupArn }],
    }));
    const { Certificate: cert } = await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }));
    expect(cert!.InUseBy).toEqual([lbArn]);
    const list = await acm().send(new ListCertificatesCommand({}));
    expect(list.CertificateSummaryList).toEqual([expect.objectContaining({ CertificateArn: arn, InUse: true, Status: 'ISSUED' })]);
  });

  test('an unknown certificate is ResourceNotFoundException', async () => {
    const missing = 'arn:aws:acm:eu-west-1:123456789012:certificate/00000000-0000-0000-0000-000000000000';
    const error = await acm().send(new DescribeCertificateCommand({ CertificateArn: missing })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceNotFoundException);
    expect(error.message).toBe(`Could not find certificate ${missing}.`);
  });
});

describe('CloudWatch', () => {
  const cw = () => new CloudWatchClient({ region: 'eu-west-1' });
  const alarm = (name: string, extra: Partial<PutMetricAlarmCommandInput> = {}): PutMetricAlarmCommandInput => ({
    AlarmName: name,
    Namespace: 'AWS/Kafka',
    MetricName: 'ConnectionCount',
    Dimensions: [{ Name: 'Cluster Name', Value: 'orders' }, { Name: 'Broker ID', Value: '1' }],
    Statistic: 'Maximum',
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 2400,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:alarms'],
    OKActions: ['arn:aws:sns:eu-west-1:123456789012:alarms'],
    ...extra,
  });

  test('PutMetricAlarm creates, then replaces by name (state kept, tags only at creation)', async () => {
    await cw().send(new PutMetricAlarmCommand(alarm('msk-orders-b1-connections', { Tags: [{ Key: 'managed-by', Value: 'me' }] })));
    world.cloudwatch.setAlarmState('msk-orders-b1-connections', 'ALARM');
    await cw().send(new PutMetricAlarmCommand(alarm('msk-orders-b1-connections', { Threshold: 2000, Tags: [{ Key: 'other', Value: 'x' }] })));
    const [stored] = world.cloudwatch.alarms();
    expect(stored).toMatchObject({ AlarmName: 'msk-orders-b1-connections', Threshold: 2000, StateValue: 'ALARM', tags: { 'managed-by': 'me' } });
    expect(stored.input.Tags).toEqual([{ Key: 'other', Value: 'x' }]);
    const tags = await cw().send(new ListTagsForResourceCommand({ ResourceARN: stored.AlarmArn }));
    expect(tags.Tags).toEqual([{ Key: 'managed-by', Value: 'me' }]);
  });

  test('DescribeAlarms returns SDK-shaped metric alarms, filtered by prefix or names, paged, sorted by name', async () => {
    for (const name of ['msk-orders-b2', 'msk-orders-b1', 'other-alarm', 'msk-orders-b3']) await cw().send(new PutMetricAlarmCommand(alarm(name)));
    const first = await cw().send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'msk-orders-', MaxRecords: 2 }));
    expect(first.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['msk-orders-b1', 'msk-orders-b2']);
    expect(first.MetricAlarms![0]).toMatchObject({
      AlarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:msk-orders-b1',
      StateValue: 'INSUFFICIENT_DATA', StateReason: 'Unchecked: Initial alarm creation', ActionsEnabled: true,
      Namespace: 'AWS/Kafka', MetricName: 'ConnectionCount', Dimensions: [{ Name: 'Cluster Name', Value: 'orders' }, { Name: 'Broker ID', Value: '1' }],
      InsufficientDataActions: [], AlarmConfigurationUpdatedTimestamp: expect.any(Date),
    });
    const second = await cw().send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'msk-orders-', MaxRecords: 2, NextToken: first.NextToken }));
    expect(second.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['msk-orders-b3']);
    expect(second.NextToken).toBeUndefined();
    const named = await cw().send(new DescribeAlarmsCommand({ AlarmNames: ['other-alarm', 'missing'] }));
    expect(named.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['other-alarm']);
    await expect(cw().send(new DescribeAlarmsCommand({ AlarmNames: ['a'], AlarmNamePrefix: 'a' }))).rejects.toBeInstanceOf(InvalidParameterCombinationException);
  });

  test('DeleteAlarms takes at most 100 names; unknown names are ignored', async () => {
    await cw().send(new PutMetricAlarmCommand(alarm('a1')));
    const tooMany = Array.from({ length: 101 }, (_, i) => `x${i}`);
    await expect(cw().send(new DeleteAlarmsCommand({ AlarmNames: tooMany }))).rejects.toMatchObject({ name: 'ValidationError' });
    await cw().send(new DeleteAlarmsCommand({ AlarmNames: ['a1', 'never-existed'] }));
    expect(world.cloudwatch.alarms()).toEqual([]);
  });

  test('PutMetricAlarm validates what it needs', async () => {
    await expect(cw().send(new PutMetricAlarmCommand({ ...alarm('x'), EvaluationPeriods: undefined }))).rejects.toMatchObject({
      name: 'ValidationError', message: "1 validation error detected: Value null at 'evaluationPeriods' failed to satisfy constraint: Member must not be null",
    });
    await expect(cw().send(new PutMetricAlarmCommand(alarm('x', { ExtendedStatistic: 'p99' })))).rejects.toBeInstanceOf(InvalidParameterCombinationException);
  });

  test('foreign alarms can be seeded', async () => {
    world.cloudwatch.putAlarm(alarm('someone-elses'));
    const out = await cw().send(new DescribeAlarmsCommand({}));
    expect(out.MetricAlarms!.map((a) => a.AlarmName)).toEqual(['someone-elses']);
  });
});
