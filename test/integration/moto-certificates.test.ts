// Managed certificates against moto (ACM with a private CA from moto's ACM PCA, ELBv2, Route 53,
// EC2, CloudWatch) and MSK over HTTP, through the CLI: create, scale-out 3 -> 6 -> 12, scale-in.
// After every step each listener's certificate (as ACM describes it) names the listener's host.
// Public certificates (certificateValidation: dns) too: moto lists a validation CNAME per name and
// issues a public certificate MOTO_ACM_VALIDATION_WAIT seconds after the request (whatever DNS
// holds: the world's ACM is the one that checks the records); this suite's own moto waits 3 s.
import { afterAll, afterEach, beforeAll, expect, test } from '@jest/globals';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, ListTagsForCertificateCommand } from '@aws-sdk/client-acm';
import { CreateSubnetCommand, CreateVpcCommand, EC2Client, CreateSecurityGroupCommand, AuthorizeSecurityGroupIngressCommand } from '@aws-sdk/client-ec2';
import { CreateLoadBalancerCommand, DescribeListenersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli } from '../../cli/main';
import { createAwsClients } from '../../shared/aws/clients';
import { certificateCovers } from '../../shared/plan/certificate';
import { startMoto, type Moto, restoreSdkEnv } from './moto';
import { startMskHttp, type MskHttp } from './msk-http';

const REGION = 'eu-west-1';
const MOTO_VALIDATION_SECONDS = 3;
let moto: Moto;
let mskHttp: MskHttp;
let dir: string;
const saved = { ...process.env };

beforeAll(async () => {
  moto = await startMoto({ env: { MOTO_ACM_VALIDATION_WAIT: String(MOTO_VALIDATION_SECONDS) } });
  mskHttp = await startMskHttp(REGION);
  dir = await mkdtemp(join(tmpdir(), 'mcd-moto-certs-'));
  Object.assign(process.env, { AWS_ENDPOINT_URL: moto.url, AWS_ENDPOINT_URL_KAFKA: mskHttp.url, AWS_ACCESS_KEY_ID: 'testing', AWS_SECRET_ACCESS_KEY: 'testing', AWS_REGION: REGION });
  delete process.env.AWS_PROFILE;
}, 60_000);
afterEach(async () => moto.reset());
afterAll(async () => {
  restoreSdkEnv(saved);
  await mskHttp?.stop();
  await moto?.stop();
  await rm(dir, { recursive: true, force: true });
});

const ip = (id: number) => `10.0.${((id - 1) % 3) + 1}.${10 + id}`;
const acm = () => new ACMClient({ region: REGION });

/**
 * ACM PCA's CreateCertificateAuthority over moto's JSON protocol (the project has no ACM PCA
 * client: the tool itself never calls ACM PCA, only ACM with the CA's ARN).
 */
async function createPrivateCa(): Promise<string> {
  const res = await fetch(moto.url, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-amz-json-1.1',
      'X-Amz-Target': 'ACMPrivateCA.CreateCertificateAuthority',
      Authorization: `AWS4-HMAC-SHA256 Credential=testing/20250101/${REGION}/acm-pca/aws4_request, SignedHeaders=host, Signature=0`,
    },
    body: JSON.stringify({
      CertificateAuthorityConfiguration: { KeyAlgorithm: 'RSA_2048', SigningAlgorithm: 'SHA256WITHRSA', Subject: { CommonName: 'msk-custom-domain test CA' } },
      CertificateAuthorityType: 'ROOT',
    }),
  });
  const body = (await res.json()) as { CertificateAuthorityArn?: string };
  if (!body.CertificateAuthorityArn) throw new Error(`moto did not create a CA: ${JSON.stringify(body)}`);
  return body.CertificateAuthorityArn;
}

async function seed(brokerIds: number[], config: Record<string, unknown> = {}) {
  const ec2 = new EC2Client({ region: REGION });
  const vpc = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.0.0.0/16' }))).Vpc!;
  const subnets: string[] = [];
  for (const [i, z] of ['a', 'b', 'c'].entries()) {
    subnets.push((await ec2.send(new CreateSubnetCommand({ VpcId: vpc.VpcId, CidrBlock: `10.0.${i + 1}.0/24`, AvailabilityZone: `${REGION}${z}` }))).Subnet!.SubnetId!);
  }
  const brokerGroup = (await ec2.send(new CreateSecurityGroupCommand({ GroupName: `brokers-${Math.random().toString(36).slice(2)}`, Description: 'MSK brokers', VpcId: vpc.VpcId }))).GroupId!;
  await ec2.send(new AuthorizeSecurityGroupIngressCommand({ GroupId: brokerGroup, IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9198, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }] }));
  const lb = (await new ElasticLoadBalancingV2Client({ region: REGION }).send(new CreateLoadBalancerCommand({ Name: 'msk-orders', Type: 'network', Scheme: 'internal', Subnets: subnets }))).LoadBalancers![0]!;
  const zone = (await new Route53Client({ region: REGION }).send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `${Date.now()}-${Math.random()}` }))).HostedZone!;
  const caArn = await createPrivateCa();
  const clusterArn = mskHttp.msk.addCluster({ name: 'orders', brokers: brokerIds.map((id) => ({ id, ip: ip(id) })), enhancedMonitoring: 'PER_BROKER', subnets, securityGroups: [brokerGroup] });
  const file = join(dir, `config-${Math.random().toString(36).slice(2)}.json`);
  await writeFile(file, JSON.stringify({ clusters: [{ clusterArn, domain: 'kafka.example.com', hostedZoneId: zone.Id!, loadBalancerArn: lb.LoadBalancerArn!, certificateAuthorityArn: caArn, ...config }] }));
  return { clusterArn, lbArn: lb.LoadBalancerArn!, file, caArn, zoneId: zone.Id! };
}

