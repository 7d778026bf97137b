import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  ChangeResourceRecordSetsCommand,
  GetChangeCommand,
  GetHostedZoneCommand,
  InvalidChangeBatch,
  InvalidInput,
  ListHostedZonesByNameCommand,
  ListResourceRecordSetsCommand,
  NoSuchHostedZone,
  Route53Client,
  type Change,
  type ResourceRecordSet,
} from '@aws-sdk/client-route-53';
import { AwsWorld } from './index';

let world: AwsWorld;
let r53: Route53Client;
let zoneId: string;

beforeEach(() => {
  world = AwsWorld.install({ insyncAfterMs: 50 });
  r53 = new Route53Client({ region: 'eu-west-1' });
  zoneId = world.route53.addHostedZone({ name: 'kafka.example.com' });
});
afterEach(() => world.restore());

const a = (name: string, ip: string, ttl = 300): ResourceRecordSet => ({ Name: name, Type: 'A', TTL: ttl, ResourceRecords: [{ Value: ip }] });
const txt = (name: string, value: string): ResourceRecordSet => ({ Name: name, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: value }] });
const change = (Action: Change['Action'], ResourceRecordSet: ResourceRecordSet): Change => ({ Action, ResourceRecordSet });
const send = (...changes: Change[]) => r53.send(new ChangeResourceRecordSetsCommand({ HostedZoneId: zoneId, ChangeBatch: { Changes: changes } }));
const names = async (input: { StartRecordName?: string; StartRecordType?: any; MaxItems?: number } = {}) =>
  r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: zoneId, ...input }));

describe('zones', () => {
  test('a new zone has its SOA and NS, names in lower case with a trailing dot', async () => {
    const out = await names();
    expect(out.ResourceRecordSets!.map((r) => [r.Name, r.Type])).toEqual([['kafka.example.com.', 'NS'], ['kafka.example.com.', 'SOA']]);
    expect(out.ResourceRecordSets![0].ResourceRecords).toHaveLength(4);
    expect(out).toMatchObject({ IsTruncated: false, MaxItems: 300 });
    expect(zoneId).toMatch(/^Z0[A-Z0-9]{19}$/);
  });

  test('zone ids are accepted with the /hostedzone/ prefix, like the SDK middleware allows', async () => {
    const out = await r53.send(new GetHostedZoneCommand({ Id: `/hostedzone/${zoneId}` }));
    expect(out.HostedZone).toMatchObject({ Id: `/hostedzone/${zoneId}`, Name: 'kafka.example.com.', Config: { PrivateZone: false }, ResourceRecordSetCount: 2 });
    const byName = await r53.send(new ListHostedZonesByNameCommand({ DNSName: 'kafka.example.com' }));
    expect(byName.HostedZones!.map((z) => z.Id)).toEqual([`/hostedzone/${zoneId}`]);
  });

  test('an unknown zone is NoSuchHostedZone', async () => {
    const error = await r53.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'Z0NOPE' })).catch((e) => e);
    expect(error).toBeInstanceOf(NoSuchHostedZone);
    expect(error).toMatchObject({ name: 'NoSuchHostedZone', message: 'No hosted zone found with ID: Z0NOPE', Code: 'NoSuchHostedZone' });
  });
});

