import { afterEach, expect, test } from '@jest/globals';
import { ACMClient, DescribeCertificateCommand, ListCertificatesCommand, RequestCertificateCommand, type RequestCertificateCommandInput } from '@aws-sdk/client-acm';
import { CreateListenerCommand, CreateTargetGroupCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand, Route53Client, type ChangeAction } from '@aws-sdk/client-route-53';
import { AwsWorld, VirtualClock } from './index';

// The world's ACM as a DNS-validated mode would use it: public certificates whose validation CNAMEs
// must be answered by a public Route 53 zone.

let world: AwsWorld;
let clock: VirtualClock;
afterEach(() => world?.restore());

const HOUR = 3600_000;
const acm = () => new ACMClient({ region: 'eu-west-1' });
const describe = async (arn: string) => (await acm().send(new DescribeCertificateCommand({ CertificateArn: arn }))).Certificate!;
const request = async (input: Omit<RequestCertificateCommandInput, 'ValidationMethod'>) =>
  (await acm().send(new RequestCertificateCommand({ ValidationMethod: 'DNS', ...input }))).CertificateArn!;
const cname = (zoneId: string, name: string, value: string, action: ChangeAction = 'UPSERT') =>
  new Route53Client({ region: 'us-east-1' }).send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: zoneId,
    ChangeBatch: { Changes: [{ Action: action, ResourceRecordSet: { Name: name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: value }] } }] },
  }));
/** The CNAME ACM asks for, as DescribeCertificate gives it. */
const recordOf = async (arn: string, name: string) => (await describe(arn)).DomainValidationOptions!.find((o) => o.DomainName === name)!.ResourceRecord!;

function install(options: { insyncAfterMs?: number } = {}): string {
  clock = new VirtualClock();
  world = AwsWorld.install({ now: () => clock.now(), ...options });
  return world.route53.addHostedZone({ name: 'example.com' });
}

test('a public certificate is AMAZON_ISSUED and PENDING; each name gets its CNAME some seconds after the request, shared by a wildcard and its base name', async () => {
  install();
  const arn = await request({ DomainName: 'kafka.example.com', SubjectAlternativeNames: ['*.kafka.example.com', 'b-1.kafka.example.com'] });
  const before = await describe(arn);
  expect(before).toMatchObject({ Type: 'AMAZON_ISSUED', Status: 'PENDING_VALIDATION', SubjectAlternativeNames: ['kafka.example.com', '*.kafka.example.com', 'b-1.kafka.example.com'] });
  expect(before.DomainValidationOptions).toEqual(['kafka.example.com', '*.kafka.example.com', 'b-1.kafka.example.com'].map((name) => ({
    DomainName: name, ValidationDomain: name, ValidationMethod: 'DNS', ValidationStatus: 'PENDING_VALIDATION',
  })));
  await clock.sleep(world.timing.validationRecordDelayMs - 1);
  expect((await describe(arn)).DomainValidationOptions!.some((o) => o.ResourceRecord)).toBe(false);
  await clock.sleep(1);
  const base = await recordOf(arn, 'kafka.example.com');
  expect(base).toEqual({ Name: expect.stringMatching(/^_[0-9a-f]{32}\.kafka\.example\.com\.$/), Type: 'CNAME', Value: expect.stringMatching(/^_[0-9a-f]{32}\.[a-z]{10}\.acm-validations\.aws\.$/) });
  expect(await recordOf(arn, '*.kafka.example.com')).toEqual(base);
  expect(await recordOf(arn, 'b-1.kafka.example.com')).not.toEqual(base);
  expect(base).toEqual(world.acm.validationRecord('kafka.example.com'));
});

