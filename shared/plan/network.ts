import { endpointKey, type DesiredEndpoint, type DesiredState } from '../desired';
import { loadBalancerShortId } from '../listeners';
import { ownedRole, roleKey, servesListener, TAG_LISTENER, TAG_RETIRED_AT, TAG_ROLE, type Role } from '../naming';
import { loadBalancerOf, ownedTargetGroup, ownsAs, type ObservedState } from '../state';
import { heldMessage, type StillAdvertised } from './still-advertised';
import { retirement, retiringMessage, stillNamed, stillNamedMessage } from './moves';

const NOTHING_HELD: StillAdvertised = { byName: () => undefined, byPort: () => undefined };
import { inAnyCidr } from '../net/cidr';
import type { HealthCheck, ObservedListener, ObservedTargetGroup } from '../types';
import type { Action, CertificateRef, Conflict, TargetGroupRef } from './types';
import { certificateLabel } from './managed-certificates';
import { uncoveredCertificate, uncoveredConflicts, uncoveredWarnings, type Uncovered } from './certificate';

export interface NetworkPlan {
  actions: Action[];
  conflicts: Conflict[];
  /** Endpoints blocked by a conflict: their DNS name is left alone too. */
  blocked: Set<string>;
  warnings: string[];
  /** Old listeners kept while the name of the broker that moved to another NLB still leads to them, or may from caches (moves.ts). */
  pending: string[];
}

export interface NetworkPlanOptions {
  /** The CLI's --allow-uncovered-certificate, given by a person: listeners go live behind a certificate that misses their name. */
  allowUncoveredCertificate?: boolean;
  /** Managed mode: the certificate each endpoint of a managed listener presents, by key (plan/managed-certificates.ts). */
  certificates?: Map<string, CertificateRef>;
  /** Managed public certificates: endpoints whose certificate is not validated yet, by key. */
  awaitingCertificate?: ReadonlyMap<string, unknown>;
}

/**
 * Pure diff of listeners, target groups and targets. Resources are matched by their
 * ownership tags, never by port alone: a listener on a wanted port that carries no tags of
 * ours is a conflict, reported and left alone.
 */
