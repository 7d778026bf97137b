import { GetHostedZoneCommand, ListResourceRecordSetsCommand, type ResourceRecordSet, type Route53Client } from '@aws-sdk/client-route-53';
import { ConfigError, errorMessage } from '../errors';
import { fqdn } from '../naming';
import type { RecordSet } from '../types';

/**
 * The zone must exist and hold `domain` (its apex or a name under it): checked before any write.
 * `roleArn`: the zone is reached through that role of another account (hostedZoneRole).
 */
export async function checkZone(route53: Route53Client, hostedZoneId: string, domain: string, roleArn?: string): Promise<{ privateZone: boolean }> {
  let zoneName: string;
  let privateZone: boolean;
  const seenBy = roleArn ? ` as ${roleArn}` : '';
  try {
    const zone = (await route53.send(new GetHostedZoneCommand({ Id: hostedZoneId }))).HostedZone;
    zoneName = fqdn(zone?.Name ?? '');
    privateZone = zone?.Config?.PrivateZone === true;
  } catch (error) {
    if (error instanceof ConfigError) throw error; // the role could not be assumed: the message says why
    if ((error as Error).name === 'NoSuchHostedZone') {
      throw new ConfigError(`hosted zone ${hostedZoneId} not found${seenBy}: check hostedZoneId${roleArn ? '' : ' (a zone of another account needs hostedZoneRole)'}`);
    }
    if ((error as Error).name === 'AccessDenied') {
      throw new ConfigError(`hosted zone ${hostedZoneId} cannot be read${seenBy}: ${errorMessage(error)}${roleArn ? '' : '; a zone of another account needs hostedZoneRole'}`, { cause: error });
    }
    throw new Error(`reading hosted zone ${hostedZoneId}${seenBy}: ${errorMessage(error)}`, { cause: error });
  }
  const name = fqdn(domain);
  if (name !== zoneName && !name.endsWith(`.${zoneName}`)) {
    throw new ConfigError(`hosted zone ${hostedZoneId} is ${zoneName}, which cannot hold ${domain}: set hostedZoneId to the zone of ${domain}`);
  }
  return { privateZone };
}

/**
 * Records at and under `domain`. Route 53 sorts names by their labels read right to left,
 * so a domain's subtree is one contiguous run: start at the domain, stop when it ends.
 */
export async function observeRecords(route53: Route53Client, hostedZoneId: string, domain: string): Promise<RecordSet[]> {
  const apex = fqdn(domain);
  const inSubtree = (name: string) => name === apex || name.endsWith(`.${apex}`);
  const records: RecordSet[] = [];
  let start: { name?: string; type?: string; identifier?: string } = { name: apex };
  for (;;) {
    const page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: hostedZoneId,
        StartRecordName: start.name,
        StartRecordType: start.type as never,
        StartRecordIdentifier: start.identifier,
        MaxItems: 300,
      }),
    );
    for (const set of page.ResourceRecordSets ?? []) {
      const record = toRecordSet(set);
      if (!inSubtree(record.name)) return records;
      records.push(record);
    }
    if (!page.IsTruncated) return records;
    start = { name: page.NextRecordName, type: page.NextRecordType, identifier: page.NextRecordIdentifier };
  }
}

/** Route 53 escapes some characters in names as \ooo octal (e.g. \052 for *): undo it. */
function unescapeName(name: string): string {
  return name.replace(/\\(\d{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}

export function toRecordSet(set: ResourceRecordSet): RecordSet {
  return {
    name: fqdn(unescapeName(set.Name!)),
    type: set.Type!,
    ttl: set.TTL,
    values: set.ResourceRecords?.map((r) => r.Value!),
    alias: set.AliasTarget
      ? { dnsName: set.AliasTarget.DNSName!, hostedZoneId: set.AliasTarget.HostedZoneId!, evaluateTargetHealth: set.AliasTarget.EvaluateTargetHealth }
      : undefined,
  };
}

export function toResourceRecordSet(record: RecordSet): ResourceRecordSet {
  if (record.alias) {
    return {
      Name: record.name,
      Type: record.type as never,
      AliasTarget: {
        DNSName: record.alias.dnsName,
        HostedZoneId: record.alias.hostedZoneId,
        EvaluateTargetHealth: record.alias.evaluateTargetHealth ?? false,
      },
    };
  }
  return { Name: record.name, Type: record.type as never, TTL: record.ttl, ResourceRecords: (record.values ?? []).map((Value) => ({ Value })) };
}
