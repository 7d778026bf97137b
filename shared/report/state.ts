import Table from 'cli-table3';
import type { ObservedState } from '../state';
import type { ClusterConfig } from '../config/schema';
import { fqdn, hostName, ownedRole, roleKey } from '../naming';
import { COMPACT } from './plan';

/** The resulting mapping as a person checks it: port -> target group -> IPs -> DNS name. */
export function formatState(config: ClusterConfig, state: ObservedState): string {
  const groups = new Map(state.targetGroups.map((g) => [g.arn, g]));
  const alarmsByBroker = new Map<string, number>();
  for (const alarm of state.alarms) {
    // The alarm's own dimension, not its name's format, says which broker it watches.
    const broker = alarm.Dimensions?.find((d) => d.Name === 'Broker ID')?.Value;
    if (broker) alarmsByBroker.set(`broker-${broker}`, (alarmsByBroker.get(`broker-${broker}`) ?? 0) + 1);
  }
  const advertised = new Map(
    (state.advertised?.brokers ?? []).map((b) => {
      const value = b.entries?.find((e) => e.name === 'advertised.listeners')?.value ?? '';
      const client = value.split(',').find((entry) => entry.startsWith('CLIENT_'));
      return [`broker-${b.endpoint.id}`, client?.replace(/^[A-Z_]+:\/\//, '') ?? ''];
    }),
  );
  const head = ['port', 'for', 'target group', 'targets', 'DNS name', 'alarms', ...(state.advertised ? ['advertises'] : [])];
  const table = new Table({ head, style: { head: [], border: [] }, chars: COMPACT });
  const names = new Map(
    state.records.filter((r) => r.type === 'A' || r.type === 'CNAME').map((r) => [r.name, r]),
  );
  for (const listener of [...state.listeners].sort((a, b) => a.port - b.port)) {
    const role = ownedRole(listener.tags, state.cluster.arn);
    const group = listener.targetGroupArn ? groups.get(listener.targetGroupArn) : undefined;
    const targets = (group?.targets ?? []).map((t) => `${t.ip}${t.state && t.state !== 'healthy' ? ` (${t.state})` : ''}`).join(', ');
    const key = role ? roleKey(role) : 'not managed';
    const dns = role && names.has(fqdn(hostName(config, role))) ? hostName(config, role) : '';
    const extra = state.advertised ? [advertised.get(key) ?? ''] : [];
    table.push([String(listener.port), key, group?.name ?? '', targets, dns, String(alarmsByBroker.get(key) ?? ''), ...extra]);
  }
  return table.toString();
}
