import type { Certificate } from '../types';

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
