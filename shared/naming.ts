import { createHash } from 'node:crypto';
import type { MappedListener } from './listeners';

// Every name, port and tag the tool derives from the config lives here, so the planner,
// the observer (which must recognise its own resources) and the docs agree.

export const MANAGED_BY = 'msk-custom-domain-sync';
export const TAG_MANAGED_BY = 'managed-by';
export const TAG_CLUSTER = 'msk-custom-domain:cluster';
export const TAG_ROLE = 'msk-custom-domain:role';
/** Which of the cluster's client listeners (MappedListener.id) a resource serves. */
export const TAG_LISTENER = 'msk-custom-domain:listener';

/**
 * The NLB a listener or target group serves, on the NLBs of brokerLoadBalancers (not the listener's
 * own): a broker's group on its old NLB and on its new one are told apart by it while it moves.
 */
export const TAG_LOAD_BALANCER = 'msk-custom-domain:load-balancer';
/**
 * The hosted zone and domain of the endpoint's name: when the config moves the names to another
 * zone, the old zone's records are found through them (a zone cannot be found from a record).
 */
export const TAG_ZONE = 'msk-custom-domain:zone';
export const TAG_DOMAIN = 'msk-custom-domain:domain';
/**
 * On a listener left behind by a move (plan/moves.ts): when a run first found its name leading to
 * the new NLB (ISO time). The listener stays until resolvers' cached answers have expired since.
 */
export const TAG_RETIRED_AT = 'msk-custom-domain:retired-at';

/** What a managed resource serves: the bootstrap or one broker. */
export type Role = 'bootstrap' | { brokerId: number };

export function roleKey(role: Role): string {
  return role === 'bootstrap' ? 'bootstrap' : `broker-${role.brokerId}`;
}

export function parseRoleKey(key: string | undefined): Role | undefined {
  if (key === 'bootstrap') return 'bootstrap';
  const match = /^broker-(\d+)$/.exec(key ?? '');
  return match ? { brokerId: Number(match[1]) } : undefined;
}

type Ports = Pick<MappedListener, 'bootstrapPort' | 'brokerPortBase'>;
type Hosts = Pick<MappedListener, 'bootstrapHost' | 'brokerHostTemplate' | 'domain'>;

/** Numeric addition: broker 10 on base 9000 is 9010 (the sample script's string concatenation gave 90010). */
export function brokerPort(listener: Pick<Ports, 'brokerPortBase'>, brokerId: number): number {
  return listener.brokerPortBase + brokerId;
}

export function listenerPort(listener: Ports, role: Role): number {
  return role === 'bootstrap' ? listener.bootstrapPort : brokerPort(listener, role.brokerId);
}

/** Fully qualified, lower case, no trailing dot: b-3.kafka.example.com */
export function hostName(listener: Hosts, role: Role): string {
  const label = role === 'bootstrap' ? listener.bootstrapHost : listener.brokerHostTemplate.replace('{id}', String(role.brokerId));
  return `${label}.${listener.domain}`;
}

/** Route 53 spelling of a name: lower case with a trailing dot. */
export function fqdn(name: string): string {
  const lower = name.toLowerCase();
  return lower.endsWith('.') ? lower : `${lower}.`;
}

/** The registry TXT record beside a managed name (a prefix, so it can sit beside a CNAME). */
export function registryName(host: string): string {
  return fqdn(`_msk-custom-domain.${host}`);
}

/** Content of a registry TXT record: who owns the name next to it. Quoted, as Route 53 stores TXT. */
export function registryValue(clusterArn: string, role: Role): string {
  return `"heritage=${MANAGED_BY},owner=${clusterArn},resource=${roleKey(role)}"`;
}

/** Content of the registry TXT beside a DNS validation CNAME of one of the tool's public certificates. */
export function validationRegistryValue(clusterArn: string): string {
  return `"heritage=${MANAGED_BY},owner=${clusterArn},resource=acm-validation"`;
}

export function parseRegistryValue(value: string): { owner?: string; resource?: string; heritage?: string } {
  const fields = Object.fromEntries(
    value
      .replace(/^"|"$/g, '')
      .split(',')
      .map((pair) => pair.split('=', 2) as [string, string]),
  );
  return { heritage: fields.heritage, owner: fields.owner, resource: fields.resource };
}

export function shortHash(text: string, length = 6): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length);
}

/**
 * Target group names are unique per account and region, at most 32 characters of
 * alphanumerics and hyphens: a readable cluster prefix, a hash of the cluster ARN, a hash of the
 * listener (authentication and load balancer), the role.
 */
