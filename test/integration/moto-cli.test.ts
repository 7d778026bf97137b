// The CLI end to end over real HTTP: ELBv2, Route 53, CloudWatch, ACM and EC2 are moto (an
// independent emulator), MSK is test/integration/msk-http.ts. The real SDK clients serialise,
// parse errors, page and retry for real; nothing is mocked at the client level here.
import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import { ACMClient, ImportCertificateCommand } from '@aws-sdk/client-acm';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, RevokeSecurityGroupIngressCommand, CreateSubnetCommand, CreateVpcCommand, CreateVpcEndpointCommand, CreateVpcEndpointServiceConfigurationCommand, DescribeSubnetsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateListenerCommand,
  CreateLoadBalancerCommand,
  CreateTargetGroupCommand,
  DescribeListenersCommand,
  DescribeLoadBalancersCommand,
  RegisterTargetsCommand,
  DescribeTagsCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTableCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { EXIT, runCli } from '../../cli/main';
import { resync } from '../../handlers/resync';
import { dynamoDbLeaseStore } from '../../shared/lease/dynamodb';
import { logger } from '../../shared/log';
import { createAwsClients } from '../../shared/aws/clients';
import { testCa } from '../world/network';
import { startFakeCluster } from '../kafka/fake';
import { CREDENTIALS, staticCredentials } from '../kafka/helpers';
import { startMoto, type Moto, restoreSdkEnv } from './moto';
import { startMskHttp, type MskHttp } from './msk-http';

const REGION = 'eu-west-1';
let moto: Moto;
let mskHttp: MskHttp;
let dir: string;
const saved = { ...process.env };
const started = Date.now();
let finished = 0;

beforeAll(async () => {
  moto = await startMoto();
  mskHttp = await startMskHttp(REGION);
  dir = await mkdtemp(join(tmpdir(), 'mcd-moto-'));
  // The SDK's own endpoint settings, as a user pointing the tool at an emulator would set them.
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: moto.url,
    AWS_ENDPOINT_URL_KAFKA: mskHttp.url,
    AWS_ACCESS_KEY_ID: 'testing',
    AWS_SECRET_ACCESS_KEY: 'testing',
    AWS_REGION: REGION,
  });
  delete process.env.AWS_PROFILE;
}, 60_000);
afterEach(async () => {
  finished++;
  await moto.reset();
});
afterAll(async () => {
  restoreSdkEnv(saved);
  await mskHttp?.stop();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
  process.stdout.write(`moto suite: ${finished} tests in ${((Date.now() - started) / 1000).toFixed(1)} s against ${saved.MOTO_URL ? `MOTO_URL ${saved.MOTO_URL}` : 'a moto it started'}\n`);
});

const clients = () => ({
  ec2: new EC2Client({ region: REGION }),
  elbv2: new ElasticLoadBalancingV2Client({ region: REGION }),
  route53: new Route53Client({ region: REGION }),
  acm: new ACMClient({ region: REGION }),
  cloudwatch: new CloudWatchClient({ region: REGION }),
});

const ip = (id: number, generation = 0) => `10.0.${((id - 1) % 3) + 1}.${10 + id + generation * 100}`;

interface Seeded {
  clusterArn: string;
  lbArn: string;
  zoneId: string;
  file: string;
  vpcId: string;
  /** The brokers' security group (TCP 9092-9198 from the VPC). */
  brokerGroup: string;
}

