import type { Clock } from '../clock';

// Route 53 and ELBv2 meter requests per account (and Region), whoever sends them. Every concurrent
// reconcile of a deployment draws from the same buckets, and adaptive retry inside each one only
// reacts once the account is already throttled. Coordination, chosen here: a static partition.
// Each running reconcile gets its own token buckets at 1/(maxConcurrentReconciles + 1) of the
// account's figures (the queue's reconciles plus the watch, which the stack invokes directly), so
// together they stay inside the account's rates with no extra call and no shared state, and leave
// some room for everyone else in the account (console, IaC, other tools).
// Rejected: a shared bucket in the lease table (one DynamoDB write per AWS call, a new failure
// mode, and a hot item); a share by the number of reconciles actually running (needs that count,
// which changes during a run). The price: a reconcile alone runs at its share, not the whole rate.

/** One of AWS's token buckets: burst and sustained rate. */
export interface RateBucket {
  name: string;
  capacity: number;
  refillPerSecond: number;
}

/**
 * ELB user guide, "Request throttling for the ELB API": "The capacity of the account-level bucket
 * is 40 tokens and the refill rate is 10 request tokens per second", shared by every ELB API action;
 * each action also draws from its category's bucket: non-mutating (Describe*) 40 / 10,
 * registration (RegisterTargets, DeregisterTargets) 20 / 4, mutating (the other writes) 20 / 3.
 * Route 53 developer guide, quotas: "Five requests per second per AWS account" (all requests,
 * Throttling / Rate exceeded). Its newer throttling page gives an account bucket of 50 refilled
 * at 10 a second; the older, lower figure is kept: it holds under either, and a reconcile makes
 * only a few Route 53 calls.
 */
export const ACCOUNT_RATES = {
  elbv2: {
    account: { name: 'elbv2', capacity: 40, refillPerSecond: 10 },
    describe: { name: 'elbv2:describe', capacity: 40, refillPerSecond: 10 },
    registration: { name: 'elbv2:registration', capacity: 20, refillPerSecond: 4 },
    mutating: { name: 'elbv2:mutating', capacity: 20, refillPerSecond: 3 },
  },
  route53: {
    account: { name: 'route53', capacity: 5, refillPerSecond: 5 },
  },
} satisfies Record<string, Record<string, RateBucket>>;

export type RatedService = keyof typeof ACCOUNT_RATES;

/** The account's buckets an operation ('DescribeTargetHealth') of `service` draws from. */
export function bucketsOf(service: RatedService, operation: string): RateBucket[] {
  if (service === 'route53') return [ACCOUNT_RATES.route53.account];
  const { account, describe, registration, mutating } = ACCOUNT_RATES.elbv2;
  if (operation.startsWith('Describe')) return [account, describe];
  if (operation === 'RegisterTargets' || operation === 'DeregisterTargets') return [account, registration];
  return [account, mutating];
}

/**
 * The share of the account's rates one reconcile may use: the queue runs up to
 * `maxConcurrentReconciles` at once, and the watch (invoked directly, not through the queue) one more.
 */
export function fleetShare(maxConcurrentReconciles: number): number {
  return 1 / (maxConcurrentReconciles + 1);
}

interface Held {
  capacity: number;
  perMs: number;
  tokens: number;
  /** When `tokens` was counted; later than now once calls have reserved future tokens. */
  at: number;
}

/**
 * Token buckets with `share` of each of the account's capacity and refill, kept by `clock`. A call
 * reserves its token in every bucket it draws from, at the earliest time all have one, and waits
 * until then: calls go in the order they asked, and a burst is spread out instead of refused.
 */
export class AccountRateLimiter {
  private readonly held = new Map<string, Held>();

  constructor(readonly share: number, private readonly clock: Clock) {
    if (!(share > 0 && share <= 1)) throw new Error(`AccountRateLimiter: share ${share} must be more than 0 and at most 1`);
  }

  /** Milliseconds the call must wait before it is sent (0: at once); its tokens are taken. */
  reserve(service: RatedService, operation: string): number {
    const now = this.clock.now();
    const buckets = bucketsOf(service, operation).map((b) => this.bucket(b, now));
    const when = Math.max(...buckets.map((b) => readyAt(b, now)));
    for (const b of buckets) {
      b.tokens = Math.min(b.capacity, b.tokens + (when - b.at) * b.perMs) - 1;
      b.at = when;
    }
    return when - now;
  }

  /** Waits for the call's turn. */
  async take(service: RatedService, operation: string): Promise<void> {
    const wait = this.reserve(service, operation);
    if (wait > 0) await this.clock.sleep(wait);
  }

  private bucket(spec: RateBucket, now: number): Held {
    let held = this.held.get(spec.name);
    if (!held) {
      // At least one token, or a small share could never send anything.
      const capacity = Math.max(1, spec.capacity * this.share);
      held = { capacity, perMs: (spec.refillPerSecond * this.share) / 1000, tokens: capacity, at: now };
      this.held.set(spec.name, held);
    }
    return held;
  }
}

/** When bucket `b` has a whole token, at `now` or later. */
function readyAt(b: Held, now: number): number {
  const from = Math.max(now, b.at);
  const tokens = Math.min(b.capacity, b.tokens + (from - b.at) * b.perMs);
  return tokens >= 1 ? from : from + (1 - tokens) / b.perMs;
}

interface Sends {
  send(...args: any[]): Promise<unknown>;
}

/** The operation of an SDK command ('DescribeTargetHealth'): from its schema, which minifying keeps. */
function operationOf(command: unknown): string {
  const c = command as { schema?: unknown[]; constructor?: { name?: string } };
  const fromSchema = Array.isArray(c?.schema) ? c.schema[2] : undefined;
  return typeof fromSchema === 'string' ? fromSchema : (c?.constructor?.name ?? '').replace(/Command$/, '');
}

/**
 * Every call of `client` waits for its turn in `limiter` first. In front of `send` (and of
 * limitInFlight, whose queue it wraps), so it holds whatever `send` is, the SDK's or the world's.
 * The SDK's retries inside one send take no token: the buckets keep the rate low enough that they are rare.
 */
export function limitRate<C extends Sends>(client: C, service: RatedService, limiter: AccountRateLimiter): C {
  const own = Object.prototype.hasOwnProperty.call(client, 'send') ? client.send : undefined;
  const prototype = Object.getPrototypeOf(client) as Sends;
  client.send = (async (...args: unknown[]) => {
    await limiter.take(service, operationOf(args[0]));
    // Looked up per call, as limitInFlight does: a test may replace the prototype's send later.
    return (own ?? prototype.send).apply(client, args);
  }) as C['send'];
  return client;
}
