import type { ResolvedCluster } from '../listeners';
import { desiredState, type DesiredState } from '../desired';
import { PlanError, UnsupportedClusterError } from '../errors';
import { ownedTargetGroup, type ObservedState } from '../state';
import { planAdvertised, planRestore, type AdvertisedPlanOptions } from './advertised';
import { planAlarms } from './alarms';
import { checkCertificateQuota, checkLimits } from './limits';
import { planCertificateDeletions, planManagedCertificates, validationRecordsToKeep, type Awaiting } from './managed-certificates';
import { planNetwork, type NetworkPlanOptions } from './network';
import { planRecords } from './records';
import { stillAdvertised } from './still-advertised';
import { stillNamed } from './moves';
import { planIngress } from './ingress';
import { securityGroupWarnings } from './security-groups';
import { gateTargetGroup, namesBehindHealth, type GateTarget, type ZoneChanges } from './names-behind-health';
import { planPreconditions } from './preconditions';
import type { Action, Plan } from './types';

/** A person's explicit go-aheads from the CLI (the Lambda never gives them). */
export type PlanOptions = AdvertisedPlanOptions & NetworkPlanOptions;

/**
 * Pure: config + observed state -> the actions that make AWS match the brokers.
 * Throws PlanError/UnsupportedClusterError before anything is written when the
 * cluster cannot be mapped at all.
 */
export function planCluster(config: ResolvedCluster, observed: ObservedState, options: PlanOptions = {}): Plan {
  const { cluster } = observed;
  if (cluster.clusterType === 'SERVERLESS') {
    throw new UnsupportedClusterError(`${cluster.name} is an MSK Serverless cluster: not supported, serverless clusters have no brokers to map`);
  }
  const desired = desiredState(config, observed);
  checkClientListeners(desired, observed);
  checkLimits(desired, observed);

  const ingress = planIngress(desired, observed);
  // Names and ports brokers still advertise are not deleted under their clients.
  const held = stillAdvertised(observed);
  // Managed mode: which certificate each endpoint presents, and what ACM must issue first.
  const certificates = planManagedCertificates(config, desired, observed);
  checkCertificateQuota(config, desired, observed, certificates.byEndpoint);
  const network = planNetwork(desired, observed, held, { ...options, certificates: certificates.byEndpoint, awaitingCertificate: certificates.awaiting });
  const unusedCertificates = planCertificateDeletions(observed, [...certificates.byEndpoint.values(), ...certificates.validating], network.actions);
  // Public certificates: ACM's validation CNAMEs stay while a certificate of ours needs them (to be issued, or renewed).
  const validation = validationRecordsToKeep(config, observed, [...certificates.actions, ...unusedCertificates.actions]);
  // An endpoint the NLB can never carry (a broker in a zone it is not enabled in, a public listener
  // without public access, broker security groups shut to it) keeps its listener, group and target
  // ready, but its name is neither published nor advertised until the precondition holds.
  const preconditions = planPreconditions(desired, observed);
  const blocked = new Set([...network.blocked, ...preconditions.blocked]);
  const records = planRecords(desired, observed, blocked, held, validation);
  const alarms = planAlarms(config, observed);
  const advertised = planAdvertised(config, desired, observed, blocked, options);
  const awaiting = awaitingLines(certificates.awaiting);
  const warnings = [
    ...(observed.notes ?? []),
    ...securityGroupWarnings(desired, observed),
    ...network.warnings,
    ...unusedCertificates.warnings,
    ...alarms.warnings,
    ...advertised.warnings,
  ];
  for (const listener of desired.listeners.filter((l) => l.authentication.startsWith('tls'))) {
    warnings.push(
      `${listener.label}authentication ${listener.authentication} (mutual TLS): the NLB TLS listeners terminate TLS, so client certificates never reach the brokers; ` +
        'mTLS clients will fail to authenticate through the custom names. Use IAM or SASL/SCRAM behind this NLB',
    );
  }
  const missingIps = cluster.brokers.filter((b) => !b.clientIp).map((b) => b.id);
  if (missingIps.length) warnings.push(`broker(s) ${missingIps.join(', ')} have no client IP yet: listener prepared, targets (and names, once healthy) follow once MSK reports the IP`);
  // Names left in a zone the config no longer names go last, once the new names are live (moves.ts).
  const formerZones = records.batches.filter((b) => b.former);
  const names = namesBehindHealth(records.batches.filter((b) => !b.former), desired, observed, network.actions, config.advertisedListeners, stillNamed(desired, observed).moving);
  if (names.waitingForTarget.length) warnings.push(`${names.waitingForTarget.join(', ')}: no target yet, so no name yet; it goes live once its target is registered and healthy`);

  const actions: Action[] = [...certificates.actions, ...ingress, ...network.actions, ...unusedCertificates.actions];
  const zones = new Set([...names.now, ...names.afterHealth].map((b) => b.hostedZoneId)).size;
  actions.push(...names.now.map((batch) => recordsAction(batch, zones)));
  actions.push(...healthGate(advertised.actions, network.actions, desired, observed, names.targets));
  actions.push(...names.afterHealth.map((batch) => recordsAction(batch, zones, true)), ...advertised.actions, ...alarms.actions);
  actions.push(...formerZones.map((batch) => formerZoneAction(batch)));

  const status = clusterStatus(observed);
  return {
    ...status,
    // While MSK changes the cluster, only additions are made (new brokers' listeners, names, targets).
    actions: status.status === 'waiting' ? additiveOnly(actions) : actions,
    conflicts: [...certificates.conflicts, ...network.conflicts, ...preconditions.conflicts, ...records.conflicts, ...advertised.conflicts],
    warnings,
    pending: [...advertised.pending, ...network.pending],
    blocked: [...blocked],
    ...(awaiting.length ? { awaiting } : {}),
  };
}

