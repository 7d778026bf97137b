import { afterEach, describe, expect, test } from '@jest/globals';
import { ACMClient, DescribeCertificateCommand, ThrottlingException } from '@aws-sdk/client-acm';
import { CloudWatchClient, CloudWatchServiceException, DescribeAlarmsCommand, paginateDescribeAlarms, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  paginateDescribeTargetGroups,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { DescribeClusterV2Command, KafkaClient, paginateListNodes, TooManyRequestsException, RebootBrokerCommand } from '@aws-sdk/client-kafka';
import {
  ChangeResourceRecordSetsCommand,
  ListResourceRecordSetsCommand,
  PriorRequestNotComplete,
  Route53Client,
  Route53ServiceException,
} from '@aws-sdk/client-route-53';
import { AwsWorld, SimulatedInterruption } from './index';

let world: AwsWorld | undefined;
afterEach(() => world?.restore());

const elb = () => new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
const tg = (name: string) => new CreateTargetGroupCommand({ Name: name, Protocol: 'TCP', Port: 9098, VpcId: 'vpc-1', TargetType: 'ip' });

describe('installation', () => {
  test('clients created before install are routed too (class-level mock), and restore undoes it', async () => {
    const early = elb();
    world = AwsWorld.install();
    const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
    const out = await early.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }));
    expect(out.LoadBalancers).toHaveLength(1);
    world.restore();
    expect(world.calls).toHaveLength(1);
    world = undefined;
  });

  test('region and account are configurable and show in ARNs', () => {
    world = AwsWorld.install({ region: 'us-east-1', accountId: '210987654321' });
    const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
    expect(world.region).toBe('us-east-1');
    expect(lbArn).toContain(':us-east-1:210987654321:');
    expect(world.elbv2.loadBalancer(lbArn)!.CanonicalHostedZoneId).toBe('Z26RNL4JYFTOTI');
  });

  test('a command the world does not model fails loudly', async () => {
    world = AwsWorld.install();
    await expect(new KafkaClient({}).send(new RebootBrokerCommand({ ClusterArn: 'x', BrokerIds: ['1'] })))
      .rejects.toThrow('AwsWorld: kafka RebootBrokerCommand is not modelled');
  });

  test('responses are copies: mutating one does not change the world', async () => {
    world = AwsWorld.install();
    const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
    const out = await elb().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }));
    out.LoadBalancers![0].DNSName = 'mutated';
    expect(world.elbv2.loadBalancer(lbArn)!.DNSName).not.toBe('mutated');
  });
});

describe('SDK paginators', () => {
  test('paginateListNodes, paginateDescribeTargetGroups and paginateDescribeAlarms walk the world\'s pages', async () => {
    world = AwsWorld.install();
    const clusterArn = world.msk.addCluster({ name: 'orders', brokers: Array.from({ length: 7 }, (_, i) => ({ id: i + 1, ip: `10.0.0.${i + 1}` })) });
    const ids: number[] = [];
    for await (const page of paginateListNodes({ client: new KafkaClient({}), pageSize: 3 }, { ClusterArn: clusterArn })) {
      ids.push(...page.NodeInfoList!.map((n) => n.BrokerNodeInfo!.BrokerId!));
    }
    expect(ids).toEqual([1, 2, 3, 4, 5, 6, 7]);
    for (const name of ['a', 'b', 'c']) await elb().send(tg(name));
    const groups: string[] = [];
    for await (const page of paginateDescribeTargetGroups({ client: elb(), pageSize: 2 }, {})) groups.push(...page.TargetGroups!.map((t) => t.TargetGroupName!));
    expect(groups).toEqual(['a', 'b', 'c']);
    const cw = new CloudWatchClient({});
    for (const name of ['x', 'y', 'z']) {
      await cw.send(new PutMetricAlarmCommand({
        AlarmName: name, Namespace: 'AWS/Kafka', MetricName: 'ConnectionCount', Statistic: 'Maximum', Period: 60,
        EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold',
      }));
    }
    const alarms: string[] = [];
    for await (const page of paginateDescribeAlarms({ client: cw, pageSize: 2 }, {})) alarms.push(...page.MetricAlarms!.map((a) => a.AlarmName!));
    expect(alarms).toEqual(['x', 'y', 'z']);
  });
});

