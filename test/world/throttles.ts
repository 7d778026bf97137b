// The account's API rates: token buckets per account and Region, shared by every caller (every
// concurrent reconcile, the console, other tools). Opt-in (WorldOptions.accountThrottles): most
// tests send bursts under a clock that does not move, where a bucket would never refill.
import type { ServiceName } from './common';

/** Burst (bucket capacity) and sustained rate (tokens added per second). */
export interface BucketSpec {
  name: string;
  capacity: number;
  refillPerSecond: number;
}

/**
 * ELBv2 ("Request throttling for the ELB API", ELB user guide): "There is an account-level
 * throttling limit that is shared across all Elastic Load Balancing API actions. The capacity of
 * the account-level bucket is 40 tokens and the refill rate is 10 request tokens per second."
 * Each action also draws from its category's bucket (capacity / refill per second):
 * resource-intensive (CreateLoadBalancer, SetSubnets) 10 / 0.2; registration (RegisterTargets,
 * DeregisterTargets) 20 / 4; non-mutating (the Describe* actions) 40 / 10; mutating (CreateListener,
 * ModifyListener, CreateTargetGroup, AddTags, Delete* ...) 20 / 3.
 */
export const ELBV2_BUCKETS = {
  account: { name: 'elbv2:account', capacity: 40, refillPerSecond: 10 },
  resourceIntensive: { name: 'elbv2:resource-intensive', capacity: 10, refillPerSecond: 0.2 },
  registration: { name: 'elbv2:registration', capacity: 20, refillPerSecond: 4 },
  nonMutating: { name: 'elbv2:non-mutating', capacity: 40, refillPerSecond: 10 },
  mutating: { name: 'elbv2:mutating', capacity: 20, refillPerSecond: 3 },
} satisfies Record<string, BucketSpec>;

/**
 * Route 53 ("Throttling for Amazon Route 53 API requests", Route 53 developer guide, the updated
 * page): "All Amazon Route 53 API requests from your account draw from one bucket" (capacity 50,
 * refill 10 a second), and "each API action also has its own bucket" (default 50 / 10; the
 * actions this tool calls, ChangeResourceRecordSets, GetChange, ListResourceRecordSets,
 * GetHostedZone, ListHostedZones*, are not among the listed exceptions). "Requests consume tokens
 * from both buckets, and are throttled if either bucket is empty."
 * The older quota page and AWS's knowledge-center article give "five requests per second per
 * AWS account" (no burst); the updated page says the rate was raised. The page's second limit,
 * change throughput (record changes per second), is not modelled: its figures are not quoted here.
 */
export const ROUTE53_BUCKETS = {
  account: { name: 'route53:account', capacity: 50, refillPerSecond: 10 },
  perAction: { capacity: 50, refillPerSecond: 10 },
} as const;

function elbv2Category(command: string): BucketSpec {
  const action = command.replace(/Command$/, '');
  if (action === 'CreateLoadBalancer' || action === 'SetSubnets') return ELBV2_BUCKETS.resourceIntensive;
  if (action === 'RegisterTargets' || action === 'DeregisterTargets') return ELBV2_BUCKETS.registration;
  if (action.startsWith('Describe')) return ELBV2_BUCKETS.nonMutating;
  return ELBV2_BUCKETS.mutating;
}

/** The buckets a call draws from; none for services whose rates the world does not model. */
export function bucketsFor(service: ServiceName, command: string): BucketSpec[] {
  if (service === 'elbv2') return [ELBV2_BUCKETS.account, elbv2Category(command)];
  if (service === 'route53') {
    return [ROUTE53_BUCKETS.account, { name: `route53:${command.replace(/Command$/, '')}`, ...ROUTE53_BUCKETS.perAction }];
  }
  return [];
}

interface Bucket {
  spec: BucketSpec;
  tokens: number;
  at: number;
}

/** The account's buckets, full at first use, refilled continuously by world time. */
export class AccountThrottles {
  private readonly buckets = new Map<string, Bucket>();
  /** Calls refused, per bucket that was empty. */
  readonly refused = new Map<string, number>();

  constructor(private readonly now: () => number) {}

  /**
   * Takes one token from each bucket the call draws from, or none when any is empty: the name
   * of the empty bucket then (the call is throttled).
   */
  take(service: ServiceName, command: string): string | undefined {
    const buckets = bucketsFor(service, command).map((spec) => this.refilled(spec));
    const empty = buckets.find((b) => b.tokens < 1);
    if (empty) {
      this.refused.set(empty.spec.name, (this.refused.get(empty.spec.name) ?? 0) + 1);
      return empty.spec.name;
    }
    for (const bucket of buckets) bucket.tokens -= 1;
    return undefined;
  }

  /** Tokens left in a bucket now (for tests). */
  tokens(spec: BucketSpec): number {
    return this.refilled(spec).tokens;
  }

  private refilled(spec: BucketSpec): Bucket {
    const now = this.now();
    let bucket = this.buckets.get(spec.name);
    if (!bucket) {
      bucket = { spec, tokens: spec.capacity, at: now };
      this.buckets.set(spec.name, bucket);
    }
    bucket.tokens = Math.min(spec.capacity, bucket.tokens + ((now - bucket.at) / 1000) * spec.refillPerSecond);
    bucket.at = now;
    return bucket;
  }
}
