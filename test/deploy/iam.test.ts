import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { alarmPrefix } from '../../shared/alarms/desired';
import { targetGroupPrefix } from '../../shared/naming';
import { clusterEntry, packageStack, root, type CfnTemplate, type Packaged } from './package-stack';

// Least privilege, read from the CloudFormation template that `serverless package` writes.

const CA = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0123abcd-0000-4000-8000-000000000001';
// With the tool's own ingress rule in the NLB's security group, names pointing at a VPC endpoint
// read by id, and a second (SCRAM) listener whose certificates the tool keeps (managed mode).
const orders = clusterEntry(1, {
  loadBalancerIngress: { securityGroupId: 'sg-0aaa1111bbbb2222c', source: '10.0.0.0/8' },
  recordTarget: { vpcEndpointId: 'vpce-0123456789abcdef0' },
  listeners: [{ authentication: 'iam' }, { authentication: 'scram', certificateAuthorityArn: CA, bootstrapPort: 9500, brokerPortBase: 9500, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 's-{id}' }],
});
const ZONE_ROLE = 'arn:aws:iam::210987654321:role/msk-custom-domain-dns';
// Another region, the mode that talks Kafka and changes the MSK configuration, and a hosted zone of another account.
const payments = clusterEntry(2, {
  hostedZoneRole: { roleArn: ZONE_ROLE, externalId: 'msk-payments' },
  clusterArn: 'arn:aws:kafka:eu-central-1:123456789012:cluster/payments/0a1b2c3d-0000-4c7a-9e51-0a1b2c3d0002-1',
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-central-1:123456789012:loadbalancer/net/msk-payments/00000000000000a2',
  certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/22222222-2222-3333-4444-555555555555',
  advertisedListeners: 'msk-configuration',
});
const WEBHOOK_PARAMETER = '/msk-custom-domain/webhook-url';
const PARAMS = { subnetIds: 'subnet-0aaa,subnet-0bbb', securityGroupIds: 'sg-0ccc', webhookParameter: WEBHOOK_PARAMETER };

/** Actions AWS lists with no resource type (Service Authorization Reference): "*" is the only resource they take. */
const NO_RESOURCE_TYPE = new Set([
  'kafka:DescribeClusterOperationV2',
  'kafka:GetBootstrapBrokers',
  'kafka:ListClustersV2',
  'kafka:ListConfigurations',
  'elasticloadbalancing:DescribeLoadBalancers',
  'elasticloadbalancing:DescribeListeners',
  'elasticloadbalancing:DescribeTargetGroups',
  'elasticloadbalancing:DescribeTargetHealth',
  'elasticloadbalancing:DescribeTags',
  'elasticloadbalancing:DescribeTargetGroupAttributes',
  'elasticloadbalancing:DescribeLoadBalancerAttributes',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'ec2:DescribeVpcs',
  'ec2:DescribeSecurityGroups',
  'ec2:DescribeSecurityGroupRules',
  'ec2:DescribeVpcEndpoints',
  'ec2:DescribeVpcEndpointServiceConfigurations',
  // Unverified: the Service Authorization Reference's resource type for it was not read (granted on "*").
  'scheduler:ListSchedules',
  'acm:ListCertificates',
  // A write, but the certificate has no ARN before the request (ACM's API permissions table gives "*"):
  // scoped by condition keys instead (CA, names, the tool's tag).
  'acm:RequestCertificate',
]);

/** Writes that can only be granted on "*", each scoped by conditions instead. */
const CONDITIONED_WRITES = new Set(['acm:RequestCertificate']);

interface Statement { Sid: string; Action: string[]; Resource: unknown[]; Condition?: Record<string, Record<string, unknown>> }

