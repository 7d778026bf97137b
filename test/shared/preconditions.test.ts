// What a real account gets wrong outside the tool's reach: a broker in an AZ the NLB is not enabled
// in, a `-public` listener on a cluster without public access, broker security groups shut to the
// NLB. Each is a conflict naming the subnet and zone, the setting, or the groups and port, before
// any name goes live; `check` has a row for it; and once fixed, the next run converges.
import { afterEach, describe, expect, test } from '@jest/globals';
import { DescribeTargetHealthCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { checkCluster, type EndpointChecks } from '../../shared/check';
import { createScenario, type Scenario } from '../support/scenario';

const BROKER_GROUP = 'sg-0abc1234def567890';

let s: Scenario | undefined;
afterEach(() => s?.world.restore());

/** Host labels with a record (A or TXT) in the scenario's zone. */
const names = (scenario: Scenario) => [...new Set(scenario.world.route53.records(scenario.zoneId).map((r) => r.Name!.replace('.kafka.example.com.', '')).filter((n) => !n.endsWith('example.com.')))].sort();

const failed = (rows: EndpointChecks[], name: string) => rows.flatMap((r) => r.checks.filter((c) => c.name === name && !c.ok).map((c) => `${r.endpoint}: ${c.detail}`));
const passed = (rows: EndpointChecks[], name: string) => rows.every((r) => r.checks.some((c) => c.name === name && c.ok));

const subnetOf = (scenario: Scenario, zone: string) => scenario.world.ec2.subnets().find((n) => n.AvailabilityZone === zone)!;
const lbShort = (scenario: Scenario) => `msk-orders/${scenario.lbArn.split('/').pop()}`;

describe('a broker in an Availability Zone the NLB is not enabled in', () => {
  test('is a conflict naming broker, subnet, zone and the NLB\'s zones; its name is not published; check says so; enabling the zone converges', async () => {
    s = createScenario({ loadBalancer: { zones: ['eu-west-1a', 'eu-west-1b'] } });
    const { plan } = await s.reconcile();
    const c = subnetOf(s, 'eu-west-1c');
    expect(plan.conflicts).toEqual([{
      resource: `availability zone of broker 3 on ${lbShort(s)}`,
      message: `broker 3 is in ${c.SubnetId} (eu-west-1c), an Availability Zone load balancer ${lbShort(s)} is not enabled in (it has eu-west-1a, eu-west-1b): ` +
        'its target stays unused (Target.NotInUse) and gets no traffic, cross-zone or not; not published (nor advertised): b-3.kafka.example.com. ' +
        'Enable that zone on the load balancer (a subnet there: elbv2 set-subnets), or move the broker',
    }]);
    expect(plan.blocked).toEqual(['broker-3']);
    // Its listener, group and target are made ready; only the name waits. The others go live.
    expect(s.world.elbv2.listeners(s.lbArn).map((l) => l.Port).sort()).toEqual([9000, 9001, 9002, 9003]);
    expect(names(s)).toEqual(['_msk-custom-domain.b-1', '_msk-custom-domain.b-2', '_msk-custom-domain.bootstrap', 'b-1', 'b-2', 'bootstrap']);
    // ELBv2 says why nothing reaches it.
    const b3 = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-b3'))!;
    const health = await new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }).send(new DescribeTargetHealthCommand({ TargetGroupArn: b3.TargetGroupArn }));
    expect(health.TargetHealthDescriptions![0].TargetHealth).toMatchObject({ State: 'unused', Reason: 'Target.NotInUse' });

    const rows = await checkCluster(s.clients, s.config);
    expect(failed(rows, 'zone')).toEqual([expect.stringMatching(new RegExp(`^broker-3: broker 3 is in ${c.SubnetId} \\(eu-west-1c\\), an Availability Zone`))]);
    expect(rows[0].checks.find((ch) => ch.name === 'zone')).toEqual({ name: 'zone', ok: true, detail: 'served by brokers in eu-west-1a, eu-west-1b; not by broker 3 (eu-west-1c)' });

    s.world.elbv2.setZones(s.lbArn, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const fixed = await s.reconcile();
    expect(fixed.plan.conflicts).toEqual([]);
    expect(names(s)).toContain('b-3');
    expect(passed(await checkCluster(s.clients, s.config), 'zone')).toBe(true);
    expect((await s.reconcile()).plan.actions).toEqual([]);
  });

  test('no broker in a served zone holds back the bootstrap too; brokers outside the NLB\'s VPC (AZ all) are reached from every zone', async () => {
    s = createScenario({ brokers: [{ id: 1, ip: '10.0.3.11' }, { id: 2, ip: '172.31.2.12' }], loadBalancer: { zones: ['eu-west-1a'] } });
    // Broker 1 in zone c; broker 2 outside the VPC, registered with AZ all.
    s.world.msk.setBrokers(s.clusterArn, [{ id: 1, ip: '10.0.3.11', subnet: subnetOf(s, 'eu-west-1c').SubnetId }, { id: 2, ip: '172.31.2.12' }]);
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual([`availability zone of broker 1 on ${lbShort(s)}`]);
    expect(names(s)).toEqual(['_msk-custom-domain.b-2', '_msk-custom-domain.bootstrap', 'b-2', 'bootstrap']);
    s.world.msk.setBrokers(s.clusterArn, [{ id: 1, ip: '10.0.3.11', subnet: subnetOf(s, 'eu-west-1c').SubnetId }]);
    const only = await s.reconcile();
    expect(only.plan.conflicts.find((c) => c.message.includes('no broker in a zone'))?.message).toMatch(/not published \(nor advertised\): bootstrap\.kafka\.example\.com, b-1\.kafka\.example\.com\./);
  });
});

