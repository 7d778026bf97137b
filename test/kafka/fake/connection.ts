// One client connection to a fake broker: framing, the SASL state machine a SASL_SSL listener
// enforces, and dispatch to the API handlers. Every request is recorded for assertions.
// A connection belongs to the listener whose socket it came in on: that listener's mechanisms
// are the only ones its SaslHandshake accepts, and Metadata answers with that listener's
// advertised endpoints, as Kafka does.
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { FrameSplitter, Reader, frameResponse, readRequestHeader, type RequestHeader } from './wire';
import {
  API_NAMES,
  ApiKey,
  ResourceType,
  decodeAlterConfigs,
  decodeApiVersions,
  decodeDescribeConfigs,
  decodeMetadata,
  decodeSaslAuthenticate,
  decodeSaslHandshake,
  encodeAlterConfigs,
  encodeApiVersions,
  encodeDescribeConfigs,
  encodeMetadata,
  encodeSaslAuthenticate,
  encodeSaslHandshake,
  isFlexible,
  type ApiRange,
  type DescribeConfigsResult,
  type MetadataBroker,
} from './apis';
import { ErrorCode, type BrokerConfig } from './broker-config';
import { verifyMskIamToken, type CredentialStore } from './iam-token';
import { SCRAM_SHA_512, ScramServer, type SaslStep, type scramCredentials } from './scram';

export interface RecordedRequest {
  broker: number;
  connection: number;
  apiKey: number;
  apiName: string;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
  /** Listener the connection came in on (CLIENT_IAM, CLIENT_SASL_SCRAM). */
  listener: string;
  /** Access key id (IAM) or user name (SCRAM) the connection authenticated with, if it has. */
  principal?: string;
  request: unknown;
  response: unknown;
}

/** What a connection needs from its broker and cluster. */
export interface BrokerContext {
  id: number;
  config: BrokerConfig;
  /** The listener this connection came in on. */
  listener: string;
  /** SASL mechanisms that listener enables (Kafka's listener.name.<l>.sasl.enabled.mechanisms). */
  mechanisms: readonly string[];
  region: string;
  credentials: CredentialStore;
  scramCredentials: ReturnType<typeof scramCredentials>;
  describeConfigsMaxVersion: number;
  now(): number;
  /** Every live broker's endpoint on this connection's listener. */
  metadataBrokers(): MetadataBroker[];
  controllerId(): number;
  record(r: RecordedRequest): void;
}

/** The mechanisms the fake can run. (MSK's IAM listener also enables AWS_MSK_IAM, whose own SASL format is not modelled.) */
export const SERVED_MECHANISMS = ['OAUTHBEARER', SCRAM_SHA_512] as const;

/** One SASL exchange in progress: the mechanism, and a step per client message. */
interface SaslSession {
  mechanism: string;
  step(authBytes: Buffer): SaslStep & { detail?: string };
  /** The error text the broker sends back when the exchange fails. */
  failureMessage(step: Extract<SaslStep, { kind: 'fail' }>): string;
}

type SaslState =
  | 'handshake' // nothing but ApiVersions and SaslHandshake yet
  | 'authenticate' // SaslHandshake v1 done: expecting SaslAuthenticate
  | 'raw-token' // SaslHandshake v0 done: the next frame is a bare SASL token
  | 'ready';

let nextConnectionId = 1;

/** OAUTHBEARER client first message (RFC 7628): `n,[a=authzid],\x01auth=Bearer <token>\x01[k=v\x01...]\x01`. */
function bearerToken(authBytes: Buffer): string | undefined {
  const m = /^n,(?:a=[^,]*)?,\x01((?:[^\x01]*\x01)*)\x01$/.exec(authBytes.toString('utf8'));
  if (!m) return undefined;
  const kv = (m[1] as string).split('\x01').filter(Boolean);
  const auth = kv.find((p) => p.startsWith('auth='));
  return auth ? /^auth=Bearer ([^\s]+)$/i.exec(auth)?.[1] : undefined;
}