let packaged: Packaged;
let template: CfnTemplate;
const dirs: string[] = [];
beforeAll(() => {
  packaged = packageStack({ clusters: [orders, payments] }, PARAMS);
  dirs.push(packaged.dir);
  if (packaged.status !== 0) throw new Error(`packaging failed:\n${packaged.output}`);
  template = packaged.template();
}, 240_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const fn = (id: string) => template.Resources[id]!.Properties;

/** Every statement of a role: its managed policies, in order (and any inline policy, which there should be none of). */
function statementsOf(roleId: string): Statement[] {
  const role = template.Resources[roleId]!.Properties;
  expect(role.Policies ?? []).toEqual([]);
  return role.ManagedPolicyArns.flatMap((ref: { Ref: string }) => template.Resources[ref.Ref]!.Properties.PolicyDocument.Statement as Statement[]);
}

const actionsOf = (statements: Statement[]) => new Set(statements.flatMap((s) => s.Action));
const statementsFor = (statements: Statement[], action: string) => statements.filter((s) => s.Action.includes(action));
const resourcesFor = (statements: Statement[], action: string) => statementsFor(statements, action).flatMap((s) => s.Resource);
const isRead = (action: string) => /:(Describe|Get|List)/.test(action);

/**
 * The AWS API calls of the reconciler, read from its source: every `XCommand`, `paginateX` and
 * waiter imported from an @aws-sdk client under shared/ or handlers/resync.ts, as IAM action names.
 */
function actionsTheCodeCalls(): Set<string> {
  const prefixes: Record<string, string> = {
    'client-kafka': 'kafka',
    'client-elastic-load-balancing-v2': 'elasticloadbalancing',
    'client-route-53': 'route53',
    'client-acm': 'acm',
    'client-cloudwatch': 'cloudwatch',
    'client-scheduler': 'scheduler',
    'client-ec2': 'ec2',
    'client-dynamodb': 'dynamodb',
    'client-sts': 'sts',
  };
  const waiters: Record<string, string> = { waitUntilResourceRecordSetsChanged: 'GetChange' };
  const files = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
  const actions = new Set<string>();
  for (const file of [...files(path.join(root, 'shared')), path.join(root, 'handlers/resync.ts')]) {
    for (const [, names, client] of readFileSync(file, 'utf8').matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/(client-[a-z0-9-]+)'/g)) {
      const prefix = prefixes[client!];
      if (!prefix) throw new Error(`${file} imports @aws-sdk/${client}: add it to this test and to shared/iam/policy.ts`);
      for (const raw of names!.split(',')) {
        const name = raw.trim().replace(/^type\s+/, '');
        if (/^[A-Z]\w+Command$/.test(name)) actions.add(`${prefix}:${name.slice(0, -'Command'.length)}`);
        else if (name.startsWith('paginate')) actions.add(`${prefix}:${name.slice('paginate'.length)}`);
        else if (name.startsWith('waitUntil')) actions.add(`${prefix}:${waiters[name] ?? `unknown waiter ${name}`}`);
      }
    }
  }
  return actions;
}

test('packaging says that a cluster outside the stack region is reconciled by the schedule only', () => {
  expect(packaged.output).toContain(`1 cluster(s) outside eu-west-1 (${payments.clusterArn}): their CloudTrail events stay in their own region`);
});

describe('one role per function', () => {
  test('resync and notify each run with their own role, and the stack has no other', () => {
    expect(fn('ResyncLambdaFunction').Role).toEqual({ 'Fn::GetAtt': ['ResyncRole', 'Arn'] });
    expect(fn('NotifyLambdaFunction').Role).toEqual({ 'Fn::GetAtt': ['NotifyRole', 'Arn'] });
    const roles = Object.entries(template.Resources).filter(([, r]) => r.Type === 'AWS::IAM::Role').map(([id]) => id);
    // The third role is EventBridge Scheduler's, for follow-up messages (below), not a function's.
    expect(roles.sort()).toEqual(['NotifyRole', 'ResyncFollowUpRole', 'ResyncRole']);
  });

  test('no statement anywhere has a wildcard inside an action name', () => {
    const all = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::IAM::ManagedPolicy')
      .flatMap((r) => (r.Properties.PolicyDocument.Statement as Statement[]).flatMap((s) => s.Action));
    expect(all.length).toBeGreaterThan(20);
    expect(all.filter((a) => !/^[a-z0-9-]+:[A-Za-z0-9]+$/.test(a))).toEqual([]);
  });
});

describe('the resync role', () => {
  test('grants exactly the actions the code calls, plus what those calls imply', () => {
    const implied = [
      'logs:CreateLogStream', 'logs:PutLogEvents',
      // CreateListener / CreateTargetGroup with Tags also need AddTags; PutMetricAlarm with Tags, TagResource.
      'elasticloadbalancing:AddTags', 'cloudwatch:TagResource',
      // kafkajs over IAM auth (payments reaches its brokers).
      'kafka-cluster:Connect', 'kafka-cluster:DescribeClusterDynamicConfiguration', 'kafka-cluster:AlterClusterDynamicConfiguration',
      // AuthorizeSecurityGroupIngress with TagSpecifications also needs CreateTags.
      'ec2:CreateTags',
      // Handing the follow-up role to EventBridge Scheduler with each schedule.
      'iam:PassRole',
      // Lambda's SQS event source polling the FIFO queue with the function's role.
      'sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes',
      // Lambda attaching the function to the VPC (--param subnetIds).
      'ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses',
      // RequestCertificate with Tags tags the certificate; ACM has the private CA sign on the caller's behalf.
      'acm:AddTagsToCertificate', 'acm-pca:IssueCertificate', 'acm-pca:GetCertificate',
    ];
    const called = actionsTheCodeCalls();
    expect(called.size).toBeGreaterThan(15);
    expect([...actionsOf(statementsOf('ResyncRole'))].sort()).toEqual([...new Set([...called, ...implied])].sort());
  });

  test('"*" is only the resource of reads AWS cannot scope; no write ever has it', () => {
    for (const s of statementsOf('ResyncRole')) {
      if (!s.Resource.includes('*')) continue;
      expect([s.Sid, s.Action.filter((a) => !NO_RESOURCE_TYPE.has(a) || (!isRead(a) && !(CONDITIONED_WRITES.has(a) && s.Condition)))]).toEqual([s.Sid, []]);
      expect(s.Resource).toEqual(['*']);
    }
  });

  test('ingress writes: only the security group loadBalancerIngress names, tags only while creating the rule', () => {
    const statements = statementsOf('ResyncRole');
    const writes = statements.filter((st) => st.Action.some((a) => /^ec2:(Authorize|Modify|Revoke)/.test(a)));
    // (The packer may split one statement's resources across managed policies.)
    expect(writes.flatMap((st) => st.Resource).sort()).toEqual([
      'arn:aws:ec2:eu-west-1:123456789012:security-group-rule/*',
      'arn:aws:ec2:eu-west-1:123456789012:security-group/sg-0aaa1111bbbb2222c',
    ]);
    const tags = statements.find((st) => st.Action.includes('ec2:CreateTags'))!;
    expect(tags.Condition).toEqual({ StringEquals: { 'ec2:CreateAction': 'AuthorizeSecurityGroupIngress' } });
  });

  test('Route 53 writes: the configured zones of this account, names under their domains, record types A, CNAME and TXT', () => {
    const [write] = statementsFor(statementsOf('ResyncRole'), 'route53:ChangeResourceRecordSets');
    // payments' zone is another account's: written through its role, never with this one's rights.
    expect(write!.Resource.sort()).toEqual([`arn:aws:route53:::hostedzone/${orders.hostedZoneId}`]);
    expect(resourcesFor(statementsOf('ResyncRole'), 'sts:AssumeRole')).toEqual([ZONE_ROLE]);
    expect(write!.Condition).toEqual({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['*.kafka-1.example.com'] },
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'CNAME', 'TXT'] },
    });
    expect(resourcesFor(statementsOf('ResyncRole'), 'route53:ListResourceRecordSets').sort()).toEqual(write!.Resource.sort());
  });

  test('ELBv2 writes: listeners on the configured NLBs (only tagged ones change), target groups under the tool prefix', () => {
    const statements = statementsOf('ResyncRole');
    const nlbs = [orders.loadBalancerArn, payments.loadBalancerArn];
    expect(resourcesFor(statements, 'elasticloadbalancing:CreateListener')).toEqual(nlbs);
    const [own] = statementsFor(statements, 'elasticloadbalancing:ModifyListener');
    expect(own!.Action).toEqual(['elasticloadbalancing:ModifyListener']);
    expect(own!.Resource).toEqual(nlbs.map((arn) => `${arn.replace(':loadbalancer/net/', ':listener/net/')}/*`));
    expect(own!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync' } });
    // Deleted wherever it is (an NLB the cluster moved off), but only a listener tagged as one of these clusters'.
    const [deletes] = statementsFor(statements, 'elasticloadbalancing:DeleteListener');
    expect(deletes!.Resource).toEqual(['eu-west-1', 'eu-central-1'].map((r) => `arn:aws:elasticloadbalancing:${r}:123456789012:listener/*`));
    expect(deletes!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': [orders.clusterArn, payments.clusterArn] } });
    const groups = [orders, payments].map((c) => {
      const [, , , region, account] = c.loadBalancerArn.split(':');
      const name = c.clusterArn.split('/')[1]!;
      return `arn:aws:elasticloadbalancing:${region}:${account}:targetgroup/${targetGroupPrefix(c.clusterArn, name)}*`;
    });
    const [owned] = statementsFor(statements, 'elasticloadbalancing:CreateTargetGroup');
    for (const action of ['CreateTargetGroup', 'DeleteTargetGroup', 'RegisterTargets', 'DeregisterTargets']) expect([action, owned!.Action.includes(`elasticloadbalancing:${action}`)]).toEqual([action, true]);
    expect(owned!.Resource).toEqual(groups);
    // Groups taken over by `adopt` keep their names: any name, but only while tagged as one of these clusters'. Never created there.
    const adopted = statements.find((st) => st.Sid === 'ElbAdoptedTargetGroups')!;
    expect(adopted.Action).not.toContain('elasticloadbalancing:CreateTargetGroup');
    expect(adopted.Action).toEqual(expect.arrayContaining(['elasticloadbalancing:RegisterTargets', 'elasticloadbalancing:DeregisterTargets']));
    expect(adopted.Resource).toEqual(['eu-west-1', 'eu-central-1'].map((r) => `arn:aws:elasticloadbalancing:${r}:123456789012:targetgroup/*`));
    expect(adopted.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': [orders.clusterArn, payments.clusterArn] } });
    const addTags = statementsFor(statements, 'elasticloadbalancing:AddTags');
    expect(addTags).toHaveLength(2);
    const tags = addTags.find((st) => JSON.stringify(st.Condition).includes('CreateAction'));
    // Only within a create request, which the statements above scope.
    expect(tags!.Condition).toEqual({ StringEquals: { 'elasticloadbalancing:CreateAction': ['CreateListener', 'CreateTargetGroup'] } });
    expect(tags!.Resource).toEqual(['eu-west-1', 'eu-central-1'].flatMap((r) => [`arn:aws:elasticloadbalancing:${r}:123456789012:listener/net/*`, `arn:aws:elasticloadbalancing:${r}:123456789012:targetgroup/mcd-*`]));
    // Outside a create request: only the retired-at time, only on a listener tagged as one of these clusters' (a move's old one, wherever it is).
    const retire = addTags.find((st) => st !== tags)!;
    expect(retire.Action).toEqual(['elasticloadbalancing:AddTags']);
    expect(retire.Resource).toEqual(['eu-west-1', 'eu-central-1'].map((r) => `arn:aws:elasticloadbalancing:${r}:123456789012:listener/*`));
    expect(retire.Condition).toEqual({
      StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': [orders.clusterArn, payments.clusterArn] },
      'ForAllValues:StringEquals': { 'aws:TagKeys': ['msk-custom-domain:retired-at'] },
    });
  });

  test('MSK: cluster reads on the configured clusters; Kafka admin and configuration changes only for the cluster that uses them', () => {
    const statements = statementsOf('ResyncRole');
    expect(resourcesFor(statements, 'kafka:DescribeClusterV2')).toEqual([orders.clusterArn, payments.clusterArn]);
    for (const action of ['kafka-cluster:Connect', 'kafka-cluster:AlterClusterDynamicConfiguration']) {
      expect([action, resourcesFor(statements, action)]).toEqual([action, [payments.clusterArn]]);
    }
    expect(resourcesFor(statements, 'kafka:UpdateClusterConfiguration')).toEqual([payments.clusterArn, 'arn:aws:kafka:eu-central-1:123456789012:configuration/*']);
    expect(resourcesFor(statements, 'kafka:CreateConfiguration')).toEqual(['arn:aws:kafka:eu-central-1:123456789012:configuration/msk-custom-domain-*']);
    expect(resourcesFor(statements, 'kafka:UpdateConfiguration')).toEqual(['arn:aws:kafka:eu-central-1:123456789012:configuration/*']);
    // The safety reads before a configuration change: revisions, other clusters, the cluster's operations.
    expect(resourcesFor(statements, 'kafka:ListConfigurationRevisions')).toEqual(['arn:aws:kafka:eu-central-1:123456789012:configuration/*']);
    expect(resourcesFor(statements, 'kafka:ListClusterOperationsV2')).toEqual([payments.clusterArn]);
  });

  test('CloudWatch: alarm writes under each cluster alarm prefix; certificates by ARN', () => {
    const statements = statementsOf('ResyncRole');
    const prefixes = [orders, payments].map((c) => {
      const [, , , region, account] = c.clusterArn.split(':');
      return `arn:aws:cloudwatch:${region}:${account}:alarm:${alarmPrefix(c.clusterArn.split('/')[1]!, c.clusterArn)}*`;
    });
    for (const action of ['PutMetricAlarm', 'DeleteAlarms', 'TagResource']) {
      expect([action, resourcesFor(statements, `cloudwatch:${action}`)]).toEqual([action, prefixes]);
    }
    expect(resourcesFor(statements, 'acm:DescribeCertificate')).toEqual([orders.certificateArn, payments.certificateArn, 'arn:aws:acm:eu-west-1:123456789012:certificate/*']);
  });

  test('ACM in managed mode: requests only from the configured CA, for names under the domain, with the tool\'s tag; deletes only its own', () => {
    const statements = statementsOf('ResyncRole');
    const [request] = statementsFor(statements, 'acm:RequestCertificate');
    expect(request!.Sid).toBe('AcmRequestOwnPrivateCertificatesAnyResource');
    expect(request!.Condition).toEqual({
      StringEquals: { 'aws:RequestTag/managed-by': 'msk-custom-domain-sync' },
      ArnEquals: { 'acm:CertificateAuthority': [CA] },
      'ForAllValues:StringLike': { 'acm:DomainNames': ['*.kafka-1.example.com'] },
    });
    const [del] = statementsFor(statements, 'acm:DeleteCertificate');
    expect(del!.Resource).toEqual(['arn:aws:acm:eu-west-1:123456789012:certificate/*']);
    expect(del!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': [orders.clusterArn] } });
    expect(resourcesFor(statements, 'acm-pca:IssueCertificate')).toEqual([CA]);
    // payments keeps a fixed certificate: no ACM write reaches its region.
    expect(statements.filter((st) => st.Action.some((a) => /^acm:(Request|Delete|AddTags)/.test(a))).flatMap((st) => st.Resource).filter((r) => String(r).includes('eu-central-1'))).toEqual([]);
  });

  test('the queue it consumes, and no other', () => {
    expect(resourcesFor(statementsOf('ResyncRole'), 'sqs:ReceiveMessage')).toEqual([{ 'Fn::GetAtt': ['ResyncQueue', 'Arn'] }]);
  });

  test('VPC network interfaces only in the given subnets and security groups', () => {
    const resources = resourcesFor(statementsOf('ResyncRole'), 'ec2:CreateNetworkInterface').map((r) => (r as { 'Fn::Sub': string })['Fn::Sub']);
    expect(resources.map((r) => r.split(':').pop())).toEqual(['network-interface/*', 'subnet/subnet-0aaa', 'subnet/subnet-0bbb', 'security-group/sg-0ccc']);
  });
});

describe('follow-ups (EventBridge Scheduler -> queue)', () => {
  test("the resync role creates schedules under the tool's prefix only, and passes the follow-up role to Scheduler only", () => {
    const statements = statementsOf('ResyncRole');
    expect(resourcesFor(statements, 'scheduler:CreateSchedule')).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:scheduler:${AWS::Region}:${AWS::AccountId}:schedule/default/mcd-follow-up-*' },
    ]);
    const [pass] = statementsFor(statements, 'iam:PassRole');
    expect(pass).toMatchObject({ Resource: [{ 'Fn::GetAtt': ['ResyncFollowUpRole', 'Arn'] }], Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } });
  });

  test("Scheduler's role: assumed for this account only, may only send to the resync queue", () => {
    const trust = template.Resources.ResyncFollowUpRole!.Properties.AssumeRolePolicyDocument.Statement;
    expect(trust).toEqual([{ Effect: 'Allow', Principal: { Service: 'scheduler.amazonaws.com' }, Action: ['sts:AssumeRole'], Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } } }]);
    expect(statementsOf('ResyncFollowUpRole')).toEqual([{ Sid: 'SendToResyncQueue', Effect: 'Allow', Action: ['sqs:SendMessage'], Resource: [{ 'Fn::GetAtt': ['ResyncQueue', 'Arn'] }] }]);
    expect(fn('ResyncLambdaFunction').Environment.Variables).toMatchObject({
      FOLLOW_UP_QUEUE_ARN: { 'Fn::GetAtt': ['ResyncQueue', 'Arn'] },
      FOLLOW_UP_ROLE_ARN: { 'Fn::GetAtt': ['ResyncFollowUpRole', 'Arn'] },
    });
  });
});

