import { applyPlan, type ApplyOptions, type ApplyResult } from './apply';
import type { AwsClients } from './aws/clients';
import type { ClusterConfig } from './config/schema';
import { observe } from './observe';
import { planCluster, planClusterRestore } from './plan/plan';
import type { Plan } from './plan/types';
import { isRestoreAction, planClusterDestroy } from './plan/destroy';
import { observeCertificate } from './observe/acm';
import { hasManagedListeners, observeOwnCertificates, observePresentedCertificates } from './observe/certificates';
import type { ObservedState } from './state';
import { ConfigError } from './errors';
import { observeConfigurationChange } from './advertised/observe';
import { distinct, resolveCluster, type ResolvedCluster } from './listeners';

export interface ReconcileOptions extends ApplyOptions {
  /** false: observe and plan only (a dry run). */
  apply: boolean;
  /** The CLI's --allow-rolling-restart: same effect as allowRollingRestart in the config. */
  allowRollingRestart?: boolean;
  /** The CLI's --allow-uncovered-certificate: listeners go live behind a certificate that misses their names. No config equivalent. */
  allowUncoveredCertificate?: boolean;
}

export interface ReconcileOutcome {
  /** The cluster config as this run resolved it (listeners mapped). */
  cluster: ResolvedCluster;
  plan: Plan;
  observed: ObservedState;
  applied?: ApplyResult;
}

/**
 * observe -> desired -> plan -> apply, for one cluster. Level-triggered: whatever event
 * started it, the whole state is compared, so running it twice changes nothing the second time.
 */
export async function reconcileCluster(clients: AwsClients, clusterConfig: ClusterConfig, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const config = withOptions(clusterConfig, options);
  // The certificate matters only for names about to go live, which only the plan shows; one call,
  // so it is read beside the first round of observe rather than in a round of its own after it.
  const fixed = distinct(config.mapped.flatMap((l) => (l.certificateArn ? [l.certificateArn] : [])));
  const [observed, certificates, ownCertificates] = await Promise.all([
    observe(clients, config, options.kafkaAccess, options.clock),
    Promise.all(fixed.map((arn) => observeCertificate(clients.acm, arn))).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    ),
    // Managed mode: the tool's own certificates decide what to request, so they are always read.
    observeOwnCertificates(clients.acm, config),
  ]);
  if (hasManagedListeners(config)) {
    observed.ownCertificates = ownCertificates;
    observed.certificates = await observePresentedCertificates(clients.acm, config, observed);
  }
  // Only when the configuration must change: where to write it (shared? latest revision? reverted?).
  await observeConfigurationChange(clients.kafka, config, observed, 'advertise');
  // The CLI's flags are a person's explicit go-ahead, which the config's allowRollingRestart is not.
  const planOptions = { operator: options.allowRollingRestart === true, allowUncoveredCertificate: options.allowUncoveredCertificate === true };
  let plan = planCluster(config, observed, planOptions);
  if (putsNamesLive(plan)) {
    // Not needed otherwise: a failed read, or a coverage conflict, then stays out of a run that puts no name live.
    if ('error' in certificates) throw certificates.error;
    observed.certificates = [...(observed.certificates ?? []), ...certificates.value];
    const unusable = certificates.value.find((c) => c.status && c.status !== 'ISSUED');
    if (unusable) {
      throw new ConfigError(`certificate ${unusable.arn} is ${unusable.status}, not ISSUED: TLS listeners cannot use it; nothing was changed`);
    }
    plan = planCluster(config, observed, planOptions);
  }
  return applyIfWanted(clients, config, plan, observed, options);
}

/** The rescue: brokers go back to advertising their AWS names (overrides removed, property removed). */
export async function restoreCluster(clients: AwsClients, clusterConfig: ClusterConfig, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const config = withOptions(clusterConfig, options);
  // Observe as if managed, whatever the configured mode, so both kinds of override are seen.
  const observed = await observe(clients, { ...config, advertisedListeners: 'msk-configuration' }, options.kafkaAccess);
  await observeConfigurationChange(clients.kafka, config, observed, 'restore');
  // Nothing custom is expected afterwards, so there is nothing to verify.
  return applyIfWanted(clients, config, planClusterRestore(config, observed), observed, { ...options, verify: false });
}

/**
 * The way out: the restore, then everything the tool made for the cluster deleted (plan/destroy.ts).
 * Applied in two steps, so brokers advertise their AWS names before any name, listener or group
 * goes (apply's own order puts advertised changes after DNS, as creating needs).
 */
export async function destroyCluster(clients: AwsClients, clusterConfig: ClusterConfig, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const config = withOptions(clusterConfig, options);
  // As restore, both kinds of override are seen; under `none` the brokers are not read (the tool never changed them).
  const managed = config.advertisedListeners !== 'none';
  const [observed, ownCertificates] = await Promise.all([
    observe(clients, managed ? { ...config, advertisedListeners: 'msk-configuration' } : config, options.kafkaAccess),
    observeOwnCertificates(clients.acm, config),
  ]);
  observed.ownCertificates = ownCertificates;
  if (managed) await observeConfigurationChange(clients.kafka, config, observed, 'restore');
  const plan = planClusterDestroy(config, observed);
  if (!options.apply || plan.actions.length === 0) return { cluster: config, plan, observed };
  const applyOptions = { ...options, verify: false };
  const part = (restore: boolean): Plan => ({ ...plan, actions: plan.actions.filter((a) => isRestoreAction(a) === restore) });
  const first = part(true);
  const restored = first.actions.length ? await applyPlan(clients, config, first, observed, applyOptions) : undefined;
  const rest = part(false);
  if (!rest.actions.length) return { cluster: config, plan, observed, applied: restored };
  const removed = await applyPlan(clients, config, rest, observed, applyOptions);
  if (!restored) return { cluster: config, plan, observed, applied: removed };
  return {
    cluster: config,
    plan,
    observed,
    applied: {
      ...removed,
      done: [...restored.done, ...removed.done],
      changeIds: [...restored.changeIds, ...removed.changeIds],
      operation: restored.operation,
    },
  };
}

/** The CLI's --allow-rolling-restart has the same effect as allowRollingRestart in the config. */
function withOptions(config: ClusterConfig, options: ReconcileOptions): ResolvedCluster {
  return resolveCluster(options.allowRollingRestart ? { ...config, allowRollingRestart: true } : config);
}

async function applyIfWanted(clients: AwsClients, config: ResolvedCluster, plan: Plan, observed: ObservedState, options: ReconcileOptions): Promise<ReconcileOutcome> {
  // A waiting plan holds only what is safe while MSK changes the cluster (see planCluster).
  if (!options.apply || plan.actions.length === 0) return { cluster: config, plan, observed };
  return { cluster: config, plan, observed, applied: await applyPlan(clients, config, plan, observed, options) };
}

function putsNamesLive(plan: Plan): boolean {
  return plan.actions.some(
    (a) => a.type === 'create-listener' || a.type === 'modify-listener' || (a.type === 'change-records' && a.changes.some((c) => c.action !== 'DELETE')),
  );
}
