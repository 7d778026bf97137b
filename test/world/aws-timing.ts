// AWS's clock, as its documentation (and the people who measured it) give it. Every delay the
// embedded world imposes comes from here, so the figures the stories print are figures a user
// would see; a scenario may override any of them (e.g. the 300 s registration users report).

export interface AwsTiming {
  /**
   * From RegisterTargets until the target's first health check. NLB guide, "Register targets":
   * "It can take a few minutes for the registration process to complete and health checks to
   * start" (about 120 s measured, awsdocs/elb-network-load-balancers-user-guide#11); the
   * aws-load-balancer-controller maintainers put NLB IP targets at 90-180 s before health checks
   * begin (kubernetes-sigs/aws-load-balancer-controller#1834, #1786): the top of that range.
   */
  registrationDelayMs: number;
  /**
   * After a target is deregistered (or replaced), the NLB keeps sending some new connections to
   * it for about this long (aws/containers-roadmap#470: "about 75 seconds" of stale routing after
   * a target or listener change).
   */
  staleRoutingMs: number;
  /**
   * "The connection idle timeout for TLS listeners is 350 seconds and can't be modified" (NLB
   * guide, "Update the idle timeout"); "If a client or a target sends data after the idle timeout
   * period elapses, it receives a TCP RST packet".
   */
  tlsIdleTimeoutMs: number;
  /**
   * An API call reaches EventBridge as "AWS API Call via CloudTrail" after CloudTrail recorded it:
   * best effort (EventBridge user guide, "Event delivery from AWS services"), typically about 5
   * minutes (CloudTrail FAQ, "typically delivers … within an average of about 5 minutes").
   */
  cloudTrailDelayMs: number;
  /**
   * A private certificate (RequestCertificate with CertificateAuthorityArn) needs no validation; ACM
   * has the CA sign it at once. The issue's "issued in seconds"; ACM's guide gives no figure: modelled.
   */
  privateCertificateIssueMs: number;
  /**
   * From RequestCertificate of a public (DNS-validated) certificate until DescribeCertificate shows
   * each name's validation CNAME (ResourceRecord); before, DomainValidationOptions lists the names
   * without it. AWS documents no figure: modelled, 10 s. Users report seconds: 5 s of sleep sufficed
   * in aws/aws-sdk-js#2133 ("I could not access this record unless I wait for some delay"), about
   * 20 s sometimes did not in dylburger/create-and-validate-acm-certificate#11. The terraform aws
   * provider polls for it after RequestCertificate: "Maximum amount of time for ACM Certificate
   * asynchronous DNS validation record assignment", 5 minutes (certificateDNSValidationAssignmentTimeout,
   * hashicorp/terraform-provider-aws internal/service/acm/certificate.go).
   */
  validationRecordDelayMs: number;
  /**
   * From the moment public DNS answers a name's validation CNAME until ACM has validated the name
   * (and, the last name validated, issued the certificate). ACM User Guide, "DNS validation"
   * (https://docs.aws.amazon.com/acm/latest/userguide/dns-validation.html, as archived in
   * awsdocs/aws-certificate-user-guide doc_source/dns-validation.md), after creating the record in
   * Route 53: "your new certificate may still display a status of Pending validation for up to 30
   * minutes": the top of that range, as for registrationDelayMs. (With another DNS provider "it can
   * take several hours", same page.)
   */
  dnsValidationMs: number;
}

export const AWS_TIMING: Readonly<AwsTiming> = {
  registrationDelayMs: 180_000,
  staleRoutingMs: 75_000,
  tlsIdleTimeoutMs: 350_000,
  cloudTrailDelayMs: 300_000,
  privateCertificateIssueMs: 5_000,
  validationRecordDelayMs: 10_000,
  dnsValidationMs: 30 * 60_000,
};

export function awsTiming(overrides: Partial<AwsTiming> = {}): AwsTiming {
  return { ...AWS_TIMING, ...overrides };
}
