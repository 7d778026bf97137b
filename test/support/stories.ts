// The stories every MSK-behind-a-domain setup lives through, with the client probe running
// through each step: shared by the story tests (which assert on the figures) and
// `npm run stories` (which prints them).
import type { ClusterConfigInput } from '../../shared/config/schema';
import { brokerIp } from './scenario';
import { createKafkaScenario, type KafkaScenario } from './kafka-scenario';
import type { ProbeFigures } from './probe';

export type Mode = NonNullable<ClusterConfigInput['advertisedListeners']>;

export interface StepFigures {
  step: string;
  probe: ProbeFigures;
  status: string;
}

/** World time each step lets pass after its reconcile (the scheduled run's interval). */
export const STEP_MS = 5 * 60_000;

/** 3 brokers -> scale out to 6 (with the MSK operation in progress) -> broker 2 replaced -> scale in to 3. */
export async function lifecycleStory(mode: Mode, options: { allowRollingRestart?: boolean; probeEveryMs?: number } = {}): Promise<StepFigures[]> {
  const s = await createKafkaScenario({
    brokerIds: [1, 2, 3],
    config: { advertisedListeners: mode, allowRollingRestart: options.allowRollingRestart ?? mode === 'msk-configuration' },
    serverProperties: mode === 'msk-configuration' ? 'auto.create.topics.enable=false\n' : undefined,
  });
  const figures: StepFigures[] = [];
  const step = async (name: string, change?: () => Promise<void> | void) => {
    await change?.();
    const { plan } = await s.reconcile();
    const probe = await s.pass(STEP_MS);
    figures.push({ step: name, probe, status: plan.status === 'waiting' ? `waiting: ${plan.waitingReason}` : `${plan.actions.length} change(s)` });
  };
  try {
    s.startProbe(options.probeEveryMs);
    await step('set-up (names are new: failures expected until targets are healthy)');
    await step('no change');
    await step('scale-out requested: MSK announces brokers 4-6', () => s.startScaleOut([4, 5, 6]));
    await step('brokers 4-6 join while the operation runs', () => s.setBrokers([1, 2, 3, 4, 5, 6]));
    await step('scale-out complete (cluster ACTIVE)', () => s.world.msk.completeOperations(s.clusterArn));
    await step(`broker 2 replaced (new IP ${brokerIp(2, 1)})`, () => s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1)));
    await step('scale-in to 3 brokers', async () => {
      await s.setBrokers([1, 2, 3]);
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    });
    await step('no change');
    return figures;
  } finally {
    await s.stop();
  }
}

export type { KafkaScenario };
