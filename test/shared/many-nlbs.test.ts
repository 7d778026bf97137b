import { afterEach, describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../shared/config/load';
import type { ClusterConfig } from '../../shared/config/schema';
import { ConfigError } from '../../shared/errors';
import { resolveListeners } from '../../shared/listeners';
import { TAG_RETIRED_AT } from '../../shared/naming';
import { destroyCluster, reconcileCluster } from '../../shared/reconcile';
import { brokersFor, createScenario, range, type Scenario } from '../support/scenario';

// Issue 18 item 1: a client listener spread over several NLBs by broker-id range, and issue 19
// item 5: what a cluster leaves on an NLB or in a zone it moved off is cleaned up. Driven through
// the real SDK clients against the embedded world; layouts are read back from the world.

let s: Scenario;
afterEach(() => s?.world.restore());

const valid = {
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd-1',
  domain: 'kafka.example.com',
  hostedZoneId: 'Z0123456789ABC',
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-a/1111',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1',
};
const nlbB = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-b/2222';
const nlbC = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-c/3333';

function errorOf(cluster: Record<string, unknown>): string {
  try {
    parseConfig({ clusters: [{ ...valid, ...cluster }] });
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('brokerLoadBalancers in the config', () => {
  test('a broker goes to the range that covers it, else to the listener\'s own NLB; the bootstrap stays there', () => {
    const [l] = resolveListeners(parseConfig({ clusters: [{ ...valid, brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31, lastBrokerId: 45 }, { loadBalancerArn: nlbC, firstBrokerId: 46 }] }] }).clusters[0]);
    expect(l.loadBalancerArn).toBe(valid.loadBalancerArn);
    expect(l.brokerLoadBalancers?.map((e) => e.loadBalancerArn)).toEqual([nlbB, nlbC]);
  });

  test('ranges that overlap, a range that ends before it starts, ranges on a bootstrap-only listener and a record target are refused, naming the fix', () => {
    expect(errorOf({ brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31 }, { loadBalancerArn: nlbC, firstBrokerId: 46 }] })).toMatch(
      /brokerLoadBalancers entries 0 and 1 both cover broker 46: give each load balancer its own broker-id range/,
    );
    expect(errorOf({ brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31, lastBrokerId: 20 }] })).toMatch(/lastBrokerId.*must be at least firstBrokerId \(31\)/);
    expect(errorOf({ endpoints: 'bootstrap-only', brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31 }] })).toMatch(/bootstrap-only \(no per-broker listeners\): remove brokerLoadBalancers/);
    expect(errorOf({ recordTarget: { vpcEndpointId: 'vpce-0123456789abcdef0' }, brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31 }] })).toMatch(
      /recordTarget sends every name to one VPC endpoint, which fronts one NLB, but brokerLoadBalancers puts brokers on other NLBs/,
    );
    expect(errorOf({ brokerLoadBalancers: [{ loadBalancerArn: 'arn:nope', firstBrokerId: 31 }] })).toMatch(/must be a load balancer ARN/);
  });

  test('a listener on another NLB does not inherit the cluster\'s ranges', () => {
    const config = parseConfig({ clusters: [{ ...valid, brokerLoadBalancers: [{ loadBalancerArn: nlbB, firstBrokerId: 31 }], listeners: [{ authentication: 'iam' }, { authentication: 'iam-public', loadBalancerArn: nlbC, hostedZoneId: 'ZPUBLIC' }] }] }).clusters[0];
    expect(resolveListeners(config).map((l) => l.brokerLoadBalancers?.length ?? 0)).toEqual([1, 0]);
  });
});

/** Per NLB: the ports of its listeners, and the NLB each broker name's alias leads to. */
function layout(sc: Scenario, lbs: string[]) {
  const ports = lbs.map((lb) => sc.world.elbv2.listeners(lb).map((l) => l.Port!).sort((a, b) => a - b));
  const names = Object.fromEntries(
    sc.world.route53.records(sc.zoneId).filter((r) => r.Type === 'A').map((r) => [r.Name!.split('.')[0], lbs.findIndex((lb) => sc.world.elbv2.loadBalancer(lb)!.DNSName!.toLowerCase() === r.AliasTarget!.DNSName!.toLowerCase().replace(/\.$/, ''))]),
  );
  return { ports, names };
}

