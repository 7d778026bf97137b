import type { DesiredEndpoint, DesiredState } from '../desired';
import { fqdn, parseRegistryValue, registryName, registryValue, MANAGED_BY } from '../naming';
import { recordTargetOf, type ObservedState } from '../state';
import { ConfigError } from '../errors';
import { heldMessage, type StillAdvertised } from './still-advertised';
import type { RecordSet } from '../types';
import type { Conflict, RecordChange } from './types';
import type { ZoneValidationRecord } from './managed-certificates';
import { planValidationRecords } from './validation-records';

export interface RecordsPlan {
  /** One change set per hosted zone; apply sends it in as many atomic requests as Route 53's quotas need (route53-batches.ts). */
  batches: { hostedZoneId: string; hostedZoneRole?: { roleArn: string; externalId?: string }; changes: RecordChange[]; former?: true }[];
  conflicts: Conflict[];
}

/**
 * Pure diff of the Route 53 names, zone by zone. Ownership lives in a TXT registry record beside
 * each name (as external-dns does): a name is ours only when its registry says so, and only
 * then is it updated or deleted. New names use CREATE, which Route 53 refuses if someone
 * else made the name in the meantime. Every listener publishing in a zone is planned together,
 * so one listener's names are never another's leftovers.
 */
export function planRecords(desired: DesiredState, observed: ObservedState, blocked: Set<string>, held?: StillAdvertised, validation: ZoneValidationRecord[] = []): RecordsPlan {
  const plan: RecordsPlan = { batches: [], conflicts: [] };
  // A name published in a configured zone is live there: its twin in a former zone is not what brokers' clients resolve.
  const published = new Set(desired.endpoints.map((e) => fqdn(e.host)));
  for (const zone of observed.zones) {
    const endpoints = desired.endpoints.filter((e) => e.listener.hostedZoneId === zone.hostedZoneId);
    const inZone = validation.filter((v) => v.hostedZoneId === zone.hostedZoneId);
    const changes = planZone(endpoints, zone.records, observed, blocked, plan.conflicts, zone.former ? heldUnlessPublished(held, published) : held, inZone);
    // Every listener of a zone reaches it the same way (the config is refused otherwise).
    const hostedZoneRole = desired.listeners.find((l) => l.hostedZoneId === zone.hostedZoneId)?.hostedZoneRole;
    if (changes.length) plan.batches.push({ hostedZoneId: zone.hostedZoneId, ...(hostedZoneRole ? { hostedZoneRole } : {}), changes, ...(zone.former ? { former: true as const } : {}) });
  }
  return plan;
}

/** In a former zone, a name also published in a configured zone is not held by brokers advertising it. */
function heldUnlessPublished(held: StillAdvertised | undefined, published: Set<string>): StillAdvertised | undefined {
  return held && { ...held, byName: (name) => (published.has(fqdn(name)) ? undefined : held.byName(name)) };
}