/**
 * One line per certificate the endpoints wait for: `b-10, b-11: certificate … is PENDING_VALIDATION …`.
 * Endpoints behind a certificate ACM refused wait for a person (a conflict says what): not listed.
 */
function awaitingLines(awaiting: Map<string, Awaiting>): string[] {
  const byReason = new Map<string, string[]>();
  for (const [key, { reason, refused }] of awaiting) if (!refused) byReason.set(reason, [...(byReason.get(reason) ?? []), key]);
  return [...byReason].map(([reason, keys]) => `${keys.join(', ')}: no listener or name until its certificate is ISSUED (${reason})`);
}

/**
 * The part of a plan that is safe while the cluster is not ACTIVE: additions only. MSK gives
 * brokers joining a scale-out their custom.advertised.listeners as they join, so their target
 * group, listener, name and target must exist as soon as ListNodes shows their IP; nothing is
 * deleted, deregistered, retargeted or re-advertised until ACTIVE.
 */
function additiveOnly(actions: Action[]): Action[] {
  return actions.flatMap((action): Action[] => {
    switch (action.type) {
      case 'create-target-group':
      // A joining broker's listener needs its certificate before it can exist.
      case 'request-certificate':
      case 'await-certificate':
      case 'create-listener':
      case 'set-target-group-attributes':
      case 'register-targets':
      case 'authorize-ingress':
      // Not a write: new names wait behind it while MSK works as at any other time.
      case 'await-target-health':
        return [action];
      case 'modify-ingress': {
        // Widening admits a joining broker's port; narrowing waits with the other removals.
        const widens = action.source === action.was.source && action.fromPort <= action.was.fromPort && action.toPort >= action.was.toPort;
        return widens ? [action] : [];
      }
      case 'change-records': {
        // A CREATE that needs a DELETE beside it (a record type change) waits with the DELETE.
        const replaced = new Set(action.changes.filter((c) => c.action !== 'CREATE').map((c) => c.record.name));
        const changes = action.changes.filter((c) => c.action === 'CREATE' && !replaced.has(c.record.name));
        return changes.length ? [{ ...action, changes }] : [];
      }
      default:
        return [];
    }
  });
}

/**
 * Before brokers switch to custom names, the targets behind those names must be healthy (AWS's
 * guidance for custom.advertised.listeners: networking in place and verified first). Pure: a
 * wait is planned only for targets not already seen healthy.
 */
function recordsAction(batch: ZoneChanges, zones: number, afterHealth = false): Action {
  const resource = `${zones > 1 ? `dns ${batch.hostedZoneId}` : 'dns'}${afterHealth ? ' (new names, once healthy)' : ''}`;
  return { type: 'change-records', resource, hostedZoneId: batch.hostedZoneId, ...(batch.hostedZoneRole ? { hostedZoneRole: batch.hostedZoneRole } : {}), changes: batch.changes, ...(afterHealth ? { afterHealth } : {}) };
}

