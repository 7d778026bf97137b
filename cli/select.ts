import { parseClusterArn } from '../shared/arn';
import type { ClusterConfig, Config } from '../shared/config/schema';
import { ConfigError } from '../shared/errors';

/**
 * The clusters a run acts on. `--region`: only the config's clusters in that region (a cluster's
 * region is the one of its ARN; nothing else can reach it). `--cluster`: one of them, by full ARN
 * or by name (the ARN's name segment); a name two clusters share is refused.
 */
export function selectClusters(config: Config, wanted?: string, region?: string): ClusterConfig[] {
  const regionOf = (c: ClusterConfig) => parseClusterArn(c.clusterArn).region;
  const inRegion = region ? config.clusters.filter((c) => regionOf(c) === region) : config.clusters;
  if (!inRegion.length) {
    throw new ConfigError(`no cluster of the config is in region ${region} (--region); its clusters are in ${[...new Set(config.clusters.map(regionOf))].join(', ')}`);
  }
  if (!wanted) return inRegion;
  const byArn = wanted.startsWith('arn:');
  const match = inRegion.filter((c) => (byArn ? c.clusterArn === wanted : parseClusterArn(c.clusterArn).clusterName === wanted));
  if (match.length > 1) {
    throw new ConfigError(`cluster name ${wanted} is ambiguous: ${match.length} clusters of the config have it (${match.map((c) => c.clusterArn).join(', ')}); pass --cluster <ARN>`);
  }
  if (match.length === 1) return match;
  const elsewhere = config.clusters.find((c) => (byArn ? c.clusterArn === wanted : parseClusterArn(c.clusterArn).clusterName === wanted));
  if (elsewhere) throw new ConfigError(`cluster ${wanted} is in ${regionOf(elsewhere)}, not in ${region} (--region)`);
  const listed = inRegion.map((c) => `${parseClusterArn(c.clusterArn).clusterName} (${c.clusterArn})`).join(', ');
  throw new ConfigError(`cluster ${wanted} is not in the config (it lists ${listed}): pass a name or ARN from it`);
}
