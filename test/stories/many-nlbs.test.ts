// Issue 18 item 1 and issue 19 item 5, as a Kafka client lives them: a cluster larger than one NLB
// (60 brokers, KRaft, IAM, on two NLBs), a broker moved from one NLB to another, and a whole
// cluster moved to another NLB and to another zone. The continuity probe (real kafkajs, the real
// MSK IAM signer, real TLS through the embedded NLBs' nodes) measures every step on the world clock.
import { afterEach, describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../shared/config/load';
import type { ClusterConfig, ClusterConfigInput } from '../../shared/config/schema';
import { reconcileCluster, type ReconcileOutcome } from '../../shared/reconcile';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import type { ProbeFigures } from '../support/probe';
import { range } from '../support/scenario';
import { AWS_TIMING } from '../world';

const PROBE_EVERY_MS = 30_000;
/** World time a step lets pass: AWS's registration, several health checks (10 s x 2) and several probe rounds. */
const STEP_MS = AWS_TIMING.registrationDelayMs + 60_000;

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const clean = (f: ProbeFigures) => ({ failed: f.failed, samples: f.samples });
const iamName = (id: number) => `b-${id}.kafka.example.com:${9000 + id}`;

/** One reconcile of `config` (the scenario's own unless given), as the CLI and the function run it. */
const reconcile = (scenario: KafkaScenario, config: ClusterConfig = scenario.config) => reconcileCluster(scenario.clients, config, { ...scenario.reconcileOptions, apply: true });

/** Reconciles until a run plans nothing, letting a probe step of world time pass after each: the world-clock time and calls it took. */
async function converge(scenario: KafkaScenario, config?: ClusterConfig) {
  const start = scenario.clock.now();
  scenario.world.resetCalls();
  const outcomes: ReconcileOutcome[] = [];
  for (let run = 0; run < 5; run++) {
    const out = await reconcile(scenario, config);
    outcomes.push(out);
    if (!out.plan.actions.length) break;
  }
  return { runs: outcomes.length, worldMs: scenario.clock.now() - start, calls: scenario.world.calls.length, writes: scenario.world.writes().length, outcomes };
}

describe('60 brokers (KRaft, IAM) on two NLBs: brokers 1-30 and the bootstrap on the first, 31-60 on the second', () => {
  test('the probe sees all 60 custom names and stays connected; scale-in to 45 under delete empties the second NLB of 46-60', async () => {
    s = await createKafkaScenario({
      brokerIds: range(1, 60),
      mode: 'kraft',
      config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true },
      serverProperties: 'auto.create.topics.enable=false\n',
      world: { prepare: (world) => ({ brokerLoadBalancers: [{ loadBalancerArn: world.elbv2.addLoadBalancer({ name: 'msk-orders-2' }), firstBrokerId: 31 }] }) },
    });
    const scenario = s;
    const second = scenario.config.brokerLoadBalancers![0]!.loadBalancerArn;
    // A round is 61 TLS connections x 3 NLB nodes, for real: once a minute of world time here.
    scenario.startProbe(60_000);
    const nodes = scenario.network.zones.length;

    const setUp = await converge(scenario);
    const setUpProbe = await scenario.pass(STEP_MS);
    const steady = await scenario.pass(STEP_MS);
    expect(clean(steady)).toEqual({ failed: 0, samples: [] });
    expect(steady.advertised).toEqual(range(1, 60).map(iamName));
    // Every round: the bootstrap and every one of the 60 brokers at each node its name resolves to, through the NLB it leads to.
    expect(steady.connections).toBe(steady.rounds * (1 + 60 * nodes));
    expect(scenario.world.elbv2.listeners(scenario.lbArn)).toHaveLength(31);
    expect(scenario.world.elbv2.listeners(second)).toHaveLength(30);

    // Scale-in to 45: MSK removes brokers 46-60 (their names go, then their listeners on the second NLB).
    await scenario.setBrokers(range(1, 45));
    const scaleIn = await converge(scenario);
    const afterScaleIn = await scenario.pass(STEP_MS);
    expect(clean(afterScaleIn)).toEqual({ failed: 0, samples: [] });
    expect(afterScaleIn.advertised).toEqual(range(1, 45).map(iamName));
    expect(scenario.world.elbv2.listeners(second).map((l) => l.Port).sort()).toEqual(range(9031, 9045));

    const figures = {
      'set-up (60 brokers, 2 NLBs)': { runs: setUp.runs, worldSeconds: Math.round(setUp.worldMs / 1000), calls: setUp.calls, writes: setUp.writes, probe: `${setUpProbe.rounds} rounds, ${setUpProbe.connections} connections, ${setUpProbe.failed} failed (names new: allowed until healthy)` },
      'steady': { probe: `${steady.rounds} rounds, ${steady.connections} connections, ${steady.failed} failed, ${steady.advertised.length} names advertised` },
      'scale-in 60 -> 45': { runs: scaleIn.runs, worldSeconds: Math.round(scaleIn.worldMs / 1000), calls: scaleIn.calls, writes: scaleIn.writes, probe: `${afterScaleIn.rounds} rounds, ${afterScaleIn.connections} connections, ${afterScaleIn.failed} failed` },
    };
    console.log(`60-broker story figures (world clock):\n${JSON.stringify(figures, null, 2)}`);
   }, 300_000); // 61 TLS endpoints x 3 NLB nodes per probe round, for real
});

