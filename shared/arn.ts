import { ConfigError } from './errors';

export interface ClusterArnParts {
  partition: string;
  region: string;
  accountId: string;
  clusterName: string;
  clusterUuid: string;
}

/** arn:aws:kafka:eu-west-1:123456789012:cluster/orders/1a2b3c4d-...-1 */
export function parseClusterArn(arn: string): ClusterArnParts {
  const match = /^arn:(aws[a-z-]*):kafka:([a-z0-9-]+):(\d{12}):cluster\/([^/]+)\/([^/]+)$/.exec(arn);
  if (!match) throw new ConfigError(`not an MSK cluster ARN: ${arn}`);
  const [, partition, region, accountId, clusterName, clusterUuid] = match;
  return { partition, region, accountId, clusterName, clusterUuid };
}
