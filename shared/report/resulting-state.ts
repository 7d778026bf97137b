import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { createdListenerKey, type ApplyResult } from '../apply';
import type { Action, RecordChange, TargetGroupRef, CertificateRef } from '../plan/types';
import type { ObservedState } from '../state';
import { TAG_RETIRED_AT } from '../naming';
import type { ObservedTargetGroup, RecordSet } from '../types';

/**
 * The state after an apply, as the resulting table shows it: the observed state with what apply
 * did laid over it, instead of reading everything again. Every write it counts was answered (or,
 * after a lost reply, confirmed by reading that one resource), so the table shows what AWS holds:
 * new targets `initial` (the health gate, when it ran, saw them healthy), deregistered ones
 * `draining`. EC2 ingress rules and an MSK configuration update are left as observed (the table
 * shows neither; what brokers advertise after a rollout is in the apply result's verification).
 * Pure: no I/O.
 */
export function resultingState(observed: ObservedState, applied: ApplyResult): ObservedState {
  const state = structuredClone(observed);
  const arnOf = (ref: TargetGroupRef) => ref.arn ?? applied.created.targetGroups[ref.name];
  const certificateArnOf = (ref: CertificateRef) => ref.arn ?? applied.created.certificates?.[ref.name] ?? ref.name;
  const groupOf = (ref: TargetGroupRef) => state.targetGroups.find((g) => g.arn === arnOf(ref));
  // The gate passed (it did not hold the run; a hold stops apply right there): every target it waited for was healthy.
  const gatePassed = !applied.waiting || applied.done.some((a) => a.type === 'verify-data-path');
  // Targets of one IP registered in the same phase of this apply pass their checks together: the
  // bootstrap group's new target is healthy when the broker's own group's, which the gate saw, is.
  const healthy = new Set(!gatePassed ? [] : applied.done.flatMap((a) => (a.type === 'await-target-health' ? a.targets.map((t) => t.ip) : [])));
  for (const action of applied.done) {
    switch (action.type) {
      case 'create-target-group':
        state.targetGroups.push(newGroup(action, applied.created.targetGroups[action.name]));
        break;
      case 'set-target-group-attributes': {
        const group = groupOf(action.targetGroup);
        if (group) group.attributes = { ...group.attributes, ...action.attributes };
        break;
      }
      case 'set-target-group-health': {
        const group = groupOf(action.targetGroup);
        if (group) group.healthCheck = action.healthCheck;
        break;
      }
      case 'register-targets': {
        const group = groupOf(action.targetGroup);
        if (!group) break;
        const ips = new Set(action.ips);
        group.targets = [
          ...group.targets.filter((t) => !ips.has(t.ip) || t.port !== action.port),
          ...action.ips.map((ip) => ({ ip, port: action.port, state: healthy.has(ip) ? 'healthy' : 'initial' })),
        ];
        break;
      }
      case 'deregister-targets': {
        const group = state.targetGroups.find((g) => g.arn === action.targetGroupArn);
        for (const target of group?.targets ?? []) {
          if (action.targets.some((t) => t.ip === target.ip && t.port === target.port)) target.state = 'draining';
        }
        break;
      }
      case 'create-listener': {
        state.loadBalancers.find((site) => site.loadBalancer.arn === action.loadBalancerArn)?.listeners.push({
          arn: applied.created.listeners[createdListenerKey(action.loadBalancerArn, action.port)],
          port: action.port,
          protocol: 'TLS',
          certificateArns: [certificateArnOf(action.certificate)],
          sslPolicy: action.sslPolicy,
          targetGroupArn: arnOf(action.targetGroup),
          tags: action.tags,
        });
        groupOf(action.targetGroup)?.loadBalancerArns.push(action.loadBalancerArn);
        break;
      }
      case 'modify-listener': {
        const listener = state.loadBalancers.flatMap((site) => site.listeners).find((l) => l.arn === action.listenerArn);
        if (!listener) break;
        Object.assign(listener, {
          port: action.port,
          protocol: 'TLS',
          certificateArns: [certificateArnOf(action.certificate)],
          sslPolicy: action.sslPolicy,
          targetGroupArn: arnOf(action.targetGroup),
        });
        break;
      }
      case 'retire-listener': {
        const listener = state.loadBalancers.flatMap((site) => site.listeners).find((l) => l.arn === action.listenerArn);
        if (listener) listener.tags = { ...listener.tags, [TAG_RETIRED_AT]: action.retiredAt };
        break;
      }
      case 'delete-listener':
        for (const site of state.loadBalancers) site.listeners = site.listeners.filter((l) => l.arn !== action.listenerArn);
        break;
      case 'delete-target-group':
        state.targetGroups = state.targetGroups.filter((g) => g.arn !== action.arn);
        break;
      case 'change-records': {
        const zone = state.zones.find((z) => z.hostedZoneId === action.hostedZoneId);
        if (zone) zone.records = applyRecordChanges(zone.records, action.changes);
        break;
      }
      case 'put-alarm':
        state.alarms = [...state.alarms.filter((a) => a.AlarmName !== action.alarm.AlarmName), action.alarm as MetricAlarm];
        break;
      case 'delete-alarms':
        state.alarms = state.alarms.filter((a) => !action.names.includes(a.AlarmName ?? ''));
        break;
      case 'alter-broker-configs': {
        const broker = state.advertised?.brokers.find((b) => b.endpoint.id === action.endpoint.id);
        if (broker) broker.entries = (broker.entries ?? []).map((e) => (e.name === 'advertised.listeners' ? { ...e, value: action.after } : e));
        break;
      }
      default:
        break;
    }
  }
  return state;
}

function newGroup(action: Extract<Action, { type: 'create-target-group' }>, arn: string): ObservedTargetGroup {
  return {
    arn,
    name: action.name,
    port: action.port,
    protocol: 'TLS',
    vpcId: action.vpcId,
    loadBalancerArns: [],
    targets: [],
    tags: action.tags,
    attributes: action.attributes,
    healthCheck: action.healthCheck,
  };
}

/** Route 53 applies a batch as a whole: created and upserted sets replace their name and type, deleted ones go. */
function applyRecordChanges(records: RecordSet[], changes: RecordChange[]): RecordSet[] {
  const key = (r: RecordSet) => `${r.name} ${r.type}`;
  const changed = new Set(changes.map((c) => key(c.record)));
  return [...records.filter((r) => !changed.has(key(r))), ...changes.filter((c) => c.action !== 'DELETE').map((c) => c.record)];
}
