import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { ObservedAdvertised } from './advertised/observe';
import { ownedRole, roleKey } from './naming';
import type { Certificate, LoadBalancer, ObservedCluster, ObservedIngressRule, ObservedListener, ObservedSecurityGroup, ObservedTargetGroup, ObservedVpc, RecordSet, RecordTarget } from './types';

/** Everything `observe` read for one cluster: the input of the pure planner. */
export interface ObservedState {
  cluster: ObservedCluster;
  loadBalancer: LoadBalancer;
  /** The load balancer's VPC (its CIDR blocks). */
  vpc: ObservedVpc;
  /** The load balancer's security groups with their ingress rules (empty when it has none). */
  securityGroups: ObservedSecurityGroup[];
  /** Ingress rules of the security group `loadBalancerIngress` names, the tool's marked `owned` (read only with that option). */
  ingressRules: ObservedIngressRule[];
  /** Every listener on the load balancer, with its tags (ours or not). */
  listeners: ObservedListener[];
  /** Target groups that may be ours: named with this cluster's prefix, with tags and targets. */
  targetGroups: ObservedTargetGroup[];
  /** Records under the configured domain (managed names and their registry TXT records). */
  records: RecordSet[];
  /** Where the names point when not at the load balancer (config recordTarget, resolved by observe). */
  recordTarget?: RecordTarget;
  /** Read only when a plan puts names or listeners live (see reconcile.ts). */
  certificate?: Certificate;
  /** Alarms under this cluster's name prefix: the only alarms the tool owns. */
  alarms: MetricAlarm[];
  /** What brokers advertise (undefined when advertisedListeners is `none`). */
  advertised?: ObservedAdvertised;
}

/** The target group this tool owns for one endpoint (`bootstrap`, `broker-<id>`), found by its tags. */
export function ownedTargetGroup(observed: ObservedState, key: string): ObservedTargetGroup | undefined {
  return observed.targetGroups.find((g) => {
    const role = ownedRole(g.tags, observed.cluster.arn);
    return role !== undefined && roleKey(role) === key;
  });
}

/** What the managed names point at: the configured record target, else the load balancer. */
export function recordTargetOf(observed: ObservedState): RecordTarget {
  const lb = observed.loadBalancer;
  return observed.recordTarget ?? { kind: 'load-balancer', dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId };
}
