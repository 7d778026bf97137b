import pLimit from 'p-limit';
import type { AwsClients } from '../aws/clients';
import type { ClusterConfig } from '../config/schema';
import { ApplyError, errorMessage } from '../errors';
import type { Action, ActionType, Plan } from '../plan/types';
import { deleteAlarms, putAlarm } from './cloudwatch';
import * as elb from './elbv2';
import { changeRecords, DEFAULT_DNS_WAIT, type DnsWaitOptions } from './route53';

export interface ApplyOptions {
  /** Parallel AWS writes within one phase; ELBv2 write quotas are low, the SDK retries throttles. */
  concurrency?: number;
  dnsWait?: DnsWaitOptions;
}

export interface ApplyResult {
  done: Action[];
  changeId?: string;
}

/**
 * Dependency order. Creating: target group -> listener + targets -> DNS (then INSYNC) -> alarms.
 * Deleting runs after DNS stops pointing at a port: listeners, then their target groups.
 * A phase starts only when every action of the one before it succeeded.
 */
const PHASES: ActionType[][] = [
  ['create-target-group'],
  ['create-listener', 'modify-listener', 'register-targets', 'deregister-targets'],
  ['change-records'],
  ['put-alarm', 'delete-alarms', 'delete-listener'],
  ['delete-target-group'],
];

export async function applyPlan(clients: AwsClients, config: ClusterConfig, plan: Plan, options: ApplyOptions = {}): Promise<ApplyResult> {
  if (plan.status !== 'ready') throw new ApplyError(`not applying to ${plan.clusterName}: ${plan.waitingReason}`);
  const limit = pLimit(options.concurrency ?? 8);
  const created: elb.CreatedGroups = new Map();
  const result: ApplyResult = { done: [] };

  const run = async (action: Action): Promise<void> => {
    switch (action.type) {
      case 'create-target-group': return elb.createTargetGroup(clients.elbv2, action, created);
      case 'create-listener': return elb.createListener(clients.elbv2, config.loadBalancerArn, action, created);
      case 'modify-listener': return elb.modifyListener(clients.elbv2, action, created);
      case 'register-targets': return elb.registerTargets(clients.elbv2, action, created);
      case 'deregister-targets': return elb.deregisterTargets(clients.elbv2, action);
      case 'delete-listener': return elb.deleteListener(clients.elbv2, action);
      case 'delete-target-group': return elb.deleteTargetGroup(clients.elbv2, action);
      case 'change-records':
        result.changeId = await changeRecords(clients.route53, config.hostedZoneId, action.changes, options.dnsWait ?? DEFAULT_DNS_WAIT);
        return;
      case 'put-alarm': return putAlarm(clients.cloudwatch, action);
      case 'delete-alarms': return deleteAlarms(clients.cloudwatch, action);
    }
  };

  for (const phase of PHASES) {
    const actions = plan.actions.filter((a) => phase.includes(a.type));
    const outcomes = await Promise.allSettled(actions.map((a) => limit(() => run(a))));
    const failures: string[] = [];
    outcomes.forEach((outcome, i) => {
      if (outcome.status === 'fulfilled') result.done.push(actions[i]);
      else failures.push(`${describeAction(actions[i])}: ${errorMessage(outcome.reason)}`);
    });
    if (failures.length) {
      const firstCause = outcomes.find((o) => o.status === 'rejected') as PromiseRejectedResult;
      throw Object.assign(
        new ApplyError(
          `${failures.length} change(s) to ${plan.clusterName} failed; ${result.done.length} done, later steps not started (the next run picks up from here):\n` +
            failures.map((f) => `  - ${f}`).join('\n'),
          { cause: firstCause.reason },
        ),
        { result },
      );
    }
  }
  return result;
}

export function describeAction(action: Action): string {
  switch (action.type) {
    case 'create-target-group': return `create target group ${action.name}`;
    case 'create-listener': return `create listener :${action.port} for ${action.resource}`;
    case 'modify-listener': return `modify listener :${action.port} (${action.reason})`;
    case 'register-targets': return `register ${action.ips.join(', ')} in ${action.resource}`;
    case 'deregister-targets': return `deregister ${action.targets.map((t) => t.ip).join(', ')} from ${action.resource}`;
    case 'change-records': return `change ${action.changes.length} DNS record(s)`;
    case 'delete-listener': return `delete listener :${action.port} of ${action.resource}`;
    case 'delete-target-group': return `delete target group ${action.name}`;
    case 'put-alarm': return `${action.reason} alarm ${action.alarm.AlarmName}`;
    case 'delete-alarms': return `delete alarm(s) ${action.names.join(', ')}`;
  }
}
