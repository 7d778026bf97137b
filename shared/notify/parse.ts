import * as z from '../zod';
import { type DescriptionTag, parseDescriptionTag } from '../alarms/description';

// The JSON CloudWatch publishes to SNS on an alarm state change. Real messages carry
// Dimensions as [{ "value", "name" }] (lower case), but the API's casing [{ Name, Value }]
// shows up in hand-made and replayed messages: both are accepted.

export type AlarmState = 'ALARM' | 'OK' | 'INSUFFICIENT_DATA';

export interface CloudWatchAlarm {
  name: string;
  /** The description as written, machine-readable tail included. */
  description?: string;
  /** The tail desired.ts writes; absent on alarms the tool does not own. */
  tag?: DescriptionTag;
  arn?: string;
  accountId?: string;
  /** As CloudWatch writes it, e.g. "US East (N. Virginia)". */
  region?: string;
  newState: AlarmState;
  oldState?: AlarmState;
  reason: string;
  /** ISO 8601 when parseable, else as received. */
  stateChangeTime?: string;
  trigger: {
    metricName: string;
    namespace?: string;
    statistic?: string;
    unit?: string;
    dimensions: Record<string, string>;
    period?: number;
    evaluationPeriods?: number;
    datapointsToAlarm?: number;
    comparisonOperator?: string;
    threshold: number;
  };
}

export type ParseResult = { ok: true; alarm: CloudWatchAlarm } | { ok: false; reason: string };

const state = z.enum(['ALARM', 'OK', 'INSUFFICIENT_DATA']);
const dimension = z.union(
  [
    z.pipe(z.object({ name: z.string(), value: z.string() }), z.transform((d: { name: string; value: string }) => [d.name, d.value] as const)),
    z.pipe(z.object({ Name: z.string(), Value: z.string() }), z.transform((d: { Name: string; Value: string }) => [d.Name, d.Value] as const)),
  ],
  { error: 'expected { name, value } or { Name, Value }' },
);
const text = z.nullish(z.string());
const count = z.nullish(z.number());
const nonEmpty = z.string().check(z.minLength(1));

const alarmMessage = z.object({
  AlarmName: nonEmpty,
  AlarmDescription: text,
  AlarmArn: text,
  AWSAccountId: text,
  Region: text,
  NewStateValue: state,
  OldStateValue: z.nullish(state),
  NewStateReason: z.string(),
  StateChangeTime: text,
  Trigger: z.object({
    MetricName: nonEmpty,
    Namespace: text,
    Statistic: text,
    Unit: text,
    Dimensions: z.nullish(z.array(dimension)),
    Period: count,
    EvaluationPeriods: count,
    DatapointsToAlarm: count,
    ComparisonOperator: text,
    Threshold: z.number(),
  }),
});

/** Parses and validates one SNS message; never throws. */
export function parseAlarmMessage(message: string): ParseResult {
  let json: unknown;
  try {
    json = JSON.parse(message);
  } catch {
    return { ok: false, reason: 'not JSON' };
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return { ok: false, reason: 'not a CloudWatch alarm: not a JSON object' };
  }
  const parsed = alarmMessage.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.map(String).join('.');
    const missing = valueAt(json, issue.path) === undefined;
    return {
      ok: false,
      reason: `not a CloudWatch alarm: ${missing ? `missing ${path}` : `${path}: ${issue.message.replace(/^Invalid input: /, '')}`}`,
    };
  }
  const m = parsed.data;
  const t = m.Trigger;
  const alarm: CloudWatchAlarm = {
    name: m.AlarmName,
    newState: m.NewStateValue,
    reason: m.NewStateReason,
    trigger: {
      metricName: t.MetricName,
      dimensions: Object.fromEntries(t.Dimensions ?? []),
      threshold: t.Threshold,
      ...defined({
        namespace: t.Namespace,
        statistic: t.Statistic,
        unit: t.Unit,
        period: t.Period,
        evaluationPeriods: t.EvaluationPeriods,
        datapointsToAlarm: t.DatapointsToAlarm,
        comparisonOperator: t.ComparisonOperator,
      }),
    },
    ...defined({
      description: m.AlarmDescription,
      tag: parseDescriptionTag(m.AlarmDescription),
      arn: m.AlarmArn,
      accountId: m.AWSAccountId,
      region: m.Region,
      oldState: m.OldStateValue,
      stateChangeTime: m.StateChangeTime ? isoTime(m.StateChangeTime) : undefined,
    }),
  };
  return { ok: true, alarm };
}

/** CloudWatch writes "2022-11-26T10:16:00.123+0000". */
function isoTime(raw: string): string {
  const t = Date.parse(raw.replace(/([+-]\d{2})(\d{2})$/, '$1:$2'));
  return Number.isNaN(t) ? raw : new Date(t).toISOString();
}

function valueAt(root: unknown, path: readonly PropertyKey[]): unknown {
  let v: unknown = root;
  for (const key of path) {
    if (v === null || typeof v !== 'object') return undefined;
    v = (v as Record<PropertyKey, unknown>)[key];
  }
  return v ?? undefined;
}

/** Drops null and undefined, so optional fields are absent rather than undefined. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], null | undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== null)) as never;
}
