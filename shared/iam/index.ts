import type { Config } from '../config/schema';
import { MAX_POLICIES_PER_ROLE, packStatements, type PolicyDocument } from './pack';
import { followUpStatements, notifyStatements, resyncStatements } from './policy';

// The CloudFormation resources of the two function roles: one role per function, its statements
// packed into managed policies. serverless.yml gets them from scripts/serverless-config.js.

export interface StackIamOptions {
  /** `<service>-<stage>`: the functions are named `<prefix>-resync` and `<prefix>-notify`. */
  functionPrefix: string;
  vpc?: { subnetIds: string[]; securityGroupIds: string[] };
  webhookParameter?: string;
  webhookKeyArn?: string;
  maxPoliciesPerRole?: number;
}

const logGroupOf = (functionName: string): { 'Fn::Sub': string } => ({
  'Fn::Sub': `arn:\${AWS::Partition}:logs:\${AWS::Region}:\${AWS::AccountId}:log-group:/aws/lambda/${functionName}`,
});

/** A role for `service` with its managed policies; `trustCondition` limits who may assume it. */
function role(logicalId: string, description: string, documents: PolicyDocument[], service = 'lambda.amazonaws.com', trustCondition?: unknown): Record<string, unknown> {
  const resources: Record<string, unknown> = {};
  const policyIds = documents.map((_, i) => `${logicalId}Policy${i + 1}`);
  documents.forEach((document, i) => {
    resources[policyIds[i]!] = {
      Type: 'AWS::IAM::ManagedPolicy',
      Properties: { Description: `${description} (${i + 1}/${documents.length})`, PolicyDocument: document },
    };
  });
  resources[`${logicalId}Role`] = {
    Type: 'AWS::IAM::Role',
    Properties: {
      Description: description,
      AssumeRolePolicyDocument: {
        Version: '2012-10-17',
        Statement: [{ Effect: 'Allow', Principal: { Service: service }, Action: ['sts:AssumeRole'], ...(trustCondition ? { Condition: trustCondition } : {}) }],
      },
      // Attached through the role (not the policies' Roles property), so the function that
      // depends on the role is only created once every policy is in place.
      ManagedPolicyArns: policyIds.map((id) => ({ Ref: id })),
    },
  };
  return resources;
}

export function stackIamResources(config: Config, options: StackIamOptions): Record<string, unknown> {
  const max = options.maxPoliciesPerRole ?? MAX_POLICIES_PER_ROLE;
  const resync = resyncStatements(config, {
    logGroupArn: logGroupOf(`${options.functionPrefix}-resync`),
    vpc: options.vpc,
    queueArn: { 'Fn::GetAtt': ['ResyncQueue', 'Arn'] },
    followUpRoleArn: { 'Fn::GetAtt': ['ResyncFollowUpRole', 'Arn'] },
    leaseTableArn: { 'Fn::GetAtt': ['LeaseTable', 'Arn'] },
  });
  const notify = notifyStatements({
    logGroupArn: logGroupOf(`${options.functionPrefix}-notify`),
    webhookParameter: options.webhookParameter,
    webhookKeyArn: options.webhookKeyArn,
  });
  return {
    ...role('Resync', 'msk-custom-domain-sync resync: the actions the reconciler calls, on the resources the config names', packStatements(resync, 'resync', max)),
    ...role('Notify', 'msk-custom-domain-sync notify: logs, and reads its webhook parameter', packStatements(notify, 'notify', max)),
    // Assumed by EventBridge Scheduler for this account's schedules only (confused-deputy guard).
    ...role(
      'ResyncFollowUp',
      'msk-custom-domain-sync follow-ups: EventBridge Scheduler puts messages into the resync queue',
      packStatements(followUpStatements({ 'Fn::GetAtt': ['ResyncQueue', 'Arn'] }), 'follow-up', max),
      'scheduler.amazonaws.com',
      { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    ),
  };
}
