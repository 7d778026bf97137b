// Request decoders and response encoders for the APIs the fake serves, per the Kafka protocol
// layouts (https://kafka.apache.org/protocol and Kafka's clients/src/main/resources/common/message/
// *.json): ApiVersions v0-3, SaslHandshake v0-1, SaslAuthenticate v0-1, Metadata v0-12,
// DescribeConfigs v0-2, AlterConfigs v0-1.
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

/** First flexible version of each API ("flexibleVersions" in its *Request.json); SaslHandshake has none. */
const FLEXIBLE_FROM: Readonly<Record<number, number>> = {
  [ApiKey.Metadata]: 9,
  [ApiKey.ApiVersions]: 3,
  [ApiKey.DescribeConfigs]: 4,
  [ApiKey.AlterConfigs]: 2,
  [ApiKey.SaslAuthenticate]: 2,
};
/** Flexible versions use request header v2 and (except ApiVersions, see encodeApiVersions) response header v1. */
export const isFlexible = (apiKey: number, version: number): boolean => version >= (FLEXIBLE_FROM[apiKey] ?? Infinity);

/** v3 (flexible) names the client software; Kafka checks both strings against this pattern (ApiVersionsRequest.isValid). */
const SOFTWARE_NAME_VERSION = /^[a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?$/;
export function decodeApiVersions(r: Reader, version: number) {
  if (version < 3) return { valid: true };
  const clientSoftwareName = r.compactString() ?? '';
  const clientSoftwareVersion = r.compactString() ?? '';
  r.taggedFields();
  const valid = SOFTWARE_NAME_VERSION.test(clientSoftwareName) && SOFTWARE_NAME_VERSION.test(clientSoftwareVersion);
  return { clientSoftwareName, clientSoftwareVersion, valid };
}

/**
 * ApiVersionsResponse.json: v1+ adds throttle_time_ms; v3 is flexible in the body only (the response
 * header stays v0 so that any client can read the error). No SupportedFeatures / FinalizedFeatures
 * tagged fields: they are ignorable and the fake has no features to report.
 */
export function encodeApiVersions(version: number, errorCode: number, apis: readonly ApiRange[]): Buffer {
  const w = new Writer().int16(errorCode);
  if (version >= 3) w.compactArray(apis, (w, a) => w.int16(a.apiKey).int16(a.min).int16(a.max).taggedFields());
  else w.array(apis, (w, a) => w.int16(a.apiKey).int16(a.min).int16(a.max));
  if (version >= 1) w.int32(0); // throttle_time_ms
  if (version >= 3) w.taggedFields();
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

/** A requested topic: by name, or (v12) by id with a null name. */
export interface MetadataTopicRequest { name: string | null; topicId?: string }

/**
 * MetadataRequest.json (0-12, flexible from 9): v0: empty array = all topics; v1+: null = all topics,
 * empty = none; v4+ allow_auto_topic_creation; v8+ include_topic_authorized_operations (and
 * include_cluster_authorized_operations in v8-10); v10+ a topic id before each (nullable) name.
 */
export function decodeMetadata(r: Reader, version = 0) {
  const flexible = version >= 9;
  const topic = (r: Reader): MetadataTopicRequest => {
    if (!flexible) return { name: r.string() ?? '' };
    const topicId = version >= 10 ? r.uuid().toString('hex') : undefined;
    const name = r.compactString();
    r.taggedFields();
    return topicId === undefined ? { name } : { name, topicId };
  };
  const topics = flexible ? r.compactArray(topic) : r.array(topic);
  const out: { topics: MetadataTopicRequest[] | null; allowAutoTopicCreation?: boolean; includeClusterAuthorizedOperations?: boolean; includeTopicAuthorizedOperations?: boolean } = { topics };
  if (version >= 4) out.allowAutoTopicCreation = r.boolean();
  if (version >= 8 && version <= 10) out.includeClusterAuthorizedOperations = r.boolean();
  if (version >= 8) out.includeTopicAuthorizedOperations = r.boolean();
  if (flexible) r.taggedFields();
  return out;
}

/** The cluster id Metadata v2+ reports (MSK answers with its own; any stable string will do here). */
export const CLUSTER_ID = 'fake-msk-cluster-id';

export interface MetadataBroker { nodeId: number; host: string; port: number; rack: string | null }

/** A requested topic the fake answers with an error (it has no topics). */
export interface MetadataTopicError { errorCode: number; name: string | null; topicId?: Buffer }

/** The "no operations reported" default of the authorized-operations fields (MetadataResponse.json). */
const AUTHORIZED_OPERATIONS_OMITTED = -2147483648;
const ZERO_UUID = Buffer.alloc(16);

/**
 * MetadataResponse.json (0-12): v1 rack, controller_id, is_internal; v2 cluster_id; v3 throttle_time_ms
 * first; v5 offline_replicas and v7 leader_epoch in partitions (never sent: no topics here); v8
 * topic_authorized_operations (and cluster_authorized_operations in v8-10); v9 flexible; v10 topic_id;
 * v12 nullable topic names. Authorized operations are left at their "not requested" default: the
 * fake has no authorizer.
 */
export function encodeMetadata(
  version: number,
  brokers: readonly MetadataBroker[],
  controllerId: number,
  topics: readonly MetadataTopicError[],
): Buffer {
  const flexible = version >= 9;
  const w = new Writer();
  const str = (v: string | null) => (flexible ? w.compactString(v) : w.string(v));
  const arr = <T>(items: readonly T[], item: (w: Writer, v: T) => void) => (flexible ? w.compactArray(items, item) : w.array(items, item));
  if (version >= 3) w.int32(0);
  arr(brokers, (w, b) => {
    w.int32(b.nodeId);
    str(b.host);
    w.int32(b.port);
    if (version >= 1) str(b.rack);
    if (flexible) w.taggedFields();
  });
  if (version >= 2) str(CLUSTER_ID);
  if (version >= 1) w.int32(controllerId);
  arr(topics, (w, t) => {
    w.int16(t.errorCode);
    str(t.name);
    if (version >= 10) w.uuid(t.topicId ?? ZERO_UUID);
    if (version >= 1) w.boolean(false);
    arr([], () => undefined); // partitions
    if (version >= 8) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
    if (flexible) w.taggedFields();
  });
  if (version >= 8 && version <= 10) w.int32(AUTHORIZED_OPERATIONS_OMITTED);
  if (flexible) w.taggedFields();
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
