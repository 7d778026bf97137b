import type { DesiredEndpoint, DesiredState } from '../desired';
import { loadBalancerShortId } from '../listeners';
import { fqdn, MANAGED_BY, ownedRole, registryName, registryValue, roleKey, TAG_CLUSTER, TAG_MANAGED_BY } from '../naming';
import { loadBalancerOf, ownsAs, recordTargetOf, type ObservedState } from '../state';
import type { ObservedTargetGroup, RecordSet, RecordTarget } from '../types';
import { registryOwner } from './records';

// Taking over what someone built by hand (or AWS's sample template built): a listener, its target
// group and a DNS name become the tool's only where they already do what the config wants, so
// taking them over changes nothing a client uses. Pure: observed state + config in, steps out.

/** CloudFormation's own tags on every resource of a stack (it adds them; nobody else can). */
export const TAG_STACK_NAME = 'aws:cloudformation:stack-name';
export const TAG_LOGICAL_ID = 'aws:cloudformation:logical-id';

/** One write of an adoption: a tag or a registry TXT, never a change a client sees. */
export type AdoptStep =
  | { type: 'adopt-listener'; resource: string; listenerArn: string; port: number; tags: Record<string, string> }
  | { type: 'adopt-target-group'; resource: string; arn: string; name: string; tags: Record<string, string> }
  /** CREATE of the registry TXT beside an existing name (Route 53 refuses it if someone wrote one meanwhile). */
  | { type: 'adopt-record'; resource: string; hostedZoneId: string; hostedZoneRole?: { roleArn: string; externalId?: string }; name: string; registry: RecordSet };

/** Something on a wanted port or name that stays as it is, and why. */
export interface NotAdopted {
  resource: string;
  reason: string;
  /** Held by a CloudFormation stack: adopted only with takeFromStack. */
  stack?: { name: string; logicalId?: string };
}

export interface AdoptionPlan {
  clusterArn: string;
  steps: AdoptStep[];
  notAdopted: NotAdopted[];
  /** Already the tool's (`resource`: what). */
  owned: string[];
}

export interface AdoptOptions {
  /** The CLI's --take-from-stack: adopt resources a CloudFormation stack created (the person has retained them there). */
  takeFromStack?: boolean;
}

export function planAdoption(desired: DesiredState, observed: ObservedState, options: AdoptOptions = {}): AdoptionPlan {
  const plan: AdoptionPlan = { clusterArn: observed.cluster.arn, steps: [], notAdopted: [], owned: [] };
  for (const endpoint of desired.endpoints) {
    adoptListener(endpoint, observed, options, plan);
    adoptRecord(endpoint, observed, plan);
  }
  return plan;
}

function adoptListener(endpoint: DesiredEndpoint, observed: ObservedState, options: AdoptOptions, plan: AdoptionPlan): void {
  const clusterArn = observed.cluster.arn;
  const site = loadBalancerOf(observed, endpoint.loadBalancerArn);
  const listener = site.listeners.find((l) => l.port === endpoint.port);
  if (!listener) return; // nothing there: the ordinary apply creates it
  const what = `listener :${endpoint.port} of ${loadBalancerShortId(site.loadBalancer.arn)} (${endpoint.key})`;
  const refuse = (reason: string, stack?: NotAdopted['stack']) => plan.notAdopted.push({ resource: what, reason, ...(stack ? { stack } : {}) });

  if (ownsAs(listener.tags, clusterArn, endpoint.listener, endpoint.role)) {
    plan.owned.push(what);
    return;
  }
  const foreign = toolOwner(listener.tags, clusterArn);
  if (foreign) return void refuse(`already tagged as ${foreign}`);
  if (listener.protocol !== 'TLS') return void refuse(`it is a ${listener.protocol} listener; brokers are mapped to TLS listeners`);
  if (!listener.targetGroupArn) return void refuse('it does not forward to exactly one target group');
  const group = observed.targetGroups.find((g) => g.arn === listener.targetGroupArn);
  if (!group) return void refuse(`its target group ${listener.targetGroupArn} was not found`);

  const groupOwned = ownsAs(group.tags, clusterArn, endpoint.listener, endpoint.role);
  const groupForeign = !groupOwned && toolOwner(group.tags, clusterArn);
  if (groupForeign) return void refuse(`its target group ${group.name} is already tagged as ${groupForeign}`);
  const mismatch = groupMismatch(group, endpoint);
  if (mismatch) return void refuse(`its target group ${group.name} ${mismatch}`);

  // A stack would put its resources back at its next update, or delete them with the stack.
  const stacked = [listener, ...(groupOwned ? [] : [group])].find((r) => r.tags[TAG_STACK_NAME]);
  if (stacked && !options.takeFromStack) {
    const stack = { name: stacked.tags[TAG_STACK_NAME], logicalId: stacked.tags[TAG_LOGICAL_ID] };
    const names = [listener, group].filter((r) => r.tags[TAG_STACK_NAME]).map((r) => r.tags[TAG_LOGICAL_ID] ?? 'unknown logical id');
    return void refuse(
      `created by CloudFormation stack ${stack.name} (${names.join(', ')}): set DeletionPolicy: Retain and UpdateReplacePolicy: Retain on them, update the stack, remove them from the template, update again, then adopt with --take-from-stack`,
      stack,
    );
  }

  plan.steps.push({ type: 'adopt-listener', resource: endpoint.key, listenerArn: listener.arn, port: listener.port, tags: endpoint.tags });
  if (!groupOwned) plan.steps.push({ type: 'adopt-target-group', resource: endpoint.key, arn: group.arn, name: group.name, tags: endpoint.tags });
}

