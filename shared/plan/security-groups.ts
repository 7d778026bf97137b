import type { DesiredEndpoint, DesiredState } from '../desired';
import type { ObservedLoadBalancer, ObservedState } from '../state';
import type { IngressPermission } from '../types';

/**
 * Pure: listener ports a load balancer's security groups admit no TCP traffic on. An NLB
 * created with security groups silently drops everything else, so a client of such a port
 * times out. Without security groups there is nothing to check.
 */
export function uncoveredPorts(endpoints: DesiredEndpoint[], site: ObservedLoadBalancer): number[] {
  if (!site.loadBalancer.securityGroupIds.length) return [];
  const permissions = site.securityGroups.flatMap((g) => g.ingress);
  return endpoints.map((e) => e.port).filter((port) => !permissions.some((p) => admitsPort(p, port))).sort((a, b) => a - b);
}

function admitsPort(p: IngressPermission, port: number): boolean {
  if (!p.sources.length) return false;
  if (p.protocol === '-1') return true;
  return (p.protocol === 'tcp' || p.protocol === '6') && (p.fromPort ?? 0) <= port && port <= (p.toPort ?? 65535);
}

/** Per load balancer, for the listeners the tool keeps no ingress rule for (with loadBalancerIngress its own rule covers their ports). */
export function securityGroupWarnings(desired: DesiredState, observed: ObservedState): string[] {
  return observed.loadBalancers.flatMap((site) => {
    // The tool's own rule (loadBalancerIngress) is in the listener's own NLB's group: it covers no further NLB.
    const endpoints = desired.endpoints.filter((e) => e.loadBalancerArn === site.loadBalancer.arn && !(e.listener.loadBalancerIngress && e.loadBalancerArn === e.listener.loadBalancerArn));
    const ports = uncoveredPorts(endpoints, site);
    if (!ports.length) return [];
    const keys = endpoints.filter((e) => ports.includes(e.port)).map((e) => e.key);
    return [
      `load balancer security group(s) ${site.loadBalancer.securityGroupIds.join(', ')} admit no TCP traffic on port(s) ${compactPorts(ports)} ` +
        `(${keys.join(', ')}): clients of those names will time out; add an ingress rule covering ${compactPorts(endpoints.map((e) => e.port).sort((a, b) => a - b))}`,
    ];
  });
}

/** 9000, 9001, 9002, 9004 -> "9000-9002, 9004" */
export function compactPorts(ports: number[]): string {
  const runs: [number, number][] = [];
  for (const p of [...new Set(ports)]) {
    const last = runs[runs.length - 1];
    if (last && p === last[1] + 1) last[1] = p;
    else runs.push([p, p]);
  }
  return runs.map(([a, b]) => (a === b ? String(a) : `${a}-${b}`)).join(', ');
}