describe('the notify role and the webhook secret', () => {
  test('notify may only write its own log group and read its webhook parameter', () => {
    const statements = statementsOf('NotifyRole');
    expect([...actionsOf(statements)].sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents', 'ssm:GetParameters']);
    expect(resourcesFor(statements, 'logs:PutLogEvents')).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/lambda/msk-custom-domain-sync-dev-notify:*' },
    ]);
    expect(resourcesFor(statements, 'ssm:GetParameters')).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter/msk-custom-domain/webhook-url' },
    ]);
  });

  test('the template names the SSM parameter, never a URL', () => {
    expect(fn('NotifyLambdaFunction').Environment.Variables).toEqual({ LOG_LEVEL: 'info', WEBHOOK_PARAMETER: WEBHOOK_PARAMETER });
    // (The dashboard's console link is the one URL a template may carry.)
    expect(JSON.stringify(template)).not.toMatch(/https?:\/\/(?!s3\.|console\.aws\.amazon\.com\/cloudwatch\/)/);
  });

  test('packaging refuses a webhook URL passed as a parameter, and says what to do instead', () => {
    const refused = packageStack({ clusters: [orders] }, { webhookUrl: 'https://hooks.slack.com/services/T0/B0/secret' });
    dirs.push(refused.dir);
    expect(refused.status).not.toBe(0);
    expect(refused.output).toContain('store the URL as an SSM SecureString and pass --param webhookParameter=<parameter name>');
  }, 120_000);
});
