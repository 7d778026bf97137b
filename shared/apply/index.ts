import { zoneClient, type AwsClients } from '../aws/clients';
import type { ResolvedCluster } from '../listeners';
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
import * as acm from './acm';
import { planValidationRecords } from '../plan/validation-records';
import { registryOwner } from '../plan/records';
import { recordsIn } from '../state';

export { describeAction };

export interface ApplyOptions {
  /** Time for the bounded waits of apply (default: real time). */
  clock?: Clock;
  /** How long the health gate waits for targets before brokers advertise custom names. */
  healthWait?: FollowOptions;
  dnsWait?: DnsWaitOptions;
  /** How long a requested certificate may take to be ISSUED before its listeners wait for the next run. */
  certificateWait?: FollowOptions;
  kafkaAccess?: KafkaAccessOptions;
  /** How long to follow an MSK configuration update (a rolling restart) before leaving it to the next run. */
  follow?: FollowOptions;
  /** Read Kafka metadata after advertised changes (default true; restore has nothing custom to expect). */
  verify?: boolean;
}

export interface ApplyResult {
  done: Action[];
  /** The last Route 53 change awaited (see changeIds). */
  changeId?: string;
  /** Every Route 53 change awaited, in the order sent (a zone's changes may need several requests). */
  changeIds: string[];
  operation?: OperationOutcome;
  /** What brokers advertise after the change, per broker (dynamic mode, or a finished configuration update). */
  verification?: AdvertisedCheck[];
  /** Set when the health gate held the rest back: why (targets not healthy yet). The next run continues. */
  waiting?: string;
  /** Changes left to a later run without failing this one (a certificate ACM still counts as in use). */
  deferred?: string[];
  /** ARNs of what this apply created: target groups by name, listeners by port (for the resulting table). */
  /** ARNs of what apply created: target groups by name, listeners by `<load balancer ARN> <port>` (createdListenerKey). */
  created: { targetGroups: Record<string, string>; listeners: Record<string, string>; certificates?: Record<string, string> };
}

/**
 * A unit of apply's work: an action, the second half of creating a target group (its attributes),
 * or new names that go live only once the health gate passed.
 */
type Step = ActionType | 'new-target-group-attributes' | 'new-names' | 'old-names';

/** The steps an action takes part in. */
function stepsOf(action: Action): Step[] {
  if (action.type === 'create-target-group') return [action.type, 'new-target-group-attributes'];
  if (action.type === 'change-records' && action.afterHealth) return ['new-names'];
  if (action.type === 'change-records' && action.cleanup) return ['old-names'];
  return [action.type];
}

/**
 * Dependency order. Creating: ingress + target group -> listener + targets + the new group's attributes -> DNS (then INSYNC) -> health gate -> advertised listeners.
 * Deleting listeners runs after DNS stops pointing at their ports, then their target groups. (The
 * tool's ingress rule changes in place in phase 1; it only narrows once the cluster is ACTIVE.)
 * A phase starts only when every action of the one before it succeeded. Calls queue per service
 * (aws/concurrency.ts), so a phase with many actions is bounded by the clients, not here.
 */
/** Key of a created listener in ApplyResult.created: ports repeat across load balancers. */
export function createdListenerKey(loadBalancerArn: string, port: number): string {
  return `${loadBalancerArn} ${port}`;
}

const PHASES: Step[][] = [
  // Certificates first and alone: ISSUED (waited for, bounded) before any listener may present one,
  // and a CA that cannot issue stops the apply before anything else is written.
  ['request-certificate', 'await-certificate'],
  // Ingress first: nothing depends on it, and it must admit clients before a name leads to the port.
  ['create-target-group', 'authorize-ingress', 'modify-ingress', 'revoke-ingress'],
  // Cross-zone is on before a name can send clients to the group: a new group's attributes go beside its listener.
  ['create-listener', 'new-target-group-attributes', 'set-target-group-attributes', 'set-target-group-health', 'register-targets', 'deregister-targets'],
  // A live listener is retargeted only once its new group has its targets and attributes.
  ['change-records', 'modify-listener'],
  ['await-target-health'],
  // New names go live behind healthy targets only (plan/names-behind-health.ts).
  ['new-names'],
  ['verify-data-path'],
  // Only once every listener, target and name is in place (and DNS INSYNC) may brokers advertise the names.
  ['alter-broker-configs', 'update-msk-configuration'],
  // Names left in a zone the config no longer names: once the new ones are live and advertised, before their listeners go.
  ['old-names'],
  ['delete-alarms', 'delete-listener', 'retire-listener'],
  // A certificate goes once no listener presents it: after listeners were switched or deleted.
  ['delete-target-group', 'delete-certificate'],
];