async function cli(...argv: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { clientsFor: createAwsClients, out: (t) => out.push(t), err: (t) => err.push(t), dnsPollSeconds: 0.2 });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

/** Port -> [host it serves, whether its certificate names it, that certificate's ARN]. */
async function coverage(lbArn: string): Promise<Record<number, { covered: boolean; arn: string }>> {
  const listeners = (await new ElasticLoadBalancingV2Client({ region: REGION }).send(new DescribeListenersCommand({ LoadBalancerArn: lbArn }))).Listeners ?? [];
  const out: Record<number, { covered: boolean; arn: string }> = {};
  for (const l of listeners) {
    const arn = l.Certificates![0].CertificateArn!;
    const cert = (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
    const host = l.Port === 9000 ? 'bootstrap.kafka.example.com' : `b-${l.Port! - 9000}.kafka.example.com`;
    out[l.Port!] = { covered: [cert.DomainName!, ...(cert.SubjectAlternativeNames ?? [])].some((n) => certificateCovers(n, host)), arn };
  }
  return out;
}

/** Certificates tagged as the tool's, by subject. */
async function ours(): Promise<string[]> {
  const all = (await acm().send(new ListCertificatesCommand({}))).CertificateSummaryList ?? [];
  const mine: string[] = [];
  for (const c of all) {
    const tags = (await acm().send(new ListTagsForCertificateCommand({ CertificateArn: c.CertificateArn }))).Tags ?? [];
    if (tags.some((t) => t.Key === 'managed-by' && t.Value === 'msk-custom-domain-sync')) mine.push(c.DomainName!);
  }
  return mine.sort();
}

const ports = (ids: number[]) => [9000, ...ids.map((id) => 9000 + id)];

test('managed lifecycle: create, scale-out 3 -> 6 (no new certificate) -> 12 (block 1), scale-in to 3 (block 1 deleted); every listener covered; plan then shows nothing', async () => {
  const s = await seed([1, 2, 3]);
  const created = await cli('apply', '--config', s.file);
  expect({ code: created.code, err: created.err }).toEqual({ code: EXIT.ok, err: '' });
  let now = await coverage(s.lbArn);
  expect(Object.keys(now).map(Number)).toEqual(ports([1, 2, 3]));
  expect(Object.values(now).every((c) => c.covered)).toBe(true);
  expect(await ours()).toEqual(['bootstrap.kafka.example.com']);

  mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3, 4, 5, 6].map((id) => ({ id, ip: ip(id) })));
  expect((await cli('apply', '--config', s.file)).code).toBe(EXIT.ok);
  now = await coverage(s.lbArn);
  expect(Object.keys(now).map(Number)).toEqual(ports([1, 2, 3, 4, 5, 6]));
  expect(Object.values(now).every((c) => c.covered)).toBe(true);
  expect(new Set(Object.values(now).map((c) => c.arn)).size).toBe(1);
  expect(await ours()).toEqual(['bootstrap.kafka.example.com']);

  mskHttp.msk.setBrokers(s.clusterArn, Array.from({ length: 12 }, (_, i) => ({ id: i + 1, ip: ip(i + 1) })));
  const twelve = await cli('apply', '--config', s.file);
  expect({ code: twelve.code, err: twelve.err }).toEqual({ code: EXIT.ok, err: '' });
  now = await coverage(s.lbArn);
  expect(Object.values(now).every((c) => c.covered)).toBe(true);
  expect(await ours()).toEqual(['b-10.kafka.example.com', 'bootstrap.kafka.example.com']);

  mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3].map((id) => ({ id, ip: ip(id) })));
  const scaledIn = await cli('apply', '--config', s.file);
  expect({ code: scaledIn.code, err: scaledIn.err }).toEqual({ code: EXIT.ok, err: '' });
  now = await coverage(s.lbArn);
  expect(Object.keys(now).map(Number)).toEqual(ports([1, 2, 3]));
  expect(Object.values(now).every((c) => c.covered)).toBe(true);
  expect(await ours()).toEqual(['bootstrap.kafka.example.com']);

  const plan = await cli('plan', '--config', s.file, '--json');
  expect(JSON.parse(plan.out)[0].plan.actions).toEqual([]);
  const check = await cli('check', '--config', s.file);
  expect(check.code).toBe(EXIT.ok);
  expect(check.out).toContain('Every check passed for 4 endpoint(s).');
  // Per endpoint, the certificate that covers its name: the tool's own.
  const json = await cli('check', '--config', s.file, '--json');
  expect(json.out.match(/covered by arn:aws:acm:[^"]*the tool's own/g)).toHaveLength(4);
}, 180_000);

/** The zone's records whose name starts with `_` (validation CNAMEs and registry TXTs), as `TYPE name`. */
async function underscored(zoneId: string): Promise<string[]> {
  const sets = (await new Route53Client({ region: REGION }).send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId }))).ResourceRecordSets ?? [];
  return sets.filter((r) => r.Name!.startsWith('_')).map((r) => `${r.Type} ${r.Name}`).sort();
}

