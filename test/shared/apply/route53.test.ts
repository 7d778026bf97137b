// changeRecords: a zone's changes in several requests within Route 53's quotas, each answered
// like the real service (test/world/route53.ts), with a lost reply or a refusal in the middle.
import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { Route53Client, type ChangeResourceRecordSetsCommandInput } from '@aws-sdk/client-route-53';
import { changeRecords } from '../../../shared/apply/route53';
import { commonParent } from '../../../shared/apply/confirm-route53';
import { splitChangeBatch } from '../../../shared/plan/route53-batches';
import { logger } from '../../../shared/log';
import { MANAGED_BY } from '../../../shared/naming';
import type { RecordChange } from '../../../shared/plan/types';
import { AwsWorld } from '../../world';

const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/4f1c2a9e-1b2c-4d5e-8f90-123456789abc-5';
const NLB = 'msk-orders-0123456789abcdef.elb.eu-west-1.amazonaws.com.';
const WAIT = { minDelaySeconds: 0.01, maxWaitSeconds: 5 };

let world: AwsWorld;
let r53: Route53Client;
let zoneId: string;
beforeEach(() => {
  world = AwsWorld.install({ insyncAfterMs: 20 });
  r53 = new Route53Client({ region: 'eu-west-1' });
  zoneId = world.route53.addHostedZone({ name: 'example.com' });
});
afterEach(() => {
  world.restore();
  jest.restoreAllMocks();
});

/** CREATE of n names as CNAMEs with their registry TXT: about 205 counted characters a name. */
const created = (n: number): RecordChange[] =>
  Array.from({ length: n }, (_, i) => i + 1).flatMap((id) => [
    { action: 'CREATE' as const, record: { name: `b-${id}.kafka.example.com.`, type: 'CNAME', ttl: 60, values: [NLB] } },
    { action: 'CREATE' as const, record: { name: `_msk-custom-domain.b-${id}.kafka.example.com.`, type: 'TXT', ttl: 60, values: [`"heritage=${MANAGED_BY},owner=${ARN},resource=broker-${id}"`] } },
  ]);

const requests = () =>
  world.calls.filter((c) => c.command === 'ChangeResourceRecordSetsCommand').map((c) => ({
    error: c.error,
    names: (c.input as ChangeResourceRecordSetsCommandInput).ChangeBatch!.Changes!.map((ch) => ch.ResourceRecordSet!.Name!),
  }));
/** Names per request as split (TXT values grow with the broker id: about 156 names a request). */
const SIZES = splitChangeBatch(created(400)).map((b) => b.length / 2);

const names = () => world.route53.records(zoneId).map((r) => r.Name!).filter((n) => n.includes('kafka'));

describe('a zone\'s changes over one request\'s quotas', () => {
  test('400 names (800 CREATEs, about 82,000 counted characters) go out in 3 requests, in the planner\'s order, each awaited INSYNC', async () => {
    const changes = created(400);
    const ids = await changeRecords(r53, zoneId, ARN, changes, WAIT);
    expect(SIZES).toHaveLength(3);
    expect(requests().map((r) => [r.error, r.names.length / 2])).toEqual(SIZES.map((n) => [undefined, n]));
    expect(requests().flatMap((r) => r.names)).toEqual(changes.map((c) => c.record.name));
    expect(ids).toHaveLength(3);
    for (const id of ids) expect(world.calls.some((c) => c.command === 'GetChangeCommand' && String((c.input as { Id: string }).Id).endsWith(id.replace(/^\/change\//, '')))).toBe(true);
    expect(names()).toHaveLength(800);
  });

  test('the reply of the second request lost: its retry is refused as already made, confirmed by a read, and the third still goes out', async () => {
    const debug = jest.spyOn(logger, 'debug');
    world.faults.add({ command: 'ChangeResourceRecordSetsCommand', error: 'reply-lost', afterCalls: 1 });
    const ids = await changeRecords(r53, zoneId, ARN, created(400), WAIT);
    expect(requests().map((r) => [r.error, r.names.length / 2])).toEqual([[undefined, SIZES[0]], ['ECONNRESET', SIZES[1]], ['InvalidChangeBatch', SIZES[1]], [undefined, SIZES[2]]]);
    const second = 2 * SIZES[1];
    expect(commonParent(['b-1.kafka.example.com.', '_msk-custom-domain.b-2.kafka.example.com.', 's-1.kafka.example.com.'])).toBe('kafka.example.com.');
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ action: `${second} of ${second} DNS change(s)`, refusal: 'InvalidChangeBatch' }), expect.stringContaining('already in place'));
    // The request's 2 x 156 names were read as their one subtree (800 records: 3 pages), not one by one.
    expect(world.calls.filter((c) => c.command === 'ListResourceRecordSetsCommand').map((c) => (c.input as { StartRecordName?: string }).StartRecordName)).toEqual([
      'kafka.example.com.', expect.any(String), expect.any(String),
    ]);
    // The lost change's id never arrived: the other two are awaited.
    expect(ids).toHaveLength(2);
    expect(names()).toHaveLength(800);
  });

  test('a request refused for a real reason stops the rest; the requests before it hold whole names, each with its TXT', async () => {
    // Someone else's record on a name of the second request.
    const inSecond = `b-${SIZES[0] + 10}.kafka.example.com.`;
    world.route53.addRecord(zoneId, { Name: inSecond, Type: 'A', TTL: 60, ResourceRecords: [{ Value: '192.0.2.1' }] });
    await expect(changeRecords(r53, zoneId, ARN, created(400), WAIT)).rejects.toMatchObject({
      name: 'InvalidChangeBatch',
      messages: [`RRSet of type CNAME with DNS name ${inSecond} is not permitted as it conflicts with other records with the same DNS name in zone example.com.`],
    });
    expect(requests().map((r) => r.error)).toEqual([undefined, 'InvalidChangeBatch']);
    const made = names();
    expect(made.filter((n) => !n.startsWith('_msk')).sort()).toEqual([...created(SIZES[0]).filter((c) => c.record.type === 'CNAME').map((c) => c.record.name), inSecond].sort());
    expect(made.filter((n) => n.startsWith('_msk')).sort()).toEqual(created(SIZES[0]).filter((c) => c.record.type === 'TXT').map((c) => c.record.name).sort());
  });
});
