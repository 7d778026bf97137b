// Small error classes for the Kafka admin, with messages that say what to fix. kafkajs drops the
// broker's error message for config APIs (it throws by error code only), so the text here is
// chosen from the code and from what was being done. The kafkajs error stays in `cause`.
import { formatHostPort } from './advertised-listeners';
import type { BrokerEndpoint } from './endpoints';

export class KafkaAdminError extends Error {
  override name = 'KafkaAdminError';
  /** The broker the admin was pinned to. */
  readonly broker?: BrokerEndpoint;
  /** Kafka error name (e.g. INVALID_CONFIG) when the broker answered with an error code. */
  readonly type?: string;
  /** Kafka error code when the broker answered with one. */
  readonly code?: number;
  constructor(message: string, options: { cause?: unknown; broker?: BrokerEndpoint; type?: string; code?: number } = {}) {
    super(message, { cause: options.cause });
    if (options.broker) this.broker = options.broker;
    if (options.type !== undefined) this.type = options.type;
    if (options.code !== undefined) this.code = options.code;
  }
}

/** IAM authentication failed (bad or missing credentials, no kafka-cluster:Connect, wrong region). */
export class KafkaAuthenticationError extends KafkaAdminError {
  override name = 'KafkaAuthenticationError';
}

/** Authenticated, but the IAM policy does not allow the operation. */
export class KafkaAuthorizationError extends KafkaAdminError {
  override name = 'KafkaAuthorizationError';
}

/** The broker's AWS endpoint could not be reached, or its TLS certificate was not trusted. */
export class KafkaConnectionError extends KafkaAdminError {
  override name = 'KafkaConnectionError';
}

/** The broker refused a config change (invalid value, or a change it does not allow). */
export class KafkaConfigRejectedError extends KafkaAdminError {
  override name = 'KafkaConfigRejectedError';
}

/** The broker refused to change advertised.listeners dynamically: what KRaft clusters do. */
export class KafkaListenersRefusedError extends KafkaConfigRejectedError {
  override name = 'KafkaListenersRefusedError';
}

export type KafkaOperation = 'describe-configs' | 'alter-configs' | 'metadata';

export interface ErrorContext {
  operation: KafkaOperation;
  broker: BrokerEndpoint;
  region: string;
  /** Names of the configs being altered. */
  configNames?: readonly string[];
}

interface KafkaJsLike {
  name?: string;
  message?: string;
  type?: string;
  code?: number;
  cause?: unknown;
}

/** The error and its causes, outermost first (kafkajs nests protocol errors in retry errors). */
function chain(e: unknown): KafkaJsLike[] {
  const out: KafkaJsLike[] = [];
  let cur: unknown = e;
  while (cur && typeof cur === 'object' && !out.includes(cur as KafkaJsLike) && out.length < 10) {
    out.push(cur as KafkaJsLike);
    cur = (cur as KafkaJsLike).cause;
  }
  return out;
}

const IAM_ACTIONS = 'kafka-cluster:Connect, kafka-cluster:DescribeClusterDynamicConfiguration and kafka-cluster:AlterClusterDynamicConfiguration';

