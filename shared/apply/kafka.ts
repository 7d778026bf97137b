import type { KafkaClient } from '@aws-sdk/client-kafka';
import { applyConfiguration, type FollowOptions, type OperationOutcome } from '../advertised/msk-configuration';
import type { ObservedState } from '../state';
import { alterBrokerConfigs, readAdvertisedEndpoints, type KafkaAccess } from '../kafka/admin';
import type { BrokerEndpoint } from '../kafka/endpoints';
import type { Action } from '../plan/types';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** Validate first (AlterConfigs validateOnly), so a value the broker rejects changes nothing. */
export async function alterBrokerAdvertised(access: KafkaAccess, action: Of<'alter-broker-configs'>): Promise<void> {
  await alterBrokerConfigs(access, action.endpoint, action.configs, { validateOnly: true });
  await alterBrokerConfigs(access, action.endpoint, action.configs, { validateOnly: false });
}

export const DEFAULT_FOLLOW: FollowOptions = { pollSeconds: 30, maxSeconds: 600 };

export async function updateMskConfiguration(kafka: KafkaClient, observed: ObservedState, action: Of<'update-msk-configuration'>, follow: FollowOptions): Promise<OperationOutcome> {
  return applyConfiguration(kafka, observed.cluster, observed.advertised!.configuration!, action.serverProperties, follow);
}

export interface AdvertisedCheck {
  brokerId: number;
  expected: string;
  actual?: string;
  ok: boolean;
}

/** After apply: what Kafka metadata says each broker advertises, against what was wanted. */
export async function verifyAdvertised(access: KafkaAccess, via: BrokerEndpoint, expected: Map<number, string>): Promise<AdvertisedCheck[]> {
  const advertised = await readAdvertisedEndpoints(access, via);
  return [...expected].map(([brokerId, want]) => {
    const seen = advertised.get(brokerId);
    const actual = seen ? `${seen.host}:${seen.port}` : undefined;
    return { brokerId, expected: want, actual, ok: actual === want };
  });
}