function withRanges(sc: Scenario, ranges: ClusterConfig['brokerLoadBalancers']): ClusterConfig {
  return parseConfig({ clusters: [{ ...sc.config, brokerLoadBalancers: ranges }] }).clusters[0];
}

const run = (config: ClusterConfig) => reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply: true });

describe('60 brokers on two NLBs', () => {
  test('brokers 1-30 and the bootstrap on the first NLB, 31-60 on the second; every name leads to its NLB; a second run changes nothing', async () => {
    s = createScenario({ brokerIds: range(1, 60), kafkaVersion: '3.7.x.kraft' });
    const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
    const config = withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 31 }]);
    const out = await run(config);
    expect(out.plan.conflicts).toEqual([]);
    const { ports, names } = layout(s, [s.lbArn, second]);
    expect(ports).toEqual([[9000, ...range(9001, 9030)], range(9031, 9060)]);
    expect(names.bootstrap).toBe(0);
    for (const id of range(1, 60)) expect([id, names[`b-${id}`]]).toEqual([id, id <= 30 ? 0 : 1]);
    // Each group serves one NLB, and is tagged with it where it is not the listener's own.
    const further = s.world.elbv2.targetGroups().filter((g) => g.tags['msk-custom-domain:load-balancer']);
    expect(further.map((g) => g.tags['msk-custom-domain:role']).sort()).toEqual(range(31, 60).map((id) => `broker-${id}`).sort());
    s.world.resetCalls();
    expect((await run(config)).plan.actions).toEqual([]);
    expect(s.world.writes()).toEqual([]);
  });

  test('60 brokers on one NLB are refused before any write, naming brokerLoadBalancers', async () => {
    s = createScenario({ brokerIds: range(1, 60), kafkaVersion: '3.7.x.kraft' });
    await expect(run(s.config)).rejects.toThrow(/would need 61 listeners \(60 brokers \+ 1 bootstrap of 1 client listener of this cluster\).*not adjustable.*brokerLoadBalancers/);
    expect(s.world.writes()).toEqual([]);
  });

  test('the quota counts every client listener of the cluster on each NLB, and listeners the tool does not own', async () => {
    s = createScenario({ brokerIds: range(1, 30), kafkaVersion: '3.7.x.kraft' });
    const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
    for (const port of [7001, 7002]) s.world.elbv2.addListener({ loadBalancerArn: second, port });
    const scram = { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' };
    const config = parseConfig({ clusters: [{ ...s.config, brokerLoadBalancers: [{ loadBalancerArn: second, firstBrokerId: 7 }], listeners: [{ authentication: 'iam' }, scram] }] }).clusters[0];
    // 24 brokers of each listener on the second NLB (48) + 2 foreign listeners = 50: fits. One more broker does not.
    await run(config);
    expect(s.world.elbv2.listeners(second)).toHaveLength(50);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 31)));
    s.world.resetCalls();
    await expect(run(config)).rejects.toThrow(/load balancer msk-orders-2\/\w+ would need 52 listeners \(50 brokers of 2 client listeners of this cluster, \+ 2 not managed by this tool\)/);
    expect(s.world.writes()).toEqual([]);
  });
});

/** The time the old listener on the scenario's NLB at `port` was tagged retired. */
function tagOf(scenario: Scenario, port: number): string {
  return scenario.world.elbv2.listeners(scenario.lbArn).find((l) => l.Port === port)?.tags[TAG_RETIRED_AT] ?? '';
}

