// Request decoders and response encoders for the APIs the fake serves, per the Kafka protocol
// layouts (https://kafka.apache.org/protocol): ApiVersions v0-2, SaslHandshake v0-1,
// SaslAuthenticate v0-1, Metadata v0-1, DescribeConfigs v0-2, AlterConfigs v0-1.
import { Reader, Writer } from './wire';
import type { DescribedEntry } from './broker-config';

export const ApiKey = {
  Metadata: 3,
  SaslHandshake: 17,
  ApiVersions: 18,
  DescribeConfigs: 32,
  AlterConfigs: 33,
  SaslAuthenticate: 36,
} as const;

export const API_NAMES: Readonly<Record<number, string>> = Object.fromEntries(Object.entries(ApiKey).map(([k, v]) => [v, k]));

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

export interface ApiRange { apiKey: number; min: number; max: number }

export function encodeApiVersions(version: number, errorCode: number, apis: readonly ApiRange[]): Buffer {
  const w = new Writer().int16(errorCode).array(apis, (w, a) => w.int16(a.apiKey).int16(a.min).int16(a.max));
  if (version >= 1) w.int32(0); // throttle_time_ms
  return w.toBuffer();
}

export const decodeSaslHandshake = (r: Reader) => ({ mechanism: r.string() ?? '' });
export const encodeSaslHandshake = (errorCode: number, mechanisms: readonly string[]) =>
  new Writer().int16(errorCode).array(mechanisms, (w, m) => w.string(m)).toBuffer();

export const decodeSaslAuthenticate = (r: Reader) => ({ authBytes: r.bytes() ?? Buffer.alloc(0) });
export function encodeSaslAuthenticate(version: number, errorCode: number, errorMessage: string | null, authBytes: Buffer = Buffer.alloc(0)): Buffer {
  const w = new Writer().int16(errorCode).string(errorMessage).bytes(authBytes);
  if (version >= 1) w.int64(0n); // session_lifetime_ms 0: no re-authentication required
  return w.toBuffer();
}

/** v0: empty array = all topics; v1+: null = all topics, empty = none; v4+ adds allow_auto_topic_creation. */
export const decodeMetadata = (r: Reader, version = 0) => {
  const topics = r.array((r) => r.string() ?? '');
  return version >= 4 ? { topics, allowAutoTopicCreation: r.boolean() } : { topics };
};

/** The cluster id Metadata v2+ reports (MSK answers with its own; any stable string will do here). */
export const CLUSTER_ID = 'fake-msk-cluster-id';

export interface MetadataBroker { nodeId: number; host: string; port: number; rack: string | null }
export function encodeMetadata(
  version: number,
  brokers: readonly MetadataBroker[],
  controllerId: number,
  unknownTopics: readonly string[],
): Buffer {
  // v3+: throttle_time_ms first; v2+: cluster_id after the brokers; v5+ adds offline_replicas to
  // partitions, which never appear here (no topics).
  const w = new Writer();
  if (version >= 3) w.int32(0);
  w.array(brokers, (w, b) => {
    w.int32(b.nodeId).string(b.host).int32(b.port);
    if (version >= 1) w.string(b.rack);
  });
  if (version >= 2) w.string(CLUSTER_ID);
  if (version >= 1) w.int32(controllerId);
  w.array(unknownTopics, (w, t) => {
    w.int16(3).string(t); // UNKNOWN_TOPIC_OR_PARTITION: this fake has no topics
    if (version >= 1) w.boolean(false);
    w.array([], () => undefined);
  });
  return w.toBuffer();
}

export interface DescribeConfigsResource { type: number; name: string; configNames: string[] | null }
export function decodeDescribeConfigs(r: Reader, version: number) {
  const resources = r.array((r): DescribeConfigsResource => ({
    type: r.int8(),
    name: r.string() ?? '',
    configNames: r.array((r) => r.string() ?? ''),
  })) ?? [];
  const includeSynonyms = version >= 1 ? r.boolean() : false;
  return { resources, includeSynonyms };
}

export interface DescribeConfigsResult {
  errorCode: number;
  errorMessage: string | null;
  type: number;
  name: string;
  entries: DescribedEntry[];
}
export function encodeDescribeConfigs(version: number, results: readonly DescribeConfigsResult[], includeSynonyms: boolean): Buffer {
  return new Writer()
    .int32(0) // throttle_time_ms
    .array(results, (w, res) => {
      w.int16(res.errorCode).string(res.errorMessage).int8(res.type).string(res.name);
      w.array(res.entries, (w, e) => {
        w.string(e.name).string(e.value).boolean(e.readOnly);
        if (version === 0) {
          w.boolean(e.source === 5 /* DEFAULT_CONFIG */).boolean(e.isSensitive);
        } else {
          w.int8(e.source).boolean(e.isSensitive);
          w.array(includeSynonyms ? e.synonyms : [], (w, s) => w.string(s.name).string(s.value).int8(s.source));
        }
      });
    })
    .toBuffer();
}

export interface AlterConfigsResource { type: number; name: string; entries: { name: string; value: string | null }[] }
export function decodeAlterConfigs(r: Reader) {
  const resources = r.array((r): AlterConfigsResource => ({
    type: r.int8(),
    name: r.string() ?? '',
    entries: r.array((r) => ({ name: r.string() ?? '', value: r.string() })) ?? [],
  })) ?? [];
  return { resources, validateOnly: r.boolean() };
}

export interface AlterConfigsResult { errorCode: number; errorMessage: string | null; type: number; name: string }
export const encodeAlterConfigs = (results: readonly AlterConfigsResult[]) =>
  new Writer()
    .int32(0)
    .array(results, (w, r) => w.int16(r.errorCode).string(r.errorMessage).int8(r.type).string(r.name))
    .toBuffer();
