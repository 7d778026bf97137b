// `npm run bench -- --fleet 100`: a fleet in one account on one schedule tick. N clusters of 6
// brokers in ONE world with the account's Route 53 and ELBv2 token buckets (AWS's figures,
// test/world/throttles.ts) and the SDK's own retry, 20 ms per call, AWS's registration time
// (test/world/aws-timing.ts). The fleet is set up first (from nothing, not measured); then every
// cluster gets a change (one broker replaced with a new IP, no event), one tick enqueues every
// cluster at once, and the real resync handler runs them as the stack does: at most
// maxConcurrentReconciles at once (the SQS event source), one per cluster (its FIFO group),
// follow-ups through the scheduler. All in world time (ConcurrentClock): minutes cost seconds.
// Options: --concurrency N (default 5), --coordination on|off|both (default both).
import { TAG_CLUSTER } from '../shared/naming';
import { DEFAULT_MAX_CONCURRENT_RECONCILES } from '../shared/stack/events';
import { createFleet, fleetBrokerIp, FleetRuntime, type Fleet } from '../test/support/fleet';
import { SCHEDULE_MS } from '../test/support/runtime';
import type { RetryCounts } from '../test/world';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
const BROKERS = 6;
/** Long enough for anything the controller would still do; the run ends as soon as nothing is left. */
const LIMIT_MS = 4 * 3600_000;

