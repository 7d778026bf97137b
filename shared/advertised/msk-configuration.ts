import {
  CreateConfigurationCommand,
  DescribeClusterOperationV2Command,
  DescribeConfigurationRevisionCommand,
  UpdateClusterConfigurationCommand,
  UpdateConfigurationCommand,
  type KafkaClient,
} from '@aws-sdk/client-kafka';
import type { ObservedCluster } from '../types';

export interface ObservedConfiguration {
  /** Absent when the cluster runs on MSK's default configuration. */
  arn?: string;
  revision?: number;
  serverProperties: string;
}

export async function observeConfiguration(kafka: KafkaClient, cluster: ObservedCluster): Promise<ObservedConfiguration> {
  if (!cluster.configurationArn || cluster.configurationRevision === undefined) return { serverProperties: '' };
  const out = await kafka.send(new DescribeConfigurationRevisionCommand({ Arn: cluster.configurationArn, Revision: cluster.configurationRevision }));
  return {
    arn: cluster.configurationArn,
    revision: cluster.configurationRevision,
    serverProperties: Buffer.from(out.ServerProperties ?? new Uint8Array()).toString('utf8'),
  };
}

export interface OperationOutcome {
  operationArn: string;
  state: string;
  /** Set when the operation had not finished within the follow time. */
  stillRunning?: boolean;
  error?: string;
}

import { pollUntil, type FollowOptions } from '../follow';
export type { FollowOptions } from '../follow';

/**
 * Writes a new revision (or a first configuration for a cluster on MSK's defaults) and
 * applies it to the cluster: MSK restarts the brokers one by one. Follows the operation
 * for a while; the next reconcile reports an operation that outlives this one.
 */
export async function applyConfiguration(
  kafka: KafkaClient,
  cluster: ObservedCluster,
  current: ObservedConfiguration,
  serverProperties: string,
  follow: FollowOptions,
): Promise<OperationOutcome> {
  const bytes = new TextEncoder().encode(serverProperties);
  const description = 'msk-custom-domain-sync: custom.advertised.listeners';
  let arn: string;
  let revision: number;
  if (current.arn) {
    const out = await kafka.send(new UpdateConfigurationCommand({ Arn: current.arn, ServerProperties: bytes, Description: description }));
    arn = out.Arn ?? current.arn;
    revision = out.LatestRevision!.Revision!;
  } else {
    const out = await kafka.send(
      new CreateConfigurationCommand({
        Name: `msk-custom-domain-${cluster.name}`.slice(0, 64),
        ServerProperties: bytes,
        Description: description,
        KafkaVersions: cluster.kafkaVersion ? [cluster.kafkaVersion] : undefined,
      }),
    );
    arn = out.Arn!;
    revision = out.LatestRevision!.Revision!;
  }
  const update = await kafka.send(
    new UpdateClusterConfigurationCommand({ ClusterArn: cluster.arn, ConfigurationInfo: { Arn: arn, Revision: revision }, CurrentVersion: cluster.currentVersion }),
  );
  return followOperation(kafka, update.ClusterOperationArn!, follow);
}

const DONE = new Set(['UPDATE_COMPLETE', 'UPDATE_FAILED', 'FAILED', 'COMPLETED']);

export async function followOperation(kafka: KafkaClient, operationArn: string, follow: FollowOptions): Promise<OperationOutcome> {
  const read = async () => (await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: operationArn }))).ClusterOperationInfo;
  const { value: info, finished } = await pollUntil(read, (op) => DONE.has(op?.OperationState ?? 'UNKNOWN'), follow);
  const state = info?.OperationState ?? 'UNKNOWN';
  if (!finished) return { operationArn, state, stillRunning: true };
  return { operationArn, state, error: info?.ErrorInfo ? `${info.ErrorInfo.ErrorCode}: ${info.ErrorInfo.ErrorString}` : undefined };
}
