import type { BrokerLoadBalancerConfig, ClusterConfig } from './config/schema';

// A cluster maps one or more of its client listeners (IAM, SCRAM, TLS, their public variants),
// each behind one NLB and under one domain. Everything per listener is resolved here once, so the
// planner never asks "the listener's value or the cluster's?".

export type Authentication = ClusterConfig['authentication'];

/** MSK's client listener names, as `custom.advertised.listeners` and `advertised.listeners` spell them. */
const CLIENT_LISTENER: Readonly<Record<Authentication, string>> = {
  iam: 'CLIENT_IAM',
  scram: 'CLIENT_SASL_SCRAM',
  tls: 'CLIENT_SECURE',
  'iam-public': 'CLIENT_IAM_PUBLIC',
  'scram-public': 'CLIENT_SASL_SCRAM_PUBLIC',
  'tls-public': 'CLIENT_SECURE_PUBLIC',
};

/** The port brokers listen on for each client listener (public access uses its own ports). */
const TARGET_PORT: Readonly<Record<Authentication, number>> = {
  iam: 9098,
  scram: 9096,
  tls: 9094,
  'iam-public': 9198,
  'scram-public': 9196,
  'tls-public': 9194,
};

/** One client listener of a cluster behind one NLB, every field resolved. */
export interface MappedListener {
  /**
   * Stable identity, `<authentication>@<load balancer name>/<id>`: tagged on every resource made
   * for this listener, so two mappings of one cluster never adopt or delete each other's.
   */
  id: string;
  /** Prefix of resource keys in plans and tables: empty when the cluster maps a single listener. */
  label: string;
  /**
   * Resources tagged before listeners had identities (no listener tag) belong to this one: the
   * listener the cluster-level fields describe, which is what every earlier config mapped.
   */
  primary: boolean;
  authentication: Authentication;
  /** CLIENT_IAM, CLIENT_SASL_SCRAM_PUBLIC, … */
  clientListenerName: string;
  /** Broker port the target groups forward to. */
  targetPort: number;
  endpoints: 'bootstrap-and-brokers' | 'bootstrap-only';
  bootstrapPort: number;
  brokerPortBase: number;
  brokerHostTemplate: string;
  bootstrapHost: string;
  /** The NLB of the bootstrap, and of every broker no brokerLoadBalancers range covers. */
  loadBalancerArn: string;
  /** Further NLBs carrying this listener's brokers, by broker-id range (unset or empty: all on loadBalancerArn). */
  brokerLoadBalancers?: BrokerLoadBalancerConfig[];
  hostedZoneId: string;
  domain: string;
  /** The fixed certificate every endpoint of this listener presents; undefined in managed mode. */
  certificateArn?: string;
  /**
   * Managed mode: the ACM Private CA the tool requests this listener's certificates from (one per
   * block of names, plan/managed-certificates.ts). Exactly one of certificateArn and this is set.
   */
  certificateAuthorityArn?: string;
  /**
   * Managed public certificates: ACM public certificates for the listener's names (one per block),
   * validated through DNS records the tool writes in its public hosted zone. Exclusive of the other two.
   */
  certificateValidation?: 'dns';
  sslPolicy: string;
  recordType: ClusterConfig['recordType'];
  recordTtl: number;
  loadBalancerIngress?: ClusterConfig['loadBalancerIngress'];
  /** Where this listener's names point when not at its load balancer (a VPC endpoint). */
  recordTarget?: ClusterConfig['recordTarget'];
  /** The role that reaches `hostedZoneId` when the zone is in another account. */
  hostedZoneRole?: ClusterConfig['hostedZoneRole'];
}

export function clientListenerName(authentication: Authentication): string {
  return CLIENT_LISTENER[authentication];
}

export function brokerTargetPort(authentication: Authentication): number {
  return TARGET_PORT[authentication];
}

/** The NLB that carries broker `brokerId` of `listener`: the range covering it, else the listener's own. */
export function brokerLoadBalancerArn(listener: Pick<MappedListener, 'loadBalancerArn' | 'brokerLoadBalancers'>, brokerId: number): string {
  const entry = listener.brokerLoadBalancers?.find((e) => brokerId >= e.firstBrokerId && (e.lastBrokerId === undefined || brokerId <= e.lastBrokerId));
  return entry?.loadBalancerArn ?? listener.loadBalancerArn;
}

