import { alarmDiffers, desiredAlarms } from '../alarms/desired';
import type { ClusterConfig } from '../config/schema';
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
export function planAlarms(config: ClusterConfig, observed: ObservedState): AlarmsPlan {
  const iam = config.authentication === 'iam';
  const wanted = desiredAlarms(observed.cluster, { ...config.alarms, enabled: config.alarms.enabled && iam }, { snsTopicArn: config.alarms.snsTopicArn });
  const existing = new Map(observed.alarms.map((a) => [a.AlarmName!, a]));
  const actions: Action[] = [];
  for (const spec of wanted.specs) {
    const current = existing.get(spec.input.AlarmName!);
    if (!current || alarmDiffers(spec.input, current)) {
      actions.push({ type: 'put-alarm', resource: `broker-${spec.brokerId}`, alarm: spec.input, reason: current ? 'update' : 'create' });
    }
  }
  const wantedNames = new Set(wanted.specs.map((s) => s.input.AlarmName!));
  const stale = [...existing.keys()].filter((name) => !wantedNames.has(name)).sort();
  const warnings = [...wanted.warnings];
  // No broker at all is an observation glitch, not a scale-in to zero: keep the alarms.
  if (stale.length && observed.cluster.brokers.length === 0) {
    warnings.push(`MSK reported no brokers; keeping ${stale.length} alarm(s) until it does`);
  } else if (stale.length) {
    actions.push({ type: 'delete-alarms', resource: 'alarms', names: stale });
  }
  if (config.alarms.enabled && !iam) warnings.push(`connection-quota alarms are for IAM authentication; ${config.authentication} clusters get none`);
  return { actions, warnings };
}
