// ACM: certificates seeded by a test (as a person would import or request them), private
// certificates requested from a modelled ACM Private CA (issued after a short delay on the world
// clock, FAILED when the CA is not ACTIVE), and public certificates validated by DNS (ACM's
// CNAME per name, looked up in the world's public Route 53 zones; ISSUED once every name
// validated, VALIDATION_TIMED_OUT after 72 hours), with tags, deletion refused while in use, and
// the names-per-certificate quota. ELBv2 asks it whether a certificate exists and is ISSUED.
import { createHash } from 'node:crypto';
import {
  ACMServiceException,
  InvalidArnException,
  InvalidParameterException,
  LimitExceededException,
  ResourceInUseException,
  ResourceNotFoundException,
  ThrottlingException,
  type AddTagsToCertificateCommandInput,
  type DeleteCertificateCommandInput,
  type ListTagsForCertificateCommandInput,
  type ListTagsForCertificateCommandOutput,
  type RequestCertificateCommandInput,
  type RequestCertificateCommandOutput,
  type CertificateDetail,
  type CertificateStatus,
  type DomainStatus,
  type DomainValidation,
  type ResourceRecord,
  type CertificateSummary,
  type DescribeCertificateCommandInput,
  type DescribeCertificateCommandOutput,
  type ListCertificatesCommandInput,
  type ListCertificatesCommandOutput,
} from '@aws-sdk/client-acm';
import { awsError, clone, page, unmodelledError, type Env, type Handlers, type Out } from './common';
import type { Presence } from './route53';

export interface CertificateSeed {
  domainName: string;
  /** Extra names; ACM always lists the domain name itself first. */
  subjectAlternativeNames?: string[];
  status?: CertificateStatus;
}

const ARN_PATTERN = /^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[\w-]+$/;

/** ACM Private CA states that matter here (ACM PCA's CertificateAuthorityStatus). */
export type PrivateCaStatus = 'ACTIVE' | 'DISABLED' | 'PENDING_CERTIFICATE' | 'EXPIRED' | 'DELETED';

/** An ACM RequestCertificate idempotency token holds for an hour (RequestCertificate API reference). */
const IDEMPOTENCY_MS = 3600_000;

/**
 * "ACM makes repeated attempts to validate a certificate for 72 hours and then times out" (ACM API
 * reference, CertificateDetail, Status); "If ACM is not able to validate the domain name within 72
 * hours from the time it generates a CNAME value for you, ACM changes the certificate status to
 * Validation timed out" (ACM User Guide, "DNS validation"): counted from the CNAME's generation.
 */
const VALIDATION_TIMEOUT_MS = 72 * 3600_000;

/** An ACM certificate is valid for 395 days (13 months). */
const VALIDITY_MS = 395 * 24 * 3600_000;

/**
 * When public DNS answered `name` CNAME `value` (Route53Model.publicPresence): ACM's validation
 * asks the internet, so only public zones count.
 */
export type PublicDns = (name: string, type: 'CNAME', value: string) => Presence[];

/** A public certificate's DNS validation: when its CNAMEs were generated, and each name's validation once decided. */
interface DnsValidation {
  recordsAt: number;
  /** Name -> when ACM validated it (absent: not validated, or not yet known). */
  validatedAt: Map<string, number>;
}

/**
 * ACM's validation CNAME for a name: the same for every certificate with that name in the account,
 * in every region ("Each record, created specifically for your domain and your account"; "the CNAME
 * validation token works for any region"; a wildcard "*.example.com" shares the record of
 * "example.com": ACM User Guide, "DNS validation"). Shaped as ACM gives it
 * ("_a79865eb4cd1a6ab990a45779b4e0b96.example.com." CNAME
 * "_424c7224e9b0146f9a8808af955727d0.hkmpvcwbzw.acm-validations.aws."); the strings are derived
 * from the account and the name (modelled: ACM's are random).
 */