describe('accounting', () => {
  test('every call is recorded with service, command, input and read/write classification', async () => {
    world = AwsWorld.install();
    const zoneId = world.route53.addHostedZone({ name: 'example.com' });
    await elb().send(tg('b-1'));
    await elb().send(new DescribeTargetGroupsCommand({}));
    await new Route53Client({}).send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }));
    await new Route53Client({}).send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId, ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'a.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
    }));
    expect(world.calls.map((c) => [c.service, c.command, c.write, c.failed])).toEqual([
      ['elbv2', 'CreateTargetGroupCommand', true, false],
      ['elbv2', 'DescribeTargetGroupsCommand', false, false],
      ['route53', 'ListResourceRecordSetsCommand', false, false],
      ['route53', 'ChangeResourceRecordSetsCommand', true, false],
    ]);
    expect(world.calls[0].input).toMatchObject({ Name: 'b-1' });
    expect(world.reads().map((c) => c.command)).toEqual(['DescribeTargetGroupsCommand', 'ListResourceRecordSetsCommand']);
    expect(world.writes()).toHaveLength(2);
    const calls = world.calls;
    world.resetCalls();
    expect(calls).toHaveLength(0);
  });

  test('failed calls are marked with the error name', async () => {
    world = AwsWorld.install();
    await expect(elb().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: ['arn:nope'] }))).rejects.toThrow();
    expect(world.calls[0]).toMatchObject({ failed: true, error: 'LoadBalancerNotFoundException' });
  });
});

