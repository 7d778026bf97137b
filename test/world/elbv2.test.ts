import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  AddTagsCommand,
  CertificateNotFoundException,
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  DescribeListenersCommand,
  DescribeLoadBalancerAttributesCommand,
  DescribeTargetGroupAttributesCommand,
  ModifyLoadBalancerAttributesCommand,
  ModifyTargetGroupAttributesCommand,
  DescribeLoadBalancersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  DuplicateListenerException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2Client,
  ElasticLoadBalancingV2ServiceException,
  InvalidTargetException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ModifyListenerCommand,
  RegisterTargetsCommand,
  RemoveTagsCommand,
  ResourceInUseException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  TooManyListenersException,
  type CreateTargetGroupCommandInput,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { AWS_TIMING, AwsWorld, VirtualClock } from './index';

let world: AwsWorld;
let elb: ElasticLoadBalancingV2Client;
let lbArn: string;
let certArn: string;

beforeEach(() => {
  world = AwsWorld.install();
  elb = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb', vpcId: 'vpc-0abc1234def567890' });
  certArn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
});
afterEach(() => world.restore());

const tgInput = (name: string, extra: Partial<CreateTargetGroupCommandInput> = {}): CreateTargetGroupCommandInput => ({
  Name: name, Protocol: 'TCP', Port: 9098, VpcId: 'vpc-0abc1234def567890', TargetType: 'ip', ...extra,
});

async function targetGroup(name: string, extra: Partial<CreateTargetGroupCommandInput> = {}): Promise<string> {
  const out = await elb.send(new CreateTargetGroupCommand(tgInput(name, extra)));
  return out.TargetGroups![0].TargetGroupArn!;
}

async function tlsListener(port: number, tgArn: string, lb = lbArn) {
  return elb.send(new CreateListenerCommand({
    LoadBalancerArn: lb, Port: port, Protocol: 'TLS', Certificates: [{ CertificateArn: certArn }],
    DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
  }));
}

describe('load balancers', () => {
  test('DescribeLoadBalancers returns the NLB with its DNS name and canonical zone', async () => {
    const out = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [lbArn] }));
    expect(out.$metadata.httpStatusCode).toBe(200);
    expect(out.LoadBalancers![0]).toMatchObject({
      LoadBalancerArn: expect.stringMatching(/^arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/net\/msk-nlb\/[0-9a-f]{16}$/),
      DNSName: expect.stringMatching(/^msk-nlb-[0-9a-f]{16}\.elb\.eu-west-1\.amazonaws\.com$/),
      CanonicalHostedZoneId: 'Z2IFOLAFXWLO4F',
      Type: 'network',
      VpcId: 'vpc-0abc1234def567890',
      State: { Code: 'active' },
    });
  });

  test('an unknown ARN is LoadBalancerNotFound, with the wire code the SDK exposes', async () => {
    const error = await elb.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [`${lbArn}x`] })).catch((e) => e);
    expect(error).toBeInstanceOf(LoadBalancerNotFoundException);
    expect(error).toMatchObject({ name: 'LoadBalancerNotFoundException', Code: 'LoadBalancerNotFound', message: 'One or more load balancers not found', $fault: 'client' });
    expect(error.$metadata.httpStatusCode).toBe(400);
  });
});

