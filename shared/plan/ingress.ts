import type { ClusterConfig } from '../config/schema';
import type { DesiredState } from '../desired';
import { PlanError } from '../errors';
import { MANAGED_BY, TAG_CLUSTER, TAG_MANAGED_BY } from '../naming';
import type { ObservedState } from '../state';
import type { Action } from './types';

const RESOURCE = 'load balancer ingress';

/**
 * Pure, opt-in (`loadBalancerIngress`): one ingress rule of the tool's, TCP from the bootstrap port
 * through the highest broker port, from the configured clients, in the NLB security group named.
 * Found by its tags; rules without them are never read as ours, so never changed or revoked.
 */
export function planIngress(config: ClusterConfig, desired: DesiredState, observed: ObservedState): Action[] {
  const wanted = config.loadBalancerIngress;
  // The tool's rules outside the wanted group (the option was turned off, or names another group) go.
  const stray = observed.ingressRules.filter((r) => r.owned && r.groupId !== wanted?.securityGroupId);
  const strayRevokes: Action[] = [...new Set(stray.map((r) => r.groupId))].map((groupId) => ({
    type: 'revoke-ingress',
    resource: RESOURCE,
    groupId,
    ruleIds: stray.filter((r) => r.groupId === groupId).map((r) => r.id),
    reason: wanted ? `loadBalancerIngress now names ${wanted.securityGroupId}` : 'loadBalancerIngress is no longer configured',
  }));
  if (!wanted) return strayRevokes;
  const groups = observed.loadBalancer.securityGroupIds;
  if (!groups.includes(wanted.securityGroupId)) {
    throw new PlanError(
      `loadBalancerIngress.securityGroupId ${wanted.securityGroupId} is not a security group of the load balancer ` +
        `(${groups.length ? groups.join(', ') : 'it has none'}); nothing was changed`,
    );
  }
  const ports = desired.endpoints.map((e) => e.port);
  const range = { fromPort: Math.min(...ports), toPort: Math.max(...ports), source: wanted.source };
  const inGroup = observed.ingressRules.filter((r) => r.groupId === wanted.securityGroupId);
  const owned = inGroup.filter((r) => r.owned);
  // EC2 refuses a second identical rule: when someone else's rule grants exactly this, the tool keeps none.
  const foreignTwin = inGroup.some(
    (r) => !r.owned && r.protocol === 'tcp' && r.fromPort === range.fromPort && r.toPort === range.toPort && r.source === range.source,
  );
  if (foreignTwin) {
    const reason = `a rule the tool does not own already allows TCP ${range.fromPort}-${range.toPort} from ${range.source}`;
    return [...strayRevokes, ...(owned.length ? [{ type: 'revoke-ingress' as const, resource: RESOURCE, groupId: wanted.securityGroupId, ruleIds: owned.map((r) => r.id), reason }] : [])];
  }
  const [keep, ...extra] = owned;
  const actions: Action[] = [...strayRevokes];
  if (!keep) {
    actions.push({
      type: 'authorize-ingress',
      resource: RESOURCE,
      groupId: wanted.securityGroupId,
      ...range,
      tags: { [TAG_MANAGED_BY]: MANAGED_BY, [TAG_CLUSTER]: observed.cluster.arn },
    });
  } else if (keep.fromPort !== range.fromPort || keep.toPort !== range.toPort || keep.source !== range.source) {
    actions.push({
      type: 'modify-ingress',
      resource: RESOURCE,
      groupId: keep.groupId,
      ruleId: keep.id,
      ...range,
      was: { fromPort: keep.fromPort, toPort: keep.toPort, source: keep.source },
    });
  }
  // A second rule of ours (an interrupted run, an edit by hand) goes: one rule says it all.
  if (extra.length) actions.push({ type: 'revoke-ingress', resource: RESOURCE, groupId: wanted.securityGroupId, ruleIds: extra.map((r) => r.id), reason: 'a second rule of the tool\'s' });
  return actions;
}
