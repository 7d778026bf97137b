import * as z from './zod';

/**
 * What can start a reconcile. Events are only triggers: each one leads to a full
 * reconcile of the cluster(s) it names, never to a change computed from the event itself.
 */
const manualInvoke = z.strictObject({ clusterArn: z.optional(z.string()), dryRun: z.optional(z.boolean()) });

const scheduled = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

/** The source of the per-cluster schedule messages the stack's schedule rules put on the queue. */
export const CLUSTER_SCHEDULE_SOURCE = 'msk-custom-domain-sync.schedule';

/** The source of follow-up messages (shared/follow-up.ts): a requested change is checked again later. */
export const FOLLOW_UP_SOURCE = 'msk-custom-domain-sync.follow-up';

export interface FollowUp {
  /** 1 for the first follow-up of a CloudTrail event. */
  attempt: number;
  /** What was requested, e.g. "CloudTrail UpdateBrokerCount". */
  requested: string;
}

const followUp = z.strictObject({ source: z.literal(FOLLOW_UP_SOURCE), clusterArn: z.string(), attempt: z.int().check(z.positive()), requested: z.string() });

/** The watch found a cluster's brokers changed (shared/watch.ts): reconcile it now. */
export const WATCH_SOURCE = 'msk-custom-domain-sync.watch';
const watched = z.strictObject({ source: z.literal(WATCH_SOURCE), clusterArn: z.string(), change: z.string() });

/** `{"watch": true}`, from the watch's schedule rule: look at every cluster's brokers (ListNodes) once. */
const watchRequest = z.strictObject({ watch: z.literal(true) });

export function isWatchRequest(event: unknown): boolean {
  return watchRequest.safeParse(event).success;
}

/** One cluster's scheduled resync; `time` keeps successive messages distinct for FIFO deduplication. */
const clusterSchedule = z.strictObject({ source: z.literal(CLUSTER_SCHEDULE_SOURCE), clusterArn: z.string(), time: z.string() });

/** CloudTrail "AWS API Call via CloudTrail" from MSK: the change was requested, not done. */
const withClusterArn = z.nullish(z.looseObject({ clusterArn: z.optional(z.string()) }));
const cloudTrail = z.looseObject({
  source: z.literal('aws.kafka'),
  'detail-type': z.literal('AWS API Call via CloudTrail'),
  detail: z.looseObject({ eventName: z.string(), requestParameters: withClusterArn, responseElements: withClusterArn }),
});

export interface Trigger {
  reason: string;
  /** Undefined: every configured cluster. */
  clusterArn?: string;
  dryRun: boolean;
  /** Set when the trigger is a requested change in progress: a CloudTrail event (attempt 0) or one of its follow-ups. */
  followUp?: FollowUp;
}

export function parseTrigger(event: unknown): Trigger {
  const trail = cloudTrail.safeParse(event);
  if (trail.success) {
    const { detail } = trail.data;
    const clusterArn = detail.requestParameters?.clusterArn ?? detail.responseElements?.clusterArn;
    const reason = `CloudTrail ${detail.eventName}`;
    return { reason, clusterArn: clusterArn ? decodeURIComponent(clusterArn) : undefined, dryRun: false, followUp: { attempt: 0, requested: reason } };
  }
  const later = followUp.safeParse(event);
  if (later.success) {
    const { clusterArn, attempt, requested } = later.data;
    return { reason: `follow-up ${attempt} of ${requested}`, clusterArn, dryRun: false, followUp: { attempt, requested } };
  }
  const change = watched.safeParse(event);
  if (change.success) return { reason: `watch: ${change.data.change}`, clusterArn: change.data.clusterArn, dryRun: false };
  const perCluster = clusterSchedule.safeParse(event);
  if (perCluster.success) return { reason: 'schedule', clusterArn: perCluster.data.clusterArn, dryRun: false };
  if (scheduled.safeParse(event).success) return { reason: 'schedule', dryRun: false };
  const manual = manualInvoke.safeParse(event ?? {});
  if (manual.success) return { reason: 'manual invoke', clusterArn: manual.data.clusterArn, dryRun: manual.data.dryRun ?? false };
  throw new TypeError(
    'unrecognised event: expected {"clusterArn"?: "<arn>", "dryRun"?: true} for a manual resync, a scheduled event, or an aws.kafka CloudTrail event (directly or as SQS message bodies)',
  );
}

/** A manual `check` invoke: read-only verification of the data path (see shared/check). */
const checkRequest = z.strictObject({ check: z.literal(true), clusterArn: z.optional(z.string()), probe: z.optional(z.boolean()) });

export interface CheckRequest {
  clusterArn?: string;
  probe: boolean;
}

/** The check request in `event`, or undefined when it is not one (then it is a reconcile trigger). */
export function parseCheckRequest(event: unknown): CheckRequest | undefined {
  const parsed = checkRequest.safeParse(event);
  return parsed.success ? { clusterArn: parsed.data.clusterArn, probe: parsed.data.probe ?? false } : undefined;
}

const sqsEvent = z.object({ Records: z.array(z.looseObject({ eventSource: z.literal('aws:sqs'), body: z.string(), messageId: z.string() })).check(z.minLength(1)) });

/**
 * The triggers inside an SQS event (the stack's FIFO queue: one message group per cluster), or
 * undefined when the event did not come from SQS. A body that is not JSON is an error: the message
 * then goes back to the queue and, after its retries, to the dead-letter queue.
 */
export function queuedTriggers(event: unknown): unknown[] | undefined {
  const parsed = sqsEvent.safeParse(event);
  if (!parsed.success) return undefined;
  return parsed.data.Records.map((record) => {
    try {
      return JSON.parse(record.body) as unknown;
    } catch {
      throw new TypeError(`SQS message ${record.messageId} is not JSON: ${record.body.slice(0, 200)}`);
    }
  });
}