/** Every NLB a listener uses: its own (the bootstrap's) first, then those carrying broker ranges. */
export function loadBalancersOf(listener: Pick<MappedListener, 'loadBalancerArn' | 'brokerLoadBalancers'>): string[] {
  return distinct([listener.loadBalancerArn, ...(listener.brokerLoadBalancers ?? []).map((e) => e.loadBalancerArn)]);
}

/** `my-nlb/0123456789abcdef` from a load balancer ARN: readable and unique in its region. */
export function loadBalancerShortId(arn: string): string {
  return arn.split(':loadbalancer/')[1]?.split('/').slice(1).join('/') ?? arn;
}

export function listenerId(authentication: Authentication, loadBalancerArn: string): string {
  return `${authentication}@${loadBalancerShortId(loadBalancerArn)}`;
}

/**
 * A cluster's config with its client listeners resolved: what every observer, planner and report
 * reads, so none of them asks "the listener's value or the cluster's?". Made once, where a command
 * or handler takes a cluster config (resolveCluster), and handed down.
 */
export type ResolvedCluster = ClusterConfig & { readonly mapped: MappedListener[] };

export function resolveCluster(config: ClusterConfig): ResolvedCluster {
  return { ...config, mapped: resolveListeners(config) };
}

/** Pure: the listeners the config's fields map, in config order (the shorthand is one). */
export function resolveListeners(config: ClusterConfig): MappedListener[] {
  const entries = config.listeners ?? [{ authentication: config.authentication }];
  const many = entries.length > 1;
  return entries.map((entry): MappedListener => {
    const loadBalancerArn = entry.loadBalancerArn ?? config.loadBalancerArn;
    const id = listenerId(entry.authentication, loadBalancerArn);
    const endpoints = entry.endpoints ?? config.endpoints;
    // Broker ranges belong to the NLB they extend: a listener on another NLB does not inherit them.
    const brokerLoadBalancers = entry.brokerLoadBalancers ?? (loadBalancerArn === config.loadBalancerArn && endpoints === 'bootstrap-and-brokers' ? config.brokerLoadBalancers : undefined);
    return {
      id,
      label: many ? `${id} ` : '',
      primary: entry.authentication === config.authentication && loadBalancerArn === config.loadBalancerArn,
      authentication: entry.authentication,
      clientListenerName: clientListenerName(entry.authentication),
      targetPort: brokerTargetPort(entry.authentication),
      endpoints,
      bootstrapPort: entry.bootstrapPort ?? config.bootstrapPort,
      brokerPortBase: entry.brokerPortBase ?? config.brokerPortBase,
      brokerHostTemplate: entry.brokerHostTemplate ?? config.brokerHostTemplate,
      bootstrapHost: entry.bootstrapHost ?? config.bootstrapHost,
      loadBalancerArn,
      ...(brokerLoadBalancers?.length ? { brokerLoadBalancers } : {}),
      hostedZoneId: entry.hostedZoneId ?? config.hostedZoneId,
      domain: entry.domain ?? config.domain,
      ...certificateSource(entry, config),
      sslPolicy: entry.sslPolicy ?? config.sslPolicy,
      recordType: entry.recordType ?? config.recordType,
      recordTtl: config.recordTtl,
      // Both belong to one load balancer (its security group, the endpoint service in front of it):
      // a listener on another NLB does not inherit the cluster's.
      loadBalancerIngress: entry.loadBalancerIngress ?? (loadBalancerArn === config.loadBalancerArn ? config.loadBalancerIngress : undefined),
      recordTarget: entry.recordTarget ?? (loadBalancerArn === config.loadBalancerArn ? config.recordTarget : undefined),
      // A listener in another zone does not inherit the cluster zone's role.
      hostedZoneRole: entry.hostedZoneRole ?? (entry.hostedZoneId && entry.hostedZoneId !== config.hostedZoneId ? undefined : config.hostedZoneRole),
    };
  });
}

type CertificateSource = Pick<MappedListener, 'certificateArn' | 'certificateAuthorityArn' | 'certificateValidation'>;
const CERTIFICATE_FIELDS = ['certificateArn', 'certificateAuthorityArn', 'certificateValidation'] as const;

