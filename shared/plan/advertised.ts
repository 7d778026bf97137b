import type { ObservedAdvertised } from '../advertised/observe';
import { advertisedListenersTemplate, CUSTOM_ADVERTISED_LISTENERS, getProperty, removeProperty, setProperty } from '../advertised/server-properties';
import type { ClusterConfig } from '../config/schema';
import type { DesiredState } from '../desired';
import { perBrokerListeners } from '../listeners';
import { planAdvertisedListeners, removeOverride, type DynamicConfigPlan } from '../kafka/dynamic-config';
import { brokerPort, hostName } from '../naming';
import type { ObservedState } from '../state';
import type { Action, Conflict } from './types';

export interface AdvertisedPlan {
  actions: Action[];
  conflicts: Conflict[];
  warnings: string[];
  pending: string[];
}

const empty = (): AdvertisedPlan => ({ actions: [], conflicts: [], warnings: [], pending: [] });

/**
 * Pure: what brokers should advertise. Safety rule: a broker only advertises its custom name
 * when its listener, target and DNS name are in place or created earlier in the same apply
 * (apply runs this phase after DNS is INSYNC); a broker blocked by a conflict keeps its AWS name.
 */
export function planAdvertised(config: ClusterConfig, desired: DesiredState, observed: ObservedState, blocked: Set<string>): AdvertisedPlan {
  const advertised = observed.advertised;
  if (config.advertisedListeners === 'none' || !advertised) return empty();
  if (config.advertisedListeners === 'dynamic-broker-config') return planDynamic(config, observed, advertised, blocked);
  return planConfiguration(config, desired, advertised, blocked);
}

/** The client listeners whose per-broker names brokers advertise. (Several are planned after the MSK-configuration rework.) */
export function mappedClientListeners(config: ClusterConfig): { listenerName: string; hostTemplate: string; domain: string; portBase: number }[] {
  return perBrokerListeners(config).map((l) => ({ listenerName: l.clientListenerName, hostTemplate: l.brokerHostTemplate, domain: l.domain, portBase: l.brokerPortBase }));
}

function planDynamic(config: ClusterConfig, observed: ObservedState, advertised: ObservedAdvertised, blocked: Set<string>): AdvertisedPlan {
  const plan = empty();
  if (advertised.kraft) {
    plan.conflicts.push({
      resource: 'advertised.listeners',
      message: `${observed.cluster.name} runs in KRaft mode (Kafka ${observed.cluster.kafkaVersion}), which refuses dynamic changes of advertised.listeners; set advertisedListeners: msk-configuration`,
    });
    return plan;
  }
  const listenerName = mappedClientListeners(config)[0].listenerName;
  for (const broker of advertised.brokers) {
    const id = broker.endpoint.id;
    const resource = `broker-${id}`;
    if (blocked.has(resource)) continue; // its conflict is reported already; it keeps its AWS name
    if (!broker.entries) {
      plan.conflicts.push({ resource: `${resource} advertised.listeners`, message: `cannot read broker ${id}'s configs: ${broker.error}` });
      continue;
    }
    const wanted = { listenerName, host: hostName(config, { brokerId: id }), port: brokerPort(config, id) };
    pushBrokerChange(plan, resource, broker.endpoint, planAdvertisedListeners(broker.entries, wanted), 'advertise');
  }
  return plan;
}

function planConfiguration(config: ClusterConfig, desired: DesiredState, advertised: ObservedAdvertised, blocked: Set<string>): AdvertisedPlan {
  const plan = empty();
  const configuration = advertised.configuration!;
  const want = advertisedListenersTemplate(mappedClientListeners(config)[0].listenerName, config.brokerHostTemplate, config.domain, config.brokerPortBase);
  const current = getProperty(configuration.serverProperties, CUSTOM_ADVERTISED_LISTENERS);

  if (current !== want) {
    // One property moves every broker at once: only when no broker's endpoint is blocked.
    const blockedBrokers = desired.endpoints.filter((e) => blocked.has(e.key)).map((e) => e.key);
    if (blockedBrokers.length) {
      plan.conflicts.push({
        resource: 'msk configuration',
        message: `not setting ${CUSTOM_ADVERTISED_LISTENERS}: ${blockedBrokers.join(', ')} ha${blockedBrokers.length > 1 ? 've' : 's'} no listener or name of ours yet (see conflicts above)`,
      });
    } else {
      const action: Action = {
        type: 'update-msk-configuration',
        resource: 'cluster',
        serverProperties: setProperty(configuration.serverProperties, CUSTOM_ADVERTISED_LISTENERS, want),
        before: current,
        after: want,
      };
      if (config.allowRollingRestart) plan.actions.push(action);
      else {
        plan.pending.push(
          `ROLLING RESTART NEEDED: set ${CUSTOM_ADVERTISED_LISTENERS}=${want} in the cluster's MSK configuration` +
            `${current ? ` (now ${current})` : ''}; every broker restarts one by one. Re-run with --allow-rolling-restart or set allowRollingRestart: true`,
        );
      }
    }
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
    if (current !== want) {
      plan.warnings.push(`broker ${broker.endpoint.id} has a dynamic advertised.listeners override; it is removed once the configuration carries ${CUSTOM_ADVERTISED_LISTENERS}`);
      continue;
    }
    pushBrokerChange(plan, resource, broker.endpoint, removal, 'remove-override');
  }
  return plan;
}

function pushBrokerChange(plan: AdvertisedPlan, resource: string, endpoint: Extract<Action, { type: 'alter-broker-configs' }>['endpoint'], change: DynamicConfigPlan, purpose: 'advertise' | 'remove-override') {
  if (change.kind === 'refuse') {
    plan.conflicts.push({ resource: `${resource} advertised.listeners`, message: change.reason });
  } else if (change.kind === 'alter') {
    plan.actions.push({ type: 'alter-broker-configs', resource, endpoint, configs: change.configs, before: change.before, after: change.after, purpose });
  }
}

/** Pure: the rescue plan that sends brokers back to their AWS names. */
export function planRestore(config: ClusterConfig, observed: ObservedState): AdvertisedPlan {
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
  const current = configuration && getProperty(configuration.serverProperties, CUSTOM_ADVERTISED_LISTENERS);
  if (configuration && current !== undefined) {
    const action: Action = {
      type: 'update-msk-configuration',
      resource: 'cluster',
      serverProperties: removeProperty(configuration.serverProperties, CUSTOM_ADVERTISED_LISTENERS),
      before: current,
      after: undefined,
    };
    if (config.allowRollingRestart) plan.actions.push(action);
    else plan.pending.push(`ROLLING RESTART NEEDED: remove ${CUSTOM_ADVERTISED_LISTENERS} from the cluster's MSK configuration; re-run with --allow-rolling-restart`);
  }
  return plan;
}
