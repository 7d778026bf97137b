// `npm run bench`: the shape of a reconcile in the embedded world with a fixed latency per AWS
// call, so the figures show the plan's dependency depth and the calls it makes, not CPU speed.
// Each scenario runs as a user runs it, `msk-custom-domain apply` (the reconcile, then the
// resulting table), and once more as the resync Lambda runs it (the reconcile alone).
// With --fleet N: the fleet bench instead (scripts/fleet-bench.ts).
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../cli/main';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../test/support/scenario';
import { sequentialRounds, span, spanWithInsync } from '../test/world/timeline';
import { fleetBench } from './fleet-bench';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);
/** What a Route 53 change takes on real AWS, give or take: tens of seconds. The figure shows what waits behind it. */
const INSYNC_MS = 5000;

type Prepare = (s: Scenario) => Promise<void> | void;

interface Measured {
  reads: number;
  writes: number;
  'calls w/o CloudWatch': number;
  rounds: number;
  ms: number;
  'ms / (calls x latency)': number;
  'ms, INSYNC 5 s': number;
}

/** `apply` through the CLI, its output discarded; the span and rounds come from the world's call records. */
async function cliApply(s: Scenario, dir: string): Promise<void> {
  const file = join(dir, 'config.json');
  await writeFile(file, JSON.stringify({ clusters: [s.config] }));
  const err: string[] = [];
  // The world's clock: the health gate waits AWS's registration time in world time (its polls are counted, its wait is not).
  const code = await runCli(['apply', '-c', file], { clientsFor: () => s.clients, out: () => {}, err: (t) => err.push(t), dnsPollSeconds: 0.01, clock: s.reconcileOptions.clock });
  if (code !== 0) throw new Error(`apply exited ${code}: ${err.join('\n')}`);
}

async function once(brokers: number, prepare: Prepare, run: (s: Scenario) => Promise<unknown>): Promise<Measured> {
  const s = createScenario({ brokerIds: range(1, brokers), latencyMs: LATENCY_MS });
  try {
    await prepare(s);
    s.world.resetCalls();
    await run(s);
    const calls = s.world.calls;
    const ms = span(calls);
    return {
      reads: s.world.reads().length,
      writes: s.world.writes().length,
      'calls w/o CloudWatch': calls.filter((c) => c.service !== 'cloudwatch').length,
      rounds: sequentialRounds(calls),
      ms,
      'ms / (calls x latency)': Number((ms / (calls.length * LATENCY_MS)).toFixed(2)),
      'ms, INSYNC 5 s': spanWithInsync(calls, INSYNC_MS),
    };
  } finally {
    s.world.restore();
  }
}

async function main(): Promise<void> {
  // `npm run bench -- --fleet 100`: many clusters in one account (scripts/fleet-bench.ts).
  if (process.argv.includes('--fleet')) return fleetBench(process.argv.slice(2));
  const dir = await mkdtemp(join(tmpdir(), 'msk-bench-'));
  try {
    const rows = [];
    for (const n of [3, 12, 30]) {
      const scenarios: [string, Prepare][] = [
        ['create from nothing', () => {}],
        ['no-op', async (s) => void (await s.reconcile())],
        [`scale out ${n} -> ${n + 3}`, async (s) => {
          await s.reconcile();
          s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, n + 3)));
        }],
        [`scale in ${n + 3} -> ${n}`, async (s) => {
          s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, n + 3)));
          await s.reconcile();
          s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, n)));
        }],
        ['broker 2 replaced', async (s) => {
          await s.reconcile();
          s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
        }],
      ];
      for (const [scenario, prepare] of scenarios) {
        const cli = await once(n, prepare, (s) => cliApply(s, dir));
        const lambda = await once(n, prepare, (s) => s.reconcile());
        rows.push({ brokers: n, scenario, ...cli, 'ms, Lambda': lambda.ms, 'rounds, Lambda': lambda.rounds });
      }
    }
    console.log(`latency per AWS call: ${LATENCY_MS} ms; CLI apply (reconcile + resulting table) unless marked Lambda (reconcile alone)`);
    console.table(rows);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
