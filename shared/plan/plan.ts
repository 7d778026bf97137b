import type { ClusterConfig } from '../config/schema';
import { desiredState } from '../desired';
import { UnsupportedClusterError } from '../errors';
import type { ObservedState } from '../state';
import { uncoveredHosts } from './certificate';
import { planAdvertised, planRestore } from './advertised';
import { planAlarms } from './alarms';
import { checkLimits } from './limits';
import { planNetwork } from './network';
import { planRecords } from './records';
import { securityGroupWarnings } from './security-groups';
import { fqdn, hostName, registryName, roleKey } from '../naming';
import type { Action, Plan } from './types';

/**
 * Pure: config + observed state -> the actions that make AWS match the brokers.
 * Throws PlanError/UnsupportedClusterError before anything is written when the
 * cluster cannot be mapped at all.
 */
export function planCluster(config: ClusterConfig, observed: ObservedState): Plan {
  const { cluster } = observed;
  if (cluster.clusterType === 'SERVERLESS') {
    throw new UnsupportedClusterError(`${cluster.name} is an MSK Serverless cluster: not supported, serverless clusters have no brokers to map`);
  }
  const desired = desiredState(config, observed);
  checkLimits(config, desired, observed);

  const network = planNetwork(config, desired, observed);
  const records = planRecords(config, desired, observed, network.blocked);
  const alarms = planAlarms(config, observed);
  const advertised = planAdvertised(config, desired, observed, network.blocked);
  const warnings = [
    ...certificateWarnings(observed, desired.endpoints.map((e) => e.host)),
    ...securityGroupWarnings(desired, observed),
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

  const actions: Action[] = [...network.actions];
  if (records.changes.length) actions.push({ type: 'change-records', resource: 'dns', changes: records.changes });
  actions.push(...advertised.actions, ...alarms.actions);

  const status = clusterStatus(observed);
  return {
    ...status,
    // While MSK changes the cluster, only new brokers' listeners and names are prepared.
    actions: status.status === 'waiting' ? prepareOnly(actions, config, observed) : actions,
    conflicts: [...network.conflicts, ...records.conflicts, ...advertised.conflicts],
    warnings,
    pending: advertised.pending,
  };
}

/**
 * The part of a plan that is safe while the cluster is not ACTIVE: creating the target group,
 * listener and DNS name of brokers a scale-out announces. Targets (no IPs yet), deletions,
 * advertised listeners and alarms wait for ACTIVE.
 */
function prepareOnly(actions: Action[], config: ClusterConfig, { cluster }: ObservedState): Action[] {
  const existing = new Set(cluster.brokers.map((b) => b.id));
  const announced = (cluster.announcedBrokerIds ?? []).filter((id) => !existing.has(id));
  const keys = new Set(announced.map((id) => roleKey({ brokerId: id })));
  const names = new Set(announced.flatMap((id) => [fqdn(hostName(config, { brokerId: id })), registryName(hostName(config, { brokerId: id }))]));
  return actions.flatMap((action): Action[] => {
    if (action.type === 'create-target-group' || action.type === 'create-listener') return keys.has(action.resource) ? [action] : [];
    if (action.type !== 'change-records') return [];
    const changes = action.changes.filter((c) => c.action === 'CREATE' && names.has(c.record.name));
    return changes.length ? [{ ...action, changes }] : [];
  });
}

/** Changes are applied only to an ACTIVE cluster; otherwise the plan says why it waits. */
function clusterStatus({ cluster }: ObservedState): Pick<Plan, 'clusterArn' | 'clusterName' | 'status' | 'waitingReason'> {
  const waiting = cluster.state !== 'ACTIVE';
  return {
    clusterArn: cluster.arn,
    clusterName: cluster.name,
    status: waiting ? 'waiting' : 'ready',
    waitingReason: waiting
      ? `cluster is ${cluster.state}; changes are applied once it is ACTIVE again (the next event or scheduled run picks them up)` +
        (cluster.announcedBrokerIds?.length ? `; meanwhile listeners and names are prepared for announced broker(s) ${cluster.announcedBrokerIds.join(', ')}` : '')
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
