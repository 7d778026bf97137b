// `npm run demo`: the real reconciler (the code the Lambda runs) against the embedded AWS
// world, through the story every MSK-behind-a-domain setup lives through.
import { formatPlan } from '../shared/report/plan';
import { formatState } from '../shared/report/state';
import { brokerIp, brokersFor, createScenario, range } from '../test/support/scenario';

const s = createScenario({ brokerIds: [1, 2, 3] });

async function step(title: string, change?: () => void): Promise<void> {
  console.log(`\n=== ${title} ===`);
  change?.();
  s.world.resetCalls();
  const { plan, applied } = await s.reconcile();
  console.log(formatPlan(plan));
  if (applied) console.log(`  Applied with ${s.world.writes().length} AWS write(s). Resulting mapping:`);
  const after = await s.reconcile({ apply: false });
  console.log(formatState(s.config, after.observed));
}

async function main(): Promise<void> {
  console.log('msk-custom-domain-sync demo: cluster "orders" behind NLB msk-orders, domain kafka.example.com (embedded AWS, no account needed)');
  await step('1. A 3-broker cluster gets its listeners and names');
  await step('2. Nothing changed: a second run is a no-op');
  await step('3. Scale out to 6 brokers', () => s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6))));
  await step(`4. Broker 2 is replaced: its IP changes to ${brokerIp(2, 1)}`, () => s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1)));
  await step('5. Scale in to 3 brokers (scaleIn: delete)', () =>
    s.world.msk.setBrokers(s.clusterArn, [...brokersFor([1, 3]), { id: 2, ip: brokerIp(2, 1) }].sort((a, b) => a.id - b.id)),
  );
  s.world.restore();
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
