// Route 53: a change batch is atomic, so a lost reply means the whole batch was applied, and its
// retry is refused as a whole (InvalidChangeBatch: "Tried to create resource record set [...] but
// it already exists", "Tried to delete resource record set [...] but it was not found").
import { ListResourceRecordSetsCommand, type Route53Client } from '@aws-sdk/client-route-53';
import { registryName } from '../naming';
import { observeRecords, toRecordSet } from '../observe/route53';
import { registryOwner, sameRecord } from '../plan/records';
import type { RecordChange } from '../plan/types';
import type { RecordSet } from '../types';

/**
 * Reads the names a refused batch touches and returns the changes that do not hold yet, or
 * undefined when none holds (then the refusal is not explained by changes already made).
 * A created or upserted name holds only with the intended value *and* our registry TXT beside it:
 * an identical record someone else made is not ours.
 */
export async function changesNotYetMade(route53: Route53Client, hostedZoneId: string, clusterArn: string, changes: RecordChange[]): Promise<RecordChange[] | undefined> {
  const names = new Set(changes.flatMap((c) => [c.record.name, registryOf(c.record.name)]));
  const current = names.size <= READ_BY_NAME_UP_TO
    ? (await Promise.all([...names].map((name) => readName(route53, hostedZoneId, name)))).flat()
    : await observeRecords(route53, hostedZoneId, commonParent([...names]));
  const find = (name: string, type: string) => current.find((r) => r.name === name && r.type === type);
  const holds = (change: RecordChange): boolean => {
    const now = find(change.record.name, change.record.type);
    if (change.action === 'DELETE') return !now;
    if (!now || !sameRecord(now, change.record)) return false;
    const registry = isRegistry(change.record.name) ? now : find(registryOf(change.record.name), 'TXT');
    return !!registry && registryOwner(registry) === clusterArn;
  };
  const rest = changes.filter((c) => !holds(c));
  return rest.length < changes.length ? rest : undefined;
}

/**
 * A few names are read one by one. A large request's names (up to a quota-full request, some 150
 * names and their TXT) are read as the one subtree they share instead, 300 record sets a page:
 * Route 53 answers 5 requests a second per account, so a read per name would take a minute.
 */
const READ_BY_NAME_UP_TO = 10;

/** The longest domain every name is at or under (Route 53 lists a subtree as one run). */
export function commonParent(names: string[]): string {
  const labels = names.map((n) => n.replace(/\.$/, '').split('.').reverse());
  const shared: string[] = [];
  for (let i = 0; labels.every((l) => i < l.length && l[i] === labels[0][i]); i++) shared.push(labels[0][i]);
  return `${shared.reverse().join('.')}.`;
}

const isRegistry = (name: string) => name.startsWith('_msk-custom-domain.');
const registryOf = (name: string) => (isRegistry(name) ? name : registryName(name.replace(/\.$/, '')));

/** The record sets at exactly `name` (Route 53 lists in name order from StartRecordName). */
async function readName(route53: Route53Client, hostedZoneId: string, name: string): Promise<RecordSet[]> {
  const out = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: hostedZoneId, StartRecordName: name, MaxItems: 20 }));
  return (out.ResourceRecordSets ?? []).map(toRecordSet).filter((r) => r.name === name);
}
