import { zoneClient, type AwsClients } from '../aws/clients';
import type { ResolvedCluster } from '../listeners';
import { ownedRole, TAG_DOMAIN, TAG_ZONE, targetGroupPrefix } from '../naming';
import { parseClusterArn } from '../arn';
import type { ObservedLoadBalancer, ObservedState, ObservedZone } from '../state';
import { observeAdvertised } from '../advertised/observe';
import { alarmPrefix } from '../alarms/desired';
import type { KafkaAccess } from '../kafka/admin';
import { distinct, loadBalancersOf, type MappedListener } from '../listeners';
import { errorMessage } from '../errors';
import type { LoadBalancer, ObservedCluster, ObservedListener, ObservedSecurityGroup, ObservedSubnet, ObservedTargetGroup, RecordTarget } from '../types';
import { observeAlarms } from './cloudwatch';
import { observeLoadBalancer, observeNetwork } from './elbv2';
import { observeIngressRules, observeSecurityGroups, observeSubnets, observeVpc } from './ec2';
import { observeCluster } from './msk';
import { checkZone, observeRecords } from './route53';
import { observeRecordTarget } from './record-target';
import { realClock, type Clock } from '../clock';

/** How to reach the brokers over Kafka; the region always comes from the cluster ARN. */
export type KafkaAccessOptions = Omit<KafkaAccess, 'region'>;

/** Reads everything the planner needs for one cluster, every load balancer and zone its listeners name; independent reads run in parallel. */
export async function observe(clients: AwsClients, config: ResolvedCluster, kafkaAccess: KafkaAccessOptions = {}, clock: Clock = realClock): Promise<ObservedState> {
  // Before anything is read: what the records show was so by then (moves.ts times a retired listener from it).
  const observedAt = clock.now();
  const { clusterName } = parseClusterArn(config.clusterArn);
  const listeners = config.mapped;
  // Each read starts as soon as what it needs is known (not when a whole round is done): two rounds deep.
  const clusterRead = observeCluster(clients.kafka, config.clusterArn);
  const loadBalancerArns = distinct(listeners.flatMap(loadBalancersOf));
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
  // What the tool left where the config no longer points: former load balancers (their data path, for
  // the tool's ingress rules there) and former zones, in one more round only when there are any.
  const formerSites = network.loadBalancers.slice(dataPaths.length);
  const ownedResources = [...network.loadBalancers.flatMap((s) => s.listeners), ...network.targetGroups].filter((r) => ownedRole(r.tags, config.clusterArn));
  const [formerPaths, formerZones] = await Promise.all([
    Promise.all(formerSites.map((site) => observeDataPath(clients, config.clusterArn, site.loadBalancer, listeners))),
    observeFormerZones(clients, ownedResources, zones.map((z) => z.hostedZoneId)),
  ]);
  const paths = [...dataPaths, ...formerPaths];
  const loadBalancers = network.loadBalancers.map((site, i) => ({ ...site, ...paths[i] }));
  return {
    observedAt, cluster, loadBalancers, targetGroups: network.targetGroups, zones: [...zones, ...formerZones.zones], alarms, advertised,
    ...(Object.keys(recordTargets).length ? { recordTargets } : {}),
    ...preconditions,
    ...(formerZones.notes.length ? { notes: formerZones.notes } : {}),
  };
}

/**
 * Zones the tool's listeners and target groups are tagged with (TAG_ZONE, TAG_DOMAIN) that no
 * listener of the config names any more: the names moved to another zone, and the old ones are
 * found here (a zone cannot be found from a name). Read with the function's own credentials; a zone
 * that is gone holds nothing of the tool's, one that cannot be read is said, not fatal.
 */
async function observeFormerZones(clients: AwsClients, owned: (ObservedListener | ObservedTargetGroup)[], configured: string[]): Promise<{ zones: ObservedZone[]; notes: string[] }> {
  const domainsByZone = new Map<string, Set<string>>();
  for (const { tags } of owned) {
    const zone = tags[TAG_ZONE];
    const domain = tags[TAG_DOMAIN];
    if (!zone || !domain || configured.includes(zone)) continue;
    domainsByZone.set(zone, (domainsByZone.get(zone) ?? new Set()).add(domain));
  }
  const notes: string[] = [];
  const zones = await Promise.all(
    [...domainsByZone].map(async ([hostedZoneId, domains]): Promise<ObservedZone | undefined> => {
      try {
        const records = (await Promise.all([...domains].map((d) => observeRecords(clients.route53, hostedZoneId, d)))).flat();
        return { hostedZoneId, records, former: true };
      } catch (error) {
        if ((error as Error).name === 'NoSuchHostedZone') return undefined;
        notes.push(`former hosted zone ${hostedZoneId} (${[...domains].join(', ')}) could not be read: ${errorMessage(error)}; the tool's names there stay until it can be read (or delete them by hand)`);
        return undefined;
      }
    }),
  );
  return { zones: zones.filter((z): z is ObservedZone => z !== undefined), notes };
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
    distinct(inZone.map((l) => l.domain)).map(async (domain) => {
      const zone = await checkZone(route53, hostedZoneId, domain, role?.roleArn);
      return { ...zone, records: await observeRecords(route53, hostedZoneId, domain) };
    }),
  );
  // A domain inside another (kafka.example.com and public.kafka.example.com) lists some records twice.
  const seen = new Set<string>();
  const records = perDomain.flatMap((d) => d.records).filter((r) => {
    const key = `${r.name} ${r.type}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
  return { hostedZoneId, records, privateZone: perDomain.some((d) => d.privateZone) };
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
