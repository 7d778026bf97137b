// One fake broker's configuration: static server.properties, the dynamic per-broker layer that
// legacy AlterConfigs replaces wholesale, DescribeConfigs entries, and the validation Kafka runs
// on a dynamic change. Messages and error codes follow Kafka's own code paths:
//  - ZooKeeper mode (Kafka >= 3.3, ZkAdminManager.alterConfigs after KAFKA-13899): ConfigException
//    and IllegalArgumentException -> INVALID_CONFIG (40), "Invalid config value for resource
//    ConfigResource(type=BROKER, name='N'): <message>".
//  - KRaft mode (ConfigAdminManager.preprocess/validateBrokerConfigChange): anything that is not
//    an ApiException -> INVALID_REQUEST (42) with the bare message.
//  - A failing listener reconfiguration is wrapped by DynamicBrokerConfig as
//    `new ConfigException("Invalid dynamic configuration", cause)`, whose message (the two-arg
//    ConfigException constructor) reads "Invalid value <cause> for configuration Invalid dynamic
//    configuration".

export type ClusterMode = 'zookeeper' | 'kraft';

/** Kafka's DescribeConfigs config_source ids. */
export const ConfigSource = {
  UNKNOWN: 0,
  TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
} as const;

export const ErrorCode = {
  NONE: 0,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_TOPIC_ID: 100,
} as const;

type ConfigType = 'string' | 'int' | 'long' | 'boolean' | 'list' | 'password';
interface ConfigDef { type: ConfigType; default: string | null; dynamic: boolean }

// A realistic subset of KafkaConfig: enough defaults, read-only and dynamically updatable names.
const DEFS: Readonly<Record<string, ConfigDef>> = {
  'broker.id': { type: 'int', default: '-1', dynamic: false },
  'node.id': { type: 'int', default: '-1', dynamic: false },
  'process.roles': { type: 'list', default: '', dynamic: false },
  'controller.listener.names': { type: 'string', default: null, dynamic: false },
  'zookeeper.connect': { type: 'string', default: null, dynamic: false },
  'zookeeper.session.timeout.ms': { type: 'int', default: '18000', dynamic: false },
  'listeners': { type: 'string', default: 'PLAINTEXT://:9092', dynamic: true },
  'advertised.listeners': { type: 'string', default: null, dynamic: true },
  'listener.security.protocol.map': {
    type: 'string',
    default: 'SASL_SSL:SASL_SSL,PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT',
    dynamic: true,
  },
  'inter.broker.listener.name': { type: 'string', default: null, dynamic: false },
  'sasl.enabled.mechanisms': { type: 'list', default: 'GSSAPI', dynamic: true },
  'sasl.jaas.config': { type: 'password', default: null, dynamic: true },
  'ssl.keystore.location': { type: 'string', default: null, dynamic: true },
  'ssl.keystore.password': { type: 'password', default: null, dynamic: true },
  'ssl.key.password': { type: 'password', default: null, dynamic: true },
  'auto.create.topics.enable': { type: 'boolean', default: 'true', dynamic: false },
  'default.replication.factor': { type: 'int', default: '1', dynamic: false },
  'min.insync.replicas': { type: 'int', default: '1', dynamic: true },
  'num.io.threads': { type: 'int', default: '8', dynamic: true },
  'num.network.threads': { type: 'int', default: '3', dynamic: true },
  'num.partitions': { type: 'int', default: '1', dynamic: false },
  'num.replica.fetchers': { type: 'int', default: '1', dynamic: true },
  'log.retention.hours': { type: 'int', default: '168', dynamic: false },
  'log.retention.ms': { type: 'long', default: null, dynamic: true },
  'log.cleaner.threads': { type: 'int', default: '1', dynamic: true },
  'message.max.bytes': { type: 'int', default: '1048588', dynamic: true },
  'max.connections': { type: 'int', default: '2147483647', dynamic: true },
  'max.connections.per.ip': { type: 'int', default: '2147483647', dynamic: true },
  'unclean.leader.election.enable': { type: 'boolean', default: 'false', dynamic: true },
  'leader.replication.throttled.rate': { type: 'long', default: '9223372036854775807', dynamic: true },
  'follower.replication.throttled.rate': { type: 'long', default: '9223372036854775807', dynamic: true },
};

/** KafkaConfig.configType: listener-prefixed names take the type of the name they prefix. */
function defOf(name: string): ConfigDef | undefined {
  if (DEFS[name]) return DEFS[name];
  const m = /^listener\.name\.[^.]+\.(.+)$/.exec(name);
  if (!m) return undefined;
  const rest = m[1] as string;
  return DEFS[rest] ?? DEFS[rest.replace(/^[^.]+\./, '')]; // also `<mechanism>.sasl.jaas.config`
}