/** Removal of the tool's names left in a zone the config no longer names (the names moved to another zone). */
function formerZoneAction(batch: ZoneChanges): Action {
  return { type: 'change-records', resource: `dns ${batch.hostedZoneId} (former zone)`, hostedZoneId: batch.hostedZoneId, changes: batch.changes, cleanup: true };
}

function healthGate(advertised: Action[], network: Action[], desired: DesiredState, observed: ObservedState, newNames: GateTarget[]): Action[] {
  const brokerIds = new Set<number>();
  for (const a of advertised) {
    if (a.type === 'alter-broker-configs' && a.purpose === 'advertise') brokerIds.add(a.endpoint.id);
    if (a.type === 'update-msk-configuration' && a.after) observed.cluster.brokers.forEach((b) => brokerIds.add(b.id));
  }
  // Every per-broker name a broker is about to advertise: one per listener that publishes broker names.
  const targets = desired.endpoints
    .filter((e) => e.role !== 'bootstrap' && brokerIds.has(e.role.brokerId))
    .flatMap((endpoint) => {
      const id = (endpoint.role as { brokerId: number }).brokerId;
      const ip = observed.cluster.brokers.find((b) => b.id === id)?.clientIp;
      const group = ownedTargetGroup(observed, endpoint);
      const seenHealthy = group?.targets.some((t) => t.ip === ip && t.state === 'healthy');
      const targetGroup = gateTargetGroup(endpoint, observed, network);
      return ip && !seenHealthy && targetGroup ? [{ resource: endpoint.key, targetGroup, ip }] : [];
    });
  const all = [...newNames, ...targets.filter((t) => !newNames.some((n) => n.resource === t.resource && n.ip === t.ip))];
  const what = [newNames.length ? 'new names' : '', targets.length ? 'advertised names' : ''].filter(Boolean).join(' and ');
  const gate: Action[] = all.length ? [{ type: 'await-target-health', resource: what, targets: all }] : [];
  // A rollout restarts every broker onto names it has not advertised before (a first listener, one
  // added beside another's entry, a changed template): the whole path is checked first. `before`
  // is the whole property, which may hold other listeners' entries, so any change counts.
  const rollout = advertised.some((a) => a.type === 'update-msk-configuration' && a.after !== undefined && a.after !== a.before);
  return rollout ? [...gate, { type: 'verify-data-path', resource: 'advertised names' }] : gate;
}

/**
 * A mapped listener the cluster does not have would lead nowhere (its target port answers
 * nothing, and MSK may refuse its custom.advertised.listeners entry): refused before any write.
 * A `-public` listener is checked like its private twin here; public access is a precondition (preconditions.ts).
 */
function checkClientListeners(desired: DesiredState, observed: ObservedState): void {
  const has = observed.cluster.clientListeners;
  if (!has) return;
  const needs = { iam: 'IAM (SASL/IAM) authentication', scram: 'SASL/SCRAM authentication', tls: 'TLS encryption between clients and brokers' } as const;
  const missing = desired.listeners.flatMap((l) => {
    const kind = l.authentication.replace(/-public$/, '') as keyof typeof needs;
    return has[kind] ? [] : [`${l.label || ''}${l.authentication}: the cluster has no ${needs[kind]} (${l.clientListenerName}); enable it on the cluster, or remove the listener from the config`];
  });
  if (missing.length) throw new PlanError(`cannot map cluster ${observed.cluster.name}; nothing was changed:\n${missing.map((m) => `  - ${m}`).join('\n')}`);
}

/** Changes are applied only to an ACTIVE cluster; otherwise the plan says why it waits. */
function clusterStatus({ cluster }: ObservedState): Pick<Plan, 'clusterArn' | 'clusterName' | 'status' | 'waitingReason'> {
  const waiting = cluster.state !== 'ACTIVE';
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: waiting ? 'waiting' : 'ready',
    waitingReason: waiting
      ? `cluster is ${cluster.state}; only additions are made until it is ACTIVE again (listeners, names and targets of new brokers), the rest follows on the next run after that` +
        (cluster.announcedBrokerIds?.length ? `; announced broker(s): ${cluster.announcedBrokerIds.join(', ')}` : '')
      : undefined,
  };
}

/** Pure: the rescue plan, brokers back to their AWS names (see planRestore). */
export function planClusterRestore(config: ResolvedCluster, observed: ObservedState): Plan {
  const status = clusterStatus(observed);
  const restore = planRestore(config, observed);
  // Broker configs are not touched while MSK itself is changing the brokers.
  return { ...status, ...restore, actions: status.status === 'waiting' ? [] : restore.actions };
}
