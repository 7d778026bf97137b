import { planCertificateDeletions } from './managed-certificates';
import type { ResolvedCluster } from '../listeners';
import type { DesiredState } from '../desired';

import type { ObservedState } from '../state';
import { planAlarms } from './alarms';
import { planIngress } from './ingress';
import { planNetwork } from './network';
import { planClusterRestore } from './plan';
import { planRecords } from './records';
import { stillAdvertised } from './still-advertised';
import type { Action, Plan } from './types';

/** The actions of a destroy plan that send brokers back to their AWS names: applied before anything is deleted. */
export function isRestoreAction(action: Action): boolean {
  return action.type === 'alter-broker-configs' || action.type === 'update-msk-configuration';
}

/**
 * Pure: the way out. First the restore (brokers back to their AWS names), then everything the
 * tool owns, found by its tags and TXT registry, planned against an empty desired state: the same
 * planners that delete what a scale-in leaves, so nothing foreign is ever in the plan.
 *
 * Nothing is deleted while a broker still advertises one of the cluster's names (its clients would
 * be reset): in dynamic mode the restore in the same run removes the overrides, so the teardown is
 * planned against the brokers as the restore leaves them; in msk-configuration mode brokers move
 * only with a rolling restart, so the teardown waits for a later run, and the plan says what to run.
 */
export function planClusterDestroy(config: ResolvedCluster, observed: ObservedState): Plan {
  const restore = planClusterRestore(config, observed);
  if (restore.status === 'waiting') {
    return { ...restore, actions: [], waitingReason: `cluster is ${observed.cluster.state}; destroy changes nothing until it is ACTIVE again` };
  }
  const after = afterRestore(observed, restore.actions);
  const teardown = planTeardown(config, after);
  const held = teardown.heldConflicts.length ? heldNames(after, teardown.heldConflicts) : [];
  const name = observed.cluster.name;
  // A broker whose configs could not be read may advertise anything: nothing is deleted under it.
  const unreadable = restore.conflicts.length > 0;
  if (held.length || unreadable) {
    const rollingRestart = restore.pending.length > 0 || restore.actions.some((a) => a.type === 'update-msk-configuration');
    const next = rollingRestart
      ? restore.pending.length
        ? `run \`msk-custom-domain destroy --cluster ${name} --allow-rolling-restart --yes\` (every broker restarts onto its AWS names), then \`destroy --cluster ${name} --yes\` again once the MSK operation completed`
        : `run \`msk-custom-domain destroy --cluster ${name} --yes\` again once the MSK operation of this run completed`
      : unreadable
        ? 'fix the conflicts above, then run destroy again'
        : `run \`msk-custom-domain restore --cluster ${name}\`, then destroy again`;
    const why = held.length
      ? `while brokers still advertise its names (${held.join(', ')}): deleting them would reset those brokers' clients`
      : 'while what brokers advertise is unknown (see the conflicts above)';
    return { ...restore, conflicts: [...restore.conflicts, { resource: 'destroy', message: `nothing of the tool's is deleted ${why}; ${next}` }] };
  }
  return { ...restore, actions: [...restore.actions, ...teardown.actions], warnings: [...restore.warnings, ...teardown.warnings] };
}

/**
 * The listeners, groups, records (with their TXT registry), ingress rules and alarms of the
 * cluster that nothing wants: all of them. The config's listeners stay in view only for their
 * labels and their zones' cross-account roles; no endpoint is wanted.
 */
function planTeardown(config: ResolvedCluster, observed: ObservedState) {
  const desired: DesiredState = { listeners: config.mapped, endpoints: [] };
  const held = stillAdvertised(observed);
  const network = planNetwork(desired, observed, held);
  const records = planRecords(desired, observed, new Set(), held);
  const ingress = planIngress({ listeners: [], endpoints: [] }, observed);
  const alarms = planAlarms({ ...config, alarms: { ...config.alarms, enabled: false } }, observed);
  // Managed mode: the tool's certificates go too, once no listener presents them (apply deletes them last).
  const certificates = planCertificateDeletions(observed, [], network.actions);
  const dns: Action[] = records.batches.map((b) => ({
    type: 'change-records',
    resource: records.batches.length > 1 ? `dns ${b.hostedZoneId}` : 'dns',
    hostedZoneId: b.hostedZoneId,
    ...(b.hostedZoneRole ? { hostedZoneRole: b.hostedZoneRole } : {}),
    changes: b.changes,
  }));
  return {
    // Apply orders them: ingress, names (then INSYNC), alarms and listeners, then target groups.
    actions: [...ingress, ...dns, ...network.actions, ...alarms.actions, ...certificates.actions],
    warnings: [...network.warnings, ...alarms.warnings, ...certificates.warnings],
    heldConflicts: [...network.conflicts, ...records.conflicts].map((c) => c.resource),
  };
}

/** What brokers advertise once the restore's per-broker changes are made (dynamic mode: at once, in the same run). */
function afterRestore(observed: ObservedState, actions: Action[]): ObservedState {
  const advertised = observed.advertised;
  if (!advertised) return observed;
  const restored = new Map(actions.flatMap((a) => (a.type === 'alter-broker-configs' && a.purpose === 'remove-override' ? [[a.endpoint.id, a.after] as const] : [])));
  const brokers = advertised.brokers.map((broker) => {
    const value = restored.get(broker.endpoint.id);
    if (value === undefined || !broker.entries) return broker;
    return { ...broker, entries: broker.entries.map((e) => (e.name === 'advertised.listeners' ? { ...e, value } : e)) };
  });
  return { ...observed, advertised: { ...advertised, brokers } };
}

/** The names and listener ports kept for brokers that still advertise them, for the refusal. */
function heldNames(observed: ObservedState, resources: string[]): string[] {
  // One entry per advertised name, not per record and listener.
  const held = stillAdvertised(observed);
  const names = resources.flatMap((r) => {
    const record = /^record (.+)$/.exec(r);
    const port = /^listener :(\d+)$/.exec(r);
    const e = record ? held.byName(record[1]) : port ? held.byPort(Number(port[1])) : undefined;
    return e ? [`${e.host}:${e.port}`] : [];
  });
  return names.length ? [...new Set(names)].sort() : resources;
}