/** "If we can't determine the config entry type, treat it as a sensitive config to be safe." */
const typeIsSensitive = (name: string) => (defOf(name)?.type ?? 'password') === 'password';

export interface DescribedSynonym { name: string; value: string | null; source: number }
export interface DescribedEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  source: number;
  isSensitive: boolean;
  synonyms: DescribedSynonym[];
}

export interface ApiErrorResult { code: number; message: string | null }
const NONE: ApiErrorResult = { code: ErrorCode.NONE, message: null };

/** Thrown inside validation; `kind` says which Java exception Kafka would have thrown. */
class ValidationFailure extends Error {
  constructor(readonly kind: 'config' | 'illegal-argument' | 'invalid-request', message: string) {
    super(message);
  }
}
const configException = (m: string) => new ValidationFailure('config', m);
const requirement = (ok: boolean, m: string) => {
  if (!ok) throw new ValidationFailure('illegal-argument', `requirement failed: ${m}`);
};

interface EndPoint { listener: string; host: string; port: number }

/** Kafka's CoreUtils.parseCsvList. */
const parseCsvList = (s: string) => s.split(/\s*,\s*/).filter((v) => v !== '');

/** Kafka's EndPoint.createEndPoint + CoreUtils.listenerListToEndPoints for one property. */
function listenerListToEndPoints(value: string, protocolMap: Map<string, string>): EndPoint[] {
  let endPoints: EndPoint[];
  try {
    endPoints = parseCsvList(value).map((entry) => {
      const m = /^(.*):\/\/\[?([0-9a-zA-Z\-%._:]*)\]?:(-?[0-9]+)$/.exec(entry);
      if (!m) throw new Error(`Unable to parse ${entry} to a broker endpoint`);
      const listener = (m[1] as string).toUpperCase();
      if (!protocolMap.has(listener)) throw new Error(`No security protocol defined for listener ${listener}`);
      return { listener, host: m[2] as string, port: Number(m[3]) };
    });
  } catch (e) {
    throw new ValidationFailure('illegal-argument', `Error creating broker listeners from '${value}': ${(e as Error).message}`);
  }
  requirement(new Set(endPoints.map((e) => e.listener)).size === endPoints.length, `Each listener must have a different name, listeners: ${value}`);
  return endPoints;
}

function parseProtocolMap(value: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const pair of parseCsvList(value)) {
    const [k, v, ...rest] = pair.split(/\s*:\s*/);
    if (!k || !v || rest.length) throw new ValidationFailure('illegal-argument', `Error parsing configuration property 'listener.security.protocol.map': Malformed key-value pair ${pair}`);
    map.set(k.toUpperCase(), v.toUpperCase());
  }
  return map;
}

/** The listener view of a complete broker config (what KafkaConfig's constructor checks). */
function listenerView(props: ReadonlyMap<string, string>) {
  const get = (n: string) => props.get(n) ?? DEFS[n]?.default ?? null;
  const protocolMap = parseProtocolMap(get('listener.security.protocol.map') ?? '');
  const listeners = listenerListToEndPoints(get('listeners') ?? '', protocolMap);
  const advertised = get('advertised.listeners') !== null
    ? listenerListToEndPoints(get('advertised.listeners') as string, protocolMap)
    : listeners;
  const interBroker = (get('inter.broker.listener.name') ?? '').toUpperCase();
  const advertisedNames = advertised.map((e) => e.listener);
  const listenerNames = listeners.map((e) => e.listener);
  if (interBroker) {
    requirement(advertisedNames.includes(interBroker),
      `inter.broker.listener.name must be a listener name defined in advertised.listeners. The valid options based on currently configured listeners are ${advertisedNames.join(',')}`);
  }
  requirement(advertisedNames.every((n) => listenerNames.includes(n)),
    `advertised.listeners listener names must be equal to or a subset of the ones defined in listeners. Found ${advertisedNames.join(',')}. The valid options based on the current configuration are ${listenerNames.join(',')}`);
  return { protocolMap, listeners, advertised };
}

const sameEndpoints = (a: EndPoint[], b: EndPoint[]) =>
  a.length === b.length && a.every((x) => b.some((y) => y.listener === x.listener && y.host === x.host && y.port === x.port));

export class BrokerConfig {
  /** The dynamic per-broker layer (ZooKeeper /config/brokers/<id>, or KRaft BROKER config records). */
  readonly dynamic = new Map<string, string>();
  /** Names marked sensitive by the test (on top of PASSWORD-typed and unknown names). */
  readonly markedSensitive = new Set<string>();

