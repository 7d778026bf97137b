import { alarmPrefix } from '../alarms/desired';
import { parseClusterArn } from '../arn';
import type { ClusterConfig, Config } from '../config/schema';
import { FOLLOW_UP_SCHEDULE_PREFIX } from '../follow-up';
import { loadBalancersOf, managesCertificates, resolveCluster, type ResolvedCluster } from '../listeners';
import { MANAGED_BY, TAG_CLUSTER, TAG_MANAGED_BY, TAG_RETIRED_AT, targetGroupPrefix } from '../naming';


// The IAM statements of the two Lambda roles, derived from the config at package time. Every
// action the code calls is listed by name, and every resource the config names is spelled out.
// A `*` resource is used only where the Service Authorization Reference lists no resource type
// for the action; each such statement says so in its Sid and in the comment above it.

/** A value CloudFormation resolves: a literal ARN, an Fn::Sub with the stack's pseudo parameters, or another resource's ARN. */
export type PolicyValue = string | { 'Fn::Sub': string } | { 'Fn::GetAtt': [string, string] };

export interface Statement {
  Sid: string;
  Effect: 'Allow';
  Action: string[];
  Resource: PolicyValue[];
  Condition?: Record<string, Record<string, PolicyValue | PolicyValue[]>>;
}

export interface ResyncRoleOptions {
  /** ARN of the function's log group (serverless creates it), without the `:*` suffix. */
  logGroupArn: string | { 'Fn::Sub': string };
  /** Set when the function runs in a VPC (--param subnetIds / securityGroupIds). */
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  /** The FIFO queue the function consumes (its SQS event source). */
  queueArn?: PolicyValue;
  /** The role EventBridge Scheduler uses for follow-up messages (shared/follow-up.ts). */
  followUpRoleArn?: PolicyValue;
  /** The per-cluster lease table shared with the CLI (shared/lease). */
  leaseTableArn?: PolicyValue;
}

export interface NotifyRoleOptions {
  logGroupArn: string | { 'Fn::Sub': string };
  /** SSM parameter holding the webhook URL (a SecureString), if any. */
  webhookParameter?: string;
  /** Customer managed KMS key of that parameter; the AWS managed aws/ssm key needs no grant. */
  webhookKeyArn?: string;
}

const unique = <T>(values: T[]): T[] => [...new Set(values)];

function arnParts(cluster: ClusterConfig) {
  const { partition, region, accountId, clusterName } = parseClusterArn(cluster.clusterArn);
  return { partition, region, accountId, clusterName };
}

/** `arn:aws:elasticloadbalancing:eu-west-1:123:loadbalancer/net/name/id` -> its listeners' ARN pattern. */
export function listenersOf(loadBalancerArn: string): string {
  return `${loadBalancerArn.replace(':loadbalancer/net/', ':listener/net/')}/*`;
}

/** `arn:<partition>:elasticloadbalancing:<region>:<account>` of a load balancer. */
export function elbBase(loadBalancerArn: string): string {
  return loadBalancerArn.slice(0, loadBalancerArn.indexOf(':loadbalancer/'));
}

function targetGroupsOf(cluster: ResolvedCluster): string[] {
  const { clusterName } = arnParts(cluster);
  return unique(cluster.mapped.map((l) => `${elbBase(l.loadBalancerArn)}:targetgroup/${targetGroupPrefix(cluster.clusterArn, clusterName)}*`));
}

function logStatement(logGroupArn: string | { 'Fn::Sub': string }): Statement {
  const streams = typeof logGroupArn === 'string' ? `${logGroupArn}:*` : { 'Fn::Sub': `${logGroupArn['Fn::Sub']}:*` };
  return { Sid: 'OwnLogGroup', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: [streams] };
}