export function planNetwork(desired: DesiredState, observed: ObservedState, held: StillAdvertised = NOTHING_HELD, options: NetworkPlanOptions = {}): NetworkPlan {
  const clusterArn = observed.cluster.arn;
  const plan: NetworkPlan = { actions: [], conflicts: [], blocked: new Set(), warnings: [], pending: [] };
  const named = stillNamed(desired, observed);
  const refused: Uncovered[] = [];
  const allowed: Uncovered[] = [];
  const groupsByName = new Map(observed.targetGroups.map((g) => [g.name, g]));
  const keptListeners = new Set<string>();
  const keptGroups = new Set<string>();

  for (const endpoint of desired.endpoints) {
    const site = loadBalancerOf(observed, endpoint.loadBalancerArn);
    const listener = site.listeners.find((l) => l.port === endpoint.port);
    if (listener && !ownsAs(listener.tags, clusterArn, endpoint.listener, endpoint.role)) {
      const owner = ownedRole(listener.tags, clusterArn) ? `another listener of this cluster (${listener.tags[TAG_LISTENER] ?? 'untagged'} ${listener.tags[TAG_ROLE]})` : `a listener this tool does not own (${listener.arn})`;
      plan.conflicts.push({
        resource: `listener :${endpoint.port}`,
        message: `port ${endpoint.port} of ${loadBalancerShortId(site.loadBalancer.arn)} (wanted for ${endpoint.key}) has ${owner}; left alone, ${endpoint.key} stays unmapped until it is removed or brokerPortBase changes`,
      });
      plan.blocked.add(endpoint.key);
      continue;
    }

    // Ours by tags, whatever its name (groups made before names carried the listener keep theirs).
    const group = ownedTargetGroup(observed, endpoint);
    const squatter = !group && groupsByName.get(endpoint.targetGroupName);
    if (squatter) {
      plan.conflicts.push({
        resource: `target group ${squatter.name}`,
        message: `target group ${squatter.name} exists but is not tagged as this cluster's ${endpoint.key}; left alone`,
      });
      plan.blocked.add(endpoint.key);
      continue;
    }
    if (group && (group.port !== endpoint.targetPort || group.protocol !== 'TLS')) {
      plan.conflicts.push({
        resource: `target group ${group.name}`,
        message: `target group ${group.name} forwards ${group.protocol}:${group.port} but ${endpoint.listener.authentication} needs TLS:${endpoint.targetPort}; delete it to let the tool recreate it`,
      });
      plan.blocked.add(endpoint.key);
      continue;
    }

    // A listener goes live, or switches certificate, only behind one that names its host: a client
    // checks the name at its TLS handshake. Refused, a new endpoint gets nothing (no half-made
    // group or name); a live listener keeps the certificate it presents.
    // A managed certificate covers its endpoint by construction (its block's names).
    const current = listener?.certificateArns[0];
    // A certificate ACM has not validated yet: a new endpoint waits whole (no group, listener or
    // name yet). A live listener (whose certificate does not name the host, or it would be kept:
    // managed-certificates.ts) keeps presenting what it has, and its new name waits too.
    const awaiting = options.awaitingCertificate?.has(endpoint.key);
    if (awaiting) plan.blocked.add(endpoint.key);
    if (awaiting && (!listener || !current)) {
      if (listener) keptListeners.add(listener.arn);
      if (listener?.targetGroupArn) keptGroups.add(listener.targetGroupArn);
      continue;
    }
    const wanted = awaiting ? { name: current!, arn: current! } : wantedCertificate(endpoint, options.certificates);
    const uncovered = endpoint.listener.certificateArn ? uncoveredCertificate(observed, endpoint) : undefined;
    const change = !listener ? 'create' : current !== wanted.arn ? 'swap' : 'live';
    const refuse = uncovered !== undefined && change !== 'live' && !options.allowUncoveredCertificate;
    if (uncovered) (refuse ? refused : allowed).push({ endpoint, certificate: uncovered, change, current });
    if (refuse && !listener) {
      plan.blocked.add(endpoint.key);
      continue;
    }

    if (group) keptGroups.add(group.arn);
    else plan.actions.push(createTargetGroup(endpoint, site.loadBalancer.vpcId));
    const groupRef: TargetGroupRef = { name: group?.name ?? endpoint.targetGroupName, arn: group?.arn };
    if (group) plan.actions.push(...attributeChanges(endpoint, groupRef, group), ...healthCheckChanges(endpoint, groupRef, group));

    const { sslPolicy } = endpoint.listener;
    const { loadBalancerArn } = endpoint;
    if (!listener) {
      plan.actions.push({ type: 'create-listener', resource: endpoint.key, loadBalancerArn, port: endpoint.port, certificate: wanted, sslPolicy, targetGroup: groupRef, tags: endpoint.tags });
    } else {
      keptListeners.add(listener.arn);
      // A refused switch still repairs the rest of the listener, with the certificate it has (a TLS listener needs one).
      // A swap leaves established connections alone: their TLS session was negotiated already, and
      // ModifyListener "has no effect on any active connections that were created prior to this
      // change" (NLB guide, listener-update-rules: said of the forward action; for the certificate
      // the guide's replace-default-certificate section says nothing either way).
      const certificate: CertificateRef | undefined = refuse ? (current ? { name: current, arn: current } : undefined) : wanted;
      const reason = certificate && listenerDrift(listener, endpoint, group, certificate);
      if (certificate && reason) {
        plan.actions.push({ type: 'modify-listener', resource: endpoint.key, listenerArn: listener.arn, port: endpoint.port, certificate, sslPolicy, targetGroup: groupRef, reason });
      }
    }
    plan.actions.push(...targetChanges(endpoint, groupRef, group, site.vpc.cidrs));
  }

  plan.conflicts.push(...uncoveredConflicts(refused));
  plan.warnings.push(...uncoveredWarnings(allowed));

  // Owned resources nothing wants any more: listeners first, their groups after (apply orders them).
  for (const site of observed.loadBalancers) {
    for (const listener of site.listeners) {
      const role = ownedRole(listener.tags, clusterArn);
      if (!role || keptListeners.has(listener.arn)) continue;
      const key = leftoverKey(listener.tags, role, desired);
      const name = named.onLoadBalancer(site.loadBalancer.arn, role);
      if (name) {
        plan.pending.push(stillNamedMessage(`listener :${listener.port} (${key})`, site.loadBalancer.arn, name));
        // A time left from an earlier move (the broker moved back, and now away again) is not this move's: cleared.
        if (!Number.isNaN(Date.parse(listener.tags[TAG_RETIRED_AT] ?? ''))) plan.actions.push({ type: 'retire-listener', resource: key, listenerArn: listener.arn, port: listener.port, retiredAt: '' });
        if (listener.targetGroupArn) keptGroups.add(listener.targetGroupArn);
        continue;
      }
      // A move's old listener, its name switched: kept while cached answers may still lead there.
      const retiring = retirement(desired, observed, site.loadBalancer.arn, listener.tags, role);
      if (retiring && retiring.state !== 'done') {
        plan.pending.push(retiringMessage(`listener :${listener.port} (${key})`, site.loadBalancer.arn, retiring));
        if (retiring.state === 'tag') plan.actions.push({ type: 'retire-listener', resource: key, listenerArn: listener.arn, port: listener.port, retiredAt: retiring.retiredAt });
        if (listener.targetGroupArn) keptGroups.add(listener.targetGroupArn);
        continue;
      }
      const advertised = held.byPort(listener.port, site.loadBalancer.arn);
      if (advertised) {
        // Its group stays with it: clients that still use the port keep reaching the broker.
        plan.conflicts.push({ resource: `listener :${listener.port}`, message: heldMessage(`listener :${listener.port} (${key})`, advertised) });
        if (listener.targetGroupArn) keptGroups.add(listener.targetGroupArn);
        continue;
      }
      plan.actions.push({ type: 'delete-listener', resource: key, listenerArn: listener.arn, port: listener.port });
    }
  }
  const observedLoadBalancers = new Set(observed.loadBalancers.map((s) => s.loadBalancer.arn));
  for (const group of observed.targetGroups) {
    const role = ownedRole(group.tags, clusterArn);
    if (!role || keptGroups.has(group.arn)) continue;
    // Still in use by a load balancer no listener of the config names: its listener is out of
    // sight, and ELBv2 refuses to delete a group in use. Said, not attempted.
    const elsewhere = group.loadBalancerArns.filter((arn) => !observedLoadBalancers.has(arn));
    if (elsewhere.length) {
      plan.warnings.push(`target group ${group.name} (${roleKey(role)}) is still used by load balancer ${elsewhere.map(loadBalancerShortId).join(', ')}, which no listener of the config names: delete that listener by hand, then the next run deletes the group`);
      continue;
    }
    plan.actions.push({ type: 'delete-target-group', resource: leftoverKey(group.tags, role, desired), arn: group.arn, name: group.name });
  }
  return plan;
}