/** Maps whatever kafkajs (or the signer) threw to one of the classes above. */
export function toKafkaAdminError(e: unknown, ctx: ErrorContext): KafkaAdminError {
  if (e instanceof KafkaAdminError) return e;
  const errors = chain(e);
  const where = `broker ${ctx.broker.id} (${formatHostPort(ctx.broker.host, ctx.broker.port)})`;
  const base = { cause: e, broker: ctx.broker };
  const find = (p: (x: KafkaJsLike) => boolean) => errors.find(p);

  const sasl = find((x) => x.name === 'KafkaJSSASLAuthenticationError' || x.type === 'SASL_AUTHENTICATION_FAILED');
  if (sasl) {
    return new KafkaAuthenticationError(
      `IAM authentication to ${where} failed (${sasl.message}). Check that the credentials are valid, that the ` +
        `IAM role's policy allows ${IAM_ACTIONS} on this cluster, and that the signing region (${ctx.region}) is ` +
        "the cluster's region.",
      { ...base, type: 'SASL_AUTHENTICATION_FAILED', code: 58 },
    );
  }
  const creds = find((x) => x.name === 'CredentialsProviderError' || /credentials/i.test(x.message ?? '') && !x.type && !/^KafkaJS/.test(x.name ?? ''));
  if (creds) {
    return new KafkaAuthenticationError(
      `could not sign the MSK IAM token for ${where}: ${creds.message}. Make sure AWS credentials are available to the controller.`,
      base,
    );
  }

  const protocol = find((x) => typeof x.type === 'string');
  if (protocol) {
    const type = protocol.type as string;
    const coded = { ...base, type, ...(protocol.code !== undefined ? { code: protocol.code } : {}) };
    if (/AUTHORIZATION_FAILED$/.test(type)) {
      const action = ctx.operation === 'alter-configs' ? 'kafka-cluster:AlterClusterDynamicConfiguration' : 'kafka-cluster:DescribeClusterDynamicConfiguration';
      return new KafkaAuthorizationError(
        `${where} denied ${ctx.operation} (${type}): the IAM role's policy must allow ${action} (with ${IAM_ACTIONS}) on this cluster.`,
        coded,
      );
    }
    if (type === 'INVALID_REQUEST' && ctx.operation !== 'alter-configs') {
      return new KafkaAdminError(
        `${where} answered ${ctx.operation} with INVALID_REQUEST. A broker answers so for another broker's id: check ` +
          `that ${formatHostPort(ctx.broker.host, ctx.broker.port)} really is broker ${ctx.broker.id} (ListNodes endpoints).`,
        coded,
      );
    }
    const altersListeners = ctx.operation === 'alter-configs' && (ctx.configNames ?? []).includes('advertised.listeners');
    if (type === 'INVALID_REQUEST' && altersListeners) {
      return new KafkaListenersRefusedError(
        `${where} refused to change advertised.listeners dynamically (INVALID_REQUEST). KRaft clusters do not allow ` +
          'dynamic changes of advertised listeners: use advertisedListeners: msk-configuration for this cluster ' +
          '(MSK applies custom.advertised.listeners with a rolling restart). On a ZooKeeper cluster the same answer ' +
          `means the endpoint is not broker ${ctx.broker.id}.`,
        coded,
      );
    }
    if (type === 'INVALID_CONFIG' || type === 'INVALID_REQUEST' || type === 'POLICY_VIOLATION') {
      const what = ctx.configNames?.length ? ` of ${ctx.configNames.join(', ')}` : '';
      return new KafkaConfigRejectedError(
        `${where} rejected the change${what} (${type}). For advertised.listeners: every entry must be NAME://host:port, ` +
          'each listener name once and known to listener.security.protocol.map, and the inter-broker listener ' +
          '(REPLICATION or REPLICATION_SECURE) must stay. kafkajs does not pass on the broker\'s message; the broker log has it.',
        coded,
      );
    }
    return new KafkaAdminError(`${where} answered ${ctx.operation} with ${type}.`, coded);
  }

  const missing = find((x) => x.name === 'KafkaJSBrokerNotFound');
  if (missing) {
    return new KafkaAdminError(
      `the Metadata that ${where} returns does not list the broker (or the controller) itself: it advertises no ` +
        'address for the client listener, so no Kafka client can address it. Restore its advertised.listeners ' +
        '(e.g. remove the dynamic override with kafka-configs.sh against its AWS endpoint).',
      base,
    );
  }

  const conn = find((x) => /^KafkaJS(Connection|ConnectionClosed|RequestTimeout)Error$/.test(x.name ?? '') || /ECONNREFUSED|ETIMEDOUT|ENOTFOUND|EHOSTUNREACH/.test(x.message ?? ''));
  if (conn) {
    const tls = /certificate|self.signed|altnames|SSL|TLS|verify/i.test(conn.message ?? '');
    return new KafkaConnectionError(
      tls
        ? `TLS to ${where} failed: ${conn.message}. The broker certificate must chain to a trusted CA and match the host name.`
        : `cannot reach ${where}: ${conn.message}. Check that the controller runs in the cluster's VPC and that ` +
          `security groups allow it to reach port ${ctx.broker.port} of the brokers.`,
      base,
    );
  }
  const msg = errors[0]?.message ?? String(e);
  return new KafkaAdminError(`${ctx.operation} on ${where} failed: ${msg}`, base);
}
