import type { DesiredEndpoint, DesiredState } from '../desired';
import type { ResolvedCluster } from '../listeners';
import { certificateTags, shortHash } from '../naming';
import { certificateOf, listenersOn, type ObservedState } from '../state';
import type { Certificate, OwnedCertificate } from '../types';
import { blockNames, blockOf, sameNames } from './certificate-blocks';
import { certificateCovers } from './certificate';
import type { Action, CertificateRef } from './types';

/** What managed mode (certificateAuthorityArn) wants of ACM, and the certificate each of its endpoints presents. */
export interface ManagedCertificatePlan {
  /** request-certificate and await-certificate: before any listener refers to them. */
  actions: Action[];
  /** By endpoint key, for endpoints of managed listeners only. */
  byEndpoint: Map<string, CertificateRef>;
}

/**
 * Pure. An endpoint keeps the certificate its listener presents while that one is ISSUED and names
 * its host (an adopted deployment, or an earlier block layout: nothing moves until needed).
 * Otherwise it presents its block's certificate (certificate-blocks.ts): ours if one with exactly
 * the block's names and CA exists, else one requested in this apply.
 */
export function planManagedCertificates(config: ResolvedCluster, desired: DesiredState, observed: ObservedState): ManagedCertificatePlan {
  const plan: ManagedCertificatePlan = { actions: [], byEndpoint: new Map() };
  const size = config.certificates.namesPerCertificate;
  const blocks = new Map<string, CertificateRef>();

  for (const endpoint of desired.endpoints) {
    const authorityArn = endpoint.listener.certificateAuthorityArn;
    if (!authorityArn) continue;
    const kept = coveringPresented(observed, endpoint);
    if (kept) {
      plan.byEndpoint.set(endpoint.key, { name: kept.arn, arn: kept.arn });
      continue;
    }
    const block = blockOf(endpoint.role, size);
    const key = `${endpoint.listener.label}certificate-${block}`;
    let ref = blocks.get(key);
    if (!ref) {
      ref = blockCertificate(config, observed, endpoint, block, key, authorityArn, plan.actions);
      blocks.set(key, ref);
    }
    plan.byEndpoint.set(endpoint.key, ref);
  }
  return plan;
}

/** The certificate the endpoint's listener presents, when it is ISSUED and names the host. */
function coveringPresented(observed: ObservedState, endpoint: DesiredEndpoint): Certificate | undefined {
  const arn = listenersOn(observed, endpoint.loadBalancerArn).find((l) => l.port === endpoint.port)?.certificateArns[0];
  const cert = arn ? certificateOf(observed, arn) ?? observed.ownCertificates?.find((c) => c.arn === arn) : undefined;
  if (!cert || cert.status !== 'ISSUED') return undefined;
  return [cert.domainName, ...cert.subjectAlternativeNames].some((n) => certificateCovers(n, endpoint.host)) ? cert : undefined;
}

function blockCertificate(
  config: ResolvedCluster,
  observed: ObservedState,
  endpoint: DesiredEndpoint,
  block: number,
  key: string,
  authorityArn: string,
  actions: Action[],
): CertificateRef {
  const { listener } = endpoint;
  const names = blockNames(listener, block, config.certificates.namesPerCertificate);
  // ISSUED first; a FAILED or revoked one is as good as none (it is deleted as unused).
  const same = (observed.ownCertificates ?? []).filter((c) => ownedFor(c, listener) && c.block === block && sameNames([c.domainName, ...c.subjectAlternativeNames], names));
  const usable = same
    .filter((c) => (c.authorityArn ?? authorityArn) === authorityArn && (c.status === 'ISSUED' || c.status === 'PENDING_VALIDATION'))
    .sort((a, b) => Number(b.status === 'ISSUED') - Number(a.status === 'ISSUED'));
  const failed = same.filter((c) => !usable.includes(c)).map((c) => c.arn).sort();
  const found = usable[0];
  if (found) {
    if (found.status !== 'ISSUED') actions.push({ type: 'await-certificate', resource: key, certificate: { name: key, arn: found.arn } });
    return { name: key, arn: found.arn };
  }
  actions.push({
    type: 'request-certificate',
    resource: key,
    name: key,
    domainName: names[0],
    subjectAlternativeNames: names.slice(1),
    certificateAuthorityArn: authorityArn,
    // ACM returns the same certificate for a repeated token within an hour: a lost reply or a
    // rerun after a crash does not make a second one. A failed one seen changes the token, so the
    // retry after it is a new request.
    idempotencyToken: shortHash(`${config.clusterArn} ${listener.id} ${block} ${authorityArn} ${names.join(',')} ${failed.join(',')}`, 32),
    tags: certificateTags(config.clusterArn, listener.id, block),
  });
  return { name: key };
}