/** The configured certificate, or in managed mode the one planned for the endpoint. */
function wantedCertificate(endpoint: DesiredEndpoint, managed: Map<string, CertificateRef> | undefined): CertificateRef {
  const { certificateArn } = endpoint.listener;
  if (certificateArn) return { name: certificateArn, arn: certificateArn };
  const ref = managed?.get(endpoint.key);
  if (!ref) throw new Error(`no certificate planned for ${endpoint.key} (managed mode): planManagedCertificates runs first`);
  return ref;
}

/** A leftover's key: the label of the listener its tags name, when the config still maps it. */
function leftoverKey(tags: Record<string, string>, role: Role, desired: DesiredState): string {
  const listener = desired.listeners.find((l) => servesListener(tags, l));
  return listener ? endpointKey(listener, role) : `${desired.listeners.length > 1 ? `${tags[TAG_LISTENER] ?? 'untagged'} ` : ''}${roleKey(role)}`;
}

function createTargetGroup(endpoint: DesiredEndpoint, vpcId: string): Action {
  return {
    type: 'create-target-group',
    resource: endpoint.key,
    name: endpoint.targetGroupName,
    port: endpoint.targetPort,
    vpcId,
    tags: endpoint.tags,
    attributes: { ...TARGET_GROUP_ATTRIBUTES },
    healthCheck: { ...TARGET_GROUP_HEALTH_CHECK },
  };
}

