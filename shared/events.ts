import * as z from './zod';

/**
 * What can start a reconcile. Events are only triggers: each one leads to a full
 * reconcile of the cluster(s) it names, never to a change computed from the event itself.
 */
const manualInvoke = z.strictObject({ clusterArn: z.optional(z.string()), dryRun: z.optional(z.boolean()) });

const scheduled = z.looseObject({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

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
}

export function parseTrigger(event: unknown): Trigger {
  const trail = cloudTrail.safeParse(event);
  if (trail.success) {
    const { detail } = trail.data;
    const clusterArn = detail.requestParameters?.clusterArn ?? detail.responseElements?.clusterArn;
    return { reason: `CloudTrail ${detail.eventName}`, clusterArn: clusterArn ? decodeURIComponent(clusterArn) : undefined, dryRun: false };
  }
  if (scheduled.safeParse(event).success) return { reason: 'schedule', dryRun: false };
  const manual = manualInvoke.safeParse(event ?? {});
  if (manual.success) return { reason: 'manual invoke', clusterArn: manual.data.clusterArn, dryRun: manual.data.dryRun ?? false };
  throw new TypeError(
    'unrecognised event: expected {"clusterArn"?: "<arn>", "dryRun"?: true} for a manual resync, a scheduled event, or an aws.kafka CloudTrail event',
  );
}
