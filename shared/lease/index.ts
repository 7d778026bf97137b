// One reconcile per cluster, whoever starts it: the deployed function and a person's CLI can
// otherwise race on the same listeners and records. A lease per cluster, taken with a
// conditional write (see dynamodb.ts), held for the run, released after; a holder that died
// loses it when it expires.

export interface LeaseHolder {
  holder: string;
  since: string;
  expiresAt: string;
}

export interface LeaseStore {
  /** Takes the lease, or says who holds it. */
  acquire(clusterArn: string, holder: string, ttlMs: number): Promise<{ ok: true } | ({ ok: false } & LeaseHolder)>;
  /** Gives it back, if still ours (an expired lease may have been taken over since). */
  release(clusterArn: string, holder: string): Promise<void>;
}

/**
 * Longer than any run can take, short enough after a crash: the Lambda stops at 15 minutes, and the
 * CLI's bounded waits add up to 20 (DNS 5, health gate 5, configuration follow-up 10) plus its calls.
 */
export const LEASE_TTL_MS = 30 * 60_000;

export class LeaseHeldError extends Error {
  override name = 'LeaseHeldError';
  constructor(readonly clusterArn: string, readonly held: LeaseHolder) {
    super(`cluster ${clusterArn} is being reconciled by ${held.holder} since ${held.since}; its lease expires at ${held.expiresAt}: try again then, or once it finishes`);
  }
}

/** Runs `run` holding the cluster's lease; without a store (no lease table configured), runs it as is. */
export async function withClusterLease<T>(store: LeaseStore | undefined, clusterArn: string, holder: string, run: () => Promise<T>): Promise<T> {
  if (!store) return run();
  const taken = await store.acquire(clusterArn, holder, LEASE_TTL_MS);
  if (!taken.ok) throw new LeaseHeldError(clusterArn, taken);
  try {
    return await run();
  } finally {
    // A failed release must not turn the run's own outcome into an error: the lease then expires.
    await store.release(clusterArn, holder).catch(() => undefined);
  }
}