/** Every difference, so a certificate switch shows even beside another repair. */
function listenerDrift(listener: ObservedListener, endpoint: DesiredEndpoint, group: ObservedTargetGroup | undefined, certificate: CertificateRef): string | undefined {
  const { sslPolicy } = endpoint.listener;
  const drift: string[] = [];
  if (!group || listener.targetGroupArn !== group.arn) drift.push(`forwards to ${listener.targetGroupArn ?? 'nothing'} instead of ${group?.name ?? endpoint.targetGroupName}`);
  if (listener.protocol !== 'TLS') drift.push(`protocol ${listener.protocol} instead of TLS`);
  if (listener.certificateArns[0] !== certificate.arn) drift.push(`certificate ${listener.certificateArns[0] ?? 'none'} → ${certificateLabel(certificate)}`);
  if (listener.sslPolicy !== sslPolicy) drift.push(`TLS policy ${listener.sslPolicy ?? 'none'} instead of ${sslPolicy}`);
  return drift.length ? drift.join('; ') : undefined;
}

/**
 * Attributes every group the tool owns must have. Cross-zone load balancing: a per-broker group
 * has one target in one AZ, so without it the NLB nodes of the other AZs reset that broker's
 * clients (NLBs default to off, and groups inherit the load balancer's setting).
 */
export const TARGET_GROUP_ATTRIBUTES: Readonly<Record<string, string>> = {
  'load_balancing.cross_zone.enabled': 'true',
};

/**
 * The health check of every group the tool owns. A new or replaced broker's target carries no
 * traffic until it is healthy, so the NLB default (30 s x 5 checks = 150 s) is how long clients
 * of a joining broker's name (MSK advertises it at once) or a replaced broker fail. 10 s x 2
 * makes that 20 s. The cost is a TCP connect per group and NLB node every 10 s: for a broker (its
 * own group and the bootstrap, three nodes) 0.6 connections a second, far below MSK's
 * connection-creation quotas.
 */
export const TARGET_GROUP_HEALTH_CHECK: HealthCheck = { protocol: 'TCP', intervalSeconds: 10, timeoutSeconds: 5, healthyThreshold: 2, unhealthyThreshold: 2 };

function healthCheckChanges(endpoint: DesiredEndpoint, ref: TargetGroupRef, group: ObservedTargetGroup): Action[] {
  const want = TARGET_GROUP_HEALTH_CHECK;
  const have = group.healthCheck;
  const drift = (Object.keys(want) as (keyof HealthCheck)[]).filter((k) => have[k] !== want[k]);
  if (!drift.length) return [];
  return [{ type: 'set-target-group-health', resource: endpoint.key, targetGroup: ref, healthCheck: { ...want }, reason: drift.map((k) => `${k} was ${have[k]}`).join(', ') }];
}

function attributeChanges(endpoint: DesiredEndpoint, ref: TargetGroupRef, group: ObservedTargetGroup): Action[] {
  const drift = Object.entries(TARGET_GROUP_ATTRIBUTES).filter(([key, value]) => group.attributes[key] !== value);
  if (!drift.length) return [];
  return [{
    type: 'set-target-group-attributes',
    resource: endpoint.key,
    targetGroup: ref,
    attributes: Object.fromEntries(drift),
    reason: drift.map(([key]) => `${key} was ${group.attributes[key] ?? 'unset'}`).join(', '),
  }];
}

function targetChanges(endpoint: DesiredEndpoint, ref: TargetGroupRef, group: ObservedTargetGroup | undefined, vpcCidrs: string[]): Action[] {
  const port = endpoint.targetPort;
  // Draining targets are on their way out already: neither re-deregister nor count them as present.
  const current = new Set((group?.targets ?? []).filter((t) => t.state !== 'draining' && t.port === port).map((t) => t.ip));
  const wanted = new Set(endpoint.targetIps);
  const toRegister = endpoint.targetIps.filter((ip) => !current.has(ip));
  const toDeregister = (group?.targets ?? [])
    .filter((t) => t.state !== 'draining' && (!wanted.has(t.ip) || t.port !== port))
    .map((t) => ({ ip: t.ip, port: t.port }));
  const actions: Action[] = [];
  if (toRegister.length) {
    const outsideVpc = toRegister.filter((ip) => !inAnyCidr(ip, vpcCidrs));
    actions.push({ type: 'register-targets', resource: endpoint.key, targetGroup: ref, ips: toRegister, port, outsideVpc });
  }
  if (toDeregister.length && group) {
    actions.push({ type: 'deregister-targets', resource: endpoint.key, targetGroupArn: group.arn, targets: toDeregister });
  }
  return actions;
}
