// Domain types shared by observe, desired, plan and apply. Plain data only.

/** A broker as MSK reports it (ListNodes). `clientIp` is absent until the broker exists. */
export interface Broker {
  id: number;
  clientIp?: string;
  /** AWS-native broker host name, e.g. b-1.mycluster.abc123.c2.kafka.us-east-1.amazonaws.com */
  endpoint?: string;
  clientSubnet?: string;
}

export type ClusterState =
  | 'ACTIVE' | 'CREATING' | 'DELETING' | 'FAILED' | 'HEALING' | 'MAINTENANCE' | 'REBOOTING_BROKER' | 'UPDATING';

export interface ObservedCluster {
  arn: string;
  name: string;
  region: string;
  state: ClusterState | string;
  clusterType: 'PROVISIONED' | 'SERVERLESS' | string;
  kafkaVersion?: string;
  instanceType?: string;
  enhancedMonitoring?: string;
  numberOfBrokerNodes?: number;
  configurationArn?: string;
  configurationRevision?: number;
  /** Needed by UpdateClusterConfiguration (optimistic locking). */
  currentVersion?: string;
  brokers: Broker[];
  /** Which client listeners the cluster has (DescribeClusterV2); undefined when it does not say. */
  clientListeners?: { iam: boolean; scram: boolean; tls: boolean };
  /** Ids of brokers an UpdateBrokerCount in progress is creating (from the active operation). */
  announcedBrokerIds?: number[];
  /** ConnectivityInfo.PublicAccess.Type: `DISABLED` or `SERVICE_PROVIDED_EIPS`; undefined when not reported. */
  publicAccess?: string;
  /** The brokers' security groups (BrokerNodeGroupInfo.SecurityGroups). */
  securityGroupIds?: string[];
  /** The brokers' client subnets (BrokerNodeGroupInfo.ClientSubnets). */
  clientSubnets?: string[];
}

/** A subnet as EC2 describes it: its Availability Zone decides which NLB node can reach an address in it. */
export interface ObservedSubnet {
  id: string;
  zone: string;
  cidr: string;
}


export interface LoadBalancer {
  arn: string;
  dnsName: string;
  canonicalHostedZoneId: string;
  vpcId: string;
  type: string;
  /** An NLB with security groups admits only what their ingress rules allow (empty: no groups). */
  securityGroupIds: string[];
  /** Availability Zones with a node of the load balancer. */
  zones: string[];
  /** Its subnets, one per zone: the nodes' private addresses are in them. */
  subnetIds?: string[];
}

/** What the data path outside ELBv2 looks like: the load balancer's VPC and security groups. */
export interface ObservedVpc {
  id: string;
  /** CIDR blocks of the VPC: IP targets outside them need AvailabilityZone `all`. */
  cidrs: string[];
}

/** One ingress permission of a security group: TCP ports (or every protocol) from some sources. */
export interface IngressPermission {
  protocol: string;
  fromPort?: number;
  toPort?: number;
  sources: string[];
}

/** An ingress rule of the security group `loadBalancerIngress` names. */
export interface ObservedIngressRule {
  id: string;
  groupId: string;
  protocol: string;
  fromPort: number;
  toPort: number;
  /** CIDR or security group id. */
  source: string;
  /** Tagged as this tool's rule for this cluster: the only kind it changes. */
  owned: boolean;
  /** The rule's tags (the listener it serves, among others). */
  tags: Record<string, string>;
}

export interface ObservedSecurityGroup {
  id: string;
  ingress: IngressPermission[];
}

export type Tags = Record<string, string>;

export interface ObservedListener {
  arn: string;
  port: number;
  protocol: string;
  certificateArns: string[];
  sslPolicy?: string;
  /** Target group of the default forward action, when there is exactly one. */
  targetGroupArn?: string;
  tags: Tags;
}

export interface ObservedTarget {
  ip: string;
  port: number;
  state?: string;
}

export interface ObservedTargetGroup {
  arn: string;
  name: string;
  port: number;
  protocol: string;
  vpcId?: string;
  loadBalancerArns: string[];
  targets: ObservedTarget[];
  tags: Tags;
  /** Target-group attributes, e.g. load_balancing.cross_zone.enabled. */
  attributes: Record<string, string>;
  healthCheck: HealthCheck;
}

/** How the NLB decides a target is healthy: a new target takes interval x healthyThreshold. */
export interface HealthCheck {
  protocol: string;
  intervalSeconds: number;
  timeoutSeconds: number;
  healthyThreshold: number;
  unhealthyThreshold: number;
}

export interface AliasTarget {
  dnsName: string;
  hostedZoneId: string;
  evaluateTargetHealth?: boolean;
}

/** A Route 53 record set, names fully qualified with a trailing dot, lower case. */
export interface RecordSet {
  name: string;
  type: 'A' | 'CNAME' | 'TXT' | string;
  ttl?: number;
  values?: string[];
  alias?: AliasTarget;
}

/**
 * What the managed names point at: the load balancer, or a VPC endpoint in front of it (PrivateLink
 * clients). Without hostedZoneId no alias record is possible, only a CNAME.
 */
export interface RecordTarget {
  kind: 'load-balancer' | 'vpc-endpoint';
  dnsName: string;
  hostedZoneId?: string;
}

export interface Certificate {
  arn: string;
  domainName: string;
  subjectAlternativeNames: string[];
  status?: string;
  /** The ACM Private CA that signed it (private certificates only). */
  authorityArn?: string;
  /** ARNs of the load balancers using it (ACM's InUseBy). */
  inUseBy?: string[];
  /** Why ACM could not issue it (FAILED), e.g. PCA_INVALID_STATE. */
  failureReason?: string;
  /** ACM's Type: AMAZON_ISSUED (public), PRIVATE, IMPORTED. */
  type?: string;
  /**
   * A public certificate validated through DNS: the CNAME per name ACM looks for (DomainValidationOptions;
   * ACM adds them a moment after the request, so some may be missing yet).
   */
  validationRecords?: ValidationRecord[];
}

/** One CNAME ACM asks for to validate one name of a certificate (the same for every certificate of that name in the account). */
export interface ValidationRecord {
  domainName: string;
  name: string;
  value: string;
}

/** A certificate the tool requested (managed mode), recognised by its tags: one block of one listener's names. */
export interface OwnedCertificate extends Certificate {
  /** The listener its tags name (MappedListener.id). */
  listenerId?: string;
  block: number;
}