/** One cluster's world in moto (VPC, NLB, zone, imported certificate) and MSK, and its config file. */
async function seed(
  brokerIds: number[],
  config: Record<string, unknown> = {},
  brokers?: { id: number; ip: string; endpoint: string; port: number }[],
  authentication?: { iam?: boolean; scram?: boolean; tls?: boolean },
): Promise<Seeded> {
  const c = clients();
  const vpc = (await c.ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!;
  const subnets: string[] = [];
  for (const [i, z] of ['a', 'b', 'c'].entries()) {
    subnets.push((await c.ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: `${REGION}${z}` }))).Subnet!.SubnetId!);
  }
  const lb = (await c.elbv2.send(new CreateLoadBalancerCommand({ Name: 'msk-orders', Type: 'network', Scheme: 'internal', Subnets: subnets }))).LoadBalancers![0]!;
  const zone = (await c.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `${Date.now()}-${Math.random()}` }))).HostedZone!;
  // ACM's RequestCertificate stays PENDING_VALIDATION in moto: import one the test CA issued, as a user may.
  const { key, cert } = testCa().issue(['kafka.example.com', '*.kafka.example.com']);
  const certificateArn = (await c.acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(cert), PrivateKey: Buffer.from(key), CertificateChain: Buffer.from(testCa().pem) }))).CertificateArn!;
  // The brokers' subnets and security group live in moto, as EC2 describes them to the preconditions;
  // public access on, for the iam-public listener of the several-listeners test.
  const brokerGroup = (await c.ec2.send(new CreateSecurityGroupCommand({ GroupName: `msk-orders-brokers-${Math.random().toString(36).slice(2)}`, Description: 'MSK brokers', VpcId: vpc.VpcId }))).GroupId!;
  await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9198, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
  const clusterArn = mskHttp.msk.addCluster({
    name: 'orders', brokers: brokers ?? brokerIds.map((id) => ({ id, ip: ip(id) })), enhancedMonitoring: 'PER_BROKER', ...(authentication ? { authentication } : {}),
    subnets, securityGroups: [brokerGroup], publicAccess: 'SERVICE_PROVIDED_EIPS',
  });
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  const cluster = { clusterArn, domain: 'kafka.example.com', hostedZoneId: zone.Id!, loadBalancerArn: lb.LoadBalancerArn!, certificateArn, ...config };
  await writeFile(file, JSON.stringify({ clusters: [cluster] }));
  return { clusterArn, lbArn: lb.LoadBalancerArn!, zoneId: zone.Id!.replace('/hostedzone/', ''), file, vpcId: vpc.VpcId!, brokerGroup };
}

