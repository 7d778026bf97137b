// Splitting a zone's record changes into Route 53 requests within its quotas (issue 16).
import { describe, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { batchCost, CHANGE_BATCH_LIMITS, changeCost, splitChangeBatch, type BatchCost } from '../../../shared/plan/route53-batches';
import type { RecordChange } from '../../../shared/plan/types';
import type { RecordSet } from '../../../shared/types';

const NLB = 'msk-orders-0123456789abcdef.elb.eu-west-1.amazonaws.com.';
const ARN = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/4f1c2a9e-1b2c-4d5e-8f90-123456789abc-5';
const cname = (name: string, ttl = 60, target = NLB): RecordSet => ({ name, type: 'CNAME', ttl, values: [target] });
const alias = (name: string): RecordSet => ({ name, type: 'A', alias: { dnsName: NLB, hostedZoneId: 'Z2IFOLAFXWLO4F' } });
const txt = (name: string, ttl = 60, values = [`"heritage=msk-custom-domain-sync,owner=${ARN},resource=broker-1"`]): RecordSet => ({
  name: `_msk-custom-domain.${name}`, type: 'TXT', ttl, values,
});
const within = (cost: BatchCost, limits: BatchCost) => cost.resourceRecords <= limits.resourceRecords && cost.valueCharacters <= limits.valueCharacters;

describe('what a change counts', () => {
  test('ResourceRecord elements and Value characters, an UPSERT twice; names do not count', () => {
    const record = txt('b-1.kafka.example.com.', 60, ['"abc"', '"de"']);
    expect(changeCost({ action: 'CREATE', record })).toEqual({ resourceRecords: 2, valueCharacters: 9 });
    expect(changeCost({ action: 'DELETE', record })).toEqual({ resourceRecords: 2, valueCharacters: 9 });
    expect(changeCost({ action: 'UPSERT', record })).toEqual({ resourceRecords: 4, valueCharacters: 18 });
  });

  test('an alias (no ResourceRecord in the API) counts as one record of its target name, to be safe', () => {
    expect(changeCost({ action: 'UPSERT', record: alias('b-1.kafka.example.com.') })).toEqual({ resourceRecords: 2, valueCharacters: 2 * NLB.length });
  });
});

describe('splitting a zone\'s changes', () => {
  const upsertAll = (n: number): RecordChange[] =>
    Array.from({ length: n }, (_, i) => `b-${i + 1}.kafka.example.com.`).flatMap((name) => [
      { action: 'UPSERT' as const, record: cname(name, 300) },
      { action: 'UPSERT' as const, record: txt(name, 300) },
    ]);

  test('a small change set stays one request, in the planner\'s order', () => {
    const changes = upsertAll(3);
    expect(splitChangeBatch(changes)).toEqual([changes]);
    expect(splitChangeBatch([])).toEqual([]);
  });

  test('a recordTtl change of 93 CNAME names (the large-zone story) needs two requests; each is full up to the next name', () => {
    const changes = upsertAll(93);
    expect(batchCost(changes).valueCharacters).toBeGreaterThan(CHANGE_BATCH_LIMITS.valueCharacters);
    // Each name: its CNAME (56 characters) and TXT (148) UPSERTed, counted twice: 408; 78 names fit in 32,000.
    const perName = 2 * (NLB.length + txt('b-1.kafka.example.com.').values![0].length);
    expect(perName).toBe(408);
    const batches = splitChangeBatch(changes);
    expect(batches.map((b) => b.length / 2)).toEqual([Math.floor(CHANGE_BATCH_LIMITS.valueCharacters / perName), 93 - 78]);
    expect(batches.flat()).toEqual(changes);
    for (const b of batches) expect(within(batchCost(b), CHANGE_BATCH_LIMITS)).toBe(true);
  });

  test('make before break: new names (a renamed host template) in the first requests, the old ones deleted only after them', () => {
    const renamed: RecordChange[] = [
      ...Array.from({ length: 160 }, (_, i) => `k-${i + 1}.kafka.example.com.`).flatMap((name) => [
        { action: 'CREATE' as const, record: cname(name) },
        { action: 'CREATE' as const, record: txt(name) },
      ]),
      ...Array.from({ length: 160 }, (_, i) => `b-${i + 1}.kafka.example.com.`).flatMap((name) => [
        { action: 'DELETE' as const, record: cname(name) },
        { action: 'DELETE' as const, record: txt(name) },
      ]),
    ];
    const batches = splitChangeBatch(renamed);
    expect(batches.length).toBeGreaterThan(1);
    expect(batches[0].every((c) => c.action === 'CREATE')).toBe(true);
    const flat = batches.flat();
    expect(flat.findIndex((c) => c.action === 'DELETE')).toBeGreaterThan(flat.map((c) => c.action).lastIndexOf('CREATE'));
  });

  test('a name whose changes alone exceed one request is refused with what it would count', () => {
    const huge = txt('b-1.kafka.example.com.', 60, Array.from({ length: 100 }, () => `"${'x'.repeat(200)}"`));
    expect(() => splitChangeBatch([{ action: 'UPSERT', record: huge }])).toThrow(
      /the changes of b-1\.kafka\.example\.com\. and _msk-custom-domain\.b-1\.kafka\.example\.com\. alone exceed one Route 53 request \(200 records, 40400 value characters; at most 1000 and 32000\)/,
    );
  });
});

// ---------------------------------------------------------------- properties

/** The shapes of change the planner makes for one name (plan/records.ts), with values of any length. */
const value = (max: number) => fc.integer({ min: 3, max }).map((n) => `"${'v'.repeat(n - 2)}"`);
const txtValues = fc.array(value(600), { minLength: 1, maxLength: 6 });
const target = fc.integer({ min: 10, max: 253 }).map((n) => `${'t'.repeat(n - 1)}.`);

function groupFor(name: string, kind: number, values: string[], to: string): RecordChange[] {
  const registry = txt(name, 60, values);
  switch (kind) {
    case 0: return [{ action: 'CREATE', record: cname(name, 60, to) }, { action: 'CREATE', record: registry }];
    case 1: return [{ action: 'UPSERT', record: cname(name, 300, to) }, { action: 'UPSERT', record: registry }];
    case 2: return [{ action: 'DELETE', record: cname(name, 60, to) }, { action: 'CREATE', record: alias(name) }, { action: 'UPSERT', record: registry }];
    case 3: return [{ action: 'DELETE', record: alias(name) }, { action: 'DELETE', record: registry }];
    default: return [{ action: 'UPSERT', record: registry }];
  }
}

/** Distinct names, a group of changes each, merged in any interleaving that keeps each group's order. */
const zoneChanges = fc
  .uniqueArray(fc.integer({ min: 1, max: 400 }), { minLength: 0, maxLength: 150 })
  .chain((ids) =>
    fc.tuple(
      fc.tuple(...ids.map((id) => fc.tuple(fc.integer({ min: 0, max: 4 }), txtValues, target).map(([kind, values, to]) => groupFor(`b-${id}.kafka.example.com.`, kind, values, to)))),
      fc.array(fc.nat(), { maxLength: 1000 }),
    ),
  )
  .map(([groups, picks]) => {
    const queues = groups.map((g) => [...g]);
    const out: RecordChange[] = [];
    let p = 0;
    for (let live = queues.filter((q) => q.length); live.length; live = queues.filter((q) => q.length)) out.push(live[(picks[p++] ?? 0) % live.length].shift()!);
    return out;
  });

const limitsArb = fc.oneof(
  fc.constant<BatchCost>(CHANGE_BATCH_LIMITS),
  fc.record({ resourceRecords: fc.integer({ min: 20, max: 1000 }), valueCharacters: fc.integer({ min: 5000, max: 32_000 }) }),
);

/** The name a change is about, worked out here rather than taken from the module under test. */
const ownerName = (c: RecordChange) => c.record.name.replace(/^_msk-custom-domain\./, '');

/** Every change of a name and of its registry TXT, in input order. */
function byOwner(changes: RecordChange[]): Map<string, RecordChange[]> {
  const groups = new Map<string, RecordChange[]>();
  for (const c of changes) groups.set(ownerName(c), [...(groups.get(ownerName(c)) ?? []), c]);
  return groups;
}

describe('properties (fast-check)', () => {
  test('every request within the quotas; every change exactly once, a name\'s changes in the planner\'s order; a name and its TXT in the same request; no needless request', () => {
    fc.assert(
      fc.property(zoneChanges, limitsArb, (changes, limits) => {
        const groups = byOwner(changes);
        if ([...groups.values()].some((g) => !within(batchCost(g), limits))) {
          expect(() => splitChangeBatch(changes, limits)).toThrow(/alone exceed one Route 53 request/);
          return;
        }
        const batches = splitChangeBatch(changes, limits);
        // Within the quotas, none empty.
        for (const b of batches) {
          expect(b.length).toBeGreaterThan(0);
          expect(within(batchCost(b), limits)).toBe(true);
        }
        // Exactly the input, grouped by name in order of first appearance, each name's changes in input order.
        expect(batches.flat()).toEqual([...groups.values()].flat());
        // A name and its registry TXT never in two requests.
        const requestOf = new Map<string, number>();
        batches.forEach((b, i) =>
          b.forEach((c) => {
            const owner = ownerName(c);
            expect(requestOf.get(owner) ?? i).toBe(i);
            requestOf.set(owner, i);
          }),
        );
        // Greedy: the next request's first name would not have fitted in the one before.
        for (let i = 0; i + 1 < batches.length; i++) {
          const firstOfNext = groups.get(ownerName(batches[i + 1][0]))!;
          expect(within(batchCost([...batches[i], ...firstOfNext]), limits)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
  });

  test('whichever request is refused first, every name the requests before it touched has its whole change: record and TXT together', () => {
    fc.assert(
      fc.property(zoneChanges, fc.nat(), limitsArb, (changes, refused, limits) => {
        fc.pre([...byOwner(changes).values()].every((g) => within(batchCost(g), limits)));
        const batches = splitChangeBatch(changes, limits);
        const applied = batches.slice(0, batches.length ? refused % batches.length : 0).flat();
        const all = byOwner(changes);
        for (const [owner, done] of byOwner(applied)) expect(done).toEqual(all.get(owner));
      }),
      { numRuns: 300 },
    );
  });
});
