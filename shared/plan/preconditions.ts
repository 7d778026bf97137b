// Pure: what the data path needs that the tool does not own and cannot fix, read from AWS and
// judged per endpoint. Each unmet precondition means the NLB can never carry that endpoint's
// clients, so its name is not published (nor advertised) until someone fixes it: a conflict that
// names the subnet and zone, the setting, or the group and port. `check` shows the same verdicts.
import type { DesiredEndpoint, DesiredState } from '../desired';
import { loadBalancerShortId } from '../listeners';
import { fqdn } from '../naming';
import { cidrsOverlap, inAnyCidr } from '../net/cidr';
import { loadBalancerOf, type ObservedLoadBalancer, type ObservedState } from '../state';
import type { IngressPermission, ObservedSubnet } from '../types';
import { compactPorts } from './security-groups';
import type { Conflict } from './types';

export type PreconditionName = 'zone' | 'public-access' | 'broker-ingress';

export interface Precondition {
  name: PreconditionName;
  ok: boolean;
  detail: string;
}

/** Public access turned on (ConnectivityInfo.PublicAccess.Type); the other value is DISABLED. */
const PUBLIC_ACCESS_ON = 'SERVICE_PROVIDED_EIPS';

/**
 * The preconditions that apply to one endpoint. A fact that was not read, or cannot be judged (a
 * broker without a subnet, a rule from a prefix list), passes: only a certain failure blocks a name.
 */
export function endpointPreconditions(endpoint: DesiredEndpoint, observed: ObservedState): Precondition[] {
  const site = loadBalancerOf(observed, endpoint.loadBalancerArn);
  return [zoneCheck(endpoint, observed, site), publicAccessCheck(endpoint, observed), brokerIngressCheck(endpoint, observed, site)].filter((c): c is Precondition => c !== undefined);
}

export interface PreconditionsPlan {
  conflicts: Conflict[];
  /** Endpoints whose names must not go live: their records and advertised names are left as they are. */
  blocked: Set<string>;
}

/** Every failed precondition as a conflict (one per broker and NLB, or per listener), and the endpoints it blocks. */
export function planPreconditions(desired: DesiredState, observed: ObservedState): PreconditionsPlan {
  const blocked = new Set<string>();
  // One conflict per cause, naming every name it holds back.
  const causes = new Map<string, { cause: Cause; hosts: string[] }>();
  for (const endpoint of desired.endpoints) {
    for (const check of endpointPreconditions(endpoint, observed).filter((c) => !c.ok)) {
      blocked.add(endpoint.key);
      const cause = causeOf(endpoint, check, observed);
      const entry = causes.get(cause.resource) ?? { cause, hosts: [] };
      entry.hosts.push(fqdn(endpoint.host).replace(/\.$/, ''));
      causes.set(cause.resource, entry);
    }
  }
  const conflicts = [...causes.values()].map(({ cause, hosts }) => ({ resource: cause.resource, message: cause.message(hosts.join(', ')) }));
  return { conflicts, blocked };
}

interface Cause {
  resource: string;
  message: (hosts: string) => string;
}

function causeOf(endpoint: DesiredEndpoint, check: Precondition, observed: ObservedState): Cause {
  const { listener } = endpoint;
  const site = loadBalancerOf(observed, endpoint.loadBalancerArn);
  const lb = loadBalancerShortId(site.loadBalancer.arn);
  const held = (hosts: string) => `; not published (nor advertised): ${hosts}`;
  switch (check.name) {
    case 'zone': {
      const brokers = brokersBehind(endpoint, observed).map((b) => b.id).join(', ');
      return {
        resource: `availability zone of broker ${brokers} on ${lb}`,
        message: (hosts) => `${check.detail}${held(hosts)}. Enable that zone on the load balancer (a subnet there: elbv2 set-subnets), or move the broker`,
      };
    }
    case 'public-access':
      return {
        resource: `${listener.label}public access`,
        message: (hosts) =>
          `${listener.label || `${listener.authentication}: `}${check.detail}${held(hosts)}. Turn public access on (kafka update-connectivity, ${PUBLIC_ACCESS_ON}), or map ${listener.authentication.replace(/-public$/, '')} instead`,
      };
    case 'broker-ingress': {
      const source = site.loadBalancer.securityGroupIds[0] ?? site.vpc.cidrs[0] ?? 'the load balancer';
      return {
        resource: `broker security groups :${listener.targetPort} on ${lb}`,
        message: (hosts) => `${listener.label}${check.detail}${held(hosts)}. Add an ingress rule to a broker security group admitting TCP ${listener.targetPort} from ${source}`,
      };
    }
  }
}

/** The brokers behind an endpoint: its target IPs as ListNodes reports them. */
function brokersBehind(endpoint: DesiredEndpoint, observed: ObservedState) {
  return observed.cluster.brokers.filter((b) => b.clientIp && endpoint.targetIps.includes(b.clientIp));
}

/**
 * A target in an AZ the NLB is not enabled in stays `unused` (Target.NotInUse) and gets no traffic,
 * cross-zone or not. Brokers outside the NLB's VPC are registered with AZ `all` (every enabled AZ).
 * The bootstrap needs one broker in a served zone.
 */
