import { DescribeClusterOperationV2Command, DescribeClusterV2Command, paginateListNodes, type KafkaClient } from '@aws-sdk/client-kafka';
import { parseClusterArn } from '../arn';
import type { Broker, ObservedCluster } from '../types';

/** DescribeClusterV2 + ListNodes: the cluster and its brokers (controller nodes of KRaft clusters are skipped). */
export async function observeCluster(kafka: KafkaClient, clusterArn: string): Promise<ObservedCluster> {
  // In parallel to save a round trip; ListNodes has no meaning (and may fail) for serverless clusters.
  const [described, nodes] = await Promise.all([
    kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn })),
    listBrokers(kafka, clusterArn).then(
      (brokers) => ({ brokers }),
      (error: unknown) => ({ error }),
    ),
  ]);
  const info = described.ClusterInfo;
  const serverless = info?.ClusterType === 'SERVERLESS';
  if ('error' in nodes && !serverless) throw nodes.error;
  const brokers = 'brokers' in nodes ? nodes.brokers : [];
  const provisioned = info?.Provisioned;
  return {
    arn: clusterArn,
    name: info?.ClusterName ?? parseClusterArn(clusterArn).clusterName,
    region: parseClusterArn(clusterArn).region,
    state: info?.State ?? 'UNKNOWN',
    clusterType: info?.ClusterType ?? 'PROVISIONED',
    kafkaVersion: provisioned?.CurrentBrokerSoftwareInfo?.KafkaVersion,
    instanceType: provisioned?.BrokerNodeGroupInfo?.InstanceType,
    enhancedMonitoring: provisioned?.EnhancedMonitoring,
    numberOfBrokerNodes: provisioned?.NumberOfBrokerNodes,
    configurationArn: provisioned?.CurrentBrokerSoftwareInfo?.ConfigurationArn,
    configurationRevision: provisioned?.CurrentBrokerSoftwareInfo?.ConfigurationRevision,
    currentVersion: info?.CurrentVersion,
    ...(provisioned?.ClientAuthentication
      ? {
          clientListeners: {
            iam: provisioned.ClientAuthentication.Sasl?.Iam?.Enabled === true,
            scram: provisioned.ClientAuthentication.Sasl?.Scram?.Enabled === true,
            // CLIENT_SECURE (9094) exists whenever client-broker traffic may use TLS.
            tls: provisioned.EncryptionInfo?.EncryptionInTransit?.ClientBroker !== 'PLAINTEXT',
          },
        }
      : {}),
    ...(provisioned?.BrokerNodeGroupInfo
      ? {
          publicAccess: provisioned.BrokerNodeGroupInfo.ConnectivityInfo?.PublicAccess?.Type,
          securityGroupIds: provisioned.BrokerNodeGroupInfo.SecurityGroups ?? [],
          clientSubnets: provisioned.BrokerNodeGroupInfo.ClientSubnets ?? [],
        }
      : {}),
    brokers,
    announcedBrokerIds: info?.State !== 'ACTIVE' && info?.ActiveOperationArn ? await announcedBrokerIds(kafka, info.ActiveOperationArn) : [],
  };
}

/**
 * A scale-out in progress names the broker ids it is creating. Only read while the cluster is
 * busy, so a steady-state reconcile makes no extra call.
 */
async function announcedBrokerIds(kafka: KafkaClient, operationArn: string): Promise<number[]> {
  const out = await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: operationArn }));
  return out.ClusterOperationInfo?.Provisioned?.TargetClusterInfo?.BrokerCountUpdateInfo?.CreatedBrokerIds ?? [];
}

/** ListNodes: the brokers and their client IPs (the watch reads only this). */
export async function listBrokers(kafka: KafkaClient, clusterArn: string): Promise<Broker[]> {
  const brokers: Broker[] = [];
  for await (const page of paginateListNodes({ client: kafka, pageSize: 100 }, { ClusterArn: clusterArn })) {
    for (const node of page.NodeInfoList ?? []) {
      const info = node.BrokerNodeInfo;
      if (info?.BrokerId === undefined) continue;
      brokers.push({
        id: info.BrokerId,
        clientIp: info.ClientVpcIpAddress || undefined,
        endpoint: info.Endpoints?.[0],
        clientSubnet: info.ClientSubnet,
      });
    }
  }
  return brokers.sort((a, b) => a.id - b.id);
}
