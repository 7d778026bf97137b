// Pure: does the whole path a client takes hold, per endpoint (bootstrap and each broker)?
// Every check names what it found, so a failing row says what to fix.
import { loadBalancerShortId, type ResolvedCluster } from '../listeners';
import { desiredState, type DesiredEndpoint } from '../desired';
import { fqdn } from '../naming';
import { certificateCovers } from '../plan/certificate';
import { findListener } from '../kafka/advertised-listeners';
import { compactPorts, uncoveredPorts } from '../plan/security-groups';
import { endpointPreconditions } from '../plan/preconditions';
import { certificateOf, listenersOn, loadBalancerOf, ownedTargetGroup, ownsAs, recordsIn, recordTargetOf, type ObservedState } from '../state';

export type CheckName = 'listener' | 'cross-zone' | 'targets' | 'zone' | 'public-access' | 'broker-ingress' | 'ingress' | 'dns' | 'certificate' | 'advertised' | 'probe';

export interface Check {
  name: CheckName;
  ok: boolean;
  detail: string;
}

export interface EndpointChecks {
  endpoint: string;
  host: string;
  port: number;
  checks: Check[];
}

/** What check reads beyond a reconcile's observation. */
export interface CheckExtras {
  /** Each load balancer's own cross-zone attribute, by ARN (target groups that inherit it use it). */
  loadBalancerCrossZone: Map<string, boolean>;
  /**
   * Broker id -> host:port that Kafka Metadata advertises for `listenerName` (the listener check
   * connects through); undefined in mode `none`; an error when unreadable.
   */
  advertised?: { listenerName: string; brokers: Map<number, string> } | { error: string };
}

const CROSS_ZONE = 'load_balancing.cross_zone.enabled';

export function checkDataPath(config: ResolvedCluster, observed: ObservedState, extras: CheckExtras, options: { skipAdvertised?: boolean } = {}): EndpointChecks[] {
  const desired = desiredState(config, observed);
  const uncovered = new Set(
    observed.loadBalancers.flatMap((site) => uncoveredPorts(desired.endpoints.filter((e) => e.loadBalancerArn === site.loadBalancer.arn), site).map((port) => `${site.loadBalancer.arn} ${port}`)),
  );
  // Under scaleIn: keep, a removed broker's listener and name stay for a later scale-out: nothing to reach behind them yet.
  const inCluster = new Set([...observed.cluster.brokers.map((b) => b.id), ...(observed.cluster.announcedBrokerIds ?? [])]);
  return desired.endpoints.map((endpoint) => {
    if (endpoint.role !== 'bootstrap' && !inCluster.has(endpoint.role.brokerId)) {
      return { endpoint: endpoint.key, host: endpoint.host, port: endpoint.port, checks: [{ name: 'targets', ok: true, detail: 'kept for a later scale-out (scaleIn: keep): no broker behind it' }] };
    }
    const checks: Check[] = [
      listenerCheck(observed, endpoint),
      crossZoneCheck(observed, endpoint, extras.loadBalancerCrossZone.get(endpoint.loadBalancerArn) ?? false),
      targetsCheck(observed, endpoint),
      // What the tool cannot fix: the broker's zone, public access, the brokers' security groups.
      ...endpointPreconditions(endpoint, observed),
      ingressCheck(observed, endpoint, uncovered.has(`${endpoint.loadBalancerArn} ${endpoint.port}`)),
      dnsCheck(observed, endpoint),
      certificateCheck(observed, endpoint),
    ];
    if (endpoint.role !== 'bootstrap' && !options.skipAdvertised) checks.push(advertisedCheck(config, observed, endpoint, endpoint.role.brokerId, extras.advertised));
    return { endpoint: endpoint.key, host: endpoint.host, port: endpoint.port, checks };
  });
}

export function allPass(rows: EndpointChecks[]): boolean {
  return rows.every((r) => r.checks.every((c) => c.ok));
}

const ownedGroup = (observed: ObservedState, endpoint: DesiredEndpoint) => ownedTargetGroup(observed, endpoint);

