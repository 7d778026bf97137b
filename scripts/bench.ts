// `npm run bench`: reads, writes and wall time of the reconciler in the embedded world with a
// fixed latency per AWS call, so the figures show the plan's dependency depth, not CPU speed.
import { brokersFor, createScenario, range, type Scenario } from '../test/support/scenario';

const LATENCY_MS = Number(process.env.BENCH_LATENCY_MS ?? 20);

interface Row { brokers: number; scenario: string; reads: number; writes: number; ms: number; 'ms, unbounded writes': number }

type Prepare = (s: Scenario) => Promise<void> | void;

async function once(brokers: number, prepare: Prepare, concurrency?: number) {
  const s = createScenario({ brokerIds: range(1, brokers), latencyMs: LATENCY_MS, concurrency });
  try {
    await prepare(s);
    s.world.resetCalls();
    const started = performance.now();
    await s.reconcile();
    const ms = Math.round(performance.now() - started);
    return { reads: s.world.reads().length, writes: s.world.writes().length, ms };
  } finally {
    s.world.restore();
  }
}

/** Default write concurrency (8, kind to ELBv2's API rate limits), and unbounded to show the plan's depth alone. */
async function measure(brokers: number, scenario: string, prepare: Prepare): Promise<Row> {
  const bounded = await once(brokers, prepare);
  const unbounded = await once(brokers, prepare, 1000);
  return { brokers, scenario, ...bounded, 'ms, unbounded writes': unbounded.ms };
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
