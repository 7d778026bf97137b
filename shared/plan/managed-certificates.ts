import type { DesiredEndpoint, DesiredState } from '../desired';
import { PlanError } from '../errors';
import type { MappedListener, ResolvedCluster } from '../listeners';
import { certificateTags, shortHash } from '../naming';
import { certificateOf, listenersOn, type ObservedState } from '../state';
import type { Certificate, OwnedCertificate, ValidationRecord } from '../types';
import { blockNames, blockOf, sameNames } from './certificate-blocks';
import { failureFix } from './certificate-failures';
import { certificateCovers } from './certificate';
import type { Action, CertificateRef, Conflict } from './types';

/** What managed mode (certificateAuthorityArn, certificateValidation) wants of ACM, and the certificate each of its endpoints presents. */
export interface ManagedCertificatePlan {
  /** request-certificate and await-certificate: before any listener refers to them. */
  actions: Action[];
  /** By endpoint key, for endpoints of managed listeners whose certificate is (or will be, in this apply) ISSUED. */
  byEndpoint: Map<string, CertificateRef>;
  /**
   * Public certificates: endpoints whose block certificate waits for ACM's DNS validation (minutes,
   * up to 72 hours), with why. They get no listener yet; a live listener keeps what it presents.
   */
  awaiting: Map<string, Awaiting>;
  /** Those certificates in validation (found, not requested now): kept, though no listener presents them yet. */
  validating: CertificateRef[];
  /** A public certificate ACM refused (FAILED): not requested again until a person fixed the cause and deleted it. */
  conflicts: Conflict[];
}

/** Why an endpoint waits; `refused`: for a person to act (a conflict says what), so no follow-up is due. */
export interface Awaiting {
  reason: string;
  refused?: boolean;
}

/** Who issues a managed listener's certificates: its private CA, or ACM's public CA after DNS validation. */
type Issuer = { certificateAuthorityArn: string } | { dns: { hostedZoneId: string; hostedZoneRole?: MappedListener['hostedZoneRole'] } };

function issuerOf(listener: MappedListener): Issuer | undefined {
  if (listener.certificateAuthorityArn) return { certificateAuthorityArn: listener.certificateAuthorityArn };
  if (listener.certificateValidation === 'dns') return { dns: { hostedZoneId: listener.hostedZoneId, ...(listener.hostedZoneRole ? { hostedZoneRole: listener.hostedZoneRole } : {}) } };
  return undefined;
}

/** A certificate of ours fits the issuer: the same private CA, or public (emulators may omit the Type or the CA). */
function issuedBy(cert: Certificate, issuer: Issuer): boolean {
  if ('certificateAuthorityArn' in issuer) return cert.type !== 'AMAZON_ISSUED' && (cert.authorityArn ?? issuer.certificateAuthorityArn) === issuer.certificateAuthorityArn;
  return cert.type !== 'PRIVATE' && !cert.authorityArn;
}

/**
 * Pure. An endpoint keeps the certificate its listener presents while that one is ISSUED and names
 * its host (an adopted deployment, or an earlier block layout: nothing moves until needed).
 * Otherwise it presents its block's certificate (certificate-blocks.ts): ours if one with exactly
 * the block's names and CA exists, else one requested in this apply.
 */
export function planManagedCertificates(config: ResolvedCluster, desired: DesiredState, observed: ObservedState): ManagedCertificatePlan {
  const plan: ManagedCertificatePlan = { actions: [], byEndpoint: new Map(), awaiting: new Map(), validating: [], conflicts: [] };
  const size = config.certificates.namesPerCertificate;
  const blocks = new Map<string, BlockCertificate>();
  checkPublicZones(desired, observed);

  for (const endpoint of desired.endpoints) {
    const issuer = issuerOf(endpoint.listener);
    if (!issuer) continue;
    const kept = coveringPresented(observed, endpoint);
    if (kept) {
      plan.byEndpoint.set(endpoint.key, { name: kept.arn, arn: kept.arn });
      continue;
    }
    const block = blockOf(endpoint.role, size);
    const key = `${endpoint.listener.label}certificate-${block}`;
    let found = blocks.get(key);
    if (!found) {
      found = blockCertificate(config, observed, endpoint.listener, block, key, issuer, plan.actions);
      blocks.set(key, found);
      if (found.awaiting && found.ref.arn) plan.validating.push(found.ref);
      if (found.conflict) plan.conflicts.push(found.conflict);
    }
    if (found.awaiting) plan.awaiting.set(endpoint.key, found.awaiting);
    else plan.byEndpoint.set(endpoint.key, found.ref);
  }
  for (const spare of spareBlocks(desired, size, blocks)) {
    const found = blockCertificate(config, observed, spare.listener, spare.block, spare.key, issuerOf(spare.listener)!, plan.actions);
    if (found.ref.arn) plan.validating.push(found.ref);
    if (found.conflict) plan.conflicts.push(found.conflict);
  }
  return plan;
}

