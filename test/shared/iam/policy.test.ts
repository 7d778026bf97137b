// The resync role for clusters whose names live in another account's zone or point at a VPC endpoint.
import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../../shared/config/parse';
import { resyncStatements, type Statement } from '../../../shared/iam/policy';
import { clusterEntry } from '../../deploy/package-stack';

const ROLE = 'arn:aws:iam::210987654321:role/msk-custom-domain-dns';
const own = clusterEntry(1);
const elsewhere = clusterEntry(2, { hostedZoneRole: { roleArn: ROLE, externalId: 'ext-1' }, recordTarget: { vpcEndpointId: 'vpce-0123456789abcdef0' } });

const statements = (...clusters: object[]) => resyncStatements(parseConfig({ clusters }), { logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/resync' });
const withAction = (list: Statement[], action: string) => list.filter((s) => s.Action.includes(action));

describe('resync role: records for clients elsewhere', () => {
  test('a zone reached by role: sts:AssumeRole on exactly that role, and no Route 53 right of its own on the zone', () => {
    const list = statements(own, elsewhere);
    expect(withAction(list, 'sts:AssumeRole')).toEqual([{ Sid: 'AssumeHostedZoneRoles', Effect: 'Allow', Action: ['sts:AssumeRole'], Resource: [ROLE] }]);
    const route53 = list.filter((s) => s.Action.some((a) => a.startsWith('route53:')));
    expect(route53.flatMap((s) => s.Resource)).toEqual([`arn:aws:route53:::hostedzone/${own.hostedZoneId}`, 'arn:aws:route53:::change/*']);
    expect(JSON.stringify(route53)).not.toContain(elsewhere.hostedZoneId);
    expect(JSON.stringify(route53)).not.toContain(elsewhere.domain);
  });

  test('every zone reached by role: no Route 53 statement at all', () => {
    const list = statements(elsewhere);
    expect(list.filter((s) => s.Action.some((a) => a.startsWith('route53:')))).toEqual([]);
  });

  test('no role configured: no sts:AssumeRole; no endpoint read by id: no VPC endpoint reads', () => {
    const list = statements(own);
    expect(withAction(list, 'sts:AssumeRole')).toEqual([]);
    expect(list.flatMap((s) => s.Action).filter((a) => a.includes('VpcEndpoint'))).toEqual([]);
  });

  test('an endpoint read by id: DescribeVpcEndpoints and DescribeVpcEndpointServiceConfigurations, which take no resource type', () => {
    const [describe] = withAction(statements(own, elsewhere), 'ec2:DescribeVpcEndpoints');
    expect(describe!.Action).toEqual(expect.arrayContaining(['ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcEndpointServiceConfigurations']));
    expect(describe!.Resource).toEqual(['*']);
  });
});
