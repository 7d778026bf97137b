import * as z from '../zod';

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
  /** Overrides of the new-connection-per-second quota, by instance type ("default" applies to unknown types). */
  connectionCreationRateQuotas: z._default(z.record(z.string(), z.number().check(z.positive())), {}),
  /** Skip the ConnectionCreationRate alarm when enhanced monitoring is below PER_BROKER. */
  skipCreationRateWithoutPerBrokerMonitoring: z._default(z.boolean(), false),
  /** Also alarm as soon as IAMTooManyConnections > 0. */
  tooManyConnectsAlarm: z._default(z.boolean(), true),
  /** SNS topic for ALARM and OK notifications; the deployed stack passes its own. */
  snsTopicArn: z.optional(matching(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN')),
});

export const clusterConfigSchema = z.strictObject({
  clusterArn,
  domain,
  hostedZoneId: z.pipe(
    // Any id form (emulators make theirs without the Z); observe proves the zone exists and holds `domain`.
    matching(/^(\/hostedzone\/)?[A-Za-z0-9]+$/, 'must be a Route 53 hosted zone id like Z0123456789ABC'),
    z.transform((id: string) => id.replace(/^\/hostedzone\//, '')),
  ),
  // The ARN's type segment is not proof (emulators write app/ for NLBs): observe checks the load balancer's Type.
  loadBalancerArn: matching(
    /^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/[a-z]+\/[^/]+\/[^/]+$/,
    'must be a load balancer ARN like arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/my-nlb/0123456789abcdef',
  ),
  /** TLS policy of the listeners: TLS 1.2 and 1.3 only by default (ELBv2's own default still allows TLS 1.0). */
  sslPolicy: z._default(matching(/^ELBSecurityPolicy-/, 'must be an ELBv2 security policy name like ELBSecurityPolicy-TLS13-1-2-2021-06'), 'ELBSecurityPolicy-TLS13-1-2-2021-06'),
  certificateArn: matching(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\//, 'must be an ACM certificate ARN'),
  authentication: z._default(z.enum(['iam', 'scram', 'tls']), 'iam'),
  bootstrapPort: z._default(port, 9000),
  brokerPortBase: z._default(port, 9000),
  scaleIn: z._default(z.enum(['delete', 'keep']), 'delete'),
  recordType: z._default(z.enum(['alias', 'cname']), 'alias'),
  /** TTL of CNAME and registry TXT records (alias records have none). */
  recordTtl: z._default(z.int().check(z.minimum(0), z.maximum(2147483647)), 60),
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
  brokerHostTemplate: z._default(matching(/^[a-z0-9-]*\{id\}[a-z0-9-]*$/, 'must be a DNS label containing {id}, like b-{id}'), 'b-{id}'),
  bootstrapHost: z._default(matching(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a single DNS label, like bootstrap'), 'bootstrap'),
  alarms: z._default(alarmsSchema, () => alarmsSchema.parse({})),
  /**
   * Opt-in: keep one ingress rule (TCP, bootstrap port through the highest broker port, from
   * `source`) in this security group of the NLB in step with the listeners. Tagged as the tool's;
   * other rules of the group are never touched.
   */
  loadBalancerIngress: z.optional(
    z.strictObject({
      securityGroupId: matching(/^sg-[0-9a-f]+$/, 'must be a security group id of the load balancer, like sg-0123456789abcdef0'),
      source: matching(
        /^(sg-[0-9a-f]+|(\d{1,3}\.){3}\d{1,3}\/\d{1,2})$/,
        'must be the clients: an IPv4 CIDR like 10.0.0.0/8, or a security group id like sg-0123456789abcdef0',
      ),
    }),
  ),
});

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
export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type Config = z.output<typeof configSchema>;
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
