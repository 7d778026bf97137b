import pLimit from 'p-limit';

// AWS throttles per account and Region, per API, whoever calls. One queue per service, for reads
// and writes alike, keeps this tool's bursts (a DescribeTargetHealth per target group, a listener
// per broker) under those quotas; the SDK's adaptive retry (clients.ts) absorbs the rest.

/** Calls in flight at once, per service. */
export const SERVICE_CONCURRENCY = {
  // ELBv2 meters every API with token buckets per account and Region (docs, "Request throttling for
  // the ELB API": Describe* share a bucket of 40 refilled at 10 a second; the mutating calls have
  // smaller ones). 10 in flight: a 3-broker cluster's per-group reads (4 groups x 2 + tags) or a
  // 3-broker scale-out's second write round fit in one burst, and a 30-broker no-op (about 66
  // describes) stays near the bucket instead of emptying it at once.
  elbv2: 10,
  // Route 53: five requests per second per account, for the whole API.
  route53: 5,
  // CloudWatch: PutMetricAlarm and DeleteAlarms at 3 transactions per second (DescribeAlarms 9).
  cloudwatch: 3,
} as const;

export type LimitedService = keyof typeof SERVICE_CONCURRENCY;

interface Sends {
  send(...args: any[]): Promise<unknown>;
}

/**
 * Lets at most `limit` calls of `client` be in flight; the others wait in order. In front of
 * `send`, not a middleware step, so it holds whatever `send` is (the SDK's, or a test double's),
 * and a call keeps its place while the SDK's retry backs off.
 */
export function limitInFlight<C extends Sends>(client: C, limit: number): C {
  const queue = pLimit(limit);
  const prototype = Object.getPrototypeOf(client) as Sends;
  // Looked up per call: a test may replace the prototype's send after the client was made.
  client.send = ((...args: unknown[]) => queue(() => prototype.send.apply(client, args))) as C['send'];
  return client;
}
