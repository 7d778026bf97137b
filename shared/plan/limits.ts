import type { ClusterConfig } from '../config/schema';
import type { DesiredState } from '../desired';
import { PlanError } from '../errors';
import { ownedRole } from '../naming';
import type { ObservedState } from '../state';

/** Listeners per Network Load Balancer (default AWS quota; raise `maxListeners` if yours is higher). */
export const NLB_LISTENER_QUOTA = 50;

/**
 * Limits that would make a plan fail halfway through an apply: checked before any write,
 * so a bad config or an oversized cluster leaves AWS untouched.
 */
export function checkLimits(config: ClusterConfig, desired: DesiredState, observed: ObservedState): void {
  const problems: string[] = [];
  const byPort = new Map<number, string[]>();
  for (const endpoint of desired.endpoints) {
    if (endpoint.port > 65535) {
      problems.push(`${endpoint.key} would need port ${endpoint.port} (brokerPortBase ${config.brokerPortBase} + id), above 65535: lower brokerPortBase`);
    }
    byPort.set(endpoint.port, [...(byPort.get(endpoint.port) ?? []), endpoint.key]);
  }
  for (const [port, keys] of byPort) {
    if (keys.length > 1) {
      problems.push(`${keys.join(' and ')} would share port ${port}: clients would reach the wrong broker ("unexpected broker id"); change bootstrapPort or brokerPortBase`);
    }
  }

  const foreignListeners = observed.listeners.filter((l) => !ownedRole(l.tags, observed.cluster.arn)).length;
  const needed = desired.endpoints.length + foreignListeners;
  if (needed > NLB_LISTENER_QUOTA) {
    problems.push(
      `the load balancer would need ${needed} listeners (${desired.endpoints.length - 1} brokers + bootstrap` +
        `${foreignListeners ? ` + ${foreignListeners} not managed by this tool` : ''}), above the NLB quota of ${NLB_LISTENER_QUOTA} listeners per load balancer`,
    );
  }
  if (problems.length) {
    throw new PlanError(`cannot map cluster ${observed.cluster.name}; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
