import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import type { ObservedAdvertised } from './advertised/observe';
import type { MappedListener } from './listeners';
import { loadBalancerShortId } from './listeners';
import { ownedRole, roleKey, servesListener, TAG_LOAD_BALANCER, type Role } from './naming';
import type { Certificate, OwnedCertificate, LoadBalancer, ObservedCluster, ObservedIngressRule, ObservedListener, ObservedSecurityGroup, ObservedSubnet, ObservedTargetGroup, ObservedVpc, RecordSet, RecordTarget } from './types';

/** One configured load balancer and the data path around it. */
export interface ObservedLoadBalancer {
  loadBalancer: LoadBalancer;
  /** The load balancer's VPC (its CIDR blocks). */
  vpc: ObservedVpc;
  /** The load balancer's security groups with their ingress rules (empty when it has none). */
  securityGroups: ObservedSecurityGroup[];
  /** Ingress rules of the load balancer's groups (and any `loadBalancerIngress` names), the tool's marked `owned`. */
  ingressRules: ObservedIngressRule[];
  /** Every listener on the load balancer, with its tags (ours or not). */
  listeners: ObservedListener[];
  /**
   * No listener of the config names it, but the cluster's target groups are still in use there (the
   * cluster or a listener moved to another NLB): read so what the tool left there is cleaned up.
   */
  former?: true;
}

/** One configured hosted zone: the records under the domains the listeners publish in it. */
export interface ObservedZone {
  hostedZoneId: string;
  records: RecordSet[];
  /** A private zone: its names resolve only inside its VPCs, so ACM cannot validate a public certificate through it. */
  privateZone?: boolean;
  /** No listener of the config names it, but the tool's resources are tagged with it (the names moved to another zone). */
  former?: true;
}

/** Everything `observe` read for one cluster: the input of the pure planner. */
export interface ObservedState {
  /** When observe began (epoch ms, the reconciler's clock): a listener left by a move is timed against it (plan/moves.ts). */
  observedAt?: number;
  cluster: ObservedCluster;
  /** One per distinct load balancer of the mapped listeners, in config order. */
  loadBalancers: ObservedLoadBalancer[];
  /** Target groups that may be ours (any listener): named with this cluster's prefix, with tags and targets. */
  targetGroups: ObservedTargetGroup[];
  /** One per distinct hosted zone of the mapped listeners. */
  zones: ObservedZone[];
  /** Where each listener's names point when not at its load balancer (config recordTarget, resolved by observe), by listener id. */
  recordTargets?: Record<string, RecordTarget>;
  /** Read only when a plan puts names or listeners live (see reconcile.ts); in managed mode also those our listeners present. */
  certificates?: Certificate[];
  /** Managed mode: the certificates this tool requested for the cluster, found by their tags (observe/certificates.ts). */
  ownCertificates?: OwnedCertificate[];
  /** Alarms under this cluster's name prefix: the only alarms the tool owns. */
  alarms: MetricAlarm[];
  /** What brokers advertise (undefined when advertisedListeners is `none`). */
  advertised?: ObservedAdvertised;
  /**
   * The subnets of the brokers and of the load balancers (their AZs and CIDRs) and the brokers'
   * security groups: the data path's preconditions (shared/plan/preconditions.ts). Undefined when not read.
   */
  subnets?: ObservedSubnet[];
  brokerSecurityGroups?: ObservedSecurityGroup[];
  /** What observe could not read of the cluster's former load balancers and zones, for the plan's warnings. */
  notes?: string[];
}

/** The observed load balancer with this ARN (observe reads every one a listener names). */
export function loadBalancerOf(observed: ObservedState, arn: string): ObservedLoadBalancer {
  const site = observed.loadBalancers.find((s) => s.loadBalancer.arn === arn);
  if (!site) throw new Error(`load balancer ${arn} was not observed`);
  return site;
}

export function listenersOn(observed: ObservedState, loadBalancerArn: string): ObservedListener[] {
  return observed.loadBalancers.find((s) => s.loadBalancer.arn === loadBalancerArn)?.listeners ?? [];
}

export function recordsIn(observed: ObservedState, hostedZoneId: string): RecordSet[] {
  return observed.zones.find((z) => z.hostedZoneId === hostedZoneId)?.records ?? [];
}

export function certificateOf(observed: ObservedState, arn: string): Certificate | undefined {
  return observed.certificates?.find((c) => c.arn === arn);
}

/** Whether tags mark a resource as this cluster's `role` of `listener`. */
export function ownsAs(tags: Record<string, string>, clusterArn: string, listener: Pick<MappedListener, 'id' | 'primary'>, role: Role): boolean {
  const owned = ownedRole(tags, clusterArn);
  return owned !== undefined && roleKey(owned) === roleKey(role) && servesListener(tags, listener);
}

/**
 * The target group this tool owns for one endpoint (a role of one listener on one NLB), found by
 * its tags. A group serves one NLB: the NLB it is attached to, else the one its tags name (none:
 * the listener's own), so a broker moving between NLBs has a group on each and they are not mixed up.
 */
export function ownedTargetGroup(
  observed: ObservedState,
  endpoint: { listener: Pick<MappedListener, 'id' | 'primary' | 'loadBalancerArn'>; role: Role; loadBalancerArn?: string },
): ObservedTargetGroup | undefined {
  const lb = endpoint.loadBalancerArn ?? endpoint.listener.loadBalancerArn;
  const serves = (g: ObservedTargetGroup) =>
    g.loadBalancerArns.length
      ? g.loadBalancerArns.includes(lb)
      : g.tags[TAG_LOAD_BALANCER] !== undefined
        ? g.tags[TAG_LOAD_BALANCER] === loadBalancerShortId(lb)
        : lb === endpoint.listener.loadBalancerArn;
  return observed.targetGroups.find((g) => ownsAs(g.tags, observed.cluster.arn, endpoint.listener, endpoint.role) && serves(g));
}

/**
 * What a listener's names point at: its configured record target, else its load balancer, or the
 * NLB `loadBalancerArn` that carries the endpoint (a listener with a record target has only one).
 */
export function recordTargetOf(observed: ObservedState, listener: Pick<MappedListener, 'id' | 'loadBalancerArn'>, loadBalancerArn = listener.loadBalancerArn): RecordTarget {
  const lb = loadBalancerOf(observed, loadBalancerArn).loadBalancer;
  return observed.recordTargets?.[listener.id] ?? { kind: 'load-balancer', dnsName: lb.dnsName, hostedZoneId: lb.canonicalHostedZoneId };
}
