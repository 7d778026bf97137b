// What a Kafka client experiences through every step of a cluster's life, measured by the
// continuity probe (real kafkajs + MSK IAM signer, real TLS through the embedded NLB's nodes).
import { afterEach, describe, expect, test } from '@jest/globals';
import { ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import { lifecycleStory, type Mode, type StepFigures } from '../support/stories';

/** The tool's target-group health check: 10 s x 2 (shared/plan/network.ts). */
const HEALTH_CHECK_MS = 10_000 * 2;
const PROBE_EVERY_MS = 30_000;
/** World time a step lets pass: several health checks and several probe rounds. */
const STEP_WAIT_MS = 180_000;
let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const byStep = (figures: StepFigures[]) => Object.fromEntries(figures.map((f) => [f.step, f.probe]));

describe.each<Mode>(['none', 'dynamic-broker-config', 'msk-configuration'])('lifecycle 3 -> 6 -> replacement -> 3, advertisedListeners %s', (mode) => {
  test('no connection fails where the design promises none; the rest is bounded by one health check', async () => {
    const figures = await lifecycleStory(mode, { probeEveryMs: PROBE_EVERY_MS });
    const steps = byStep(figures);
    for (const f of figures) expect(f.probe.rounds).toBeGreaterThan(0);
    const promiseNone = [
      'no change',
      'scale-out requested: MSK announces brokers 4-6',
      'scale-out complete (cluster ACTIVE)',
      'scale-in to 3 brokers',
      // In these modes new brokers advertise their AWS names until the tool switches them behind healthy targets.
      ...(mode === 'msk-configuration' ? [] : ['brokers 4-6 join while the operation runs']),
      // Through AWS names nothing depends on the NLB target of the replaced broker.
      ...(mode === 'none' ? ['broker 2 replaced (new IP 10.0.2.112)'] : []),
    ];
    for (const step of promiseNone) expect({ step, failed: steps[step].failed, samples: steps[step].samples }).toEqual({ step, failed: 0, samples: [] });
    // MSK advertises a joining broker's custom name at once, and a replaced broker's new IP is a new
    // target: each is unreachable until its target passes the health checks (measured to the probe's tick).
    for (const f of figures) expect(f.probe.longestOutageMs).toBeLessThanOrEqual(HEALTH_CHECK_MS + PROBE_EVERY_MS);
  });
});

describe('gaps the probe shows', () => {
  test('cross-zone load balancing off: a client landing on a node in another AZ than the broker is reset, until the next run puts it back', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'dynamic-broker-config' } });
    s.startProbe(30_000);
    await s.reconcile();
    await s.pass(STEP_WAIT_MS);
    const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
    for (const g of s.world.elbv2.targetGroups().filter((g) => /-b\d+$/.test(g.TargetGroupName!))) {
      await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: g.TargetGroupArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' }] }));
    }
    const off = await s.pass(60_000);
    // kafkajs follows Metadata to the brokers' names at once: landing on a node of another AZ, it is reset.
    expect(off.rounds).toBe(2);
    expect(off.failed).toBeGreaterThanOrEqual(off.rounds);
    expect(off.samples.join('\n')).toMatch(/ECONNRESET 127\.[\d.]+:900[123]/);
    const { plan } = await s.reconcile();
    expect(plan.actions.map((a) => a.type)).toEqual(['set-target-group-attributes', 'set-target-group-attributes', 'set-target-group-attributes']);
    const on = await s.pass(120_000);
    expect(on.rounds).toBe(4);
    expect({ failed: on.failed, samples: on.samples }).toEqual({ failed: 0, samples: [] });
  });

  test('an NLB security group that stops at 9003: broker 4 times out, and plan says which ports to open', async () => {
    s = await createKafkaScenario({
      brokerIds: [1, 2, 3],
      config: { advertisedListeners: 'dynamic-broker-config' },
      world: { loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '10.0.0.0/16' }] },
    });
    s.startProbe(30_000);
    await s.reconcile();
    await s.pass(STEP_WAIT_MS);
    await s.setBrokers([1, 2, 3, 4]);
    const { plan } = await s.reconcile();
    expect(plan.warnings).toEqual(expect.arrayContaining([expect.stringContaining('admit no TCP traffic on port(s) 9004 (broker-4)')]));
    const after = await s.pass(STEP_WAIT_MS);
    expect(after.failed).toBeGreaterThan(0);
    expect(after.samples.join('\n')).toMatch(/b-4\.kafka\.example\.com:9004: eu-west-1a: no answer within/);
    expect(after.samples.join('\n')).not.toMatch(/b-[123]\./);
  });

  test('with loadBalancerIngress the tool keeps its own rule in step: broker 4 is admitted at once, foreign rules are untouched', async () => {
    s = await createKafkaScenario({
      brokerIds: [1, 2, 3],
      config: { advertisedListeners: 'dynamic-broker-config' },
      // Someone's rule from another network; the clients (10.0.200.10) are admitted only by the tool's.
      world: { loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '192.168.0.0/16' }], managedIngressSource: '10.0.0.0/16' },
    });
    const group = s.config.loadBalancerIngress!.securityGroupId;
    const rules = () => s!.world.ec2.ingressRules(group).map((r) => `${r.FromPort}-${r.ToPort} ${r.CidrIpv4} ${r.Tags?.length ? 'tool' : 'foreign'}`).sort();
    s.startProbe(30_000);
    await s.reconcile();
    expect(rules()).toEqual(['9000-9003 10.0.0.0/16 tool', '9000-9003 192.168.0.0/16 foreign']);
    await s.pass(STEP_WAIT_MS);

    await s.setBrokers([1, 2, 3, 4]);
    const { plan } = await s.reconcile();
    expect(plan.warnings.filter((w) => w.includes('security group'))).toEqual([]);
    expect(rules()).toEqual(['9000-9003 192.168.0.0/16 foreign', '9000-9004 10.0.0.0/16 tool']);
    const after = await s.pass(STEP_WAIT_MS);
    expect(after.rounds).toBeGreaterThan(5);
    expect({ failed: after.failed, samples: after.samples }).toEqual({ failed: 0, samples: [] });

    await s.setBrokers([1, 2, 3]);
    await s.reconcile();
    expect(rules()).toEqual(['9000-9003 10.0.0.0/16 tool', '9000-9003 192.168.0.0/16 foreign']);
    expect((await s.reconcile()).plan.actions).toEqual([]);

    // The option turned off: the tool's rule goes, the foreign one stays.
    const { reconcileCluster } = await import('../../shared/reconcile');
    const { loadBalancerIngress: _, ...without } = s.config;
    const { plan: off } = await reconcileCluster(s.clients, without, { ...s.reconcileOptions, apply: true });
    expect(off.actions).toEqual([expect.objectContaining({ type: 'revoke-ingress', reason: "no listener's loadBalancerIngress names this group any more" })]);
    expect(rules()).toEqual(['9000-9003 192.168.0.0/16 foreign']);
  });

  test('a foreign rule that grants exactly the wanted range: the tool keeps none of its own (EC2 refuses a duplicate), and adds one when more ports are needed', async () => {
    s = await createKafkaScenario({
      brokerIds: [1, 2, 3],
      config: { advertisedListeners: 'none' },
      world: { loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '10.0.0.0/16' }], managedIngressSource: '10.0.0.0/16' },
    });
    const group = s.config.loadBalancerIngress!.securityGroupId;
    const rules = () => s!.world.ec2.ingressRules(group).map((r) => `${r.FromPort}-${r.ToPort} ${r.Tags?.length ? 'tool' : 'foreign'}`).sort();
    await s.reconcile();
    expect(rules()).toEqual(['9000-9003 foreign']);
    await s.setBrokers([1, 2, 3, 4]);
    await s.reconcile();
    expect(rules()).toEqual(['9000-9003 foreign', '9000-9004 tool']);
    await s.setBrokers([1, 2, 3]);
    const { plan } = await s.reconcile();
    expect(plan.actions.filter((a) => a.type === 'revoke-ingress')).toEqual([
      expect.objectContaining({ reason: 'a rule the tool does not own already allows TCP 9000-9003 from 10.0.0.0/16' }),
    ]);
    expect(rules()).toEqual(['9000-9003 foreign']);
  });
});
