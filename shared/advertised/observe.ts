import { GetBootstrapBrokersCommand, type KafkaClient } from '@aws-sdk/client-kafka';
import type { ResolvedCluster } from '../listeners';
import { errorMessage } from '../errors';
import { describeBrokerConfigs, type KafkaAccess } from '../kafka/admin';
import type { BrokerConfigEntry } from '../kafka/dynamic-config';
import { brokerEndpoints, type BrokerEndpoint } from '../kafka/endpoints';
import type { ObservedCluster } from '../types';
import type { ObservedState } from '../state';
import { ownEntriesNoLongerMapped } from '../plan/still-advertised';
import { configurationConverged, mappedClientListeners, withoutCustomEntries } from '../plan/advertised';
import { CUSTOM_ADVERTISED_LISTENERS, getProperty } from './server-properties';
import { observeConfiguration, observeConfigurationDetail, type ObservedConfiguration } from './msk-configuration';

export interface ObservedBrokerConfigs {
  endpoint: BrokerEndpoint;
  entries?: BrokerConfigEntry[];
  /** Why the configs could not be read (connection, authentication…). */
  error?: string;
}

/** What the brokers advertise today, read over Kafka itself and from the MSK configuration. */
export interface ObservedAdvertised {
  kraft: boolean;
  brokers: ObservedBrokerConfigs[];
  /** Only in msk-configuration mode. */
  configuration?: ObservedConfiguration;
}

/** Kafka versions of KRaft clusters end in `.kraft` (e.g. 3.7.x.kraft). */
export function isKraft(kafkaVersion: string | undefined): boolean {
  return /\.kraft$/i.test(kafkaVersion ?? '');
}

/**
 * Reads every existing broker's configs through the AWS-native IAM bootstrap (never the
 * custom names, which may be the very thing that is broken). Per-broker failures are kept,
 * not thrown: they block that broker only.
 */
export async function observeAdvertised(
  kafka: KafkaClient,
  config: ResolvedCluster,
  cluster: ObservedCluster,
  access: KafkaAccess,
): Promise<ObservedAdvertised | undefined> {
  if (config.advertisedListeners === 'none' || cluster.clusterType === 'SERVERLESS') return undefined;
  const kraft = isKraft(cluster.kafkaVersion);
  const configuration = config.advertisedListeners === 'msk-configuration' ? await observeConfiguration(kafka, cluster) : undefined;
  // KRaft refuses dynamic listener changes, so in dynamic mode there is nothing to read.
  if (kraft && config.advertisedListeners === 'dynamic-broker-config') return { kraft, brokers: [], configuration };

  const existing = cluster.brokers.filter((b) => b.clientIp && b.endpoint);
  if (!existing.length) return { kraft, brokers: [], configuration };
  const bootstrap = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: cluster.arn }));
  const endpoints = brokerEndpoints(existing, bootstrap.BootstrapBrokerStringSaslIam ?? '', 'iam');
  const brokers = await Promise.all(
    endpoints.map(async (endpoint): Promise<ObservedBrokerConfigs> => {
      try {
        return { endpoint, entries: await describeBrokerConfigs(access, endpoint) };
      } catch (error) {
        return { endpoint, error: errorMessage(error) };
      }
    }),
  );
  return { kraft, brokers, configuration };
}

/**
 * What a configuration change needs to be safe (latest revision, other clusters using it, the
 * tool's dedicated configuration, its last revision and the updates since), read only when the
 * configuration must change for `purpose`: a converged run stays at one DescribeConfigurationRevision.
 */
export async function observeConfigurationChange(
  kafka: KafkaClient,
  config: ResolvedCluster,
  observed: ObservedState,
  purpose: 'advertise' | 'restore',
): Promise<void> {
  const configuration = observed.advertised?.configuration;
  if (!configuration || configuration.detail) return;
  const text = configuration.serverProperties;
  const names = mappedClientListeners(config).map((l) => l.listenerName);
  const unchanged =
    purpose === 'advertise'
      ? configurationConverged(config, text) && !ownEntriesNoLongerMapped(observed, names).length
      : getProperty(withoutCustomEntries(text, names), CUSTOM_ADVERTISED_LISTENERS) === getProperty(text, CUSTOM_ADVERTISED_LISTENERS);
  if (!unchanged) configuration.detail = await observeConfigurationDetail(kafka, observed.cluster, configuration);
}
