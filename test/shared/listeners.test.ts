import { afterEach, describe, expect, test } from '@jest/globals';
import { RemoveTagsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseConfig } from '../../shared/config/load';
import type { ClusterConfig } from '../../shared/config/schema';

import { TAG_LISTENER } from '../../shared/naming';
import { observe } from '../../shared/observe';
import { reconcileCluster } from '../../shared/reconcile';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../support/scenario';
import { resolveCluster, resolveListeners } from '../../shared/listeners';

// Several client listeners per cluster: IAM and SCRAM side by side, an internal and an
// internet-facing NLB for one cluster, bootstrap-only. Each is read back through the SDK.

let s: Scenario;
afterEach(() => s?.world.restore());

const SCRAM = { authentication: 'scram' as const, bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' };

function withListeners(scenario: Scenario, listeners: unknown[], extra: Record<string, unknown> = {}): ClusterConfig {
  const { listeners: _, ...base } = scenario.config;
  return parseConfig({ clusters: [{ ...base, ...extra, listeners }] }).clusters[0];
}

const run = (config: ClusterConfig, options: { apply?: boolean } = {}) => reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply: options.apply ?? true });

/** Per load balancer: port -> broker port the group forwards to, and the group's target IPs. */
async function layout(config: ClusterConfig) {
  const observed = await observe(s.clients, resolveCluster(config));
  const groups = new Map(observed.targetGroups.map((g) => [g.arn, g]));
  const perLb = observed.loadBalancers.map((site) =>
    Object.fromEntries(
      site.listeners
        .sort((a, b) => a.port - b.port)
        .map((l) => {
          const group = groups.get(l.targetGroupArn ?? '');
          return [l.port, `${group?.port}:${(group?.targets ?? []).filter((t) => t.state !== 'draining').map((t) => t.ip).sort().join(',')}`];
        }),
    ),
  );
  const names = observed.zones.map((z) => z.records.filter((r) => r.type === 'A' || r.type === 'CNAME').map((r) => `${r.name} -> ${r.alias?.dnsName ?? r.values?.[0]}`).sort());
  return { observed, perLb, names, targetGroups: observed.targetGroups.length };
}

describe('IAM and SASL/SCRAM on one cluster behind one NLB', () => {
  test('both listeners get their own listeners, target groups (to 9098 and 9096) and names; a second run changes nothing', async () => {
    s = createScenario();
    const config = withListeners(s, [{ authentication: 'iam' }, SCRAM]);
    await run(config);
    const { perLb, names, targetGroups } = await layout(config);
    const ips = [1, 2, 3].map((id) => brokerIp(id));
    expect(perLb[0]).toEqual({
      9000: `9098:${[...ips].sort().join(',')}`, 9001: `9098:${ips[0]}`, 9002: `9098:${ips[1]}`, 9003: `9098:${ips[2]}`,
      9100: `9096:${[...ips].sort().join(',')}`, 9101: `9096:${ips[0]}`, 9102: `9096:${ips[1]}`, 9103: `9096:${ips[2]}`,
    });
    expect(targetGroups).toBe(8);
    expect(names[0].map((n) => n.split(' ')[0])).toEqual(
      ['b-1', 'b-2', 'b-3', 'bootstrap', 'bootstrap-scram', 's-1', 's-2', 's-3'].map((h) => `${h}.kafka.example.com.`).sort(),
    );

    s.world.resetCalls();
    const again = await run(config);
    expect(again.plan.actions).toEqual([]);
    expect(s.world.writes()).toEqual([]);
  });

  test('scale-out and scale-in move both listeners together; plan keys name the listener', async () => {
    s = createScenario();
    const config = withListeners(s, [{ authentication: 'iam' }, SCRAM]);
    await run(config);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    const out = await run(config);
    const lb = resolveListeners(config)[0].id.split('@')[1];
    expect(out.plan.actions.filter((a) => a.type === 'create-listener').map((a) => a.resource)).toEqual([`iam@${lb} broker-4`, `scram@${lb} broker-4`]);
    expect(Object.keys((await layout(config)).perLb[0])).toEqual(['9000', '9001', '9002', '9003', '9004', '9100', '9101', '9102', '9103', '9104']);

    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 2)));
    await run(config);
    const after = await layout(config);
    expect(Object.keys(after.perLb[0])).toEqual(['9000', '9001', '9002', '9100', '9101', '9102']);
    expect(after.targetGroups).toBe(6);
    expect(after.names[0]).toHaveLength(6);
  });

  test('dropping a listener from the config removes only its listeners, groups and names', async () => {
    s = createScenario();
    const both = withListeners(s, [{ authentication: 'iam' }, SCRAM]);
    await run(both);
    const iamOnly = withListeners(s, [{ authentication: 'iam' }]);
    const out = await run(iamOnly);
    expect(out.plan.conflicts).toEqual([]);
    const { perLb, names, targetGroups } = await layout(iamOnly);
    expect(Object.keys(perLb[0])).toEqual(['9000', '9001', '9002', '9003']);
    expect(Object.values(perLb[0]).every((v) => v.startsWith('9098:'))).toBe(true);
    expect(targetGroups).toBe(4);
    expect(names[0].map((n) => n.split('.')[0])).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap']);
  });
});

