import type { AwsClients } from '../aws/clients';
import type { ClusterConfig } from '../config/schema';
import { targetGroupPrefix } from '../naming';
import { parseClusterArn } from '../arn';
import type { ObservedState } from '../state';
import { observeAdvertised } from '../advertised/observe';
import { alarmPrefix } from '../alarms/desired';
import type { KafkaAccess } from '../kafka/admin';
import { observeAlarms } from './cloudwatch';
import { observeLoadBalancer, observeNetwork } from './elbv2';
import { observeIngressRules, observeSecurityGroups, observeVpc } from './ec2';
import { observeCluster } from './msk';
import { checkZone, observeRecords } from './route53';

/** Reads everything the planner needs for one cluster; independent reads run in parallel. */
/** How to reach the brokers over Kafka; the region always comes from the cluster ARN. */
export type KafkaAccessOptions = Omit<KafkaAccess, 'region'>;

function ingressGroups(config: ClusterConfig, loadBalancerGroups: string[]): string[] {
  return [...new Set([...loadBalancerGroups, ...(config.loadBalancerIngress ? [config.loadBalancerIngress.securityGroupId] : [])])];
}

export async function observe(clients: AwsClients, config: ClusterConfig, kafkaAccess: KafkaAccessOptions = {}): Promise<ObservedState> {
  const { clusterName } = parseClusterArn(config.clusterArn);
  // Each read starts as soon as what it needs is known (not when a whole round is done): two rounds deep.
  const clusterRead = observeCluster(clients.kafka, config.clusterArn);
  const loadBalancerRead = observeLoadBalancer(clients.elbv2, config.loadBalancerArn);
  const [cluster, network, records, alarms, advertised, [vpc, securityGroups, ingressRules]] = await Promise.all([
    clusterRead,
    observeNetwork(clients.elbv2, config.loadBalancerArn, targetGroupPrefix(config.clusterArn, clusterName), loadBalancerRead),
    checkZone(clients.route53, config.hostedZoneId, config.domain).then(() => observeRecords(clients.route53, config.hostedZoneId, config.domain)),
    // Read even when disabled: turning alarms off must remove the ones the tool made.
    observeAlarms(clients.cloudwatch, alarmPrefix(clusterName, config.clusterArn)),
    clusterRead.then((cluster) => observeAdvertised(clients.kafka, config, cluster, { ...kafkaAccess, region: cluster.region })),
    loadBalancerRead.then((loadBalancer) =>
      Promise.all([
        observeVpc(clients.ec2, loadBalancer.vpcId),
        observeSecurityGroups(clients.ec2, loadBalancer.securityGroupIds),
        // The tool's rules may sit in any of the NLB's groups (the option moved, or was turned off): all are read.
        ingressGroups(config, loadBalancer.securityGroupIds).length
          ? Promise.all(ingressGroups(config, loadBalancer.securityGroupIds).map((g) => observeIngressRules(clients.ec2, g, config.clusterArn))).then((r) => r.flat())
          : [],
      ]),
    ),
  ]);
  return { cluster, ...network, vpc, securityGroups, ingressRules, records, alarms, advertised };
}
