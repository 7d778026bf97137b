import type { ObservedAdvertised } from '../advertised/observe';
import { planConfigurationChange, type ConfigurationChange } from '../advertised/configuration-plan';
import { revisionDescription } from '../advertised/msk-configuration';
import {
  advertisedListenersTemplate,
  CUSTOM_ADVERTISED_LISTENERS,
  CustomListenersError,
  getProperty,
  mergeCustomEntries,
  removeCustomEntries,
  removeProperty,
  setProperty,
  type WantedEntry,
} from '../advertised/server-properties';
import type { ResolvedCluster } from '../listeners';
import { endpointKey, type DesiredState } from '../desired';
import { perBrokerListeners } from '../listeners';
import { planAdvertisedListeners, removeOverride, type DynamicConfigPlan, type WantedListener } from '../kafka/dynamic-config';
import type { ObservedState } from '../state';
import { ownEntriesNoLongerMapped, ownOverridesNoLongerMapped } from './still-advertised';
import type { Action, Conflict } from './types';

export interface AdvertisedPlan {
  actions: Action[];
  conflicts: Conflict[];
  warnings: string[];
  pending: string[];
}

const empty = (): AdvertisedPlan => ({ actions: [], conflicts: [], warnings: [], pending: [] });

/** One client listener the tool maps to custom names: its MSK listener name, host label template, domain and port base. */
export interface MappedClientListener {
  /** Prefix of this listener's endpoint keys (plans, conflicts): empty when the cluster maps one listener. */
  label: string;
  listenerName: string;
  /** Host label with `{id}`, e.g. b-{id}. */
  hostTemplate: string;
  domain: string;
  portBase: number;
}

/**
 * The client listeners whose per-broker names brokers advertise: everything below (the
 * custom.advertised.listeners merge, the dynamic per-broker plan, verification) works on this list.
 */
export function mappedClientListeners(config: ResolvedCluster): MappedClientListener[] {
  return perBrokerListeners(config).map((l) => ({ label: l.label, listenerName: l.clientListenerName, hostTemplate: l.brokerHostTemplate, domain: l.domain, portBase: l.brokerPortBase }));
}

/** The plan key of a listener's endpoint for one broker (as DesiredEndpoint.key). */
export function brokerEndpointKey(listener: Pick<MappedClientListener, 'label'>, brokerId: number): string {
  return endpointKey(listener, { brokerId });
}

/** What one broker advertises for a mapped listener: host and port (numeric base + id). */
export function listenerEndpoint(listener: MappedClientListener, brokerId: number): WantedListener {
  return { listenerName: listener.listenerName, host: `${listener.hostTemplate.replace('{id}', String(brokerId))}.${listener.domain}`, port: listener.portBase + brokerId };
}

/** The custom.advertised.listeners entries of the mapped listeners (MSK's per-broker template). */
export function wantedCustomEntries(listeners: readonly MappedClientListener[]): WantedEntry[] {
  return listeners.map((l) => ({ listenerName: l.listenerName, entry: advertisedListenersTemplate(l.listenerName, l.hostTemplate, l.domain, l.portBase) }));
}

/** `text` with the mapped entries of custom.advertised.listeners in place, every other entry and property kept. Throws CustomListenersError. */
export function withCustomEntries(text: string, wanted: readonly WantedEntry[]): string {
  return setProperty(text, CUSTOM_ADVERTISED_LISTENERS, mergeCustomEntries(getProperty(text, CUSTOM_ADVERTISED_LISTENERS), wanted));
}

/** `text` without the mapped entries (the property goes when nothing else is left in it). */
export function withoutCustomEntries(text: string, names: readonly string[]): string {
  const current = getProperty(text, CUSTOM_ADVERTISED_LISTENERS);
  if (current === undefined) return text;
  const rest = removeCustomEntries(current, names);
  return rest === undefined ? removeProperty(text, CUSTOM_ADVERTISED_LISTENERS) : setProperty(text, CUSTOM_ADVERTISED_LISTENERS, rest);
}

/** Pure: whether the configuration already carries the mapped entries (observe reads no more then). */
export function configurationConverged(config: ResolvedCluster, serverProperties: string): boolean {
  try {
    return getProperty(withCustomEntries(serverProperties, wantedCustomEntries(mappedClientListeners(config))), CUSTOM_ADVERTISED_LISTENERS) === getProperty(serverProperties, CUSTOM_ADVERTISED_LISTENERS);
  } catch (e) {
    if (e instanceof CustomListenersError) return false; // the planner reports it, with the detail read
    throw e;
  }
}

