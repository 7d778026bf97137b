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