function zoneCheck(endpoint: DesiredEndpoint, observed: ObservedState, site: ObservedLoadBalancer): Precondition | undefined {
  if (!observed.subnets || !endpoint.targetIps.length) return undefined;
  const zones = site.loadBalancer.zones;
  const brokers = brokersBehind(endpoint, observed).map((b) => {
    const subnet = observed.subnets!.find((s) => s.id === b.clientSubnet);
    const served = !inAnyCidr(b.clientIp!, site.vpc.cidrs) || !subnet || zones.includes(subnet.zone);
    return { id: b.id, subnet, served };
  });
  const unserved = brokers.filter((b) => !b.served);
  const lb = loadBalancerShortId(site.loadBalancer.arn);
  const where = (b: (typeof unserved)[number]) => `broker ${b.id} is in ${b.subnet!.id} (${b.subnet!.zone})`;
  const notEnabled = `an Availability Zone load balancer ${lb} is not enabled in (it has ${zones.join(', ')}): its target stays unused (Target.NotInUse) and gets no traffic, cross-zone or not`;
  if (endpoint.role === 'bootstrap') {
    if (brokers.length && unserved.length === brokers.length) return { name: 'zone', ok: false, detail: `no broker in a zone of ${lb}: ${unserved.map(where).join(', ')}; ${notEnabled}` };
    return { name: 'zone', ok: true, detail: unserved.length ? `served by brokers in ${zones.join(', ')}; not by ${unserved.map((b) => `broker ${b.id} (${b.subnet!.zone})`).join(', ')}` : `every broker in a zone of ${lb}` };
  }
  if (unserved.length) return { name: 'zone', ok: false, detail: `${unserved.map(where).join(', ')}, ${notEnabled}` };
  const broker = brokers[0];
  return { name: 'zone', ok: true, detail: broker?.subnet && inAnyCidr(endpoint.targetIps[0], site.vpc.cidrs) ? `${broker.subnet.zone}, served by ${lb}` : 'reached from every zone' };
}

/** A `-public` listener's target port (91xx) answers only while the cluster's public access is on. */
function publicAccessCheck(endpoint: DesiredEndpoint, observed: ObservedState): Precondition | undefined {
  const { listener } = endpoint;
  const setting = observed.cluster.publicAccess;
  if (!listener.authentication.endsWith('-public') || setting === undefined) return undefined;
  if (setting === PUBLIC_ACCESS_ON) return { name: 'public-access', ok: true, detail: `public access on (${setting})` };
  return {
    name: 'public-access',
    ok: false,
    detail: `the cluster's public access is off (ConnectivityInfo.PublicAccess.Type ${setting}), so brokers do not serve ${listener.clientListenerName} on ${listener.targetPort}: every target stays unhealthy`,
  };
}

/**
 * The brokers' security groups must admit the NLB on the target port: health checks and client
 * traffic come from its nodes' private addresses (client IP preservation is off for IP targets),
 * which carry its security groups. Admitted: a rule naming one of those groups, or a CIDR over each
 * of its subnets (a prefix list cannot be judged, so it counts as admitting).
 */
function brokerIngressCheck(endpoint: DesiredEndpoint, observed: ObservedState, site: ObservedLoadBalancer): Precondition | undefined {
  const groups = observed.brokerSecurityGroups;
  if (!groups?.length || !endpoint.targetIps.length) return undefined;
  const port = endpoint.listener.targetPort;
  const { securityGroupIds, subnetIds = [] } = site.loadBalancer;
  const names = groups.map((g) => g.id).join(', ');
  const sources = groups.flatMap((g) => g.ingress).filter((p) => admitsTcp(p, port)).flatMap((p) => p.sources);
  const nodeSubnets = (observed.subnets ?? []).filter((s) => subnetIds.includes(s.id));
  if (sources.some((s) => securityGroupIds.includes(s) || s.startsWith('pl-'))) return { name: 'broker-ingress', ok: true, detail: `${names} admit TCP ${port} from the load balancer` };
  const cidrs = sources.filter((s) => /^\d+\.\d+\.\d+\.\d+\/\d+$/.test(s));
  const shut = nodeSubnets.filter((subnet) => !cidrs.some((c) => cidrsOverlap(c, subnet.cidr)));
  // Without the load balancer's subnets only "no IPv4 source at all" is certain.
  const certain = nodeSubnets.length ? shut.length > 0 : cidrs.length === 0;
  if (!certain) return { name: 'broker-ingress', ok: true, detail: `${names} admit TCP ${port} from the load balancer's addresses` };
  const from = [
    ...(securityGroupIds.length ? [`its security group(s) ${securityGroupIds.join(', ')}`] : []),
    ...(shut.length ? [`its subnet(s) ${shut.map(subnetText).join(', ')}`] : []),
  ];
  return {
    name: 'broker-ingress',
    ok: false,
    detail: `the brokers' security group(s) ${names} admit no TCP ${compactPorts([port])} from load balancer ${loadBalancerShortId(site.loadBalancer.arn)} (${from.join(', nor ') || 'its addresses'}): health checks and client connections time out`,
  };
}

function admitsTcp(p: IngressPermission, port: number): boolean {
  if (p.protocol === '-1') return true;
  return (p.protocol === 'tcp' || p.protocol === '6') && (p.fromPort ?? 0) <= port && port <= (p.toPort ?? 65535);
}

const subnetText = (s: ObservedSubnet) => `${s.id} ${s.cidr} (${s.zone})`;
