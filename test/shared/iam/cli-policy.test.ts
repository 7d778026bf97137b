import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../shared/config/parse';
import { cliPolicies } from '../../../shared/iam/cli-policy';
import { resyncStatements } from '../../../shared/iam/policy';

// What a person running the CLI needs, derived from the function's role: plan reads, apply writes too.

const example = JSON.parse(readFileSync(join(__dirname, '../../../config.example.json'), 'utf8'));
const config = parseConfig({
  ...example,
  lease: { table: 'msk-custom-domain-sync-dev-leases', region: 'eu-west-1' },
  clusters: [{ ...example.clusters[0], advertisedListeners: 'dynamic-broker-config', hostedZoneRole: { roleArn: 'arn:aws:iam::210987654321:role/dns', externalId: 'x1' } }],
});
const actions = (doc: { Statement: { Action: string[] }[] }) => doc.Statement.flatMap((s) => s.Action);

describe('the CLI user policies', () => {
  const { plan, apply } = cliPolicies(config);

  // The zone is another account's: it is read with the role's credentials, so sts:AssumeRole and no Route 53 action.
  test('plan only reads: no action that creates, changes or deletes anything', () => {
    const writes = actions(plan).filter((a) => /:(Create|Modify|Delete|Register|Deregister|Put|Change|Update|Alter|Add|Authorize|Revoke|Tag)/.test(a));
    expect(writes).toEqual([]);
    expect(actions(plan)).toEqual(expect.arrayContaining(['kafka:DescribeClusterV2', 'elasticloadbalancing:DescribeListeners', 'acm:DescribeCertificate', 'sts:AssumeRole', 'kafka-cluster:Connect']));
  });

  test("apply holds every action of the function's reconcile on the same resources, but not the function's own log group", () => {
    const role = resyncStatements(config, { logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/x' });
    for (const statement of role.filter((s) => s.Sid !== 'OwnLogGroup')) expect(apply.Statement).toContainEqual(statement);
    expect(actions(apply)).not.toContain('logs:PutLogEvents');
  });

  test('apply takes the lease in the configured table, and may tag what adopt takes over', () => {
    expect(apply.Statement).toContainEqual(expect.objectContaining({ Action: ['dynamodb:PutItem', 'dynamodb:GetItem', 'dynamodb:DeleteItem'], Resource: ['arn:aws:dynamodb:eu-west-1:123456789012:table/msk-custom-domain-sync-dev-leases'] }));
    const adopt = apply.Statement.find((s) => s.Sid === 'AdoptTagExisting');
    expect(adopt).toMatchObject({ Action: ['elasticloadbalancing:AddTags'], Resource: ['arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/msk-orders/0123456789abcdef/*', 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/*'] });
    expect(adopt?.Condition).toBeUndefined();
  });

  test("adopt may tag listeners on every NLB a listener uses, brokerLoadBalancers' too", () => {
    const further = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-orders-2/fedcba9876543210';
    const spread = parseConfig({ clusters: [{ ...example.clusters[0], brokerLoadBalancers: [{ loadBalancerArn: further, firstBrokerId: 31 }] }] });
    const adopt = cliPolicies(spread).apply.Statement.find((s) => s.Sid === 'AdoptTagExisting');
    expect(adopt?.Resource).toEqual(expect.arrayContaining(['arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/net/msk-orders-2/fedcba9876543210/*']));
  });

  test('without a lease in the config, no DynamoDB action', () => {
    const { lease: _, ...withoutLease } = config;
    expect(actions(cliPolicies(withoutLease).apply).filter((a) => a.startsWith('dynamodb:'))).toEqual([]);
  });
});
