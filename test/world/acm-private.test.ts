import { afterEach, expect, test } from '@jest/globals';
import { ACMClient, DeleteCertificateCommand, DescribeCertificateCommand, ListTagsForCertificateCommand, RequestCertificateCommand } from '@aws-sdk/client-acm';
import { CreateListenerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { AwsWorld, VirtualClock } from './index';

// The world's ACM as the managed mode uses it: private certificates from a modelled ACM Private CA.

let world: AwsWorld;
afterEach(() => world?.restore());

const acm = () => new ACMClient({ region: 'eu-west-1' });
const status = async (arn: string) => (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;

test('a private certificate is PENDING, then ISSUED once the modelled delay passed on the world clock; the token returns the same one for an hour', async () => {
  const clock = new VirtualClock();
  world = AwsWorld.install({ now: () => clock.now() });
  const ca = world.acm.addPrivateCa();
  const request = { DomainName: 'bootstrap.kafka.example.com', SubjectAlternativeNames: ['b-1.kafka.example.com'], CertificateAuthorityArn: ca, IdempotencyToken: 'tok1', Tags: [{ Key: 'managed-by', Value: 'x' }] };
  const { CertificateArn: arn } = await acm().send(new RequestCertificateCommand(request));
  expect(await status(arn!)).toMatchObject({ Status: 'PENDING_VALIDATION', Type: 'PRIVATE', CertificateAuthorityArn: ca, SubjectAlternativeNames: ['bootstrap.kafka.example.com', 'b-1.kafka.example.com'] });
  await clock.sleep(world.timing.privateCertificateIssueMs);
  expect((await status(arn!)).Status).toBe('ISSUED');
  expect((await acm().send(new RequestCertificateCommand(request))).CertificateArn).toBe(arn);
  expect((await acm().send(new ListTagsForCertificateCommand({ CertificateArn: arn }))).Tags).toEqual([{ Key: 'managed-by', Value: 'x' }]);
});

test('a CA that is not ACTIVE fails the certificate (PCA_INVALID_STATE); more names than the quota are refused', async () => {
  world = AwsWorld.install();
  const ca = world.acm.addPrivateCa('DISABLED');
  const { CertificateArn: arn } = await acm().send(new RequestCertificateCommand({ DomainName: 'a.example.com', CertificateAuthorityArn: ca }));
  expect(await status(arn!)).toMatchObject({ Status: 'FAILED', FailureReason: 'PCA_INVALID_STATE' });
  const names = Array.from({ length: 10 }, (_, i) => `b-${i}.example.com`);
  await expect(acm().send(new RequestCertificateCommand({ DomainName: 'a.example.com', SubjectAlternativeNames: names, CertificateAuthorityArn: ca }))).rejects.toMatchObject({ name: 'LimitExceededException' });
});

test('DeleteCertificate is refused while a listener uses it (ResourceInUseException); the NLB refuses its 26th certificate', async () => {
  world = AwsWorld.install();
  const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  const vpcId = world.elbv2.loadBalancer(lbArn)!.VpcId;
  const certs = Array.from({ length: 26 }, (_, i) => world.acm.addCertificate({ domainName: `b-${i}.example.com` }));
  for (let i = 0; i < 26; i++) {
    const tg = await elbv2.send(new CreateTargetGroupCommand({ Name: `tg-${i}`, Protocol: 'TLS', Port: 9098, VpcId: vpcId, TargetType: 'ip' }));
    const create = elbv2.send(new CreateListenerCommand({
      LoadBalancerArn: lbArn, Port: 9000 + i, Protocol: 'TLS', Certificates: [{ CertificateArn: certs[i] }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0].TargetGroupArn }],
    }));
    if (i < 25) await create;
    else await expect(create).rejects.toMatchObject({ name: 'TooManyCertificatesException' });
  }
  await expect(acm().send(new DeleteCertificateCommand({ CertificateArn: certs[0] }))).rejects.toMatchObject({ name: 'ResourceInUseException' });
  await acm().send(new DeleteCertificateCommand({ CertificateArn: certs[25] }));
  expect(world.acm.certificate(certs[25])).toBeUndefined();
});
