import pLimit from 'p-limit';
import { zoneClient, type AwsClients } from '../aws/clients';
import type { ClusterConfig } from '../config/schema';
import { ApplyError, errorMessage } from '../errors';
import type { Action, ActionType, Plan } from '../plan/types';
import { deleteAlarms, putAlarm } from './cloudwatch';
import * as ec2 from './ec2';
import * as elb from './elbv2';
import { changeRecords, DEFAULT_DNS_WAIT, type DnsWaitOptions } from './route53';
import type { FollowOptions, OperationOutcome } from '../advertised/msk-configuration';
import type { KafkaAccessOptions } from '../observe';
import type { KafkaAccess } from '../kafka/admin';
import type { ObservedState } from '../state';
import { realClock, type Clock } from '../clock';
import { awaitTargetHealth, DEFAULT_HEALTH_WAIT } from './health';
import { checkCluster } from '../check';
import { alterBrokerAdvertised, DEFAULT_FOLLOW, expectedAdvertised, updateMskConfiguration, verifyAdvertised, type AdvertisedCheck } from './kafka';
import { describeAction } from './describe';

export { describeAction };

export interface ApplyOptions {
  /** Time for the bounded waits of apply (default: real time). */
  clock?: Clock;
  /** How long the health gate waits for targets before brokers advertise custom names. */
  healthWait?: FollowOptions;
  /** Parallel AWS writes within one phase; ELBv2 write quotas are low, the SDK retries throttles. */
  concurrency?: number;
  dnsWait?: DnsWaitOptions;
  kafkaAccess?: KafkaAccessOptions;
  /** How long to follow an MSK configuration update (a rolling restart) before leaving it to the next run. */
  follow?: FollowOptions;
  /** Read Kafka metadata after advertised changes (default true; restore has nothing custom to expect). */
  verify?: boolean;
}

export interface ApplyResult {
  done: Action[];
  changeId?: string;
  operation?: OperationOutcome;
  /** What brokers advertise after the change, per broker (dynamic mode, or a finished configuration update). */
  verification?: AdvertisedCheck[];
  /** Set when the health gate held the rest back: why (targets not healthy yet). The next run continues. */
  waiting?: string;
}

/**
 * Dependency order. Creating: ingress + target group -> listener + targets -> DNS (then INSYNC) and alarms -> health gate -> advertised listeners.
 * Deleting listeners runs after DNS stops pointing at their ports, then their target groups. (The
 * tool's ingress rule changes in place in phase 1; it only narrows once the cluster is ACTIVE.)
 * A phase starts only when every action of the one before it succeeded.
 */
const PHASES: ActionType[][] = [
  // Ingress first: nothing depends on it, and it must admit clients before a name leads to the port.
  ['create-target-group', 'authorize-ingress', 'modify-ingress', 'revoke-ingress'],
  // Cross-zone is on before a name can send clients to the group.
  ['create-listener', 'modify-listener', 'set-target-group-attributes', 'set-target-group-health', 'register-targets', 'deregister-targets'],
  // Alarms depend on nothing but the broker id: they go alongside the DNS change (and its INSYNC wait),
  // not behind the health gate, and never ahead of the listeners and targets clients need.
  ['change-records', 'put-alarm'],
  ['await-target-health'],
  ['verify-data-path'],
  // Only once every listener, target and name is in place (and DNS INSYNC) may brokers advertise the names.
  ['alter-broker-configs', 'update-msk-configuration'],
  ['delete-alarms', 'delete-listener'],
  ['delete-target-group'],
];

export async function applyPlan(clients: AwsClients, config: ClusterConfig, plan: Plan, observed: ObservedState, options: ApplyOptions = {}): Promise<ApplyResult> {
  const limit = pLimit(options.concurrency ?? 8);
  const created: elb.CreatedGroups = new Map();
  const result: ApplyResult = { done: [] };
  const kafkaAccess = { ...options.kafkaAccess, region: observed.cluster.region };

  const run = async (action: Action): Promise<void> => {
    switch (action.type) {
      case 'create-target-group': return elb.createTargetGroup(clients.elbv2, action, created);
      case 'authorize-ingress': return ec2.authorizeIngress(clients.ec2, action);
      case 'modify-ingress': return ec2.modifyIngress(clients.ec2, action);
      case 'revoke-ingress': return ec2.revokeIngress(clients.ec2, action);
      case 'create-listener': return elb.createListener(clients.elbv2, action.loadBalancerArn, action, created);
      case 'modify-listener': return elb.modifyListener(clients.elbv2, action, created);
      case 'register-targets': return elb.registerTargets(clients.elbv2, action, created);
      case 'set-target-group-attributes': return elb.setTargetGroupAttributes(clients.elbv2, action, created);
      case 'set-target-group-health': return elb.setTargetGroupHealth(clients.elbv2, action, created);
      case 'deregister-targets': return elb.deregisterTargets(clients.elbv2, action);
      case 'delete-listener': return elb.deleteListener(clients.elbv2, action);
      case 'delete-target-group': return elb.deleteTargetGroup(clients.elbv2, action);
      case 'change-records':
        result.changeId = await changeRecords(zoneClient(clients, action.hostedZoneRole), action.hostedZoneId, observed.cluster.arn, action.changes, options.dnsWait ?? DEFAULT_DNS_WAIT);
        return;
      case 'await-target-health': {
        const notHealthy = await awaitTargetHealth(clients.elbv2, action, created, options.healthWait ?? DEFAULT_HEALTH_WAIT, options.clock ?? realClock);
        if (notHealthy.length) result.waiting = `waiting for target health: ${notHealthy.join(', ')}; brokers keep their current names until the next run`;
        return;
      }
      case 'verify-data-path': {
        const rows = await checkCluster(clients, config, { kafkaAccess: options.kafkaAccess, skipAdvertised: true });
        const failed = rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.endpoint} ${c.name}: ${c.detail}`));
        if (failed.length) result.waiting = `data path not verified, the rollout waits: ${failed.join('; ')}`;
        return;
      }
      case 'put-alarm': return putAlarm(clients.cloudwatch, action);
      case 'delete-alarms': return deleteAlarms(clients.cloudwatch, action);
      case 'alter-broker-configs': return alterBrokerAdvertised(kafkaAccess, action);
      case 'update-msk-configuration':
        result.operation = await updateMskConfiguration(clients.kafka, observed, action, options.follow ?? DEFAULT_FOLLOW);
        if (result.operation.error) throw new Error(`MSK configuration update ${result.operation.state}: ${result.operation.error}`);
        return;
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
    // The gate held: nothing after it runs (the names stay as they are), and the next run tries again.
    if (result.waiting) return result;
  }
  if (options.verify !== false) result.verification = await verifyAfterApply(config, plan, observed, result, kafkaAccess);
  return result;
}

/** Reads Kafka metadata once the brokers should advertise the custom names (not during a rolling restart). */
async function verifyAfterApply(config: ClusterConfig, plan: Plan, observed: ObservedState, result: ApplyResult, access: KafkaAccess) {
  const altered = result.done.some((a) => a.type === 'alter-broker-configs');
  const configured = result.operation && !result.operation.stillRunning;
  const brokers = observed.advertised?.brokers ?? [];
  if ((!altered && !configured) || !brokers.length) return undefined;
  const expected = expectedAdvertised(config, plan, brokers.map((b) => b.endpoint.id));
  return verifyAdvertised(access, brokers[0].endpoint, expected, brokers.map((b) => b.endpoint));
}