export function resyncStatements(config: Config, options: ResyncRoleOptions): Statement[] {
  const clusters = config.clusters.map(resolveCluster);
  // Every client listener of every cluster: its load balancer, zone, domain and certificate.
  const listeners = clusters.flatMap((c) => c.mapped.map((l) => ({ ...l, cluster: c })));
  const kafkaClusters = clusters.filter((c) => c.advertisedListeners !== 'none');
  const configClusters = clusters.filter((c) => c.advertisedListeners === 'msk-configuration');
  // A resource the tool made (or adopted) for one of the configured clusters, by its tags.
  const taggedForTheseClusters = { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY, [`aws:ResourceTag/${TAG_CLUSTER}`]: unique(clusters.map((c) => c.clusterArn)) };
  /** `arn:<partition>:<service>:<region>:<account>` of each account and region the clusters live in. */
  const accountsOf = (list: ClusterConfig[], service: string) =>
    unique(list.map((c) => {
      const { partition, region, accountId } = arnParts(c);
      return `arn:${partition}:${service}:${region}:${accountId}`;
    }));

  const statements: Statement[] = [
    logStatement(options.logGroupArn),
    // What Lambda's SQS event source does with the function's role (AWSLambdaSQSQueueExecutionRole, on one queue).
    ...(options.queueArn
      ? [{ Sid: 'ResyncQueue', Effect: 'Allow' as const, Action: ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes'], Resource: [options.queueArn] }]
      : []),
    ...(options.leaseTableArn
      ? [{ Sid: 'ClusterLease', Effect: 'Allow' as const, Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'], Resource: [options.leaseTableArn] }]
      : []),
    { Sid: 'MskClusters', Effect: 'Allow', Action: ['kafka:DescribeClusterV2', 'kafka:ListNodes'], Resource: clusters.map((c) => c.clusterArn) },
    // DescribeClusterOperationV2 (and GetBootstrapBrokers, below) have no resource type in the
    // Service Authorization Reference: they can only be granted on "*". Both are reads.
    {
      Sid: 'MskOperationsNoResourceType',
      Effect: 'Allow',
      Action: ['kafka:DescribeClusterOperationV2', ...(kafkaClusters.length ? ['kafka:GetBootstrapBrokers'] : [])],
      Resource: ['*'],
    },
  ];
  if (kafkaClusters.length) {
    // The admin connection: IAM auth to the brokers, read and replace per-broker advertised.listeners.
    statements.push({
      Sid: 'KafkaAdmin',
      Effect: 'Allow',
      Action: ['kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration', 'kafka-cluster:AlterClusterDynamicConfiguration'],
      Resource: kafkaClusters.map((c) => c.clusterArn),
    });
  }
  if (configClusters.length) {
    // The cluster's current MSK configuration is whatever the cluster runs, so it cannot be named in
    // advance: its account and region are. Configurations the tool creates are named msk-custom-domain-<cluster>.
    const anyConfiguration = accountsOf(configClusters, 'kafka').map((base) => `${base}:configuration/*`);
    statements.push(
      {
        Sid: 'MskConfigurationRevisions',
        Effect: 'Allow',
        Action: ['kafka:DescribeConfiguration', 'kafka:DescribeConfigurationRevision', 'kafka:ListConfigurationRevisions', 'kafka:UpdateConfiguration'],
        Resource: anyConfiguration,
      },
      // Before a change: who else runs the configuration, whether the tool's dedicated one exists.
      // ListClustersV2 and ListConfigurations have no resource type (Service Authorization Reference).
      { Sid: 'MskConfigurationUsersNoResourceType', Effect: 'Allow', Action: ['kafka:ListClustersV2', 'kafka:ListConfigurations'], Resource: ['*'] },
      // Whether a configuration update happened since the tool's last revision (flip-flop guard).
      { Sid: 'MskConfigurationUpdates', Effect: 'Allow', Action: ['kafka:ListClusterOperationsV2'], Resource: configClusters.map((c) => c.clusterArn) },
      {
        Sid: 'MskCreateConfiguration',
        Effect: 'Allow',
        Action: ['kafka:CreateConfiguration'],
        Resource: accountsOf(configClusters, 'kafka').map((base) => `${base}:configuration/msk-custom-domain-*`),
      },
      // UpdateClusterConfiguration needs both the cluster and the configuration resource.
      { Sid: 'MskApplyConfiguration', Effect: 'Allow', Action: ['kafka:UpdateClusterConfiguration'], Resource: [...configClusters.map((c) => c.clusterArn), ...anyConfiguration] },
    );
  }
  statements.push(
    // ELBv2 Describe* actions have no resource type: "*" is the only possible resource.
    {
      Sid: 'ElbDescribeNoResourceType',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:DescribeLoadBalancers', 'elasticloadbalancing:DescribeListeners', 'elasticloadbalancing:DescribeTargetGroups',
        'elasticloadbalancing:DescribeTargetHealth', 'elasticloadbalancing:DescribeTags', 'elasticloadbalancing:DescribeTargetGroupAttributes',
        // `check` reads whether target groups that inherit cross-zone get it from the load balancer.
        'elasticloadbalancing:DescribeLoadBalancerAttributes',
      ],
      Resource: ['*'],
    },
    // The data path: the NLB's VPC CIDRs (targets outside it need AZ all) and its security groups,
    // and a VPC endpoint named as record target with its endpoint service; its preconditions: the
    // subnets of the brokers and the NLB (AZs, CIDRs) and the brokers' security groups.
    // EC2 Describe* actions support no resource-level permissions.
    // Observe reads the rules of the NLB's groups (to find the tool's own) whether or not loadBalancerIngress is set.
    {
      Sid: 'Ec2DescribeNoResourceType',
      Effect: 'Allow',
      Action: [
        'ec2:DescribeVpcs', 'ec2:DescribeSubnets', 'ec2:DescribeSecurityGroups', 'ec2:DescribeSecurityGroupRules',
        ...(listeners.some((l) => l.recordTarget?.vpcEndpointId) ? ['ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcEndpointServiceConfigurations'] : []),
      ],
      Resource: ['*'],
    },
    // Every NLB a listener names: its own and those of its brokerLoadBalancers ranges.
    { Sid: 'ElbCreateListener', Effect: 'Allow', Action: ['elasticloadbalancing:CreateListener'], Resource: unique(listeners.flatMap(loadBalancersOf)) },
    {
      // Only listeners the tool created (tagged managed-by): a foreign listener on the same NLB stays untouchable.
      Sid: 'ElbOwnListeners',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:ModifyListener'],
      Resource: unique(listeners.flatMap((l) => loadBalancersOf(l).map(listenersOf))),
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY } },
    },
    {
      // Deleted wherever it is (a listener left on an NLB the config no longer names, when the
      // cluster moved), but only one tagged as the tool's for one of these clusters.
      Sid: 'ElbDeleteOwnListeners',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:DeleteListener'],
      Resource: unique(listeners.map((l) => `${elbBase(l.loadBalancerArn)}:listener/*`)),
      Condition: { StringEquals: taggedForTheseClusters },
    },
    {
      Sid: 'ElbOwnTargetGroups',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:CreateTargetGroup', 'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets',
      ],
      Resource: unique(clusters.flatMap(targetGroupsOf)),
    },
    {
      // Target groups taken over by `adopt` keep their names (found by their tags, not the mcd-
      // prefix): changed only while tagged as the tool's for one of these clusters.
      Sid: 'ElbAdoptedTargetGroups',
      Effect: 'Allow',
      Action: [
        'elasticloadbalancing:DeleteTargetGroup', 'elasticloadbalancing:ModifyTargetGroupAttributes', 'elasticloadbalancing:ModifyTargetGroup',
        'elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets',
      ],
      Resource: unique(listeners.flatMap((l) => loadBalancersOf(l).map((arn) => `${elbBase(arn)}:targetgroup/*`))),
      Condition: { StringEquals: taggedForTheseClusters },
    },
    {
      // One tag outside a create request: the time a move's old listener stopped being named
      // (plan/moves.ts), on a listener tagged as the tool's for one of these clusters, wherever it is
      // (an NLB the cluster moved off), and no other key (aws:TagKeys), so ownership tags stay unwritable.
      Sid: 'ElbRetireOwnListeners',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: unique(listeners.map((l) => `${elbBase(l.loadBalancerArn)}:listener/*`)),
      Condition: {
        StringEquals: taggedForTheseClusters,
        'ForAllValues:StringEquals': { 'aws:TagKeys': [TAG_RETIRED_AT] },
      },
    },
    {
      // Tags are only written as part of CreateListener / CreateTargetGroup (the ownership tags),
      // which the two statements above scope; so the account's listeners and the tool's target
      // group names suffice here, and 50 clusters' ARNs are not listed twice.
      Sid: 'ElbTagOnCreate',
      Effect: 'Allow',
      Action: ['elasticloadbalancing:AddTags'],
      Resource: unique(listeners.flatMap((l) => [`${elbBase(l.loadBalancerArn)}:listener/net/*`, `${elbBase(l.loadBalancerArn)}:targetgroup/mcd-*`])),
      Condition: { StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateListener', 'CreateTargetGroup'] } },
    },
  );
  // A zone reached through a role of another account is written with that role's credentials:
  // this role gets no Route 53 rights on it, only the AssumeRole (docs/permissions.md "A hosted zone of another account": what that role needs).
  const ownZoneListeners = listeners.filter((l) => !l.hostedZoneRole);
  const zones = unique(ownZoneListeners.map((l) => `arn:${arnParts(l.cluster).partition}:route53:::hostedzone/${l.hostedZoneId}`));
  const roles = unique(listeners.flatMap((l) => (l.hostedZoneRole ? [l.hostedZoneRole.roleArn] : [])));
  if (roles.length) statements.push({ Sid: 'AssumeHostedZoneRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: roles });
  if (zones.length) statements.push(
    {
      // Names under the configured domains only, and only the record types the tool writes. One
      // statement for all zones: Route 53 itself refuses a name that is not inside the zone.
      // ListResourceRecordSets shares it: a ForAllValues condition on a key the request does not
      // carry holds, so the reads are limited to the zones alone.
      Sid: 'Route53OwnZonesAndNames',
      Effect: 'Allow',
      Action: ['route53:GetHostedZone', 'route53:ListResourceRecordSets', 'route53:ChangeResourceRecordSets'],
      Resource: zones,
      Condition: {
        'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': unique(ownZoneListeners.map((l) => `*.${l.domain}`)) },
        'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'CNAME', 'TXT'] },
      },
    },
    // Change ids are only known once a change is submitted.
    { Sid: 'Route53Changes', Effect: 'Allow', Action: ['route53:GetChange'], Resource: unique(ownZoneListeners.map((l) => arnParts(l.cluster).partition)).map((p) => `arn:${p}:route53:::change/*`) },
  );
  statements.push(
    ...acmStatements(listeners),
    {
      // DescribeAlarms is called with AlarmNamePrefix, not alarm names: IAM authorizes it against
      // the account's alarms, so only the account and region can be named.
      Sid: 'CloudWatchListAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:DescribeAlarms'],
      Resource: accountsOf(clusters, 'cloudwatch').map((base) => `${base}:alarm:*`),
    },
    {
      // TagResource: PutMetricAlarm with Tags (the alarms carry informational tags) needs it.
      Sid: 'CloudWatchOwnAlarms',
      Effect: 'Allow',
      Action: ['cloudwatch:PutMetricAlarm', 'cloudwatch:DeleteAlarms', 'cloudwatch:TagResource'],
      Resource: unique(clusters.map((c) => {
        const { partition, region, accountId, clusterName } = arnParts(c);
        return `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:${alarmPrefix(clusterName, c.clusterArn)}*`;
      })),
    },
  );
  if (options.followUpRoleArn) {
    statements.push(
      {
        // One-time schedules under the tool's prefix, in the stack's account and region.
        Sid: 'FollowUpSchedules',
        Effect: 'Allow',
        Action: ['scheduler:CreateSchedule'],
        Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:scheduler:\${AWS::Region}:\${AWS::AccountId}:schedule/default/${FOLLOW_UP_SCHEDULE_PREFIX}*` }],
      },
      // Is a follow-up pending already (one chain per cluster)? A List action: granted on "*" (unverified
      // whether the Service Authorization Reference gives ListSchedules a resource type).
      { Sid: 'FollowUpSchedulesPending', Effect: 'Allow', Action: ['scheduler:ListSchedules'], Resource: ['*'] },
      {
        Sid: 'FollowUpRoleToSchedulerOnly',
        Effect: 'Allow',
        Action: ['iam:PassRole'],
        Resource: [options.followUpRoleArn],
        Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      },
    );
  }
  const ingressListeners = listeners.filter((l) => l.loadBalancerIngress);
  if (ingressListeners.length) {
    const ec2Base = (l: { cluster: ClusterConfig }) => {
      const { partition, region, accountId } = arnParts(l.cluster);
      return `arn:${partition}:ec2:${region}:${accountId}`;
    };
    statements.push(
      {
        // Only the security groups the config names for the tool's rule; modifying or revoking a rule also names the rule.
        Sid: 'IngressOwnRule',
        Effect: 'Allow',
        Action: ['ec2:AuthorizeSecurityGroupIngress', 'ec2:ModifySecurityGroupRules', 'ec2:RevokeSecurityGroupIngress'],
        Resource: unique(ingressListeners.flatMap((l) => [`${ec2Base(l)}:security-group/${l.loadBalancerIngress!.securityGroupId}`, `${ec2Base(l)}:security-group-rule/*`])),
      },
      {
        // The ownership tags, only as part of creating the rule.
        Sid: 'IngressTagOnCreate',
        Effect: 'Allow',
        Action: ['ec2:CreateTags'],
        Resource: unique(ingressListeners.map((l) => `${ec2Base(l)}:security-group-rule/*`)),
        Condition: { StringEquals: { 'ec2:CreateAction': 'AuthorizeSecurityGroupIngress' } },
      },
    );
  }
  if (options.vpc) statements.push(...vpcStatements(options.vpc));
  return statements;
}

/** EventBridge Scheduler's role for follow-ups: it may only put messages into the resync queue. */
/**
 * ACM: DescribeCertificate on the fixed certificates; in managed mode (certificateAuthorityArn,
 * certificateValidation) the tool's own certificates, scoped as the Service Authorization Reference
 * allows: RequestCertificate only from the configured CAs (acm:CertificateAuthority) or, public, with
 * DNS validation only (acm:ValidationMethod; its CNAMEs fall under the Route 53 statement's names), for names under the listeners' domains
 * (acm:DomainNames) and with the tool's tag (aws:RequestTag); DeleteCertificate only of
 * certificates tagged as the tool's for these clusters (aws:ResourceTag). Finding them needs
 * ListCertificates (no resource type: `*`) and tag reads of the account's candidates.
 */
function acmStatements(listeners: (ResolvedCluster['mapped'][number] & { cluster: ResolvedCluster })[]): Statement[] {
  const fixed = unique(listeners.flatMap((l) => (l.certificateArn ? [l.certificateArn] : [])));
  const managed = listeners.filter(managesCertificates);
  const statements: Statement[] = fixed.length ? [{ Sid: 'AcmCertificates', Effect: 'Allow', Action: ['acm:DescribeCertificate'], Resource: fixed }] : [];
  if (!managed.length) return statements;
  const certificates = unique(managed.map((l) => `${elbBase(l.loadBalancerArn).replace(':elasticloadbalancing:', ':acm:')}:certificate/*`));
  const privately = managed.filter((l) => l.certificateAuthorityArn);
  const publicly = managed.filter((l) => l.certificateValidation === 'dns');
  const authorities = unique(privately.map((l) => l.certificateAuthorityArn!));
  const clusterArns = unique(managed.map((l) => l.cluster.clusterArn));
  const requestTag = { [`aws:RequestTag/${TAG_MANAGED_BY}`]: MANAGED_BY };
  const domains = (of: typeof managed) => ({ 'ForAllValues:StringLike': { 'acm:DomainNames': unique(of.map((l) => `*.${l.domain}`)) } });
  statements.push(
    // The SAR lists no resource type for ListCertificates.
    { Sid: 'AcmListCertificatesAnyResource', Effect: 'Allow', Action: ['acm:ListCertificates'], Resource: ['*'] },
    { Sid: 'AcmReadCandidates', Effect: 'Allow', Action: ['acm:DescribeCertificate', 'acm:ListTagsForCertificate'], Resource: certificates },
  );
  // The certificate has no ARN before the request: ACM's API permissions table gives RequestCertificate `*`.
  if (privately.length) {
    statements.push({
      Sid: 'AcmRequestOwnPrivateCertificatesAnyResource',
      Effect: 'Allow',
      Action: ['acm:RequestCertificate'],
      Resource: ['*'],
      Condition: { StringEquals: requestTag, ArnEquals: { 'acm:CertificateAuthority': authorities }, ...domains(privately) },
    });
  }
  if (publicly.length) {
    // Public certificates: DNS validation only (acm:ValidationMethod), and never from a CA (Null: the key is absent).
    statements.push({
      Sid: 'AcmRequestOwnPublicCertificatesAnyResource',
      Effect: 'Allow',
      Action: ['acm:RequestCertificate'],
      Resource: ['*'],
      Condition: { StringEquals: { ...requestTag, 'acm:ValidationMethod': 'DNS' }, Null: { 'acm:CertificateAuthority': 'true' }, ...domains(publicly) },
    });
  }
  statements.push(
    // RequestCertificate with Tags tags the new certificate: only with the tool's tag.
    { Sid: 'AcmTagOwnCertificates', Effect: 'Allow', Action: ['acm:AddTagsToCertificate'], Resource: certificates, Condition: { StringEquals: requestTag } },
    {
      Sid: 'AcmDeleteOwnCertificates',
      Effect: 'Allow',
      Action: ['acm:DeleteCertificate'],
      Resource: certificates,
      Condition: { StringEquals: { [`aws:ResourceTag/${TAG_MANAGED_BY}`]: MANAGED_BY, [`aws:ResourceTag/${TAG_CLUSTER}`]: clusterArns } },
    },
  );
  // ACM asks the CA to sign on the caller's behalf (unverified whether ACM checks these on the caller; harmless if not).
  if (authorities.length) statements.push({ Sid: 'PrivateCaIssue', Effect: 'Allow', Action: ['acm-pca:IssueCertificate', 'acm-pca:GetCertificate'], Resource: authorities });
  return statements;
}

export function followUpStatements(queueArn: PolicyValue): Statement[] {
  return [{ Sid: 'SendToResyncQueue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [queueArn] }];
}

/**
 * What Lambda needs to attach the function to the VPC (AWSLambdaVPCAccessExecutionRole), with the
 * network interface creation limited to the given subnets and security groups.
 */
function vpcStatements(vpc: { subnetIds: string[]; securityGroupIds: string[] }): Statement[] {
  const ec2 = (resource: string): PolicyValue => ({ 'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${resource}` });
  return [
    {
      Sid: 'VpcNetworkInterfaces',
      Effect: 'Allow',
      Action: ['ec2:CreateNetworkInterface', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
      Resource: [ec2('network-interface/*'), ...vpc.subnetIds.map((id) => ec2(`subnet/${id}`)), ...vpc.securityGroupIds.map((id) => ec2(`security-group/${id}`))],
    },
    // DescribeNetworkInterfaces and DescribeSubnets have no resource type (AWSLambdaVPCAccessExecutionRole lists both).
    { Sid: 'VpcDescribeNoResourceType', Effect: 'Allow', Action: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'], Resource: ['*'] },
  ];
}

/** The notify function parses untrusted SNS input: it may log, and read its webhook parameter. */
export function notifyStatements(options: NotifyRoleOptions): Statement[] {
  const statements = [logStatement(options.logGroupArn)];
  if (options.webhookParameter) {
    const name = options.webhookParameter.replace(/^\//, '');
    statements.push({
      Sid: 'WebhookParameter',
      Effect: 'Allow',
      // @middy/ssm reads parameters with GetParameters (batched), WithDecryption.
      Action: ['ssm:GetParameters'],
      Resource: [{ 'Fn::Sub': `arn:\${AWS::Partition}:ssm:\${AWS::Region}:\${AWS::AccountId}:parameter/${name}` }],
    });
  }
  if (options.webhookKeyArn) {
    statements.push({
      Sid: 'WebhookParameterKey',
      Effect: 'Allow',
      Action: ['kms:Decrypt'],
      Resource: [options.webhookKeyArn],
      Condition: { StringEquals: { 'kms:ViaService': { 'Fn::Sub': 'ssm.${AWS::Region}.amazonaws.com' } } },
    });
  }
  return statements;
}
