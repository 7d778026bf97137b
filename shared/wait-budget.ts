import { DEFAULT_FOLLOW } from './apply/kafka';
import { DEFAULT_DNS_WAIT } from './apply/route53';
import type { ReconcileOptions } from './reconcile';

// The waits inside one apply (Route 53 INSYNC, then following an MSK configuration update) must
// end before the Lambda invocation does, with time left to finish the phase after them: a killed
// invocation leaves a phase half done and reports nothing.

/** Seconds kept free after the waits, to finish the phase and report. */
export const RESERVE_SECONDS = 120;

/**
 * The waits of one reconcile for an invocation with `remainingMs` left: DNS (first in the apply
 * order) gets at most a third, the configuration follow-up the rest, each capped at its default.
 */
export function waitBudget(remainingMs: number): Required<Pick<ReconcileOptions, 'dnsWait' | 'follow'>> {
  const budget = Math.max(0, Math.floor(remainingMs / 1000) - RESERVE_SECONDS);
  // The SDK waiter needs a maximum above its first delay.
  const dns = Math.max(DEFAULT_DNS_WAIT.minDelaySeconds + 1, Math.min(DEFAULT_DNS_WAIT.maxWaitSeconds, Math.floor(budget / 3)));
  const follow = Math.max(0, Math.min(DEFAULT_FOLLOW.maxSeconds, budget - dns));
  return { dnsWait: { ...DEFAULT_DNS_WAIT, maxWaitSeconds: dns }, follow: { ...DEFAULT_FOLLOW, maxSeconds: follow } };
}