export interface AdvertisedPlanOptions {
  /** The CLI's --allow-rolling-restart, given by a person: may set again a value someone else reverted. */
  operator?: boolean;
}

/**
 * Pure: what brokers should advertise. Safety rule: a broker only advertises its custom name
 * when its listener, target and DNS name are in place or created earlier in the same apply
 * (apply runs this phase after DNS is INSYNC); a broker blocked by a conflict keeps its AWS name.
 */
export function planAdvertised(config: ResolvedCluster, desired: DesiredState, observed: ObservedState, blocked: Set<string>, options: AdvertisedPlanOptions = {}): AdvertisedPlan {
  const advertised = observed.advertised;
  if (config.advertisedListeners === 'none' || !advertised) return empty();
  if (config.advertisedListeners === 'dynamic-broker-config') return planDynamic(config, observed, advertised, blocked);
  return planConfiguration(config, desired, observed, blocked, options);
}

function planDynamic(config: ResolvedCluster, observed: ObservedState, advertised: ObservedAdvertised, blocked: Set<string>): AdvertisedPlan {
  const plan = empty();
  if (advertised.kraft) {
    plan.conflicts.push({
      resource: 'advertised.listeners',
      message: `${observed.cluster.name} runs in KRaft mode (Kafka ${observed.cluster.kafkaVersion}), which refuses dynamic changes of advertised.listeners; set advertisedListeners: msk-configuration`,
    });
    return plan;
  }
  const listeners = mappedClientListeners(config);
  for (const broker of advertised.brokers) {
    const id = broker.endpoint.id;
    const resource = `broker-${id}`;
    // A listener whose endpoint for this broker is blocked by a conflict (reported already) keeps its current entry.
    const open = listeners.filter((l) => !blocked.has(brokerEndpointKey(l, id)));
    // Listeners no longer mapped that still advertise one of this cluster's names go back to their AWS names.
    const back = ownOverridesNoLongerMapped(observed, listeners.map((l) => l.listenerName), id);
    if (!open.length && !back.length) continue;
    if (!broker.entries) {
      plan.conflicts.push({ resource: `${resource} advertised.listeners`, message: `cannot read broker ${id}'s configs: ${broker.error}` });
      continue;
    }
    const wanted = [...open.map((l) => listenerEndpoint(l, id)), ...back];
    pushBrokerChange(plan, resource, broker.endpoint, planAdvertisedListeners(broker.entries, wanted), 'advertise');
  }
  return plan;
}

function planConfiguration(config: ResolvedCluster, desired: DesiredState, observed: ObservedState, blocked: Set<string>, options: AdvertisedPlanOptions): AdvertisedPlan {
  const plan = empty();
  const advertised = observed.advertised!;
  const configuration = advertised.configuration!;
  const listeners = mappedClientListeners(config);
  const wanted = wantedCustomEntries(listeners);
  // The tool's own entries for listeners it no longer maps go too (their names are held meanwhile).
  const stale = ownEntriesNoLongerMapped(observed, listeners.map((l) => l.listenerName));
  let converged = false;
  try {
    converged = configurationConverged(config, configuration.serverProperties) && !stale.length;
    // One property moves every broker at once: only when no broker's endpoint is blocked.
    const blockedBrokers = desired.endpoints.filter((e) => blocked.has(e.key)).map((e) => e.key);
    if (!converged && blockedBrokers.length) {
      plan.conflicts.push({
        resource: 'msk configuration',
        message: `not setting ${CUSTOM_ADVERTISED_LISTENERS}: ${blockedBrokers.join(', ')} ha${blockedBrokers.length > 1 ? 've' : 's'} no listener or name of ours yet (see conflicts above)`,
      });
    } else if (!converged) {
      const change = planConfigurationChange({
        cluster: observed.cluster,
        configuration,
        edit: (text) => withoutCustomEntries(withCustomEntries(text, wanted), stale),
        listenerNames: [...listeners.map((l) => l.listenerName), ...stale],
        purpose: 'advertise',
        sharedConfiguration: config.sharedConfiguration,
        operator: options.operator === true,
      });
      pushConfigurationChange(plan, config, observed, change);
    }
  } catch (e) {
    if (!(e instanceof CustomListenersError)) throw e;
    plan.conflicts.push({ resource: 'msk configuration', message: `${e.message}; fix the value in the MSK configuration (the tool edits only its own entries and cannot parse this one)` });
  }

  // Per-broker dynamic overrides win over the configuration: remove them once it is right.
  for (const broker of advertised.brokers) {
    const resource = `broker-${broker.endpoint.id}`;
    if (!broker.entries) {
      plan.warnings.push(`cannot check broker ${broker.endpoint.id} for a leftover advertised.listeners override: ${broker.error}`);
      continue;
    }
    const removal = removeOverride(broker.entries);
    if (removal.kind === 'noop') continue;
    if (!converged) {
      plan.warnings.push(`broker ${broker.endpoint.id} has a dynamic advertised.listeners override; it is removed once the configuration carries ${CUSTOM_ADVERTISED_LISTENERS}`);
      continue;
    }
    pushBrokerChange(plan, resource, broker.endpoint, removal, 'remove-override');
  }
  return plan;
}

