import { configurationTarget } from '../apply/describe';
import type { Action, Plan, RecordChange } from '../plan/types';

// Plan rows and summary as plain data, without cli-table3: the resync Lambda reports with these.

type Row = [sign: string, what: string, resource: string, detail: string];

const SIGN = { create: '+', change: '~', delete: '-' } as const;

/** One row per visible change, Terraform-style signs: + create, ~ change, - delete. */
export function planRows(plan: Plan): Row[] {
  return plan.actions.flatMap((action): Row[] => {
    switch (action.type) {
      case 'create-target-group':
        return [[SIGN.create, 'target group', action.resource, `${action.name} TLS:${action.port}, ${Object.entries(action.attributes).map(([k, v]) => `${k}=${v}`).join(', ')}`]];
      case 'request-certificate':
        return [[SIGN.create, 'certificate', action.resource, `${action.domainName}${action.subjectAlternativeNames.length ? ` + ${action.subjectAlternativeNames.length} name(s) up to ${action.subjectAlternativeNames[action.subjectAlternativeNames.length - 1]}` : ''}, ${action.validation ? `public, validated through DNS in ${action.validation.hostedZoneId}` : `private, from ${action.certificateAuthorityArn?.split('/').pop()}`}`]];
      case 'await-certificate': return [['', 'certificate', action.resource, `wait until ${action.certificate.arn} is ISSUED`]];
      case 'delete-certificate': return [[SIGN.delete, 'certificate', action.resource, `${action.arn} (${action.names[0]}${action.names.length > 1 ? ` + ${action.names.length - 1}` : ''}; ${action.reason})`]];
      case 'create-listener': return [[SIGN.create, 'listener', action.resource, `:${action.port} TLS -> ${action.targetGroup.name}, certificate ${action.certificate.arn ?? action.certificate.name}`]];
      case 'modify-listener': return [[SIGN.change, 'listener', action.resource, `:${action.port} ${action.reason}`]];
      case 'register-targets':
        return [[SIGN.create, 'targets', action.resource, action.ips.map((ip) => `${ip}:${action.port}${action.outsideVpc.includes(ip) ? ' (AZ all)' : ''}`).join(', ')]];
      case 'set-target-group-health':
        return [[SIGN.change, 'target group', action.resource, `health check every ${action.healthCheck.intervalSeconds} s, healthy after ${action.healthCheck.healthyThreshold} (${action.reason})`]];
      case 'set-target-group-attributes':
        return [[SIGN.change, 'target group', action.resource, `${Object.entries(action.attributes).map(([k, v]) => `${k}=${v}`).join(', ')} (${action.reason})`]];
      case 'deregister-targets': return [[SIGN.delete, 'targets', action.resource, action.targets.map((t) => `${t.ip}:${t.port}`).join(', ')]];
      case 'retire-listener':
        return [[SIGN.change, 'listener', action.resource, action.retiredAt ? `:${action.port} tagged retired at ${action.retiredAt} (its name switched; deleted once cached answers expired)` : `:${action.port} retired-at time of an earlier move cleared`]];
      case 'delete-listener': return [[SIGN.delete, 'listener', action.resource, `:${action.port}`]];
      case 'delete-target-group': return [[SIGN.delete, 'target group', action.resource, action.name]];
      case 'change-records': return action.changes.map(recordRow);
      case 'authorize-ingress': return [[SIGN.create, 'ingress rule', action.groupId, `TCP ${action.fromPort}-${action.toPort} from ${action.source}`]];
      case 'modify-ingress': return [[SIGN.change, 'ingress rule', action.ruleId, `TCP ${action.fromPort}-${action.toPort} from ${action.source} (was ${action.was.fromPort}-${action.was.toPort} from ${action.was.source})`]];
      case 'revoke-ingress': return action.ruleIds.map((id): Row => [SIGN.delete, 'ingress rule', id, action.reason]);
      case 'verify-data-path': return [['', 'data-path check', action.resource, 'listeners, cross-zone, targets, ingress, DNS, certificate (as `check`)']];
      case 'await-target-health': return [['', 'health gate', action.resource, `wait until healthy: ${[...new Set(action.targets.map((t) => t.ip))].join(', ')}`]];
      case 'put-alarm': return [[action.reason === 'create' ? SIGN.create : SIGN.change, 'alarm', action.resource, `${action.alarm.MetricName} ${action.alarm.ComparisonOperator === 'GreaterThanThreshold' ? '>' : '>='} ${action.alarm.Threshold}`]];
      case 'delete-alarms': return action.names.map((name): Row => [SIGN.delete, 'alarm', action.resource, name]);
      case 'alter-broker-configs':
        return [[SIGN.change, 'advertised.listeners', action.resource, action.purpose === 'advertise' ? listenerChange(action.before, action.after) : 'remove override (back to the static value)']];
      case 'update-msk-configuration':
        return [[action.target.kind === 'create' ? SIGN.create : SIGN.change, 'MSK configuration', action.resource, `ROLLING RESTART: custom.advertised.listeners ${action.before ?? '(unset)'} -> ${action.after ?? '(unset)'}, in ${configurationTarget(action.target)}`]];
    }
  });
}

function recordRow(change: RecordChange): Row {
  const sign = change.action === 'CREATE' ? SIGN.create : change.action === 'UPSERT' ? SIGN.change : SIGN.delete;
  const { record } = change;
  const target = record.alias
    ? `alias ${record.alias.dnsName}`
    : record.type === 'TXT' && record.name.startsWith('_msk-custom-domain.')
      ? 'ownership registry'
      : (record.values ?? []).join(' ');
  return [sign, `${record.type} record`, record.name, target];
}

export interface ChangeCounts {
  add: number;
  change: number;
  remove: number;
  total: number;
}

/**
 * Changes as the plan table counts them: one per row with a sign (each DNS record, each alarm),
 * so "Applied N of M" uses the plan's unit. Gates (health, data-path check) are steps, not changes.
 */
export function changeCounts(actions: Action[]): ChangeCounts {
  const rows = planRows({ actions } as Pick<Plan, 'actions'> as Plan);
  const count = (sign: string) => rows.filter((r) => r[0] === sign).length;
  const [add, change, remove] = [count(SIGN.create), count(SIGN.change), count(SIGN.delete)];
  return { add, change, remove, total: add + change + remove };
}

export function planSummary(plan: Plan): string {
  const c = changeCounts(plan.actions);
  return `${c.add} to add, ${c.change} to change, ${c.remove} to remove`;
}

/** Only the entries that change; the others (REPLICATION, …) are kept and just counted. */
function listenerChange(before: string, after: string): string {
  const old = before.split(',');
  const next = after.split(',');
  const added = next.filter((e) => !old.includes(e));
  const removed = old.filter((e) => !next.includes(e));
  const kept = next.length - added.length;
  return `${removed.join(',') || '(none)'} -> ${added.join(',')}${kept ? ` (${kept} other listener${kept > 1 ? 's' : ''} kept)` : ''}`;
}
