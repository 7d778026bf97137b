import { CUSTOM_ADVERTISED_LISTENERS, getProperty } from '../advertised/server-properties';
import { parseAdvertisedListeners } from '../kafka/advertised-listeners';
import { fqdn, MANAGED_BY, parseRegistryValue } from '../naming';
import type { ObservedState } from '../state';

// A name or port brokers advertise is in use by every client that read Metadata: deleting its
// record or listener resets those clients. This is what brokers advertise now (their
// advertised.listeners) or will once a pending rollout lands (custom.advertised.listeners), so
// deletions wait until brokers have moved off it (a listener removed from the config, a host
// template changed while the rolling restart is still to come).

export interface AdvertisedEndpoint {
  listenerName: string;
  host: string;
  port: number;
  brokerIds: number[];
}

/** The entries of the configuration's custom.advertised.listeners (MSK's `NAME://host:base+{broker_id}` form). */
function templateEntries(observed: ObservedState): { listenerName: string; host: (brokerId: number) => string; portBase: number }[] {
  const template = getProperty(observed.advertised?.configuration?.serverProperties ?? '', CUSTOM_ADVERTISED_LISTENERS) ?? '';
  return template.split(',').flatMap((raw) => {
    const m = /^\s*([A-Za-z_]+):\/\/([^:\s]+):(\d+)\+\{broker_id\}\s*$/.exec(raw);
    return m ? [{ listenerName: m[1].toUpperCase(), host: (id: number) => m[2].replaceAll('{broker_id}', String(id)), portBase: Number(m[3]) }] : [];
  });
}

/** Pure: the client-listener endpoints brokers advertise, from what observe read. */
export function advertisedEndpoints(observed: ObservedState): AdvertisedEndpoint[] {
  const byKey = new Map<string, AdvertisedEndpoint>();
  const add = (listenerName: string, host: string, port: number, brokerId: number) => {
    if (/^REPLICATION/i.test(listenerName) || !host) return;
    const key = `${listenerName.toUpperCase()} ${host.toLowerCase()}:${port}`;
    const entry = byKey.get(key) ?? { listenerName: listenerName.toUpperCase(), host: host.toLowerCase(), port, brokerIds: [] };
    if (!entry.brokerIds.includes(brokerId)) entry.brokerIds.push(brokerId);
    byKey.set(key, entry);
  };
  for (const broker of observed.advertised?.brokers ?? []) {
    const value = broker.entries?.find((e) => e.name === 'advertised.listeners')?.value;
    if (!value) continue;
    try {
      for (const e of parseAdvertisedListeners(value)) add(e.name, e.host, e.port, broker.endpoint.id);
    } catch {
      // A value the tool cannot parse is reported by the advertised planner; nothing is held for it.
    }
  }
  for (const e of templateEntries(observed)) {
    for (const b of observed.cluster.brokers) add(e.listenerName, e.host(b.id), e.portBase + b.id, b.id);
  }
  return [...byKey.values()];
}

/**
 * Entries of custom.advertised.listeners the tool wrote for a listener it no longer maps (removed
 * from the config, or now bootstrap-only): their names are registered to this cluster. By listener
 * name. Removing them brings that listener's AWS names back, after which the names and listeners go.
 */
export function ownEntriesNoLongerMapped(observed: ObservedState, mappedNames: readonly string[]): string[] {
  const ours = registeredNames(observed);
  const mapped = new Set(mappedNames.map((n) => n.toUpperCase()));
  return templateEntries(observed).flatMap((e) => {
    if (mapped.has(e.listenerName)) return [];
    return observed.cluster.brokers.some((b) => ours.has(fqdn(e.host(b.id)))) ? [e.listenerName] : [];
  });
}

/**
 * Per broker (dynamic mode): listeners it advertises under one of this cluster's names although the
 * tool no longer maps them, with the entry its static advertised.listeners (the AWS name) has for
 * them. Setting those entries back moves that listener's clients to the AWS names; then the names go.
 */