/** A planned configuration change as an action (guarded by allowRollingRestart), or its conflict. */
function pushConfigurationChange(plan: AdvertisedPlan, config: ResolvedCluster, observed: ObservedState, change: ConfigurationChange) {
  if (change.kind === 'none') return;
  if (change.kind === 'conflict') {
    plan.conflicts.push({ resource: 'msk configuration', message: change.message });
    return;
  }
  if (change.kind === 'wait') {
    plan.warnings.push(change.message);
    return;
  }
  plan.warnings.push(...change.notes);
  const action: Action = {
    type: 'update-msk-configuration',
    resource: 'cluster',
    serverProperties: change.serverProperties,
    before: change.before,
    after: change.after,
    target: change.target,
    description: revisionDescription(observed.cluster),
  };
  if (config.allowRollingRestart) plan.actions.push(action);
  else {
    plan.pending.push(
      `ROLLING RESTART NEEDED: ${change.after === undefined ? `remove ${CUSTOM_ADVERTISED_LISTENERS} from` : `set ${CUSTOM_ADVERTISED_LISTENERS}=${change.after} in`} the cluster's MSK configuration` +
        `${change.before ? ` (now ${CUSTOM_ADVERTISED_LISTENERS}=${change.before})` : ''}; every broker restarts one by one. Re-run with --allow-rolling-restart or set allowRollingRestart: true`,
    );
  }
}

function pushBrokerChange(plan: AdvertisedPlan, resource: string, endpoint: Extract<Action, { type: 'alter-broker-configs' }>['endpoint'], change: DynamicConfigPlan, purpose: 'advertise' | 'remove-override') {
  if (change.kind === 'refuse') {
    plan.conflicts.push({ resource: `${resource} advertised.listeners`, message: change.reason });
  } else if (change.kind === 'alter') {
    plan.actions.push({ type: 'alter-broker-configs', resource, endpoint, configs: change.configs, before: change.before, after: change.after, purpose });
  }
}

/** Pure: the rescue plan that sends brokers back to their AWS names. */
export function planRestore(config: ResolvedCluster, observed: ObservedState): AdvertisedPlan {
  const plan = empty();
  const advertised = observed.advertised;
  if (!advertised) return plan;
  for (const broker of advertised.brokers) {
    if (!broker.entries) {
      plan.conflicts.push({ resource: `broker-${broker.endpoint.id} advertised.listeners`, message: `cannot read broker ${broker.endpoint.id}'s configs: ${broker.error}` });
      continue;
    }
    pushBrokerChange(plan, `broker-${broker.endpoint.id}`, broker.endpoint, removeOverride(broker.entries), 'remove-override');
  }
  const configuration = advertised.configuration;
  if (configuration) {
    const names = mappedClientListeners(config).map((l) => l.listenerName);
    try {
      const change = planConfigurationChange({
        cluster: observed.cluster,
        configuration,
        edit: (text) => withoutCustomEntries(text, names),
        listenerNames: names,
        purpose: 'restore',
        sharedConfiguration: config.sharedConfiguration,
        operator: true,
      });
      pushConfigurationChange(plan, config, observed, change);
    } catch (e) {
      if (!(e instanceof CustomListenersError)) throw e;
      plan.conflicts.push({ resource: 'msk configuration', message: e.message });
    }
  }
  return plan;
}