/** The validation CNAME ACM lists for `name` on the certificate `arn`. */
async function validationRecordOf(arn: string, name: string) {
  const cert = (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
  return cert.DomainValidationOptions!.find((o) => o.DomainName === name)!.ResourceRecord!;
}

test('public lifecycle (certificateValidation: dns): validation CNAMEs written at once, endpoints wait (exit 2) until ACM issues, scale-out 3 -> 12 into the spare block, scale-in deletes the unused block and its records', async () => {
  const s = await seed([1, 2, 3], { certificateAuthorityArn: undefined, certificateValidation: 'dns' });
  const requested = await cli('apply', '--config', s.file);
  expect({ code: requested.code, err: requested.err }).toEqual({ code: EXIT.notConverged, err: '' });
  expect(requested.out).toContain('AWAITING bootstrap, broker-1, broker-2, broker-3: no listener or name until its certificate is ISSUED');
  expect(await coverage(s.lbArn)).toEqual({});
  expect(await ours()).toEqual(['b-10.kafka.example.com', 'bootstrap.kafka.example.com']);
  // One CNAME and one registry TXT per name of both blocks (bootstrap, b-1 .. b-19).
  const records = await underscored(s.zoneId);
  expect(records.filter((r) => r.startsWith('CNAME '))).toHaveLength(20);
  expect(records.filter((r) => r.startsWith('TXT _msk-custom-domain._'))).toHaveLength(20);
  const all = (await acm().send(new ListCertificatesCommand({}))).CertificateSummaryList!;
  const block0 = all.find((c) => c.DomainName === 'bootstrap.kafka.example.com')!.CertificateArn!;
  const b1 = await validationRecordOf(block0, 'b-1.kafka.example.com');
  expect(records).toContain(`CNAME ${b1.Name}`);

  await new Promise((r) => setTimeout(r, (MOTO_VALIDATION_SECONDS + 1) * 1000));
  const live = await cli('apply', '--config', s.file);
  expect({ code: live.code, err: live.err }).toEqual({ code: EXIT.ok, err: '' });
  let now = await coverage(s.lbArn);
  expect(Object.keys(now).map(Number)).toEqual(ports([1, 2, 3]));
  expect(Object.values(now).every((c) => c.covered && c.arn === block0)).toBe(true);

  mskHttp.msk.setBrokers(s.clusterArn, Array.from({ length: 12 }, (_, i) => ({ id: i + 1, ip: ip(i + 1) })));
  const twelve = await cli('apply', '--config', s.file);
  expect({ code: twelve.code, err: twelve.err }).toEqual({ code: EXIT.ok, err: '' });
  now = await coverage(s.lbArn);
  expect(Object.keys(now).map(Number)).toEqual(ports(Array.from({ length: 12 }, (_, i) => i + 1)));
  expect(Object.values(now).every((c) => c.covered)).toBe(true);
  expect(await ours()).toEqual(['b-10.kafka.example.com', 'b-20.kafka.example.com', 'bootstrap.kafka.example.com']);
  expect((await underscored(s.zoneId)).filter((r) => r.startsWith('CNAME '))).toHaveLength(30);

  mskHttp.msk.setBrokers(s.clusterArn, [1, 2, 3].map((id) => ({ id, ip: ip(id) })));
  const scaledIn = await cli('apply', '--config', s.file);
  expect({ code: scaledIn.code, err: scaledIn.err }).toEqual({ code: EXIT.ok, err: '' });
  expect(Object.keys(await coverage(s.lbArn)).map(Number)).toEqual(ports([1, 2, 3]));
  expect(await ours()).toEqual(['b-10.kafka.example.com', 'bootstrap.kafka.example.com']);
  expect((await underscored(s.zoneId)).filter((r) => r.startsWith('CNAME '))).toHaveLength(20);
  expect((await underscored(s.zoneId)).some((r) => r.includes('.b-20.'))).toBe(false);

  const check = await cli('check', '--config', s.file);
  expect(check.code).toBe(EXIT.ok);
  const plan = await cli('plan', '--config', s.file, '--json');
  expect(JSON.parse(plan.out)[0].plan.actions).toEqual([]);
}, 180_000);