/** A listener's own certificate setting wins over the cluster's: one of the three, never two (listenerConfigProblems). */
function certificateSource(entry: CertificateSource, config: CertificateSource): CertificateSource {
  for (const source of [entry, config]) {
    const field = CERTIFICATE_FIELDS.find((f) => source[f]);
    if (field) return { [field]: source[field] };
  }
  return {};
}

/** The fields of a certificate source that are set (more than one is a config error). */
function certificateFieldsOf(source: CertificateSource): string[] {
  return CERTIFICATE_FIELDS.filter((f) => source[f]);
}

/** Managed mode, private or public: the tool keeps this listener's certificates (plan/managed-certificates.ts). */
export function managesCertificates(listener: CertificateSource): boolean {
  return Boolean(listener.certificateAuthorityArn || listener.certificateValidation);
}

/** Listeners that publish per-broker names: the ones brokers advertise. */
export function perBrokerListeners(config: ResolvedCluster): MappedListener[] {
  return config.mapped.filter((l) => l.endpoints === 'bootstrap-and-brokers');
}

/** Distinct values, first seen first. */
export function distinct<T>(values: T[]): T[] {
  return [...new Set(values)];
}

/**
 * Pure: what makes a set of listeners impossible to map, independent of the cluster's size
 * (sizes are checked against the brokers MSK reports, in plan/limits.ts). Indexes refer to
 * `listeners` entries.
 */
export function listenerConfigProblems(config: ClusterConfig): { index?: number; message: string }[] {
  const listeners = resolveListeners(config);
  const problems: { index?: number; message: string }[] = [];
  const at = (i: number) => (config.listeners ? i : undefined);
  // Exactly one certificate source per listener: a fixed certificate, a CA the tool requests from, or public ones it validates.
  const both = certificateFieldsOf(config);
  if (both.length > 1) {
    problems.push({ message: `set one of certificateArn (one certificate for every name), certificateAuthorityArn (private certificates the tool keeps) or certificateValidation: dns (public certificates the tool keeps), not ${both.join(' and ')}` });
  }
  (config.listeners ?? []).forEach((entry, i) => {
    const set = certificateFieldsOf(entry);
    if (set.length > 1) problems.push({ index: i, message: `set one of certificateArn, certificateAuthorityArn or certificateValidation on this listener, not ${set.join(' and ')}` });
  });
  listeners.forEach((l, i) => {
    if (!certificateFieldsOf(l).length) {
      problems.push({
        index: at(i),
        message:
          'no certificate: set certificateArn (an ACM certificate covering the names), certificateAuthorityArn (an ACM Private CA the tool requests certificates from) ' +
          'or certificateValidation: dns (ACM public certificates the tool requests and validates in the public hosted zone), on the cluster or on this listener',
      });
    }
  });
  const seen = new Map<string, number>();
  listeners.forEach((l, i) => {
    const earlier = seen.get(l.id);
    if (earlier !== undefined) problems.push({ index: at(i), message: `authentication ${l.authentication} is mapped twice on load balancer ${loadBalancerShortId(l.loadBalancerArn)} (listeners ${earlier} and ${i}): one entry per client listener and load balancer` });
    else seen.set(l.id, i);
  });
  // A broker advertises one host per listener name: two per-broker mappings of one client listener
  // (an internal and a public NLB, both `iam`) cannot both be advertised.
  const perBrokerNames = new Map<string, number>();
  listeners.forEach((l, i) => {
    if (l.endpoints !== 'bootstrap-and-brokers') return;
    const earlier = perBrokerNames.get(l.clientListenerName);
    if (earlier !== undefined) {
      problems.push({ index: at(i), message: `listeners ${earlier} and ${i} both give ${l.clientListenerName} per-broker names, but a broker advertises one host per listener: make one of them endpoints: bootstrap-only, or use the _public variant for the internet-facing NLB` });
    } else perBrokerNames.set(l.clientListenerName, i);
  });
  // Bootstrap ports of one NLB, and the start of each broker range, must not collide. (Whole
  // broker ranges depend on the broker ids and are checked by the planner.)
  const bootstrapPorts = new Map<string, number>();
  listeners.forEach((l, i) => {
    const key = `${l.loadBalancerArn} ${l.bootstrapPort}`;
    const earlier = bootstrapPorts.get(key);
    if (earlier !== undefined) problems.push({ index: at(i), message: `bootstrapPort ${l.bootstrapPort} is used by listeners ${earlier} and ${i} on load balancer ${loadBalancerShortId(l.loadBalancerArn)}: give each its own bootstrapPort` });
    else bootstrapPorts.set(key, i);
  });
  // One name, one target: two listeners publishing the same host in the same zone would fight over it.
  const hosts = new Map<string, number>();
  listeners.forEach((l, i) => {
    const names = [`${l.bootstrapHost}.${l.domain}`, ...(l.endpoints === 'bootstrap-and-brokers' ? [`${l.brokerHostTemplate}.${l.domain}`] : [])];
    for (const name of names) {
      const key = `${l.hostedZoneId} ${name}`;
      const earlier = hosts.get(key);
      if (earlier !== undefined && earlier !== i) problems.push({ index: at(i), message: `names ${name} are published by listeners ${earlier} and ${i} in zone ${l.hostedZoneId}: give each its own bootstrapHost / brokerHostTemplate or domain` });
      else hosts.set(key, i);
    }
  });
  // One zone, one way in: its records are read and written through one client.
  const zoneRoles = new Map<string, { role: string; index: number }>();
  listeners.forEach((l, i) => {
    const role = l.hostedZoneRole ? `${l.hostedZoneRole.roleArn} ${l.hostedZoneRole.externalId ?? ''}` : 'none';
    const earlier = zoneRoles.get(l.hostedZoneId);
    if (earlier && earlier.role !== role) problems.push({ index: at(i), message: `listeners ${earlier.index} and ${i} reach zone ${l.hostedZoneId} through different hostedZoneRole settings: give them the same` });
    else if (!earlier) zoneRoles.set(l.hostedZoneId, { role, index: i });
  });
  problems.push(...brokerLoadBalancerProblems(config, listeners, at));
  if (config.advertisedListeners !== 'none' && !listeners.some((l) => l.endpoints === 'bootstrap-and-brokers')) {
    problems.push({ message: `advertisedListeners ${config.advertisedListeners} needs a listener with per-broker names: with every listener bootstrap-only, brokers keep their AWS names; set advertisedListeners: none` });
  }
  return problems;
}