/**
 * Public certificates take minutes to validate (up to 30, ACM guide), while MSK gives a joining
 * broker its custom name as it joins (msk-configuration mode): so the block after the highest one in
 * use is kept validated ahead, and a scale-out into it finds its certificate ISSUED. One block of
 * headroom per listener; a scale-out across two blocks waits for the second. Public certificates
 * cost nothing (ACM FAQ), so the spare costs nothing but one of the account's certificates.
 */
function spareBlocks(desired: DesiredState, size: number, inUse: Map<string, BlockCertificate>): { listener: MappedListener; block: number; key: string }[] {
  return desired.listeners
    .filter((l) => l.certificateValidation === 'dns' && l.endpoints === 'bootstrap-and-brokers')
    .flatMap((listener) => {
      const highest = Math.max(0, ...desired.endpoints.filter((e) => e.listener.id === listener.id).map((e) => blockOf(e.role, size)));
      const key = `${listener.label}certificate-${highest + 1}`;
      return inUse.has(key) ? [] : [{ listener, block: highest + 1, key }];
    });
}

/** ACM validates a public certificate through public DNS: a private zone can never prove its names. Refused before any write. */
function checkPublicZones(desired: DesiredState, observed: ObservedState): void {
  const refused = desired.listeners.filter((l) => l.certificateValidation === 'dns' && observed.zones.find((z) => z.hostedZoneId === l.hostedZoneId)?.privateZone);
  if (!refused.length) return;
  throw new PlanError(
    `certificateValidation: dns needs a public hosted zone, and ${refused.map((l) => `${l.label}zone ${l.hostedZoneId}`).join(', ')} is private: ACM validates public certificates through public DNS only. ` +
      'Use certificateAuthorityArn (private certificates, no validation) or certificateArn for names in a private zone; nothing was changed',
  );
}

/** The certificate the endpoint's listener presents, when it is ISSUED and names the host. */
function coveringPresented(observed: ObservedState, endpoint: DesiredEndpoint): Certificate | undefined {
  const arn = listenersOn(observed, endpoint.loadBalancerArn).find((l) => l.port === endpoint.port)?.certificateArns[0];
  const cert = arn ? certificateOf(observed, arn) ?? observed.ownCertificates?.find((c) => c.arn === arn) : undefined;
  if (!cert || cert.status !== 'ISSUED') return undefined;
  return [cert.domainName, ...cert.subjectAlternativeNames].some((n) => certificateCovers(n, endpoint.host)) ? cert : undefined;
}

/** A block's certificate: ready to present (`ref`), or, for a public one, why its listeners wait. */
interface BlockCertificate {
  ref: CertificateRef;
  awaiting?: Awaiting;
  conflict?: Conflict;
}

