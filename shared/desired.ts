import type { ClusterConfig } from './config/schema';
import {
  brokerTargetPort,
  hostName,
  listenerPort,
  ownedRole,
  ownershipTags,
  roleKey,
  targetGroupName,
  type Role,
} from './naming';
import type { ObservedState } from './state';

/** One NLB entry point the cluster should have: listener + target group + DNS name. */
export interface DesiredEndpoint {
  role: Role;
  key: string;
  port: number;
  host: string;
  targetGroupName: string;
  /** Client IPs the target group must hold (empty for a broker that has no IP yet, or was scaled in under `keep`). */
  targetIps: string[];
  tags: Record<string, string>;
}

export interface DesiredState {
  endpoints: DesiredEndpoint[];
  /** Port the brokers listen on for the configured authentication (9098 IAM, 9096 SCRAM, 9094 TLS). */
  targetPort: number;
}

/**
 * Pure: what the load balancer and DNS should look like for the brokers MSK reports.
 * Brokers the tool served before but MSK no longer lists are kept (without targets) only
 * under `scaleIn: keep`, so a later scale-out finds its listener and name ready.
 */
export function desiredState(config: ClusterConfig, observed: ObservedState): DesiredState {
  const { cluster } = observed;
  const brokerIps = new Map(cluster.brokers.map((b) => [b.id, b.clientIp]));
  // Brokers a scale-out in progress announces get their listener and name before they exist.
  const brokerIds = new Set([...cluster.brokers.map((b) => b.id), ...(cluster.announcedBrokerIds ?? [])]);

  if (config.scaleIn === 'keep') {
    for (const listener of observed.listeners) {
      const role = ownedRole(listener.tags, cluster.arn);
      if (role && role !== 'bootstrap') brokerIds.add(role.brokerId);
    }
  }

  const endpoint = (role: Role, targetIps: string[]): DesiredEndpoint => ({
    role,
    key: roleKey(role),
    port: listenerPort(config, role),
    host: hostName(config, role),
    targetGroupName: targetGroupName(cluster.arn, cluster.name, role),
    targetIps,
    tags: ownershipTags(cluster.arn, role),
  });

  const allIps = cluster.brokers.flatMap((b) => (b.clientIp ? [b.clientIp] : [])).sort();
  const brokers = [...brokerIds]
    .sort((a, b) => a - b)
    .map((id) => {
      const ip = brokerIps.get(id);
      return endpoint({ brokerId: id }, ip ? [ip] : []);
    });

  return { endpoints: [endpoint('bootstrap', allIps), ...brokers], targetPort: brokerTargetPort(config.authentication) };
}