let kafkaAccess: Parameters<typeof runCli>[1]['kafkaAccess'];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { clientsFor: createAwsClients, out: (t) => out.push(t), err: (t) => err.push(t), dnsPollSeconds: 0.2, kafkaAccess });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** What moto holds now: listener port -> role tag, target IPs per group, records, alarms. */
async function state(s: Seeded) {
  const c = clients();
  const listeners = (await c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: s.lbArn }))).Listeners ?? [];
  const tags = listeners.length ? (await c.elbv2.send(new DescribeTagsCommand({ ResourceArns: listeners.map((l) => l.ListenerArn!) }))).TagDescriptions ?? [] : [];
  const role = (arn: string) => tags.find((t) => t.ResourceArn === arn)?.Tags?.find((t) => t.Key === 'msk-custom-domain:role')?.Value ?? 'foreign';
  const groups = ((await c.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).filter((g) => g.TargetGroupName!.startsWith('mcd-'));
  const targets: Record<string, string[]> = {};
  const crossZone: Record<string, string | undefined> = {};
  for (const g of groups) {
    const name = g.TargetGroupName!.replace(/^mcd-orders-[0-9a-f]+-[0-9a-f]{3}-/, '');
    targets[name] = ((await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: g.TargetGroupArn }))).TargetHealthDescriptions ?? [])
      .filter((d) => d.TargetHealth?.State !== 'draining')
      .map((d) => d.Target!.Id!)
      .sort();
    crossZone[name] = (await c.elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: g.TargetGroupArn }))).Attributes?.find((a) => a.Key === 'load_balancing.cross_zone.enabled')?.Value;
  }
  const records = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? [])
    .filter((r) => r.Type === 'A' || r.Type === 'CNAME')
    .map((r) => r.Name!.replace(/\.$/, ''))
    .sort();
  const alarms = ((await c.cloudwatch.send(new DescribeAlarmsCommand({ AlarmNamePrefix: 'msk-custom-domain/orders/' }))).MetricAlarms ?? []).map((a) => a.AlarmName!);
  return {
    listeners: Object.fromEntries(listeners.map((l) => [l.Port!, role(l.ListenerArn!)])),
    targets,
    crossZone,
    records,
    alarmBrokers: [...new Set(alarms.map((a) => /broker-(\d+)\//.exec(a)?.[1]).filter(Boolean))].map(Number).sort((a, b) => a - b),
  };
}

const names = (ids: number[]) => ['bootstrap.kafka.example.com', ...ids.map((id) => `b-${id}.kafka.example.com`)].sort();

/** A second plan shows nothing to do: the apply would make zero writes. */
async function converged(s: Seeded): Promise<void> {
  const plan = await cli('plan', '--config', s.file, '--json');
  expect(plan.code).toBe(EXIT.ok);
  expect(JSON.parse(plan.out)[0].plan.actions).toEqual([]);
}

describe('the CLI against moto (ELBv2, Route 53, CloudWatch, ACM, EC2) and MSK over HTTP', () => {
  test('a fresh cluster of 3 brokers: listeners, cross-zone groups, targets, names and alarms; plan then shows nothing; check passes', async () => {
    const s = await seed([1, 2, 3]);
    const run = await cli('apply', '--config', s.file);
    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    const after = await state(s);
    expect(after.listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'broker-2', 9003: 'broker-3' });
    expect(after.targets).toEqual({ boot: [ip(1), ip(2), ip(3)].sort(), b1: [ip(1)], b2: [ip(2)], b3: [ip(3)] });
    expect(Object.values(after.crossZone)).toEqual(['true', 'true', 'true', 'true']);
    expect(after.records).toEqual(names([1, 2, 3]));
    expect(after.alarmBrokers).toEqual([1, 2, 3]);
    await converged(s);
    const check = await cli('check', '--config', s.file);
    expect(check.out).toContain('Every check passed for 4 endpoint(s).');
    expect(check.code).toBe(EXIT.ok);
  });

  test('scale-out 3 -> 6, broker 2 replaced, scale-in to 3 (scaleIn: delete): each converges, then plan shows nothing', async () => {
    const s = await seed([1, 2, 3]);
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);

    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3, 4, 5, 6].map((id) => ({ id, ip: ip(id) })));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    let now = await state(s);
    expect(Object.keys(now.listeners).map(Number)).toEqual([9000, 9001, 9002, 9003, 9004, 9005, 9006]);
    expect(now.records).toEqual(names([1, 2, 3, 4, 5, 6]));
    await converged(s);

    mskHttp.msk.replaceBroker(s.clusterArn, 2, ip(2, 1));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    now = await state(s);
    expect(now.targets.b2).toEqual([ip(2, 1)]);
    expect(now.targets.boot).toContain(ip(2, 1));
    expect(now.targets.boot).not.toContain(ip(2));
    await converged(s);

    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3].map((id) => ({ id, ip: id === 2 ? ip(2, 1) : ip(id) })));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    now = await state(s);
    expect(now.listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'broker-2', 9003: 'broker-3' });
    expect(Object.keys(now.targets).sort()).toEqual(['b1', 'b2', 'b3', 'boot']);
    expect(now.records).toEqual(names([1, 2, 3]));
    expect(now.alarmBrokers).toEqual([1, 2, 3]);
    await converged(s);
  });

  test('scale-in with scaleIn: keep leaves listener, group and name of the removed broker, without its target', async () => {
    const s = await seed([1, 2, 3, 4], { scaleIn: 'keep' });
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3].map((id) => ({ id, ip: ip(id) })));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    const now = await state(s);
    expect(now.listeners[9004]).toBe('broker-4');
    expect(now.targets.b4).toEqual([]);
    expect(now.targets.boot).not.toContain(ip(4));
    expect(now.records).toEqual(names([1, 2, 3, 4]));
    await converged(s);
  });

  test('broker ids past 9 with gaps get ports base + id (9010, 9012)', async () => {
    const s = await seed([1, 2, 10, 12]);
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    const now = await state(s);
    expect(now.listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'broker-2', 9010: 'broker-10', 9012: 'broker-12' });
    expect(now.records).toEqual(names([1, 2, 10, 12]));
    await converged(s);
  });

  test("a hosted zone of another account (hostedZoneRole): names and registry written there with the role's credentials, invisible to the function's own", async () => {
    // moto answers each call in the account of the credentials it is signed with: AssumeRole's are the role's account's.
    // (moto does not check trust policies or external ids: the refusals are tested in the embedded world.)
    const roleArn = 'arn:aws:iam::210987654321:role/msk-custom-domain-dns';
    const { Credentials: k } = await new STSClient({ region: REGION }).send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'zone-owner' }));
    const partner = new Route53Client({ region: REGION, credentials: { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey!, sessionToken: k!.SessionToken } });
    const zone = (await partner.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `partner-${Date.now()}` }))).HostedZone!;
    const s = await seed([1, 2], { hostedZoneId: zone.Id, hostedZoneRole: { roleArn, externalId: 'msk-orders-7f3a' } });

    const run = await cli('apply', '--config', s.file);
    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    const records = ((await partner.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }))).ResourceRecordSets ?? [])
      .filter((r) => r.Name!.endsWith('kafka.example.com.'))
      .map((r) => `${r.Name} ${r.Type}`)
      .sort();
    expect(records).toEqual(['bootstrap', 'b-1', 'b-2'].flatMap((h) => [`${h}.kafka.example.com. A`, `_msk-custom-domain.${h}.kafka.example.com. TXT`]).sort());
    // The function's own zone got nothing, and its own credentials do not reach the partner zone.
    expect((await state(s)).records).toEqual([]);
    await expect(clients().route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone.Id }))).rejects.toMatchObject({ name: 'NoSuchHostedZone' });
    await converged(s);
  });

  test('several listeners: IAM + SCRAM on the NLB and iam-public on a second NLB with its own zone; each gets its own ports, groups (by tag) and names; dropping SCRAM removes only its resources', async () => {
    const c = clients();
    const s = await seed([1, 2], {}, undefined, { iam: true, scram: true });
    const subnets = (await c.ec2.send(new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [s.vpcId] }] }))).Subnets!.map((n) => n.SubnetId!);
    const publicLb = (await c.elbv2.send(new CreateLoadBalancerCommand({ Name: 'msk-orders-public', Type: 'network', Scheme: 'internet-facing', Subnets: subnets }))).LoadBalancers![0]!;
    const publicZone = (await c.route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `public-${Date.now()}` }))).HostedZone!;
    const scram = { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' };
    const base = JSON.parse(await readFile(s.file, 'utf8')).clusters[0];
    const write = (listeners: unknown[]) => writeFile(s.file, JSON.stringify({ clusters: [{ ...base, listeners }] }));
    const all = [{ authentication: 'iam' }, scram, { authentication: 'iam-public', loadBalancerArn: publicLb.LoadBalancerArn, hostedZoneId: publicZone.Id }];
    await write(all);

    const run = await cli('apply', '--config', s.file);
    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    const portsOf = async (lbArn: string) => ((await c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? []).map((l) => l.Port!).sort((a, b) => a - b);
    expect(await portsOf(s.lbArn)).toEqual([9000, 9001, 9002, 9100, 9101, 9102]);
    expect(await portsOf(publicLb.LoadBalancerArn!)).toEqual([9000, 9001, 9002]);
    const groups = ((await c.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).filter((g) => g.TargetGroupName!.startsWith('mcd-'));
    expect(groups.map((g) => g.Port).sort()).toEqual([9096, 9096, 9096, 9098, 9098, 9098, 9198, 9198, 9198]);
    expect(groups.every((g) => g.TargetGroupName!.length <= 32)).toBe(true);
    const publicNames = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: publicZone.Id }))).ResourceRecordSets ?? [])
      .filter((r) => r.Type === 'A').map((r) => `${r.Name} ${r.AliasTarget!.DNSName!.toLowerCase()}`).sort();
    expect(publicNames).toEqual(['b-1', 'b-2', 'bootstrap'].map((h) => `${h}.kafka.example.com. ${publicLb.DNSName!.toLowerCase()}.`));
    expect((await state(s)).records).toEqual(['b-1', 'b-2', 'bootstrap', 'bootstrap-scram', 's-1', 's-2'].map((h) => `${h}.kafka.example.com`).sort());
    await converged(s);

    await write([all[0], all[2]]);
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    expect(await portsOf(s.lbArn)).toEqual([9000, 9001, 9002]);
    expect(await portsOf(publicLb.LoadBalancerArn!)).toEqual([9000, 9001, 9002]);
    expect((await state(s)).records).toEqual(names([1, 2]));
    expect(((await c.elbv2.send(new DescribeTargetGroupsCommand({}))).TargetGroups ?? []).filter((g) => g.TargetGroupName!.startsWith('mcd-')).map((g) => g.Port).sort()).toEqual([9098, 9098, 9098, 9198, 9198, 9198]);
    await converged(s);
  });

  test('recordTarget vpcEndpointId: the endpoint and its service read from EC2, the names alias its regional DNS name', async () => {
    const s = await seed([1]);
    const c = clients();
    const service = (await c.ec2.send(new CreateVpcEndpointServiceConfigurationCommand({ NetworkLoadBalancerArns: [s.lbArn], AcceptanceRequired: false }))).ServiceConfiguration!;
    const endpoint = (await c.ec2.send(new CreateVpcEndpointCommand({ VpcId: s.vpcId, ServiceName: service.ServiceName, VpcEndpointType: 'Interface' }))).VpcEndpoint!;
    await writeFile(s.file, JSON.stringify({ clusters: [{ ...JSON.parse(await readFile(s.file, 'utf8')).clusters[0], recordTarget: { vpcEndpointId: endpoint.VpcEndpointId } }] }));

    const run = await cli('apply', '--config', s.file);
    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    const b1 = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? []).find((r) => r.Name === 'b-1.kafka.example.com.');
    expect(b1?.AliasTarget?.DNSName?.replace(/\.$/, '')).toBe(endpoint.DnsEntries![0]!.DnsName);
    await converged(s);
  });

  test('a foreign listener on a wanted port and a foreign record on a wanted name: reported (exit 2), left as they were', async () => {
    const s = await seed([1, 2, 3]);
    const c = clients();
    const foreignGroup = (await c.elbv2.send(new CreateTargetGroupCommand({ Name: 'someone-elses', Protocol: 'TCP', Port: 80, VpcId: s.vpcId, TargetType: 'ip' }))).TargetGroups![0]!;
    const foreign = (await c.elbv2.send(new CreateListenerCommand({
      LoadBalancerArn: s.lbArn, Port: 9002, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', TargetGroupArn: foreignGroup.TargetGroupArn }],
    }))).Listeners![0]!;
    await c.route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: s.zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'b-3.kafka.example.com', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] } }] },
    }));

    const run = await cli('apply', '--config', s.file);
    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toContain(`port 9002 of msk-orders/${s.lbArn.split('/').pop()} (wanted for broker-2) has a listener this tool does not own (${foreign.ListenerArn})`);
    expect(run.out).toContain('b-3.kafka.example.com. already exists (CNAME) and was not created by this tool');
    const now = await state(s);
    expect(now.listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'foreign', 9003: 'broker-3' });
    const b3 = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? []).find((r) => r.Name === 'b-3.kafka.example.com.');
    expect(b3).toMatchObject({ Type: 'CNAME', ResourceRecords: [{ Value: 'elsewhere.example.net' }] });
  });

  test("destroy after an apply: the tool's listeners, groups, names, TXT registry and alarms go; a foreign listener and record stay; a second destroy has nothing to do", async () => {
    const s = await seed([1, 2, 3]);
    const c = clients();
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    const foreignGroup = (await c.elbv2.send(new CreateTargetGroupCommand({ Name: 'someone-elses', Protocol: 'TCP', Port: 80, VpcId: s.vpcId, TargetType: 'ip' }))).TargetGroups![0]!;
    await c.elbv2.send(new CreateListenerCommand({ LoadBalancerArn: s.lbArn, Port: 9100, Protocol: 'TCP', DefaultActions: [{ Type: 'forward', TargetGroupArn: foreignGroup.TargetGroupArn }] }));
    await c.route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: s.zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: 'kafka-ui.kafka.example.com', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] } }] },
    }));

    const dry = await cli('destroy', '--config', s.file, '--cluster', 'orders');
    expect(dry.code).toBe(EXIT.ok);
    expect((await state(s)).listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'broker-2', 9003: 'broker-3', 9100: 'foreign' });

    const run = await cli('destroy', '--config', s.file, '--cluster', 'orders', '--yes');

    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    const after = await state(s);
    expect(after.listeners).toEqual({ 9100: 'foreign' });
    expect(after.targets).toEqual({});
    expect(after.records).toEqual(['kafka-ui.kafka.example.com']);
    expect(after.alarmBrokers).toEqual([]);
    const txt = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? []).filter((r) => r.Type === 'TXT');
    expect(txt).toEqual([]);
    const again = await cli('destroy', '--config', s.file, '--cluster', 'orders', '--json');
    expect(JSON.parse(again.out)[0].plan.actions).toEqual([]);
  });

  test("AWS's sample built by hand (TLS listeners 9000-9003, <stack>-msk-* groups on 9098, CNAMEs at TTL 300): adopt keeps every listener ARN; the tool then manages them through 6 brokers and back to 3", async () => {
    const s = await seed([1, 2, 3]);
    const c = clients();
    const { certificateArn } = JSON.parse(await readFile(s.file, 'utf8')).clusters[0];
    const lb = (await c.elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [s.lbArn] }))).LoadBalancers![0]!;
    const sample: [string, number, string[]][] = [['all', 9000, [1, 2, 3].map((id) => ip(id))], ...[1, 2, 3].map((id): [string, number, string[]] => [`b${id}`, 9000 + id, [ip(id)]])];
    for (const [suffix, port, ips] of sample) {
      const group = (await c.elbv2.send(new CreateTargetGroupCommand({ Name: `msk-sample-msk-${suffix}`, Protocol: 'TLS', Port: 9098, VpcId: s.vpcId, TargetType: 'ip' }))).TargetGroups![0]!;
      await c.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: group.TargetGroupArn, Targets: ips.map((Id) => ({ Id, Port: 9098 })) }));
      await c.elbv2.send(new CreateListenerCommand({
        LoadBalancerArn: s.lbArn, Port: port, Protocol: 'TLS', Certificates: [{ CertificateArn: certificateArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
        DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroupArn }],
      }));
    }
    await c.route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: s.zoneId,
      ChangeBatch: { Changes: ['bootstrap', 'b-1', 'b-2', 'b-3'].map((n) => ({ Action: 'CREATE', ResourceRecordSet: { Name: `${n}.kafka.example.com`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: lb.DNSName! }] } })) },
    }));
    const arns = async () => Object.fromEntries(((await c.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: s.lbArn }))).Listeners ?? []).map((l) => [l.Port!, l.ListenerArn!]));
    const before = await arns();
    expect((await cli('plan', '--config', s.file)).code).toBe(EXIT.notConverged);

    const dry = await cli('adopt', '--config', s.file, '--cluster', 'orders');
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.out).toContain('would adopt 12 resource(s) (dry run: nothing written; run with --apply)');
    expect((await state(s)).listeners).toEqual({ 9000: 'foreign', 9001: 'foreign', 9002: 'foreign', 9003: 'foreign' });
    const applied = await cli('adopt', '--config', s.file, '--cluster', 'orders', '--apply');
    expect({ code: applied.code, err: applied.err }).toEqual({ code: EXIT.ok, err: '' });
    expect((await state(s)).listeners).toEqual({ 9000: 'bootstrap', 9001: 'broker-1', 9002: 'broker-2', 9003: 'broker-3' });
    expect(await arns()).toEqual(before);
    const records = ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? []);
    expect(records.filter((r) => r.Type === 'CNAME').map((r) => `${r.Name} ${r.TTL} ${r.ResourceRecords![0].Value}`).sort()).toEqual(
      ['b-1', 'b-2', 'b-3', 'bootstrap'].map((n) => `${n}.kafka.example.com. 300 ${lb.DNSName}`),
    );
    expect(records.filter((r) => r.Type === 'TXT').map((r) => r.Name).sort()).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap'].map((n) => `_msk-custom-domain.${n}.kafka.example.com.`));

    // What the tool still wants: alias records, its health checks, cross-zone; no listener conflict.
    const plan = await cli('plan', '--config', s.file);
    expect(plan.code).toBe(EXIT.ok);
    expect(plan.out).not.toContain('CONFLICT');
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    expect(await arns()).toEqual(before);

    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3, 4, 5, 6].map((id) => ({ id, ip: ip(id) })));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    const all = ((await c.elbv2.send(new DescribeTargetGroupsCommand({ Names: ['msk-sample-msk-all'] }))).TargetGroups ?? [])[0]!;
    const bootstrapTargets = ((await c.elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: all.TargetGroupArn }))).TargetHealthDescriptions ?? []).map((d) => d.Target!.Id!).sort();
    expect(bootstrapTargets).toEqual([1, 2, 3, 4, 5, 6].map((id) => ip(id)).sort());
    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3].map((id) => ({ id, ip: ip(id) })));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    expect(await arns()).toEqual(before);
    const last = await cli('plan', '--config', s.file, '--detailed-exitcode');
    expect({ code: last.code, out: last.out }).toEqual({ code: EXIT.ok, out: expect.any(String) });
  });

  test('broker security group shut to the NLB (read over HTTP: DescribeSecurityGroups, DescribeSubnets): plan and apply report it (exit 2), no name is made; a rule for the VPC converges', async () => {
    const s = await seed([1, 2]);
    const c = clients();
    await c.ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: s.brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9198, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
    await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: s.brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '192.168.0.0/16' }] }] }));
    const run = await cli('apply', '--config', s.file);
    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toContain(`the brokers' security group(s) ${s.brokerGroup} admit no TCP 9098 from load balancer msk-orders/${s.lbArn.split('/').pop()} (its subnet(s) subnet-`);
    expect(run.out).toContain('not published (nor advertised): bootstrap.kafka.example.com, b-1.kafka.example.com, b-2.kafka.example.com');
    const names = async () => ((await c.route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: s.zoneId }))).ResourceRecordSets ?? []).filter((r) => r.Type === 'A').map((r) => r.Name);
    expect(await names()).toEqual([]);
    await c.ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: s.brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9098, ToPort: 9098, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    expect((await names()).sort()).toEqual(['b-1.kafka.example.com.', 'b-2.kafka.example.com.', 'bootstrap.kafka.example.com.']);
  });

  test("AWS's SAN-only certificate (bootstrap + b-1..b-3): broker 4 is refused on a scale-out (exit 2, nothing made) until a person overrides", async () => {
    // (Not a switch of live listeners: moto's ModifyListener answers "Protocol TLS is not supported".)
    const { key, cert } = testCa().issue(['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com']);
    const sans = (await clients().acm.send(new ImportCertificateCommand({ Certificate: Buffer.from(cert), PrivateKey: Buffer.from(key), CertificateChain: Buffer.from(testCa().pem) }))).CertificateArn!;
    const s = await seed([1, 2, 3], { certificateArn: sans });
    expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
    expect(Object.keys((await state(s)).listeners).map(Number)).toEqual([9000, 9001, 9002, 9003]);

    mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3, 4].map((id) => ({ id, ip: ip(id) })));
    const refused = await cli('apply', '--config', s.file);
    expect(refused.code).toBe(EXIT.notConverged);
    expect(refused.out).toContain(`CONFLICT listener :9004: certificate ${sans} does not cover b-4.kafka.example.com`);
    let now = await state(s);
    expect(Object.keys(now.listeners).map(Number)).toEqual([9000, 9001, 9002, 9003]);
    expect(now.records).toEqual(names([1, 2, 3]));
    expect(now.targets.boot).toContain(ip(4));

    const overridden = await cli('apply', '--config', s.file, '--allow-uncovered-certificate');
    expect(overridden.code).toBe(EXIT.ok);
    expect(overridden.out).toContain('as --allow-uncovered-certificate asks');
    now = await state(s);
    expect(now.listeners[9004]).toBe('broker-4');
    expect(now.records).toEqual(names([1, 2, 3, 4]));
  });

  test('dynamic-broker-config with fake Kafka brokers: apply makes them advertise the names, check passes, restore brings the AWS names back and check says so', async () => {
    const kafka = await startFakeCluster({ brokers: [1, 2, 3].map((id) => ({ id, host: `127.0.21.${id}` })), credentials: CREDENTIALS, region: REGION, advertise: 'aws-name' });
    kafkaAccess = { credentials: staticCredentials(), tls: { ca: [kafka.ca], lookup: kafka.lookup }, connectionTimeoutMs: 2000 };
    try {
      const s = await seed([1, 2, 3], { advertisedListeners: 'dynamic-broker-config' }, kafka.brokers.map((b) => ({ id: b.id, ip: ip(b.id), endpoint: b.awsHost, port: b.port })));
      const applied = await cli('apply', '--config', s.file);
      expect({ code: applied.code, err: applied.err }).toEqual({ code: EXIT.ok, err: '' });
      for (const id of [1, 2, 3]) expect(kafka.broker(id).advertisedEndpoint()).toEqual({ host: `b-${id}.kafka.example.com`, port: 9000 + id });
      const checked = await cli('check', '--config', s.file);
      expect(checked.out).toContain('Every check passed for 4 endpoint(s).');

      const restored = await cli('restore', '--config', s.file, '--cluster', s.clusterArn);
      expect({ code: restored.code, err: restored.err }).toEqual({ code: EXIT.ok, err: '' });
      for (const b of kafka.brokers) expect(kafka.broker(b.id).advertisedEndpoint()).toEqual({ host: b.awsHost, port: b.port });
      const after = await cli('check', '--config', s.file);
      expect(after.code).toBe(EXIT.notConverged);
      expect(after.out).toMatch(/broker-1 advertised: advertises b-1\.demo-cluster\.[^ ]+, expected b-1\.kafka\.example\.com:9001/);
    } finally {
      kafkaAccess = undefined;
      await kafka.stop();
    }
  });

  test('the cluster lease (DynamoDB conditional writes): a held lease makes the CLI and the function wait, an expired one is taken over, and a run gives it back', async () => {
    const ddb = new DynamoDBClient({ region: REGION });
    await ddb.send(new CreateTableCommand({
      TableName: 'mcd-leases', BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: 'clusterArn', AttributeType: 'S' }], KeySchema: [{ AttributeName: 'clusterArn', KeyType: 'HASH' }],
    }));
    const s = await seed([1, 2, 3]);
    const config = JSON.parse(await (await import('node:fs/promises')).readFile(s.file, 'utf8'));
    await writeFile(s.file, JSON.stringify({ ...config, lease: { table: 'mcd-leases', region: REGION } }));
    const store = dynamoDbLeaseStore(ddb, 'mcd-leases');
    const leaseItem = async () => (await ddb.send(new GetItemCommand({ TableName: 'mcd-leases', Key: { clusterArn: { S: s.clusterArn } } }))).Item;

    // Someone else holds it: the CLI waits (exit 2, naming the holder) and writes nothing.
    expect(await store.acquire(s.clusterArn, 'the resync function (request r-1)', 60_000)).toEqual({ ok: true });
    const held = await cli('apply', '--config', s.file);
    expect(held.code).toBe(EXIT.notConverged);
    expect(held.err).toMatch(/^waiting: cluster .* is being reconciled by the resync function \(request r-1\) since \d{4}-.*; its lease expires at /);
    expect((await state(s)).listeners).toEqual({});
    // The function, meanwhile, reports the cluster as waiting for a CLI's lease.
    await store.release(s.clusterArn, 'the resync function (request r-1)');
    expect(await store.acquire(s.clusterArn, 'the CLI of ops@laptop (pid 1)', 60_000)).toEqual({ ok: true });
    const quiet = logger.child({});
    quiet.level = 'silent';
    const fn = await resync({ clusterArn: s.clusterArn }, {
      config: { clusters: [config.clusters[0]] }, clientsFor: createAwsClients, logger: quiet,
      lease: { store, holder: 'the resync function (request r-2)' },
    });
    expect(fn.clusters.map((c) => [c.status, c.summary])).toEqual([['waiting', expect.stringContaining('is being reconciled by the CLI of ops@laptop (pid 1)')]]);
    expect((await state(s)).listeners).toEqual({});

    // Our own write whose reply was lost: the retry is refused, yet the lease is ours.
    expect(await store.acquire(s.clusterArn, 'the CLI of ops@laptop (pid 1)', 60_000)).toEqual({ ok: true });

    // A holder that died: its lease expired, the next run takes it over, applies, and gives it back.
    await store.release(s.clusterArn, 'the CLI of ops@laptop (pid 1)');
    expect(await store.acquire(s.clusterArn, 'a crashed run', -1)).toEqual({ ok: true });
    const run = await cli('apply', '--config', s.file);
    expect({ code: run.code, err: run.err }).toEqual({ code: EXIT.ok, err: '' });
    expect(Object.keys((await state(s)).listeners)).toHaveLength(4);
    expect(await leaseItem()).toBeUndefined();
  });
});
