import { KafkaClient } from '@aws-sdk/client-kafka';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { AwsCredentialIdentityProvider, Logger as SdkLogger } from '@aws-sdk/types';
import { ConfigError, errorMessage } from '../errors';
import { nameHtmlAnswers } from './html-answers';
import { limitInFlight, SERVICE_CONCURRENCY, type LimitedService } from './concurrency';
import { AccountRateLimiter, limitRate } from './account-rate';
import { realClock, type Clock } from '../clock';

/** Every AWS client the controller uses, for one region. The only place clients are built. */
export interface AwsClients {
  region: string;
  kafka: KafkaClient;
  elbv2: ElasticLoadBalancingV2Client;
  route53: Route53Client;
  acm: ACMClient;
  cloudwatch: CloudWatchClient;
  /** Read only: the load balancer's VPC and security groups (the data path), VPC endpoints named as record targets. */
  ec2: EC2Client;
  /** AssumeRole only: for hosted zones of other accounts (zoneClient). */
  sts: STSClient;
}

export interface AwsClientOptions {
  /** Calls in flight per service, replacing SERVICE_CONCURRENCY's figure (the benchmark lifts them). */
  concurrency?: Partial<Record<LimitedService, number>>;
  /** A named profile of the shared config/credentials files (the CLI's --profile): the SDK's own credential chain reads it. */
  profile?: string;
  /** The SDK's per-call log (client, command, input, status): the CLI's --debug. */
  logger?: SdkLogger;
  /**
   * This share of the account's Route 53 and ELBv2 rates (account-rate.ts: fleetShare), for a
   * reconcile that runs beside others of the same deployment; `clock` keeps its buckets (default
   * real time). Unset: no rate of its own (the CLI, one reconcile at a time, relies on retry).
   */
  accountRate?: { share: number; clock?: Clock };
}

/**
 * Builds the SDK v3 clients for a region. No endpoint is set here on purpose: the SDK itself
 * honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, and retries throttling with its
 * standard retry strategy (adaptive mode smooths bursts against ELBv2's low write limits).
 * ELBv2, Route 53 and CloudWatch calls queue per service (concurrency.ts); MSK, ACM and EC2 get a
 * fixed handful of reads per run.
 */
export function createAwsClients(region: string, options: AwsClientOptions = {}): AwsClients {
  const common = {
    region,
    maxAttempts: 8,
    retryMode: 'adaptive' as const,
    ...(options.profile ? { profile: options.profile } : {}),
    ...(options.logger ? { logger: options.logger } : {}),
  };
  const limit = { ...SERVICE_CONCURRENCY, ...options.concurrency };
  const rate = accountRate(options.accountRate);
  const clients: AwsClients = {
    region,
    kafka: nameHtmlAnswers(new KafkaClient(common), 'kafka'),
    elbv2: rate.elbv2(limitInFlight(nameHtmlAnswers(new ElasticLoadBalancingV2Client(common), 'elbv2'), limit.elbv2)),
    route53: rate.route53(limitInFlight(nameHtmlAnswers(new Route53Client(common), 'route53'), limit.route53)),
    acm: nameHtmlAnswers(new ACMClient(common), 'acm'),
    cloudwatch: limitInFlight(nameHtmlAnswers(new CloudWatchClient(common), 'cloudwatch'), limit.cloudwatch),
    ec2: nameHtmlAnswers(new EC2Client(common), 'ec2'),
    sts: nameHtmlAnswers(new STSClient(common), 'sts'),
  };
  if (options.accountRate) accountRates.set(clients, options.accountRate);
  return clients;
}

/** Wrappers putting ELBv2 and Route 53 calls under one limiter (the same buckets for both clients' account); none without a share. */
function accountRate(options: AwsClientOptions['accountRate']) {
  if (!options) return { elbv2: <C>(c: C) => c, route53: <C>(c: C) => c };
  const limiter = new AccountRateLimiter(options.share, options.clock ?? realClock);
  return {
    elbv2: (c: ElasticLoadBalancingV2Client) => limitRate(c, 'elbv2', limiter),
    route53: (c: Route53Client) => limitRate(c, 'route53', limiter),
  };
}

/** The rate share clients were made with, for the zone clients of other accounts (zoneClient). */
const accountRates = new WeakMap<AwsClients, NonNullable<AwsClientOptions['accountRate']>>();

/** A role in the account of a hosted zone (config hostedZoneRole). */
export interface ZoneRole {
  roleArn: string;
  externalId?: string;
}

const zoneClients = new WeakMap<AwsClients, Map<string, Route53Client>>();

/**
 * The Route 53 client for a cluster's hosted zone: the function's own, or, for a zone of another
 * account, one signing with credentials of `role` there. Cached with `clients`, so warm runs reuse
 * the assumed credentials (the SDK renews them before they expire).
 */
export function zoneClient(clients: AwsClients, role: ZoneRole | undefined): Route53Client {
  if (!role) return clients.route53;
  let byRole = zoneClients.get(clients);
  if (!byRole) zoneClients.set(clients, (byRole = new Map()));
  const key = `${role.roleArn}|${role.externalId ?? ''}`;
  let client = byRole.get(key);
  if (!client) {
    // Route 53's request quota is per account: the other account's client gets a limit of its own.
    client = limitInFlight(new Route53Client({ region: clients.region, maxAttempts: 8, retryMode: 'adaptive', credentials: assumedRole(clients.sts, role) }), SERVICE_CONCURRENCY.route53);
    // That account's rate is shared by this deployment's reconciles too: the same share, buckets of its own.
    client = accountRate(accountRates.get(clients)).route53(client);
    byRole.set(key, client);
  }
  return client;
}

function assumedRole(sts: STSClient, role: ZoneRole): AwsCredentialIdentityProvider {
  return async () => {
    let out;
    try {
      out = await sts.send(new AssumeRoleCommand({ RoleArn: role.roleArn, ExternalId: role.externalId, RoleSessionName: 'msk-custom-domain-sync', DurationSeconds: 3600 }));
    } catch (error) {
      const denied = (error as Error).name === 'AccessDenied';
      const what = `cannot assume ${role.roleArn} ${role.externalId ? `with external id ${role.externalId}` : 'without an external id'} (hostedZoneRole)`;
      const fix = `its trust policy must let this function's role call sts:AssumeRole${role.externalId ? ' with that sts:ExternalId' : ''}, and the function's role must be allowed to assume it`;
      // Denied is a setup problem (the message says what to fix); anything else (throttling, network) is transient.
      throw denied ? new ConfigError(`${what}: ${errorMessage(error)}; ${fix}`, { cause: error }) : new Error(`${what}: ${errorMessage(error)}`, { cause: error });
    }
    const c = out.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey) throw new Error(`AssumeRole of ${role.roleArn} returned no credentials`);
    return { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, expiration: c.Expiration };
  };
}
