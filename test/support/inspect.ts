import { fqdn } from '../../shared/naming';
import { observe } from '../../shared/observe';
import type { Scenario } from './scenario';
import { resolveCluster } from '../../shared/listeners';

/** The mapping as AWS now reports it, read back through the same SDK calls the tool uses. */
export async function mapping(s: Scenario) {
  const observed = await observe(s.clients, resolveCluster(s.config));
  // The scenario's load balancer and zone (a scenario with more of them reads observed.loadBalancers / zones).
  const state = { ...observed, ...observed.loadBalancers[0], records: observed.zones[0].records };
  const groups = new Map(state.targetGroups.map((g) => [g.arn, g]));
  const listeners = Object.fromEntries(
    state.listeners.map((l) => {
      const group = l.targetGroupArn ? groups.get(l.targetGroupArn) : undefined;
      const ips = (group?.targets ?? []).filter((t) => t.state !== 'draining').map((t) => t.ip).sort();
      return [l.port, { role: l.tags['msk-custom-domain:role'] ?? 'foreign', targets: ips }];
    }),
  );
  const names = state.records
    .filter((r) => r.type === 'A' || r.type === 'CNAME')
    .map((r) => r.name)
    .sort();
  return { state, listeners, names, targetGroups: state.targetGroups.map((g) => g.name).sort() };
}

export function names(...hosts: string[]): string[] {
  return hosts.map((h) => fqdn(`${h}.kafka.example.com`)).sort();
}