describe('faults', () => {
  test('the (afterCalls+1)-th call fails, `times` times, then calls succeed again', async () => {
    world = AwsWorld.install();
    world.faults.add({ command: 'CreateTargetGroupCommand', afterCalls: 1, times: 2 });
    const results: string[] = [];
    for (const name of ['a', 'b', 'c', 'd']) results.push(await elb().send(tg(name)).then(() => 'ok', (e) => e.name));
    expect(results).toEqual(['ok', 'Throttling', 'Throttling', 'ok']);
    expect(world.elbv2.targetGroups().map((t) => t.TargetGroupName)).toEqual(['a', 'd']);
    expect(world.calls.map((c) => c.failed)).toEqual([false, true, true, false]);
  });

  test("'throttle' is each service's real throttling error", async () => {
    world = AwsWorld.install();
    const zoneId = world.route53.addHostedZone({ name: 'example.com' });
    for (const command of ['DescribeLoadBalancersCommand', 'DescribeClusterV2Command', 'ListResourceRecordSetsCommand', 'ChangeResourceRecordSetsCommand', 'DescribeAlarmsCommand', 'DescribeCertificateCommand']) {
      world.faults.add({ command, error: 'throttle' });
    }
    const catchIt = (p: Promise<unknown>): Promise<any> => p.catch((e) => e);
    const elbError = await catchIt(elb().send(new DescribeLoadBalancersCommand({})));
    expect(elbError).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(elbError).toMatchObject({ name: 'Throttling', message: 'Rate exceeded', Code: 'Throttling' });
    const kafkaError = await catchIt(new KafkaClient({}).send(new DescribeClusterV2Command({ ClusterArn: 'x' })));
    expect(kafkaError).toBeInstanceOf(TooManyRequestsException);
    expect(kafkaError.$metadata.httpStatusCode).toBe(429);
    const r53 = new Route53Client({});
    const listError = await catchIt(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId })));
    expect(listError).toBeInstanceOf(Route53ServiceException);
    expect(listError.name).toBe('Throttling');
    const changeError = await catchIt(r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: [] } })));
    expect(changeError).toBeInstanceOf(PriorRequestNotComplete);
    const cwError = await catchIt(new CloudWatchClient({}).send(new DescribeAlarmsCommand({})));
    expect(cwError).toBeInstanceOf(CloudWatchServiceException);
    expect(cwError.name).toBe('Throttling');
    const acmError = await catchIt(new ACMClient({}).send(new DescribeCertificateCommand({ CertificateArn: 'x' })));
    expect(acmError).toBeInstanceOf(ThrottlingException);
  });

  test('a custom error instance or factory can be injected', async () => {
    world = AwsWorld.install();
    world.faults.add({ command: 'DescribeTargetGroupsCommand', error: new Error('boom') });
    world.faults.add({ command: 'DescribeLoadBalancersCommand', error: (call) => new Error(`no ${call.command}`) });
    await expect(elb().send(new DescribeTargetGroupsCommand({}))).rejects.toThrow('boom');
    await expect(elb().send(new DescribeLoadBalancersCommand({}))).rejects.toThrow('no DescribeLoadBalancersCommand');
  });

  test("'reply-lost': the change is made, and the caller gets what the SDK's retry is answered", async () => {
    world = AwsWorld.install();
    const zoneId = world.route53.addHostedZone({ name: 'example.com' });
    const create = new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'b-1.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] } }] },
    });
    world.faults.add({ command: 'ChangeResourceRecordSetsCommand', error: 'reply-lost' });
    const error: any = await new Route53Client({}).send(create).catch((e) => e);
    expect(error.name).toBe('InvalidChangeBatch');
    expect(error.message).toBe("[Tried to create resource record set [name='b-1.example.com.', type='A'] but it already exists]");
    expect(world.route53.records(zoneId).filter((r) => r.Type === 'A')).toHaveLength(1);
    // Two attempts reached the service: the first lost its answer, the retry was refused.
    expect(world.calls.map((c) => [c.command, c.error])).toEqual([
      ['ChangeResourceRecordSetsCommand', 'ECONNRESET'],
      ['ChangeResourceRecordSetsCommand', 'InvalidChangeBatch'],
    ]);
  });

  test("'reply-lost' of an idempotent call: the retry succeeds and reports two attempts", async () => {
    world = AwsWorld.install();
    world.faults.add({ command: 'CreateTargetGroupCommand', error: 'reply-lost' });
    const out = await elb().send(tg('a'));
    expect(out.$metadata.attempts).toBe(2);
    expect(world.elbv2.targetGroups().map((t) => t.TargetGroupName)).toEqual(['a']);
    expect(world.calls.map((c) => c.failed)).toEqual([true, false]);
  });

  test("'reply-lost' with retryError: an emulator's different answer to the retry", async () => {
    world = AwsWorld.install();
    const boom = new Error('TargetGroupNotFound');
    world.faults.add({ command: 'CreateTargetGroupCommand', error: 'reply-lost', retryError: boom });
    await expect(elb().send(tg('a'))).rejects.toBe(boom);
    expect(world.elbv2.targetGroups().map((t) => t.TargetGroupName)).toEqual(['a']);
  });

  test("a change that fails on its own is not 'lost': its error is the answer, no retry", async () => {
    world = AwsWorld.install();
    world.faults.add({ command: 'CreateTargetGroupCommand', error: 'reply-lost' });
    await expect(elb().send(tg('--bad'))).rejects.toThrow(/--bad/);
    expect(world.calls).toHaveLength(1);
  });

  test('failAfterWrites(n): writes after the first n fail, reads keep working, clear() lifts it', async () => {
    world = AwsWorld.install();
    world.faults.failAfterWrites(2);
    const outcomes: string[] = [];
    for (const name of ['a', 'b', 'c']) outcomes.push(await elb().send(tg(name)).then(() => 'ok', (e) => e.name));
    expect(outcomes).toEqual(['ok', 'ok', 'SimulatedInterruption']);
    await expect(elb().send(tg('d'))).rejects.toBeInstanceOf(SimulatedInterruption);
    await elb().send(new DescribeTargetGroupsCommand({}));
    world.faults.clear();
    await elb().send(tg('e'));
    expect(world.elbv2.targetGroups().map((t) => t.TargetGroupName)).toEqual(['a', 'b', 'e']);
  });
});

describe('latency', () => {
  test('every call waits latencyMs; parallel calls overlap (maxInFlight)', async () => {
    world = AwsWorld.install({ latencyMs: 30 });
    const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
    const started = Date.now();
    await Promise.all(Array.from({ length: 5 }, () => elb().send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }))));
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(25);
    expect(elapsed).toBeLessThan(140);
    expect(world.maxInFlight).toBe(5);
    expect(world.calls.every((c) => c.endedAt! - c.startedAt >= 25)).toBe(true);
  });
});