describe('listing', () => {
  beforeEach(async () => {
    await send(
      change('CREATE', a('b-2.kafka.example.com', '10.0.1.12')),
      change('CREATE', a('B-1.Kafka.Example.com.', '10.0.1.11')),
      change('CREATE', txt('b-1.kafka.example.com', '"owner=me"')),
      change('CREATE', a('bootstrap.kafka.example.com', '10.0.1.11')),
      change('CREATE', a('x.b-1.kafka.example.com', '10.0.1.99')),
    );
  });

  test('sorted like Route 53: labels reversed, then type', async () => {
    const out = await names();
    expect(out.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      'kafka.example.com. NS',
      'kafka.example.com. SOA',
      'b-1.kafka.example.com. A',
      'b-1.kafka.example.com. TXT',
      'x.b-1.kafka.example.com. A',
      'b-2.kafka.example.com. A',
      'bootstrap.kafka.example.com. A',
    ]);
  });

  test('pages with MaxItems, NextRecordName/NextRecordType and StartRecordName/StartRecordType', async () => {
    const first = await names({ MaxItems: 3 });
    expect(first).toMatchObject({ IsTruncated: true, MaxItems: 3, NextRecordName: 'b-1.kafka.example.com.', NextRecordType: 'TXT' });
    const second = await names({ MaxItems: 3, StartRecordName: first.NextRecordName, StartRecordType: first.NextRecordType });
    expect(second.ResourceRecordSets!.map((r) => `${r.Name} ${r.Type}`)).toEqual([
      'b-1.kafka.example.com. TXT', 'x.b-1.kafka.example.com. A', 'b-2.kafka.example.com. A',
    ]);
    const last = await names({ MaxItems: 3, StartRecordName: second.NextRecordName, StartRecordType: second.NextRecordType });
    expect(last.ResourceRecordSets!.map((r) => r.Name)).toEqual(['bootstrap.kafka.example.com.']);
    expect(last.IsTruncated).toBe(false);
    expect(last.NextRecordName).toBeUndefined();
  });

  test('StartRecordName alone starts at the first record at or after that name', async () => {
    const out = await names({ StartRecordName: 'b-2.kafka.example.com' });
    expect(out.ResourceRecordSets!.map((r) => r.Name)).toEqual(['b-2.kafka.example.com.', 'bootstrap.kafka.example.com.']);
  });

  test('wildcards come back escaped (\\052), as Route 53 returns them', async () => {
    world.route53.addRecord(zoneId, a('*.kafka.example.com', '10.0.0.1'));
    const out = await names({ StartRecordName: '*.kafka.example.com', MaxItems: 1 });
    expect(out.ResourceRecordSets![0].Name).toBe('\\052.kafka.example.com.');
  });
});