describe('a broker moves between NLBs when the ranges change', () => {
  test('the new NLB\'s listener and group come first and the name switches once its target is healthy; the old ones go once cached answers have expired', async () => {
    s = createScenario({ brokerIds: range(1, 6) });
    const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
    await run(withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 5 }]));
    expect(layout(s, [s.lbArn, second]).ports).toEqual([[9000, 9001, 9002, 9003, 9004], [9005, 9006]]);

    // Broker 4 joins the second NLB.
    const moved = withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 4 }]);
    const first = await run(moved);
    const creates = first.plan.actions.filter((a) => a.type === 'create-listener' || a.type === 'create-target-group').map((a) => `${a.type} ${a.resource}`);
    expect(creates).toEqual(['create-target-group broker-4', 'create-listener broker-4']);
    // The name switches behind the health gate (UPSERT after it), the old listener stays, said as pending.
    const gate = first.plan.actions.findIndex((a) => a.type === 'await-target-health');
    const upsert = first.plan.actions.findIndex((a) => a.type === 'change-records' && a.afterHealth && a.changes.some((c) => c.action === 'UPSERT' && c.record.name.startsWith('b-4.')));
    expect(gate).toBeGreaterThanOrEqual(0);
    expect(upsert).toBeGreaterThan(gate);
    expect(first.plan.actions.filter((a) => a.type === 'delete-listener' || a.type === 'delete-target-group')).toEqual([]);
    expect(first.plan.pending).toEqual([expect.stringMatching(/^listener :9004 \(broker-4\) on msk-orders\/\w+ stays while b-4\.kafka\.example\.com still leads there/)]);
    expect(layout(s, [s.lbArn, second])).toMatchObject({ ports: [[9000, 9001, 9002, 9003, 9004], [9004, 9005, 9006]], names: { 'b-4': 1 } });

    // The run right after: the name leads to the new NLB, but resolvers may hold the old answer for
    // its TTL (60 s, alias) + 60 s of propagation: the old listener is tagged with the time and kept.
    const switched = await run(moved);
    expect(switched.plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(['retire-listener broker-4']);
    expect(switched.plan.pending).toEqual([expect.stringMatching(/^listener :9004 \(broker-4\) on msk-orders\/\w+ stays until 120 s from now: b-4\.kafka\.example\.com leads to its new load balancer since /)]);
    const retiredAt = Date.parse(tagOf(s, 9004));
    expect(retiredAt).toBe(switched.observed.observedAt);
    // 119 s later: still kept, nothing to do.
    const clock = s.reconcileOptions.clock!;
    await clock.sleep(retiredAt + 119_000 - clock.now());
    const early = await run(moved);
    expect(early.plan.actions).toEqual([]);
    expect(early.plan.pending).toEqual([expect.stringMatching(/stays until .*: b-4\.kafka\.example\.com leads to its new load balancer since .*\(120 s\)/)]);
    expect(layout(s, [s.lbArn, second]).ports[0]).toContain(9004);

    // 120 s after: it goes, then its group.
    await clock.sleep(1_000);
    const after = await run(moved);
    expect(after.plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(['delete-listener broker-4', 'delete-target-group broker-4']);
    expect(layout(s, [s.lbArn, second]).ports).toEqual([[9000, 9001, 9002, 9003], [9004, 9005, 9006]]);
    expect((await run(moved)).plan.actions).toEqual([]);
  });

  test('moved back before its old listener went, then away again: the earlier time is cleared, and the listener waits from the new switch', async () => {
    s = createScenario({ brokerIds: range(1, 6) });
    const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
    const back = withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 5 }]);
    const away = withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 4 }]);
    await run(back);
    await run(away);
    expect((await run(away)).plan.actions.map((a) => a.type)).toEqual(['retire-listener']);
    expect(tagOf(s, 9004)).not.toBe('');
    // Back to the first NLB: its listener is wanted again (its old time stays on it meanwhile).
    for (let i = 0; i < 3; i++) await run(back);
    await s.reconcileOptions.clock!.sleep(600_000);
    // Away again: the run that switches the name clears the earlier time; the run after stamps this switch's.
    const again = await run(away);
    expect(again.plan.actions.filter((a) => a.type === 'retire-listener')).toEqual([expect.objectContaining({ port: 9004, retiredAt: '' })]);
    const stamped = await run(away);
    expect(stamped.plan.actions.map((a) => a.type)).toEqual(['retire-listener']);
    expect(Date.parse(tagOf(s, 9004))).toBe(stamped.observed.observedAt);
    expect(s.world.elbv2.listeners(s.lbArn).map((l) => l.Port)).toContain(9004);
  });

  test('scale-in back under the ranges: under delete the second NLB\'s listeners go; under keep they stay for the next scale-out', async () => {
    for (const scaleIn of ['delete', 'keep'] as const) {
      s = createScenario({ brokerIds: range(1, 6), config: { scaleIn } });
      const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
      const config = withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 5 }]);
      await run(config);
      s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
      await run(config);
      const { ports } = layout(s, [s.lbArn, second]);
      expect([scaleIn, ports]).toEqual([scaleIn, [[9000, 9001, 9002, 9003, 9004], scaleIn === 'delete' ? [] : [9005, 9006]]]);
      s.world.restore();
    }
  });
});