describe('one cluster behind an internal and an internet-facing NLB', () => {
  function twoSites() {
    s = createScenario();
    const publicLb = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-public' });
    const publicZone = s.world.route53.addHostedZone({ name: 'example.com' });
    // Split horizon: the same names, each zone pointing at its own load balancer.
    const config = withListeners(s, [
      { authentication: 'iam' },
      { authentication: 'iam-public', loadBalancerArn: publicLb, hostedZoneId: publicZone },
    ]);
    return { config, publicLb, publicZone };
  }

  test('each NLB gets its own listeners and groups, each zone names its own NLB, and neither adopts the other\'s', async () => {
    const { config, publicLb } = twoSites();
    await run(config);
    const { perLb, names, targetGroups, observed } = await layout(config);
    const ips = [1, 2, 3].map((id) => brokerIp(id));
    expect(perLb[0]).toEqual({ 9000: `9098:${[...ips].sort().join(',')}`, 9001: `9098:${ips[0]}`, 9002: `9098:${ips[1]}`, 9003: `9098:${ips[2]}` });
    expect(perLb[1]).toEqual({ 9000: `9198:${[...ips].sort().join(',')}`, 9001: `9198:${ips[0]}`, 9002: `9198:${ips[1]}`, 9003: `9198:${ips[2]}` });
    expect(targetGroups).toBe(8);
    const internalDns = observed.loadBalancers[0].loadBalancer.dnsName.toLowerCase();
    const publicDns = observed.loadBalancers[1].loadBalancer.dnsName.toLowerCase();
    expect(observed.loadBalancers[1].loadBalancer.arn).toBe(publicLb);
    expect(names[0]).toHaveLength(4);
    expect(names[0].every((n) => n.toLowerCase().includes(internalDns))).toBe(true);
    expect(names[1]).toHaveLength(4);
    expect(names[1].every((n) => n.toLowerCase().includes(publicDns))).toBe(true);

    s.world.resetCalls();
    expect((await run(config)).plan.actions).toEqual([]);
    expect(s.world.writes()).toEqual([]);
  });

  test('a replaced broker moves on both NLBs in one run', async () => {
    const { config } = twoSites();
    await run(config);
    s.world.msk.setBrokers(s.clusterArn, [{ id: 1, ip: brokerIp(1) }, { id: 2, ip: brokerIp(2, 1) }, { id: 3, ip: brokerIp(3) }]);
    await run(config);
    const { perLb } = await layout(config);
    expect(perLb[0][9002]).toBe(`9098:${brokerIp(2, 1)}`);
    expect(perLb[1][9002]).toBe(`9198:${brokerIp(2, 1)}`);
  });

  test('a config that drops the internal NLB removes what the tool made there (found through its target groups and tags), and leaves the public NLB as it was', async () => {
    const { config, publicLb, publicZone } = twoSites();
    await run(config);
    const before = await layout(config);
    const publicOnly = withListeners(s, [{ authentication: 'iam-public' }], { loadBalancerArn: publicLb, hostedZoneId: publicZone, authentication: 'iam-public' });
    const out = await run(publicOnly);
    // The internal NLB is read as a former load balancer (the cluster's groups are attached to it), its zone as a former zone (the tags name it).
    expect(out.observed.loadBalancers.map((site) => [site.loadBalancer.arn, site.former ?? false])).toEqual([[publicLb, false], [s.lbArn, true]]);
    expect(out.observed.zones.map((z) => [z.hostedZoneId, z.former ?? false])).toEqual([[publicZone, false], [s.zoneId, true]]);
    const types = out.plan.actions.map((a) => a.type);
    expect(types.filter((t) => t === 'delete-listener')).toHaveLength(4);
    expect(types.filter((t) => t === 'delete-target-group')).toHaveLength(4);
    const cleanup = out.plan.actions.find((a) => a.type === 'change-records' && a.cleanup);
    expect(cleanup?.type === 'change-records' && [cleanup.hostedZoneId, cleanup.changes.map((c) => c.action)]).toEqual([s.zoneId, Array(8).fill('DELETE')]);
    // Nothing of the tool's is left on the internal NLB or in its zone; the public side is as it was, and a second run changes nothing.
    expect(s.world.elbv2.listeners(s.lbArn)).toEqual([]);
    expect(s.world.route53.records(s.zoneId).filter((r) => /kafka\.example\.com\.$/.test(r.Name!))).toEqual([]);
    const after = await layout(publicOnly);
    expect(after.perLb).toEqual([before.perLb[1]]);
    expect(after.names).toEqual([before.names[1]]);
    expect((await run(publicOnly)).plan.actions).toEqual([]);
  });
});

