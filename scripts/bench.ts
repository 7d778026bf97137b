// `npm run bench`: reads, writes and wall time of the reconciler in the embedded world with a
// fixed latency per AWS call, so the figures show the plan's dependency depth, not CPU speed.
import { brokersFor, createScenario, range } from '../test/support/scenario';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);

interface Row { brokers: number; scenario: string; reads: number; writes: number; ms: number }

async function measure(brokers: number, scenario: string, prepare: (s: ReturnType<typeof createScenario>) => Promise<void> | void, run = true): Promise<Row> {
  const s = createScenario({ brokerIds: range(1, brokers), latencyMs: LATENCY_MS });
  try {
    await prepare(s);
    s.world.resetCalls();
    const started = performance.now();
    if (run) await s.reconcile();
    const ms = performance.now() - started;
    return { brokers, scenario, reads: s.world.reads().length, writes: s.world.writes().length, ms: Math.round(ms) };
  } finally {
    s.world.restore();
  }
}

async function main(): Promise<void> {
  const rows: Row[] = [];
  for (const n of [3, 12, 30]) {
    rows.push(await measure(n, 'create from nothing', () => {}));
    rows.push(await measure(n, 'no-op', async (s) => void (await s.reconcile())));
    rows.push(await measure(n, 'scale out by 3', async (s) => {
      await s.reconcile();
      s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, n + 3)));
    }));
  }
  console.log(`latency per AWS call: ${LATENCY_MS} ms`);
  console.table(rows.map((r) => ({ ...r, 'read budget (brokers + 8)': r.brokers + 8 })));
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