describe('a cluster moved to another NLB or zone', () => {
  test('another NLB: the new one is built, the names switch behind health, and the old NLB\'s listeners and groups go once cached answers have expired', async () => {
    s = createScenario({ brokerIds: [1, 2, 3] });
    await run(s.config);
    const next = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-next' });
    const moved = parseConfig({ clusters: [{ ...s.config, loadBalancerArn: next }] }).clusters[0];
    const first = await run(moved);
    // The old NLB is read as a former one (the cluster's groups are attached to it).
    expect(first.observed.loadBalancers.map((site) => site.former ?? false)).toEqual([false, true]);
    expect(first.plan.pending).toHaveLength(4);
    expect(layout(s, [s.lbArn, next])).toEqual({ ports: [[9000, 9001, 9002, 9003], [9000, 9001, 9002, 9003]], names: { bootstrap: 1, 'b-1': 1, 'b-2': 1, 'b-3': 1 } });
    // The run after the switch tags the old listeners; they go once the TTL (60 s) + 60 s have passed.
    expect((await run(moved)).plan.actions.map((a) => a.type)).toEqual(Array(4).fill('retire-listener'));
    await s.reconcileOptions.clock!.sleep(120_000);
    const second = await run(moved);
    expect(second.plan.actions.map((a) => a.type).sort()).toEqual([...Array(4).fill('delete-listener'), ...Array(4).fill('delete-target-group')]);
    expect(s.world.elbv2.listeners(s.lbArn)).toEqual([]);
    expect(s.world.elbv2.targetGroups()).toHaveLength(4);
    expect((await run(moved)).plan.actions).toEqual([]);
  });

  test('another zone: the names are created there behind health, then the old zone\'s names go (found through the tags), in one run', async () => {
    s = createScenario({ brokerIds: [1, 2, 3] });
    await run(s.config);
    const newZone = s.world.route53.addHostedZone({ name: 'kafka.example.com' });
    const moved = parseConfig({ clusters: [{ ...s.config, hostedZoneId: newZone }] }).clusters[0];
    const out = await run(moved);
    expect(out.observed.zones.map((z) => [z.hostedZoneId, z.former ?? false])).toEqual([[newZone, false], [s.zoneId, true]]);
    const types = out.plan.actions.map((a) => (a.type === 'change-records' ? `dns${a.afterHealth ? ' new' : ''}${a.cleanup ? ' old' : ''}` : a.type));
    expect(types.indexOf('dns old')).toBeGreaterThan(types.indexOf('dns new'));
    const ours = (zone: string) => s.world.route53.records(zone).filter((r) => /kafka\.example\.com\.$/.test(r.Name!) && r.Type !== 'NS' && r.Type !== 'SOA').map((r) => r.Name!.split('.')[0]).sort();
    expect(ours(s.zoneId)).toEqual([]);
    expect(ours(newZone)).toEqual(['_msk-custom-domain', '_msk-custom-domain', '_msk-custom-domain', '_msk-custom-domain', 'b-1', 'b-2', 'b-3', 'bootstrap']);
    expect((await run(moved)).plan.actions).toEqual([]);
  });

  test('destroy removes what the cluster has on every NLB it used: its own, the further ones, and one it moved off', async () => {
    s = createScenario({ brokerIds: range(1, 6) });
    const second = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-2' });
    await run(withRanges(s, [{ loadBalancerArn: second, firstBrokerId: 4 }]));
    // Moved to a third NLB, the old ones not yet cleaned up (only the first run of the move).
    const third = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-3' });
    const moved = parseConfig({ clusters: [{ ...s.config, loadBalancerArn: third }] }).clusters[0];
    await run(moved);
    expect([s.lbArn, second, third].map((lb) => s.world.elbv2.listeners(lb).length)).toEqual([4, 3, 7]);
    await destroyCluster(s.clients, moved, { ...s.reconcileOptions, apply: true });
    expect([s.lbArn, second, third].map((lb) => s.world.elbv2.listeners(lb).length)).toEqual([0, 0, 0]);
    expect(s.world.elbv2.targetGroups()).toEqual([]);
    expect(s.world.route53.records(s.zoneId).filter((r) => r.Type === 'A' || r.Type === 'TXT')).toEqual([]);
  });
});
