import { z } from 'zod';

// The config file format is a user-facing contract: keep field names stable.

const clusterArn = z
  .string()
  .regex(
    /^arn:aws[a-z-]*:kafka:[a-z0-9-]+:\d{12}:cluster\/[A-Za-z0-9-]+\/[A-Za-z0-9-]+$/,
    'must be an MSK cluster ARN like arn:aws:kafka:us-east-1:123456789012:cluster/my-cluster/abcd1234-...',
  );

const port = z.number().int().min(1).max(65535);

const domain = z
  .string()
  .transform((d) => d.toLowerCase().replace(/\.$/, ''))
  .pipe(z.string().regex(/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a DNS domain like kafka.example.com'));

export const alarmsSchema = z
  .object({
    enabled: z.boolean().default(true),
    /** Alarm at this share of each quota. */
    thresholdPercent: z.number().gt(0).lte(100).default(80),
    /** Per-broker TCP connection quota for IAM auth. */
    connectionQuota: z.number().int().positive().default(3000),
    /** Overrides of the new-connection-per-second quota, by instance type ("default" applies to unknown types). */
    connectionCreationRateQuotas: z.record(z.string(), z.number().positive()).default({}),
    /** Skip the ConnectionCreationRate alarm when enhanced monitoring is below PER_BROKER. */
    skipCreationRateWithoutPerBrokerMonitoring: z.boolean().default(false),
    /** Also alarm as soon as IAMTooManyConnections > 0. */
    tooManyConnectsAlarm: z.boolean().default(true),
    /** SNS topic for ALARM and OK notifications; the deployed stack passes its own. */
    snsTopicArn: z.string().regex(/^arn:aws[a-z-]*:sns:/, 'must be an SNS topic ARN').optional(),
  })
  .strict();

export const clusterConfigSchema = z
  .object({
    clusterArn,
    domain,
    hostedZoneId: z.string().regex(/^(\/hostedzone\/)?Z[A-Z0-9]+$/, 'must be a Route 53 hosted zone id like Z0123456789ABC').transform((id) => id.replace(/^\/hostedzone\//, '')),
    loadBalancerArn: z.string().regex(/^arn:aws[a-z-]*:elasticloadbalancing:[a-z0-9-]+:\d{12}:loadbalancer\/net\//, 'must be a Network Load Balancer ARN (…:loadbalancer/net/…)'),
    /** TLS policy of the listeners: TLS 1.2 and 1.3 only by default (ELBv2's own default still allows TLS 1.0). */
    sslPolicy: z.string().regex(/^ELBSecurityPolicy-/, 'must be an ELBv2 security policy name like ELBSecurityPolicy-TLS13-1-2-2021-06').default('ELBSecurityPolicy-TLS13-1-2-2021-06'),
    certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\//, 'must be an ACM certificate ARN'),
    authentication: z.enum(['iam', 'scram', 'tls']).default('iam'),
    bootstrapPort: port.default(9000),
    brokerPortBase: port.default(9000),
    scaleIn: z.enum(['delete', 'keep']).default('delete'),
    recordType: z.enum(['alias', 'cname']).default('alias'),
    /** TTL of CNAME and registry TXT records (alias records have none). */
    recordTtl: z.number().int().min(0).max(2147483647).default(60),
    advertisedListeners: z.enum(['msk-configuration', 'dynamic-broker-config', 'none']).default('none'),
    /** Changing the MSK configuration restarts every broker: only with this set (or --allow-rolling-restart). */
    allowRollingRestart: z.boolean().default(false),
    /** Host label of each broker, `{id}` replaced by the broker id. */
    brokerHostTemplate: z.string().regex(/^[a-z0-9-]*\{id\}[a-z0-9-]*$/, 'must be a DNS label containing {id}, like b-{id}').default('b-{id}'),
    bootstrapHost: z.string().regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, 'must be a single DNS label, like bootstrap').default('bootstrap'),
    alarms: alarmsSchema.default(() => alarmsSchema.parse({})),
  })
  .strict();

export const configSchema = z
  .object({
    clusters: z.array(clusterConfigSchema).min(1, 'list at least one cluster'),
  })
  .strict()
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.clusters.forEach((c, i) => {
      if (seen.has(c.clusterArn)) {
        ctx.addIssue({ code: 'custom', path: ['clusters', i, 'clusterArn'], message: 'this cluster is listed twice' });
      }
      seen.add(c.clusterArn);
    });
  });

export type ClusterConfig = z.output<typeof clusterConfigSchema>;
export type AlarmsConfig = z.output<typeof alarmsSchema>;
export type Config = z.output<typeof configSchema>;
export type ClusterConfigInput = z.input<typeof clusterConfigSchema>;
