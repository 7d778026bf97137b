// Reliability by random histories (fast-check model-based testing): random sequences of cluster
// changes, MSK operations, AWS calls failing mid-apply and foreign resources, with full reconciles
// in between. Whenever the history settles (cluster ACTIVE, no fault pending, one reconcile), the
// mapping must match the brokers exactly, nothing foreign may have changed, and a second reconcile
// must make zero writes.
import { expect, test } from '@jest/globals';
import fc from 'fast-check';
import { alarmPrefix } from '../../shared/alarms/desired';
import { ApplyError } from '../../shared/errors';
import { mapping } from '../support/inspect';
import { createScenario, type Scenario } from '../support/scenario';

interface Model {
  /** Broker id -> client IP. */
  brokers: Map<number, string>;
  nextId: number;
  generation: number;
  busy: boolean;
}

interface Real {
  s: Scenario;
  foreignListener: string;
}

let steps = 0;
const ip = (id: number, generation: number) => `10.0.${((id - 1) % 3) + 1}.${(10 + id + generation * 37) % 250 + 1}`;
const WRITES = ['CreateTargetGroupCommand', 'ModifyTargetGroupAttributesCommand', 'CreateListenerCommand', 'RegisterTargetsCommand', 'DeregisterTargetsCommand',
  'ChangeResourceRecordSetsCommand', 'PutMetricAlarmCommand', 'DeleteAlarmsCommand', 'DeleteListenerCommand', 'DeleteTargetGroupCommand'];

const seeds = (m: Model) => [...m.brokers].map(([id, address]) => ({ id, ip: address }));

/** A reconcile that may fail only because of an injected fault (the next one picks up). */
async function reconcileTolerant(r: Real): Promise<void> {
  try {
    await r.s.reconcile();
  } catch (error) {
    if (!(error instanceof ApplyError)) throw error;
  }
}

class ScaleOut implements fc.AsyncCommand<Model, Real> {
  constructor(readonly count: number, readonly gap: number) {}
  check = (m: Readonly<Model>) => m.brokers.size + this.count <= 12;
  async run(m: Model, r: Real) {
    m.nextId += this.gap;
    for (let i = 0; i < this.count; i++) m.brokers.set(m.nextId++, ip(m.nextId - 1, m.generation));
    r.s.world.msk.setBrokers(r.s.clusterArn, seeds(m));
  }
  toString = () => `scaleOut(${this.count}, gap ${this.gap})`;
}

class ScaleIn implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = (m: Readonly<Model>) => m.brokers.size > 1;
  async run(m: Model, r: Real) {
    const ids = [...m.brokers.keys()];
    m.brokers.delete(ids[this.pick % ids.length]!);
    r.s.world.msk.setBrokers(r.s.clusterArn, seeds(m));
  }
  toString = () => `scaleIn(#${this.pick})`;
}

class Replace implements fc.AsyncCommand<Model, Real> {
  constructor(readonly pick: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const ids = [...m.brokers.keys()];
    const id = ids[this.pick % ids.length]!;
    m.generation++;
    m.brokers.set(id, ip(id, m.generation));
    r.s.world.msk.replaceBroker(r.s.clusterArn, id, m.brokers.get(id)!);
  }
  toString = () => `replace(#${this.pick})`;
}

class Busy implements fc.AsyncCommand<Model, Real> {
  constructor(readonly announce: number) {}
  check = (m: Readonly<Model>) => !m.busy;
  async run(m: Model, r: Real) {
    m.busy = true;
    const announced = Array.from({ length: this.announce }, (_, i) => m.nextId + i);
    r.s.world.msk.startOperation(r.s.clusterArn, { type: 'INCREASE_BROKER_COUNT', polls: 1_000_000, createdBrokerIds: announced });
  }
  toString = () => `busy(announcing ${this.announce})`;
}

class Active implements fc.AsyncCommand<Model, Real> {
  check = (m: Readonly<Model>) => m.busy;
  async run(m: Model, r: Real) {
    m.busy = false;
    r.s.world.msk.completeOperations(r.s.clusterArn);
  }
  toString = () => 'active';
}

/** A write fails (throttled beyond retries: the run stops) or loses its reply after the change (the run must still succeed). */
class Fault implements fc.AsyncCommand<Model, Real> {
  constructor(readonly command: string, readonly afterCalls: number, readonly kind: 'throttle' | 'reply-lost') {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.s.world.faults.add({ command: this.command, afterCalls: this.afterCalls, error: this.kind });
  }
  toString = () => `fault(${this.kind} ${this.command} after ${this.afterCalls})`;
}

