import { afterEach, describe, expect, test } from '@jest/globals';
import {
  CreateTargetGroupCommand,
  DescribeLoadBalancersCommand,
  DescribeTargetGroupsCommand,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, ListResourceRecordSetsCommand, Route53Client, Route53ServiceException } from '@aws-sdk/client-route-53';
import { DEFAULT_VPC_ID } from './ec2';
import { AwsWorld, ELBV2_BUCKETS } from './index';

// The account's token buckets (throttles.ts): every client of the account draws from them, a call
// over the rate is answered Throttling / Rate exceeded, and world time refills them.

let world: AwsWorld | undefined;
afterEach(() => world?.restore());

let t = Date.parse('2026-12-01T10:00:00Z');
const now = () => t;
const elb = () => new ElasticLoadBalancingV2Client({ region: 'eu-west-1', maxAttempts: 1 });
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);
const tally = (results: string[]) => results.reduce<Record<string, number>>((acc, r) => ({ ...acc, [r]: (acc[r] ?? 0) + 1 }), {});

describe('ELBv2', () => {
  test('Describe*: a burst of 40 for the whole account (two clients, as two concurrent reconciles), then 10 a second', async () => {
    world = AwsWorld.install({ now, accountThrottles: true });
    const [a, b] = [elb(), elb()];
    const burst = await Promise.all(Array.from({ length: 50 }, (_, i) => outcome((i % 2 ? a : b).send(new DescribeLoadBalancersCommand({})))));
    expect(tally(burst)).toEqual({ ok: 40, Throttling: 10 });
    const error = await a.send(new DescribeLoadBalancersCommand({})).catch((e) => e);
    expect(error).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    t += 1000;
    const next = await Promise.all(Array.from({ length: 12 }, () => outcome(b.send(new DescribeLoadBalancersCommand({})))));
    expect(tally(next)).toEqual({ ok: 10, Throttling: 2 });
    expect(world.calls.filter((c) => c.error === 'Throttling')).toHaveLength(13);
    expect(world.throttles!.refused.get('elbv2:account')).toBe(13);
  });

  test('mutating calls have their own, smaller bucket (20, 3 a second) inside the account one; registration its own (20)', async () => {
    world = AwsWorld.install({ now, accountThrottles: true });
    const client = elb();
    const creates = [];
    for (let i = 0; i < 21; i++) creates.push(await outcome(client.send(new CreateTargetGroupCommand({ Name: `tg-${i}`, Protocol: 'TCP', Port: 9098, VpcId: DEFAULT_VPC_ID, TargetType: 'ip' }))));
    expect(tally(creates)).toEqual({ ok: 20, Throttling: 1 });
    expect(world.throttles!.refused.get('elbv2:mutating')).toBe(1);
    // The refused call took no token: the account bucket has 20 left, for reads and registrations.
    expect(world.throttles!.tokens(ELBV2_BUCKETS.account)).toBe(20);
    const groups = world.elbv2.targetGroups();
    expect(await outcome(client.send(new RegisterTargetsCommand({ TargetGroupArn: groups[0]!.TargetGroupArn!, Targets: [{ Id: '10.0.1.10', Port: 9098 }] })))).toBe('ok');
    expect(await outcome(client.send(new DescribeTargetGroupsCommand({})))).toBe('ok');
    t += 1000;
    // One second: 3 mutating tokens back.
    const later = [];
    for (let i = 0; i < 4; i++) later.push(await outcome(client.send(new CreateTargetGroupCommand({ Name: `late-${i}`, Protocol: 'TCP', Port: 9098, VpcId: DEFAULT_VPC_ID, TargetType: 'ip' }))));
    expect(later).toEqual(['ok', 'ok', 'ok', 'Throttling']);
  });
});

describe('Route 53', () => {
  test('a burst of 50 for the account, 10 a second; a change over the rate is Throttling too (not PriorRequestNotComplete)', async () => {
    world = AwsWorld.install({ now, accountThrottles: true });
    const zone = world.route53.addHostedZone({ name: 'example.com' });
    const r53 = new Route53Client({ maxAttempts: 1 });
    const reads = await Promise.all(Array.from({ length: 50 }, () => outcome(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone })))));
    expect(tally(reads)).toEqual({ ok: 50 });
    const change = new ChangeResourceRecordSetsCommand({
      HostedZoneId: zone,
      ChangeBatch: { Changes: [{ Action: 'UPSERT', ResourceRecordSet: { Name: 'b-1.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.0.1' }] } }] },
    });
    const error = await r53.send(change).catch((e) => e);
    expect(error).toBeInstanceOf(Route53ServiceException);
    expect(error).toMatchObject({ name: 'Throttling', message: 'Rate exceeded' });
    t += 500;
    // Half a second: 5 tokens.
    const next = [];
    for (let i = 0; i < 6; i++) next.push(await outcome(r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))));
    expect(next).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'Throttling']);
    t += 200;
    expect(await outcome(r53.send(change))).toBe('ok');
  });
});

test('off by default: the other tests keep sending bursts under a clock that does not move', async () => {
  world = AwsWorld.install({ now });
  const client = elb();
  const results = await Promise.all(Array.from({ length: 100 }, () => outcome(client.send(new DescribeLoadBalancersCommand({})))));
  expect(tally(results)).toEqual({ ok: 100 });
  expect(world.throttles).toBeUndefined();
});