export function validationRecord(accountId: string, domainName: string): ResourceRecord {
  const base = domainName.toLowerCase().replace(/^\*\./, '').replace(/\.$/, '');
  const hash = (what: string) => createHash('sha256').update(`${accountId}:${base}:${what}`).digest();
  const letters = [...hash('letters').subarray(0, 10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return {
    Name: `_${hash('name').toString('hex').slice(0, 32)}.${base}.`,
    Type: 'CNAME',
    Value: `_${hash('value').toString('hex').slice(0, 32)}.${letters}.acm-validations.aws.`,
  };
}

export class AcmModel {
  private readonly certs = new Map<string, CertificateDetail>();
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly cas = new Map<string, PrivateCaStatus>();
  private readonly tokens = new Map<string, { arn: string; at: number }>();
  private readonly dns = new Map<string, DnsValidation>();
  /** "Domain names per ACM certificate": 10 by default (ACM quotas). */
  nameQuota = 10;

  /**
   * `inUseBy` answers which load balancers use a certificate (ACM's InUseBy); `publicDns`, when
   * public DNS answered a record (DNS validation looks there).
   */
  constructor(private readonly env: Env, private readonly inUseBy: (certificateArn: string) => string[], private readonly publicDns: PublicDns) {}

  readonly handlers: Handlers = {
    DescribeCertificateCommand: (i) => this.describeCertificate(i),
    ListCertificatesCommand: (i) => this.listCertificates(i),
    RequestCertificateCommand: (i) => this.requestCertificate(i),
    DeleteCertificateCommand: (i) => this.deleteCertificate(i),
    AddTagsToCertificateCommand: (i) => this.addTags(i),
    ListTagsForCertificateCommand: (i) => this.listTags(i),
  };

  /** A private CA in ACM PCA (this account's, usable by ACM): its ARN. */
  addPrivateCa(status: PrivateCaStatus = 'ACTIVE'): string {
    const arn = `arn:aws:acm-pca:${this.env.region}:${this.env.accountId}:certificate-authority/${this.env.ids.uuid()}`;
    this.cas.set(arn, status);
    return arn;
  }

  setPrivateCaStatus(arn: string, status: PrivateCaStatus): void {
    this.cas.set(arn, status);
  }

  /** Every certificate's ARN (tests look for the tool's). */
  arns(): string[] {
    return [...this.certs.keys()];
  }

  tagsOf(arn: string): Record<string, string> {
    return { ...(this.tags.get(arn) ?? {}) };
  }

  /** What a listener may present: a certificate that exists and is ISSUED. */
  usable(arn: string): boolean {
    return this.certificate(arn)?.Status === 'ISSUED';
  }

  addCertificate(seed: CertificateSeed): string {
    const { region, accountId, ids } = this.env;
    const arn = `arn:aws:acm:${region}:${accountId}:certificate/${ids.uuid()}`;
    const now = new Date(this.env.now());
    const sans = [seed.domainName, ...(seed.subjectAlternativeNames ?? []).filter((n) => n !== seed.domainName)];
    this.certs.set(arn, {
      CertificateArn: arn,
      DomainName: seed.domainName,
      SubjectAlternativeNames: sans,
      Status: seed.status ?? 'ISSUED',
      Type: 'AMAZON_ISSUED',
      KeyAlgorithm: 'RSA_2048',
      SignatureAlgorithm: 'SHA256WITHRSA',
      Issuer: 'Amazon',
      Subject: `CN=${seed.domainName}`,
      CreatedAt: now,
      IssuedAt: now,
      NotBefore: now,
      NotAfter: new Date(now.getTime() + 395 * 24 * 3600 * 1000),
      RenewalEligibility: 'ELIGIBLE',
    });
    return arn;
  }

  exists(arn: string): boolean {
    return this.certs.has(arn);
  }

  certificate(arn: string): CertificateDetail | undefined {
    const cert = this.certs.get(arn);
    if (!cert) return undefined;
    // A private certificate is signed once the modelled delay has passed on the world clock.
    if (cert.Type === 'PRIVATE' && cert.Status === 'PENDING_VALIDATION' && this.env.now() - cert.CreatedAt!.getTime() >= this.env.timing.privateCertificateIssueMs) {
      cert.Status = 'ISSUED';
      cert.IssuedAt = new Date(cert.CreatedAt!.getTime() + this.env.timing.privateCertificateIssueMs);
    }
    const dns = this.dns.get(arn);
    const options = dns ? this.validateByDns(cert, dns) : undefined;
    return clone({ ...cert, ...(options ? { DomainValidationOptions: options } : {}), InUseBy: this.inUseBy(arn) });
  }

  /**
   * A public certificate ACM gives up on: FAILED with a reason (a CAA record that forbids Amazon, a
   * domain ACM will not issue for: ACM API reference, FailureReason), or VALIDATION_TIMED_OUT.
   */
  giveUp(arn: string, status: 'FAILED' | 'VALIDATION_TIMED_OUT', failureReason?: string): void {
    const cert = this.certs.get(arn);
    if (!cert || cert.Status !== 'PENDING_VALIDATION') throw new Error(`AwsWorld: ${arn} is not a certificate pending validation`);
    cert.Status = status;
    if (failureReason) cert.FailureReason = failureReason as CertificateDetail['FailureReason'];
  }

  /** ACM's validation CNAME for `domainName` in this account (what a person copies into the zone). */
  validationRecord(domainName: string): ResourceRecord {
    return validationRecord(this.env.accountId, domainName);
  }

  /**
   * DNS validation, decided lazily from what public DNS answered since the CNAMEs were generated: a
   * name is validated `dnsValidationMs` after its record was answered, if it still was then; the
   * certificate is ISSUED when the last name is, or VALIDATION_TIMED_OUT if that is not within 72
   * hours. Returns the DomainValidationOptions, one per name, the ResourceRecord once generated.
   */
  private validateByDns(cert: CertificateDetail, dns: DnsValidation): DomainValidation[] {
    const now = this.env.now();
    const names = cert.SubjectAlternativeNames ?? [];
    const deadline = dns.recordsAt + VALIDATION_TIMEOUT_MS;
    if (cert.Status === 'PENDING_VALIDATION') {
      for (const name of names) {
        if (dns.validatedAt.has(name)) continue;
        const at = this.validatedAt(name, dns.recordsAt, Math.min(now, deadline));
        if (at !== undefined) dns.validatedAt.set(name, at);
      }
      if (names.every((n) => dns.validatedAt.has(n))) {
        const issued = new Date(Math.max(...names.map((n) => dns.validatedAt.get(n)!)));
        Object.assign(cert, {
          Status: 'ISSUED', Issuer: 'Amazon', IssuedAt: issued, NotBefore: issued, NotAfter: new Date(issued.getTime() + VALIDITY_MS), RenewalEligibility: 'ELIGIBLE',
        });
      } else if (now >= deadline) {
        cert.Status = 'VALIDATION_TIMED_OUT';
      }
    }
    return names.map((name) => {
      const status: DomainStatus = dns.validatedAt.has(name) ? 'SUCCESS' : cert.Status === 'PENDING_VALIDATION' ? 'PENDING_VALIDATION' : 'FAILED';
      return {
        DomainName: name,
        ValidationDomain: name,
        ValidationMethod: 'DNS',
        ValidationStatus: status,
        ...(now >= dns.recordsAt ? { ResourceRecord: this.validationRecord(name) } : {}),
      };
    });
  }

  /**
   * When ACM validated `name`: `dnsValidationMs` into a span of public DNS answering its CNAME, that
   * span counted from when ACM generated the record, and the validation done by `until`.
   */
  private validatedAt(name: string, recordsAt: number, until: number): number | undefined {
    const record = this.validationRecord(name);
    for (const span of this.publicDns(record.Name!, 'CNAME', record.Value!)) {
      const at = Math.max(span.from, recordsAt) + this.env.timing.dnsValidationMs;
      if (at <= Math.min(span.to ?? Infinity, until)) return at;
    }
    return undefined;
  }

  private requestCertificate(input: RequestCertificateCommandInput): Out<RequestCertificateCommandOutput> {
    const domainName = input.DomainName ?? '';
    if (!/^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,63}$/i.test(domainName)) {
      throw awsError(InvalidParameterException, 'json', 'InvalidParameterException', `The domain name '${domainName}' is not valid`); // approximated
    }
    const names = [domainName, ...(input.SubjectAlternativeNames ?? []).filter((n) => n !== domainName)];
    if (names.length > this.nameQuota) {
      throw awsError(LimitExceededException, 'json', 'LimitExceededException', `Cannot request a certificate with more than ${this.nameQuota} domain names`); // approximated
    }
    const token = input.IdempotencyToken;
    const earlier = token ? this.tokens.get(token) : undefined;
    if (earlier && this.env.now() - earlier.at < IDEMPOTENCY_MS) return { CertificateArn: earlier.arn };
    const ca = input.CertificateAuthorityArn;
    if (!ca && input.ValidationMethod !== 'DNS') {
      // CloudFormation's AWS::CertificateManager::Certificate reference: "ValidationMethod ... The
      // default is EMAIL". E-mail validation (WHOIS and admin addresses) is not modelled.
      throw new Error(`AwsWorld: ACM ${input.ValidationMethod ?? 'default (EMAIL)'} validation of a public certificate is not modelled; request it with ValidationMethod 'DNS'`);
    }
    const { region, accountId, ids } = this.env;
    const arn = `arn:aws:acm:${region}:${accountId}:certificate/${ids.uuid()}`;
    const now = new Date(this.env.now());
    const caStatus = ca ? this.cas.get(ca) : undefined;
    const failure = ca && !caStatus ? 'PCA_RESOURCE_NOT_FOUND' : ca && caStatus !== 'ACTIVE' ? 'PCA_INVALID_STATE' : undefined;
    this.certs.set(arn, {
      CertificateArn: arn,
      DomainName: domainName,
      SubjectAlternativeNames: names,
      // Public certificates wait for DNS validation (validateByDns), private ones for the CA.
      Status: failure ? 'FAILED' : 'PENDING_VALIDATION',
      ...(failure ? { FailureReason: failure } : {}),
      Type: ca ? 'PRIVATE' : 'AMAZON_ISSUED',
      ...(ca ? { CertificateAuthorityArn: ca } : {}),
      KeyAlgorithm: 'RSA_2048',
      SignatureAlgorithm: 'SHA256WITHRSA',
      Subject: `CN=${domainName}`,
      CreatedAt: now,
      RenewalEligibility: 'INELIGIBLE',
    });
    if (!ca) this.dns.set(arn, { recordsAt: now.getTime() + this.env.timing.validationRecordDelayMs, validatedAt: new Map() });
    this.tags.set(arn, Object.fromEntries((input.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
    if (token) this.tokens.set(token, { arn, at: this.env.now() });
    return { CertificateArn: arn };
  }

  private requireCertificate(arn: string | undefined): CertificateDetail {
    if (!ARN_PATTERN.test(arn ?? '')) throw awsError(InvalidArnException, 'json', 'InvalidArnException', `String '${arn}' is not a valid ARN`); // approximated
    const cert = this.certificate(arn!);
    if (!cert) throw awsError(ResourceNotFoundException, 'json', 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
    return cert;
  }

  private deleteCertificate(input: DeleteCertificateCommandInput): object {
    const cert = this.requireCertificate(input.CertificateArn);
    if (cert.InUseBy?.length) {
      throw awsError(ResourceInUseException, 'json', 'ResourceInUseException', `Certificate ${cert.CertificateArn} in use by ${cert.InUseBy.join(', ')}`); // approximated
    }
    this.certs.delete(cert.CertificateArn!);
    this.tags.delete(cert.CertificateArn!);
    this.dns.delete(cert.CertificateArn!);
    return {};
  }

  private addTags(input: AddTagsToCertificateCommandInput): object {
    const cert = this.requireCertificate(input.CertificateArn);
    const tags = this.tags.get(cert.CertificateArn!) ?? {};
    for (const t of input.Tags ?? []) tags[t.Key!] = t.Value ?? '';
    this.tags.set(cert.CertificateArn!, tags);
    return {};
  }

  private listTags(input: ListTagsForCertificateCommandInput): Out<ListTagsForCertificateCommandOutput> {
    const cert = this.requireCertificate(input.CertificateArn);
    return { Tags: Object.entries(this.tags.get(cert.CertificateArn!) ?? {}).map(([Key, Value]) => ({ Key, Value })) };
  }

  throttle(): Error {
    return awsError(ThrottlingException, 'json', 'ThrottlingException', 'Rate exceeded');
  }

  private describeCertificate(input: DescribeCertificateCommandInput): Out<DescribeCertificateCommandOutput> {
    const arn = input.CertificateArn ?? '';
    if (!ARN_PATTERN.test(arn)) {
      // Wording approximated.
      throw awsError(InvalidArnException, 'json', 'InvalidArnException', `String '${arn}' is not a valid ARN`);
    }
    const cert = this.certificate(arn);
    if (!cert) throw awsError(ResourceNotFoundException, 'json', 'ResourceNotFoundException', `Could not find certificate ${arn}.`);
    return { Certificate: cert };
  }

  private listCertificates(input: ListCertificatesCommandInput): Out<ListCertificatesCommandOutput> {
    const max = input.MaxItems ?? 1000;
    if (max < 1 || max > 1000) {
      throw unmodelledError(ACMServiceException, 'json', 'ValidationException',
        `1 validation error detected: Value '${max}' at 'maxItems' failed to satisfy constraint: Member must have value less than or equal to 1000`);
    }
    const statuses = input.CertificateStatuses;
    const all = [...this.certs.keys()]
      .map((arn) => this.certificate(arn)!)
      .filter((c) => !statuses?.length || statuses.includes(c.Status!));
    const { items, next } = page(all, input.NextToken, max);
    return { CertificateSummaryList: items.map(summary), NextToken: next };
  }
}

function summary(c: CertificateDetail): CertificateSummary {
  return {
    CertificateArn: c.CertificateArn,
    DomainName: c.DomainName,
    SubjectAlternativeNameSummaries: c.SubjectAlternativeNames,
    HasAdditionalSubjectAlternativeNames: false,
    Status: c.Status,
    Type: c.Type,
    KeyAlgorithm: c.KeyAlgorithm,
    InUse: (c.InUseBy ?? []).length > 0,
    RenewalEligibility: c.RenewalEligibility,
    NotBefore: c.NotBefore,
    NotAfter: c.NotAfter,
    CreatedAt: c.CreatedAt,
    IssuedAt: c.IssuedAt,
  };
}