export function targetGroupName(clusterArn: string, clusterName: string, role: Role, listenerId: string, furtherLoadBalancer?: string): string {
  const suffix = role === 'bootstrap' ? 'boot' : `b${role.brokerId}`;
  return `${targetGroupPrefix(clusterArn, clusterName)}${targetGroupListenerToken(listenerId, furtherLoadBalancer)}-${suffix}`;
}

/**
 * The part of a group's name that says which listener (and NLB) it serves. A group serves one NLB:
 * a broker on a further NLB gets its own (the listener's own NLB keeps the names it always had).
 */
export function targetGroupListenerToken(listenerId: string, furtherLoadBalancer?: string): string {
  return shortHash(furtherLoadBalancer ? `${listenerId} ${furtherLoadBalancer}` : listenerId, 3);
}

/** Shared start of all of a cluster's target group names: how the observer finds orphans. */
export function targetGroupPrefix(clusterArn: string, clusterName: string): string {
  const readable = clusterName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 12).replace(/-+$/, '');
  return `mcd-${readable ? `${readable}-` : ''}${shortHash(clusterArn)}-`;
}

/**
 * The FIFO message group of a cluster's triggers (rules, schedule, follow-ups): one group per
 * cluster serialises its reconciles. Not the ARN itself: EventBridge and SQS allow at most 100
 * characters and an ARN with a long cluster name is longer. Cluster names have at most 64.
 */
export function queueGroupId(clusterArn: string): string {
  const name = clusterArn.split(':cluster/')[1]?.split('/')[0] ?? 'cluster';
  return `${name}-${shortHash(clusterArn, 12)}`;
}

/** Where an endpoint lives beyond its listener: a further NLB (short id), and the zone and domain of its name. */
export interface EndpointPlace {
  furtherLoadBalancer?: string;
  hostedZoneId?: string;
  domain?: string;
}

export function ownershipTags(clusterArn: string, role: Role, listenerId: string, place: EndpointPlace = {}): Record<string, string> {
  return {
    [TAG_MANAGED_BY]: MANAGED_BY,
    [TAG_CLUSTER]: clusterArn,
    [TAG_LISTENER]: listenerId,
    [TAG_ROLE]: roleKey(role),
    ...(place.furtherLoadBalancer ? { [TAG_LOAD_BALANCER]: place.furtherLoadBalancer } : {}),
    ...(place.hostedZoneId ? { [TAG_ZONE]: place.hostedZoneId } : {}),
    ...(place.domain ? { [TAG_DOMAIN]: place.domain } : {}),
  };
}

/** The role of a resource, if its tags say this tool manages it for this cluster (any of its listeners). */
export function ownedRole(tags: Record<string, string>, clusterArn: string): Role | undefined {
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY || tags[TAG_CLUSTER] !== clusterArn) return undefined;
  return parseRoleKey(tags[TAG_ROLE]);
}

/**
 * Whether a resource of this cluster serves `listener`. Resources tagged before listeners had
 * identities carry no listener tag: they belong to the primary listener, which every earlier config mapped.
 */
export function servesListener(tags: Record<string, string>, listener: Pick<MappedListener, 'id' | 'primary'>): boolean {
  const id = tags[TAG_LISTENER] ?? (listener.primary ? listener.id : undefined);
  return id === listener.id;
}

/** The role tag of a managed certificate: which block of names (plan/certificate-blocks.ts) it covers. */
export function certificateRoleKey(block: number): string {
  return `certificate-${block}`;
}

/** Tags of a certificate the tool requests for one block of one listener's names (managed mode). */
export function certificateTags(clusterArn: string, listenerId: string, block: number): Record<string, string> {
  return { [TAG_MANAGED_BY]: MANAGED_BY, [TAG_CLUSTER]: clusterArn, [TAG_LISTENER]: listenerId, [TAG_ROLE]: certificateRoleKey(block) };
}

/** The block a certificate's tags say it covers, if they mark it as this tool's for this cluster. */
export function ownedCertificateBlock(tags: Record<string, string>, clusterArn: string): { listenerId?: string; block: number } | undefined {
  if (tags[TAG_MANAGED_BY] !== MANAGED_BY || tags[TAG_CLUSTER] !== clusterArn) return undefined;
  const match = /^certificate-(\d+)$/.exec(tags[TAG_ROLE] ?? '');
  return match ? { listenerId: tags[TAG_LISTENER], block: Number(match[1]) } : undefined;
}