describe('listeners', () => {
  test('CreateListener echoes the listener with the normalised forward action and the default TLS policy', async () => {
    const tg = await targetGroup('b-1');
    const out = await tlsListener(9001, tg);
    expect(out.Listeners![0]).toEqual({
      ListenerArn: expect.stringContaining(':listener/net/msk-nlb/'),
      LoadBalancerArn: lbArn,
      Port: 9001,
      Protocol: 'TLS',
      Certificates: [{ CertificateArn: certArn }],
      SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      AlpnPolicy: ['None'],
      DefaultActions: [{
        Type: 'forward', TargetGroupArn: tg,
        ForwardConfig: { TargetGroups: [{ TargetGroupArn: tg, Weight: 1 }], TargetGroupStickinessConfig: { Enabled: false } },
      }],
    });
  });

  test('TLS needs a certificate, and the certificate must exist in ACM', async () => {
    const tg = await targetGroup('b-1');
    const noCert = await elb.send(new CreateListenerCommand({ LoadBalancerArn: lbArn, Port: 9001, Protocol: 'TLS', DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }] })).catch((e) => e);
    expect(noCert).toBeInstanceOf(ElasticLoadBalancingV2ServiceException);
    expect(noCert).toMatchObject({ name: 'ValidationError', message: 'A certificate must be specified for TLS listeners' });
    const badCert = `${certArn}0`;
    const unknown = await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Port: 9001, Protocol: 'TLS', Certificates: [{ CertificateArn: badCert }], DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }],
    })).catch((e) => e);
    expect(unknown).toBeInstanceOf(CertificateNotFoundException);
    expect(unknown.message).toBe(`Certificate '${badCert}' not found`);
  });

  test('a taken port is DuplicateListener, unless the request is identical (idempotent)', async () => {
    const tg = await targetGroup('b-1');
    const first = await tlsListener(9001, tg);
    const again = await tlsListener(9001, tg);
    expect(again.Listeners![0].ListenerArn).toBe(first.Listeners![0].ListenerArn);
    const other = await targetGroup('b-2');
    const error = await tlsListener(9001, other).catch((e) => e);
    expect(error).toBeInstanceOf(DuplicateListenerException);
    expect(error.message).toBe(`A listener already exists on this port for this load balancer '${lbArn}'`);
    expect(world.elbv2.listeners(lbArn)).toHaveLength(1);
  });

  test('ports must be 1..65535', async () => {
    const tg = await targetGroup('b-1');
    const error = await tlsListener(65536, tg).catch((e) => e);
    expect(error).toMatchObject({ name: 'ValidationError', message: expect.stringContaining("Value '65536' at 'port'") });
  });

  test('50 listeners per NLB, then TooManyListeners', async () => {
    const tg = await targetGroup('all');
    for (let port = 9000; port < 9050; port++) await tlsListener(port, tg);
    await expect(tlsListener(9050, tg)).rejects.toBeInstanceOf(TooManyListenersException);
  });

  test('the target group must exist, speak a compatible protocol, and serve one load balancer only', async () => {
    await expect(tlsListener(9001, `${lbArn.replace('loadbalancer/net/msk-nlb', 'targetgroup/nope')}`)).rejects.toBeInstanceOf(TargetGroupNotFoundException);
    const udp = await targetGroup('udp', { Protocol: 'UDP' });
    await expect(tlsListener(9001, udp)).rejects.toMatchObject({ name: 'IncompatibleProtocolsException' });
    const tg = await targetGroup('b-1');
    await tlsListener(9001, tg);
    const otherLb = world.elbv2.addLoadBalancer({ name: 'other', vpcId: 'vpc-0abc1234def567890' });
    const error = await tlsListener(9001, tg, otherLb).catch((e) => e);
    expect(error).toBeInstanceOf(TargetGroupAssociationLimitException);
    expect(error.message).toBe(`The following target groups cannot be associated with more than one load balancer: ${tg}`);
  });

  test('tags given at creation are stored and described', async () => {
    const tg = await targetGroup('b-1');
    const out = await elb.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Port: 9001, Protocol: 'TLS', Certificates: [{ CertificateArn: certArn }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg }], Tags: [{ Key: 'managed-by', Value: 'msk-custom-domain-sync' }],
    }));
    const arn = out.Listeners![0].ListenerArn!;
    const tags = await elb.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
    expect(tags.TagDescriptions).toEqual([{ ResourceArn: arn, Tags: [{ Key: 'managed-by', Value: 'msk-custom-domain-sync' }] }]);
    expect(world.elbv2.listeners(lbArn)[0].tags).toEqual({ 'managed-by': 'msk-custom-domain-sync' });
  });

  test('DescribeListeners pages with PageSize/Marker and needs a load balancer or listener ARNs', async () => {
    const tg = await targetGroup('b-1');
    for (const port of [9000, 9001, 9002]) await tlsListener(port, tg);
    const first = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn, PageSize: 2 }));
    expect(first.Listeners!.map((l) => l.Port)).toEqual([9000, 9001]);
    const second = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn, PageSize: 2, Marker: first.NextMarker }));
    expect(second.Listeners!.map((l) => l.Port)).toEqual([9002]);
    expect(second.NextMarker).toBeUndefined();
    await expect(elb.send(new DescribeListenersCommand({}))).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.send(new DescribeListenersCommand({ ListenerArns: [`${first.Listeners![0].ListenerArn}0`] }))).rejects.toBeInstanceOf(ListenerNotFoundException);
  });

  test('ModifyListener changes port and target; a clash is the real ValidationError', async () => {
    const a = await targetGroup('a');
    const b = await targetGroup('b');
    const l1 = (await tlsListener(9001, a)).Listeners![0].ListenerArn!;
    await tlsListener(9002, a);
    const out = await elb.send(new ModifyListenerCommand({ ListenerArn: l1, Port: 9005, DefaultActions: [{ Type: 'forward', TargetGroupArn: b }] }));
    expect(out.Listeners![0]).toMatchObject({ Port: 9005, DefaultActions: [{ TargetGroupArn: b }], Certificates: [{ CertificateArn: certArn }] });
    await expect(elb.send(new ModifyListenerCommand({ ListenerArn: l1, Port: 9002 }))).rejects.toMatchObject({ name: 'ValidationError', message: "Listener port '9002' is already in use" });
  });

  test('DeleteListener removes it; deleting again is ListenerNotFound', async () => {
    const tg = await targetGroup('b-1');
    const arn = (await tlsListener(9001, tg)).Listeners![0].ListenerArn!;
    await elb.send(new DeleteListenerCommand({ ListenerArn: arn }));
    expect(world.elbv2.listeners(lbArn)).toEqual([]);
    await expect(elb.send(new DeleteListenerCommand({ ListenerArn: arn }))).rejects.toBeInstanceOf(ListenerNotFoundException);
  });

  test('foreign listeners can be seeded for conflict tests', async () => {
    const arn = world.elbv2.addListener({ loadBalancerArn: lbArn, port: 9004, protocol: 'TCP', tags: { owner: 'someone-else' } });
    const out = await elb.send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }));
    expect(out.Listeners).toEqual([expect.objectContaining({ ListenerArn: arn, Port: 9004, Protocol: 'TCP' })]);
    const tg = await targetGroup('b-4');
    await expect(tlsListener(9004, tg)).rejects.toBeInstanceOf(DuplicateListenerException);
  });
});

