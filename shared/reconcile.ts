import { applyPlan, type ApplyOptions, type ApplyResult } from './apply';
import type { AwsClients } from './aws/clients';
import type { ClusterConfig } from './config/schema';
import { observe } from './observe';
import { planCluster } from './plan/plan';
import type { Plan } from './plan/types';
import type { ObservedState } from './state';

export interface ReconcileOptions extends ApplyOptions {
  /** false: observe and plan only (a dry run). */
  apply: boolean;
}

export interface ReconcileOutcome {
  plan: Plan;
  observed: ObservedState;
  applied?: ApplyResult;
}

/**
 * observe -> desired -> plan -> apply, for one cluster. Level-triggered: whatever event
 * started it, the whole state is compared, so running it twice changes nothing the second time.
 */
export async function reconcileCluster(clients: AwsClients, config: ClusterConfig, options: ReconcileOptions): Promise<ReconcileOutcome> {
  const observed = await observe(clients, config);
  const plan = planCluster(config, observed);
  if (!options.apply || plan.status !== 'ready' || plan.actions.length === 0) return { plan, observed };
  const applied = await applyPlan(clients, config, plan, options);
  return { plan, observed, applied };
}
