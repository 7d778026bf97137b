// Kafka admin access that always reaches a broker through its AWS-native endpoint.
//
// The lock-out this avoids: once brokers advertise custom names, any Kafka client follows
// Metadata to those names; if they are wrong (no DNS yet, NLB listener missing, wrong port) a
// plain client cannot even reach the controller, so it cannot repair the config that broke it.
// Here each call builds a kafkajs admin pinned to ONE broker: its bootstrap is that broker's AWS
// endpoint and its socketFactory sends every connection - whatever host Metadata advertised - to
// that same endpoint. kafkajs sends a BROKER resource's DescribeConfigs/AlterConfigs to the node
// whose id is the resource name, so for broker N they land on broker N, the pinned broker.
// TLS is always on and verified; SASL/OAUTHBEARER carries an MSK IAM token signed for the
// explicitly given region.
import { isIP } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { ConfigResourceTypes, Kafka, logLevel, type Admin, type ISocketFactory } from 'kafkajs';
import { generateAuthToken, generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { BrokerConfigEntry, ConfigSourceName, ConfigValue } from './dynamic-config';
import type { BrokerEndpoint } from './endpoints';
import { toKafkaAdminError, type KafkaOperation } from './errors';

export { brokerEndpoints, type BrokerEndpoint } from './endpoints';

export interface KafkaAccess {
  /** Region the IAM token is signed for: the cluster's region. */
  region: string;
  /** Default: the AWS SDK's default Node.js provider chain (via the MSK signer). */
  credentials?: AwsCredentialIdentityProvider;
  /** Extra TLS options (tests: `ca`, `lookup`). Verification cannot be turned off. A `ca` replaces the default trust store. */
  tls?: ConnectionOptions;
  clientId?: string;
  /** TCP + TLS connect timeout (default 5000 ms). */
  connectionTimeoutMs?: number;
  /** Per-request timeout (default 15000 ms). */
  requestTimeoutMs?: number;
}

const SOURCE_NAMES: Readonly<Record<number, ConfigSourceName>> = {
  1: 'TOPIC_CONFIG',
  2: 'DYNAMIC_BROKER_CONFIG',
  3: 'DYNAMIC_DEFAULT_BROKER_CONFIG',
  4: 'STATIC_BROKER_CONFIG',
  5: 'DEFAULT_CONFIG',
  6: 'DYNAMIC_BROKER_LOGGER_CONFIG',
};

/** kafkajs' shape of a DescribeConfigs entry (configSynonyms only exists for protocol v1+). */
interface KafkaJsConfigEntry {
  configName: string;
  configValue: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  configSynonyms?: { configName: string; configValue: string | null; configSource: number }[];
}

/** kafkajs invents STATIC_BROKER_CONFIG for DescribeConfigs v0 answers: call those UNKNOWN. */
export function fromKafkaJsEntry(e: KafkaJsConfigEntry): BrokerConfigEntry {
  const v0 = e.configSynonyms === undefined;
  const name = (s: number): ConfigSourceName => SOURCE_NAMES[s] ?? 'UNKNOWN';
  return {
    name: e.configName,
    value: e.configValue,
    isSensitive: e.isSensitive,
    readOnly: e.readOnly,
    isDefault: e.isDefault,
    source: v0 ? (e.isDefault ? 'DEFAULT_CONFIG' : 'UNKNOWN') : name(e.configSource),
    synonyms: (e.configSynonyms ?? []).map((s) => ({ name: s.configName, value: s.configValue, source: name(s.configSource) })),
  };
}

function pinnedKafka(access: KafkaAccess, broker: BrokerEndpoint): Kafka {
  const tlsOptions: ConnectionOptions = {
    ...access.tls,
    // Verify the certificate against the AWS host name (kafkajs would use the advertised one).
    ...(isIP(broker.host) ? {} : { servername: broker.host }),
    rejectUnauthorized: true,
  };
  const socketFactory: ISocketFactory = ({ onConnect }) => {
    const socket = tlsConnect({ ...tlsOptions, host: broker.host, port: broker.port }, onConnect);
    socket.setKeepAlive(true, 60_000);
    return socket;
  };
  const oauthBearerProvider = async () => {
    const { token } = access.credentials
      ? await generateAuthTokenFromCredentialsProvider({ region: access.region, awsCredentialsProvider: access.credentials })
      : await generateAuthToken({ region: access.region }); // the SDK's default provider chain
    return { value: token };
  };
  return new Kafka({
    clientId: access.clientId ?? 'msk-custom-domain-sync',
    // kafkajs splits "host:port" on ':'; the socket factory ignores the host anyway.
    brokers: [`${broker.host.includes(':') ? `broker-${broker.id}` : broker.host}:${broker.port}`],
    ssl: true,
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider },
    socketFactory,
    connectionTimeout: access.connectionTimeoutMs ?? 5000,
    authenticationTimeout: access.connectionTimeoutMs ?? 5000,
    requestTimeout: access.requestTimeoutMs ?? 15_000,
    retry: { retries: 2, initialRetryTime: 200, maxRetryTime: 2000 },
    logLevel: logLevel.NOTHING, // failures surface as errors from this module
  });
}

async function withPinnedAdmin<T>(
  access: KafkaAccess,
  broker: BrokerEndpoint,
  operation: KafkaOperation,
  run: (admin: Admin) => Promise<T>,
  configNames?: readonly string[],
): Promise<T> {
  const admin = pinnedKafka(access, broker).admin();
  try {
    await admin.connect();
    return await run(admin);
  } catch (e) {
    throw toKafkaAdminError(e, { operation, broker, region: access.region, ...(configNames ? { configNames } : {}) });
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
}

/** DescribeConfigs of the broker's own BROKER resource, with synonyms (see dynamic-config.ts). */
export async function describeBrokerConfigs(access: KafkaAccess, broker: BrokerEndpoint): Promise<BrokerConfigEntry[]> {
  return withPinnedAdmin(access, broker, 'describe-configs', async (admin) => {
    const res = await admin.describeConfigs({
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.id) }],
      includeSynonyms: true,
    });
    const entries = (res.resources[0]?.configEntries ?? []) as unknown as KafkaJsConfigEntry[];
    return entries.map(fromKafkaJsEntry);
  });
}

/**
 * Legacy AlterConfigs of the broker's own BROKER resource. It REPLACES all of the broker's
 * dynamic per-broker configs with `configs`: build them with dynamic-config.ts.
 */
export async function alterBrokerConfigs(
  access: KafkaAccess,
  broker: BrokerEndpoint,
  configs: readonly ConfigValue[],
  options: { validateOnly?: boolean } = {},
): Promise<void> {
  const names = configs.map((c) => c.name);
  await withPinnedAdmin(access, broker, 'alter-configs', async (admin) => {
    await admin.alterConfigs({
      validateOnly: options.validateOnly ?? false,
      resources: [{ type: ConfigResourceTypes.BROKER, name: String(broker.id), configEntries: configs.map((c) => ({ name: c.name, value: c.value })) }],
    });
  }, names);
}

/** What Metadata (as seen through this broker) says each broker's client address is. */
export async function readAdvertisedEndpoints(access: KafkaAccess, broker: BrokerEndpoint): Promise<Map<number, { host: string; port: number }>> {
  return withPinnedAdmin(access, broker, 'metadata', async (admin) => {
    const { brokers } = await admin.describeCluster();
    return new Map(brokers.map((b) => [b.nodeId, { host: b.host, port: b.port }]));
  });
}