describe('target groups', () => {
  test('names: 32 chars, alphanumerics and hyphens, no leading/trailing hyphen, no internal- prefix', async () => {
    const cases: [string, string][] = [
      ['a'.repeat(33), `Target group name '${'a'.repeat(33)}' cannot be longer than '32' characters`],
      ['b_1', "Target group name 'b_1' can only contain characters that are alphanumeric characters or hyphens(-)"],
      ['-b1', "Target group name '-b1' cannot begin or end with '-'"],
      ['b1-', "Target group name 'b1-' cannot begin or end with '-'"],
      ['internal-b1', "Target group name 'internal-b1' cannot begin with 'internal-'"],
    ];
    for (const [name, message] of cases) {
      await expect(elb.send(new CreateTargetGroupCommand(tgInput(name)))).rejects.toMatchObject({ name: 'ValidationError', Code: 'ValidationError', message });
    }
  });

  test('same name + same settings returns the existing group; different settings is DuplicateTargetGroupName', async () => {
    const first = await targetGroup('b-1');
    expect(await targetGroup('b-1')).toBe(first);
    const error = await targetGroup('b-1', { Port: 9094 }).catch((e) => e);
    expect(error).toBeInstanceOf(DuplicateTargetGroupNameException);
    expect(error.message).toBe("A target group with the same name 'b-1' exists, but with different settings");
  });

  test('DescribeTargetGroups fills LoadBalancerArns from listeners and filters by load balancer, ARNs and names', async () => {
    const used = await targetGroup('used');
    const spare = await targetGroup('spare');
    await tlsListener(9001, used);
    const all = await elb.send(new DescribeTargetGroupsCommand({}));
    expect(all.TargetGroups!.map((t) => [t.TargetGroupName, t.LoadBalancerArns])).toEqual([['used', [lbArn]], ['spare', []]]);
    expect(all.TargetGroups![0]).toMatchObject({ Protocol: 'TCP', Port: 9098, VpcId: 'vpc-0abc1234def567890', TargetType: 'ip', HealthCheckProtocol: 'TCP', HealthCheckPort: 'traffic-port' });
    const byLb = await elb.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lbArn }));
    expect(byLb.TargetGroups!.map((t) => t.TargetGroupArn)).toEqual([used]);
    const byArn = await elb.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [spare] }));
    expect(byArn.TargetGroups!.map((t) => t.TargetGroupName)).toEqual(['spare']);
    await expect(elb.send(new DescribeTargetGroupsCommand({ Names: ['used', 'missing'] }))).rejects.toMatchObject({
      name: 'TargetGroupNotFoundException', message: 'One or more target groups not found',
    });
    const paged = await elb.send(new DescribeTargetGroupsCommand({ PageSize: 1 }));
    expect(paged.TargetGroups).toHaveLength(1);
    expect(paged.NextMarker).toBeDefined();
  });

  test('DeleteTargetGroup is refused while a listener forwards to it', async () => {
    const tg = await targetGroup('b-1');
    const listener = (await tlsListener(9001, tg)).Listeners![0].ListenerArn!;
    const error = await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg })).catch((e) => e);
    expect(error).toBeInstanceOf(ResourceInUseException);
    expect(error.message).toBe(`Target group '${tg}' is currently in use by a listener or a rule`);
    await elb.send(new DeleteListenerCommand({ ListenerArn: listener }));
    await elb.send(new DeleteTargetGroupCommand({ TargetGroupArn: tg }));
    expect(world.elbv2.targetGroups()).toEqual([]);
  });
});