describe('review fixes: what one listener inherits and shares', () => {
  test('a security group shared by two NLBs keeps both listeners\' rules: no revoke, and a second run changes nothing', async () => {
    s = createScenario({ loadBalancerIngress: [{ protocol: 'tcp', fromPort: 443, toPort: 443, cidr: '10.0.0.0/8' }] });
    const [group] = s.world.elbv2.securityGroupsOf(s.lbArn);
    const publicLb = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-public', securityGroups: [group] });
    const publicZone = s.world.route53.addHostedZone({ name: 'example.com' });
    const ingress = { securityGroupId: group, source: '10.0.0.0/8' };
    const config = withListeners(s, [
      { authentication: 'iam', loadBalancerIngress: ingress },
      { authentication: 'iam-public', loadBalancerArn: publicLb, hostedZoneId: publicZone, bootstrapPort: 9100, brokerPortBase: 9100, loadBalancerIngress: ingress },
    ]);
    const first = await run(config);
    expect(first.plan.actions.filter((a) => a.type === 'revoke-ingress')).toEqual([]);
    const rules = () => s.world.ec2.ingressRules(group).filter((r) => r.Tags?.length).map((r) => `${r.FromPort}-${r.ToPort}`).sort();
    expect(rules()).toEqual(['9000-9003', '9100-9103']);
    s.world.resetCalls();
    expect((await run(config)).plan.actions).toEqual([]);
    expect(rules()).toEqual(['9000-9003', '9100-9103']);
  });

  test('a listener on another NLB inherits neither the cluster\'s recordTarget nor its loadBalancerIngress (both belong to the cluster\'s NLB)', () => {
    s = createScenario();
    const config = withListeners(s, [{ authentication: 'iam' }, { authentication: 'iam-public', loadBalancerArn: s.lbArn.replace('/msk-orders/', '/msk-public/'), domain: 'public.example.com' }], {
      recordTarget: { vpcEndpointDnsName: 'vpce-0abc-12345678.vpce-svc-0123.eu-west-1.vpce.amazonaws.com', hostedZoneId: 'ZVPCE' },
      loadBalancerIngress: { securityGroupId: 'sg-0123456789abcdef0', source: '10.0.0.0/8' },
    });
    const [internal, other] = resolveListeners(config);
    expect(internal.recordTarget).toBeDefined();
    expect(internal.loadBalancerIngress).toBeDefined();
    expect(other.recordTarget).toBeUndefined();
    expect(other.loadBalancerIngress).toBeUndefined();
  });
});

describe('bootstrap-only', () => {
  test('only the bootstrap listener, group and name; brokers keep their AWS names', async () => {
    s = createScenario();
    const config = withListeners(s, [{ authentication: 'iam', endpoints: 'bootstrap-only' }]);
    await run(config);
    const { perLb, names, targetGroups } = await layout(config);
    expect(perLb[0]).toEqual({ 9000: `9098:${[1, 2, 3].map((id) => brokerIp(id)).sort().join(',')}` });
    expect(targetGroups).toBe(1);
    expect(names[0].map((n) => n.split(' ')[0])).toEqual(['bootstrap.kafka.example.com.']);

    // Scale-out: the new broker joins the bootstrap group; no listener or name of its own.
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    await run(config);
    expect((await layout(config)).perLb[0]).toEqual({ 9000: `9098:${[1, 2, 3, 4].map((id) => brokerIp(id)).sort().join(',')}` });
  });

  test('switching a per-broker listener to bootstrap-only removes its broker listeners, groups and names, keeping the bootstrap', async () => {
    s = createScenario();
    await s.reconcile();
    const config = withListeners(s, [{ authentication: 'iam', endpoints: 'bootstrap-only' }]);
    const out = await run(config);
    expect(out.plan.actions.filter((a) => a.type === 'delete-listener').map((a) => a.resource)).toEqual(['broker-1', 'broker-2', 'broker-3']);
    const { perLb, names } = await layout(config);
    expect(Object.keys(perLb[0])).toEqual(['9000']);
    expect(names[0]).toHaveLength(1);
  });
});

