// The watch: MSK heals brokers without any event; one ListNodes a minute per cluster finds a
// changed IP, and only then is the cluster reconciled.
import { afterEach, describe, expect, test } from '@jest/globals';
import pino from 'pino';
import { resync, watch, type ResyncDeps } from '../../handlers/resync';
import { FOLLOW_UP_SOURCE } from '../../shared/events';
import { describeNodesChange, memoryWatchStore, nodesFingerprint, type WatchStore } from '../../shared/watch';
import { brokerIp, createScenario, type Scenario } from '../support/scenario';
import { AWS_TIMING } from '../world';

let s: Scenario | undefined;
afterEach(() => {
  s?.world.restore();
  s = undefined;
});

function deps(scenario: Scenario, store: WatchStore, scheduled: unknown[] = []): ResyncDeps {
  return {
    config: { clusters: [scenario.config] } as ResyncDeps['config'],
    clientsFor: () => scenario.clients,
    logger: pino({ level: 'silent' }),
    reconcileOptions: { clock: scenario.reconcileOptions.clock },
    watchStore: store,
    followUp: { maxAttempts: 60, schedule: async (f) => (scheduled.push(f), `s-${scheduled.length}`), pending: async () => scheduled.length > 0 },
  };
}

const targetsOf = (scenario: Scenario, role: string) =>
  scenario.world.elbv2.targetGroups().filter((g) => g.tags['msk-custom-domain:role'] === role).flatMap((g) => scenario.world.elbv2.targets(g.TargetGroupArn!)).filter((t) => t.state === 'registered').map((t) => t.id);

describe('the watch', () => {
  test('fingerprints and changes read as an operator would say them', () => {
    expect(nodesFingerprint([{ id: 2, clientIp: '10.0.2.12' }, { id: 1, clientIp: '10.0.1.11' }, { id: 3 }])).toBe('1=10.0.1.11,2=10.0.2.12,3=?');
    expect(describeNodesChange('1=a,2=b,3=c', '1=a,2=x,4=d')).toBe('broker 2: b -> x; broker 4 joined (d); broker 3 left');
    expect(describeNodesChange(undefined, '1=a')).toBe('first look at the brokers');
  });

  test('a broker whose IP changed without any event is re-registered on the next look; an unchanged cluster costs one ListNodes and nothing else', async () => {
    s = createScenario();
    await s.reconcile();
    const store = memoryWatchStore();
    const d = deps(s, store);
    // The first look reconciles once (nothing to change) and remembers the brokers.
    expect((await watch(d)).changed.map((c) => c.change)).toEqual(['first look at the brokers']);

    s.world.resetCalls();
    expect((await watch(d)).changed).toEqual([]);
    expect(s.world.calls.map((c) => c.command)).toEqual(['ListNodesCommand']);

    s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    const { changed } = await watch(d);
    expect(changed.map((c) => [c.change, c.report?.status])).toEqual([[`broker 2: ${brokerIp(2)} -> ${brokerIp(2, 1)}`, 'applied']]);
    expect(targetsOf(s, 'broker-2')).toEqual([brokerIp(2, 1)]);
    expect(targetsOf(s, 'bootstrap')).toContain(brokerIp(2, 1));
    expect(await store.get(s.clusterArn)).toBe(nodesFingerprint(s.world.msk.cluster(s.clusterArn).brokers.map((b) => ({ id: b.id, clientIp: b.ip }))));
  });

  test('a reconcile that fails keeps the old fingerprint, so the next look tries again', async () => {
    s = createScenario();
    await s.reconcile();
    const store = memoryWatchStore();
    const d = deps(s, store);
    await watch(d);
    s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    s.world.faults.add({ command: 'RegisterTargetsCommand', error: 'throttle' });
    await expect(watch(d)).rejects.toThrow(/watch: .*orders/);
    const again = await watch(d);
    expect(again.changed.map((c) => c.report?.status)).toEqual(['applied']);
    expect(targetsOf(s, 'broker-2')).toEqual([brokerIp(2, 1)]);
  });
});

describe('follow-ups a minute apart, one chain per cluster', () => {
  test('new names wait for their targets: the run checks health once and schedules a follow-up; the follow-up after AWS\'s registration publishes them', async () => {
    s = createScenario();
    const scheduled: unknown[] = [];
    const d = deps(s, memoryWatchStore(), scheduled);
    const first = await resync({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, d);
    expect(first.clusters[0]).toMatchObject({ status: 'waiting', summary: expect.stringMatching(/^waiting for target health/) });
    expect(s.world.route53.records(s.zoneId).filter((r) => r.Type === 'A')).toEqual([]);
    expect(scheduled).toEqual([{ clusterArn: s.clusterArn, attempt: 1, requested: expect.stringMatching(/^schedule: waiting for target health/) }]);

    // A second trigger finds the chain: no second one.
    await resync({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, d);
    expect(scheduled).toHaveLength(1);

    await s.reconcileOptions.clock!.sleep(AWS_TIMING.registrationDelayMs + 30_000);
    const later = await resync({ source: FOLLOW_UP_SOURCE, clusterArn: s.clusterArn, attempt: 1, requested: 'x' }, d);
    expect(later.clusters[0]).toMatchObject({ status: 'applied', converged: true });
    expect(s.world.route53.records(s.zoneId).filter((r) => r.Type === 'A').map((r) => r.Name).sort()).toEqual(
      ['b-1', 'b-2', 'b-3', 'bootstrap'].map((n) => `${n}.kafka.example.com.`),
    );
  });

  test('a schedule tick that finds MSK changing the cluster starts the chain (not only its CloudTrail event)', async () => {
    s = createScenario();
    await s.reconcile();
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    const scheduled: unknown[] = [];
    await resync({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, deps(s, memoryWatchStore(), scheduled));
    expect(scheduled).toEqual([{ clusterArn: s.clusterArn, attempt: 1, requested: 'schedule: cluster is UPDATING' }]);
  });
});
