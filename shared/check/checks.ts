// Pure: does the whole path a client takes hold, per endpoint (bootstrap and each broker)?
// Every check names what it found, so a failing row says what to fix.
import type { ClusterConfig } from '../config/schema';
import { desiredState, type DesiredEndpoint } from '../desired';
import { fqdn, ownedRole, roleKey } from '../naming';
import { uncoveredHosts } from '../plan/certificate';
import { compactPorts, uncoveredPorts } from '../plan/security-groups';
import { ownedTargetGroup, recordTargetOf, type ObservedState } from '../state';

export type CheckName = 'listener' | 'cross-zone' | 'targets' | 'ingress' | 'dns' | 'certificate' | 'advertised' | 'probe';

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
  /** The load balancer's own cross-zone attribute (target groups that inherit it use it). */
  loadBalancerCrossZone: boolean;
  /** Broker id -> host:port that Kafka Metadata advertises; undefined in mode `none`; an error when unreadable. */
  advertised?: Map<number, string> | { error: string };
}

const CROSS_ZONE = 'load_balancing.cross_zone.enabled';

export function checkDataPath(config: ClusterConfig, observed: ObservedState, extras: CheckExtras, options: { skipAdvertised?: boolean } = {}): EndpointChecks[] {
  const desired = desiredState(config, observed);
  const uncovered = new Set(uncoveredPorts(desired, observed));
  return desired.endpoints.map((endpoint) => {
    const checks: Check[] = [
      listenerCheck(config, observed, endpoint),
      crossZoneCheck(observed, endpoint, extras.loadBalancerCrossZone),
      targetsCheck(observed, endpoint, desired.targetPort),
      ingressCheck(observed, endpoint, uncovered),
      dnsCheck(config, observed, endpoint),
      certificateCheck(observed, endpoint),
    ];
    if (endpoint.role !== 'bootstrap' && !options.skipAdvertised) checks.push(advertisedCheck(config, endpoint, endpoint.role.brokerId, extras.advertised));
    return { endpoint: endpoint.key, host: endpoint.host, port: endpoint.port, checks };
  });
}

export function allPass(rows: EndpointChecks[]): boolean {
  return rows.every((r) => r.checks.every((c) => c.ok));
}

const ownedGroup = (observed: ObservedState, endpoint: DesiredEndpoint) => ownedTargetGroup(observed, endpoint.key);

function listenerCheck(config: ClusterConfig, observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const fail = (detail: string): Check => ({ name: 'listener', ok: false, detail });
  const listener = observed.listeners.find((l) => l.port === endpoint.port);
  if (!listener) return fail(`no listener on :${endpoint.port}`);
  const role = ownedRole(listener.tags, observed.cluster.arn);
  if (!role || roleKey(role) !== endpoint.key) return fail(`:${endpoint.port} is a listener this tool does not own for ${endpoint.key}`);
  if (listener.protocol !== 'TLS') return fail(`:${endpoint.port} is ${listener.protocol}, not TLS`);
  if (listener.certificateArns[0] !== config.certificateArn) return fail(`:${endpoint.port} presents ${listener.certificateArns[0] ?? 'no certificate'}, not the configured one`);
  const group = ownedGroup(observed, endpoint);
  if (!group || listener.targetGroupArn !== group.arn) return fail(`:${endpoint.port} forwards to ${listener.targetGroupArn ?? 'nothing'}, not ${endpoint.targetGroupName}`);
  return { name: 'listener', ok: true, detail: `:${endpoint.port} TLS -> ${group.name}` };
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

function targetsCheck(observed: ObservedState, endpoint: DesiredEndpoint, port: number): Check {
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

function ingressCheck(observed: ObservedState, endpoint: DesiredEndpoint, uncovered: Set<number>): Check {
  const groups = observed.loadBalancer.securityGroupIds;
  if (!groups.length) return { name: 'ingress', ok: true, detail: 'load balancer has no security groups' };
  return uncovered.has(endpoint.port)
    ? { name: 'ingress', ok: false, detail: `${groups.join(', ')} admit no TCP on ${compactPorts([endpoint.port])}` }
    : { name: 'ingress', ok: true, detail: `admitted by ${groups.join(', ')}` };
}

/** The name must lead to the record target: the load balancer, or the VPC endpoint in front of it (recordTarget). */
function dnsCheck(config: ClusterConfig, observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const name = fqdn(endpoint.host);
  const records = observed.records.filter((r) => r.name === name);
  const target = recordTargetOf(observed);
  const want = fqdn(target.dnsName).replace(/^dualstack\./, '');
  const pointsAtTarget = records.some((r) =>
    r.alias ? fqdn(r.alias.dnsName).replace(/^dualstack\./, '') === want : r.type === 'CNAME' && (r.values ?? []).some((v) => fqdn(v) === want),
  );
  const what = target.kind === 'vpc-endpoint' ? `VPC endpoint ${target.dnsName}` : target.dnsName;
  if (!records.length) return { name: 'dns', ok: false, detail: `no record ${name} in zone ${config.hostedZoneId}` };
  return pointsAtTarget
    ? { name: 'dns', ok: true, detail: `${name} -> ${what}` }
    : { name: 'dns', ok: false, detail: `${name} does not point at ${what}` };
}

function certificateCheck(observed: ObservedState, endpoint: DesiredEndpoint): Check {
  const cert = observed.certificate;
  if (!cert) return { name: 'certificate', ok: false, detail: 'certificate not read' };
  return uncoveredHosts(cert, [endpoint.host]).length
    ? { name: 'certificate', ok: false, detail: `${cert.domainName} does not cover ${endpoint.host}` }
    : { name: 'certificate', ok: true, detail: `covered by ${cert.domainName}` };
}

function advertisedCheck(config: ClusterConfig, endpoint: DesiredEndpoint, brokerId: number, advertised: CheckExtras['advertised']): Check {
  if (config.advertisedListeners === 'none') return { name: 'advertised', ok: true, detail: 'AWS name (advertisedListeners: none)' };
  if (!advertised) return { name: 'advertised', ok: false, detail: 'not read' };
  if ('error' in advertised) return { name: 'advertised', ok: false, detail: `Kafka metadata unreadable: ${advertised.error}` };
  const want = `${endpoint.host}:${endpoint.port}`;
  const seen = advertised.get(brokerId);
  if (seen === undefined) return { name: 'advertised', ok: false, detail: 'broker not in Kafka metadata' };
  return seen === want ? { name: 'advertised', ok: true, detail: want } : { name: 'advertised', ok: false, detail: `advertises ${seen}, expected ${want}` };
}