  constructor(
    readonly id: number,
    readonly mode: ClusterMode,
    readonly statics: Map<string, string>,
  ) {}

  isSensitive(name: string): boolean {
    return this.markedSensitive.has(name) || typeIsSensitive(name);
  }

  effective(name: string): string | null {
    return this.dynamic.get(name) ?? this.statics.get(name) ?? DEFS[name]?.default ?? null;
  }

  private merged(dynamic: ReadonlyMap<string, string>): Map<string, string> {
    return new Map([...this.statics, ...dynamic]);
  }

  /** The endpoint this broker advertises for a listener, or undefined when it advertises none. */
  advertisedEndpoint(listener: string): { host: string; port: number } | undefined {
    try {
      const ep = listenerView(this.merged(this.dynamic)).advertised.find((e) => e.listener === listener.toUpperCase());
      return ep && { host: ep.host, port: ep.port };
    } catch {
      return undefined; // a config the test forced in unvalidated: advertise nothing, as a broken broker would
    }
  }

  /** DescribeConfigs for this broker's own BROKER resource (ZkAdminManager.createBrokerConfigEntry). */
  describe(configNames: readonly string[] | null): DescribedEntry[] {
    const names = new Set([...Object.keys(DEFS), ...this.statics.keys(), ...this.dynamic.keys()]);
    const wanted = configNames && configNames.length ? [...names].filter((n) => configNames.includes(n)) : [...names];
    return wanted.sort().map((name) => {
      const isSensitive = this.isSensitive(name);
      const hide = (v: string) => (isSensitive ? null : v);
      const synonyms: DescribedSynonym[] = [];
      const dyn = this.dynamic.get(name);
      if (dyn !== undefined) synonyms.push({ name, value: hide(dyn), source: ConfigSource.DYNAMIC_BROKER_CONFIG });
      const stat = this.statics.get(name);
      if (stat !== undefined) synonyms.push({ name, value: hide(stat), source: ConfigSource.STATIC_BROKER_CONFIG });
      const def = DEFS[name]?.default;
      if (def !== undefined && def !== null) synonyms.push({ name, value: hide(def), source: ConfigSource.DEFAULT_CONFIG });
      return {
        name,
        value: isSensitive ? null : this.effective(name),
        readOnly: !(defOf(name)?.dynamic ?? true),
        source: synonyms[0]?.source ?? ConfigSource.DEFAULT_CONFIG,
        isSensitive,
        synonyms,
      };
    });
  }

  /**
   * Legacy AlterConfigs of BROKER resource `resourceName`: the dynamic per-broker set becomes
   * exactly `entries` (unless validateOnly). Returns the per-resource error.
   */
  alter(resourceName: string, entries: ReadonlyArray<{ name: string; value: string | null }>, validateOnly: boolean): ApiErrorResult {
    const zk = this.mode === 'zookeeper';
    const nulls = entries.filter((e) => e.value === null).map((e) => e.name);
    if (nulls.length) return { code: ErrorCode.INVALID_REQUEST, message: `Null value not supported for : ${nulls.join(zk ? ',' : ', ')}` };
    if (!zk && new Set(entries.map((e) => e.name)).size !== entries.length) {
      return { code: ErrorCode.INVALID_REQUEST, message: 'Error due to duplicate config keys' };
    }
    if (resourceName === '') {
      return { code: ErrorCode.INVALID_REQUEST, message: 'fake broker: cluster-wide default BROKER configs (empty resource name) are not modelled' };
    }
    if (!/^-?\d+$/.test(resourceName)) {
      return { code: ErrorCode.INVALID_REQUEST, message: `${zk ? 'Broker' : 'Node'} id must be an integer, but it is: ${resourceName}` };
    }
    if (Number(resourceName) !== this.id) {
      return { code: ErrorCode.INVALID_REQUEST, message: `Unexpected broker id, expected ${this.id}, but received ${resourceName}` };
    }
    const next = new Map(entries.map((e) => [e.name, e.value as string]));
    try {
      this.validate(next);
    } catch (e) {
      if (!(e instanceof ValidationFailure)) throw e;
      if (e.kind === 'invalid-request') return { code: ErrorCode.INVALID_REQUEST, message: e.message };
      return zk
        ? { code: ErrorCode.INVALID_CONFIG, message: `Invalid config value for resource ConfigResource(type=BROKER, name='${resourceName}'): ${e.message}` }
        : { code: ErrorCode.INVALID_REQUEST, message: e.message };
    }
    if (!validateOnly) {
      this.dynamic.clear();
      for (const [k, v] of next) this.dynamic.set(k, v);
    }
    return NONE;
  }

