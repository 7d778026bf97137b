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

describe('resync role: managed public certificates (certificateValidation: dns)', () => {
  const CA = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0123abcd-0000-4000-8000-000000000001';
  const { certificateArn: _fixed, ...noCertificate } = clusterEntry(3);
  const publicOnly = { ...noCertificate, certificateValidation: 'dns' };
  const mixed = {
    ...noCertificate,
    certificateValidation: 'dns',
    listeners: [{ authentication: 'iam' }, { authentication: 'scram', certificateAuthorityArn: CA, bootstrapPort: 9500, brokerPortBase: 9500, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 's-{id}' }],
  };

  test('RequestCertificate with DNS validation only, never from a CA, for names under the domain, with the tool\'s tag; no private-CA grant', () => {
    const list = statements(publicOnly);
    expect(withAction(list, 'acm:RequestCertificate')).toEqual([
      {
        Sid: 'AcmRequestOwnPublicCertificatesAnyResource',
        Effect: 'Allow',
        Action: ['acm:RequestCertificate'],
        Resource: ['*'],
        Condition: {
          StringEquals: { 'aws:RequestTag/managed-by': 'msk-custom-domain-sync', 'acm:ValidationMethod': 'DNS' },
          Null: { 'acm:CertificateAuthority': 'true' },
          'ForAllValues:StringLike': { 'acm:DomainNames': [`*.${publicOnly.domain}`] },
        },
      },
    ]);
    expect(list.flatMap((s) => s.Action).filter((a) => a.startsWith('acm-pca:'))).toEqual([]);
    expect(withAction(list, 'acm:DeleteCertificate')[0]!.Condition).toEqual({ StringEquals: { 'aws:ResourceTag/managed-by': 'msk-custom-domain-sync', 'aws:ResourceTag/msk-custom-domain:cluster': [publicOnly.clusterArn] } });
  });

  test('the validation CNAMEs (_<token>.<name> and their registry TXT) fall under the Route 53 statement: names under the domain, types A, CNAME, TXT', () => {
    const [route53] = withAction(statements(publicOnly), 'route53:ChangeResourceRecordSets');
    expect(route53!.Condition).toEqual({
      'ForAllValues:StringLike': { 'route53:ChangeResourceRecordSetsNormalizedRecordNames': [`*.${publicOnly.domain}`] },
      'ForAllValues:StringEquals': { 'route53:ChangeResourceRecordSetsRecordTypes': ['A', 'CNAME', 'TXT'] },
    });
  });

  test('a private CA on one listener and DNS validation on another: one request statement each, so neither condition locks the other out', () => {
    const requests = withAction(statements(mixed), 'acm:RequestCertificate');
    expect(requests.map((s) => s.Sid)).toEqual(['AcmRequestOwnPrivateCertificatesAnyResource', 'AcmRequestOwnPublicCertificatesAnyResource']);
    expect(requests[0]!.Condition).toMatchObject({ ArnEquals: { 'acm:CertificateAuthority': [CA] } });
    expect(requests[1]!.Condition).toMatchObject({ Null: { 'acm:CertificateAuthority': 'true' } });
    expect(withAction(statements(mixed), 'acm-pca:IssueCertificate')[0]!.Resource).toEqual([CA]);
  });
});