describe('targets and health', () => {
  test('initial while the registration completes (AWS_TIMING, 180 s) and until the health checks pass (interval x healthy threshold); draining for the deregistration delay, then gone', async () => {
    const clock = new VirtualClock();
    world.restore();
    world = AwsWorld.install({ now: () => clock.now() });
    lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb' });
    certArn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const tg = await targetGroup('b-1');
    await tlsListener(9001, tg);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }] }));
    const health = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!;
    expect(await health()).toEqual([{
      Target: { Id: '10.0.1.11', Port: 9098, AvailabilityZone: 'eu-west-1a' }, HealthCheckPort: '9098',
      TargetHealth: { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' },
    }]);
    await clock.sleep(AWS_TIMING.registrationDelayMs + 149_000); // registration, then 30 s x 5 checks
    expect((await health())[0].TargetHealth!.State).toBe('initial');
    await clock.sleep(1_000);
    expect((await health())[0].TargetHealth).toEqual({ State: 'healthy' });
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }] }));
    expect(world.elbv2.targets(tg)).toEqual([expect.objectContaining({ id: '10.0.1.11', state: 'draining' })]);
    await clock.sleep(299_000);
    expect((await health())[0].TargetHealth).toMatchObject({ State: 'draining', Reason: 'Target.DeregistrationInProgress' });
    await clock.sleep(1_000);
    expect(await health()).toEqual([]);
  });

  test('a target nothing answers on turns unhealthy after the unhealthy threshold', async () => {
    const clock = new VirtualClock();
    world.restore();
    world = AwsWorld.install({ now: () => clock.now() });
    world.elbv2.reachable = (ip) => ip !== '10.0.2.12';
    lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb' });
    certArn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const tg = await targetGroup('boot');
    await tlsListener(9000, tg);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }, { Id: '10.0.2.12' }] }));
    await clock.sleep(AWS_TIMING.registrationDelayMs + 60_000);
    const states = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions!.map((d) => [d.Target!.Id, d.TargetHealth!.State]);
    expect(await states()).toEqual([['10.0.1.11', 'initial'], ['10.0.2.12', 'unhealthy']]);
    await clock.sleep(90_000);
    expect(await states()).toEqual([['10.0.1.11', 'healthy'], ['10.0.2.12', 'unhealthy']]);
  });

  test('a target deregistered while healthy still gets new connections for AWS\'s stale-routing time (about 75 s), an unhealthy one none', async () => {
    const clock = new VirtualClock();
    world.restore();
    world = AwsWorld.install({ now: () => clock.now() });
    lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb', attributes: { 'load_balancing.cross_zone.enabled': 'true' } });
    certArn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const tg = await targetGroup('boot');
    await tlsListener(9000, tg);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }, { Id: '10.0.2.12' }] }));
    await clock.sleep(AWS_TIMING.registrationDelayMs + 150_000);
    const picks = () => Array.from({ length: 6 }, () => world.elbv2.route(lbArn, 9000, 'eu-west-1a')).map((r) => (r.ok ? r.target.ip : r.reason));
    expect(new Set(picks())).toEqual(new Set(['10.0.1.11', '10.0.2.12']));
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.2.12' }] }));
    await clock.sleep(AWS_TIMING.staleRoutingMs - 1_000);
    expect(picks()).toContain('10.0.2.12');
    await clock.sleep(1_000);
    expect(new Set(picks())).toEqual(new Set(['10.0.1.11']));

    world.elbv2.reachable = (ip) => ip !== '10.0.1.11';
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.3.13' }] }));
    await clock.sleep(AWS_TIMING.registrationDelayMs + 150_000);
    await elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }] }));
    expect(new Set(picks())).toEqual(new Set(['10.0.3.13']));
  });

  test('an IP outside the VPC needs AvailabilityZone all; inside, the AZ comes from its subnet', async () => {
    const tg = await targetGroup('b-1');
    await expect(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '172.31.5.9' }] }))).rejects.toMatchObject({
      name: 'ValidationError', message: expect.stringContaining("its Availability Zone must be 'all'"),
    });
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '172.31.5.9', AvailabilityZone: 'all' }, { Id: '10.0.3.13' }] }));
    expect(world.elbv2.targets(tg).map((t) => [t.id, t.availabilityZone])).toEqual([['172.31.5.9', 'all'], ['10.0.3.13', 'eu-west-1c']]);
  });

  test('targets of a group no listener uses are "unused"', async () => {
    const tg = await targetGroup('idle');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }] }));
    const out = await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }));
    expect(out.TargetHealthDescriptions![0].TargetHealth).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });
  });

  test('a target in an AZ the NLB has not enabled stays "unused" (Target.NotInUse) and gets no connection, cross-zone or not, until the AZ is enabled', async () => {
    const clock = new VirtualClock();
    world.restore();
    world = AwsWorld.install({ now: () => clock.now() });
    lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb', zones: ['eu-west-1a', 'eu-west-1b'], attributes: { 'load_balancing.cross_zone.enabled': 'true' } });
    certArn = world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    expect(world.elbv2.nodeZones(lbArn)).toEqual(['eu-west-1a', 'eu-west-1b']);
    const tg = await targetGroup('b-3');
    await tlsListener(9003, tg);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.3.13' }] }));
    await clock.sleep(600_000);
    const health = async () => (await elb.send(new DescribeTargetHealthCommand({ TargetGroupArn: tg }))).TargetHealthDescriptions![0].TargetHealth;
    expect(await health()).toEqual({ State: 'unused', Reason: 'Target.NotInUse', Description: 'Target is in an Availability Zone that is not enabled for the load balancer' });
    expect(world.elbv2.crossZoneEnabled(tg, lbArn)).toBe(true);
    expect(world.elbv2.route(lbArn, 9003, 'eu-west-1a')).toEqual({ ok: false, reason: 'no target reachable from this AZ' });
    world.elbv2.setZones(lbArn, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect((await health())?.State).toBe('healthy');
    expect(world.elbv2.route(lbArn, 9003, 'eu-west-1a')).toMatchObject({ ok: true, target: { ip: '10.0.3.13' } });
  });

  test('IP targets must be IPv4 addresses; deregistering an unknown target is InvalidTarget', async () => {
    const tg = await targetGroup('b-1');
    await expect(elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: 'i-0123' }] }))).rejects.toBeInstanceOf(InvalidTargetException);
    await expect(elb.send(new DeregisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.9.9.9' }] }))).rejects.toBeInstanceOf(InvalidTargetException);
  });

  test('registering an existing target again is a no-op; ports default to the group port', async () => {
    const tg = await targetGroup('b-1');
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }, { Id: '10.0.1.12', Port: 9099 }] }));
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: '10.0.1.11' }] }));
    expect(world.elbv2.targets(tg).map((t) => [t.id, t.port, t.state])).toEqual([['10.0.1.11', 9098, 'registered'], ['10.0.1.12', 9099, 'registered']]);
  });
});

