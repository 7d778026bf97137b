import type { Action } from '../plan/types';

/** One line per action, as plans and errors show it. */
export function describeAction(action: Action): string {
  switch (action.type) {
    case 'create-target-group': return `create target group ${action.name}`;
    case 'request-certificate': return `request certificate ${action.resource} for ${[action.domainName, ...action.subjectAlternativeNames].join(', ')} ${action.validation ? `(public, DNS validation in ${action.validation.hostedZoneId})` : `from ${action.certificateAuthorityArn}`}`;
    case 'await-certificate': return `wait until certificate ${action.certificate.arn} is ISSUED`;
    case 'delete-certificate': return `delete certificate ${action.arn} (${action.reason})`;
    case 'create-listener': return `create listener :${action.port} for ${action.resource}`;
    case 'modify-listener': return `modify listener :${action.port} (${action.reason})`;
    case 'register-targets': return `register ${action.ips.join(', ')} in ${action.resource}${action.outsideVpc.length ? ` (${action.outsideVpc.join(', ')} outside the VPC: AZ all)` : ''}`;
    case 'set-target-group-health': return `health check of ${action.targetGroup.name}: every ${action.healthCheck.intervalSeconds} s, healthy after ${action.healthCheck.healthyThreshold} (${action.reason})`;
    case 'set-target-group-attributes': return `set ${Object.entries(action.attributes).map(([k, v]) => `${k}=${v}`).join(', ')} on ${action.targetGroup.name} (${action.reason})`;
    case 'deregister-targets': return `deregister ${action.targets.map((t) => t.ip).join(', ')} from ${action.resource}`;
    case 'change-records': return `change ${action.changes.length} DNS record(s)`;
    case 'authorize-ingress': return `allow TCP ${action.fromPort}-${action.toPort} from ${action.source} in ${action.groupId}`;
    case 'modify-ingress': return `change ingress rule ${action.ruleId} to TCP ${action.fromPort}-${action.toPort} from ${action.source} (was ${action.was.fromPort}-${action.was.toPort} from ${action.was.source})`;
    case 'revoke-ingress': return `remove the tool's ingress rule(s) ${action.ruleIds.join(', ')} from ${action.groupId} (${action.reason})`;
    case 'verify-data-path': return 'check the whole data path before the first rollout';
    case 'await-target-health': return `wait until ${action.targets.map((t) => `${t.resource} ${t.ip}`).join(', ')} ${action.targets.length === 1 ? 'is' : 'are'} healthy`;
    case 'retire-listener': return action.retiredAt ? `tag listener :${action.port} of ${action.resource} retired at ${action.retiredAt}` : `clear the retired-at time of listener :${action.port} of ${action.resource} (an earlier move's)`;
    case 'delete-listener': return `delete listener :${action.port} of ${action.resource}`;
    case 'delete-target-group': return `delete target group ${action.name}`;
    case 'put-alarm': return `${action.reason} alarm ${action.alarm.AlarmName}`;
    case 'delete-alarms': return `delete alarm(s) ${action.names.join(', ')}`;
    case 'alter-broker-configs':
      return action.purpose === 'advertise'
        ? `${action.resource} advertises ${action.after} (was ${action.before})`
        : `remove ${action.resource}'s advertised.listeners override (back to ${action.after})`;
    case 'update-msk-configuration':
      return `MSK configuration: ${action.after ? `custom.advertised.listeners=${action.after}` : 'remove custom.advertised.listeners'} in ${configurationTarget(action.target)} (rolling restart)`;
  }
}

/** Where a configuration change is written, as plans and errors say it. */
export function configurationTarget(target: Extract<Action, { type: 'update-msk-configuration' }>['target']): string {
  const own = target.kind !== 'create' && target.dedicated ? ' (dedicated to this cluster)' : '';
  switch (target.kind) {
    case 'revise': return `a new revision of ${target.name}${own}, built from revision ${target.baseRevision}`;
    case 'create': return `new dedicated configuration ${target.name}`;
    case 'existing': return `${target.name}${own} revision ${target.revision} (already written)`;
  }
}
