import * as z from '../zod';
import { listenerConfigProblems } from '../listeners';

// The config file format is a user-facing contract: keep field names stable.

const clusterArn = z.string().check(
  z.regex(
    /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+$/,
    'must be an MSK cluster ARN like arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abcd1234-...',
  ),
);

const port = z.int().check(z.minimum(1), z.maximum(65535));

const domain = z.pipe(
  z.pipe(z.string(), z.transform((d: string) => d.toLowerCase().replace(/\.$/, ''))),
  z.string().check(z.regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a DNS domain like kafka.example.com')),
);

/** A string that must match `pattern`; `message` names the expected shape. */
const matching = (pattern: RegExp, message: string) => z.string().check(z.regex(pattern, message));

export const alarmsSchema = z.strictObject({
  enabled: z._default(z.boolean(), true),
  /** Alarm at this share of each quota. */
  thresholdPercent: z._default(z.number().check(z.gt(0), z.lte(100)), 80),
  /** Per-broker TCP connection quota for IAM auth. */
  connectionQuota: z._default(z.int().check(z.positive()), 3000),
  /**
   * What the connection alarm watches. `ClientConnectionCount` (default): the broker's authenticated
   * client connections of one authentication (clientAuthentication), what the IAM quota counts.
   * `ConnectionCount`, opt-in: every connection, inter-broker and unauthenticated ones included.
   */
  connectionMetric: z._default(z.enum(['ClientConnectionCount', 'ConnectionCount']), 'ClientConnectionCount'),
  /** The `Client Authentication` dimension value of ClientConnectionCount that the IAM quota counts. */
  clientAuthentication: z._default(z.string().check(z.minLength(1)), 'IAM'),
  /** Overrides of the new-connection-per-second quota, by instance type ("default" applies to unknown types). */
  connectionCreationRateQuotas: z._default(z.record(z.string(), z.number().check(z.positive())), {}),
  /** Skip the ConnectionCreationRate alarm when enhanced monitoring is below PER_BROKER. */
  skipCreationRateWithoutPerBrokerMonitoring: z._default(z.boolean(), false),
  /** Also alarm as soon as IAMTooManyConnections > 0. */
  tooManyConnectsAlarm: z._default(z.boolean(), true),
  /** SNS topic for ALARM and OK notifications; the deployed stack passes its own. */
  snsTopicArn: z.optional(matching(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')),
});

/**
 * Issue 9, clients elsewhere: where the names point when not at the load balancer itself. A VPC
 * endpoint of this account is read by id (validated: available, its service fronts the configured
 * NLB); an endpoint elsewhere is named by its DNS name (alias only with that name's hosted zone id).
 */
export const recordTargetSchema = z
  .strictObject({
    vpcEndpointId: z.optional(matching(/^vpce-[0-9a-f]+$/, 'must be a VPC endpoint id like vpce-0123456789abcdef0')),
    vpcEndpointDnsName: z.optional(domain),
    /** The HostedZoneId of that DNS entry (describe-vpc-endpoints shows it): needed for an alias record. */
    hostedZoneId: z.optional(matching(/^[A-Za-z0-9]+$/, 'must be the hosted zone id of the endpoint DNS entry, like Z7HUB22UULQXV')),
  })
  .check(
    z.superRefine((t, ctx) => {
      if (!t.vpcEndpointId === !t.vpcEndpointDnsName) {
        ctx.addIssue({ code: 'custom', message: 'name one endpoint: vpcEndpointId (an endpoint of this account) or vpcEndpointDnsName (an endpoint elsewhere)' });
      } else if (t.vpcEndpointId && t.hostedZoneId) {
        ctx.addIssue({ code: 'custom', path: ['hostedZoneId'], message: 'only with vpcEndpointDnsName: an endpoint read by id brings its own' });
      }
    }),
  );

/** A hosted zone in another account, reached through a role there; the same TXT ownership rules apply. */
export const hostedZoneRoleSchema = z.strictObject({
  roleArn: matching(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]+$/, 'must be an IAM role ARN like arn:aws:iam::210987654321:role/msk-custom-domain-dns'),
  /** Required by the role's trust policy when the account owner asked for one (confused-deputy protection). */
  externalId: z.optional(matching(/^[\w+=,.@:\/-]{2,1224}$/, 'must be 2-1224 characters of letters, digits and +=,.@:/-')),
});

/** Client authentications an NLB can front (mutual TLS reaches no broker through a TLS listener, but is allowed with a warning). */
export const AUTHENTICATIONS = ['iam', 'scram', 'tls', 'iam-public', 'scram-public', 'tls-public'] as const;

const hostTemplate = matching(/^[a-z0-9-]*\{id\}[a-z0-9-]*$/, 'must be a DNS label containing {id}, like b-{id}');
const hostLabel = matching(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a single DNS label, like bootstrap');
const hostedZoneId = z.pipe(
  // Any id form (emulators make theirs without the Z); observe proves the zone exists and holds `domain`.
  matching(/^(\/hostedzone\/)?[A-Za-z0-9]+$/, 'must be a Route 53 hosted zone id like Z0123456789ABC'),
  z.transform((id: string) => id.replace(/^\/hostedzone\//, '')),
);
// The ARN's type segment is not proof (emulators write app/ for NLBs): observe checks the load balancer's Type.
const loadBalancerArn = matching(
  /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/[a-z]+\/[^/]+\/[^/]+$/,
  'must be a load balancer ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef',
);
const certificateArn = matching(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\//, 'must be an ACM certificate ARN');
/** An ACM Private CA: the tool then keeps ACM private certificates for the names it publishes (docs/certificates.md). */
const certificateAuthorityArn = matching(
  /^arn:aws[a-z-]*:acm-pca:[a-z0-9-]+:\d{12}:certificate-authority\/[\w-]+$/,
  'must be an ACM Private CA ARN like arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0123abcd-...',
);

/**
 * Limits of managed certificates (certificateAuthorityArn), as AWS's quotas set them by default.
 * Raise one only after AWS raised the quota for the account (docs/certificates.md).
 */
export const certificateLimitsSchema = z.strictObject({
  /**
   * Names per ACM certificate: 10 by default, up to 100 on request (ACM quotas,
   * https://docs.aws.amazon.com/acm/latest/userguide/acm-limits.html). It is also the size of a
   * certificate's block of broker ids (docs/certificates.md).
   */
  namesPerCertificate: z._default(z.int().check(z.minimum(2), z.maximum(100)), 10),
  /**
   * Certificates per Network Load Balancer: 25 by default, adjustable (NLB quotas,
   * https://docs.aws.amazon.com/elasticloadbalancing/latest/network/load-balancer-limits.html). The
   * page does not say whether a listener's default certificate counts (the ALB page excludes them):
   * counted here, the worse case.
   */
  certificatesPerLoadBalancer: z._default(z.int().check(z.minimum(1)), 25),
});
/**
 * Managed public certificates: ACM public certificates the tool requests for the names it publishes,
 * validated through DNS records it writes in the listener's (public) hosted zone (docs/certificates.md).
 */
const certificateValidation = z.enum(['dns']);
const sslPolicy = matching(/^ELBSecurityPolicy-/, 'must be an ELBv2 security policy name like ELBSecurityPolicy-TLS13-1-2-2021-06');
const recordType = z.enum(['alias', 'cname']);
const loadBalancerIngress = z.strictObject({
  securityGroupId: matching(/^sg-[0-9a-f]+$/, 'must be a security group id of the load balancer, like sg-0123456789abcdef0'),
  source: matching(
    /^(sg-[0-9a-f]+|(\d{1,3}\.){3}\d{1,3}\/\d{1,2})$/,
    'must be the clients: an IPv4 CIDR like 10.0.0.0/8, or a security group id like sg-0123456789abcdef0',
  ),
});

/**
 * Issue 18: brokers of one client listener on a further NLB (an NLB has at most 50 listeners). By
 * broker id, so a broker never moves because another joined: ids firstBrokerId..lastBrokerId
 * (unset: every higher id) go to this NLB; ids no entry covers stay on the listener's own
 * loadBalancerArn, which also carries the bootstrap.
 */
export const brokerLoadBalancerSchema = z
  .strictObject({
    loadBalancerArn,
    firstBrokerId: z.int().check(z.minimum(1)),
    lastBrokerId: z.optional(z.int().check(z.minimum(1))),
  })
  .check(
    z.superRefine((e, ctx) => {
      if (e.lastBrokerId !== undefined && e.lastBrokerId < e.firstBrokerId) {
        ctx.addIssue({ code: 'custom', path: ['lastBrokerId'], message: `must be at least firstBrokerId (${e.firstBrokerId})` });
      }
    }),
  );

/**
 * One client listener of the cluster behind one NLB. Unset fields take the cluster's value, so the
 * cluster-level fields are both the single-listener shorthand and the defaults of every listener.
 */
export const listenerConfigSchema = z.strictObject({
  authentication: z.enum(AUTHENTICATIONS),
  /** `bootstrap-only`: just the bootstrap listener and name; brokers keep their AWS names. */
  endpoints: z.optional(z.enum(['bootstrap-and-brokers', 'bootstrap-only'])),
  bootstrapPort: z.optional(port),
  brokerPortBase: z.optional(port),
  brokerHostTemplate: z.optional(hostTemplate),
  bootstrapHost: z.optional(hostLabel),
  loadBalancerArn: z.optional(loadBalancerArn),
  /** Brokers of this listener carried by further NLBs, by broker-id range. */
  brokerLoadBalancers: z.optional(z.array(brokerLoadBalancerSchema)),
  hostedZoneId: z.optional(hostedZoneId),
  domain: z.optional(domain),
  certificateArn: z.optional(certificateArn),
  /** Instead of certificateArn: the tool keeps private certificates from this CA for this listener's names. */
  certificateAuthorityArn: z.optional(certificateAuthorityArn),
  /** Instead of certificateArn: the tool keeps ACM public certificates for this listener's names, validated through DNS in its public zone. */
  certificateValidation: z.optional(certificateValidation),
  sslPolicy: z.optional(sslPolicy),
  recordType: z.optional(recordType),
  loadBalancerIngress: z.optional(loadBalancerIngress),
  recordTarget: z.optional(recordTargetSchema),
  hostedZoneRole: z.optional(hostedZoneRoleSchema),
});

export const clusterConfigSchema = z.strictObject({
  clusterArn,
  domain,
  hostedZoneId,
  loadBalancerArn,
  /**
   * Brokers carried by further NLBs, by broker-id range (the bootstrap and every other broker stay on
   * loadBalancerArn): how a cluster grows past one NLB's 50 listeners. Listeners on loadBalancerArn inherit it.
   */
  brokerLoadBalancers: z.optional(z.array(brokerLoadBalancerSchema)),
  /** TLS policy of the listeners: TLS 1.2 and 1.3 only by default (ELBv2's own default still allows TLS 1.0). */
  sslPolicy: z._default(sslPolicy, 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
  /** The certificate every listener presents; or certificateAuthorityArn, or certificateValidation (exactly one of the three per listener). */
  certificateArn: z.optional(certificateArn),
  /** Managed certificates: ACM private certificates from this ACM Private CA, kept by the tool for the names it publishes. */
  certificateAuthorityArn: z.optional(certificateAuthorityArn),
  /** Managed public certificates (`dns`): ACM public certificates for the names it publishes, validated through DNS records the tool writes in the public hosted zone. */
  certificateValidation: z.optional(certificateValidation),
  certificates: z._default(certificateLimitsSchema, () => certificateLimitsSchema.parse({})),
  authentication: z._default(z.enum(AUTHENTICATIONS), 'iam'),
  endpoints: z._default(z.enum(['bootstrap-and-brokers', 'bootstrap-only']), 'bootstrap-and-brokers'),
  /** Several client listeners (IAM and SCRAM, internal and public NLBs); without it, the one the fields above describe. */
  listeners: z.optional(z.array(listenerConfigSchema).check(z.minLength(1, 'list at least one listener, or leave listeners out'))),
  bootstrapPort: z._default(port, 9000),
  brokerPortBase: z._default(port, 9000),
  scaleIn: z._default(z.enum(['delete', 'keep']), 'delete'),
  recordType: z._default(recordType, 'alias'),
  /** TTL of CNAME and registry TXT records (alias records have none). */
  recordTtl: z._default(z.int().check(z.minimum(0), z.maximum(2147483647)), 60),
  /** Where the names point; default: the load balancer. */
  recordTarget: z.optional(recordTargetSchema),
  /** Default: hostedZoneId is a zone of the function's own account. */
  hostedZoneRole: z.optional(hostedZoneRoleSchema),
  advertisedListeners: z._default(z.enum(['msk-configuration', 'dynamic-broker-config', 'none']), 'none'),
  /** Changing the MSK configuration restarts every broker: only with this set (or --allow-rolling-restart). */
  allowRollingRestart: z._default(z.boolean(), false),
  /**
   * msk-configuration mode, when the cluster's MSK configuration is also used by other clusters:
   * 'copy' gives this cluster a dedicated configuration (every property copied, then the change);
   * 'refuse' changes nothing and reports it.
   */
  sharedConfiguration: z._default(z.enum(['copy', 'refuse']), 'copy'),
  /** Host label of each broker, `{id}` replaced by the broker id. */
  brokerHostTemplate: z._default(hostTemplate, 'b-{id}'),
  bootstrapHost: z._default(hostLabel, 'bootstrap'),
  alarms: z._default(alarmsSchema, () => alarmsSchema.parse({})),
  /**
   * Opt-in: keep one ingress rule (TCP, bootstrap port through the highest broker port, from
   * `source`) in this security group of the NLB in step with the listeners. Tagged as the tool's;
   * other rules of the group are never touched.
   */
  loadBalancerIngress: z.optional(loadBalancerIngress),
}).check(
  z.superRefine((cluster, ctx) => {
    for (const problem of listenerConfigProblems(cluster as ClusterConfig)) {
      ctx.addIssue({ code: 'custom', path: problem.index === undefined ? [] : ['listeners', problem.index], message: problem.message });
    }
  }),
);

export const configSchema = z
  .strictObject({
    clusters: z.array(clusterConfigSchema).check(z.minLength(1, 'list at least one cluster')),
    /**
     * The deployment's lease table (its stack output LeaseTableName) and region: with it the CLI's
     * apply and restore take the same per-cluster lease as the deployed function.
     */
    lease: z.optional(z.strictObject({ table: matching(/^[A-Za-z0-9_.-]{3,255}$/, 'must be a DynamoDB table name'), region: matching(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must be an AWS region like eu-west-1') })),
  })
  .check(
    z.superRefine((config, ctx) => {
      const seen = new Set<string>();
      config.clusters.forEach((c, i) => {
        if (seen.has(c.clusterArn)) {
          ctx.addIssue({ code: 'custom', path: ['clusters', i, 'clusterArn'], message: 'this cluster is listed twice' });
        }
        seen.add(c.clusterArn);
      });
    }),
  );

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type CertificateLimits = z.output<typeof certificateLimitsSchema>;
export type BrokerLoadBalancerConfig = z.output<typeof brokerLoadBalancerSchema>;
export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type RecordTargetConfig = z.output<typeof recordTargetSchema>;
export type HostedZoneRole = z.output<typeof hostedZoneRoleSchema>;
export type Config = z.output<typeof configSchema>;
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