/** A certificate made before listeners had identities belongs to the primary listener (as for groups and listeners). */
function ownedFor(cert: OwnedCertificate, listener: { id: string; primary: boolean }): boolean {
  return (cert.listenerId ?? (listener.primary ? listener.id : undefined)) === listener.id;
}

/**
 * Pure: ours that nothing presents once this plan is applied, deleted last. One still presented by
 * a listener the plan keeps stays (ACM refuses with ResourceInUseException anyway), and so does one
 * a load balancer out of the config's sight uses (said in a warning).
 */
export function planCertificateDeletions(observed: ObservedState, wanted: Iterable<CertificateRef>, listenerActions: Action[]): { actions: Action[]; warnings: string[] } {
  const out = { actions: [] as Action[], warnings: [] as string[] };
  const referenced = new Set([...wanted].flatMap((r) => (r.arn ? [r.arn] : [])));
  const deleted = new Set(listenerActions.flatMap((a) => (a.type === 'delete-listener' ? [a.listenerArn] : [])));
  const modified = new Map(listenerActions.flatMap((a) => (a.type === 'modify-listener' ? [[a.listenerArn, a.certificate.arn]] : [])));
  // ACM's InUseBy names load balancers (emulators name listeners): either counts as in sight when it is one of ours.
  const inSight = (arn: string) => observed.loadBalancers.some((s) => loadBalancerPath(s.loadBalancer.arn) === loadBalancerPath(arn));
  for (const cert of observed.ownCertificates ?? []) {
    if (referenced.has(cert.arn)) continue;
    const stillPresented = observed.loadBalancers.some((site) =>
      site.listeners.some((l) => !deleted.has(l.arn) && (modified.has(l.arn) ? modified.get(l.arn) === cert.arn : l.certificateArns.includes(cert.arn))),
    );
    if (stillPresented) continue;
    const elsewhere = (cert.inUseBy ?? []).filter((arn) => !inSight(arn));
    if (elsewhere.length) {
      out.warnings.push(`certificate ${cert.arn} (${cert.domainName}) is the tool's but still used by ${elsewhere.join(', ')}, which no listener of the config names: it stays until that use ends`);
      continue;
    }
    const names = [cert.domainName, ...cert.subjectAlternativeNames.filter((n) => n !== cert.domainName)];
    const reason = cert.status && cert.status !== 'ISSUED' ? `${cert.status}${cert.failureReason ? ` (${cert.failureReason})` : ''}` : 'no listener presents it any more';
    out.actions.push({ type: 'delete-certificate', resource: `certificate-${cert.block}${cert.listenerId ? ` of ${cert.listenerId}` : ''}`, arn: cert.arn, names, reason });
  }
  return out;
}

/** `name/id` of the load balancer an ELBv2 load balancer or listener ARN belongs to. */
function loadBalancerPath(arn: string): string {
  const [, path] = /:(?:loadbalancer|listener)\/[a-z]+\/([^/]+\/[^/]+)/.exec(arn) ?? [];
  return `${arn.split(':').slice(3, 5).join(':')} ${path ?? arn}`;
}

/** For plan lines: `certificate-0 (bootstrap … b-9)`. */
export function certificateLabel(ref: CertificateRef): string {
  return ref.arn ?? `${ref.name} (requested in this apply)`;
}

