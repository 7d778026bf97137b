// Managed mode: the certificates this tool requested for a cluster, found without reading every
// certificate's tags. ListCertificates pages through the account's certificates (1,000 a page);
// only those whose subject is under the domain of one of the cluster's managed listeners have their
// tags read, and only those tagged as this cluster's are described. Nothing else is ever touched.
import {
  DescribeCertificateCommand,
  ListCertificatesCommand,
  ListTagsForCertificateCommand,
  type ACMClient,
  type CertificateSummary,
  type DomainValidation,
} from '@aws-sdk/client-acm';
import pLimit from 'p-limit';
import { ConfigError } from '../errors';
import { loadBalancersOf, managesCertificates, type ResolvedCluster } from '../listeners';
import { ownedCertificateBlock } from '../naming';
import type { ObservedState } from '../state';
import type { Certificate, OwnedCertificate, ValidationRecord } from '../types';
import { observeCertificate } from './acm';

/** ACM's reads are rate-limited per account: a handful at a time is plenty for a few blocks. */
const ACM_READS_IN_FLIGHT = 4;

export function hasManagedListeners(config: ResolvedCluster): boolean {
  return config.mapped.some(managesCertificates);
}

/**
 * Read before any write: a role without the managed-mode ACM permissions fails here, with the
 * permissions to add, and nothing was changed.
 */
export async function observeOwnCertificates(acm: ACMClient, config: ResolvedCluster): Promise<OwnedCertificate[]> {
  if (!hasManagedListeners(config)) return [];
  try {
    return await readOwnCertificates(acm, config);
  } catch (error) {
    if ((error as Error).name !== 'AccessDeniedException') throw error;
    throw new ConfigError(
      `managed certificates (${[...new Set(config.mapped.flatMap((l) => (l.certificateAuthorityArn ? ['certificateAuthorityArn'] : l.certificateValidation ? ['certificateValidation'] : [])))].join(', ')}) need ACM permissions this role lacks (${(error as Error).message}): acm:ListCertificates, acm:ListTagsForCertificate, acm:DescribeCertificate, acm:RequestCertificate, acm:AddTagsToCertificate and acm:DeleteCertificate ` +
        '(the deployed stack derives them from the config: redeploy it with this config; docs/certificates.md lists the statements); nothing was changed',
      { cause: error },
    );
  }
}

async function readOwnCertificates(acm: ACMClient, config: ResolvedCluster): Promise<OwnedCertificate[]> {
  const subject = subjectMatcher(config);
  const summaries: CertificateSummary[] = [];
  let token: string | undefined;
  do {
    // ListCertificates lists RSA_2048 certificates unless told otherwise: what RequestCertificate makes by default.
    const out = await acm.send(new ListCertificatesCommand({ MaxItems: 1000, NextToken: token }));
    summaries.push(...(out.CertificateSummaryList ?? []).filter((s) => s.CertificateArn && s.DomainName && subject(s.DomainName)));
    token = out.NextToken;
  } while (token);
  const limit = pLimit(ACM_READS_IN_FLIGHT);
  const owned = await Promise.all(
    summaries.map((s) =>
      limit(async () => {
        const tags = await acm.send(new ListTagsForCertificateCommand({ CertificateArn: s.CertificateArn }));
        const block = ownedCertificateBlock(Object.fromEntries((tags.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])), config.clusterArn);
        return block ? { arn: s.CertificateArn!, ...block } : undefined;
      }),
    ),
  );
  return Promise.all(
    owned.flatMap((o) => (o ? [o] : [])).map((o) =>
      limit(async (): Promise<OwnedCertificate> => {
        const cert = (await acm.send(new DescribeCertificateCommand({ CertificateArn: o.arn }))).Certificate;
        return {
          arn: o.arn,
          domainName: cert?.DomainName ?? '',
          subjectAlternativeNames: cert?.SubjectAlternativeNames ?? [],
          status: cert?.Status,
          authorityArn: cert?.CertificateAuthorityArn,
          inUseBy: cert?.InUseBy ?? [],
          failureReason: cert?.FailureReason,
          type: cert?.Type,
          validationRecords: validationRecordsOf(cert?.DomainValidationOptions),
          listenerId: o.listenerId,
          block: o.block,
        };
      }),
    ),
  );
}

/**
 * What managed listeners present that is not ours (an adopted listener's certificate, one a person
 * set): read so the planner keeps it while it covers the name. Unreadable ones are left out (and
 * then replaced by a block certificate, which covers the name for sure).
 */
export async function observePresentedCertificates(acm: ACMClient, config: ResolvedCluster, observed: ObservedState): Promise<Certificate[]> {
  // Every NLB a managed listener uses, its brokerLoadBalancers too.
  const managedLbs = new Set(config.mapped.filter(managesCertificates).flatMap(loadBalancersOf));
  const known = new Set([...(observed.ownCertificates ?? []), ...(observed.certificates ?? [])].map((c) => c.arn));
  const presented = [...new Set(observed.loadBalancers.filter((s) => managedLbs.has(s.loadBalancer.arn)).flatMap((s) => s.listeners.flatMap((l) => l.certificateArns.slice(0, 1))))];
  const toRead = presented.filter((arn) => !known.has(arn) && /^arn:aws[a-z-]*:acm:/.test(arn));
  const limit = pLimit(ACM_READS_IN_FLIGHT);
  const read = await Promise.allSettled(toRead.map((arn) => limit(() => observeCertificate(acm, arn))));
  return read.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
}

/**
 * True for a subject under a managed listener's domain: what a block certificate of the cluster has,
 * whatever name template made it (a certificate of names since renamed is still found, and deleted
 * once no listener presents it).
 */
function subjectMatcher(config: ResolvedCluster): (name: string) => boolean {
  const domains = [...new Set(config.mapped.filter(managesCertificates).map((l) => l.domain.toLowerCase()))];
  return (name) => {
    const n = name.toLowerCase().replace(/\.$/, '');
    return domains.some((d) => n === d || n.endsWith(`.${d}`));
  };
}

/** The DNS validation CNAMEs ACM lists so far (it adds them a moment after the request). */
export function validationRecordsOf(options: DomainValidation[] | undefined): ValidationRecord[] | undefined {
  const records = (options ?? []).flatMap((o) =>
    o.ValidationMethod === 'DNS' && o.ResourceRecord?.Name && o.ResourceRecord.Value ? [{ domainName: o.DomainName!, name: o.ResourceRecord.Name, value: o.ResourceRecord.Value }] : [],
  );
  return options?.length ? records : undefined;
}