  /** DynamicBrokerConfig.validate(props, perBrokerConfig = true). */
  private validate(next: ReadonlyMap<string, string>): void {
    const nonDynamic = [...next.keys()].filter((n) => defOf(n)?.dynamic === false);
    if (nonDynamic.length) throw configException(`Cannot update these configs dynamically: Set(${nonDynamic.join(', ')})`);

    const before = listenerView(this.merged(this.dynamic));
    const after = listenerView(this.merged(next)); // KafkaConfig constructor checks, not wrapped

    // DynamicListenerConfig.validateReconfiguration, wrapped as "Invalid dynamic configuration".
    const wrapped = (cause: string) =>
      configException(`Invalid value org.apache.kafka.common.config.ConfigException: ${cause} for configuration Invalid dynamic configuration`);
    for (const ep of after.listeners) {
      const old = before.protocolMap.get(ep.listener);
      if (before.listeners.some((b) => b.listener === ep.listener) && old !== after.protocolMap.get(ep.listener)) {
        throw wrapped(`Security protocol cannot be updated for existing listener ${ep.listener}`);
      }
    }
    if (this.mode === 'kraft' && !sameEndpoints(before.advertised, after.advertised)) {
      throw wrapped('Advertised listeners cannot be altered when using a Raft-based metadata quorum.');
    }
  }
}

/** One client listener of a broker: its name, the port it is bound to, bind and advertised host. */
export interface ClientListenerSpec { listener: string; port: number; bind: string; advertised: string }

/** What MSK enables per client listener (the fake itself serves OAUTHBEARER and SCRAM-SHA-512 only). */
const LISTENER_MECHANISMS = (listener: string) => (listener.startsWith('CLIENT_SASL_SCRAM') ? ['SCRAM-SHA-512'] : listener.startsWith('CLIENT_IAM') ? ['AWS_MSK_IAM', 'OAUTHBEARER'] : []);

/**
 * MSK-like server.properties for one broker: every client listener it serves, in order, then
 * MSK's REPLICATION and REPLICATION_SECURE listeners, in both listeners and advertised.listeners.
 */
export function staticBrokerProperties(opts: {
  id: number;
  mode: ClusterMode;
  clients: readonly ClientListenerSpec[];
  internalHost: string;
  zookeeperConnect: string;
  extra?: Readonly<Record<string, string>>;
}): Map<string, string> {
  const fmt = (h: string) => (h.includes(':') ? `[${h}]` : h);
  const replication = `REPLICATION://${opts.internalHost}:9093,REPLICATION_SECURE://${opts.internalHost}:9095`;
  const entries = (host: (c: ClientListenerSpec) => string) => [...opts.clients.map((c) => `${c.listener}://${fmt(host(c))}:${c.port}`), replication].join(',');
  const mechanisms = [...new Set(opts.clients.flatMap((c) => LISTENER_MECHANISMS(c.listener)))];
  const props: Record<string, string> = {
    'broker.id': String(opts.id),
    'listeners': entries((c) => c.bind),
    'advertised.listeners': entries((c) => c.advertised),
    'listener.security.protocol.map':
      'CLIENT:PLAINTEXT,CLIENT_SECURE:SSL,CLIENT_SASL_SCRAM:SASL_SSL,CLIENT_IAM:SASL_SSL,REPLICATION:PLAINTEXT,REPLICATION_SECURE:SSL' +
      (opts.clients.some((c) => c.listener.endsWith('_PUBLIC')) ? ',CLIENT_SECURE_PUBLIC:SSL,CLIENT_SASL_SCRAM_PUBLIC:SASL_SSL,CLIENT_IAM_PUBLIC:SASL_SSL' : '') +
      (opts.mode === 'kraft' ? ',CONTROLLER:SSL' : ''),
    'inter.broker.listener.name': 'REPLICATION_SECURE',
    'sasl.enabled.mechanisms': mechanisms.join(','),
    'ssl.keystore.location': '/opt/kafka/ssl/keystore.jks',
    'ssl.keystore.password': 'static-keystore-secret',
    'auto.create.topics.enable': 'false',
    'default.replication.factor': '3',
    'min.insync.replicas': '2',
    'num.io.threads': '8',
    'num.network.threads': '5',
    'num.partitions': '1',
    'num.replica.fetchers': '2',
    'log.retention.hours': '168',
    ...(opts.mode === 'zookeeper'
      ? { 'zookeeper.connect': opts.zookeeperConnect, 'zookeeper.session.timeout.ms': '18000' }
      : { 'node.id': String(opts.id), 'process.roles': 'broker', 'controller.listener.names': 'CONTROLLER' }),
    ...opts.extra,
  };
  return new Map(Object.entries(props));
}