function blockCertificate(
  config: ResolvedCluster,
  observed: ObservedState,
  listener: MappedListener,
  block: number,
  key: string,
  issuer: Issuer,
  actions: Action[],
): BlockCertificate {
  const names = blockNames(listener, block, config.certificates.namesPerCertificate);
  // ISSUED first; a FAILED, timed-out or revoked one is as good as none (it is deleted as unused).
  const same = (observed.ownCertificates ?? []).filter((c) => ownedFor(c, listener) && c.block === block && sameNames([c.domainName, ...c.subjectAlternativeNames], names));
  const usable = same
    .filter((c) => issuedBy(c, issuer) && (c.status === 'ISSUED' || c.status === 'PENDING_VALIDATION'))
    .sort((a, b) => Number(b.status === 'ISSUED') - Number(a.status === 'ISSUED'));
  const failed = same.filter((c) => !usable.includes(c)).map((c) => c.arn).sort();
  const found = usable[0];
  // A public certificate ACM refused outright (a CAA record, a domain it will not issue for) fails
  // again if requested again: it stays, named in a conflict, until a person fixed the cause and deleted it.
  const refused = 'dns' in issuer && !found ? same.find((c) => issuedBy(c, issuer) && c.status === 'FAILED') : undefined;
  if (refused) {
    const why = failureFix(refused.failureReason);
    return {
      ref: { name: key, arn: refused.arn },
      awaiting: { reason: `certificate ${refused.arn} FAILED (${refused.failureReason ?? 'no reason given'})`, refused: true },
      conflict: { resource: key, message: `ACM refused certificate ${refused.arn} for ${names[0]} … ${names[names.length - 1]} (${why}); once fixed, delete it (aws acm delete-certificate --certificate-arn ${refused.arn}) and the next run requests another` },
    };
  }
  if (found) {
    const ref = { name: key, arn: found.arn };
    if (found.status === 'ISSUED') return { ref };
    // A private one is signed in seconds: waited for in this apply. A public one waits for DNS validation across runs.
    if ('dns' in issuer) return { ref, awaiting: { reason: awaitingValidation(found, names) } };
    actions.push({ type: 'await-certificate', resource: key, certificate: ref });
    return { ref };
  }
  const from = 'dns' in issuer ? `dns ${issuer.dns.hostedZoneId}` : issuer.certificateAuthorityArn;
  // A private CA that could not issue last time may again (disabled, not shared): the new request must
  // not hold the rest of the apply back, so its endpoints wait for the run after it (a conflict says why).
  const failedBefore = 'certificateAuthorityArn' in issuer ? same.find((c) => issuedBy(c, issuer) && c.status === 'FAILED') : undefined;
  actions.push({
    type: 'request-certificate',
    resource: key,
    name: key,
    domainName: names[0],
    subjectAlternativeNames: names.slice(1),
    ...('dns' in issuer ? { validation: issuer.dns } : { certificateAuthorityArn: issuer.certificateAuthorityArn }),
    // ACM returns the same certificate for a repeated token within an hour: a lost reply or a
    // rerun after a crash does not make a second one. A failed one seen changes the token, so the
    // retry after it is a new request.
    idempotencyToken: shortHash(`${config.clusterArn} ${listener.id} ${block} ${from} ${names.join(',')} ${failed.join(',')}`, 32),
    tags: certificateTags(config.clusterArn, listener.id, block),
    ...(failedBefore ? { retry: true } : {}),
  });
  const ref = { name: key };
  if (failedBefore) {
    return {
      ref,
      awaiting: { reason: `certificate ${failedBefore.arn} FAILED`, refused: true },
      conflict: {
        resource: key,
        message: `ACM could not issue certificate ${failedBefore.arn} from ${from} (${failureFix(failedBefore.failureReason)}); requested again in this apply without holding anything else back, its endpoints wait for the run after it`,
      },
    };
  }
  return 'dns' in issuer ? { ref, awaiting: { reason: `certificate ${key} is requested in this apply; ACM validates it through DNS records the tool writes in zone ${issuer.dns.hostedZoneId}` } } : { ref };
}

/** Why a public certificate is not ISSUED yet, for the plan and the run's report. */
function awaitingValidation(cert: OwnedCertificate, names: string[]): string {
  const listed = cert.validationRecords?.length ?? 0;
  const records = listed < names.length ? `ACM lists ${listed} of its ${names.length} validation records so far (the rest are written by a later run)` : 'its validation records are in the zone';
  return `certificate ${cert.arn} is PENDING_VALIDATION: ${records}; ACM validates within minutes once they resolve and retries for up to 72 hours`;
}

/** A DNS validation CNAME the tool keeps in a zone, for one of its public certificates. */
export interface ZoneValidationRecord {
  hostedZoneId: string;
  record: ValidationRecord;
  /** What it validates, for plan lines. */
  certificate: string;
}

/**
 * Pure: the validation CNAMEs of the tool's public certificates that stay after this plan (ACM
 * needs them to validate a pending one, and to renew an issued one), in their listeners' zones. Those
 * of a certificate deleted in this plan go with it (records.ts deletes the tool's leftovers).
 */
export function validationRecordsToKeep(config: ResolvedCluster, observed: ObservedState, actions: Action[]): ZoneValidationRecord[] {
  const deleted = new Set(actions.flatMap((a) => (a.type === 'delete-certificate' ? [a.arn] : [])));
  // A name requested again (a timed-out or expired certificate replaced) has the very same CNAME: it stays for the new one.
  const requested = new Set(actions.flatMap((a) => (a.type === 'request-certificate' && a.validation ? [a.domainName, ...a.subjectAlternativeNames] : [])));
  return (observed.ownCertificates ?? []).flatMap((cert) => {
    const listener = config.mapped.find((l) => ownedFor(cert, l));
    if (!listener || cert.type === 'PRIVATE' || cert.authorityArn) return [];
    return (cert.validationRecords ?? [])
      .filter((record) => !deleted.has(cert.arn) || requested.has(record.domainName))
      .map((record) => ({ hostedZoneId: listener.hostedZoneId, record, certificate: cert.arn }));
  });
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