/** Only lost replies pending: the reconcile must not fail (issue 12), whatever it hits. */
class LostReplyReconcile implements fc.AsyncCommand<Model, Real> {
  constructor(readonly command: string, readonly afterCalls: number) {}
  check = () => true;
  async run(_m: Model, r: Real) {
    r.s.world.faults.clear();
    r.s.world.faults.add({ command: this.command, afterCalls: this.afterCalls, error: 'reply-lost' });
    await r.s.reconcile();
  }
  toString = () => `reconcile with a lost reply of ${this.command} after ${this.afterCalls}`;
}

class Reconcile implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(_m: Model, r: Real) {
    await reconcileTolerant(r);
  }
  toString = () => 'reconcile';
}

/** The history settles: MSK is done, faults are gone, one reconcile; then every invariant. */
class Settle implements fc.AsyncCommand<Model, Real> {
  check = () => true;
  async run(m: Model, r: Real) {
    m.busy = false;
    r.s.world.msk.completeOperations(r.s.clusterArn);
    r.s.world.faults.clear();
    await r.s.reconcile();
    const ids = [...m.brokers.keys()].sort((a, b) => a - b);
    const ips = ids.map((id) => m.brokers.get(id)!);
    const { listeners, names, targetGroups, state } = await mapping(r.s);
    // Each broker: one listener on base + id with exactly its IP; the bootstrap with every IP; the foreign listener as it was.
    expect(listeners).toEqual({
      9000: { role: 'bootstrap', targets: [...ips].sort() },
      ...Object.fromEntries(ids.map((id) => [9000 + id, { role: `broker-${id}`, targets: [m.brokers.get(id)!] }])),
      9500: { role: 'foreign', targets: [] },
    });
    expect(state.listeners.find((l) => l.port === 9500)!.arn).toBe(r.foreignListener);
    // No orphan target group, one name per endpoint (and the foreign name untouched), alarms per broker.
    expect(targetGroups.filter((n) => n.startsWith('mcd-'))).toHaveLength(ids.length + 1);
    expect(names).toEqual(['bootstrap.kafka.example.com.', 'legacy.kafka.example.com.', ...ids.map((id) => `b-${id}.kafka.example.com.`)].sort());
    const prefix = alarmPrefix(state.cluster.name, state.cluster.arn);
    const alarmed = new Set(r.s.world.cloudwatch.alarms().filter((a) => a.AlarmName!.startsWith(prefix)).map((a) => Number(/broker-(\d+)\//.exec(a.AlarmName!)?.[1])));
    expect([...alarmed].sort((a, b) => a - b)).toEqual(ids);
    // Converged: the next reconcile changes nothing.
    r.s.world.resetCalls();
    expect((await r.s.reconcile()).plan.actions).toEqual([]);
    expect(r.s.world.writes()).toEqual([]);
  }
  toString = () => 'settle';
}

const commands = [
  fc.tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 3 })).map(([n, gap]) => new ScaleOut(n, gap)),
  fc.nat(20).map((i) => new ScaleIn(i)),
  fc.nat(20).map((i) => new Replace(i)),
  fc.integer({ min: 0, max: 3 }).map((n) => new Busy(n)),
  fc.constant(new Active()),
  fc.tuple(fc.constantFrom(...WRITES), fc.nat(4), fc.constantFrom('throttle' as const, 'reply-lost' as const)).map(([c, n, k]) => new Fault(c, n, k)),
  fc.tuple(fc.constantFrom(...WRITES), fc.nat(3)).map(([c, n]) => new LostReplyReconcile(c, n)),
  fc.constant(new Reconcile()),
  fc.constant(new Reconcile()),
  fc.constant(new Settle()),
];

const RUNS = Number(process.env.HISTORY_RUNS ?? 100);

test(`random histories keep the invariants (${RUNS} histories)`, async () => {
  const seed = Number(process.env.HISTORY_SEED ?? Date.now() % 2 ** 31);
  await fc.assert(
    fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'large' }), async (cmds) => {
      const model: Model = { brokers: new Map([1, 2, 3].map((id) => [id, ip(id, 0)])), nextId: 4, generation: 0, busy: false };
      const s = createScenario({ brokers: seeds(model) });
      try {
        const foreignListener = s.world.elbv2.addListener({ loadBalancerArn: s.lbArn, port: 9500, protocol: 'TCP' });
        s.world.route53.addRecord(s.zoneId, { Name: 'legacy.kafka.example.com.', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'old.example.net' }] });
        const real: Real = { s, foreignListener };
        await fc.asyncModelRun(() => ({ model, real }), [...cmds, new Settle()]);
        steps += [...cmds].length + 1;
      } finally {
        s.world.restore();
      }
    }),
    { numRuns: RUNS, seed, verbose: 1 },
  );
  process.stdout.write(`random histories: ${RUNS} histories, ${steps} steps, seed ${seed} (HISTORY_SEED=${seed} replays them)\n`);
}, 600_000);

