// The lifecycle on AWS's clock: the deployed controller (ControllerRuntime: schedule, CloudTrail
// events minutes late, follow-ups) against a world that takes AWS's documented time to register
// targets, keeps routing to removed ones for a while, cuts idle TLS connections and heals brokers
// without telling anyone. The probe measures what a client sees; Reachability measures how long a
// joining or re-addressed broker takes to be reachable by its name, and whose time that was.
import type { AwsTiming } from '../world';
import { brokerIp } from './scenario';
import { createKafkaScenario, type KafkaScenario } from './kafka-scenario';
import type { ProbeFigures } from './probe';
import { ControllerRuntime, type Invocation } from './runtime';
import { Reachability, type BrokerTimeline } from './reachability';
import type { Mode } from './stories';
import { JAVA_DEFAULT_MAX_IDLE_MS } from './idle-connections';

export interface TimedStep {
  step: string;
  /** World time the step lasted. */
  ms: number;
  probe: ProbeFigures;
  /** The function's invocations during the step. */
  invocations: Invocation[];
}

export interface TimedStory {
  mode: Mode;
  steps: TimedStep[];
  brokers: BrokerTimeline[];
}

const MIN = 60_000;

/**
 * How long MSK takes, as this story models it (MSK does not document these; scale-outs are
 * commonly 15-30 minutes): brokers join 12 minutes after UpdateBrokerCount and the operation ends 8
 * minutes later; a broker healed in place is down for 2 minutes.
 */
export const MSK_STORY_TIMES = { joinAfterMs: 12 * MIN, completeAfterJoinMs: 8 * MIN, leaveAfterMs: 10 * MIN, completeAfterLeaveMs: 5 * MIN, restartDownMs: 2 * MIN };

export interface TimedStoryOptions {
  timing?: Partial<AwsTiming>;
  probeEveryMs?: number;
  /** The probe's long-lived connections: the client's own idle limit, and how often it uses them (default: Java's 540 s, every 6 minutes). */
  idleClient?: { maxIdleMs: number; everyMs: number } | false;
}

/** Set-up by hand -> 3 to 6 brokers (CloudTrail event, join, complete) -> broker 2 healed with a new IP -> broker 3 restarted in place -> 6 to 3. */
export async function timedLifecycleStory(mode: Mode, options: TimedStoryOptions = {}): Promise<TimedStory> {
  const idleClient = options.idleClient === false ? undefined : options.idleClient ?? { maxIdleMs: JAVA_DEFAULT_MAX_IDLE_MS, everyMs: 6 * MIN };
  const s: KafkaScenario = await createKafkaScenario({
    brokerIds: [1, 2, 3],
    config: { advertisedListeners: mode, allowRollingRestart: mode === 'msk-configuration' },
    serverProperties: mode === 'msk-configuration' ? 'auto.create.topics.enable=false\n' : undefined,
    world: { timing: options.timing },
    ...(idleClient ? { idleClient } : {}),
  });
  const runtime = new ControllerRuntime(s);
  const reach = new Reachability(s);
  const steps: TimedStep[] = [];
  const step = async (name: string, body: () => Promise<void>) => {
    const started = s.clock.now();
    const before = runtime.invocations.length;
    await body();
    const probe = await s.pass(0);
    steps.push({ step: name, ms: s.clock.now() - started, probe, invocations: runtime.invocations.slice(before) });
  };
  try {
    s.startProbe(options.probeEveryMs);
    reach.start();
    await step('set-up: `apply` by hand, then deployed (names are new: failures until targets are healthy)', async () => {
      await s.reconcile();
      runtime.start();
      await runtime.runFor(15 * MIN);
    });
    await step('steady (no change)', () => runtime.runFor(10 * MIN));
    await step('scale-out requested: UpdateBrokerCount for brokers 4-6', async () => {
      s.startScaleOut([4, 5, 6]);
      runtime.apiCall('UpdateBrokerCount');
      await runtime.runFor(MSK_STORY_TIMES.joinAfterMs);
    });
    await step('brokers 4-6 join while the operation runs', async () => {
      await s.setBrokers([1, 2, 3, 4, 5, 6]);
      for (const id of [4, 5, 6]) reach.track(`broker ${id} joins`, id, brokerIp(id));
      await runtime.runFor(MSK_STORY_TIMES.completeAfterJoinMs);
    });
    await step('scale-out complete (cluster ACTIVE), no event', async () => {
      s.world.msk.completeOperations(s.clusterArn);
      await runtime.runFor(10 * MIN);
    });
    await step(`broker 2 healed with a new IP (${brokerIp(2, 1)}), no event`, async () => {
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
      reach.track('broker 2 gets a new IP', 2, brokerIp(2, 1));
      await runtime.runFor(15 * MIN);
    });
    await step('broker 3 restarted in place (same IP), no event', async () => {
      // ListNodes keeps listing it with the same IP while it is down.
      await s.kafka.removeBroker(3);
      await runtime.runFor(MSK_STORY_TIMES.restartDownMs);
      await s.setBrokers([1, 2, 3, 4, 5, 6]);
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
      await runtime.runFor(10 * MIN);
    });
    await step('scale-in requested: brokers 4-6 leave, then the operation completes', async () => {
      s.world.msk.startOperation(s.clusterArn, { type: 'DECREASE_BROKER_COUNT', polls: 1_000_000 });
      runtime.apiCall('UpdateBrokerCount');
      await runtime.runFor(MSK_STORY_TIMES.leaveAfterMs);
      await s.setBrokers([1, 2, 3]);
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
      await runtime.runFor(MSK_STORY_TIMES.completeAfterLeaveMs);
      s.world.msk.completeOperations(s.clusterArn);
      await runtime.runFor(10 * MIN);
    });
    await step('steady (no change)', () => runtime.runFor(15 * MIN));
    return { mode, steps, brokers: reach.timelines };
  } finally {
    runtime.stop();
    reach.end();
    await s.stop();
  }
}