describe('resources made before listeners had identities', () => {
  test('listeners and groups without a listener tag belong to the primary listener: adopted, not recreated', async () => {
    s = createScenario();
    await s.reconcile();
    const observed = await observe(s.clients, resolveCluster(s.config));
    const arns = [...observed.loadBalancers[0].listeners.map((l) => l.arn), ...observed.targetGroups.map((g) => g.arn)];
    await s.clients.elbv2.send(new RemoveTagsCommand({ ResourceArns: arns, TagKeys: [TAG_LISTENER] }));

    s.world.resetCalls();
    // The shorthand config and its spelled-out form (primary first or not) adopt them alike.
    expect((await s.reconcile()).plan.actions).toEqual([]);
    const spelled = withListeners(s, [SCRAM, { authentication: 'iam' }]);
    const out = await run(spelled, { apply: false });
    expect(out.plan.actions.filter((a) => a.type.startsWith('delete'))).toEqual([]);
    // The new SCRAM listener's names wait for its targets (the health gate), like any new name.
    expect(out.plan.actions.every((a) => a.resource.startsWith('scram@') || a.type === 'change-records' || a.type === 'await-target-health')).toBe(true);
    expect(s.world.writes()).toEqual([]);
  });
});

describe('listener configs that cannot work are refused before anything is read', () => {
  const cluster = {
    clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc',
    domain: 'kafka.example.com',
    hostedZoneId: 'Z1',
    loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/nlb/1',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x',
  };
  const refuse = (listeners: unknown[]) => expect(() => parseConfig({ clusters: [{ ...cluster, listeners }] }));

  test('the same authentication twice on one load balancer', () => {
    refuse([{ authentication: 'iam' }, { authentication: 'iam', bootstrapPort: 9100 }]).toThrow(/authentication iam is mapped twice on load balancer nlb\/1/);
  });

  test('two listeners on one bootstrap port', () => {
    refuse([{ authentication: 'iam' }, { authentication: 'scram', brokerHostTemplate: 's-{id}', bootstrapHost: 'bs' }]).toThrow(/bootstrapPort 9000 is used by listeners 0 and 1/);
  });

  test('two listeners publishing the same names in one zone', () => {
    refuse([{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100 }]).toThrow(/names bootstrap.kafka.example.com are published by listeners 0 and 1/);
  });

  test('one client listener with per-broker names on two NLBs (a broker advertises one host per listener)', () => {
    refuse([{ authentication: 'iam' }, { authentication: 'iam', loadBalancerArn: cluster.loadBalancerArn.replace('nlb/1', 'public/2'), domain: 'public.example.com' }])
      .toThrow(/listeners 0 and 1 both give CLIENT_IAM per-broker names.*bootstrap-only, or use the _public variant/);
    // One of them bootstrap-only is fine.
    expect(() => parseConfig({ clusters: [{ ...cluster, listeners: [{ authentication: 'iam' }, { authentication: 'iam', endpoints: 'bootstrap-only', loadBalancerArn: cluster.loadBalancerArn.replace('nlb/1', 'public/2'), domain: 'public.example.com' }] }] })).not.toThrow();
  });

  test('advertised names without any per-broker names', () => {
    expect(() => parseConfig({ clusters: [{ ...cluster, advertisedListeners: 'dynamic-broker-config', listeners: [{ authentication: 'iam', endpoints: 'bootstrap-only' }] }] }))
      .toThrow(/advertisedListeners dynamic-broker-config needs a listener with per-broker names/);
  });

  test('an unknown authentication names the valid ones', () => {
    refuse([{ authentication: 'plaintext' }]).toThrow(/iam.*scram.*tls.*iam-public/);
  });

  test('a listener whose authentication the cluster has not enabled is refused by the planner, before any write', async () => {
    s = createScenario({ authentication: { iam: true } });
    const config = withListeners(s, [{ authentication: 'iam' }, SCRAM]);
    await expect(run(config)).rejects.toThrow(/scram@msk-orders\/\w+ scram: the cluster has no SASL\/SCRAM authentication \(CLIENT_SASL_SCRAM\); enable it on the cluster, or remove the listener/);
    expect(s.world.writes()).toEqual([]);
  });

  test('overlapping broker port ranges are refused by the planner, before any write', async () => {
    s = createScenario({ brokerIds: range(1, 12) });
    const config = withListeners(s, [{ authentication: 'iam' }, { ...SCRAM, bootstrapPort: 9100, brokerPortBase: 9010 }]);
    await expect(run(config)).rejects.toThrow(/iam@msk-orders\/\w+ broker-11 and scram@msk-orders\/\w+ broker-1 would share port 9011/);
    expect(s.world.writes()).toEqual([]);
  });

  test('the listener quota counts every listener of the cluster on one NLB', async () => {
    s = createScenario({ brokerIds: range(1, 25) });
    const config = withListeners(s, [{ authentication: 'iam' }, SCRAM]);
    await expect(run(config)).rejects.toThrow(/load balancer msk-orders\/\w+ would need 52 listeners \(50 brokers \+ 2 bootstrap of 2 client listeners of this cluster\), above the NLB quota of 50 listeners per load balancer \(not adjustable\): put some brokers on another NLB with brokerLoadBalancers/);
    expect(s.world.writes()).toEqual([]);
  });
});