describe('tags', () => {
  test('DescribeTags takes at most 20 ARNs', async () => {
    const arns = Array.from({ length: 21 }, () => lbArn);
    await expect(elb.send(new DescribeTagsCommand({ ResourceArns: arns }))).rejects.toMatchObject({
      name: 'ValidationError', message: expect.stringContaining("at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20"),
    });
  });

  test('AddTags/RemoveTags on target groups; unknown resources are their type\'s NotFound', async () => {
    const tg = await targetGroup('b-1', { Tags: [{ Key: 'a', Value: '1' }] });
    await elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: [{ Key: 'b', Value: '2' }] }));
    await elb.send(new RemoveTagsCommand({ ResourceArns: [tg], TagKeys: ['a'] }));
    const out = await elb.send(new DescribeTagsCommand({ ResourceArns: [tg, lbArn] }));
    expect(out.TagDescriptions).toEqual([{ ResourceArn: tg, Tags: [{ Key: 'b', Value: '2' }] }, { ResourceArn: lbArn, Tags: [] }]);
    await expect(elb.send(new DescribeTagsCommand({ ResourceArns: [`${tg}0`] }))).rejects.toBeInstanceOf(TargetGroupNotFoundException);
    await expect(elb.send(new AddTagsCommand({ ResourceArns: [tg], Tags: [{ Key: 'x', Value: '1' }, { Key: 'x', Value: '2' }] }))).rejects.toMatchObject({ name: 'DuplicateTagKeysException' });
  });
});