/** Pure: broker ranges on further NLBs that cannot work as written. */
function brokerLoadBalancerProblems(config: ClusterConfig, listeners: MappedListener[], at: (i: number) => number | undefined): { index?: number; message: string }[] {
  const problems: { index?: number; message: string }[] = [];
  listeners.forEach((l, i) => {
    const explicit = config.listeners?.[i]?.brokerLoadBalancers ?? (config.listeners ? undefined : config.brokerLoadBalancers);
    if (l.endpoints === 'bootstrap-only' && explicit?.length) {
      problems.push({ index: at(i), message: `brokerLoadBalancers places brokers, but ${l.authentication} is endpoints: bootstrap-only (no per-broker listeners): remove brokerLoadBalancers or map its brokers` });
    }
    const ranges = l.brokerLoadBalancers ?? [];
    if (!ranges.length) return;
    // A VPC endpoint connects to one endpoint service in front of one NLB: names of brokers on another NLB would lead nowhere through it.
    if (l.recordTarget) {
      problems.push({ index: at(i), message: `${l.authentication}: recordTarget sends every name to one VPC endpoint, which fronts one NLB, but brokerLoadBalancers puts brokers on other NLBs: remove recordTarget, or map this listener on one NLB` });
    }
    ranges.forEach((a, j) => {
      ranges.slice(j + 1).forEach((b, k) => {
        const overlap = a.firstBrokerId <= (b.lastBrokerId ?? Infinity) && b.firstBrokerId <= (a.lastBrokerId ?? Infinity);
        if (overlap) {
          const first = Math.max(a.firstBrokerId, b.firstBrokerId);
          problems.push({ index: at(i), message: `brokerLoadBalancers entries ${j} and ${j + k + 1} both cover broker ${first}: give each load balancer its own broker-id range (firstBrokerId..lastBrokerId)` });
        }
      });
    });
  });
  return problems;
}
