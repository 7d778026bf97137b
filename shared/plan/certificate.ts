import type { DesiredEndpoint } from '../desired';
import { certificateOf, type ObservedState } from '../state';
import type { Certificate } from '../types';
import { compactPorts } from './security-groups';
import type { Conflict } from './types';

/** True when `name` is covered by a certificate name, wildcards matching exactly one label (RFC 6125). */
export function certificateCovers(certName: string, host: string): boolean {
  const pattern = certName.toLowerCase().replace(/\.$/, '');
  const name = host.toLowerCase().replace(/\.$/, '');
  if (!pattern.startsWith('*.')) return pattern === name;
  const firstDot = name.indexOf('.');
  return firstDot > 0 && name.slice(firstDot + 1) === pattern.slice(2);
}

/** Hosts the certificate does not cover: clients would fail only at their TLS handshake. */
export function uncoveredHosts(certificate: Certificate, hosts: string[]): string[] {
  const names = [certificate.domainName, ...certificate.subjectAlternativeNames];
  return hosts.filter((host) => !names.some((n) => certificateCovers(n, host)));
}

/** The configured (fixed) certificate of `endpoint` when it was read and does not name the endpoint's host; undefined otherwise. */
export function uncoveredCertificate(observed: ObservedState, endpoint: DesiredEndpoint): Certificate | undefined {
  const arn = endpoint.listener.certificateArn;
  const certificate = arn ? certificateOf(observed, arn) : undefined;
  return certificate && uncoveredHosts(certificate, [endpoint.host]).length ? certificate : undefined;
}

/**
 * An endpoint whose listener presents, or would present, a certificate that misses its name.
 * `create`: a new listener; `swap`: a live listener would switch to it from `current`;
 * `live`: the listener presents it already (nothing new is written for it).
 */
export interface Uncovered {
  endpoint: DesiredEndpoint;
  certificate: Certificate;
  change: 'create' | 'swap' | 'live';
  current?: string;
}

/** Refused: one conflict per listener of the config and kind of change, naming the certificate, hosts and ports. */
export function uncoveredConflicts(refused: Uncovered[]): Conflict[] {
  return groups(refused).map(({ label, certificate, change, items }) => {
    const { hosts, ports, keys, domain } = summary(items);
    const them = hosts.length === 1 ? 'it' : 'them';
    const fix = `issue a certificate that covers ${them} (or *.${domain}) and set certificateArn`;
    const resource = `${label}listener${items.length > 1 ? 's' : ''} :${ports}`;
    if (change === 'create') {
      return {
        resource,
        message: `certificate ${certificate.arn} does not cover ${hosts.join(', ')}: clients would fail the TLS handshake there, so no listener, target group or name is made for ${keys.join(', ')}; ` +
          `${fix}, or run apply --allow-uncovered-certificate to make ${them} anyway`,
      };
    }
    const current = [...new Set(items.map((i) => i.current ?? 'none'))].join(', ');
    return {
      resource,
      message: `certificate ${certificate.arn} does not cover ${hosts.join(', ')}: switching to it would break every client of ${hosts.length === 1 ? 'that name' : 'those names'} at once, so ${keys.join(', ')} keep${keys.length === 1 ? 's' : ''} ${current}; ` +
        `${fix}, or run apply --allow-uncovered-certificate to switch anyway`,
    };
  });
}

/** Let through (--allow-uncovered-certificate) or live already: said, since clients of those names fail the TLS handshake. */
export function uncoveredWarnings(allowed: Uncovered[]): string[] {
  return groups(allowed).map(({ label, certificate, change, items }) => {
    const { hosts, ports, domain } = summary(items);
    const what = change === 'live' ? `presented by ${label}listener(s) :${ports}` : `${change === 'create' ? 'put on new' : 'switched onto'} ${label}listener(s) :${ports} as --allow-uncovered-certificate asks`;
    return `certificate ${certificate.arn}, ${what}, does not cover ${hosts.join(', ')}: clients of ${hosts.length === 1 ? 'that name' : 'those names'} fail the TLS handshake; add ${hosts.length === 1 ? 'it' : 'them'} (or *.${domain}) to a certificate and set certificateArn`;
  });
}

function groups(items: Uncovered[]): { label: string; certificate: Certificate; change: Uncovered['change']; items: Uncovered[] }[] {
  const byKey = new Map<string, Uncovered[]>();
  for (const item of items) {
    const key = `${item.endpoint.listener.id}\n${item.certificate.arn}\n${item.change}`;
    byKey.set(key, [...(byKey.get(key) ?? []), item]);
  }
  return [...byKey.values()].map((group) => ({ label: group[0].endpoint.listener.label, certificate: group[0].certificate, change: group[0].change, items: group }));
}

function summary(items: Uncovered[]) {
  return {
    hosts: items.map((i) => i.endpoint.host),
    ports: compactPorts(items.map((i) => i.endpoint.port).sort((a, b) => a - b)),
    keys: items.map((i) => i.endpoint.key),
    domain: items[0].endpoint.listener.domain,
  };
}