test('without the CNAME nothing validates; with it in the public zone each name is validated dnsValidationMs later, and the certificate ISSUED with the last', async () => {
  const zoneId = install();
  const arn = await request({ DomainName: 'kafka.example.com', SubjectAlternativeNames: ['b-1.kafka.example.com'] });
  await clock.sleep(HOUR);
  expect((await describe(arn)).Status).toBe('PENDING_VALIDATION');
  const first = await recordOf(arn, 'kafka.example.com');
  // Route 53 names and values are case-insensitive; the trailing dot does not matter.
  await cname(zoneId, first.Name!.toUpperCase().replace(/\.$/, ''), first.Value!.replace(/\.$/, ''));
  await clock.sleep(world.timing.dnsValidationMs);
  const half = await describe(arn);
  expect(half.Status).toBe('PENDING_VALIDATION');
  expect(half.DomainValidationOptions!.map((o) => o.ValidationStatus)).toEqual(['SUCCESS', 'PENDING_VALIDATION']);
  const second = await recordOf(arn, 'b-1.kafka.example.com');
  await cname(zoneId, second.Name!, second.Value!);
  const lastWritten = clock.now();
  await clock.sleep(world.timing.dnsValidationMs - 1);
  expect((await describe(arn)).Status).toBe('PENDING_VALIDATION');
  await clock.sleep(1);
  const issued = await describe(arn);
  expect(issued).toMatchObject({ Status: 'ISSUED', Issuer: 'Amazon', RenewalEligibility: 'ELIGIBLE', IssuedAt: new Date(lastWritten + world.timing.dnsValidationMs) });
  expect(issued.NotAfter!.getTime() - issued.NotBefore!.getTime()).toBe(395 * 24 * HOUR);
  expect(issued.DomainValidationOptions!.map((o) => o.ValidationStatus)).toEqual(['SUCCESS', 'SUCCESS']);
  const { CertificateSummaryList: list } = await acm().send(new ListCertificatesCommand({}));
  expect(list).toEqual([expect.objectContaining({ CertificateArn: arn, Status: 'ISSUED', SubjectAlternativeNameSummaries: ['kafka.example.com', 'b-1.kafka.example.com'] })]);
});

test('validation is decided from when the record was answered, however late it is read; a change counts once INSYNC; a record removed too soon validates nothing', async () => {
  const zoneId = install({ insyncAfterMs: 60_000 });
  const arn = await request({ DomainName: 'kafka.example.com' });
  await clock.sleep(world.timing.validationRecordDelayMs);
  const record = await recordOf(arn, 'kafka.example.com');
  await cname(zoneId, record.Name!, record.Value!);
  await cname(zoneId, record.Name!, record.Value!, 'DELETE');
  await clock.sleep(world.timing.dnsValidationMs * 2);
  expect((await describe(arn)).Status).toBe('PENDING_VALIDATION');
  await cname(zoneId, record.Name!, record.Value!);
  const written = clock.now();
  // The same value again (an UPSERT) leaves it answered throughout.
  await clock.sleep(world.timing.dnsValidationMs / 2);
  await cname(zoneId, record.Name!, record.Value!);
  await clock.sleep(5 * HOUR);
  expect(await describe(arn)).toMatchObject({ Status: 'ISSUED', IssuedAt: new Date(written + 60_000 + world.timing.dnsValidationMs) });
});

test('a wrong value, a record in a private zone, or one in a parent zone under a more specific public zone does not validate', async () => {
  const parent = install();
  const arn = await request({ DomainName: 'kafka.example.com', SubjectAlternativeNames: ['b-1.other.example.com'] });
  await clock.sleep(world.timing.validationRecordDelayMs);
  const record = await recordOf(arn, 'kafka.example.com');
  const other = await recordOf(arn, 'b-1.other.example.com');
  await cname(parent, record.Name!, `_0123456789abcdef0123456789abcdef.abcdefghij.acm-validations.aws.`);
  const privateZone = world.route53.addHostedZone({ name: 'other.example.com', privateZone: true });
  await cname(privateZone, other.Name!, other.Value!);
  await clock.sleep(HOUR);
  expect((await describe(arn)).DomainValidationOptions!.map((o) => o.ValidationStatus)).toEqual(['PENDING_VALIDATION', 'PENDING_VALIDATION']);
  // A private zone does not hide the public one: the record in example.com is answered.
  await cname(parent, other.Name!, other.Value!);
  // A public kafka.example.com is where resolvers ask: the record in example.com is not answered.
  world.route53.addHostedZone({ name: 'kafka.example.com' });
  await cname(parent, record.Name!, record.Value!);
  await clock.sleep(HOUR);
  expect((await describe(arn)).DomainValidationOptions!.map((o) => o.ValidationStatus)).toEqual(['PENDING_VALIDATION', 'SUCCESS']);
});

