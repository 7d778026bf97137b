import { DEFAULT_HEALTH_WAIT } from './apply/health';
import { DEFAULT_FOLLOW } from './apply/kafka';
import { DEFAULT_DNS_WAIT } from './apply/route53';
import type { ReconcileOptions } from './reconcile';

// The waits inside one apply (Route 53 INSYNC, the target-health gate, then following an MSK configuration update) must
// end before the Lambda invocation does, with time left to finish the phase after them: a killed
// invocation leaves a phase half done and reports nothing.

/** Seconds kept free after the waits, to finish the phase and report. */
export const RESERVE_SECONDS = 120;

/**
 * The waits of one reconcile for an invocation with `remainingMs` left, in apply order: DNS gets
 * at most a third, the health gate at most half of what DNS leaves, the configuration follow-up
 * the rest; each capped at its default.
 */
export function waitBudget(remainingMs: number): Required<Pick<ReconcileOptions, 'dnsWait' | 'healthWait' | 'follow'>> {
  const budget = Math.max(0, Math.floor(remainingMs / 1000) - RESERVE_SECONDS);
  // The SDK waiter needs a maximum above its first delay.
  const dns = Math.max(DEFAULT_DNS_WAIT.minDelaySeconds + 1, Math.min(DEFAULT_DNS_WAIT.maxWaitSeconds, Math.floor(budget / 3)));
  const health = Math.max(0, Math.min(DEFAULT_HEALTH_WAIT.maxSeconds, Math.floor((budget - dns) / 2)));
  const follow = Math.max(0, Math.min(DEFAULT_FOLLOW.maxSeconds, budget - dns - health));
  return {
    dnsWait: { ...DEFAULT_DNS_WAIT, maxWaitSeconds: dns },
    healthWait: { ...DEFAULT_HEALTH_WAIT, maxSeconds: health },
    follow: { ...DEFAULT_FOLLOW, maxSeconds: follow },
  };
}