const seconds = (ms: number) => Math.round(ms / 100) / 10;
const percentile = (values: number[], p: number) => [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0;

function option(argv: string[], name: string, fallback: string): string {
  const at = argv.indexOf(name);
  return at >= 0 && argv[at + 1] !== undefined ? argv[at + 1]! : fallback;
}

/** Every cluster reconciled from nothing until converged: the fleet as deployed before the change. */
async function setUp(fleet: Fleet, concurrency: number): Promise<{ worldS: number; calls: number }> {
  const runtime = new FleetRuntime(fleet, { maxConcurrentReconciles: concurrency, coordinated: true });
  const start = fleet.clock.now();
  runtime.tick();
  await fleet.clock.runUntil(start + LIMIT_MS, () => !runtime.busy());
  const unconverged = fleet.clusterArns.filter((arn) => !runtime.invocations.some((i) => i.clusterArn === arn && i.converged));
  if (unconverged.length) throw new Error(`fleet bench: set-up left ${unconverged.length} cluster(s) unconverged`);
  return { worldS: seconds(fleet.clock.now() - start), calls: fleet.world.calls.length };
}

function diff(after: RetryCounts, before: RetryCounts): RetryCounts {
  return Object.fromEntries(Object.entries(after).map(([k, v]) => [k, v - before[k as keyof RetryCounts]])) as unknown as RetryCounts;
}

async function measure(clusters: number, concurrency: number, coordinated: boolean) {
  const fleet = createFleet({ clusters, brokers: BROKERS, latencyMs: LATENCY_MS });
  try {
    const setup = await setUp(fleet, concurrency);
    const { world, clock } = fleet;
    // The change: MSK heals one broker per cluster with a new IP (no event; the schedule finds it).
    const replaced = fleet.clusterArns.map((arn, i) => {
      const id = (i % BROKERS) + 1;
      const ip = fleetBrokerIp(i, id, 1);
      world.msk.replaceBroker(arn, id, ip);
      return { arn, ip };
    });
    const calls = world.calls.length;
    const retriesBefore = { ...world.retries! };
    const runtime = new FleetRuntime(fleet, { maxConcurrentReconciles: concurrency, coordinated });
    const start = clock.now();
    // AWS's side: when each new target is healthy (registration delay, then the health checks).
    const healthyAt = new Map<string, number>();
    const groups = world.elbv2.targetGroups();
    const groupsOf = new Map(replaced.map((r) => [r.arn, groups.filter((tg) => tg.tags[TAG_CLUSTER] === r.arn).map((tg) => tg.TargetGroupArn!)]));
    const stopPolling = clock.every(1000, () => {
      for (const r of replaced) {
        if (healthyAt.has(r.arn)) continue;
        if (groupsOf.get(r.arn)!.some((tg) => world.elbv2.targetHealth(tg, r.ip) === 'healthy')) healthyAt.set(r.arn, clock.now() - start);
      }
    });
    runtime.tick();
    await clock.runUntil(start + LIMIT_MS, () => !runtime.busy() && healthyAt.size === replaced.length);
    stopPolling();
    const realRuns = runtime.invocations;
    const perCluster = fleet.clusterArns.map((arn) => {
      const mine = realRuns.filter((i) => i.clusterArn === arn);
      const converged = mine.find((i) => i.converged);
      return {
        convergedMs: converged ? converged.endedAt - start : Infinity,
        queuedMs: mine.length ? mine[0]!.at - start : Infinity,
        workMs: mine.reduce((sum, i) => sum + (i.endedAt - i.at), 0),
        healthyMs: healthyAt.get(arn) ?? Infinity,
      };
    });
    const retries = diff(world.retries!, retriesBefore);
    const allConverged = Math.max(...perCluster.map((c) => c.convergedMs));
    const failedReconciles = realRuns.filter((i) => i.status === 'failed').length;
    return {
      setup,
      row: {
        clusters,
        concurrency,
        coordination: coordinated ? 'shares' : 'off',
        'all converged, s': seconds(allConverged),
        'queued max, s': seconds(Math.max(...perCluster.map((c) => c.queuedMs))),
        'work per cluster p50/max, s': `${seconds(percentile(perCluster.map((c) => c.workMs), 50))}/${seconds(Math.max(...perCluster.map((c) => c.workMs)))}`,
        'Lambda s (sum)': seconds(perCluster.reduce((s, c) => s + c.workMs, 0)),
        'all healthy (AWS clock), s': seconds(Math.max(...perCluster.map((c) => c.healthyMs))),
        calls: world.calls.length - calls,
        throttled: retries.throttled,
        retries: retries.retries,
        'failed calls': retries.failed,
        'failed reconciles': failedReconciles,
        'within 5 min': allConverged <= SCHEDULE_MS && failedReconciles === 0 ? 'yes' : 'no',
      },
      errors: realRuns.filter((i) => i.error).slice(0, 3).map((i) => i.error),
      maxRunning: runtime.maxRunning,
    };
  } finally {
    fleet.world.restore();
  }
}

export async function fleetBench(argv: string[]): Promise<void> {
  const clusters = Number(option(argv, '--fleet', '100'));
  const concurrency = Number(option(argv, '--concurrency', String(DEFAULT_MAX_CONCURRENT_RECONCILES)));
  const coordination = option(argv, '--coordination', 'both');
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > 100) throw new Error(`--fleet ${clusters}: use 1 to 100 clusters (the world's subnets hold 100 clusters of 6 brokers)`);
  if (!['on', 'off', 'both'].includes(coordination)) throw new Error(`--coordination ${coordination}: use on, off or both`);
  const modes = coordination === 'both' ? [true, false] : [coordination === 'on'];
  const rows = [];
  for (const coordinated of modes) {
    const realStart = Date.now();
    const { setup, row, errors, maxRunning } = await measure(clusters, concurrency, coordinated);
    console.error(`set-up from nothing: ${setup.worldS} s of world time, ${setup.calls} calls; measured run: at most ${maxRunning} reconciles at once; ${Math.round((Date.now() - realStart) / 1000)} s real`);
    for (const e of errors) console.error(`  failed: ${e}`);
    rows.push(row);
  }
  console.log(`${clusters} clusters x ${BROKERS} brokers, one broker each replaced (new IP), all on one schedule tick; ${LATENCY_MS} ms per call; the account's Route 53 and ELBv2 buckets; world time`);
  console.table(rows);
}
