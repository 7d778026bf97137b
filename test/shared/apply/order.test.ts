import { afterEach, describe, expect, test } from '@jest/globals';
import { ApplyError } from '../../../shared/errors';
import type { CallRecord } from '../../world';
import { brokersFor, createScenario, range, type Scenario } from '../../support/scenario';
import { mapping, names } from '../../support/inspect';

// Apply's order as the wire sees it: a fixed latency per call, so "after" means "started once the other answered".

let s: Scenario;
afterEach(() => s?.world.restore());

const of = (command: string) => s.world.calls.filter((c) => c.command === command);
const firstStart = (calls: CallRecord[]) => Math.min(...calls.map((c) => c.startedAt));
const lastEnd = (calls: CallRecord[]) => Math.max(...calls.map((c) => c.endedAt!));

describe('apply order', () => {
  test('alarms are written from the first write phase on, beside the target groups', async () => {
    s = createScenario({ latencyMs: 10 });
    await s.reconcile();
    expect(of('PutMetricAlarmCommand')).toHaveLength(9);
    expect(firstStart(of('PutMetricAlarmCommand'))).toBeLessThan(lastEnd(of('CreateTargetGroupCommand')));
    expect(firstStart(of('PutMetricAlarmCommand'))).toBeLessThan(firstStart(of('CreateListenerCommand')));
  });

  test('a name goes live only after its listener, targets and cross-zone attribute answered; listeners after their groups', async () => {
    s = createScenario({ latencyMs: 10 });
    await s.reconcile();
    const dns = firstStart(of('ChangeResourceRecordSetsCommand'));
    for (const command of ['CreateListenerCommand', 'RegisterTargetsCommand', 'ModifyTargetGroupAttributesCommand']) {
      expect(lastEnd(of(command))).toBeLessThanOrEqual(dns);
    }
    expect(firstStart(of('CreateListenerCommand'))).toBeGreaterThanOrEqual(lastEnd(of('CreateTargetGroupCommand')));
    // A new group's attributes go beside its listener, not in a round of their own before it.
    expect(firstStart(of('ModifyTargetGroupAttributesCommand'))).toBeLessThan(lastEnd(of('CreateListenerCommand')));
  });

  test('alarms do not wait for the names to be INSYNC', async () => {
    s = createScenario({ latencyMs: 10, insyncAfterMs: 400 });
    await s.reconcile();
    const insyncSeen = of('GetChangeCommand').at(-1)!;
    expect(of('GetChangeCommand').length).toBeGreaterThan(1);
    expect(lastEnd(of('PutMetricAlarmCommand'))).toBeLessThan(insyncSeen.startedAt);
  });

  test('a failed alarm write holds back no name; the run reports it and the next one writes it', async () => {
    s = createScenario({ latencyMs: 5 });
    s.world.faults.add({ command: 'PutMetricAlarmCommand', error: 'throttle' });
    const error = await s.reconcile().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApplyError);
    expect((error as Error).message).toMatch(/1 change\(s\) to orders failed; .*\n {2}- .*alarm/);
    expect((await mapping(s)).names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    await s.reconcile();
    expect(s.world.cloudwatch.alarms()).toHaveLength(9);
  });

  test('on scale-in, alarms go with the listeners, once their names are gone (INSYNC)', async () => {
    s = createScenario({ brokerIds: range(1, 6), latencyMs: 5 });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 3)));
    s.world.resetCalls();
    await s.reconcile();
    const insync = lastEnd(of('GetChangeCommand'));
    expect(firstStart(of('DeleteAlarmsCommand'))).toBeGreaterThanOrEqual(insync);
    expect(firstStart(of('DeleteListenerCommand'))).toBeGreaterThanOrEqual(insync);
    expect(firstStart(of('DeleteTargetGroupCommand'))).toBeGreaterThanOrEqual(lastEnd(of('DeleteListenerCommand')));
  });
});
