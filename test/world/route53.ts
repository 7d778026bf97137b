// Route 53: hosted zones, record sets with Route 53's ordering and paging, atomic change
// batches validated like the real service and refused over its request quotas, and change
// propagation (PENDING -> INSYNC).
import {
  InvalidChangeBatch,
  InvalidInput,
  NoSuchChange,
  NoSuchHostedZone,
  PriorRequestNotComplete,
  Route53ServiceException,
  type AliasTarget,
  type Change,
  type ChangeInfo,
  type ChangeResourceRecordSetsCommandInput,
  type ChangeResourceRecordSetsCommandOutput,
  type GetChangeCommandInput,
  type GetChangeCommandOutput,
  type GetHostedZoneCommandInput,
  type GetHostedZoneCommandOutput,
  type HostedZone,
  type ListHostedZonesByNameCommandInput,
  type ListHostedZonesByNameCommandOutput,
  type ListHostedZonesCommandInput,
  type ListHostedZonesCommandOutput,
  type ListResourceRecordSetsCommandInput,
  type ListResourceRecordSetsCommandOutput,
  type ResourceRecordSet,
  type RRType,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { awsError, clone, unmodelledError, type Caller, type Env, type Handlers, type Out } from './common';

export interface HostedZoneSeed {
  name: string;
  privateZone?: boolean;
  comment?: string;
  /** The account owning the zone (default: the world's): only its callers see the zone. */
  accountId?: string;
}

/** What Route 53 needs to know about ELB alias targets. */
export interface AliasTargets {
  /** The load balancer answering to this DNS name (dualstack. prefix allowed), if any. */
  findByDnsName(dnsName: string): { CanonicalHostedZoneId?: string } | undefined;
  /** True for the canonical hosted zone id of some load balancer. */
  isCanonicalZone(zoneId: string): boolean;
}

interface Zone {
  id: string;
  accountId: string;
  /** Decoded, lower case, trailing dot. */
  name: string;
  callerReference: string;
  privateZone: boolean;
  comment?: string;
  nameServers: string[];
  /** key(name, type, setIdentifier) -> record with a decoded name. */
  records: Map<string, ResourceRecordSet>;
  /** When each record's values were served by the zone's name servers (what resolvers, ACM included, see). */
  served: Served[];
  /** key -> the span of `served` still open. */
  serving: Map<string, Served>;
}

/** One record's values as the name servers served them, from `from` until `to` (absent: still served). */
interface Served {
  name: string;
  type: string;
  /** Lower case, without a trailing dot. */
  values: string[];
  from: number;
  to?: number;
}

/** A time span, world milliseconds: from `from` until `to` (absent: still so). */
export interface Presence {
  from: number;
  to?: number;
}

interface ChangeRecord {
  info: ChangeInfo;
  accountId: string;
  submittedAtMs: number;
}

const stripPrefix = (id: string | undefined) => (id ?? '').replace(/^\/(hostedzone|change|delegationset)\//, '');
const recordKey = (r: ResourceRecordSet) => `${r.Name}|${r.Type}|${r.SetIdentifier ?? ''}`;

function r53Error(Ctor: new (opts: any) => Error, message: string, extra: Record<string, unknown> = {}): Error {
  return awsError(Ctor, 'rest-xml', Ctor.name, message, extra);
}

/**
 * Route 53 reports every problem of a batch at once. The SDK fills `messages`; the
 * message itself is the bracketed list the CLI and other SDKs print.
 */
function invalidChangeBatch(messages: string[]): Error {
  return r53Error(InvalidChangeBatch, `[${messages.join(', ')}]`, { messages });
}

function invalidInput(message: string): Error {
  return r53Error(InvalidInput, message);
}

export class Route53Model {
  private readonly zones = new Map<string, Zone>();
  private readonly changes = new Map<string, ChangeRecord>();

  constructor(private readonly env: Env, private readonly insyncAfterMs: number, private readonly aliases: AliasTargets) {}

  readonly handlers: Handlers = {
    ListResourceRecordSetsCommand: (i, caller) => this.listResourceRecordSets(i, caller),
    ChangeResourceRecordSetsCommand: (i, caller) => this.changeResourceRecordSets(i, caller),
    GetChangeCommand: (i, caller) => this.getChange(i, caller),
    GetHostedZoneCommand: (i, caller) => this.getHostedZone(i, caller),
    ListHostedZonesCommand: (i, caller) => this.listHostedZones(i, caller),
    ListHostedZonesByNameCommand: (i, caller) => this.listHostedZonesByName(i, caller),
  };

  /** Over the account's request rate, any call, changes included (throttles.ts). */
  rateExceeded(): Error {
    return unmodelledError(Route53ServiceException, 'rest-xml', 'Throttling', 'Rate exceeded');
  }

  /** Route 53 answers a too-fast change with PriorRequestNotComplete, other calls with Throttling. */
  throttle(command: string): Error {
    if (command === 'ChangeResourceRecordSetsCommand') {
      return r53Error(PriorRequestNotComplete, 'The request was rejected because Route 53 was still processing a prior request.');
    }
    return unmodelledError(Route53ServiceException, 'rest-xml', 'Throttling', 'Rate exceeded');
  }

  // ---------------------------------------------------------------- seeding / inspection

  addHostedZone(seed: HostedZoneSeed): string {
    const { ids } = this.env;
    const id = `Z0${ids.upper(19)}`;
    const name = decodeName(seed.name);
    const n = parseInt(ids.hex(3), 16) % 2048;
    const nameServers = ['com', 'net', 'org', 'co.uk'].map((tld, i) => `ns-${(n + i * 512) % 2048}.awsdns-${String(n % 64).padStart(2, '0')}.${tld}.`);
    const zone: Zone = {
      id, accountId: seed.accountId ?? this.env.accountId, name, callerReference: ids.uuid(), privateZone: seed.privateZone ?? false, comment: seed.comment, nameServers, records: new Map(), served: [], serving: new Map(),
    };
    this.put(zone, { Name: name, Type: 'NS', TTL: 172800, ResourceRecords: nameServers.map((Value) => ({ Value })) });
    this.put(zone, {
      Name: name, Type: 'SOA', TTL: 900,
      ResourceRecords: [{ Value: `${nameServers[0]} awsdns-hostmaster.amazon.com. 1 7200 900 1209600 86400` }],
    });
    this.zones.set(id, zone);
    return id;
  }

  /** A record the controller does not own. No validation beyond "not there yet". */
  addRecord(zoneId: string, record: ResourceRecordSet): void {
    const zone = this.zones.get(stripPrefix(zoneId));
    if (!zone) throw new Error(`AwsWorld: no hosted zone ${zoneId}`);
    const normalised = normaliseRecord(record);
    if (zone.records.has(recordKey(normalised))) throw new Error(`AwsWorld: ${normalised.Name} ${normalised.Type} exists`);
    this.put(zone, normalised);
  }

  /** All records in Route 53's order, names encoded as the API returns them. */
  zoneIds(): string[] {
    return [...this.zones.keys()];
  }

  records(zoneId: string): ResourceRecordSet[] {
    return this.sortedRecords(this.requireZone(zoneId)).map(present);
  }

  /** Marks every submitted change INSYNC now (and served: what was still propagating is answered from now on). */
  settleChanges(): void {
    for (const change of this.changes.values()) change.info.Status = 'INSYNC';
    const now = this.env.now();
    for (const zone of this.zones.values()) {
      for (const s of zone.served) {
        if (s.from > now) s.from = now;
        if (s.to !== undefined && s.to > now) s.to = now;
      }
    }
  }

  /**
   * When public DNS answered `name` `type` with `value` (case-insensitive, trailing dot irrelevant), as
   * a resolver on the internet (ACM's validation) sees it: from the public zone that would be
   * authoritative for the name, the most specific whose name is a suffix of it, as delegation makes it
   * (of two public zones with the same name, the first created: modelled, the other would not be
   * delegated). Any account's public zone answers; a private zone never does. A change is answered
   * once it is INSYNC (`insyncAfterMs` after it was submitted), a seeded record at once. Each span
   * may start in the future (still propagating) or be over; spans are in time order.
   */
  publicPresence(name: string, type: RRType, value: string): Presence[] {
    const n = decodeName(name);
    const zone = [...this.zones.values()]
      .filter((z) => !z.privateZone && (n === z.name || n.endsWith(`.${z.name}`)))
      .reduce<Zone | undefined>((best, z) => (!best || z.name.length > best.name.length ? z : best), undefined);
    if (!zone) return [];
    const v = servedValue(value);
    return zone.served
      .filter((s) => s.name === n && s.type === type && s.values.includes(v))
      .map((s) => ({ from: s.from, ...(s.to !== undefined ? { to: s.to } : {}) }))
      .sort((a, b) => a.from - b.from);
  }

  private put(zone: Zone, record: ResourceRecordSet): void {
    const key = recordKey(record);
    this.serve(zone, key, zone.records.get(key), record, this.env.now());
    zone.records.set(key, record);
  }

  /** Replaces the zone's records with `next`; the name servers answer the change from `servedAt`. */
  private commit(zone: Zone, next: Map<string, ResourceRecordSet>, servedAt: number): void {
    for (const key of new Set([...zone.records.keys(), ...next.keys()])) this.serve(zone, key, zone.records.get(key), next.get(key), servedAt);
    zone.records.clear();
    for (const [k, v] of next) zone.records.set(k, v);
  }

  /** A record whose answer stays the same (an UPSERT of the same value, another TTL) is served throughout. */
  private serve(zone: Zone, key: string, before: ResourceRecordSet | undefined, after: ResourceRecordSet | undefined, at: number): void {
    if (before === after) return;
    const will = after ? servedValues(after) : undefined;
    if (before && will && servedValues(before).join(' ') === will.join(' ')) return;
    const open = zone.serving.get(key);
    if (open) open.to = Math.max(open.from, at);
    zone.serving.delete(key);
    if (!after) return;
    const span: Served = { name: after.Name!, type: after.Type!, values: will!, from: at };
    zone.served.push(span);
    zone.serving.set(key, span);
  }

  private requireZone(id: string | undefined): Zone {
    const zone = this.zones.get(stripPrefix(id));
    if (!zone) throw r53Error(NoSuchHostedZone, `No hosted zone found with ID: ${stripPrefix(id)}`);
    return zone;
  }

  /**
   * A zone as `caller` may use it. Another account's zone id is refused, not hidden (modelled:
   * the exact error Route 53 gives for another account's zone is unverified).
   */
  private zoneFor(id: string | undefined, caller: Caller): Zone {
    const zone = this.requireZone(id);
    if (zone.accountId !== caller.accountId) {
      throw unmodelledError(Route53ServiceException, 'rest-xml', 'AccessDenied', `User: ${caller.arn} is not authorized to access this resource`, 403);
    }
    return zone;
  }

  private sortedRecords(zone: Zone): ResourceRecordSet[] {
    return [...zone.records.values()].sort(compareRecords);
  }

  // ---------------------------------------------------------------- zones

  private zoneView(zone: Zone): HostedZone {
    return {
      Id: `/hostedzone/${zone.id}`,
      Name: encodeName(zone.name),
      CallerReference: zone.callerReference,
      Config: { PrivateZone: zone.privateZone, ...(zone.comment ? { Comment: zone.comment } : {}) },
      ResourceRecordSetCount: zone.records.size,
    };
  }

  private getHostedZone(input: GetHostedZoneCommandInput, caller: Caller): Out<GetHostedZoneCommandOutput> {
    const zone = this.zoneFor(input.Id, caller);
    if (zone.privateZone) return { HostedZone: this.zoneView(zone), VPCs: [{ VPCRegion: this.env.region as VPCRegion, VPCId: 'vpc-0abc1234def567890' }] };
    return { HostedZone: this.zoneView(zone), DelegationSet: { NameServers: zone.nameServers.map((n) => n.replace(/\.$/, '')) } };
  }

  private listHostedZones(input: ListHostedZonesCommandInput, caller: Caller): Out<ListHostedZonesCommandOutput> {
    const max = maxItems(input.MaxItems, 100);
    const all = [...this.zones.values()].filter((z) => z.accountId === caller.accountId);
    const start = input.Marker ? all.findIndex((z) => z.id === input.Marker) : 0;
    if (start < 0) throw invalidInput(`Invalid marker: ${input.Marker}`); // approximated
    const slice = all.slice(start, start + max);
    const next = all[start + max];
    return { HostedZones: slice.map((z) => this.zoneView(z)), Marker: input.Marker, IsTruncated: !!next, NextMarker: next?.id, MaxItems: max };
  }

  private listHostedZonesByName(input: ListHostedZonesByNameCommandInput, caller: Caller): Out<ListHostedZonesByNameCommandOutput> {
    if (input.HostedZoneId && !input.DNSName) throw invalidInput('The input is not valid: HostedZoneId requires DNSName'); // approximated
    const max = maxItems(input.MaxItems, 100);
    const zones = [...this.zones.values()].filter((z) => z.accountId === caller.accountId).sort((a, b) => compareNames(a.name, b.name) || a.id.localeCompare(b.id));
    const startName = input.DNSName ? decodeName(input.DNSName) : undefined;
    const startId = stripPrefix(input.HostedZoneId) || undefined;
    const from = startName === undefined ? 0 : zones.findIndex((z) => {
      const c = compareNames(z.name, startName);
      return c > 0 || (c === 0 && (!startId || z.id >= startId));
    });
    const begin = from < 0 ? zones.length : from;
    const slice = zones.slice(begin, begin + max);
    const next = zones[begin + max];
    return {
      HostedZones: slice.map((z) => this.zoneView(z)),
      DNSName: input.DNSName,
      HostedZoneId: input.HostedZoneId && stripPrefix(input.HostedZoneId),
      IsTruncated: !!next,
      NextDNSName: next && encodeName(next.name),
      NextHostedZoneId: next?.id,
      MaxItems: max,
    };
  }

  // ---------------------------------------------------------------- records

  private listResourceRecordSets(input: ListResourceRecordSetsCommandInput, caller: Caller): Out<ListResourceRecordSetsCommandOutput> {
    const zone = this.zoneFor(input.HostedZoneId, caller);
    if (input.StartRecordType && !input.StartRecordName) throw invalidInput('The input is not valid: StartRecordType requires StartRecordName'); // approximated
    const max = maxItems(input.MaxItems, 300);
    const sorted = this.sortedRecords(zone);
    const start = input.StartRecordName === undefined ? 0 : firstAtOrAfter(sorted, {
      Name: decodeName(input.StartRecordName), Type: input.StartRecordType, SetIdentifier: input.StartRecordIdentifier,
    });
    const slice = sorted.slice(start, start + max);
    const next = sorted[start + max];
    return {
      ResourceRecordSets: slice.map(present),
      IsTruncated: !!next,
      MaxItems: max,
      ...(next ? { NextRecordName: encodeName(next.Name!), NextRecordType: next.Type } : {}),
      ...(next?.SetIdentifier ? { NextRecordIdentifier: next.SetIdentifier } : {}),
    };
  }

  private changeResourceRecordSets(input: ChangeResourceRecordSetsCommandInput, caller: Caller): Out<ChangeResourceRecordSetsCommandOutput> {
    const zone = this.zoneFor(input.HostedZoneId, caller);
    const changes = input.ChangeBatch?.Changes ?? [];
    if (!changes.length) {
      throw invalidInput("1 validation error detected: Value '[]' at 'changeBatch.changes' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    changes.forEach(checkShape);
    const overLimits = batchLimitErrors(changes);
    if (overLimits.length) throw invalidChangeBatch(overLimits);
    // Validate the whole batch against a working copy, in order (DELETE then CREATE of the
    // same record is legal); commit only when every change is valid.
    const working = new Map(zone.records);
    const errors = changes.flatMap((change) => this.applyChange(zone, working, change));
    if (errors.length) throw invalidChangeBatch(errors);
    this.commit(zone, working, this.env.now() + this.insyncAfterMs);
    return { ChangeInfo: this.recordChange(input.ChangeBatch?.Comment, caller) };
  }

  /** Validates one change against `working` and applies it there; returns its error messages. */
  private applyChange(zone: Zone, working: Map<string, ResourceRecordSet>, change: Change): string[] {
    const record = normaliseRecord(change.ResourceRecordSet!);
    const key = recordKey(record);
    const existing = working.get(key);
    const label = describeRecord(record);
    if (change.Action === 'DELETE') {
      if (!existing) return [`Tried to delete resource record set ${label} but it was not found`];
      if (!sameRecord(existing, record)) return [`Tried to delete resource record set ${label} but the values provided do not match the current values`];
      working.delete(key);
      return [];
    }
    const errors = [
      ...this.placementErrors(zone, working, record),
      ...valueErrors(record),
      ...this.aliasErrors(zone, working, record),
    ];
    if (change.Action === 'CREATE' && existing) errors.push(`Tried to create resource record set ${label} but it already exists`);
    if (!errors.length) working.set(key, record);
    return errors;
  }

  /** Name inside the zone, CNAME rules (alone at a name, never at the apex). */
  private placementErrors(zone: Zone, working: Map<string, ResourceRecordSet>, record: ResourceRecordSet): string[] {
    const name = record.Name!;
    const shown = encodeName(name);
    const zoneName = encodeName(zone.name);
    if (name !== zone.name && !name.endsWith(`.${zone.name}`)) return [`RRSet with DNS name ${shown} is not permitted in zone ${zoneName}`];
    if (record.Type === 'CNAME' && name === zone.name) return [`RRSet of type CNAME with DNS name ${shown} is not permitted at apex in zone ${zoneName}`];
    const others = [...working.values()].filter((r) => r.Name === name && r.Type !== record.Type);
    if (record.Type === 'CNAME' && others.length) {
      return [`RRSet of type CNAME with DNS name ${shown} is not permitted as it conflicts with other records with the same DNS name in zone ${zoneName}`];
    }
    if (others.some((r) => r.Type === 'CNAME')) {
      return [`RRSet of type ${record.Type} with DNS name ${shown} is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone ${zoneName}`];
    }
    return [];
  }

  /** An alias must point at a record of this zone or at a known load balancer with its zone id. */
  private aliasErrors(zone: Zone, working: Map<string, ResourceRecordSet>, record: ResourceRecordSet): string[] {
    const alias = record.AliasTarget;
    if (!alias) return [];
    const prefix = `Tried to create an alias that targets ${alias.DNSName}, type ${record.Type} in zone ${alias.HostedZoneId}`;
    const notFound = `${prefix}, but that target was not found`;
    const outside = `${prefix}, but the alias target name does not lie within the target zone`;
    if (alias.HostedZoneId === zone.id) {
      const target = [...working.values()].find((r) => r.Name === decodeName(alias.DNSName!) && r.Type === record.Type);
      return target ? [] : [notFound];
    }
    const lb = this.aliases.findByDnsName(alias.DNSName!);
    if (lb) return lb.CanonicalHostedZoneId === alias.HostedZoneId ? [] : [outside];
    return this.aliases.isCanonicalZone(alias.HostedZoneId!) ? [notFound] : [outside, notFound];
  }

  private recordChange(comment: string | undefined, caller: Caller): ChangeInfo {
    const now = this.env.now();
    const info: ChangeInfo = {
      Id: `/change/C${this.env.ids.upper(20)}`,
      Status: 'PENDING',
      SubmittedAt: new Date(now),
      ...(comment ? { Comment: comment } : {}),
    };
    this.changes.set(stripPrefix(info.Id), { info, accountId: caller.accountId, submittedAtMs: now });
    return clone(info);
  }

  private getChange(input: GetChangeCommandInput, caller: Caller): Out<GetChangeCommandOutput> {
    const id = stripPrefix(input.Id);
    const change = this.changes.get(id);
    if (!change || change.accountId !== caller.accountId) throw r53Error(NoSuchChange, `A change with the specified change ID does not exist: ${id}`); // approximated
    if (this.env.now() - change.submittedAtMs >= this.insyncAfterMs) change.info.Status = 'INSYNC';
    return { ChangeInfo: clone(change.info) };
  }
}

// ---------------------------------------------------------------- names and ordering

/** Lower case, trailing dot, \ddd escapes decoded (Route 53 is case-insensitive). */
export function decodeName(name: string): string {
  const decoded = name.toLowerCase().replace(/\\(\d{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
  return decoded.endsWith('.') ? decoded : `${decoded}.`;
}

/** As Route 53 returns names: characters other than a-z 0-9 - _ as \ddd octal escapes. */
export function encodeName(name: string): string {
  return [...name].map((c) => (/[a-z0-9\-_.]/.test(c) ? c : `\\${c.charCodeAt(0).toString(8).padStart(3, '0')}`)).join('');
}

/** Route 53's order: by name with the labels reversed (com.example.www), then type. */
function compareNames(a: string, b: string): number {
  const la = a.replace(/\.$/, '').split('.').reverse();
  const lb = b.replace(/\.$/, '').split('.').reverse();
  for (let i = 0; i < Math.min(la.length, lb.length); i++) {
    if (la[i] !== lb[i]) return la[i] < lb[i] ? -1 : 1;
  }
  return la.length - lb.length;
}

function compareRecords(a: ResourceRecordSet, b: ResourceRecordSet): number {
  return compareNames(a.Name!, b.Name!) || cmp(a.Type!, b.Type!) || cmp(a.SetIdentifier ?? '', b.SetIdentifier ?? '');
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Index of the first record at or after the start position of a listing. */
function firstAtOrAfter(sorted: ResourceRecordSet[], start: { Name: string; Type?: string; SetIdentifier?: string }): number {
  const index = sorted.findIndex((r) => {
    const byName = compareNames(r.Name!, start.Name);
    if (byName !== 0 || !start.Type) return byName >= 0;
    const byType = cmp(r.Type!, start.Type);
    if (byType !== 0 || !start.SetIdentifier) return byType >= 0;
    return cmp(r.SetIdentifier ?? '', start.SetIdentifier) >= 0;
  });
  return index < 0 ? sorted.length : index;
}

// ---------------------------------------------------------------- records

function maxItems(value: number | undefined, limit: number): number {
  if (value === undefined) return limit;
  if (!Number.isInteger(value) || value < 1) throw invalidInput(`Invalid value for MaxItems: ${value}`); // approximated
  return Math.min(value, limit);
}

/**
 * Route 53 Developer Guide, Quotas, "Number of elements and characters in ChangeResourceRecordSets
 * requests": "A request cannot contain more than 1,000 ResourceRecord elements. When the value of the
 * Action element is UPSERT, each ResourceRecord element is counted twice." and "The sum of the number
 * of characters (including spaces) in all Value elements in a request cannot exceed 32,000
 * characters. When the value of the Action element is UPSERT, each character in a Value element is
 * counted twice." Names do not count, nor do alias targets (they have no ResourceRecord or Value).
 */
export const CHANGE_BATCH_QUOTAS = { resourceRecords: 1000, valueCharacters: 32_000 } as const;

/**
 * A batch over a quota is refused whole, before any change is looked at. The messages are the ones
 * Route 53 returns, as users quote them (kubernetes-sigs/external-dns#2537 "InvalidChangeBatch:
 * [Number of records limit of 1000 exceeded.]", DNSControl/dnscontrol#908 "InvalidChangeBatch:
 * [RDATA character limit of 32000 exceeded.]"; moto sends the first without brackets). Whether
 * Route 53 reports both when both are exceeded is unverified: both are reported here.
 */
function batchLimitErrors(changes: Change[]): string[] {
  let records = 0;
  let characters = 0;
  for (const change of changes) {
    const weight = change.Action === 'UPSERT' ? 2 : 1;
    const values = (change.ResourceRecordSet?.ResourceRecords ?? []).map((r) => r.Value ?? '');
    records += weight * values.length;
    characters += weight * values.reduce((sum, v) => sum + v.length, 0);
  }
  return [
    ...(records > CHANGE_BATCH_QUOTAS.resourceRecords ? [`Number of records limit of ${CHANGE_BATCH_QUOTAS.resourceRecords} exceeded.`] : []),
    ...(characters > CHANGE_BATCH_QUOTAS.valueCharacters ? [`RDATA character limit of ${CHANGE_BATCH_QUOTAS.valueCharacters} exceeded.`] : []),
  ];
}

/** Exactly one of AliasTarget or TTL + ResourceRecords (InvalidInput, like the real API). */
function checkShape(change: Change): void {
  const r = change.ResourceRecordSet;
  if (!['CREATE', 'DELETE', 'UPSERT'].includes(change.Action ?? '') || !r?.Name || !r.Type) {
    throw invalidInput('Invalid request: each change needs an Action (CREATE, DELETE, UPSERT) and a ResourceRecordSet with Name and Type'); // approximated
  }
  const hasAlias = !!r.AliasTarget;
  const hasValues = r.TTL !== undefined || !!r.ResourceRecords?.length;
  if (hasAlias === hasValues || (!hasAlias && (r.TTL === undefined || !r.ResourceRecords?.length))) {
    const found = hasAlias && hasValues ? 'more than one' : 'none';
    throw invalidInput(`Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found ${found} in Change with [Action=${change.Action}, Name=${r.Name}, Type=${r.Type}, SetIdentifier=${r.SetIdentifier ?? 'null'}]`);
  }
}

function normaliseRecord(record: ResourceRecordSet): ResourceRecordSet {
  const out: ResourceRecordSet = { ...clone(record), Name: decodeName(record.Name!) };
  if (out.AliasTarget) out.AliasTarget = normaliseAlias(out.AliasTarget);
  return out;
}

function normaliseAlias(alias: AliasTarget): AliasTarget {
  return { HostedZoneId: stripPrefix(alias.HostedZoneId), DNSName: decodeName(alias.DNSName ?? ''), EvaluateTargetHealth: !!alias.EvaluateTargetHealth };
}

/** The record as the API returns it. */
function present(record: ResourceRecordSet): ResourceRecordSet {
  const out: ResourceRecordSet = { ...clone(record), Name: encodeName(record.Name!) };
  if (out.AliasTarget) out.AliasTarget = { ...out.AliasTarget, DNSName: encodeName(out.AliasTarget.DNSName!) };
  return out;
}

/** A value as resolvers compare it: lower case, no trailing dot. */
function servedValue(value: string): string {
  return value.toLowerCase().replace(/\.$/, '');
}

/** What the name servers answer for a record: its values, or its alias target. */
function servedValues(r: ResourceRecordSet): string[] {
  if (r.AliasTarget) return [`alias:${r.AliasTarget.HostedZoneId}:${servedValue(r.AliasTarget.DNSName ?? '')}`];
  return (r.ResourceRecords ?? []).map((v) => servedValue(v.Value ?? '')).sort();
}

function describeRecord(r: ResourceRecordSet): string {
  const setId = r.SetIdentifier ? `, set-identifier='${r.SetIdentifier}'` : '';
  return `[name='${encodeName(r.Name!)}', type='${r.Type}'${setId}]`;
}

/** DELETE must repeat the record exactly: TTL, values (in any order), alias, routing. */
function sameRecord(a: ResourceRecordSet, b: ResourceRecordSet): boolean {
  return canonicalRecord(a) === canonicalRecord(b);
}

function canonicalRecord(r: ResourceRecordSet): string {
  const { ResourceRecords, AliasTarget: alias, ...rest } = r;
  const fields = Object.entries(rest).filter(([, v]) => v !== undefined).sort(([x], [y]) => cmp(x, y));
  const values = ResourceRecords?.map((v) => v.Value).sort() ?? null;
  return JSON.stringify([fields, values, alias ? [alias.HostedZoneId, alias.DNSName, alias.EvaluateTargetHealth] : null]);
}

function valueErrors(record: ResourceRecordSet): string[] {
  const values = (record.ResourceRecords ?? []).map((v) => v.Value ?? '');
  const fatal = (problem: string, v: string) => `Invalid Resource Record: 'FATAL problem: ${problem} encountered with '${v}''`;
  const type = record.Type as RRType;
  if (type === 'A') return values.filter((v) => !isIpv4(v)).map((v) => fatal('ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address)', v));
  if (type === 'TXT') return values.filter((v) => !isQuotedStrings(v)).map((v) => fatal('InvalidCharacterString (Value should be enclosed in quotation marks)', v));
  return [];
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** One or more "..." strings separated by spaces, with \" escapes inside. */
function isQuotedStrings(value: string): boolean {
  return /^"(?:[^"\\]|\\.)*"(?:\s+"(?:[^"\\]|\\.)*")*$/.test(value.trim());
}
