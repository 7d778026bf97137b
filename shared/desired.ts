import type { ResolvedCluster } from './listeners';
import { brokerLoadBalancerArn, loadBalancerShortId, type MappedListener } from './listeners';
import { hostName, listenerPort, ownedRole, servesListener, ownershipTags, roleKey, targetGroupName, type Role } from './naming';
import type { ObservedState } from './state';

/** One NLB entry point the cluster should have: listener + target group + DNS name, for one client listener. */
export interface DesiredEndpoint {
  role: Role;
  /** `broker-3`, prefixed with the listener's label when the cluster maps several. Unique in a plan. */
  key: string;
  /** The client listener (and with it the load balancer, zone and certificate) this endpoint serves. */
  listener: MappedListener;
  /** The NLB carrying it: the listener's own for the bootstrap, the one brokerLoadBalancers gives a broker. */
  loadBalancerArn: string;
  port: number;
  host: string;
  targetGroupName: string;
  /** Client IPs the target group must hold (empty for a broker that has no IP yet, or was scaled in under `keep`). */
  targetIps: string[];
  /** Broker port the target group forwards to (9098 IAM, 9096 SCRAM, 9094 TLS, 91xx public). */
  targetPort: number;
  tags: Record<string, string>;
}

export interface DesiredState {
  listeners: MappedListener[];
  endpoints: DesiredEndpoint[];
}

/** The key of an endpoint in plans and tables: `broker-3`, or `iam@my-nlb/… broker-3` when a cluster maps several listeners. */
export function endpointKey(listener: Pick<MappedListener, 'label'>, role: Role): string {
  return `${listener.label}${roleKey(role)}`;
}

/**
 * Pure: what the load balancers and DNS should look like for the brokers MSK reports, per
 * mapped client listener. Brokers the tool served before but MSK no longer lists are kept
 * (without targets) only under `scaleIn: keep`, so a later scale-out finds its listener and name ready.
 */
export function desiredState(config: ResolvedCluster, observed: ObservedState): DesiredState {
  const { cluster } = observed;
  const listeners = config.mapped;
  const brokerIps = new Map(cluster.brokers.map((b) => [b.id, b.clientIp]));
  const allIps = cluster.brokers.flatMap((b) => (b.clientIp ? [b.clientIp] : [])).sort();

  const endpoints = listeners.flatMap((listener) => {
    const endpoint = (role: Role, targetIps: string[]): DesiredEndpoint => {
      const loadBalancerArn = role === 'bootstrap' ? listener.loadBalancerArn : brokerLoadBalancerArn(listener, role.brokerId);
      const further = loadBalancerArn === listener.loadBalancerArn ? undefined : loadBalancerShortId(loadBalancerArn);
      return {
        role,
        key: endpointKey(listener, role),
        listener,
        loadBalancerArn,
        port: listenerPort(listener, role),
        host: hostName(listener, role),
        targetGroupName: targetGroupName(cluster.arn, cluster.name, role, listener.id, further),
        targetIps,
        targetPort: listener.targetPort,
        tags: ownershipTags(cluster.arn, role, listener.id, { furtherLoadBalancer: further, hostedZoneId: listener.hostedZoneId, domain: listener.domain }),
      };
    };
    if (listener.endpoints === 'bootstrap-only') return [endpoint('bootstrap', allIps)];

    // Brokers a scale-out in progress announces get their listener and name before they exist.
    const brokerIds = new Set([...cluster.brokers.map((b) => b.id), ...(cluster.announcedBrokerIds ?? [])]);
    if (config.scaleIn === 'keep') {
      // On any NLB: a broker kept under `keep` stays where it was until the config says otherwise.
      for (const owned of observed.loadBalancers.flatMap((site) => site.listeners)) {
        const role = ownedRole(owned.tags, cluster.arn);
        if (role && role !== 'bootstrap' && servesListener(owned.tags, listener)) brokerIds.add(role.brokerId);
      }
    }
    const brokers = [...brokerIds]
      .sort((a, b) => a - b)
      .map((id) => {
        const ip = brokerIps.get(id);
        return endpoint({ brokerId: id }, ip ? [ip] : []);
      });
    return [endpoint('bootstrap', allIps), ...brokers];
  });
  return { listeners, endpoints };
}
