import type { KafkaClient } from '@aws-sdk/client-kafka';
import { applyConfiguration, type FollowOptions, type OperationOutcome } from '../advertised/msk-configuration';
import type { ResolvedCluster } from '../listeners';
import type { ObservedState } from '../state';
import { alterBrokerConfigs, describeBrokerConfigs, readAdvertisedEndpoints, type KafkaAccess } from '../kafka/admin';
import { findListener, formatHostPort } from '../kafka/advertised-listeners';
import { ADVERTISED_LISTENERS } from '../kafka/dynamic-config';
import type { BrokerEndpoint } from '../kafka/endpoints';
import { errorMessage } from '../errors';
import { brokerEndpointKey, listenerEndpoint, mappedClientListeners } from '../plan/advertised';
import type { Action, Plan } from '../plan/types';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** Validate first (AlterConfigs validateOnly), so a value the broker rejects changes nothing. */
export async function alterBrokerAdvertised(access: KafkaAccess, action: Of<'alter-broker-configs'>): Promise<void> {
  await alterBrokerConfigs(access, action.endpoint, action.configs, { validateOnly: true });
  await alterBrokerConfigs(access, action.endpoint, action.configs, { validateOnly: false });
}

export const DEFAULT_FOLLOW: FollowOptions = { pollSeconds: 30, maxSeconds: 600 };

export async function updateMskConfiguration(kafka: KafkaClient, observed: ObservedState, action: Of<'update-msk-configuration'>, follow: FollowOptions): Promise<OperationOutcome> {
  return applyConfiguration(kafka, observed.cluster, action, follow);
}

export interface AdvertisedCheck {
  brokerId: number;
  /** The mapped client listener checked. */
  listener: string;
  expected: string;
  actual?: string;
  ok: boolean;
}

/** What each broker should advertise per mapped listener (`host:port`), brokers blocked by a conflict left out. */
export function expectedAdvertised(config: ResolvedCluster, plan: Plan, brokerIds: number[]): Map<number, Map<string, string>> {
  const expected = new Map<number, Map<string, string>>();
  const blocked = new Set(plan.blocked ?? []);
  for (const id of brokerIds) {
    if (plan.conflicts.some((c) => c.resource.startsWith(`broker-${id} `))) continue;
    const open = mappedClientListeners(config).filter((l) => !blocked.has(brokerEndpointKey(l, id)));
    if (!open.length) continue;
    expected.set(id, new Map(open.map((l) => {
      const e = listenerEndpoint(l, id);
      return [e.listenerName, formatHostPort(e.host, e.port)];
    })));
  }
  return expected;
}

/**
 * After apply: what each broker advertises for each mapped listener. Kafka Metadata answers with
 * the endpoints of the listener the client came in on, and the admin connects over IAM: so the
 * CLIENT_IAM entry is checked in Metadata, any other mapped listener in the broker's effective
 * advertised.listeners (DescribeConfigs), which the tool cannot reach without that listener's credentials.
 */
export async function verifyAdvertised(access: KafkaAccess, via: BrokerEndpoint, expected: Map<number, Map<string, string>>, brokers: BrokerEndpoint[] = []): Promise<AdvertisedCheck[]> {
  const metadata = await readAdvertisedEndpoints(access, via);
  const checks: AdvertisedCheck[] = [];
  for (const [brokerId, listeners] of expected) {
    let described: Promise<string | undefined> | undefined;
    for (const [listener, want] of listeners) {
      let actual: string | undefined;
      if (listener === 'CLIENT_IAM') {
        const seen = metadata.get(brokerId);
        actual = seen ? formatHostPort(seen.host, seen.port) : undefined;
      } else {
        const endpoint = brokers.find((b) => b.id === brokerId);
        described ??= endpoint ? effectiveAdvertised(access, endpoint) : Promise.resolve(undefined);
        const value = await described;
        const entry = value === undefined ? undefined : safeFind(value, listener);
        actual = entry && formatHostPort(entry.host, entry.port);
      }
      checks.push({ brokerId, listener, expected: want, actual, ok: actual === want });
    }
  }
  return checks;
}

async function effectiveAdvertised(access: KafkaAccess, broker: BrokerEndpoint): Promise<string | undefined> {
  try {
    return (await describeBrokerConfigs(access, broker)).find((e) => e.name === ADVERTISED_LISTENERS)?.value ?? undefined;
  } catch (error) {
    return `unreadable: ${errorMessage(error)}`;
  }
}

function safeFind(value: string, listener: string) {
  try {
    return findListener(value, listener);
  } catch {
    return undefined;
  }
}
