import type { DesiredState } from '../desired';
import type { ResolvedCluster } from '../listeners';
import type { CertificateRef } from './types';
import { PlanError } from '../errors';
import { distinct, loadBalancerShortId } from '../listeners';
import { ownedRole } from '../naming';
import type { ObservedState } from '../state';

/**
 * Listeners per Network Load Balancer: "Listeners per Network Load Balancer 50, Adjustable: No"
 * (https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html).
 * With the bootstrap, one NLB carries 49 brokers of one client listener; brokerLoadBalancers spreads the rest.
 */
export const NLB_LISTENER_QUOTA = 50;

/**
 * Limits that would make a plan fail halfway through an apply: checked before any write, across
 * every listener of each load balancer, so a bad config or an oversized cluster leaves AWS untouched.
 */
export function checkLimits(desired: DesiredState, observed: ObservedState): void {
  const problems: string[] = [];
  for (const site of observed.loadBalancers) {
    const endpoints = desired.endpoints.filter((e) => e.loadBalancerArn === site.loadBalancer.arn);
    const lb = loadBalancerShortId(site.loadBalancer.arn);
    const byPort = new Map<number, string[]>();
    for (const endpoint of endpoints) {
      if (endpoint.port > 65535) {
        problems.push(`${endpoint.key} would need port ${endpoint.port} (brokerPortBase ${endpoint.listener.brokerPortBase} + id), above 65535: lower brokerPortBase`);
      }
      byPort.set(endpoint.port, [...(byPort.get(endpoint.port) ?? []), endpoint.key]);
    }
    for (const [port, keys] of byPort) {
      if (keys.length > 1) {
        problems.push(`${keys.join(' and ')} would share port ${port} of ${lb}: clients would reach the wrong broker ("unexpected broker id"); change bootstrapPort or brokerPortBase`);
      }
    }
    const foreignListeners = site.listeners.filter((l) => !ownedRole(l.tags, observed.cluster.arn)).length;
    const needed = endpoints.length + foreignListeners;
    if (needed > NLB_LISTENER_QUOTA) {
      const mapped = distinct(endpoints.map((e) => e.listener.id)).length;
      const bootstraps = endpoints.filter((e) => e.role === 'bootstrap').length;
      const brokers = endpoints.length - bootstraps;
      problems.push(
        `load balancer ${lb} would need ${needed} listeners (${brokers} broker${brokers === 1 ? '' : 's'}${bootstraps ? ` + ${bootstraps} bootstrap` : ''} of ${mapped} client listener${mapped > 1 ? 's' : ''} of this cluster` +
          `${foreignListeners ? `, + ${foreignListeners} not managed by this tool` : ''}), above the NLB quota of ${NLB_LISTENER_QUOTA} listeners per load balancer (not adjustable): ` +
          'put some brokers on another NLB with brokerLoadBalancers (a broker-id range per load balancer, docs/sizing.md)',
      );
    }
  }
  if (problems.length) {
    throw new PlanError(`cannot map cluster ${observed.cluster.name}; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Certificates per load balancer once the plan is applied, counted as the worse case: every
 * distinct certificate a listener presents, its default one included (the NLB quota page does not
 * say whether defaults count), and those of listeners the tool does not own. Refused before any
 * write, with the number and the ways out.
 */
export function checkCertificateQuota(config: ResolvedCluster, desired: DesiredState, observed: ObservedState, managed: Map<string, CertificateRef>): void {
  const quota = config.certificates.certificatesPerLoadBalancer;
  const problems: string[] = [];
  for (const site of observed.loadBalancers) {
    const endpoints = desired.endpoints.filter((e) => e.loadBalancerArn === site.loadBalancer.arn);
    const ours = endpoints.map((e) => managed.get(e.key)?.arn ?? managed.get(e.key)?.name ?? e.listener.certificateArn ?? '');
    const foreign = site.listeners.filter((l) => !ownedRole(l.tags, observed.cluster.arn)).flatMap((l) => l.certificateArns.slice(0, 1));
    const count = new Set([...ours, ...foreign].filter(Boolean)).size;
    if (count > quota) {
      const size = config.certificates.namesPerCertificate;
      problems.push(
        `load balancer ${loadBalancerShortId(site.loadBalancer.arn)} would present ${count} certificates (${new Set(ours).size} of this cluster's listeners, in blocks of ${size} names${foreign.length ? `, + ${new Set(foreign).size} of listeners not managed by this tool` : ''}), ` +
          `above certificates.certificatesPerLoadBalancer ${quota} (the NLB quota "Certificates per Network Load Balancer"): ` +
          `raise certificates.namesPerCertificate once ACM raised "Domain names per ACM certificate" (up to 100), or raise certificatesPerLoadBalancer once the NLB quota was raised, or map a listener on another load balancer`,
      );
    }
  }
  if (problems.length) {
    throw new PlanError(`cannot map cluster ${observed.cluster.name}; nothing was changed:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}