describe('a -public listener on a cluster without public access', () => {
  test('is a conflict naming the setting; no name of it is published; check says so; turning public access on converges', async () => {
    s = createScenario({ publicAccess: 'DISABLED', config: { authentication: 'iam-public' } });
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{
      resource: 'public access',
      message: "iam-public: the cluster's public access is off (ConnectivityInfo.PublicAccess.Type DISABLED), so brokers do not serve CLIENT_IAM_PUBLIC on 9198: every target stays unhealthy; " +
        'not published (nor advertised): bootstrap.kafka.example.com, b-1.kafka.example.com, b-2.kafka.example.com, b-3.kafka.example.com. ' +
        'Turn public access on (kafka update-connectivity, SERVICE_PROVIDED_EIPS), or map iam instead',
    }]);
    expect(names(s)).toEqual([]);
    const rows = await checkCluster(s.clients, s.config);
    expect(failed(rows, 'public-access')).toHaveLength(4);
    expect(failed(rows, 'public-access')[0]).toBe("bootstrap: the cluster's public access is off (ConnectivityInfo.PublicAccess.Type DISABLED), so brokers do not serve CLIENT_IAM_PUBLIC on 9198: every target stays unhealthy");

    s.world.msk.setPublicAccess(s.clusterArn, 'SERVICE_PROVIDED_EIPS');
    const fixed = await s.reconcile();
    expect(fixed.plan.conflicts).toEqual([]);
    expect(names(s)).toEqual(['_msk-custom-domain.b-1', '_msk-custom-domain.b-2', '_msk-custom-domain.b-3', '_msk-custom-domain.bootstrap', 'b-1', 'b-2', 'b-3', 'bootstrap']);
    expect(passed(await checkCluster(s.clients, s.config), 'public-access')).toBe(true);
  });

  test('the private listener beside it goes live all the same', async () => {
    s = createScenario({ publicAccess: 'DISABLED' });
    const publicLb = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-public', scheme: 'internet-facing' });
    const publicZone = s.world.route53.addHostedZone({ name: 'example.com' });
    const config = { ...s.config, listeners: [{ authentication: 'iam' as const }, { authentication: 'iam-public' as const, loadBalancerArn: publicLb, hostedZoneId: publicZone }] };
    const { reconcileCluster } = await import('../../shared/reconcile');
    const { parseConfig } = await import('../../shared/config/load');
    const parsed = parseConfig({ clusters: [config] }).clusters[0];
    const { plan } = await reconcileCluster(s.clients, parsed, { ...s.reconcileOptions, apply: true });
    expect(plan.conflicts.map((c) => c.resource)).toEqual([expect.stringMatching(/^iam-public@msk-orders-public\/\w+ public access$/)]);
    expect(names(s)).toContain('b-3');
    expect(s.world.route53.records(publicZone).filter((r) => r.Type === 'A')).toEqual([]);
  });
});

describe('broker security groups that do not admit the NLB on the target port', () => {
  test('a rule that admits only one of the NLB\'s subnets: a conflict naming the groups, port and the subnets shut out; check says so; widening it converges', async () => {
    s = createScenario();
    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, cidr: '10.0.3.0/24' }]);
    const { plan } = await s.reconcile();
    const [a, b] = [subnetOf(s, 'eu-west-1a'), subnetOf(s, 'eu-west-1b')];
    expect(plan.conflicts).toEqual([{
      resource: `broker security groups :9098 on ${lbShort(s)}`,
      message: `the brokers' security group(s) ${BROKER_GROUP} admit no TCP 9098 from load balancer ${lbShort(s)} ` +
        `(its subnet(s) ${a.SubnetId} 10.0.1.0/24 (eu-west-1a), ${b.SubnetId} 10.0.2.0/24 (eu-west-1b)): health checks and client connections time out; ` +
        'not published (nor advertised): bootstrap.kafka.example.com, b-1.kafka.example.com, b-2.kafka.example.com, b-3.kafka.example.com. ' +
        'Add an ingress rule to a broker security group admitting TCP 9098 from 10.0.0.0/16',
    }]);
    expect(names(s)).toEqual([]);
    expect(failed(await checkCluster(s.clients, s.config), 'broker-ingress')).toHaveLength(4);

    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, cidr: '10.0.0.0/16' }]);
    expect((await s.reconcile()).plan.conflicts).toEqual([]);
    expect(names(s)).toHaveLength(8);
    expect(passed(await checkCluster(s.clients, s.config), 'broker-ingress')).toBe(true);
  });

  test('an NLB with security groups: admitted by a rule naming its group, not by one naming another group or another port', async () => {
    s = createScenario({ loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9010, cidr: '10.0.0.0/8' }] });
    const [nlbGroup] = s.world.elbv2.securityGroupsOf(s.lbArn);
    const clients = s.world.ec2.addSecurityGroup({ name: 'kafka-clients', ingress: [] });
    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, sourceGroupId: clients }, { protocol: 'tcp', fromPort: 9096, toPort: 9096, sourceGroupId: nlbGroup }]);
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.message)).toEqual([expect.stringContaining(`admit no TCP 9098 from load balancer ${lbShort(s)} (its security group(s) ${nlbGroup}, nor its subnet(s) `)]);
    expect(plan.conflicts[0].message).toMatch(new RegExp(`admitting TCP 9098 from ${nlbGroup}$`));
    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, sourceGroupId: nlbGroup }]);
    expect((await s.reconcile()).plan.conflicts).toEqual([]);
    expect(names(s)).toHaveLength(8);
  });
});