function listenerCheck(observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const fail = (detail: string): Check => ({ name: 'listener', ok: false, detail });
  const listener = listenersOn(observed, endpoint.loadBalancerArn).find((l) => l.port === endpoint.port);
  if (!listener) return fail(`no listener on :${endpoint.port}`);
  if (!ownsAs(listener.tags, observed.cluster.arn, endpoint.listener, endpoint.role)) return fail(`:${endpoint.port} is a listener this tool does not own for ${endpoint.key}`);
  if (listener.protocol !== 'TLS') return fail(`:${endpoint.port} is ${listener.protocol}, not TLS`);
  // Managed mode has no one configured certificate: the certificate row says whether the presented one covers the name.
  if (endpoint.listener.certificateArn && listener.certificateArns[0] !== endpoint.listener.certificateArn) return fail(`:${endpoint.port} presents ${listener.certificateArns[0] ?? 'no certificate'}, not the configured one`);
  const group = ownedGroup(observed, endpoint);
  if (!group || listener.targetGroupArn !== group.arn) return fail(`:${endpoint.port} forwards to ${listener.targetGroupArn ?? 'nothing'}, not ${endpoint.targetGroupName}`);
  // A listener spread over several NLBs says which one carries this endpoint.
  const where = endpoint.listener.brokerLoadBalancers?.length ? ` on ${loadBalancerShortId(endpoint.loadBalancerArn)}` : '';
  return { name: 'listener', ok: true, detail: `:${endpoint.port}${where} TLS -> ${group.name}` };
}

function crossZoneCheck(observed: ObservedState, endpoint: DesiredEndpoint, lbCrossZone: boolean): Check {
  const group = ownedGroup(observed, endpoint);
  if (!group) return { name: 'cross-zone', ok: false, detail: `no target group ${endpoint.targetGroupName}` };
  const own = group.attributes[CROSS_ZONE];
  const effective = own === 'true' || (own !== 'false' && lbCrossZone);
  const source = own === 'true' || own === 'false' ? 'target group' : `inherited from the load balancer (${lbCrossZone ? 'on' : 'off'})`;
  return effective
    ? { name: 'cross-zone', ok: true, detail: `on (${source})` }
    : { name: 'cross-zone', ok: false, detail: `off (${source}): clients landing on a node in another AZ are reset` };
}

function targetsCheck(observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const port = endpoint.targetPort;
  const group = ownedGroup(observed, endpoint);
  if (!endpoint.targetIps.length) return { name: 'targets', ok: false, detail: 'no broker IP to register (broker not listed by MSK yet)' };
  if (!group) return { name: 'targets', ok: false, detail: `no target group ${endpoint.targetGroupName}` };
  const problems = endpoint.targetIps.flatMap((ip) => {
    const target = group.targets.find((t) => t.ip === ip && t.port === port);
    if (!target) return [`${ip}:${port} not registered`];
    return target.state === 'healthy' ? [] : [`${ip} ${target.state ?? 'unknown'}`];
  });
  return problems.length
    ? { name: 'targets', ok: false, detail: problems.join(', ') }
    : { name: 'targets', ok: true, detail: `${endpoint.targetIps.join(', ')} healthy` };
}

function ingressCheck(observed: ObservedState, endpoint: DesiredEndpoint, uncovered: boolean): Check {
  const groups = loadBalancerOf(observed, endpoint.loadBalancerArn).loadBalancer.securityGroupIds;
  if (!groups.length) return { name: 'ingress', ok: true, detail: 'load balancer has no security groups' };
  return uncovered
    ? { name: 'ingress', ok: false, detail: `${groups.join(', ')} admit no TCP on ${compactPorts([endpoint.port])}` }
    : { name: 'ingress', ok: true, detail: `admitted by ${groups.join(', ')}` };
}

/** The name must lead to the record target: the load balancer, or the VPC endpoint in front of it (recordTarget). */
function dnsCheck(observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const name = fqdn(endpoint.host);
  const { hostedZoneId } = endpoint.listener;
  const records = recordsIn(observed, hostedZoneId).filter((r) => r.name === name);
  const target = recordTargetOf(observed, endpoint.listener, endpoint.loadBalancerArn);
  const want = fqdn(target.dnsName).replace(/^dualstack\./, '');
  const pointsAtTarget = records.some((r) =>
    r.alias ? fqdn(r.alias.dnsName).replace(/^dualstack\./, '') === want : r.type === 'CNAME' && (r.values ?? []).some((v) => fqdn(v) === want),
  );
  const what = target.kind === 'vpc-endpoint' ? `VPC endpoint ${target.dnsName}` : target.dnsName;
  if (!records.length) return { name: 'dns', ok: false, detail: `no record ${name} in zone ${hostedZoneId}` };
  return pointsAtTarget
    ? { name: 'dns', ok: true, detail: `${name} -> ${what}` }
    : { name: 'dns', ok: false, detail: `${name} does not point at ${what}` };
}

