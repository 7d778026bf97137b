import type { DesiredState } from '../desired';
import { loadBalancerShortId } from '../listeners';
import { fqdn, roleKey, servesListener, TAG_LISTENER, TAG_RETIRED_AT, type Role } from '../naming';
import { recordsIn, type ObservedState } from '../state';
import { registryOwner } from './records';

// A name that stays while the NLB behind it changes: a broker that brokerLoadBalancers now puts on
// another NLB, or a whole listener moved to another NLB. Its new listener, group and target come
// first, and the name switches only once that target is healthy (names-behind-health.ts). Until a
// run finds the name pointing at the new NLB, clients (and those holding the old answer for its
// TTL) reach the broker through the old one: its old listener and group stay until then.
//
// And after: a client or resolver that asked just before the switch keeps the old answer for the
// record's TTL, and connects to the old NLB meanwhile. The run that first finds the name leading
// away tags the old listener with that time (TAG_RETIRED_AT: the plan cannot remember, the tag
// does); it and its group go once the TTL and a margin have passed since (retirement below).

export interface StillNamed {
  /** The name still pointing at `loadBalancerArn` for this role although it is wanted on another NLB, if any. */
  onLoadBalancer(loadBalancerArn: string, role: Role): string | undefined;
  /** Names (fully qualified, Route 53 spelling) switching to another NLB: their switch waits for the new target's health. */
  moving: ReadonlySet<string>;
}

/** Pure: the wanted names whose record (as observed) still leads to another NLB than the one that now carries them. */
export function stillNamed(desired: DesiredState, observed: ObservedState): StillNamed {
  const byDnsName = new Map(observed.loadBalancers.map((s) => [normalise(s.loadBalancer.dnsName), s.loadBalancer.arn]));
  const held = new Map<string, string>();
  const moving = new Set<string>();
  for (const endpoint of desired.endpoints) {
    const name = fqdn(endpoint.host);
    const records = recordsIn(observed, endpoint.listener.hostedZoneId);
    const registry = records.find((r) => r.name === fqdn(`_msk-custom-domain.${endpoint.host}`) && r.type === 'TXT');
    if (!registry || registryOwner(registry) !== observed.cluster.arn) continue;
    for (const record of records.filter((r) => r.name === name && (r.type === 'A' || r.type === 'CNAME'))) {
      const target = record.alias?.dnsName ?? record.values?.[0];
      const now = target && byDnsName.get(normalise(target));
      if (now && now !== endpoint.loadBalancerArn) {
        held.set(`${now} ${roleKey(endpoint.role)}`, name.replace(/\.$/, ''));
        moving.add(name);
      }
    }
  }
  return { onLoadBalancer: (arn, role) => held.get(`${arn} ${roleKey(role)}`), moving };
}

/**
 * An alias record to an AWS resource has no TTL of its own: Route 53 uses the resource's default
 * (Route 53 developer guide, alias record values, TTL), for ELB a fixed 60 s (Route 53 FAQ, DNS
 * failover: ELB endpoints need "Alias records which have fixed TTL of 60 seconds"). A CNAME record
 * has its own (config recordTtl).
 */
export const ALIAS_TTL_SECONDS = 60;
/**
 * Beside the TTL: a resolver may have asked a Route 53 server the change had not reached yet.
 * "Changes generally propagate to all Route 53 name servers within 60 seconds" (Route 53 developer
 * guide, "Editing records"). The time on the tag is already later than the switch (the run after it).
 */
export const PROPAGATION_MARGIN_SECONDS = 60;

export type Retirement =
  /** No time on it yet: tag it with `retiredAt` (the observation time) and keep it. */
  | { state: 'tag'; name: string; retiredAt: string; waitSeconds: number }
  /** Tagged, cached answers may still lead there until `until`. */
  | { state: 'wait'; name: string; retiredAt: string; until: string; waitSeconds: number }
  | { state: 'done' };

/**
 * Pure: what becomes of a leftover listener (not wanted where it is, its name no longer leading
 * there) whose role the config now puts on another NLB, for the same listener or one of the same
 * authentication (a whole listener moved to another NLB changes its id, `<auth>@<nlb>`): a move's
 * old listener. Undefined for any other leftover (a broker scaled in, a listener removed): those go at once.
 */
export function retirement(desired: DesiredState, observed: ObservedState, loadBalancerArn: string, tags: Record<string, string>, role: Role): Retirement | undefined {
  const authentication = tags[TAG_LISTENER]?.split('@')[0];
  const endpoint = desired.endpoints.find(
    (e) => e.loadBalancerArn !== loadBalancerArn && roleKey(e.role) === roleKey(role) && (servesListener(tags, e.listener) || authentication === e.listener.authentication),
  );
  if (!endpoint) return undefined;
  const name = fqdn(endpoint.host);
  const record = recordsIn(observed, endpoint.listener.hostedZoneId).find((r) => r.name === name && (r.type === 'A' || r.type === 'CNAME'));
  const ttl = record?.type === 'CNAME' ? record.ttl ?? endpoint.listener.recordTtl : record ? ALIAS_TTL_SECONDS : Math.max(ALIAS_TTL_SECONDS, endpoint.listener.recordTtl);
  const waitSeconds = ttl + PROPAGATION_MARGIN_SECONDS;
  const host = name.replace(/\.$/, '');
  const now = observed.observedAt;
  const tagged = Date.parse(tags[TAG_RETIRED_AT] ?? '');
  // Without a time of observation (a plan from hand-made state) nothing can be timed: kept, untagged.
  if (now === undefined) return { state: 'wait', name: host, retiredAt: tags[TAG_RETIRED_AT] ?? 'unknown', until: 'unknown', waitSeconds };
  // Untagged (a version before this, or the tag's write failed), or a time that is no time: waits from now.
  if (Number.isNaN(tagged)) return { state: 'tag', name: host, retiredAt: new Date(now).toISOString(), waitSeconds };
  const until = tagged + waitSeconds * 1000;
  return now >= until ? { state: 'done' } : { state: 'wait', name: host, retiredAt: new Date(tagged).toISOString(), until: new Date(until).toISOString(), waitSeconds };
}

/** The pending line for an old listener kept after its name switched, while cached answers may still lead there. */
export function retiringMessage(what: string, loadBalancerArn: string, r: Exclude<Retirement, { state: 'done' }>): string {
  const until = r.state === 'tag' ? `${r.waitSeconds} s from now` : `${r.until}`;
  return `${what} on ${loadBalancerShortId(loadBalancerArn)} stays until ${until}: ${r.name} leads to its new load balancer since ${r.retiredAt} at the latest, and clients may hold the old answer for the record's TTL plus ${PROPAGATION_MARGIN_SECONDS} s of Route 53 propagation (${r.waitSeconds} s); a later run removes the old listener and target group`;
}

/** The pending line for an old listener kept while its name still leads to its NLB. */
export function stillNamedMessage(what: string, loadBalancerArn: string, name: string): string {
  return `${what} on ${loadBalancerShortId(loadBalancerArn)} stays while ${name} still leads there: the name switches to its new load balancer once the new target is healthy, and once answers cached before the switch have expired (its TTL + ${PROPAGATION_MARGIN_SECONDS} s) a later run removes the old listener and target group`;
}

function normalise(dnsName: string): string {
  return fqdn(dnsName).replace(/^dualstack\./, '');
}
