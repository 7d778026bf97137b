// MSK configuration writes, confirmed by reading what they were to change. Neither CreateConfiguration
// nor UpdateClusterConfiguration takes an idempotency token: the SDK's retry after a lost reply is
// refused (a configuration of that name exists; the cluster is no longer ACTIVE at the version read).
import {
  DescribeClusterOperationV2Command,
  DescribeClusterV2Command,
  DescribeConfigurationRevisionCommand,
  paginateListClusterOperationsV2,
  paginateListConfigurations,
  type KafkaClient,
} from '@aws-sdk/client-kafka';

export interface ConfigurationRef {
  arn: string;
  revision: number;
}

/**
 * ConflictException on CreateConfiguration: the configuration of that (deterministic) name exists,
 * has exactly one revision, and that revision holds the intended text and description; its ARN.
 */
export async function configurationCreated(
  kafka: KafkaClient,
  want: { name: string; serverProperties: string; description: string },
): Promise<ConfigurationRef | undefined> {
  for await (const page of paginateListConfigurations({ client: kafka, pageSize: 100 }, {})) {
    const found = page.Configurations?.find((c) => c.Name === want.name);
    if (!found) continue;
    if (!found.Arn || found.LatestRevision?.Revision !== 1 || found.LatestRevision.Description !== want.description) return undefined;
    const revision = await kafka.send(new DescribeConfigurationRevisionCommand({ Arn: found.Arn, Revision: 1 }));
    const text = Buffer.from(revision.ServerProperties ?? new Uint8Array()).toString('utf8');
    return text === want.serverProperties ? { arn: found.Arn, revision: 1 } : undefined;
  }
  return undefined;
}

const same = (a: { Arn?: string; Revision?: number } | undefined, ref: ConfigurationRef) => a?.Arn === ref.arn && a?.Revision === ref.revision;

/**
 * BadRequestException/ConflictException on UpdateClusterConfiguration: the cluster already runs an
 * update to exactly this revision (its active operation), or already runs the revision. Returns that
 * operation's ARN, to be followed as if the call had answered.
 */
export async function configurationUpdateStarted(kafka: KafkaClient, clusterArn: string, ref: ConfigurationRef): Promise<string | undefined> {
  const cluster = (await kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }))).ClusterInfo;
  const isOurs = async (operationArn: string) => {
    const op = (await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: operationArn }))).ClusterOperationInfo;
    return op?.OperationType === 'UPDATE_CLUSTER_CONFIGURATION' && same(op.Provisioned?.TargetClusterInfo?.ConfigurationInfo, ref);
  };
  if (cluster?.ActiveOperationArn) return (await isOurs(cluster.ActiveOperationArn)) ? cluster.ActiveOperationArn : undefined;
  const software = cluster?.Provisioned?.CurrentBrokerSoftwareInfo;
  if (!same({ Arn: software?.ConfigurationArn, Revision: software?.ConfigurationRevision }, ref)) return undefined;
  // Already finished (a short update, or a slow retry): the newest configuration update to this revision.
  for await (const page of paginateListClusterOperationsV2({ client: kafka, pageSize: 100 }, { ClusterArn: clusterArn })) {
    const updates = (page.ClusterOperationInfoList ?? [])
      .filter((o) => o.OperationType === 'UPDATE_CLUSTER_CONFIGURATION' && o.OperationArn && o.StartTime)
      .sort((a, b) => b.StartTime!.getTime() - a.StartTime!.getTime());
    for (const op of updates) if (await isOurs(op.OperationArn!)) return op.OperationArn;
  }
  return undefined;
}
