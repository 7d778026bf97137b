import type { ObservedState } from '../state';
import { loadBalancersOf, type ResolvedCluster } from '../listeners';

import { fqdn, hostName, ownedRole, roleKey, servesListener, TAG_LISTENER } from '../naming';
import { COMPACT } from './plan';
import { renderTable, type TableLayout } from './fit';

/** The resulting mapping as a person checks it: port -> target group -> IPs -> DNS name. */
export function formatState(config: ResolvedCluster, state: ObservedState, layout?: TableLayout): string {
  const groups = new Map(state.targetGroups.map((g) => [g.arn, g]));
  const alarmsByBroker = new Map<string, number>();
  for (const alarm of state.alarms) {
    // The alarm's own dimension, not its name's format, says which broker it watches.
    const broker = alarm.Dimensions?.find((d) => d.Name === 'Broker ID')?.Value;
    if (broker) alarmsByBroker.set(`broker-${broker}`, (alarmsByBroker.get(`broker-${broker}`) ?? 0) + 1);
  }
  // broker-<id> -> client listener name -> host:port, from each broker's advertised.listeners.
  const advertised = new Map(
    (state.advertised?.brokers ?? []).map((b) => {
      const value = b.entries?.find((e) => e.name === 'advertised.listeners')?.value ?? '';
      const entries = value.split(',').flatMap((entry) => {
        const m = /^\s*([A-Z_]+):\/\/(.*?)\s*$/.exec(entry);
        return m ? [[m[1], m[2]] as [string, string]] : [];
      });
      return [`broker-${b.endpoint.id}`, new Map(entries)];
    }),
  );
  const head = ['port', 'for', 'target group', 'targets', 'DNS name', 'alarms', ...(state.advertised ? ['advertises'] : [])];
  const rows: string[][] = [];
  const names = new Set(state.zones.flatMap((z) => z.records.filter((r) => r.type === 'A' || r.type === 'CNAME').map((r) => r.name)));
  const listeners = config.mapped;
  for (const site of state.loadBalancers) {
    for (const listener of [...site.listeners].sort((a, b) => a.port - b.port)) {
      const role = ownedRole(listener.tags, state.cluster.arn);
      const mapped = role && listeners.find((l) => loadBalancersOf(l).includes(site.loadBalancer.arn) && servesListener(listener.tags, l));
      const group = listener.targetGroupArn ? groups.get(listener.targetGroupArn) : undefined;
      const targets = (group?.targets ?? []).map((t) => `${t.ip}${t.state && t.state !== 'healthy' ? ` (${t.state})` : ''}`).join(', ');
      const broker = role ? roleKey(role) : '';
      const key = !role ? 'not managed' : mapped ? `${mapped.label}${broker}` : `${listener.tags[TAG_LISTENER] ?? ''} ${broker}`.trim();
      const host = role && mapped ? hostName(mapped, role) : '';
      const dns = host && names.has(fqdn(host)) ? host : '';
      // Kafka has one set of advertised names per broker; the table shows them beside the per-broker rows of the listener they belong to.
      const extra = state.advertised ? [mapped?.clientListenerName && role !== 'bootstrap' ? advertised.get(broker)?.get(mapped.clientListenerName) ?? '' : ''] : [];
      rows.push([String(listener.port), key, group?.name ?? '', targets, dns, String(alarmsByBroker.get(broker) ?? ''), ...extra]);
    }
  }
  // Narrow terminals: targets, advertised names and DNS names wrap; then the target group and alarm count go.
  return renderTable({ head, rows, wrap: [3, 6, 4, 1], drop: [2, 5], chars: COMPACT }, layout);
}
