// ACM: just enough to look certificates up (the controller checks that the certificate
// covers the broker names) and to let ELBv2 refuse unknown certificates.
import {
  ACMServiceException,
  InvalidArnException,
  ResourceNotFoundException,
  ThrottlingException,
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

export class AcmModel {
  private readonly certs = new Map<string, CertificateDetail>();

  /** `inUseBy` answers which load balancers use a certificate (ACM's InUseBy). */
  constructor(private readonly env: Env, private readonly inUseBy: (certificateArn: string) => string[]) {}

  readonly handlers: Handlers = {
    DescribeCertificateCommand: (i) => this.describeCertificate(i),
    ListCertificatesCommand: (i) => this.listCertificates(i),
  };

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
    return cert && clone({ ...cert, InUseBy: this.inUseBy(arn) });
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
