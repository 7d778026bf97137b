// Default IAM connection quotas of Amazon MSK brokers, and how a quota is chosen.
//
// Sources (checked while writing this, re-check when AWS changes them):
// - AWS MSK Developer Guide, "Amazon MSK quota", Standard broker quota table
//   (https://docs.aws.amazon.com/msk/latest/developerguide/limits.html#msk-provisioned-quota):
//   max TCP connections per broker (IAM) 3000; max TCP connection rate per broker (IAM)
//   100/s for M5 and M7g broker types, 4/s for T3. Express brokers: 3000 and 100/s.
// - The 2022 edition of the same guide (github.com/awsdocs/amazon-msk-developer-guide,
//   doc_source/limits.md) said 20/s for every type except kafka.t3.small (4/s).
// The published figures have changed over time and accounts can get increases, so users
// override them in config (alarms.connectionCreationRateQuotas, alarms.connectionQuota).
//
// What the quotas count, and which metric shows it (desired.ts builds the alarms from this):
// - The connection quota, as the limits page put it (quoted in aws/aws-msk-iam-auth#70): "A cluster
//   that uses IAM access control can have up to 3000 TCP connections per broker at any given time."
//   Kafka enforces it as listener.name.client_iam.max.connections: connections on the IAM listener.
// - MSK metrics pages (Standard brokers: developerguide/metrics-details.html; Express brokers:
//   metrics-details-express.html), `DEFAULT` level table, free, "collected and pushed to CloudWatch
//   at 1 minute intervals":
//     ClientConnectionCount | After the cluster gets to the ACTIVE state. | Cluster Name, Broker ID,
//       Client Authentication | The number of active authenticated client connections.
//     ConnectionCount | After the cluster gets to the ACTIVE state. | Cluster Name, Broker ID |
//       The number of active authenticated, unauthenticated, and inter-broker connections.
//   (Both rows are on the Express page too.) So ClientConnectionCount with the IAM value of
//   `Client Authentication` is what the quota counts; ConnectionCount counts more (opt-in).
//   The pages list no values of `Client Authentication`: alarms.clientAuthentication names it
//   (default "IAM"; `aws cloudwatch list-metrics --namespace AWS/Kafka --metric-name
//   ClientConnectionCount` shows the values a cluster publishes).
// - `PER_BROKER` level table ("The metrics in this table have the following dimensions: Cluster
//   Name, Broker ID"; 2022 edition, awsdocs/amazon-msk-developer-guide doc_source/metrics-details.md):
//     ConnectionCreationRate | After the cluster gets to the ACTIVE state. | The number of new
//       connections established per second per listener. This number is aggregated per listener
//       and filtered for the client listeners.
//   Kafka keeps that rate per listener and per network processor (socket-server-metrics, tags
//   listener and networkProcessor): a broker sends several data points a minute under the same two
//   dimensions, each a per-second rate of one of them. Their Sum in one minute is the broker's
//   rate; their Average divides it by the number of listeners x processors.

/** Per-broker TCP connection quota with IAM auth (listener.name.client_iam.max.connections). */
export const DEFAULT_CONNECTION_QUOTA = 3000;

const M5_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge', '24xlarge'];
const M7G_SIZES = ['large', 'xlarge', '2xlarge', '4xlarge', '8xlarge', '12xlarge', '16xlarge'];

/** New IAM connections per second per broker, by MSK instance type (current AWS docs). */
export const CREATION_RATE_QUOTAS: Readonly<Record<string, number>> = Object.freeze({
  'kafka.t3.small': 4,
  ...Object.fromEntries(M5_SIZES.map((s) => [`kafka.m5.${s}`, 100])),
  ...Object.fromEntries(M7G_SIZES.map((s) => [`kafka.m7g.${s}`, 100])),
  ...Object.fromEntries(M7G_SIZES.map((s) => [`express.m7g.${s}`, 100])),
});

/**
 * For a type the table does not know: the lowest figure ever published for a non-T3 type
 * (20/s, 2022). Too low errs on the side of an early alarm, never a missed one.
 */
export const FALLBACK_CREATION_RATE_QUOTA = 20;

export type QuotaSource = 'override' | 'override-default' | 'table' | 'fallback';

export interface QuotaChoice {
  /** Connections per second per broker. */
  value: number;
  source: QuotaSource;
  instanceType?: string;
  /** For plans and logs, e.g. "100/s (table, kafka.m5.large)". */
  label: string;
}

/**
 * The new-connection-rate quota of one broker: an override for the exact instance type,
 * then the override named `default`, then the table, then the fallback.
 */
export function creationRateQuota(instanceType: string | undefined, overrides: Readonly<Record<string, number>> = {}): QuotaChoice {
  const type = instanceType?.trim() || undefined;
  const pick = (value: number, source: QuotaSource, why: string): QuotaChoice => ({
    value,
    source,
    ...(type ? { instanceType: type } : {}),
    label: `${value}/s (${why})`,
  });
  const own = (key: string) => Object.prototype.hasOwnProperty.call(overrides, key);
  if (type && own(type)) return pick(overrides[type]!, 'override', `override, ${type}`);
  if (own('default')) return pick(overrides.default!, 'override-default', `override "default"${type ? `, ${type}` : ''}`);
  if (type && Object.prototype.hasOwnProperty.call(CREATION_RATE_QUOTAS, type)) {
    return pick(CREATION_RATE_QUOTAS[type]!, 'table', `table, ${type}`);
  }
  return pick(FALLBACK_CREATION_RATE_QUOTA, 'fallback', `fallback, ${type ? `unknown type ${type}` : 'instance type unknown'}`);
}