test('the same name in two certificates has one record, which validates both; a later certificate from when its record is generated', async () => {
  const zoneId = install();
  const first = await request({ DomainName: 'kafka.example.com', SubjectAlternativeNames: ['b-1.kafka.example.com'] });
  await clock.sleep(world.timing.validationRecordDelayMs);
  for (const name of ['kafka.example.com', 'b-1.kafka.example.com']) {
    const r = await recordOf(first, name);
    await cname(zoneId, r.Name!, r.Value!);
  }
  await clock.sleep(world.timing.dnsValidationMs);
  expect((await describe(first)).Status).toBe('ISSUED');
  const requested = clock.now();
  const second = await request({ DomainName: 'b-1.kafka.example.com', SubjectAlternativeNames: ['*.kafka.example.com'] });
  await clock.sleep(world.timing.validationRecordDelayMs);
  expect(await recordOf(second, 'b-1.kafka.example.com')).toEqual(await recordOf(first, 'b-1.kafka.example.com'));
  expect(await recordOf(second, '*.kafka.example.com')).toEqual(await recordOf(first, 'kafka.example.com'));
  await clock.sleep(world.timing.dnsValidationMs);
  expect(await describe(second)).toMatchObject({ Status: 'ISSUED', IssuedAt: new Date(requested + world.timing.validationRecordDelayMs + world.timing.dnsValidationMs) });
});

test('unvalidated 72 hours after the CNAMEs were generated, the certificate is VALIDATION_TIMED_OUT, for good', async () => {
  const zoneId = install();
  const arn = await request({ DomainName: 'kafka.example.com', SubjectAlternativeNames: ['b-1.kafka.example.com'] });
  await clock.sleep(world.timing.validationRecordDelayMs);
  const record = await recordOf(arn, 'kafka.example.com');
  await cname(zoneId, record.Name!, record.Value!);
  await clock.sleep(72 * HOUR - 1);
  expect((await describe(arn)).Status).toBe('PENDING_VALIDATION');
  await clock.sleep(1);
  const timedOut = await describe(arn);
  expect(timedOut.Status).toBe('VALIDATION_TIMED_OUT');
  expect(timedOut.DomainValidationOptions!.map((o) => o.ValidationStatus)).toEqual(['SUCCESS', 'FAILED']);
  const late = await recordOf(arn, 'b-1.kafka.example.com');
  await cname(zoneId, late.Name!, late.Value!);
  await clock.sleep(HOUR);
  expect((await describe(arn)).Status).toBe('VALIDATION_TIMED_OUT');
});

test('a listener cannot present the certificate while it is PENDING_VALIDATION, and takes it once ISSUED', async () => {
  const zoneId = install();
  const lbArn = world.elbv2.addLoadBalancer({ name: 'nlb' });
  const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
  const tg = await elbv2.send(new CreateTargetGroupCommand({ Name: 'tg', Protocol: 'TLS', Port: 9098, VpcId: world.elbv2.loadBalancer(lbArn)!.VpcId, TargetType: 'ip' }));
  const arn = await request({ DomainName: 'kafka.example.com' });
  const listener = () => elbv2.send(new CreateListenerCommand({
    LoadBalancerArn: lbArn, Port: 9094, Protocol: 'TLS', Certificates: [{ CertificateArn: arn }],
    DefaultActions: [{ Type: 'forward', TargetGroupArn: tg.TargetGroups![0].TargetGroupArn }],
  }));
  // The world answers CertificateNotFound (elbv2.ts); which error ELBv2 gives for a pending certificate is not modelled here.
  await expect(listener()).rejects.toThrow();
  await clock.sleep(world.timing.validationRecordDelayMs);
  const record = await recordOf(arn, 'kafka.example.com');
  await cname(zoneId, record.Name!, record.Value!);
  await expect(listener()).rejects.toThrow();
  await clock.sleep(world.timing.dnsValidationMs);
  const { Listeners } = await listener();
  expect(Listeners![0].Certificates).toEqual([{ CertificateArn: arn }]);
  expect((await describe(arn)).InUseBy).toEqual([lbArn]);
});

test('e-mail validation, asked for or by default, is not modelled', async () => {
  install();
  await expect(acm().send(new RequestCertificateCommand({ DomainName: 'kafka.example.com', ValidationMethod: 'EMAIL' }))).rejects.toThrow(/not modelled/);
  await expect(acm().send(new RequestCertificateCommand({ DomainName: 'kafka.example.com' }))).rejects.toThrow(/not modelled/);
});
