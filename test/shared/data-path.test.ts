// The parts of the data path the reconciler owns or checks, at the API level. What a client
// experiences through them is measured by the probe stories (test/stories/).
import { afterEach, describe, expect, test } from '@jest/globals';
import { createScenario, type Scenario } from '../support/scenario';

let s: Scenario | undefined;
afterEach(() => s?.world.restore());

const crossZone = (scenario: Scenario) =>
  Object.fromEntries(
    scenario.world.elbv2
      .targetGroups()
      .filter((g) => g.TargetGroupName!.startsWith('mcd-'))
      .map((g) => [g.TargetGroupName!.replace(/^mcd-orders-[0-9a-f]+-[0-9a-f]{3}-/, ''), scenario.world.elbv2.crossZoneEnabled(g.TargetGroupArn!, scenario.lbArn)]),
  );

describe('cross-zone load balancing', () => {
  test('every target group the tool creates has it on, although the NLB has it off', async () => {
    s = createScenario();
    await s.reconcile();
    expect(crossZone(s)).toEqual({ boot: true, b1: true, b2: true, b3: true });
  });

  test('a group switched back to the load balancer setting is put back, and plan says why', async () => {
    s = createScenario();
    await s.reconcile();
    const b2 = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-b2'))!;
    const { ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    await new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }).send(new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: b2.TargetGroupArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' }],
    }));
    expect(crossZone(s).b2).toBe(false);
    const { plan } = await s.reconcile();
    expect(plan.actions).toEqual([expect.objectContaining({
      type: 'set-target-group-attributes', resource: 'broker-2',
      attributes: { 'load_balancing.cross_zone.enabled': 'true' },
      reason: 'load_balancing.cross_zone.enabled was use_load_balancer_configuration',
    })]);
    expect(crossZone(s).b2).toBe(true);
    expect((await s.reconcile()).plan.actions).toEqual([]);
  });
});

describe('brokers outside the load balancer VPC (central NLB, peered VPC)', () => {
  test('their IPs are registered with AvailabilityZone all; those inside keep their subnet AZ', async () => {
    s = createScenario({ brokers: [{ id: 1, ip: '10.0.1.11' }, { id: 2, ip: '172.31.2.12' }, { id: 3, ip: '172.31.3.13' }] });
    const { applied } = await s.reconcile();
    expect(applied).toBeDefined();
    const b2 = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-b2'))!;
    const boot = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-boot'))!;
    expect(s.world.elbv2.targets(b2.TargetGroupArn!).map((t) => [t.id, t.availabilityZone])).toEqual([['172.31.2.12', 'all']]);
    expect(s.world.elbv2.targets(boot.TargetGroupArn!).map((t) => [t.id, t.availabilityZone]).sort()).toEqual([
      ['10.0.1.11', 'eu-west-1a'], ['172.31.2.12', 'all'], ['172.31.3.13', 'all'],
    ]);
    expect((await s.reconcile()).plan.actions).toEqual([]);
  });
});

describe('load balancer security groups', () => {
  test('a rule that stops at 9003 leaves broker 4 unreachable: plan warns, naming the ports', async () => {
    s = createScenario({
      brokerIds: [1, 2, 3, 4],
      loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '10.0.0.0/8' }],
    });
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.warnings).toEqual(expect.arrayContaining([
      expect.stringMatching(/^load balancer security group\(s\) sg-\w+ admit no TCP traffic on port\(s\) 9004 \(broker-4\): clients of those names will time out; add an ingress rule covering 9000-9004$/),
    ]));
  });

  test('groups that cover every listener port, and load balancers without groups, give no warning', async () => {
    s = createScenario({ loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9100, cidr: '10.0.0.0/8' }] });
    expect((await s.reconcile({ apply: false })).plan.warnings.filter((w) => w.includes('security group'))).toEqual([]);
    s.world.restore();
    s = createScenario();
    expect((await s.reconcile({ apply: false })).plan.warnings.filter((w) => w.includes('security group'))).toEqual([]);
  });
});

describe('loadBalancerIngress (opt-in: the tool keeps its own ingress rule)', () => {
  test('a security group that is not the load balancer\'s is refused before any write, naming the groups it has', async () => {
    s = createScenario({ loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '10.0.0.0/8' }] });
    const groups = s.world.elbv2.securityGroupsOf(s.lbArn);
    const config = { ...s.config, loadBalancerIngress: { securityGroupId: 'sg-0123456789abcdef0', source: '10.0.0.0/8' } };
    const { reconcileCluster } = await import('../../shared/reconcile');
    await expect(reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply: true })).rejects.toThrow(
      `loadBalancerIngress.securityGroupId sg-0123456789abcdef0 is not a security group of the load balancer msk-orders/${s.lbArn.split('/').pop()} (${groups[0]}); nothing was changed`,
    );
    expect(s.world.writes()).toEqual([]);
  });
});

describe('facts, not id spelling: the config is checked against what the APIs say, before any write', () => {
  test('a load balancer that is not a Network Load Balancer is refused, whatever its ARN says', async () => {
    s = createScenario();
    const alb = s.world.elbv2.addLoadBalancer({ name: 'web', type: 'application' });
    const { reconcileCluster } = await import('../../shared/reconcile');
    await expect(reconcileCluster(s.clients, { ...s.config, loadBalancerArn: alb }, { ...s.reconcileOptions, apply: true })).rejects.toThrow(
      `load balancer ${alb} is of type application, not network: brokers are mapped to TLS listeners of a Network Load Balancer; set loadBalancerArn to one`,
    );
    expect(s.world.writes()).toEqual([]);
  });

  test('a hosted zone that cannot hold the domain, or does not exist, is refused', async () => {
    s = createScenario();
    const other = s.world.route53.addHostedZone({ name: 'example.org' });
    const { reconcileCluster } = await import('../../shared/reconcile');
    await expect(reconcileCluster(s.clients, { ...s.config, hostedZoneId: other }, { ...s.reconcileOptions, apply: true })).rejects.toThrow(
      `hosted zone ${other} is example.org., which cannot hold kafka.example.com: set hostedZoneId to the zone of kafka.example.com`,
    );
    await expect(reconcileCluster(s.clients, { ...s.config, hostedZoneId: 'Z0000000000000NOPE' }, { ...s.reconcileOptions, apply: true })).rejects.toThrow(
      'hosted zone Z0000000000000NOPE not found: check hostedZoneId (a zone of another account needs hostedZoneRole)',
    );
    expect(s.world.writes()).toEqual([]);
  });

  test('a certificate ACM has not issued is refused before listeners or names are made', async () => {
    s = createScenario();
    const pending = s.world.acm.addCertificate({ domainName: '*.kafka.example.com', status: 'PENDING_VALIDATION' });
    const { reconcileCluster } = await import('../../shared/reconcile');
    await expect(reconcileCluster(s.clients, { ...s.config, certificateArn: pending }, { ...s.reconcileOptions, apply: true })).rejects.toThrow(
      `certificate ${pending} is PENDING_VALIDATION, not ISSUED: TLS listeners cannot use it; nothing was changed`,
    );
    expect(s.world.writes()).toEqual([]);
  });
});
