import type { DesiredState } from '../desired';
import { loadBalancerShortId } from '../listeners';
import { fqdn, roleKey, type Role } from '../naming';
import { recordsIn, type ObservedState } from '../state';
import { registryOwner } from './records';

// A name that stays while the NLB behind it changes: a broker that brokerLoadBalancers now puts on
// another NLB, or a whole listener moved to another NLB. Its new listener, group and target come
// first, and the name switches only once that target is healthy (names-behind-health.ts). Until a
// run finds the name pointing at the new NLB, clients (and those holding the old answer for its
// TTL) reach the broker through the old one: its old listener and group stay until then.

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

/** The pending line for an old listener kept while its name still leads to its NLB. */
export function stillNamedMessage(what: string, loadBalancerArn: string, name: string): string {
  return `${what} on ${loadBalancerShortId(loadBalancerArn)} stays while ${name} still leads there: the name switches to its new load balancer once the new target is healthy, and the run after that removes the old listener and target group`;
}

function normalise(dnsName: string): string {
  return fqdn(dnsName).replace(/^dualstack\./, '');
}
