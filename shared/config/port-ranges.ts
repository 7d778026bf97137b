import { brokerLoadBalancerArn, loadBalancerShortId, resolveListeners } from '../listeners';
import type { Config } from './schema';

/**
 * Highest broker id a cluster can reach under MSK's default quota, "Brokers per cluster: 30 for
 * ZooKeeper-based clusters, 60 for KRaft-based clusters" (adjustable through Service Quotas):
 * https://docs.aws.amazon.com/msk/latest/developerguide/limits.html. Broker ids start at 1 and a
 * scale-out adds the next ones, so broker N listens on brokerPortBase + N.
 */
export const MAX_BROKERS_PER_CLUSTER = 60;

/**
 * Pure: a bootstrap port inside a broker port range of the same load balancer works until the
 * cluster grows to that broker (then the plan refuses the collision and the new broker gets no
 * name). A warning, not an error: the cluster may never grow that far, and the planner still
 * refuses an actual collision before any write.
 */
export function portRangeWarnings(config: Config): string[] {
  const warnings: string[] = [];
  for (const cluster of config.clusters) {
    const listeners = resolveListeners(cluster);
    for (const l of listeners) {
      for (const brokers of listeners) {
        if (brokers.endpoints !== 'bootstrap-and-brokers') continue;
        const id = l.bootstrapPort - brokers.brokerPortBase;
        // Only a broker whose listener lands on the bootstrap's NLB can collide with it.
        if (id < 1 || id > MAX_BROKERS_PER_CLUSTER || brokerLoadBalancerArn(brokers, id) !== l.loadBalancerArn) continue;
        const whose = brokers === l ? '' : ` of listener ${brokers.id}`;
        warnings.push(
          `${cluster.clusterArn}: bootstrapPort ${l.bootstrapPort}${listeners.length > 1 ? ` (listener ${l.id})` : ''} is the port broker ${id}${whose} would get ` +
            `(brokerPortBase ${brokers.brokerPortBase} + ${id}) on ${loadBalancerShortId(l.loadBalancerArn)}: once the cluster has ${id} brokers, the plan stops on the collision. ` +
            `Move bootstrapPort to ${brokers.brokerPortBase} or outside ${brokers.brokerPortBase + 1}-${brokers.brokerPortBase + MAX_BROKERS_PER_CLUSTER}`,
        );
      }
    }
  }
  return warnings;
}
