import { alarmDiffers, desiredAlarms } from '../alarms/desired';
import type { ResolvedCluster } from '../listeners';

import type { ObservedState } from '../state';
import type { Action } from './types';

export interface AlarmsPlan {
  actions: Action[];
  warnings: string[];
}

/**
 * Pure diff of the connection-quota alarms. The quotas are IAM quotas, so other
 * authentication modes get no alarms (and lose any the tool made before).
 */
export function planAlarms(config: ResolvedCluster, observed: ObservedState): AlarmsPlan {
  const iam = config.mapped.some((l) => l.authentication.startsWith('iam'));
  const alarmsConfig = { ...config.alarms, enabled: config.alarms.enabled && iam };
  const opts = { snsTopicArn: config.alarms.snsTopicArn };
  const wanted = desiredAlarms(observed.cluster, alarmsConfig, opts);
  const existing = new Map(observed.alarms.map((a) => [a.AlarmName!, a]));
  const actions: Action[] = [];
  for (const spec of wanted.specs) {
    const current = existing.get(spec.input.AlarmName!);
    if (!current || alarmDiffers(spec.input, current)) {
      actions.push({ type: 'put-alarm', resource: `broker-${spec.brokerId}`, alarm: spec.input, reason: current ? 'update' : 'create' });
    }
  }
  // A broker MSK lists without a client IP (announced by a pending UpdateBrokerCount, or
  // between two IPs while it is replaced) is still in the cluster: it gets no new alarm
  // until it has an IP, but keeps the ones it has, as it keeps its listener and name.
  // Deleting them would recreate them moments later, losing their state and history and
  // sending a spurious OK notification on the way back from INSUFFICIENT_DATA.
  const listed = { ...observed.cluster, brokers: observed.cluster.brokers.map((b) => (b.clientIp ? b : { ...b, clientIp: 'pending' })) };
  const wantedNames = new Set(desiredAlarms(listed, alarmsConfig, opts).specs.map((s) => s.input.AlarmName!));
  const stale = [...existing.keys()].filter((name) => !wantedNames.has(name)).sort();
  const warnings = [...wanted.warnings];
  // No broker at all is an observation glitch, not a scale-in to zero: keep the alarms.
  if (stale.length && observed.cluster.brokers.length === 0) {
    warnings.push(`MSK reported no brokers; keeping ${stale.length} alarm(s) until it does`);
  } else if (stale.length) {
    actions.push({ type: 'delete-alarms', resource: 'alarms', names: stale });
  }
  if (alarmsConfig.enabled && !opts.snsTopicArn && wanted.specs.length) {
    warnings.push('alarms.snsTopicArn is not set: the alarms notify nobody (the deployed stack sets its own topic; from the CLI, name it in the config)');
  }
  if (config.alarms.enabled && !iam) warnings.push(`connection-quota alarms are for IAM authentication; ${config.authentication} clusters get none`);
  return { actions, warnings };
}
