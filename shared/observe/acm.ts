import { DescribeCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import type { Certificate } from '../types';

export async function observeCertificate(acm: ACMClient, arn: string): Promise<Certificate> {
  const out = await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }));
  const cert = out.Certificate;
  return {
    arn,
    domainName: cert?.DomainName ?? '',
    subjectAlternativeNames: cert?.SubjectAlternativeNames ?? [],
    status: cert?.Status,
  };
}
