import type { ClusterConfig } from '../config/schema';
import { desiredState } from '../desired';
import { UnsupportedClusterError } from '../errors';
import { ownedTargetGroup, type ObservedState } from '../state';
import { uncoveredHosts } from './certificate';
import { planAdvertised, planRestore, type AdvertisedPlanOptions } from './advertised';
import { planAlarms } from './alarms';
import { checkLimits } from './limits';
import { planNetwork } from './network';
import { planRecords } from './records';
import { planIngress } from './ingress';
import { securityGroupWarnings } from './security-groups';
import { roleKey } from '../naming';
import type { Action, Plan } from './types';

/**
 * Pure: config + observed state -> the actions that make AWS match the brokers.
 * Throws PlanError/UnsupportedClusterError before anything is written when the
 * cluster cannot be mapped at all.
 */
export function planCluster(config: ClusterConfig, observed: ObservedState, options: AdvertisedPlanOptions = {}): Plan {
  const { cluster } = observed;
  if (cluster.clusterType === 'SERVERLESS') {
    throw new UnsupportedClusterError(`${cluster.name} is an MSK Serverless cluster: not supported, serverless clusters have no brokers to map`);
  }
  const desired = desiredState(config, observed);
  checkLimits(config, desired, observed);

  const ingress = planIngress(config, desired, observed);
  const network = planNetwork(config, desired, observed);
  const records = planRecords(config, desired, observed, network.blocked);
  const alarms = planAlarms(config, observed);
  const advertised = planAdvertised(config, desired, observed, network.blocked, options);
  const warnings = [
    ...certificateWarnings(observed, desired.endpoints.map((e) => e.host)),
    // With loadBalancerIngress the tool's own rule covers every listener port.
    ...(config.loadBalancerIngress ? [] : securityGroupWarnings(desired, observed)),
    ...alarms.warnings,
    ...advertised.warnings,
  ];
  if (config.authentication === 'tls') {
    warnings.push(
      'authentication tls (mutual TLS): the NLB TLS listeners terminate TLS, so client certificates never reach the brokers; ' +
        'mTLS clients will fail to authenticate through the custom names. Use IAM or SASL/SCRAM behind this NLB',
    );
  }
  const missingIps = cluster.brokers.filter((b) => !b.clientIp).map((b) => b.id);
  if (missingIps.length) warnings.push(`broker(s) ${missingIps.join(', ')} have no client IP yet: listener and name prepared, targets follow once MSK reports the IP`);

  const actions: Action[] = [...ingress, ...network.actions];
  if (records.changes.length) actions.push({ type: 'change-records', resource: 'dns', changes: records.changes });
  actions.push(...healthGate(advertised.actions, network.actions, observed), ...advertised.actions, ...alarms.actions);

  const status = clusterStatus(observed);
  return {
    ...status,
    // While MSK changes the cluster, only additions are made (new brokers' listeners, names, targets).
    actions: status.status === 'waiting' ? additiveOnly(actions) : actions,
    conflicts: [...network.conflicts, ...records.conflicts, ...advertised.conflicts],
    warnings,
    pending: advertised.pending,
  };
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
      case 'create-listener':
      case 'set-target-group-attributes':
      case 'register-targets':
      case 'authorize-ingress':
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
function healthGate(advertised: Action[], network: Action[], observed: ObservedState): Action[] {
  const brokerIds = new Set<number>();
  for (const a of advertised) {
    if (a.type === 'alter-broker-configs' && a.purpose === 'advertise') brokerIds.add(a.endpoint.id);
    if (a.type === 'update-msk-configuration' && a.after) observed.cluster.brokers.forEach((b) => brokerIds.add(b.id));
  }
  const targets = [...brokerIds]
    .sort((a, b) => a - b)
    .flatMap((id) => {
      const ip = observed.cluster.brokers.find((b) => b.id === id)?.clientIp;
      const key = roleKey({ brokerId: id });
      const group = ownedTargetGroup(observed, key);
      const seenHealthy = group?.targets.some((t) => t.ip === ip && t.state === 'healthy');
      const created = network.find((n) => n.type === 'create-target-group' && n.resource === key);
      const name = group?.name ?? (created?.type === 'create-target-group' ? created.name : undefined);
      return ip && !seenHealthy && name ? [{ resource: key, targetGroup: { name, arn: group?.arn }, ip }] : [];
    });
  const gate: Action[] = targets.length ? [{ type: 'await-target-health', resource: 'advertised names', targets }] : [];
  // The first rollout restarts every broker onto the custom names: the whole path is checked first.
  const firstRollout = advertised.some((a) => a.type === 'update-msk-configuration' && a.after && !a.before);
  return firstRollout ? [...gate, { type: 'verify-data-path', resource: 'advertised names' }] : gate;
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
export function planClusterRestore(config: ClusterConfig, observed: ObservedState): Plan {
  const status = clusterStatus(observed);
  const restore = planRestore(config, observed);
  // Broker configs are not touched while MSK itself is changing the brokers.
  return { ...status, ...restore, actions: status.status === 'waiting' ? [] : restore.actions };
}

function certificateWarnings(observed: ObservedState, hosts: string[]): string[] {
  if (!observed.certificate) return [];
  const missing = uncoveredHosts(observed.certificate, hosts);
  if (!missing.length) return [];
  return [
    `certificate ${observed.certificate.domainName} does not cover ${missing.join(', ')}: clients of ${missing.length === 1 ? 'that name' : 'those names'} will fail the TLS handshake; add the names (or a wildcard *.<domain>) to the certificate`,
  ];
}
