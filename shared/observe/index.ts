import { zoneClient, type AwsClients } from '../aws/clients';
import type { ResolvedCluster } from '../listeners';
import { targetGroupPrefix } from '../naming';
import { parseClusterArn } from '../arn';
import type { ObservedLoadBalancer, ObservedState, ObservedZone } from '../state';
import { observeAdvertised } from '../advertised/observe';
import { alarmPrefix } from '../alarms/desired';
import type { KafkaAccess } from '../kafka/admin';
import { distinct, type MappedListener } from '../listeners';
import type { LoadBalancer, ObservedCluster, ObservedSecurityGroup, ObservedSubnet, RecordTarget } from '../types';
import { observeAlarms } from './cloudwatch';
import { observeLoadBalancer, observeNetwork } from './elbv2';
import { observeIngressRules, observeSecurityGroups, observeSubnets, observeVpc } from './ec2';
import { observeCluster } from './msk';
import { checkZone, observeRecords } from './route53';
import { observeRecordTarget } from './record-target';

/** How to reach the brokers over Kafka; the region always comes from the cluster ARN. */
export type KafkaAccessOptions = Omit<KafkaAccess, 'region'>;

/** Reads everything the planner needs for one cluster, every load balancer and zone its listeners name; independent reads run in parallel. */
export async function observe(clients: AwsClients, config: ResolvedCluster, kafkaAccess: KafkaAccessOptions = {}): Promise<ObservedState> {
  const { clusterName } = parseClusterArn(config.clusterArn);
  const listeners = config.mapped;
  // Each read starts as soon as what it needs is known (not when a whole round is done): two rounds deep.
  const clusterRead = observeCluster(clients.kafka, config.clusterArn);
  const loadBalancerArns = distinct(listeners.map((l) => l.loadBalancerArn));
  const loadBalancerReads = loadBalancerArns.map((arn) => observeLoadBalancer(clients.elbv2, arn));
  const [cluster, network, zones, alarms, recordTargets, advertised, dataPaths, preconditions] = await Promise.all([
    clusterRead,
    observeNetwork(clients.elbv2, loadBalancerArns, targetGroupPrefix(config.clusterArn, clusterName), loadBalancerReads),
    Promise.all(distinct(listeners.map((l) => l.hostedZoneId)).map((zoneId) => observeZone(clients, zoneId, listeners))),
    // Read even when disabled: turning alarms off must remove the ones the tool made.
    observeAlarms(clients.cloudwatch, alarmPrefix(clusterName, config.clusterArn)),
    observeRecordTargets(clients, listeners),
    clusterRead.then((cluster) => observeAdvertised(clients.kafka, config, cluster, { ...kafkaAccess, region: cluster.region })),
    Promise.all(loadBalancerReads.map((read) => read.then((loadBalancer) => observeDataPath(clients, config.clusterArn, loadBalancer, listeners)))),
    Promise.all([clusterRead, Promise.all(loadBalancerReads)]).then(([cluster, loadBalancers]) => observePreconditions(clients, cluster, loadBalancers)),
  ]);
  const loadBalancers = network.loadBalancers.map((site, i) => ({ ...site, ...dataPaths[i] }));
  return {
    cluster, loadBalancers, targetGroups: network.targetGroups, zones, alarms, advertised,
    ...(Object.keys(recordTargets).length ? { recordTargets } : {}),
    ...preconditions,
  };
}

/** The record target of each listener that names one, by listener id. */
async function observeRecordTargets(clients: AwsClients, listeners: MappedListener[]): Promise<Record<string, RecordTarget>> {
  const targets = await Promise.all(listeners.map((l) => observeRecordTarget(clients.ec2, l)));
  return Object.fromEntries(listeners.flatMap((l, i) => (targets[i] ? [[l.id, targets[i]]] : [])));
}

/** Records under every domain published in one zone; the zone is proven to hold each domain first. */
async function observeZone(clients: AwsClients, hostedZoneId: string, listeners: MappedListener[]): Promise<ObservedZone> {
  const inZone = listeners.filter((l) => l.hostedZoneId === hostedZoneId);
  // A zone of another account is read through the role there (the config gives a zone's listeners one role).
  const role = inZone[0]?.hostedZoneRole;
  const route53 = zoneClient(clients, role);
  const perDomain = await Promise.all(
    distinct(inZone.map((l) => l.domain)).map((domain) => checkZone(route53, hostedZoneId, domain, role?.roleArn).then(() => observeRecords(route53, hostedZoneId, domain))),
  );
  // A domain inside another (kafka.example.com and public.kafka.example.com) lists some records twice.
  const seen = new Set<string>();
  const records = perDomain.flat().filter((r) => {
    const key = `${r.name} ${r.type}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { hostedZoneId, records };
}

/** The VPC and security groups around one load balancer, and the ingress rules the tool may own there. */
async function observeDataPath(
  clients: AwsClients,
  clusterArn: string,
  loadBalancer: LoadBalancer,
  listeners: MappedListener[],
): Promise<Omit<ObservedLoadBalancer, 'loadBalancer' | 'listeners'>> {
  // The tool's rules may sit in any of the NLB's groups (the option moved, or was turned off): all are read.
  const ingressGroups = distinct([
    ...loadBalancer.securityGroupIds,
    ...listeners.flatMap((l) => (l.loadBalancerArn === loadBalancer.arn && l.loadBalancerIngress ? [l.loadBalancerIngress.securityGroupId] : [])),
  ]);
  const [vpc, securityGroups, ingressRules] = await Promise.all([
    observeVpc(clients.ec2, loadBalancer.vpcId),
    observeSecurityGroups(clients.ec2, loadBalancer.securityGroupIds),
    Promise.all(ingressGroups.map((g) => observeIngressRules(clients.ec2, g, clusterArn))).then((r) => r.flat()),
  ]);
  return { vpc, securityGroups, ingressRules };
}

/**
 * What the data path needs beyond the tool's own resources: the subnets of the brokers and of the
 * load balancers (AZs: which NLB node can reach which broker; CIDRs: the nodes' addresses), in one
 * call, and the brokers' security groups. Read in the second round, once DescribeClusterV2,
 * ListNodes and DescribeLoadBalancers are in. Nothing for a cluster without broker nodes (serverless).
 */
async function observePreconditions(
  clients: AwsClients,
  cluster: ObservedCluster,
  loadBalancers: LoadBalancer[],
): Promise<{ subnets?: ObservedSubnet[]; brokerSecurityGroups?: ObservedSecurityGroup[] }> {
  if (cluster.securityGroupIds === undefined) return {};
  const subnetIds = distinct([
    ...(cluster.clientSubnets ?? []),
    ...cluster.brokers.flatMap((b) => (b.clientSubnet ? [b.clientSubnet] : [])),
    ...loadBalancers.flatMap((lb) => lb.subnetIds ?? []),
  ]);
  const [subnets, brokerSecurityGroups] = await Promise.all([observeSubnets(clients.ec2, subnetIds), observeSecurityGroups(clients.ec2, cluster.securityGroupIds)]);
  return { subnets, brokerSecurityGroups };
}
