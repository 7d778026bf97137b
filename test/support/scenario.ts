import { createAwsClients, type AwsClients } from '../../shared/aws/clients';
import { parseConfig } from '../../shared/config/load';
import type { ClusterConfig, ClusterConfigInput } from '../../shared/config/schema';
import type { KafkaAccessOptions } from '../../shared/observe';
import { reconcileCluster, type ReconcileOptions, type ReconcileOutcome } from '../../shared/reconcile';
import { AwsWorld, VirtualClock, type LoadBalancerSeed, type PublicAccessType } from '../world';

/** A broker's client IP in the embedded VPC: three subnets, like a 3-AZ cluster. */
export function brokerIp(id: number, generation = 0): string {
  return `10.0.${(id - 1) % 3 + 1}.${10 + id + generation * 100}`;
}

export function brokersFor(ids: number[]) {
  return ids.map((id) => ({ id, ip: brokerIp(id) }));
}

export function range(from: number, to: number): number[] {
  return Array.from({ length: to - from + 1 }, (_, i) => from + i);
}

export interface Scenario {
  world: AwsWorld;
  config: ClusterConfig;
  clients: AwsClients;
  clusterArn: string;
  lbArn: string;
  zoneId: string;
  /** One full reconcile, as the Lambda and the CLI run it. */
  reconcile(options?: { apply?: boolean; allowRollingRestart?: boolean; allowUncoveredCertificate?: boolean }): Promise<ReconcileOutcome>;
  /** Options the CLI and handler pass to reconcileCluster, as this scenario needs them. */
  reconcileOptions: Omit<ReconcileOptions, 'apply'>;
}

export interface WorldBroker {
  id: number;
  ip: string;
  endpoint?: string;
  /** IAM port in GetBootstrapBrokers. */
  port?: number;
  /** SCRAM port in GetBootstrapBrokers. */
  scramPort?: number;
}

export interface ScenarioOptions {
  brokerIds?: number[];
  /** Full broker seeds (endpoints and ports of fake Kafka brokers); overrides brokerIds. */
  brokers?: WorldBroker[];
  /** How the reconciler reaches the brokers over Kafka. */
  kafkaAccess?: KafkaAccessOptions;
  serverProperties?: string;
  latencyMs?: number;
  /** AWS's delays, where a scenario wants other figures than the documented defaults (aws-timing.ts). */
  timing?: Partial<import('../world').AwsTiming>;
  /** Real milliseconds until a Route 53 change is INSYNC (default: at once). */
  insyncAfterMs?: number;
  clusterName?: string;
  kafkaVersion?: string;
  /** Client access MSK has enabled (default IAM only). */
  authentication?: { iam?: boolean; scram?: boolean; tls?: boolean };
  /** The cluster's public access (default on, so a `-public` listener a test maps exists). */
  publicAccess?: PublicAccessType;
  config?: Partial<ClusterConfigInput>;
  /** Calls in flight per limited service (ELBv2, Route 53, CloudWatch); default: the clients' own limits. */
  concurrency?: number;
  /** Certificate names; default a wildcard for the domain plus the domain itself. */
  certificateNames?: string[];
  /** World time (target health, draining, TTLs) and the reconciler's waits run on it. Default: a fresh virtual clock (flowing with real time too, with insyncAfterMs). */
  clock?: VirtualClock;
  /** Settings of the NLB beyond its name (security groups, attributes). */
  loadBalancer?: Omit<LoadBalancerSeed, 'name'>;
  /** Security groups of the NLB, created in the world with these ingress rules. */
  loadBalancerIngress?: import('../world').IngressRule[];
  /** Clients (CIDR or group) the tool's own ingress rule admits, in that security group (config loadBalancerIngress). */
  managedIngressSource?: string;
  /** Seeds more of the world once the cluster, NLB and zone exist (other accounts, endpoints); returns config settings. */
  prepare?: (world: AwsWorld, seeded: { lbArn: string; zoneId: string }) => Partial<ClusterConfigInput>;
}

/**
 * The embedded world the tests, the demo and the benchmark share: one MSK cluster, one NLB,
 * one hosted zone and one ACM certificate, driven through the real SDK clients.
 */
export function createScenario(options: ScenarioOptions = {}): Scenario {
  // World time by default: a health gate waits AWS's registration minutes without a test waiting
  // them for real. Where a test times Route 53's INSYNC in real milliseconds, world time also flows.
  const clock = options.clock ?? new VirtualClock(undefined, { flowsWithRealTime: options.insyncAfterMs !== undefined });
  const world = AwsWorld.install({ latencyMs: options.latencyMs ?? 0, insyncAfterMs: options.insyncAfterMs, timing: options.timing, ...(clock ? { now: () => clock.now() } : {}) });
  const clusterArn = world.msk.addCluster({
    name: options.clusterName ?? 'orders',
    brokers: options.brokers ?? brokersFor(options.brokerIds ?? [1, 2, 3]),
    serverProperties: options.serverProperties,
    kafkaVersion: options.kafkaVersion ?? '3.6.0',
    // Every client authentication on, so whatever listener a test maps exists; a test of a missing one seeds its own.
    authentication: options.authentication ?? { iam: true, scram: true, tls: true },
    publicAccess: options.publicAccess ?? 'SERVICE_PROVIDED_EIPS',
    instanceType: 'kafka.m5.large',
    enhancedMonitoring: 'PER_BROKER',
  });
  const securityGroups = options.loadBalancerIngress ? [world.ec2.addSecurityGroup({ name: 'msk-orders-nlb', ingress: options.loadBalancerIngress })] : undefined;
  const lbArn = world.elbv2.addLoadBalancer({ name: 'msk-orders', ...(securityGroups ? { securityGroups } : {}), ...options.loadBalancer });
  const zoneId = world.route53.addHostedZone({ name: 'example.com' });
  const [domainName, ...sans] = options.certificateNames ?? ['kafka.example.com', '*.kafka.example.com'];
  const certArn = world.acm.addCertificate({ domainName, subjectAlternativeNames: sans });
  const config = parseConfig({
    clusters: [{
      clusterArn, domain: 'kafka.example.com', hostedZoneId: zoneId, loadBalancerArn: lbArn, certificateArn: certArn,
      ...(options.managedIngressSource && securityGroups ? { loadBalancerIngress: { securityGroupId: securityGroups[0], source: options.managedIngressSource } } : {}),
      ...options.config,
      ...options.prepare?.(world, { lbArn, zoneId }),
    }],
  }).clusters[0];
  const n = options.concurrency;
  const clients = createAwsClients(world.region, n ? { concurrency: { elbv2: n, route53: n, cloudwatch: n } } : {});
  const reconcileOptions: Omit<ReconcileOptions, 'apply'> = {
    clock,
    kafkaAccess: options.kafkaAccess,
    dnsWait: { minDelaySeconds: 0.01, maxWaitSeconds: 5 },
    follow: { pollSeconds: 0.01, maxSeconds: 5 },
  };
  return {
    world,
    config,
    clients,
    clusterArn,
    lbArn,
    zoneId,
    reconcileOptions,
    reconcile: ({ apply = true, allowRollingRestart, allowUncoveredCertificate } = {}) => reconcileCluster(clients, config, { ...reconcileOptions, apply, allowRollingRestart, allowUncoveredCertificate }),
  };
}