export function serveConnection(socket: Socket, ctx: BrokerContext): void {
  const connection = nextConnectionId++;
  const frames = new FrameSplitter();
  let state: SaslState = 'handshake';
  let principal: string | undefined;

  // What the fake advertises, and serves (a broker must serve every version it advertises: KIP-35).
  // Metadata 0-12 and ApiVersions 0-3 as Kafka 3.x (MetadataRequest.json, ApiVersionsRequest.json);
  // SaslHandshake 0-1 (4.0 dropped v0); the others only up to what kafkajs 2.2.4 uses (3.x serves
  // SaslAuthenticate 0-2, DescribeConfigs 0-4, AlterConfigs 0-2).
  const apiRanges = (): ApiRange[] => [
    { apiKey: ApiKey.Metadata, min: 0, max: 12 },
    { apiKey: ApiKey.SaslHandshake, min: 0, max: 1 },
    { apiKey: ApiKey.ApiVersions, min: 0, max: 3 },
    { apiKey: ApiKey.DescribeConfigs, min: 0, max: ctx.describeConfigsMaxVersion },
    { apiKey: ApiKey.AlterConfigs, min: 0, max: 1 },
    { apiKey: ApiKey.SaslAuthenticate, min: 0, max: 1 },
  ];

  const record = (h: RequestHeader, request: unknown, response: unknown) =>
    ctx.record({
      broker: ctx.id,
      connection,
      listener: ctx.listener,
      apiKey: h.apiKey,
      apiName: API_NAMES[h.apiKey] ?? `api-${h.apiKey}`,
      apiVersion: h.apiVersion,
      correlationId: h.correlationId,
      clientId: h.clientId,
      ...(principal ? { principal } : {}),
      request,
      response,
    });

  /** OAUTHBEARER: one client message, the MSK IAM token; failures answered like MSK (request id + short reason). */
  const oauthBearer = (): SaslSession => ({
    mechanism: 'OAUTHBEARER',
    step(authBytes) {
      const token = bearerToken(authBytes);
      const check = token
        ? verifyMskIamToken(token, { region: ctx.region, credentials: ctx.credentials, now: ctx.now() })
        : { ok: false as const, reason: 'malformed' as const, detail: 'not an OAUTHBEARER client first message' };
      return check.ok ? { kind: 'done', bytes: Buffer.alloc(0), principal: check.accessKeyId } : { kind: 'fail', reason: check.reason, detail: check.detail };
    },
    failureMessage: (f) => `[${randomUUID()}]: ${f.reason === 'malformed' ? 'Invalid authentication payload' : 'Access denied'}`,
  });

  /** SCRAM-SHA-512: two round trips; any failure gets Kafka's one generic message (SaslServerAuthenticator). */
  const scram = (): SaslSession => {
    const server = new ScramServer(ctx.scramCredentials);
    return {
      mechanism: SCRAM_SHA_512,
      step: (authBytes) => server.step(authBytes),
      failureMessage: () => `Authentication failed during authentication due to invalid credentials with SASL mechanism ${SCRAM_SHA_512}`,
    };
  };

  let session: SaslSession | undefined;

  /** Runs one client SASL message through the session; `ready` once the mechanism says done. */
  const saslStep = (authBytes: Buffer): { step: SaslStep & { detail?: string }; message?: string } => {
    const step = (session as SaslSession).step(authBytes);
    if (step.kind === 'done') {
      principal = step.principal;
      state = 'ready';
    }
    return step.kind === 'fail' ? { step, message: (session as SaslSession).failureMessage(step) } : { step };
  };

  const handle = (frame: Buffer): void => {
    if (state === 'raw-token') {
      // Legacy (SaslHandshake v0) flow: bare tokens in, size-prefixed bare challenges out, or a hang-up.
      const { step } = saslStep(frame);
      ctx.record({ broker: ctx.id, connection, listener: ctx.listener, apiKey: -1, apiName: 'RawSaslToken', apiVersion: 0, correlationId: -1, clientId: null, request: { mechanism: session?.mechanism }, response: step.kind === 'fail' ? step : { kind: step.kind } });
      if (step.kind === 'fail') return void socket.destroy();
      const size = Buffer.alloc(4);
      size.writeInt32BE(step.bytes.length);
      socket.write(Buffer.concat([size, step.bytes]));
      return;
    }
    const r = new Reader(frame);
    const h = readRequestHeader(r);
    const range = apiRanges().find((a) => a.apiKey === h.apiKey);
    const served = !!range && h.apiVersion >= range.min && h.apiVersion <= range.max;
    const flexible = served && isFlexible(h.apiKey, h.apiVersion);
    if (flexible) r.taggedFields(); // request header v2
    // Flexible responses carry header v1, except ApiVersions whose header stays v0 (ApiVersionsResponse.json).
    const headerVersion = flexible && h.apiKey !== ApiKey.ApiVersions ? 1 : 0;
    const reply = (body: Buffer) => socket.write(frameResponse(h.correlationId, body, headerVersion));

    if (h.apiKey === ApiKey.ApiVersions && state === 'authenticate') {
      // Between SaslHandshake and SaslAuthenticate Kafka expects the token: anything else is an
      // IllegalSaslStateException, and the connection is closed unanswered.
      record(h, {}, { closed: 'ApiVersions during the SASL exchange' });
      socket.destroy();
      return;
    }
    if (h.apiKey === ApiKey.ApiVersions) {
      const apiVersions = range as ApiRange;
      if (!served) {
        // Kafka does not parse an ApiVersions request of a version it does not know: it answers in
        // v0 form (RequestContext.apiVersion) with UNSUPPORTED_VERSION and, since KIP-511, lists only
        // ApiVersions' own range, so the client can retry at a version it shares
        // (ApiVersionsRequest.getErrorResponse; SaslServerAuthenticator.handleApiVersionsRequest).
        record(h, {}, { errorCode: ErrorCode.UNSUPPORTED_VERSION });
        reply(encodeApiVersions(0, ErrorCode.UNSUPPORTED_VERSION, [apiVersions]));
        return;
      }
      const req = decodeApiVersions(r, h.apiVersion);
      // v3 client software name and version that do not match Kafka's pattern: INVALID_REQUEST, no ranges.
      const errorCode = req.valid ? ErrorCode.NONE : ErrorCode.INVALID_REQUEST;
      record(h, req, { errorCode });
      reply(encodeApiVersions(h.apiVersion, errorCode, req.valid ? apiRanges() : []));
      return;
    }
    if (!served) {
      record(h, {}, { closed: 'unsupported api or version' });
      socket.destroy(); // Kafka cannot parse it and drops the connection
      return;
    }
    const saslApi = h.apiKey === ApiKey.SaslHandshake || h.apiKey === ApiKey.SaslAuthenticate;
    if (state !== 'ready' && !saslApi) {
      record(h, {}, { closed: `unexpected ${API_NAMES[h.apiKey]} request during SASL ${state}` });
      socket.destroy(); // IllegalSaslStateException: the broker closes the connection
      return;
    }

    switch (h.apiKey) {
      case ApiKey.SaslHandshake: {
        const req = decodeSaslHandshake(r);
        if (state === 'ready') {
          // Kafka answers a handshake after authentication with ILLEGAL_SASL_STATE and keeps the connection.
          record(h, req, { errorCode: ErrorCode.ILLEGAL_SASL_STATE });
          reply(encodeSaslHandshake(ErrorCode.ILLEGAL_SASL_STATE, []));
          return;
        }
        // Kafka compares mechanism names exactly (SaslServerAuthenticator: enabledMechanisms.contains).
        const mechanisms = ctx.mechanisms;
        const ok = mechanisms.includes(req.mechanism);
        const errorCode = ok ? ErrorCode.NONE : ErrorCode.UNSUPPORTED_SASL_MECHANISM;
        record(h, req, { errorCode, mechanisms });
        if (!ok) {
          // An unsupported mechanism (e.g. SCRAM on the IAM listener): the error reply, then Kafka closes the connection.
          socket.end(frameResponse(h.correlationId, encodeSaslHandshake(errorCode, mechanisms)));
          return;
        }
        session = req.mechanism === SCRAM_SHA_512 ? scram() : oauthBearer();
        state = h.apiVersion === 0 ? 'raw-token' : 'authenticate';
        reply(encodeSaslHandshake(errorCode, mechanisms));
        return;
      }
      case ApiKey.SaslAuthenticate: {
        const req = decodeSaslAuthenticate(r);
        if (state === 'ready') {
          // After a successful login SaslAuthenticate reaches KafkaApis.handleSaslAuthenticateRequest,
          // which answers ILLEGAL_SASL_STATE with this message and keeps the connection open.
          const errorMessage = 'SaslAuthenticate request received after successful authentication';
          record(h, {}, { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage });
          reply(encodeSaslAuthenticate(h.apiVersion, ErrorCode.ILLEGAL_SASL_STATE, errorMessage));
          return;
        }
        if (state !== 'authenticate') {
          record(h, {}, { errorCode: ErrorCode.ILLEGAL_SASL_STATE });
          reply(encodeSaslAuthenticate(h.apiVersion, ErrorCode.ILLEGAL_SASL_STATE, 'Unexpected SaslAuthenticate request'));
          socket.end();
          return;
        }
        const mechanism = (session as SaslSession).mechanism;
        const { step, message } = saslStep(req.authBytes);
        if (step.kind === 'fail') {
          record(h, { mechanism }, { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: message, reason: step.reason, detail: step.detail });
          socket.end(frameResponse(h.correlationId, encodeSaslAuthenticate(h.apiVersion, ErrorCode.SASL_AUTHENTICATION_FAILED, message ?? null)));
          return;
        }
        // A challenge (SCRAM's server-first) keeps the exchange going; done carries the server's last word.
        record(h, { mechanism }, { errorCode: 0, ...(step.kind === 'done' ? { sessionLifetimeMs: 0 } : { challenge: true }) });
        reply(encodeSaslAuthenticate(h.apiVersion, ErrorCode.NONE, null, step.bytes));
        return;
      }
      case ApiKey.Metadata: {
        const req = decodeMetadata(r, h.apiVersion);
        const all = req.topics === null || (h.apiVersion === 0 && req.topics.length === 0);
        // The fake has no topics: each one asked for is unknown, by name (UNKNOWN_TOPIC_OR_PARTITION)
        // or, from v12, by id with a null name (UNKNOWN_TOPIC_ID, echoing the id).
        const topics = (all ? [] : (req.topics ?? [])).map((t) =>
          t.name === null && t.topicId
            ? { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: Buffer.from(t.topicId, 'hex') }
            : { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: t.name });
        const brokers = ctx.metadataBrokers();
        const controllerId = ctx.controllerId();
        record(h, req, { brokers, controllerId });
        reply(encodeMetadata(h.apiVersion, brokers, controllerId, topics));
        return;
      }
      case ApiKey.DescribeConfigs: {
        const req = decodeDescribeConfigs(r, h.apiVersion);
        const results = req.resources.map((res): DescribeConfigsResult => {
          const base = { type: res.type, name: res.name, entries: [] };
          if (res.type === ResourceType.BROKER) {
            if (res.name === '') return { ...base, errorCode: 0, errorMessage: null }; // no cluster-wide dynamic defaults
            if (!/^-?\d+$/.test(res.name)) {
              return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Broker id must be an integer, but it is: ${res.name}` };
            }
            if (Number(res.name) !== ctx.id) {
              return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${ctx.id} or empty string, but received ${res.name}` };
            }
            return { ...base, errorCode: 0, errorMessage: null, entries: ctx.config.describe(res.configNames) };
          }
          if (res.type === ResourceType.TOPIC) {
            return { ...base, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `The topic '${res.name}' does not exist.` };
          }
          return { ...base, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type: ${res.type}` };
        });
        record(h, req, results.map(({ entries, ...rest }) => ({ ...rest, entries: entries.length })));
        reply(encodeDescribeConfigs(h.apiVersion, results, req.includeSynonyms));
        return;
      }
      case ApiKey.AlterConfigs: {
        const req = decodeAlterConfigs(r);
        const results = req.resources.map((res) => {
          const err = res.type === ResourceType.BROKER
            ? ctx.config.alter(res.name, res.entries, req.validateOnly)
            : res.type === ResourceType.TOPIC
              ? { code: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, message: `The topic '${res.name}' does not exist.` }
              : { code: ErrorCode.INVALID_REQUEST, message: `AlterConfigs is only supported for topics and brokers, but resource type is ${res.type}` };
          return { errorCode: err.code, errorMessage: err.message, type: res.type, name: res.name };
        });
        record(h, req, results);
        reply(encodeAlterConfigs(results));
        return;
      }
    }
  };

  socket.on('data', (chunk: Buffer) => {
    try {
      for (const frame of frames.push(chunk)) {
        if (socket.destroyed || socket.writableEnded) return;
        handle(frame);
      }
    } catch {
      socket.destroy(); // unparseable bytes: a real broker drops the connection too
    }
  });
  socket.on('error', () => undefined);
}
