// ACM: certificates seeded by a test (as a person would import or request them), and private
// certificates requested from a modelled ACM Private CA (issued after a short delay on the world
// clock, FAILED when the CA is not ACTIVE), with tags, deletion refused while in use, and the
// names-per-certificate quota. ELBv2 asks it whether a certificate exists and is ISSUED.
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
  type CertificateSummary,
  type DescribeCertificateCommandInput,
  type DescribeCertificateCommandOutput,
  type ListCertificatesCommandInput,
  type ListCertificatesCommandOutput,
} from '@aws-sdk/client-acm';
import { awsError, clone, page, unmodelledError, type Env, type Handlers, type Out } from './common';

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

export class AcmModel {
  private readonly certs = new Map<string, CertificateDetail>();
  private readonly tags = new Map<string, Record<string, string>>();
  private readonly cas = new Map<string, PrivateCaStatus>();
  private readonly tokens = new Map<string, { arn: string; at: number }>();
  /** "Domain names per ACM certificate": 10 by default (ACM quotas). */
  nameQuota = 10;

  /** `inUseBy` answers which load balancers use a certificate (ACM's InUseBy). */
  constructor(private readonly env: Env, private readonly inUseBy: (certificateArn: string) => string[]) {}

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
    return clone({ ...cert, InUseBy: this.inUseBy(arn) });
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
    const { region, accountId, ids } = this.env;
    const arn = `arn:aws:acm:${region}:${accountId}:certificate/${ids.uuid()}`;
    const now = new Date(this.env.now());
    const ca = input.CertificateAuthorityArn;
    const caStatus = ca ? this.cas.get(ca) : undefined;
    const failure = ca && !caStatus ? 'PCA_RESOURCE_NOT_FOUND' : ca && caStatus !== 'ACTIVE' ? 'PCA_INVALID_STATE' : undefined;
    this.certs.set(arn, {
      CertificateArn: arn,
      DomainName: domainName,
      SubjectAlternativeNames: names,
      // Public certificates wait for DNS validation, which this world does not model.
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
