import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../../shared/config/load';
import { resyncStatements, type Statement } from '../../../shared/iam/policy';

// A cluster mapped through an internal and an internet-facing NLB, each with its own zone and
// certificate: the role reaches exactly those, and nothing of a listener the config does not name.

const internal = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/internal/1111';
const publicLb = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/public/2222';
const config = parseConfig({
  clusters: [{
    clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd-1',
    domain: 'kafka.example.com',
    hostedZoneId: 'ZPRIVATE',
    loadBalancerArn: internal,
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/internal',
    listeners: [
      { authentication: 'iam' },
      { authentication: 'iam-public', loadBalancerArn: publicLb, hostedZoneId: 'ZPUBLIC', domain: 'kafka.example.net', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/public' },
    ],
  }],
});
const statements = resyncStatements(config, { logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:x' });
const resources = (action: string) => statements.filter((s: Statement) => s.Action.includes(action)).flatMap((s) => s.Resource);

describe('IAM for several listeners of one cluster', () => {
  test('listener writes on both NLBs, Route 53 on both zones and domains, both certificates', () => {
    expect(resources('elasticloadbalancing:CreateListener')).toEqual([internal, publicLb]);
    expect(resources('elasticloadbalancing:ModifyListener')).toEqual([internal, publicLb].map((arn) => `${arn.replace(':loadbalancer/net/', ':listener/net/')}/*`));
    // Deletes reach a listener the cluster left on an NLB it moved off, but only one tagged as this cluster's.
    const deletes = statements.filter((s) => s.Action.includes('elasticloadbalancing:DeleteListener'));
    expect(deletes.map((s) => [s.Resource, s.Condition])).toEqual([
      [['arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/*'], { StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': ['arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abcd-1'] } }],
    ]);
    expect(resources('route53:ChangeResourceRecordSets')).toEqual(['arn:aws:route53:::hostedzone/ZPRIVATE', 'arn:aws:route53:::hostedzone/ZPUBLIC']);
    const write = statements.find((s) => s.Action.includes('route53:ChangeResourceRecordSets'))!;
    expect(write.Condition!['ForAllValues:StringLike']).toEqual({ 'route53:ChangeResourceRecordSetsNormalizedRecordNames': ['*.kafka.example.com', '*.kafka.example.net'] });
    expect(resources('acm:DescribeCertificate')).toEqual(['arn:aws:acm:eu-west-1:123456789012:certificate/internal', 'arn:aws:acm:eu-west-1:123456789012:certificate/public']);
  });

  test('the rules of the NLB groups are readable without loadBalancerIngress (observe reads them to find the tool\'s own)', () => {
    expect(resources('ec2:DescribeSecurityGroupRules')).toEqual(['*']);
    expect(resources('ec2:AuthorizeSecurityGroupIngress')).toEqual([]);
  });

  test('brokers on further NLBs (brokerLoadBalancers): listeners may be created and changed on each of them', () => {
    const further = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/internal-2/3333';
    const many = parseConfig({ clusters: [{ ...config.clusters[0], listeners: undefined, brokerLoadBalancers: [{ loadBalancerArn: further, firstBrokerId: 41 }] }] });
    const granted = resyncStatements(many, { logGroupArn: 'arn:aws:logs:eu-west-1:123456789012:log-group:x' });
    const on = (action: string) => granted.filter((s: Statement) => s.Action.includes(action)).flatMap((s) => s.Resource);
    expect(on('elasticloadbalancing:CreateListener')).toEqual([internal, further]);
    expect(on('elasticloadbalancing:ModifyListener')).toEqual([internal, further].map((arn) => `${arn.replace(':loadbalancer/net/', ':listener/net/')}/*`));
  });
});
