import { describe, expect, test } from '@jest/globals';
import { waitBudget } from '../../shared/wait-budget';

// Waits inside one apply end before the invocation does, with room to finish the phase.

describe('waitBudget', () => {
  test('a fresh 15-minute invocation: the defaults would not fit together, so DNS gets a third, the health gate half the rest, the follow-up what remains', () => {
    const { dnsWait, healthWait, follow } = waitBudget(900_000);
    expect(dnsWait).toEqual({ minDelaySeconds: 5, maxWaitSeconds: 260 });
    expect(healthWait).toEqual({ pollSeconds: 10, maxSeconds: 260 });
    expect(follow).toEqual({ pollSeconds: 30, maxSeconds: 260 });
    // Every wait and the reserve fit in what is left.
    expect(dnsWait.maxWaitSeconds + healthWait.maxSeconds + follow.maxSeconds + 120).toBeLessThanOrEqual(900);
  });

  test('plenty of time: each wait keeps its default cap', () => {
    expect(waitBudget(3_600_000)).toEqual({
      dnsWait: { minDelaySeconds: 5, maxWaitSeconds: 300 },
      healthWait: { pollSeconds: 10, maxSeconds: 300 },
      follow: { pollSeconds: 30, maxSeconds: 600 },
    });
  });

  test('little time left: the waits shrink to what remains, the follow-up to nothing', () => {
    const { dnsWait, healthWait, follow } = waitBudget(150_000);
    expect(dnsWait.maxWaitSeconds).toBe(10);
    expect(healthWait.maxSeconds).toBe(10);
    expect(follow.maxSeconds).toBe(10);
    expect(waitBudget(60_000).healthWait.maxSeconds).toBe(0);
    expect(waitBudget(60_000).follow.maxSeconds).toBe(0);
    // The SDK waiter refuses a maximum below its first delay: the smallest DNS wait is 6 s.
    expect(waitBudget(60_000).dnsWait.maxWaitSeconds).toBe(6);
  });
});