describe('change batches', () => {
  test('returns a PENDING change that becomes INSYNC after insyncAfterMs', async () => {
    const out = await send(change('UPSERT', a('b-1.kafka.example.com', '10.0.1.11')));
    expect(out.ChangeInfo).toEqual({ Id: expect.stringMatching(/^\/change\/C[A-Z0-9]+$/), Status: 'PENDING', SubmittedAt: expect.any(Date) });
    expect((await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe('PENDING');
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await r53.send(new GetChangeCommand({ Id: out.ChangeInfo!.Id }))).ChangeInfo!.Status).toBe('INSYNC');
  });

  test('the whole batch is atomic: one bad change and nothing is applied, every problem reported', async () => {
    world.route53.addRecord(zoneId, a('b-2.kafka.example.com', '10.0.1.12'));
    const error = await send(
      change('CREATE', a('b-1.kafka.example.com', '10.0.1.11')),
      change('CREATE', a('b-2.kafka.example.com', '10.0.1.99')),
      change('DELETE', a('b-3.kafka.example.com', '10.0.1.13')),
    ).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidChangeBatch);
    expect(error.messages).toEqual([
      "Tried to create resource record set [name='b-2.kafka.example.com.', type='A'] but it already exists",
      "Tried to delete resource record set [name='b-3.kafka.example.com.', type='A'] but it was not found",
    ]);
    expect(error.message).toBe(`[${error.messages.join(', ')}]`);
    expect(world.route53.records(zoneId).map((r) => r.Name)).not.toContain('b-1.kafka.example.com.');
  });

  test('DELETE must match the current values and TTL exactly (values in any order)', async () => {
    world.route53.addRecord(zoneId, { Name: 'b-1.kafka.example.com', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.1.11' }, { Value: '10.0.1.12' }] });
    await expect(send(change('DELETE', a('b-1.kafka.example.com', '10.0.1.11', 60)))).rejects.toMatchObject({
      messages: ["Tried to delete resource record set [name='b-1.kafka.example.com.', type='A'] but the values provided do not match the current values"],
    });
    await expect(send(change('DELETE', { Name: 'b-1.kafka.example.com', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '10.0.1.12' }, { Value: '10.0.1.11' }] }))).rejects.toBeInstanceOf(InvalidChangeBatch);
    await send(change('DELETE', { Name: 'b-1.kafka.example.com.', Type: 'A', TTL: 60, ResourceRecords: [{ Value: '10.0.1.12' }, { Value: '10.0.1.11' }] }));
    expect(world.route53.records(zoneId)).toHaveLength(2);
  });

  test('DELETE then CREATE of the same record in one batch is valid (changes apply in order)', async () => {
    world.route53.addRecord(zoneId, a('b-1.kafka.example.com', '10.0.1.11'));
    await send(change('DELETE', a('b-1.kafka.example.com', '10.0.1.11')), change('CREATE', a('b-1.kafka.example.com', '10.0.1.21')));
    expect(world.route53.records(zoneId).find((r) => r.Name === 'b-1.kafka.example.com.')!.ResourceRecords).toEqual([{ Value: '10.0.1.21' }]);
  });

  test('names outside the zone, CNAME beside other types, and CNAME at the apex are refused', async () => {
    world.route53.addRecord(zoneId, a('b-4.kafka.example.com', '10.0.1.14'));
    const cname = (name: string): ResourceRecordSet => ({ Name: name, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'elsewhere.example.net' }] });
    const error = await send(
      change('CREATE', a('b-1.other.example.com', '10.0.1.11')),
      change('CREATE', cname('b-4.kafka.example.com')),
      change('CREATE', cname('kafka.example.com')),
    ).catch((e) => e);
    expect(error.messages).toEqual([
      'RRSet with DNS name b-1.other.example.com. is not permitted in zone kafka.example.com.',
      'RRSet of type CNAME with DNS name b-4.kafka.example.com. is not permitted as it conflicts with other records with the same DNS name in zone kafka.example.com.',
      'RRSet of type CNAME with DNS name kafka.example.com. is not permitted at apex in zone kafka.example.com.',
    ]);
    world.route53.addRecord(zoneId, cname('b-5.kafka.example.com'));
    await expect(send(change('UPSERT', a('b-5.kafka.example.com', '10.0.1.15')))).rejects.toMatchObject({
      messages: ['RRSet of type A with DNS name b-5.kafka.example.com. is not permitted because a conflicting RRSet of type CNAME with the same DNS name already exists in zone kafka.example.com.'],
    });
  });

  test('TXT values must be quoted and A values must be IPv4, with Route 53\'s FATAL problem messages', async () => {
    const error = await send(change('CREATE', txt('owner.kafka.example.com', 'heritage=msk')), change('CREATE', a('b-1.kafka.example.com', 'not-an-ip'))).catch((e) => e);
    expect(error.messages).toEqual([
      "Invalid Resource Record: 'FATAL problem: InvalidCharacterString (Value should be enclosed in quotation marks) encountered with 'heritage=msk''",
      "Invalid Resource Record: 'FATAL problem: ARRDATAIllegalIPv4Address (Value is not a valid IPv4 address) encountered with 'not-an-ip''",
    ]);
  });

  test('aliases must target a known NLB DNS name together with that NLB\'s canonical hosted zone id', async () => {
    const lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb' });
    const lb = world.elbv2.loadBalancer(lbArn)!;
    const alias = (DNSName: string, HostedZoneId: string): ResourceRecordSet => ({
      Name: 'bootstrap.kafka.example.com', Type: 'A', AliasTarget: { DNSName, HostedZoneId, EvaluateTargetHealth: false },
    });
    await send(change('CREATE', alias(`dualstack.${lb.DNSName!.toUpperCase()}`, lb.CanonicalHostedZoneId!)));
    expect(world.route53.records(zoneId).find((r) => r.Type === 'A')!.AliasTarget).toEqual({
      DNSName: `dualstack.${lb.DNSName}.`, HostedZoneId: 'Z2IFOLAFXWLO4F', EvaluateTargetHealth: false,
    });
    const wrongZone = await send(change('UPSERT', alias(lb.DNSName!, zoneId))).catch((e) => e);
    expect(wrongZone.messages).toEqual([`Tried to create an alias that targets ${lb.DNSName}., type A in zone ${zoneId}, but that target was not found`]);
    const unknown = await send(change('UPSERT', alias('nope-123.elb.eu-west-1.amazonaws.com', 'Z2IFOLAFXWLO4F'))).catch((e) => e);
    expect(unknown.messages).toEqual(['Tried to create an alias that targets nope-123.elb.eu-west-1.amazonaws.com., type A in zone Z2IFOLAFXWLO4F, but that target was not found']);
    const otherZone = await send(change('UPSERT', alias(lb.DNSName!, 'Z35SXDOTRQ7X7K'))).catch((e) => e);
    expect(otherZone.messages).toEqual([`Tried to create an alias that targets ${lb.DNSName}., type A in zone Z35SXDOTRQ7X7K, but the alias target name does not lie within the target zone`]);
  });

  test('a record needs exactly one of AliasTarget or TTL+ResourceRecords (InvalidInput)', async () => {
    const error = await send(change('CREATE', { Name: 'b-1.kafka.example.com', Type: 'A' })).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidInput);
    expect(error.message).toBe('Invalid request: Expected exactly one of [AliasTarget, all of [TTL, and ResourceRecords]], but found none in Change with [Action=CREATE, Name=b-1.kafka.example.com, Type=A, SetIdentifier=null]');
  });
});

