import type { DesiredEndpoint, DesiredState } from '../desired';
import { fqdn, registryName } from '../naming';
import { ownedTargetGroup, type ObservedState } from '../state';
import type { Action, RecordChange, TargetGroupRef } from './types';

// A name goes live only behind a target that takes traffic. On AWS's clock a new target takes
// minutes (registration, then health checks), and a client that resolves a name too early is
// reset by the NLB; one that resolves it later simply finds it. So a new name is published after
// the apply's health gate; the wait itself is bounded per run (the deployed function checks once
// and follows up a minute later, shared/follow-up.ts), never a long sleep in one invocation.
//
// A name that moves to another NLB (moves.ts) is live already: it is switched (UPSERT) only once
// its new target is healthy, in every mode, and until then keeps leading to the old NLB.
//
// One exception: in msk-configuration mode MSK advertises a joining broker's custom name as the
// broker joins, whatever the tool does; there an early name (reset until healthy) beats no name
// (NXDOMAIN, which resolvers cache), so brokers' names are published at once.

export interface ZoneChanges {
  hostedZoneId: string;
  hostedZoneRole?: { roleArn: string; externalId?: string };
  changes: RecordChange[];
}

export interface GateTarget {
  resource: string;
  targetGroup: TargetGroupRef;
  ip: string;
}

export interface NamesBehindHealth {
  /** Changes that may go out in the ordinary DNS phase. */
  now: ZoneChanges[];
  /** New names published once `targets` are healthy (after the gate, in the same apply). */
  afterHealth: ZoneChanges[];
  targets: GateTarget[];
  /** New names left for a later run: their endpoint has no target to wait for yet (a broker without an IP). */
  waitingForTarget: string[];
}

/** Pure: splits each zone's changes into those that go now and new names that wait for their targets. */
export function namesBehindHealth(zones: ZoneChanges[], desired: DesiredState, observed: ObservedState, network: Action[], mode: string, moving: ReadonlySet<string> = new Set()): NamesBehindHealth {
  const out: NamesBehindHealth = { now: [], afterHealth: [], targets: [], waitingForTarget: [] };
  const gated = new Map<string, { endpoint: DesiredEndpoint; targets: GateTarget[] }>();
  for (const endpoint of desired.endpoints) {
    if (mode === 'msk-configuration' && endpoint.role !== 'bootstrap' && !moving.has(fqdn(endpoint.host))) continue;
    const group = ownedTargetGroup(observed, endpoint);
    const healthy = endpoint.targetIps.some((ip) => group?.targets.some((t) => t.ip === ip && t.port === endpoint.targetPort && t.state === 'healthy'));
    if (healthy) continue;
    const ref = gateTargetGroup(endpoint, observed, network);
    const targets = ref ? endpoint.targetIps.map((ip) => ({ resource: endpoint.key, targetGroup: ref, ip })) : [];
    gated.set(fqdn(endpoint.host), { endpoint, targets });
    gated.set(registryName(endpoint.host), { endpoint, targets });
  }
  const waiting = new Set<string>();
  for (const zone of zones) {
    // A name that is only changing type (a DELETE beside its CREATE) is live already.
    const replaced = new Set(zone.changes.filter((c) => c.action === 'DELETE').map((c) => c.record.name));
    const isNew = (c: RecordChange) =>
      gated.has(c.record.name) && ((c.action === 'CREATE' && !replaced.has(c.record.name)) || (c.action === 'UPSERT' && moving.has(c.record.name)));
    const now = zone.changes.filter((c) => !isNew(c));
    const later = zone.changes.filter((c) => isNew(c) && gated.get(c.record.name)!.targets.length > 0);
    for (const c of zone.changes.filter((x) => isNew(x) && !gated.get(x.record.name)!.targets.length)) waiting.add(gated.get(c.record.name)!.endpoint.key);
    if (now.length) out.now.push({ ...zone, changes: now });
    if (later.length) out.afterHealth.push({ ...zone, changes: later });
    for (const c of later) {
      for (const t of gated.get(c.record.name)!.targets) {
        if (!out.targets.some((x) => x.resource === t.resource && x.ip === t.ip)) out.targets.push(t);
      }
    }
  }
  out.waitingForTarget = [...waiting];
  return out;
}

/** The endpoint's target group as a health gate names it: the one it owns, or the one this plan creates for it. */
export function gateTargetGroup(endpoint: DesiredEndpoint, observed: ObservedState, network: Action[]): TargetGroupRef | undefined {
  const group = ownedTargetGroup(observed, endpoint);
  if (group) return { name: group.name, arn: group.arn };
  const created = network.find((a) => a.type === 'create-target-group' && a.resource === endpoint.key);
  return created?.type === 'create-target-group' ? { name: created.name } : undefined;
}
