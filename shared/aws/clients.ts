import { KafkaClient } from '@aws-sdk/client-kafka';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { Route53Client } from '@aws-sdk/client-route-53';
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { limitInFlight, SERVICE_CONCURRENCY, type LimitedService } from './concurrency';

/** Every AWS client the controller uses, for one region. The only place clients are built. */
export interface AwsClients {
  region: string;
  kafka: KafkaClient;
  elbv2: ElasticLoadBalancingV2Client;
  route53: Route53Client;
  acm: ACMClient;
  cloudwatch: CloudWatchClient;
  /** Read only: the load balancer's VPC and security groups (the data path). */
  ec2: EC2Client;
}

export interface AwsClientOptions {
  /** Calls in flight per service, replacing SERVICE_CONCURRENCY's figure (the benchmark lifts them). */
  concurrency?: Partial<Record<LimitedService, number>>;
}

/**
 * Builds the SDK v3 clients for a region. No endpoint is set here on purpose: the SDK itself
 * honours AWS_ENDPOINT_URL and AWS_ENDPOINT_URL_<SERVICE>, and retries throttling with its
 * standard retry strategy (adaptive mode smooths bursts against ELBv2's low write limits).
 * ELBv2, Route 53 and CloudWatch calls queue per service (concurrency.ts); MSK, ACM and EC2 get a
 * fixed handful of reads per run.
 */
export function createAwsClients(region: string, options: AwsClientOptions = {}): AwsClients {
  const common = { region, maxAttempts: 8, retryMode: 'adaptive' as const };
  const limit = { ...SERVICE_CONCURRENCY, ...options.concurrency };
  return {
    region,
    kafka: new KafkaClient(common),
    elbv2: limitInFlight(new ElasticLoadBalancingV2Client(common), limit.elbv2),
    route53: limitInFlight(new Route53Client(common), limit.route53),
    acm: new ACMClient(common),
    cloudwatch: limitInFlight(new CloudWatchClient(common), limit.cloudwatch),
    ec2: new EC2Client(common),
  };
}