describe('attributes and the data path', () => {
  async function brokerGroup(name: string, port: number, ip: string): Promise<string> {
    const tg = await targetGroup(name, { Protocol: 'TLS' });
    await tlsListener(port, tg);
    await elb.send(new RegisterTargetsCommand({ TargetGroupArn: tg, Targets: [{ Id: ip }] }));
    world.elbv2.setTargetHealth(tg, ip, { State: 'healthy' });
    return tg;
  }

  test('NLB defaults: cross-zone off on the load balancer, target groups inherit it', async () => {
    const tg = await targetGroup('b-1');
    const lbAttrs = await elb.send(new DescribeLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn }));
    expect(lbAttrs.Attributes).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'false' });
    const tgAttrs = await elb.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: tg }));
    expect(tgAttrs.Attributes).toContainEqual({ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' });
    expect(tgAttrs.Attributes).toContainEqual({ Key: 'deregistration_delay.timeout_seconds', Value: '300' });
    await expect(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'yes' }] })))
      .rejects.toMatchObject({ name: 'ValidationError' });
    await expect(elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'no.such.attribute', Value: '1' }] })))
      .rejects.toMatchObject({ name: 'ValidationError' });
  });

  test('with cross-zone off only the node in the target\'s AZ reaches it; on, every node does', async () => {
    const tg = await brokerGroup('b-1', 9001, '10.0.1.11');
    const zones = world.elbv2.nodeZones(lbArn);
    expect(zones).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    expect(zones.map((z) => world.elbv2.route(lbArn, 9001, z).ok)).toEqual([true, false, false]);
    await elb.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: tg, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }));
    expect(zones.map((z) => world.elbv2.route(lbArn, 9001, z))).toEqual(zones.map(() => ({ ok: true, targetGroupArn: tg, target: { ip: '10.0.1.11', port: 9098 } })));
    expect(world.elbv2.route(lbArn, 9009, zones[0])).toEqual({ ok: false, reason: 'no listener' });
  });

  test('NLB DNS answers with the nodes of AZs where every target group has a reachable healthy target, or all of them', async () => {
    const b1 = await brokerGroup('b-1', 9001, '10.0.1.11');
    expect(world.elbv2.dnsZones(lbArn)).toEqual(['eu-west-1a']);
    await brokerGroup('b-2', 9002, '10.0.2.12');
    // No AZ has a healthy target for both groups: DNS fails open.
    expect(world.elbv2.dnsZones(lbArn)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    await elb.send(new ModifyLoadBalancerAttributesCommand({ LoadBalancerArn: lbArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }));
    expect(world.elbv2.crossZoneEnabled(b1, lbArn)).toBe(true);
    world.elbv2.setTargetHealth(b1, '10.0.1.11', { State: 'unhealthy', Reason: 'Target.Timeout' });
    expect(world.elbv2.dnsZones(lbArn)).toEqual(['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    // Only unhealthy targets: the group fails open to them.
    expect(world.elbv2.route(lbArn, 9001, 'eu-west-1b')).toMatchObject({ ok: true, target: { ip: '10.0.1.11' } });
  });
});