describe('request quotas: 1,000 ResourceRecord elements and 32,000 value characters, an UPSERT counting twice', () => {
  const ip = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const records = (n: number, action: Change['Action']) => Array.from({ length: n }, (_, i) => change(action, a(`h-${i}.kafka.example.com`, ip(i))));
  const longTxt = (i: number, chars: number) => txt(`t-${i}.kafka.example.com`, `"${'x'.repeat(chars - 2)}"`);

  test('1,000 records in CREATEs are accepted; one more and the whole batch is refused with Route 53\'s message', async () => {
    await send(...records(1000, 'CREATE'));
    expect(world.route53.records(zoneId)).toHaveLength(1002);
    const over = await send(...records(1001, 'CREATE').map((c) => change('CREATE', { ...c.ResourceRecordSet!, Name: `n-${c.ResourceRecordSet!.Name}` }))).catch((e) => e);
    expect(over).toBeInstanceOf(InvalidChangeBatch);
    expect(over.messages).toEqual(['Number of records limit of 1000 exceeded.']);
    expect(over.message).toBe('[Number of records limit of 1000 exceeded.]');
    expect(world.route53.records(zoneId).some((r) => r.Name!.startsWith('n-'))).toBe(false);
  });

  test('an UPSERT counts twice: 500 UPSERTs fit, 501 do not', async () => {
    const upserts = (n: number) => records(n, 'UPSERT');
    await send(...upserts(500));
    await expect(send(...upserts(501))).rejects.toMatchObject({ name: 'InvalidChangeBatch', messages: ['Number of records limit of 1000 exceeded.'] });
  });

  test('value characters (not names) are limited to 32,000, an UPSERT\'s twice; refused before any change is validated', async () => {
    // 16 values of 2,000 characters: exactly 32,000; the names are long and do not count.
    await send(...Array.from({ length: 16 }, (_, i) => change('CREATE', longTxt(i, 2000))));
    const error = await send(change('UPSERT', longTxt(100, 16_000)), change('CREATE', longTxt(0, 2000))).catch((e) => e);
    expect(error).toBeInstanceOf(InvalidChangeBatch);
    expect(error.messages).toEqual(['RDATA character limit of 32000 exceeded.']);
    // The CREATE of an existing record is not reported: the quota refuses the batch first.
    const both = await send(...records(1001, 'CREATE').map((_, i) => change('CREATE', txt(`m-${i}.kafka.example.com`, `"${'y'.repeat(30)}"`)))).catch((e) => e);
    expect(both.messages).toEqual(['Number of records limit of 1000 exceeded.', 'RDATA character limit of 32000 exceeded.']);
  });

  test('alias records have no ResourceRecord or Value: they do not count', async () => {
    const lbArn = world.elbv2.addLoadBalancer({ name: 'msk-nlb' });
    const lb = world.elbv2.loadBalancer(lbArn)!;
    const aliases = Array.from({ length: 1001 }, (_, i) => change('UPSERT', {
      Name: `al-${i}.kafka.example.com`, Type: 'A', AliasTarget: { DNSName: lb.DNSName!, HostedZoneId: lb.CanonicalHostedZoneId!, EvaluateTargetHealth: false },
    }));
    await send(...aliases);
    expect(world.route53.records(zoneId).filter((r) => r.Name!.startsWith('al-'))).toHaveLength(1001);
  });
});
