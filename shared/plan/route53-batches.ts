// Route 53 refuses a ChangeResourceRecordSets request over its quotas as a whole (InvalidChangeBatch:
// "Number of records limit of 1000 exceeded.", "RDATA character limit of 32000 exceeded."), so a
// zone's changes go out in as many requests as the quotas need. Pure: apply/route53.ts submits them.
import { registryName } from '../naming';
import type { RecordChange } from './types';

/**
 * Route 53 Developer Guide, Quotas, "Number of elements and characters in ChangeResourceRecordSets
 * requests": "A request cannot contain more than 1,000 ResourceRecord elements. When the value of the
 * Action element is UPSERT, each ResourceRecord element is counted twice." and "The sum of the number
 * of characters (including spaces) in all Value elements in a request cannot exceed 32,000
 * characters. When the value of the Action element is UPSERT, each character in a Value element is
 * counted twice." With this tool's values (a CNAME to a load balancer, a registry TXT of about 150
 * characters) the characters run out first: about 77 names per request when every name and its TXT
 * are UPSERTed (a recordTtl change in CNAME mode).
 */
export const CHANGE_BATCH_LIMITS = { resourceRecords: 1000, valueCharacters: 32_000 } as const;

export interface BatchCost {
  resourceRecords: number;
  valueCharacters: number;
}

/**
 * What a change counts against the quotas. An alias has no ResourceRecord or Value; how Route 53
 * counts it is not documented, so it is counted as one record whose value is its target's name:
 * a batch within these counts is within Route 53's however aliases count.
 */
export function changeCost(change: RecordChange): BatchCost {
  const times = change.action === 'UPSERT' ? 2 : 1;
  const values = change.record.alias ? [change.record.alias.dnsName] : (change.record.values ?? []);
  return { resourceRecords: times * values.length, valueCharacters: times * values.reduce((sum, v) => sum + v.length, 0) };
}

export function batchCost(changes: RecordChange[]): BatchCost {
  return changes.map(changeCost).reduce((a, b) => ({ resourceRecords: a.resourceRecords + b.resourceRecords, valueCharacters: a.valueCharacters + b.valueCharacters }), {
    resourceRecords: 0,
    valueCharacters: 0,
  });
}

const within = (cost: BatchCost, limits: BatchCost) => cost.resourceRecords <= limits.resourceRecords && cost.valueCharacters <= limits.valueCharacters;

/** The name a change belongs to: its own, or for a registry TXT the name it registers. */
export function ownerName(change: RecordChange): string {
  return change.record.name.replace(/^_msk-custom-domain\./, '');
}

/**
 * Splits one zone's changes into requests within the quotas. A name's changes and its registry
 * TXT's always share a request, so each request is atomic for each name: no name is live without
 * its TXT (and would then look foreign to the next run), no TXT claims a name that is not there, and
 * a type change (DELETE the CNAME, CREATE the alias) never leaves the name empty in between. Inside
 * a request the planner's order is kept, since Route 53 applies a request's changes in order (a
 * DELETE before the CREATE at the same name). Across requests no name depends on another (names
 * point at the load balancer or a VPC endpoint, never at another name of the zone), and the planner's
 * order of names is kept: it lists wanted names before leftovers, so new names are made before old
 * ones go (a renamed template, a scale-in), and a refused request leaves extra names, never missing
 * ones. Requests are filled in that order, so changes that fit one request stay one request.
 */
export function splitChangeBatch(changes: RecordChange[], limits: BatchCost = CHANGE_BATCH_LIMITS): RecordChange[][] {
  const groups = new Map<string, RecordChange[]>();
  for (const change of changes) {
    const name = ownerName(change);
    groups.set(name, [...(groups.get(name) ?? []), change]);
  }
  const batches: RecordChange[][] = [];
  let current: RecordChange[] = [];
  for (const [name, group] of groups) {
    if (!within(batchCost(group), limits)) {
      const cost = batchCost(group);
      throw new Error(
        `the changes of ${name} and ${registryName(name.replace(/\.$/, ''))} alone exceed one Route 53 request ` +
          `(${cost.resourceRecords} records, ${cost.valueCharacters} value characters; at most ${limits.resourceRecords} and ${limits.valueCharacters})`,
      );
    }
    if (current.length && !within(batchCost([...current, ...group]), limits)) {
      batches.push(current);
      current = [];
    }
    current.push(...group);
  }
  if (current.length) batches.push(current);
  return batches;
}
