import { afterEach, describe, expect, test } from '@jest/globals';
import { SERVICE_CONCURRENCY } from '../../../shared/aws/concurrency';
import { createScenario, range, type Scenario } from '../../support/scenario';
import { maxInFlight } from '../../world/timeline';

// The clients queue calls per service (reads and writes alike), whoever makes them: observe, apply, confirmations.

let s: Scenario;
afterEach(() => s?.world.restore());

describe('calls in flight per service', () => {
  test('creating 30 brokers stays within each service limit, and reaches it', async () => {
    s = createScenario({ brokerIds: range(1, 30), latencyMs: 5 });
    await s.reconcile();
    expect(maxInFlight(s.world.writes(), 'elbv2')).toBe(SERVICE_CONCURRENCY.elbv2);
    expect(maxInFlight(s.world.calls, 'elbv2')).toBe(SERVICE_CONCURRENCY.elbv2);
    expect(maxInFlight(s.world.calls, 'cloudwatch')).toBe(SERVICE_CONCURRENCY.cloudwatch);
    expect(maxInFlight(s.world.calls, 'route53')).toBeLessThanOrEqual(SERVICE_CONCURRENCY.route53);
  });

  test("the reads of a 30-broker no-op (a DescribeTargetHealth and attributes per group) are bounded like writes", async () => {
    s = createScenario({ brokerIds: range(1, 30), latencyMs: 5 });
    await s.reconcile();
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.reads().filter((c) => c.command === 'DescribeTargetHealthCommand')).toHaveLength(31);
    expect(maxInFlight(s.world.reads(), 'elbv2')).toBe(SERVICE_CONCURRENCY.elbv2);
  });

  test('the limits can be lifted (the benchmark does, to show the plan depth alone)', async () => {
    s = createScenario({ brokerIds: range(1, 30), latencyMs: 5, concurrency: 1000 });
    await s.reconcile();
    s.world.resetCalls();
    await s.reconcile();
    expect(maxInFlight(s.world.reads(), 'elbv2')).toBeGreaterThan(SERVICE_CONCURRENCY.elbv2);
  });
});
