import type { DesiredEndpoint, DesiredState } from '../desired';
import { PlanError } from '../errors';
import { distinct, loadBalancerShortId, type MappedListener } from '../listeners';
import { MANAGED_BY, servesListener, TAG_CLUSTER, TAG_LISTENER, TAG_MANAGED_BY } from '../naming';
import type { ObservedLoadBalancer, ObservedState } from '../state';
import type { ObservedIngressRule } from '../types';
import type { Action } from './types';

const RESOURCE = 'load balancer ingress';

/**
 * Pure, opt-in (`loadBalancerIngress`, per listener): one ingress rule of the tool's per listener,
 * TCP from its bootstrap port through its highest broker port, from the configured clients, in
 * the NLB security group named. Found by its tags; rules without them are never read as ours,
 * so never changed or revoked.
 */
export function planIngress(desired: DesiredState, observed: ObservedState): Action[] {
  // Against every listener of the cluster: a security group shared by two NLBs holds both listeners' rules.
  const claimed = (r: ObservedIngressRule) => desired.listeners.some((l) => l.loadBalancerIngress?.securityGroupId === r.groupId && servesListener(r.tags, l));
  // A group shared by two NLBs is read with each: a stray rule is revoked once.
  const revoked = new Set<string>();
  return observed.loadBalancers.flatMap((site) => {
    const listeners = desired.listeners.filter((l) => l.loadBalancerArn === site.loadBalancer.arn);
    // The tool's rules no listener claims (the option was turned off, or names another group) go.
    const stray = site.ingressRules.filter((r) => r.owned && !claimed(r) && !revoked.has(r.id));
    stray.forEach((r) => revoked.add(r.id));
    const strayRevokes: Action[] = distinct(stray.map((r) => r.groupId)).map((groupId) => ({
      type: 'revoke-ingress',
      resource: RESOURCE,
      groupId,
      ruleIds: stray.filter((r) => r.groupId === groupId).map((r) => r.id),
      reason: 'no listener\'s loadBalancerIngress names this group any more',
    }));
    // Only the ports on this NLB: brokers on further NLBs are admitted by those NLBs' own groups.
    const endpointsOf = (l: MappedListener) => desired.endpoints.filter((e) => e.listener.id === l.id && e.loadBalancerArn === site.loadBalancer.arn);
    return [...strayRevokes, ...listeners.flatMap((l) => planListenerIngress(l, endpointsOf(l), site, observed.cluster.arn))];
  });
}

function planListenerIngress(listener: MappedListener, endpoints: DesiredEndpoint[], site: ObservedLoadBalancer, clusterArn: string): Action[] {
  const wanted = listener.loadBalancerIngress;
  if (!wanted) return [];
  const resource = `${listener.label}${RESOURCE}`;
  const groups = site.loadBalancer.securityGroupIds;
  if (!groups.includes(wanted.securityGroupId)) {
    throw new PlanError(
      `loadBalancerIngress.securityGroupId ${wanted.securityGroupId} is not a security group of the load balancer ${loadBalancerShortId(site.loadBalancer.arn)} ` +
        `(${groups.length ? groups.join(', ') : 'it has none'}); nothing was changed`,
    );
  }
  const ports = endpoints.map((e) => e.port);
  const range = { fromPort: Math.min(...ports), toPort: Math.max(...ports), source: wanted.source };
  const inGroup = site.ingressRules.filter((r) => r.groupId === wanted.securityGroupId);
  const owned = inGroup.filter((r) => r.owned && servesListener(r.tags, listener));
  // EC2 refuses a second identical rule: when someone else's rule grants exactly this, the tool keeps none.
  const foreignTwin = inGroup.some(
    (r) => !r.owned && r.protocol === 'tcp' && r.fromPort === range.fromPort && r.toPort === range.toPort && r.source === range.source,
  );
  if (foreignTwin) {
    const reason = `a rule the tool does not own already allows TCP ${range.fromPort}-${range.toPort} from ${range.source}`;
    return owned.length ? [{ type: 'revoke-ingress', resource, groupId: wanted.securityGroupId, ruleIds: owned.map((r) => r.id), reason }] : [];
  }
  const [keep, ...extra] = owned;
  const actions: Action[] = [];
  if (!keep) {
    actions.push({
      type: 'authorize-ingress',
      resource,
      groupId: wanted.securityGroupId,
      ...range,
      tags: { [TAG_MANAGED_BY]: MANAGED_BY, [TAG_CLUSTER]: clusterArn, [TAG_LISTENER]: listener.id },
    });
  } else if (keep.fromPort !== range.fromPort || keep.toPort !== range.toPort || keep.source !== range.source) {
    actions.push({
      type: 'modify-ingress',
      resource,
      groupId: keep.groupId,
      ruleId: keep.id,
      ...range,
      was: { fromPort: keep.fromPort, toPort: keep.toPort, source: keep.source },
    });
  }
  // A second rule of ours (an interrupted run, an edit by hand) goes: one rule says it all.
  if (extra.length) actions.push({ type: 'revoke-ingress', resource, groupId: wanted.securityGroupId, ruleIds: extra.map((r) => r.id), reason: 'a second rule of the tool\'s' });
  return actions;
}
