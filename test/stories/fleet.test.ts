import { afterEach, expect, test } from '@jest/globals';
import { TAG_CLUSTER } from '../../shared/naming';
import { createFleet, fleetBrokerIp, FleetRuntime, type Fleet } from '../support/fleet';

// A fleet in one account: five clusters share the account's Route 53 and ELBv2 buckets, the SDK's
// retry runs as deployed, and the deployed stack's bound (2 reconciles at once here) and shares
// keep every reconcile going. What is asserted is what a user sees (every cluster converged, no
// failed reconcile, each new broker address registered, the old one gone), not how long it took:
// the figures are the fleet bench's (npm run bench -- --fleet 100).

let fleet: Fleet | undefined;
afterEach(() => fleet?.world.restore());

const DAY = 24 * 3600_000;

test('five clusters, each with a broker healed to a new IP, reach the controller on one tick: all converge under the account\'s buckets, none fails', async () => {
  fleet = createFleet({ clusters: 5, latencyMs: 20 });
  const { world, clock } = fleet;
  // Deployed: every cluster set up from nothing through the same queue.
  const setup = new FleetRuntime(fleet, { maxConcurrentReconciles: 2, coordinated: true });
  setup.tick();
  await clock.runUntil(clock.now() + DAY, () => !setup.busy());
  expect(setup.invocations.filter((i) => i.status === 'failed')).toEqual([]);

  const replaced = fleet.clusterArns.map((arn, i) => {
    world.msk.replaceBroker(arn, 2, fleetBrokerIp(i, 2, 1));
    return { arn, old: fleetBrokerIp(i, 2), ip: fleetBrokerIp(i, 2, 1) };
  });
  const runtime = new FleetRuntime(fleet, { maxConcurrentReconciles: 2, coordinated: true });
  const throttledBefore = world.retries!.throttled;
  runtime.tick();
  await clock.runUntil(clock.now() + DAY, () => !runtime.busy());

  expect(runtime.maxRunning).toBe(2);
  expect(runtime.invocations.filter((i) => i.status === 'failed')).toEqual([]);
  for (const arn of fleet.clusterArns) expect(runtime.invocations.some((i) => i.clusterArn === arn && i.converged)).toBe(true);
  expect(world.retries).toMatchObject({ failed: 0 });
  // The shares keep the five inside the account's rates: throttling stays rare (a fresh instance starts with a full share).
  expect(world.retries!.throttled - throttledBefore).toBeLessThanOrEqual(5);
  for (const r of replaced) {
    const groups = world.elbv2.targetGroups().filter((tg) => tg.tags[TAG_CLUSTER] === r.arn);
    const targets = groups.flatMap((tg) => world.elbv2.targets(tg.TargetGroupArn!).filter((t) => t.state === 'registered').map((t) => t.id));
    expect(targets).toContain(r.ip);
    expect(targets).not.toContain(r.old);
  }
});

test('without the shares the same fleet is throttled, and the SDK\'s retry absorbs it', async () => {
  fleet = createFleet({ clusters: 5, latencyMs: 20 });
  const { world, clock } = fleet;
  const setup = new FleetRuntime(fleet, { maxConcurrentReconciles: 5, coordinated: false });
  setup.tick();
  await clock.runUntil(clock.now() + DAY, () => !setup.busy());
  expect(setup.invocations.filter((i) => i.status === 'failed')).toEqual([]);
  expect(world.retries!.throttled).toBeGreaterThan(0);
  expect(world.retries!.retries).toBe(world.retries!.throttled);
});