/**
 * Alarms depend on nothing but the broker id (and nothing depends on them): they are written from
 * the first phase on, beside the others, and waited for only at the end, so neither the phases'
 * writes nor the INSYNC wait hold them back, nor they the names. Their deletions stay in the phases,
 * and wait for these writes (an old alarm may be the one a new one replaces).
 */
const ALONGSIDE: Step[] = ['put-alarm'];

interface Outcome {
  done: Action[];
  failures: string[];
  causes: unknown[];
}

export async function applyPlan(clients: AwsClients, config: ResolvedCluster, plan: Plan, observed: ObservedState, options: ApplyOptions = {}): Promise<ApplyResult> {
  const created: elb.CreatedGroups = new Map();
  const certificates: acm.CreatedCertificates = new Map();
  const result: ApplyResult = { done: [], changeIds: [], created: { targetGroups: {}, listeners: {} } };
  const kafkaAccess = { ...options.kafkaAccess, region: observed.cluster.region };

  /** A public certificate's validation CNAMEs, as the plan would write them (owned, never over another's), right after its request. */
  const publishValidation: acm.PublishValidationRecords = async (action, arn, records) => {
    const zone = action.validation!;
    const conflicts: { resource: string; message: string }[] = [];
    const wanted = records.map((record) => ({ hostedZoneId: zone.hostedZoneId, record, certificate: arn }));
    const { changes } = planValidationRecords(wanted, recordsIn(observed, zone.hostedZoneId), observed.cluster.arn, registryOwner, conflicts);
    if (conflicts.length) (result.deferred ??= []).push(...conflicts.map((c) => `${c.resource}: ${c.message}`));
    if (!changes.length) return;
    result.changeIds.push(...(await changeRecords(zoneClient(clients, zone.hostedZoneRole), zone.hostedZoneId, observed.cluster.arn, changes, options.dnsWait ?? DEFAULT_DNS_WAIT)));
  };

  const run = async (action: Action, step: Step): Promise<void> => {
    if (step === 'new-target-group-attributes') {
      if (action.type === 'create-target-group') await elb.setNewTargetGroupAttributes(clients.elbv2, action, created);
      return;
    }
    switch (action.type) {
      case 'create-target-group':
        await elb.createTargetGroup(clients.elbv2, action, created);
        result.created.targetGroups[action.name] = created.get(action.name)!;
        return;
      case 'authorize-ingress': return ec2.authorizeIngress(clients.ec2, action);
      case 'modify-ingress': return ec2.modifyIngress(clients.ec2, action);
      case 'revoke-ingress': return ec2.revokeIngress(clients.ec2, action);
      case 'request-certificate':
        try {
          (result.created.certificates ??= {})[action.name] = await acm.requestCertificate(clients.acm, action, certificates, options.certificateWait ?? acm.DEFAULT_CERTIFICATE_WAIT, options.clock ?? realClock, publishValidation);
        } catch (error) {
          // A retry after a failure: no listener of this plan waits for it, so the rest goes on.
          if (!action.retry) throw error;
          (result.deferred ??= []).push(`${describeAction(action)}: ${errorMessage(error)}`);
        }
        return;
      case 'await-certificate': return acm.awaitCertificate(clients.acm, action, options.certificateWait ?? acm.DEFAULT_CERTIFICATE_WAIT, options.clock ?? realClock);
      case 'delete-certificate': {
        const deferred = await acm.deleteCertificate(clients.acm, action);
        if (deferred) (result.deferred ??= []).push(deferred);
        return;
      }
      case 'create-listener':
        result.created.listeners[createdListenerKey(action.loadBalancerArn, action.port)] = await elb.createListener(clients.elbv2, action, created, certificates);
        return;
      case 'modify-listener': return elb.modifyListener(clients.elbv2, action, created, certificates);
      case 'register-targets': return elb.registerTargets(clients.elbv2, action, created);
      case 'set-target-group-attributes': return elb.setTargetGroupAttributes(clients.elbv2, action, created);
      case 'set-target-group-health': return elb.setTargetGroupHealth(clients.elbv2, action, created);
      case 'deregister-targets': return elb.deregisterTargets(clients.elbv2, action);
      case 'retire-listener': return elb.retireListener(clients.elbv2, action);
      case 'delete-listener': return elb.deleteListener(clients.elbv2, action);
      case 'delete-target-group': return elb.deleteTargetGroup(clients.elbv2, action);
      case 'change-records': {
        const ids = await changeRecords(zoneClient(clients, action.hostedZoneRole), action.hostedZoneId, observed.cluster.arn, action.changes, options.dnsWait ?? DEFAULT_DNS_WAIT);
        result.changeIds.push(...ids);
        if (ids.length) result.changeId = ids[ids.length - 1];
        return;
      }
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
      case 'delete-alarms': {
        // An alarm whose definition moved to a new name (another metric) goes only once its
        // replacement is written: no moment without one. A failed write keeps every old alarm.
        const side = await alongside;
        if (side.failures.length) throw new Error(`not deleted: ${side.failures.length} alarm write(s) of this run failed, and an alarm stays until the one replacing it exists`);
        return deleteAlarms(clients.cloudwatch, action);
      }
      case 'alter-broker-configs': return alterBrokerAdvertised(kafkaAccess, action);
      case 'update-msk-configuration':
        result.operation = await updateMskConfiguration(clients.kafka, observed, action, options.follow ?? DEFAULT_FOLLOW);
        if (result.operation.error) throw new Error(`MSK configuration update ${result.operation.state}: ${result.operation.error}`);
        return;
    }
  };

  /** Runs every action of the steps in parallel; never rejects. A new group's attributes are part of its creation, not a change of their own. */
  const runSteps = async (steps: Step[]): Promise<Outcome> => {
    const units = plan.actions.flatMap((action) => stepsOf(action).filter((step) => steps.includes(step)).map((step) => ({ action, step })));
    const settled = await Promise.allSettled(units.map((u) => run(u.action, u.step)));
    const outcome: Outcome = { done: [], failures: [], causes: [] };
    settled.forEach((s, i) => {
      const { action, step } = units[i];
      const partOf = step === 'new-target-group-attributes';
      if (s.status === 'fulfilled') {
        if (!partOf) outcome.done.push(action);
        return;
      }
      outcome.failures.push(`${describeAction(action)}${partOf ? ' (its attributes)' : ''}: ${errorMessage(s.reason)}`);
      outcome.causes.push(s.reason);
    });
    return outcome;
  };

  const alongside = runSteps(ALONGSIDE);
  let stopped: Outcome | undefined;
  for (const phase of PHASES) {
    const outcome = await runSteps(phase);
    result.done.push(...outcome.done);
    if (outcome.failures.length) {
      stopped = outcome;
      break;
    }
    // The gate held: nothing after it runs (the names stay as they are), and the next run tries again.
    if (result.waiting) break;
  }
  const side = await alongside;
  result.done.push(...side.done);
  const failures = [...(stopped?.failures ?? []), ...side.failures];
  if (failures.length) {
    throw Object.assign(
      new ApplyError(
        `${failures.length} change(s) to ${plan.clusterName} failed; ${result.done.length} done${stopped ? ', later steps not started' : ''} (the next run picks up from here):\n` +
          failures.map((f) => `  - ${f}`).join('\n'),
        { cause: [...(stopped?.causes ?? []), ...side.causes][0] },
      ),
      { result },
    );
  }
  if (result.waiting) return result;
  if (options.verify !== false) result.verification = await verifyAfterApply(config, plan, observed, result, kafkaAccess);
  return result;
}

/** Reads Kafka metadata once the brokers should advertise the custom names (not during a rolling restart). */
async function verifyAfterApply(config: ResolvedCluster, plan: Plan, observed: ObservedState, result: ApplyResult, access: KafkaAccess) {
  const altered = result.done.some((a) => a.type === 'alter-broker-configs');
  const configured = result.operation && !result.operation.stillRunning;
  const brokers = observed.advertised?.brokers ?? [];
  if ((!altered && !configured) || !brokers.length) return undefined;
  const expected = expectedAdvertised(config, plan, brokers.map((b) => b.endpoint.id));
  return verifyAdvertised(access, brokers[0].endpoint, expected, brokers.map((b) => b.endpoint));
}
