import { ChangeResourceRecordSetsCommand, waitUntilResourceRecordSetsChanged, type Route53Client } from '@aws-sdk/client-route-53';
import { toResourceRecordSet } from '../observe/route53';
import type { RecordChange } from '../plan/types';

export interface DnsWaitOptions {
  /** Seconds between GetChange polls at first (Route 53 usually needs tens of seconds). */
  minDelaySeconds: number;
  maxWaitSeconds: number;
}

export const DEFAULT_DNS_WAIT: DnsWaitOptions = { minDelaySeconds: 5, maxWaitSeconds: 300 };

/** One atomic change batch per reconcile (Route 53's API limit is per call, not per record), then wait for INSYNC. */
export async function changeRecords(route53: Route53Client, hostedZoneId: string, changes: RecordChange[], wait: DnsWaitOptions): Promise<string> {
  const out = await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: hostedZoneId,
      ChangeBatch: {
        Comment: 'msk-custom-domain-sync',
        Changes: changes.map((c) => ({ Action: c.action, ResourceRecordSet: toResourceRecordSet(c.record) })),
      },
    }),
  );
  const changeId = out.ChangeInfo!.Id!;
  await waitUntilResourceRecordSetsChanged(
    { client: route53, minDelay: wait.minDelaySeconds, maxDelay: Math.max(wait.minDelaySeconds, 30), maxWaitTime: wait.maxWaitSeconds },
    { Id: changeId },
  );
  return changeId;
}
