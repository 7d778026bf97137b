import type { DesiredState } from '../desired';
import type { ObservedState } from '../state';
import type { IngressPermission } from '../types';

/**
 * Pure: listener ports the load balancer's security groups admit no TCP traffic on. An NLB
 * created with security groups silently drops everything else, so a client of such a port
 * times out. Without security groups there is nothing to check.
 */
export function uncoveredPorts(desired: DesiredState, observed: ObservedState): number[] {
  if (!observed.loadBalancer.securityGroupIds.length) return [];
  const permissions = observed.securityGroups.flatMap((g) => g.ingress);
  return desired.endpoints.map((e) => e.port).filter((port) => !permissions.some((p) => admitsPort(p, port))).sort((a, b) => a - b);
}

function admitsPort(p: IngressPermission, port: number): boolean {
  if (!p.sources.length) return false;
  if (p.protocol === '-1') return true;
  return (p.protocol === 'tcp' || p.protocol === '6') && (p.fromPort ?? 0) <= port && port <= (p.toPort ?? 65535);
}

export function securityGroupWarnings(desired: DesiredState, observed: ObservedState): string[] {
  const ports = uncoveredPorts(desired, observed);
  if (!ports.length) return [];
  const keys = desired.endpoints.filter((e) => ports.includes(e.port)).map((e) => e.key);
  return [
    `load balancer security group(s) ${observed.loadBalancer.securityGroupIds.join(', ')} admit no TCP traffic on port(s) ${compactPorts(ports)} ` +
      `(${keys.join(', ')}): clients of those names will time out; add an ingress rule covering ${compactPorts(desired.endpoints.map((e) => e.port).sort((a, b) => a - b))}`,
  ];
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
