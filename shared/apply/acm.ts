// ACM in managed mode: request a private certificate and wait until it is ISSUED, delete one no
// listener presents any more. Only certificates the plan found by their tags (or requested) reach here.
import { DeleteCertificateCommand, DescribeCertificateCommand, RequestCertificateCommand, type ACMClient } from '@aws-sdk/client-acm';
import type { Clock } from '../clock';
import { pollUntil, type FollowOptions } from '../follow';
import type { Action, CertificateRef } from '../plan/types';
import { validationRecordsOf } from '../observe/certificates';
import type { ValidationRecord } from '../types';
import { failureFix } from '../plan/certificate-failures';
import { refusedWith } from './confirm';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** ARNs of certificates requested earlier in this apply, by CertificateRef name. */
export type CreatedCertificates = Map<string, string>;

/**
 * A private certificate needs no validation: ACM has the CA sign it at once ("issued in seconds",
 * ACM guide, private certificates). A minute of 2 s polls is ample; a certificate that is still not
 * ISSUED after it leaves its listeners to the next run.
 */
export const DEFAULT_CERTIFICATE_WAIT: FollowOptions = { pollSeconds: 2, maxSeconds: 60 };

/**
 * A public certificate's validation CNAMEs: ACM lists them "several seconds" after the request
 * (RequestCertificate API reference: "there is a delay of several seconds before you can retrieve
 * information about the new certificate"). Half a minute of 2 s polls; what is still missing then
 * is written by a later run (plan/validation-records.ts).
 */
export const DEFAULT_VALIDATION_RECORDS_WAIT: FollowOptions = { pollSeconds: 2, maxSeconds: 30 };

/** Writes a public certificate's validation CNAMEs in the request's zone (index.ts: through the zone's role, owned like other names). */
export type PublishValidationRecords = (action: Of<'request-certificate'>, arn: string, records: ValidationRecord[]) => Promise<void>;

export function resolveCertificate(ref: CertificateRef, created: CreatedCertificates): string {
  const arn = ref.arn ?? created.get(ref.name);
  if (!arn) throw new Error(`certificate ${ref.name} was neither found nor requested`);
  return arn;
}

export async function requestCertificate(
  acm: ACMClient,
  action: Of<'request-certificate'>,
  created: CreatedCertificates,
  wait: FollowOptions,
  clock: Clock,
  publish: PublishValidationRecords,
): Promise<string> {
  let arn: string;
  try {
    const out = await acm.send(
      new RequestCertificateCommand({
        DomainName: action.domainName,
        SubjectAlternativeNames: action.subjectAlternativeNames.length ? action.subjectAlternativeNames : undefined,
        CertificateAuthorityArn: action.certificateAuthorityArn,
        ValidationMethod: action.validation ? 'DNS' : undefined,
        IdempotencyToken: action.idempotencyToken,
        Tags: Object.entries(action.tags).map(([Key, Value]) => ({ Key, Value })),
      }),
    );
    arn = out.CertificateArn!;
  } catch (error) {
    if (refusedWith(error, 'LimitExceeded')) {
      const names = 1 + action.subjectAlternativeNames.length;
      throw new Error(
        `ACM refused a certificate of ${names} names (${(error as Error).message}): lower certificates.namesPerCertificate to the account's ACM quota "Domain names per ACM certificate" (10 by default), or ask AWS to raise it`,
        { cause: error },
      );
    }
    if (refusedWith(error, 'AccessDenied')) {
      const what = action.validation
        ? 'a public certificate validated through DNS (the role needs acm:RequestCertificate with ValidationMethod DNS, names under the listener\'s domain and the tool\'s tag'
        : `a certificate from ${action.certificateAuthorityArn} (the role needs acm:RequestCertificate with that CA, names under the listener's domain and the tool's tag, and the CA must let this account issue`;
      throw new Error(`ACM refused to request ${what}: ${(error as Error).message}; docs/certificates.md, Permissions)`, { cause: error });
    }
    throw error;
  }
  created.set(action.name, arn);
  if (!action.validation) {
    await untilIssued(acm, arn, wait, clock);
    return arn;
  }
  // Public: its listeners wait for ACM's validation across runs; what this apply can do is put the records ACM asks for in place now.
  const names = new Set([action.domainName, ...action.subjectAlternativeNames]).size;
  const { value: records } = await pollUntil(() => readValidationRecords(acm, arn), (r) => r.length >= names, DEFAULT_VALIDATION_RECORDS_WAIT, clock);
  if (records.length) await publish(action, arn, records);
  return arn;
}

async function readValidationRecords(acm: ACMClient, arn: string): Promise<ValidationRecord[]> {
  try {
    const cert = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
    return validationRecordsOf(cert?.DomainValidationOptions) ?? [];
  } catch (error) {
    if (refusedWith(error, 'ResourceNotFound')) return []; // ACM's reads lag the request by seconds
    throw error;
  }
}

export async function awaitCertificate(acm: ACMClient, action: Of<'await-certificate'>, wait: FollowOptions, clock: Clock): Promise<void> {
  await untilIssued(acm, action.certificate.arn, wait, clock);
}

/**
 * Polls until ISSUED. FAILED names ACM's reason and the fix; a certificate ACM does not know yet
 * (its reads are eventually consistent right after the request) counts as pending.
 */
async function untilIssued(acm: ACMClient, arn: string, wait: FollowOptions, clock: Clock): Promise<void> {
  const read = async () => {
    try {
      const cert = (await acm.send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate;
      return { status: cert?.Status ?? 'UNKNOWN', reason: cert?.FailureReason };
    } catch (error) {
      if (refusedWith(error, 'ResourceNotFound')) return { status: 'NOT_VISIBLE_YET', reason: undefined };
      throw error;
    }
  };
  const { value } = await pollUntil(read, (v) => v.status !== 'PENDING_VALIDATION' && v.status !== 'NOT_VISIBLE_YET', wait, clock);
  if (value.status === 'ISSUED') return;
  if (value.status === 'FAILED') {
    throw new Error(`certificate ${arn} FAILED (${failureFix(value.reason)}); the next run deletes it and requests another, its endpoints waiting meanwhile`);
  }
  throw new Error(`certificate ${arn} is ${value.status} after ${wait.maxSeconds} s, not ISSUED: its listeners wait for the next run`);
}


/**
 * Deleted only when no listener presents it; ACM refuses one still in use with
 * ResourceInUseException (its InUseBy can lag a listener change): then it stays for the next run,
 * said in `deferred`, not a failure. Already gone counts as done.
 */
export async function deleteCertificate(acm: ACMClient, action: Of<'delete-certificate'>): Promise<string | undefined> {
  try {
    await acm.send(new DeleteCertificateCommand({ CertificateArn: action.arn }));
    return undefined;
  } catch (error) {
    if (refusedWith(error, 'ResourceNotFound')) return undefined;
    if (refusedWith(error, 'ResourceInUse')) return `certificate ${action.arn} is still in use (ACM's InUseBy can lag a listener change): deleted by a later run`;
    throw error;
  }
}