/** Why a group does not already forward exactly where the endpoint wants, or undefined. */
function groupMismatch(group: ObservedTargetGroup, endpoint: DesiredEndpoint): string | undefined {
  if (group.protocol !== 'TLS' || group.port !== endpoint.targetPort) return `forwards ${group.protocol}:${group.port}, ${endpoint.listener.authentication} needs TLS:${endpoint.targetPort}`;
  const targets = group.targets.filter((t) => t.state !== 'draining');
  const otherPort = targets.filter((t) => t.port !== endpoint.targetPort);
  if (otherPort.length) return `has targets on a different port (${otherPort.map((t) => `${t.ip}:${t.port}`).join(', ')}), ${endpoint.targetPort} wanted`;
  const have = new Set(targets.map((t) => t.ip));
  const want = new Set(endpoint.targetIps);
  const extra = [...have].filter((ip) => !want.has(ip)).sort();
  const missing = [...want].filter((ip) => !have.has(ip)).sort();
  if (!extra.length && !missing.length) return undefined;
  const whose = endpoint.role === 'bootstrap' ? "all brokers' IPs" : `broker ${endpoint.role.brokerId}'s IP`;
  return [
    extra.length ? `holds ${extra.join(', ')} (not ${whose})` : '',
    missing.length ? `lacks ${missing.join(', ')}` : '',
  ].filter(Boolean).join(' and ') + `; it must hold exactly ${whose}: ${[...want].sort().join(', ') || 'none'}`;
}

/** Who the tool's tags name, when they are not this cluster's (another cluster, another role or listener). */
function toolOwner(tags: Record<string, string>, clusterArn: string): string | undefined {
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY) return undefined;
  if (tags[TAG_CLUSTER] !== clusterArn) return `a resource of cluster ${tags[TAG_CLUSTER]}`;
  const role = ownedRole(tags, clusterArn);
  return `this cluster's ${role ? roleKey(role) : 'unknown role'}${tags['msk-custom-domain:listener'] ? ` of listener ${tags['msk-custom-domain:listener']}` : ''}`;
}

function adoptRecord(endpoint: DesiredEndpoint, observed: ObservedState, plan: AdoptionPlan): void {
  const clusterArn = observed.cluster.arn;
  const { hostedZoneId, hostedZoneRole } = endpoint.listener;
  const records = observed.zones.find((z) => z.hostedZoneId === hostedZoneId)?.records ?? [];
  const name = fqdn(endpoint.host);
  const registry = registryName(endpoint.host);
  const what = `record ${name}`;
  const existing = records.filter((r) => r.name === name);
  const txt = records.find((r) => r.name === registry && r.type === 'TXT');
  if (txt) {
    const owner = registryOwner(txt);
    if (owner === clusterArn) plan.owned.push(what);
    else plan.notAdopted.push({ resource: what, reason: owner ? `its registry record says it is owned by ${owner}` : `${registry} holds a TXT record not written by this tool` });
    return;
  }
  if (!existing.length) return; // nothing there: the ordinary apply creates it
  const target = recordTargetOf(observed, endpoint.listener, endpoint.loadBalancerArn);
  const astray = existing.filter((r) => !pointsAt(r, target));
  if (astray.length) {
    plan.notAdopted.push({ resource: what, reason: `it points elsewhere (${astray.map(describeRecord).join('; ')}), not at ${fqdn(target.dnsName)}` });
    return;
  }
  plan.steps.push({
    type: 'adopt-record',
    resource: endpoint.key,
    hostedZoneId,
    ...(hostedZoneRole ? { hostedZoneRole } : {}),
    name,
    registry: { name: registry, type: 'TXT', ttl: endpoint.listener.recordTtl, values: [registryValue(clusterArn, endpoint.role)] },
  });
}

/** A CNAME to the target's name, or an alias to it (Route 53 may add `dualstack.`). */
function pointsAt(record: RecordSet, target: RecordTarget): boolean {
  const norm = (n: string) => fqdn(n).replace(/^dualstack\./, '');
  if (record.alias) return norm(record.alias.dnsName) === norm(target.dnsName) && (!target.hostedZoneId || record.alias.hostedZoneId === target.hostedZoneId);
  return record.type === 'CNAME' && (record.values ?? []).length === 1 && norm(record.values![0]) === norm(target.dnsName);
}

function describeRecord(record: RecordSet): string {
  return record.alias ? `${record.type} alias to ${record.alias.dnsName}` : `${record.type} ${(record.values ?? []).join(' ')}`;
}

/** One line per step, for the dry run and the applied transcript. */
export function describeAdoptStep(step: AdoptStep): string {
  switch (step.type) {
    case 'adopt-listener':
      return `tag listener :${step.port} (${step.resource}) ${step.listenerArn}`;
    case 'adopt-target-group':
      return `tag target group ${step.name} (${step.resource})`;
    case 'adopt-record':
      return `write ${step.registry.name} TXT ${step.registry.values![0]} beside ${step.name} (${step.resource})`;
  }
}
