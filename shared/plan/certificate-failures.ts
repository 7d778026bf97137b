// What to do when ACM could not issue one of the tool's certificates, by ACM's FailureReason (ACM
// API reference, CertificateDetail.FailureReason): said in apply's error and in the plan's conflict.

const FIXES: Record<string, string> = {
  // A private CA (certificateAuthorityArn).
  PCA_INVALID_STATE: 'the private CA is not ACTIVE (disabled, expired or pending): enable it',
  PCA_RESOURCE_NOT_FOUND: 'certificateAuthorityArn names no private CA: correct it',
  PCA_ACCESS_DENIED: 'the private CA does not let this account issue: share it (AWS RAM) or grant it a resource policy',
  PCA_INVALID_ARN: 'certificateAuthorityArn is not a valid CA ARN',
  PCA_LIMIT_EXCEEDED: 'the private CA reached its certificate quota',
  PCA_REQUEST_FAILED: 'the private CA failed the request: retry, or see its CloudTrail events',
  // A public certificate (certificateValidation: dns).
  CAA_ERROR: 'a CAA record of the domain or a parent does not allow Amazon to issue: add one for amazon.com (ACM guide, "Optional: Configure a CAA record")',
  INVALID_PUBLIC_DOMAIN: 'the domain is not a public domain ACM can issue for: use certificateAuthorityArn (private certificates) instead',
  DOMAIN_NOT_ALLOWED: 'ACM will not issue for this domain: ask AWS Support, or use certificateAuthorityArn',
  ADDITIONAL_VERIFICATION_REQUIRED: 'ACM needs more information before it issues for this domain: contact AWS Support',
  DOMAIN_VALIDATION_DENIED: 'ACM will not issue for this domain: ask AWS Support, or use certificateAuthorityArn',
};

/** `REASON: what to do`, for a certificate ACM marked FAILED. */
export function failureFix(reason: string | undefined): string {
  return `${reason ?? 'no reason given'}: ${FIXES[reason ?? ''] ?? "see the certificate's FailureReason in ACM"}`;
}