function planZone(
  endpoints: DesiredEndpoint[],
  records: RecordSet[],
  observed: ObservedState,
  blocked: Set<string>,
  conflicts: Conflict[],
  held: StillAdvertised | undefined,
  validation: ZoneValidationRecord[],
): RecordChange[] {
  const clusterArn = observed.cluster.arn;
  const byName = groupByName(records);
  // ACM's validation CNAMEs of the tool's public certificates are wanted names too.
  const validating = planValidationRecords(validation, records, clusterArn, registryOwner, conflicts);
  const changes: RecordChange[] = [...validating.changes];
  const wantedNames = new Set<string>(validating.names);

  for (const endpoint of endpoints) {
    if (blocked.has(endpoint.key)) continue;
    const name = fqdn(endpoint.host);
    const registry = registryName(endpoint.host);
    wantedNames.add(name);
    const wantRecord = recordFor(endpoint, observed);
    const wantRegistry: RecordSet = { name: registry, type: 'TXT', ttl: endpoint.listener.recordTtl, values: [registryValue(clusterArn, endpoint.role)] };

    const existing = byName.get(name) ?? [];
    const existingRegistry = (byName.get(registry) ?? []).find((r) => r.type === 'TXT');
    const owner = existingRegistry && registryOwner(existingRegistry);

    if (existingRegistry && owner !== clusterArn) {
      const who = owner ? `registered to ${owner}` : `has a TXT record at ${registry} not written by this tool`;
      conflicts.push({ resource: `record ${name}`, message: `${name} ${who}; left alone` });
      continue;
    }
    if (!owner && existing.length > 0) {
      conflicts.push({
        resource: `record ${name}`,
        message: `${name} already exists (${existing.map((r) => r.type).join(', ')}) and was not created by this tool; left alone — delete it to let the tool manage the name`,
      });
      continue;
    }

    const current = existing.find((r) => r.type === wantRecord.type);
    for (const stale of existing.filter((r) => r.type !== wantRecord.type)) {
      changes.push({ action: 'DELETE', record: stale }); // e.g. CNAME -> alias after a recordType change
    }
    if (!current) changes.push({ action: 'CREATE', record: wantRecord });
    else if (!sameRecord(current, wantRecord)) changes.push({ action: 'UPSERT', record: wantRecord });

    if (!existingRegistry) changes.push({ action: 'CREATE', record: wantRegistry });
    else if (!sameRecord(existingRegistry, wantRegistry)) changes.push({ action: 'UPSERT', record: wantRegistry });
  }

  // Names whose registry says they are ours but that nothing wants any more.
  for (const [registry, named] of byName) {
    const txt = named.find((r) => r.type === 'TXT');
    if (!txt || registryOwner(txt) !== clusterArn) continue;
    const name = registry.replace(/^_msk-custom-domain\./, '');
    if (name === registry || wantedNames.has(name)) continue;
    if (endpoints.some((e) => blocked.has(e.key) && fqdn(e.host) === name)) continue;
    const advertised = held?.byName(name);
    if (advertised) {
      conflicts.push({ resource: `record ${name}`, message: heldMessage(`record ${name}`, advertised) });
      continue;
    }
    for (const record of byName.get(name) ?? []) changes.push({ action: 'DELETE', record });
    changes.push({ action: 'DELETE', record: txt });
  }
  return changes;
}

function recordFor(endpoint: DesiredEndpoint, observed: ObservedState): RecordSet {
  const target = recordTargetOf(observed, endpoint.listener, endpoint.loadBalancerArn);
  if (endpoint.listener.recordType === 'cname') {
    return { name: fqdn(endpoint.host), type: 'CNAME', ttl: endpoint.listener.recordTtl, values: [fqdn(target.dnsName)] };
  }
  // observe refuses an alias to an endpoint DNS name given without its zone id.
  if (!target.hostedZoneId) throw new ConfigError(`an alias record to ${target.dnsName} needs its hosted zone id: set recordTarget.hostedZoneId or recordType cname`);
  return { name: fqdn(endpoint.host), type: 'A', alias: { dnsName: fqdn(target.dnsName), hostedZoneId: target.hostedZoneId } };
}

export function registryOwner(txt: RecordSet): string | undefined {
  for (const value of txt.values ?? []) {
    const parsed = parseRegistryValue(value);
    if (parsed.heritage === MANAGED_BY && parsed.owner) return parsed.owner;
  }
  return undefined;
}

function groupByName(records: RecordSet[]): Map<string, RecordSet[]> {
  const map = new Map<string, RecordSet[]>();
  for (const record of records) map.set(record.name, [...(map.get(record.name) ?? []), record]);
  return map;
}

/** Alias comparisons ignore case and the trailing dot; Route 53 may return `dualstack.` prefixes. */
export function sameRecord(a: RecordSet, b: RecordSet): boolean {
  if (a.type !== b.type) return false;
  if (a.alias || b.alias) {
    if (!a.alias || !b.alias) return false;
    const norm = (n: string) => fqdn(n).replace(/^dualstack\./, '');
    return norm(a.alias.dnsName) === norm(b.alias.dnsName) && a.alias.hostedZoneId === b.alias.hostedZoneId;
  }
  return a.ttl === b.ttl && JSON.stringify([...(a.values ?? [])].sort()) === JSON.stringify([...(b.values ?? [])].sort());
}