/** A 6-broker IAM cluster (dynamic mode, custom names advertised) whose probe runs from the start. */
async function sixBrokers(prepare?: NonNullable<Parameters<typeof createKafkaScenario>[0]['world']>['prepare']) {
  // The probe's resolver holds each answer for its TTL: a switched name still leads to the old NLB a while.
  s = await createKafkaScenario({ brokerIds: range(1, 6), cacheAnswers: true, world: prepare ? { prepare } : undefined });
  s.startProbe(PROBE_EVERY_MS);
  await converge(s);
  await s.pass(STEP_MS); // set-up: names are new, failures allowed until targets are healthy
  const steady = await s.pass(STEP_MS);
  expect(clean(steady)).toEqual({ failed: 0, samples: [] });
  expect(steady.advertised).toEqual(range(1, 6).map(iamName));
  return s;
}

const moved = (scenario: KafkaScenario, change: Partial<ClusterConfigInput>): ClusterConfig => parseConfig({ clusters: [{ ...scenario.config, ...change }] }).clusters[0];

describe('moves, measured by the probe', () => {
  test('broker 4 moves to the second NLB: 0 client failures with the cleanup run right after the switch, the old listener gone once cached answers expired', async () => {
    const scenario = await sixBrokers((world) => ({ brokerLoadBalancers: [{ loadBalancerArn: world.elbv2.addLoadBalancer({ name: 'msk-orders-2' }), firstBrokerId: 5 }] }));
    const second = scenario.config.brokerLoadBalancers![0]!.loadBalancerArn;
    const config = moved(scenario, { brokerLoadBalancers: [{ loadBalancerArn: second, firstBrokerId: 4 }] });
    const first = await reconcile(scenario, config);
    expect(first.plan.pending).toHaveLength(1); // the old listener, kept while the name still led there
    // Right after the switch (apply run twice in a row): clients may still hold the old answer, so the old listener stays.
    const retire = await reconcile(scenario, config);
    expect(retire.plan.actions.map((a) => a.type)).toEqual(['retire-listener']);
    expect(retire.plan.pending).toEqual([expect.stringMatching(/^listener :9004 \(broker-4\) .* stays until 120 s from now/)]);
    const during = await scenario.pass(STEP_MS);
    const cleanup = await reconcile(scenario, config);
    expect(cleanup.plan.actions.map((a) => a.type)).toEqual(['delete-listener', 'delete-target-group']);
    const after = await scenario.pass(STEP_MS);
    expect({ during: clean(during), after: clean(after) }).toEqual({ during: { failed: 0, samples: [] }, after: { failed: 0, samples: [] } });
    expect(after.advertised).toEqual(range(1, 6).map(iamName));
    expect(scenario.world.elbv2.listeners(scenario.lbArn).map((l) => l.Port).sort()).toEqual([9000, 9001, 9002, 9003]);
    expect(scenario.world.elbv2.listeners(second).map((l) => l.Port).sort()).toEqual([9004, 9005, 9006]);
    console.log(`broker moved between NLBs: probe during ${during.rounds} rounds / ${during.connections} connections / ${during.failed} failed; after ${after.rounds} / ${after.connections} / ${after.failed}`);
  });

  test('the whole cluster moves to another NLB: clients stay connected, and the old NLB is empty afterwards', async () => {
    const scenario = await sixBrokers();
    const next = scenario.world.elbv2.addLoadBalancer({ name: 'msk-orders-next' });
    const config = moved(scenario, { loadBalancerArn: next });
    await reconcile(scenario, config);
    await reconcile(scenario, config); // right after the switch: the old listeners are tagged and kept
    const during = await scenario.pass(STEP_MS);
    await reconcile(scenario, config);
    const after = await scenario.pass(STEP_MS);
    expect({ during: clean(during), after: clean(after) }).toEqual({ during: { failed: 0, samples: [] }, after: { failed: 0, samples: [] } });
    expect(scenario.world.elbv2.listeners(scenario.lbArn)).toEqual([]);
    expect(scenario.world.elbv2.listeners(next)).toHaveLength(7);
    expect(scenario.world.elbv2.targetGroups()).toHaveLength(7);
    expect((await reconcile(scenario, config)).plan.actions).toEqual([]);
  });

  test('the whole cluster moves to another hosted zone: clients stay connected, and the old zone holds nothing of the tool\'s afterwards', async () => {
    const scenario = await sixBrokers();
    const zone = scenario.world.route53.addHostedZone({ name: 'kafka.example.com' });
    const config = moved(scenario, { hostedZoneId: zone });
    await reconcile(scenario, config);
    const after = await scenario.pass(STEP_MS);
    expect(clean(after)).toEqual({ failed: 0, samples: [] });
    expect(scenario.world.route53.records(scenario.zoneId).filter((r) => r.Name!.endsWith('kafka.example.com.'))).toEqual([]);
    expect(scenario.world.route53.records(zone).filter((r) => r.Type === 'A')).toHaveLength(7);
    expect((await reconcile(scenario, config)).plan.actions).toEqual([]);
  });
});
