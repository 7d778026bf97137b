import { ChangeResourceRecordSetsCommand, waitUntilResourceRecordSetsChanged, type Route53Client } from '@aws-sdk/client-route-53';
import { toResourceRecordSet } from '../observe/route53';
import type { RecordChange } from '../plan/types';
import { logConfirmed, refusedWith } from './confirm';
import { changesNotYetMade } from './confirm-route53';
import { splitChangeBatch } from '../plan/route53-batches';

export interface DnsWaitOptions {
  /** Seconds between GetChange polls at first (Route 53 usually needs tens of seconds). */
  minDelaySeconds: number;
  maxWaitSeconds: number;
}

export const DEFAULT_DNS_WAIT: DnsWaitOptions = { minDelaySeconds: 5, maxWaitSeconds: 300 };

/**
 * A zone's changes in as few requests as Route 53's quotas allow (plan/route53-batches.ts: a name
 * and its registry TXT always in one request), sent one after another (Route 53 refuses a change
 * to a zone while it still processes the one before: PriorRequestNotComplete, which the SDK
 * retries), then INSYNC awaited for each. The first refused request stops the rest; those before
 * it hold whole names, and the next run plans only what is still missing.
 * Returns the ids of the changes awaited.
 */
export async function changeRecords(route53: Route53Client, hostedZoneId: string, clusterArn: string, changes: RecordChange[], wait: DnsWaitOptions): Promise<string[]> {
  const ids: string[] = [];
  for (const batch of splitChangeBatch(changes)) {
    const id = await submitBatch(route53, hostedZoneId, clusterArn, batch);
    if (id) ids.push(id);
  }
  // Every request is in; their propagation overlaps, so one wait's budget covers them all.
  await Promise.all(
    ids.map((Id) =>
      waitUntilResourceRecordSetsChanged({ client: route53, minDelay: wait.minDelaySeconds, maxDelay: Math.max(wait.minDelaySeconds, 30), maxWaitTime: wait.maxWaitSeconds }, { Id }),
    ),
  );
  return ids;
}

/**
 * One atomic request. One refused because some of its changes were already made (a lost reply,
 * retried) is submitted once more without those; when nothing is left there is no change to wait
 * for (the lost one's id never arrived), and undefined is returned.
 */
async function submitBatch(route53: Route53Client, hostedZoneId: string, clusterArn: string, changes: RecordChange[]): Promise<string | undefined> {
  const submit = (batch: RecordChange[]) =>
    route53.send(
      new ChangeResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        ChangeBatch: {
          Comment: 'msk-custom-domain-sync',
          Changes: batch.map((c) => ({ Action: c.action, ResourceRecordSet: toResourceRecordSet(c.record) })),
        },
      }),
    );
  let out;
  try {
    out = await submit(changes);
  } catch (error) {
    if (!refusedWith(error, 'InvalidChangeBatch')) throw error;
    const rest = await changesNotYetMade(route53, hostedZoneId, clusterArn, changes);
    if (!rest) throw error;
    logConfirmed(`${changes.length - rest.length} of ${changes.length} DNS change(s)`, error);
    if (!rest.length) return undefined;
    out = await submit(rest);
  }
  return out.ChangeInfo!.Id!;
}
