// Route 53's request quotas over real HTTP against moto, an independent emulator: moto enforces the
// 1,000 ResourceRecord elements (an UPSERT counting twice) with "Number of records limit of 1000
// exceeded." (no brackets, unlike Route 53's message list); it does not enforce the 32,000 value
// characters (moto 5.2: route53/responses.py counts records only).
import { afterAll, beforeAll, expect, test } from '@jest/globals';
import { ChangeResourceRecordSetsCommand, CreateHostedZoneCommand, ListResourceRecordSetsCommand, Route53Client, type ResourceRecordSet } from '@aws-sdk/client-route-53';
import { changeRecords } from '../../shared/apply/route53';
import { MANAGED_BY } from '../../shared/naming';
import type { RecordChange } from '../../shared/plan/types';
import { startMoto, type Moto } from './moto';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/4f1c2a9e-1b2c-4d5e-8f90-123456789abc-5';
const NLB = 'msk-orders-0123456789abcdef.elb.eu-west-1.amazonaws.com.';
let moto: Moto;
let route53: Route53Client;

beforeAll(async () => {
  // A moto of its own, not MOTO_URL's: the CLI suite resets the shared one after each of its tests,
  // which would wipe this zone mid-test when jest runs both files at once.
  const shared = process.env.MOTO_URL;
  delete process.env.MOTO_URL;
  try {
    moto = await startMoto();
  } finally {
    if (shared !== undefined) process.env.MOTO_URL = shared;
  }
  route53 = new Route53Client({ region: 'us-east-1', endpoint: moto.url, credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' } });
}, 60_000);
afterAll(async () => {
  await moto?.stop();
});

/** 300 names as CNAMEs with their registry TXT, all UPSERTed: 1,200 counted records. */
const upserts: RecordChange[] = Array.from({ length: 300 }, (_, i) => i + 1).flatMap((id) => [
  { action: 'UPSERT' as const, record: { name: `b-${id}.kafka.example.com.`, type: 'CNAME', ttl: 300, values: [NLB] } },
  { action: 'UPSERT' as const, record: { name: `_msk-custom-domain.b-${id}.kafka.example.com.`, type: 'TXT', ttl: 300, values: [`"heritage=${MANAGED_BY},owner=${ARN},resource=broker-${id}"`] } },
]);

const asSet = (c: RecordChange): ResourceRecordSet => ({ Name: c.record.name, Type: c.record.type as never, TTL: c.record.ttl, ResourceRecords: c.record.values!.map((Value) => ({ Value })) });

async function allRecords(zoneId: string): Promise<ResourceRecordSet[]> {
  const out: ResourceRecordSet[] = [];
  let start: { StartRecordName?: string; StartRecordType?: never } = {};
  for (;;) {
    const page = await route53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...start }));
    out.push(...(page.ResourceRecordSets ?? []));
    if (!page.IsTruncated) return out;
    start = { StartRecordName: page.NextRecordName, StartRecordType: page.NextRecordType as never };
  }
}

test('moto refuses the 1,200-record request whole; changeRecords sends it split within the quotas and every name lands with its TXT', async () => {
  const zone = await route53.send(new CreateHostedZoneCommand({ Name: 'example.com', CallerReference: `large-${Date.now()}` }));
  const zoneId = zone.HostedZone!.Id!.replace('/hostedzone/', '');

  const whole = await route53
    .send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: upserts.map((c) => ({ Action: c.action, ResourceRecordSet: asSet(c) })) } }))
    .catch((e) => e);
  expect(whole).toMatchObject({ name: 'InvalidChangeBatch', message: 'Number of records limit of 1000 exceeded.' });
  expect((await allRecords(zoneId)).filter((r) => r.Name!.includes('kafka'))).toEqual([]);

  const ids = await changeRecords(route53, zoneId, ARN, upserts, { minDelaySeconds: 1, maxWaitSeconds: 30 });
  expect(ids.length).toBeGreaterThan(1);
  const names = (await allRecords(zoneId)).filter((r) => r.Name!.includes('kafka'));
  expect(names).toHaveLength(600);
  expect(names.filter((r) => r.TTL !== 300)).toEqual([]);
}, 60_000);
