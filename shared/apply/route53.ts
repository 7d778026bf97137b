import { ChangeResourceRecordSetsCommand, waitUntilResourceRecordSetsChanged, type Route53Client } from '@aws-sdk/client-route-53';
import { toResourceRecordSet } from '../observe/route53';
import type { RecordChange } from '../plan/types';
import { logConfirmed, refusedWith } from './confirm';
import { changesNotYetMade } from './confirm-route53';

export interface DnsWaitOptions {
  /** Seconds between GetChange polls at first (Route 53 usually needs tens of seconds). */
  minDelaySeconds: number;
  maxWaitSeconds: number;
}

export const DEFAULT_DNS_WAIT: DnsWaitOptions = { minDelaySeconds: 5, maxWaitSeconds: 300 };

/**
 * One atomic change batch per reconcile (Route 53's API limit is per call, not per record), then wait for INSYNC.
 * A batch refused because some of its changes were already made (a lost reply, retried) is
 * submitted once more without those; when nothing is left there is no change to wait for
 * (the lost one's id never arrived), and undefined is returned.
 */
export async function changeRecords(route53: Route53Client, hostedZoneId: string, clusterArn: string, changes: RecordChange[], wait: DnsWaitOptions): Promise<string | undefined> {
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
  const changeId = out.ChangeInfo!.Id!;
  await waitUntilResourceRecordSetsChanged(
    { client: route53, minDelay: wait.minDelaySeconds, maxDelay: Math.max(wait.minDelaySeconds, 30), maxWaitTime: wait.maxWaitSeconds },
    { Id: changeId },
  );
  return changeId;
}
