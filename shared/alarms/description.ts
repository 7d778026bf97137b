// The machine-readable tail of an AlarmDescription. desired.ts writes it, the notification
// formatter reads it back from the SNS message: the quota and percent are not in the
// alarm's Trigger (only the threshold is), and the cluster ARN is not in its dimensions.

export const TAG_MARKER = 'msk-custom-domain';

export type AlarmKind = 'connection-count' | 'connection-creation-rate' | 'too-many-connects';

export interface DescriptionTag {
  kind?: AlarmKind;
  /** The quota the threshold derives from (connections, or connections per second). */
  quota?: number;
  percent?: number;
  clusterArn?: string;
  brokerId?: number;
  /** Where the quota came from: table, override, fallback, default. */
  quotaSource?: string;
}

const KINDS: readonly AlarmKind[] = ['connection-count', 'connection-creation-rate', 'too-many-connects'];

/** ` [msk-custom-domain kind=… quota=… percent=… broker=… cluster=…]`, leading space included. */
export function formatDescriptionTag(tag: DescriptionTag): string {
  const parts: string[] = [TAG_MARKER];
  if (tag.kind) parts.push(`kind=${tag.kind}`);
  if (tag.quota !== undefined) parts.push(`quota=${tag.quota}`);
  if (tag.quotaSource) parts.push(`source=${tag.quotaSource}`);
  if (tag.percent !== undefined) parts.push(`percent=${tag.percent}`);
  if (tag.brokerId !== undefined) parts.push(`broker=${tag.brokerId}`);
  if (tag.clusterArn) parts.push(`cluster=${tag.clusterArn}`);
  return ` [${parts.join(' ')}]`;
}

/** Reads the tail back; undefined when the description has none (an alarm we do not own). */
export function parseDescriptionTag(description: string | null | undefined): DescriptionTag | undefined {
  if (!description) return undefined;
  const m = /\[msk-custom-domain((?: [a-zA-Z]+=[^\s\]]*)*)\]\s*$/.exec(description);
  if (!m) return undefined;
  const fields = new Map<string, string>();
  for (const pair of m[1]!.trim().split(/\s+/).filter(Boolean)) {
    const eq = pair.indexOf('=');
    fields.set(pair.slice(0, eq), pair.slice(eq + 1));
  }
  const num = (key: string) => {
    const raw = fields.get(key);
    const n = raw === undefined || raw === '' ? NaN : Number(raw);
    return Number.isFinite(n) ? n : undefined;
  };
  const tag: DescriptionTag = {};
  const kind = fields.get('kind');
  if (kind && (KINDS as readonly string[]).includes(kind)) tag.kind = kind as AlarmKind;
  const quota = num('quota');
  if (quota !== undefined) tag.quota = quota;
  const percent = num('percent');
  if (percent !== undefined) tag.percent = percent;
  const broker = num('broker');
  if (broker !== undefined && Number.isInteger(broker)) tag.brokerId = broker;
  if (fields.get('cluster')) tag.clusterArn = fields.get('cluster');
  if (fields.get('source')) tag.quotaSource = fields.get('source');
  return tag;
}

/** The human part of a description, without the tail. */
export function stripDescriptionTag(description: string | null | undefined): string {
  return (description ?? '').replace(/\s*\[msk-custom-domain[^\]]*\]\s*$/, '').trim();
}
