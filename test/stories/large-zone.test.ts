// Issue 16, Route 53's request quotas: a ChangeResourceRecordSets request holds at most 1,000
// ResourceRecord elements and 32,000 value characters, an UPSERT counting twice, and one over them
// is refused whole. A 30-broker cluster mapped on three listeners (IAM, SCRAM, TLS, each on its
// own NLB: 31 listeners each, under the NLB's 50) publishes 93 names in one zone; in CNAME mode a
// recordTtl change re-UPSERTs every CNAME and every registry TXT, about 38,000 counted characters.
import { afterEach, describe, expect, test } from '@jest/globals';
import type { Change, ChangeResourceRecordSetsCommandInput } from '@aws-sdk/client-route-53';
import type { ClusterConfig } from '../../shared/config/schema';
import { batchCost, CHANGE_BATCH_LIMITS } from '../../shared/plan/route53-batches';
import type { RecordChange } from '../../shared/plan/types';
import { reconcileCluster } from '../../shared/reconcile';
import { createScenario, range, type Scenario } from '../support/scenario';
import { CHANGE_BATCH_QUOTAS } from '../world/route53';

let s: Scenario | undefined;
afterEach(() => {
  s?.world.restore();
  s = undefined;
});

const BROKERS = 30;
const LISTENERS = 3;

/** 30 brokers on IAM, SCRAM and TLS listeners, each on an NLB of its own, names as CNAMEs. */
function largeCluster(): Scenario {
  return createScenario({
    brokerIds: range(1, BROKERS),
    config: { recordType: 'cname' },
    prepare: (world) => ({
      listeners: [
        { authentication: 'iam' },
        { authentication: 'scram', loadBalancerArn: world.elbv2.addLoadBalancer({ name: 'msk-orders-scram' }), bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' },
        { authentication: 'tls', loadBalancerArn: world.elbv2.addLoadBalancer({ name: 'msk-orders-tls' }), bootstrapPort: 9200, brokerPortBase: 9200, brokerHostTemplate: 't-{id}', bootstrapHost: 'bootstrap-tls' },
      ],
    }),
  });
}

const reconcileWith = (scenario: Scenario, config: ClusterConfig) => reconcileCluster(scenario.clients, config, { ...scenario.reconcileOptions, apply: true });

/** The ChangeResourceRecordSets requests sent since the last resetCalls, with what the world answered. */
function changeRequests(scenario: Scenario) {
  return scenario.world.calls
    .filter((c) => c.command === 'ChangeResourceRecordSetsCommand')
    .map((c) => ({ failed: c.failed, error: c.error, changes: (c.input as ChangeResourceRecordSetsCommandInput).ChangeBatch!.Changes! }));
}

/** Counted as Route 53 counts (UPSERT twice; names and aliases not at all). */
function quotaUse(changes: Change[]) {
  let records = 0;
  let characters = 0;
  for (const c of changes) {
    const times = c.Action === 'UPSERT' ? 2 : 1;
    for (const r of c.ResourceRecordSet!.ResourceRecords ?? []) {
      records += times;
      characters += times * r.Value!.length;
    }
  }
  return { records, characters };
}

const recordsOf = (scenario: Scenario) => scenario.world.route53.records(scenario.zoneId).filter((r) => r.Name!.endsWith('kafka.example.com.'));

describe('a large cluster in one zone: changes split within Route 53\'s request quotas', () => {
  test('a recordTtl change in CNAME mode (93 names and 93 TXT records UPSERTed, over 32,000 characters) is sent in several requests, each accepted, each awaited INSYNC; it converges', async () => {
    const scenario = (s = largeCluster());
    const names = LISTENERS * (BROKERS + 1);
    const first = await scenario.reconcile();
    expect(first.plan.conflicts).toEqual([]);
    expect(recordsOf(scenario)).toHaveLength(2 * names);

    scenario.world.resetCalls();
    const changed = { ...scenario.config, recordTtl: 300 };
    const outcome = await reconcileWith(scenario, changed);

    // The story crosses the quota: the zone's change set would not fit one request.
    const planned = outcome.plan.actions.flatMap((a) => (a.type === 'change-records' ? a.changes : [])) as RecordChange[];
    expect(planned).toHaveLength(2 * names);
    expect(planned.every((c) => c.action === 'UPSERT')).toBe(true);
    expect(batchCost(planned).valueCharacters).toBeGreaterThan(CHANGE_BATCH_LIMITS.valueCharacters);

    // Nothing refused; every request within the quotas as the world counts them.
    const requests = changeRequests(scenario);
    expect(requests.length).toBeGreaterThan(1);
    expect(requests.filter((r) => r.failed)).toEqual([]);
    for (const r of requests) {
      const use = quotaUse(r.changes);
      expect(use.records).toBeLessThanOrEqual(CHANGE_BATCH_QUOTAS.resourceRecords);
      expect(use.characters).toBeLessThanOrEqual(CHANGE_BATCH_QUOTAS.valueCharacters);
    }
    // Each name is in one request together with its registry TXT.
    const requestOf = new Map<string, number>();
    requests.forEach((r, i) => r.changes.forEach((c) => requestOf.set(c.ResourceRecordSet!.Name!, i)));
    expect(requestOf.size).toBe(2 * names);
    for (const [name, i] of requestOf) {
      if (!name.startsWith('_msk-custom-domain.')) expect(requestOf.get(`_msk-custom-domain.${name}`)).toBe(i);
    }
    // INSYNC awaited for each change: every id the apply returned was polled with GetChange.
    expect(outcome.applied!.changeIds).toHaveLength(requests.length);
    const polled = new Set(scenario.world.calls.filter((c) => c.command === 'GetChangeCommand').map((c) => String((c.input as { Id: string }).Id).replace(/^\/change\//, '')));
    for (const id of outcome.applied!.changeIds) expect(polled).toContain(id.replace(/^\/change\//, ''));

    // Converged: every CNAME and TXT has the new TTL, and the next run writes nothing.
    const records = recordsOf(scenario);
    expect(records).toHaveLength(2 * names);
    expect(records.filter((r) => r.TTL !== 300)).toEqual([]);
    scenario.world.resetCalls();
    const again = await reconcileWith(scenario, changed);
    expect(again.plan.actions).toEqual([]);
    expect(scenario.world.writes()).toEqual([]);
  });
});