export function ownOverridesNoLongerMapped(observed: ObservedState, mappedNames: readonly string[], brokerId: number): { listenerName: string; host: string; port: number }[] {
  const ours = registeredNames(observed);
  const mapped = new Set(mappedNames.map((n) => n.toUpperCase()));
  const broker = observed.advertised?.brokers.find((b) => b.endpoint.id === brokerId);
  const entry = broker?.entries?.find((e) => e.name === 'advertised.listeners');
  const staticValue = entry?.synonyms.find((syn) => syn.source === 'STATIC_BROKER_CONFIG' && syn.value !== null)?.value;
  if (!entry?.value || !staticValue) return [];
  try {
    const statics = parseAdvertisedListeners(staticValue);
    return parseAdvertisedListeners(entry.value).flatMap((e) => {
      if (mapped.has(e.name.toUpperCase()) || /^REPLICATION/i.test(e.name) || !ours.has(fqdn(e.host))) return [];
      const aws = statics.find((st) => st.name.toUpperCase() === e.name.toUpperCase());
      return aws ? [{ listenerName: e.name, host: aws.host, port: aws.port }] : [];
    });
  } catch {
    return []; // a value the tool cannot parse is reported by the advertised planner
  }
}

/** The observed NLB each name's record leads to (alias or CNAME), by fully qualified name. */
function nameTargets(observed: ObservedState): Map<string, string> {
  const norm = (n: string) => fqdn(n).replace(/^dualstack\./, '');
  const byDnsName = new Map(observed.loadBalancers.map((s) => [norm(s.loadBalancer.dnsName), s.loadBalancer.arn]));
  const out = new Map<string, string>();
  for (const record of observed.zones.flatMap((z) => z.records)) {
    const target = record.alias?.dnsName ?? (record.type === 'CNAME' ? record.values?.[0] : undefined);
    const lb = target && byDnsName.get(norm(target));
    if (lb) out.set(record.name, lb);
  }
  return out;
}

/** Names (fully qualified) of this cluster's records, by their TXT registry, in every observed zone. */
function registeredNames(observed: ObservedState): Set<string> {
  const names = new Set<string>();
  for (const zone of observed.zones) {
    for (const record of zone.records) {
      if (record.type !== 'TXT' || !record.name.startsWith('_msk-custom-domain.')) continue;
      const owned = (record.values ?? []).some((v) => {
        const r = parseRegistryValue(v);
        return r.heritage === MANAGED_BY && r.owner === observed.cluster.arn;
      });
      if (owned) names.add(record.name.replace(/^_msk-custom-domain\./, ''));
    }
  }
  return names;
}

export interface StillAdvertised {
  /** What advertises this name (for the conflict), when brokers advertise it. */
  byName(name: string): AdvertisedEndpoint | undefined;
  /**
   * What advertises this port under one of this cluster's names, when brokers do. With
   * `loadBalancerArn`: only a name that leads to that NLB (a broker moved to another NLB advertises
   * the same name and port, which lead to the new NLB once the name switched).
   */
  byPort(port: number, loadBalancerArn?: string): AdvertisedEndpoint | undefined;
}

export function stillAdvertised(observed: ObservedState): StillAdvertised {
  const endpoints = advertisedEndpoints(observed);
  const ours = registeredNames(observed);
  const leadsTo = nameTargets(observed);
  return {
    byName: (name) => endpoints.find((e) => fqdn(e.host) === fqdn(name)),
    // Only ports advertised under a name this cluster registered: a port on an AWS name is the broker's own.
    // A name whose record leads to another observed NLB does not reach this one; one leading nowhere known still may.
    byPort: (port, loadBalancerArn) =>
      endpoints.find((e) => {
        if (e.port !== port || !ours.has(fqdn(e.host))) return false;
        const lb = leadsTo.get(fqdn(e.host));
        return !loadBalancerArn || lb === undefined || lb === loadBalancerArn;
      }),
  };
}

/** The conflict text for a record or listener kept because brokers still advertise it. */
export function heldMessage(what: string, e: AdvertisedEndpoint): string {
  return (
    `${what} kept: broker(s) ${e.brokerIds.sort((a, b) => a - b).join(', ')} still advertise ${e.host}:${e.port} (${e.listenerName}), and deleting it would reset their clients; ` +
    'it goes once brokers stop advertising it (a listener no longer mapped is moved back to its AWS names: in dynamic mode in this run, in msk-configuration mode with the next allowed rolling restart)'
  );
}