/** The certificate a client gets: the one the listener presents, or the configured one before there is a listener. Named by ARN. */
function certificateCheck(observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const configured = endpoint.listener.certificateArn;
  const presented = listenersOn(observed, endpoint.loadBalancerArn).find((l) => l.port === endpoint.port)?.certificateArns[0];
  const arn = presented ?? configured;
  if (!arn) return { name: 'certificate', ok: false, detail: `no listener presents a certificate yet (${managedCertificateState(observed, endpoint)})` };
  const managed = !configured && observed.ownCertificates?.some((c) => c.arn === arn) ? ', the tool\'s own' : '';
  const note = !presented ? '; no listener presents it yet' : configured && presented !== configured ? `; presented instead of the configured ${configured}` : managed;
  const cert = certificateOf(observed, arn);
  if (!cert) return { name: 'certificate', ok: false, detail: `${arn} not read${note}` };
  const match = [cert.domainName, ...cert.subjectAlternativeNames].find((n) => certificateCovers(n, endpoint.host));
  if (match) return { name: 'certificate', ok: true, detail: `covered by ${arn} (${match})${note}` };
  const others = new Set([cert.domainName, ...cert.subjectAlternativeNames]).size - 1;
  return { name: 'certificate', ok: false, detail: `${arn} (${cert.domainName}${others ? ` and ${others} more name(s)` : ''}) does not cover ${endpoint.host}${note}` };
}

/** Managed mode before a listener exists: the tool's certificate that will name the host, and its state. */
function managedCertificateState(observed: ObservedState, endpoint: DesiredEndpoint): string {
  const { certificateAuthorityArn, certificateValidation } = endpoint.listener;
  const source = certificateAuthorityArn ? `managed from ${certificateAuthorityArn}` : `managed, public, validation ${certificateValidation}`;
  const own = observed.ownCertificates?.find((c) => [c.domainName, ...c.subjectAlternativeNames].some((n) => certificateCovers(n, endpoint.host)));
  return own ? `${source}: the tool's ${own.arn} names it and is ${own.status ?? 'unknown'}` : `${source}: none requested yet`;
}

function advertisedCheck(config: ResolvedCluster, observed: ObservedState, endpoint: DesiredEndpoint, brokerId: number, advertised: CheckExtras['advertised']): Check {
  if (config.advertisedListeners === 'none') return { name: 'advertised', ok: true, detail: 'AWS name (advertisedListeners: none)' };
  const want = `${endpoint.host}:${endpoint.port}`;
  const verdict = (seen: string, where = ''): Check =>
    seen === want ? { name: 'advertised', ok: true, detail: want } : { name: 'advertised', ok: false, detail: `advertises ${seen}, expected ${want}${where}` };
  // Kafka answers Metadata with the endpoints of the listener a client came in on (here IAM): other
  // listeners' names are read from the broker's effective advertised.listeners instead.
  if (advertised && !('error' in advertised) && advertised.listenerName !== endpoint.listener.clientListenerName) {
    const broker = observed.advertised?.brokers.find((b) => b.endpoint.id === brokerId);
    const value = broker?.entries?.find((e) => e.name === 'advertised.listeners')?.value;
    if (value === undefined || value === null) return { name: 'advertised', ok: false, detail: `broker ${brokerId}'s advertised.listeners unreadable${broker?.error ? `: ${broker.error}` : ''}` };
    const entry = safeFindListener(value, endpoint.listener.clientListenerName);
    if (!entry) return { name: 'advertised', ok: false, detail: `advertised.listeners has no ${endpoint.listener.clientListenerName} entry` };
    return verdict(`${entry.host}:${entry.port}`, ' (its advertised.listeners)');
  }
  if (!advertised) return { name: 'advertised', ok: false, detail: 'not read' };
  if ('error' in advertised) return { name: 'advertised', ok: false, detail: `Kafka metadata unreadable: ${advertised.error}` };
  const seen = advertised.brokers.get(brokerId);
  if (seen === undefined) return { name: 'advertised', ok: false, detail: 'broker not in Kafka metadata' };
  return verdict(seen);
}

function safeFindListener(value: string, name: string) {
  try {
    return findListener(value, name);
  } catch {
    return undefined;
  }
}
