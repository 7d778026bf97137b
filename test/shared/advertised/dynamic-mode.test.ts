import { afterEach, describe, expect, test } from '@jest/globals';
import { createKafkaScenario, type KafkaScenario } from '../../support/kafka-scenario';
import { reconcileCluster } from '../../../shared/reconcile';
import { staticCredentials } from '../../kafka/helpers';

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const custom = (id: number) => `CLIENT_IAM://b-${id}.kafka.example.com:${9000 + id}`;

function clientEntry(s: KafkaScenario, id: number): string | undefined {
  const value = s.kafka.broker(id).configs.dynamic['advertised.listeners'] ?? s.kafka.broker(id).configs.static['advertised.listeners'];
  return value?.split(',').find((e) => e.startsWith('CLIENT_IAM://'));
}

const alters = (s: KafkaScenario, id: number) =>
  s.kafka.broker(id).requests.filter((r) => r.apiName === 'AlterConfigs' && !(r.request as { validateOnly?: boolean }).validateOnly);

describe('dynamic-broker-config mode on a ZooKeeper cluster', () => {
  test('brokers advertise their custom names once listener, target and name are in place; the result is verified', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    const { plan, applied } = await s.reconcile();
    expect(plan.conflicts).toEqual([]);
    for (const id of [1, 2, 3]) expect(clientEntry(s, id)).toBe(custom(id));
    expect(applied?.verification).toEqual([1, 2, 3].map((id) => ({ brokerId: id, listener: 'CLIENT_IAM', expected: `b-${id}.kafka.example.com:${9000 + id}`, actual: `b-${id}.kafka.example.com:${9000 + id}`, ok: true })));

    // Converged: a second run alters nothing.
    const before = [1, 2, 3].map((id) => alters(s!, id).length);
    const again = await s.reconcile();
    expect(again.plan.actions).toEqual([]);
    expect([1, 2, 3].map((id) => alters(s!, id).length)).toEqual(before);
  });

  test('order is a safety rule: when the DNS change fails, no broker changes what it advertises', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    s.world.faults.add({ command: 'ChangeResourceRecordSetsCommand', error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow(/change 8 DNS record/);
    expect(s.kafka.requests.filter((r) => r.apiName === 'AlterConfigs')).toHaveLength(0);
    await s.reconcile();
    expect(clientEntry(s, 1)).toBe(custom(1));
  });

  test('scale-out 3 -> 6 alters only brokers 4-6; every other listener and dynamic config is kept byte for byte', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    await s.reconcile();
    await s.setBrokers([1, 2, 3, 4, 5, 6]);
    s.kafka.broker(4).setDynamicConfig('log.cleaner.threads', '2');
    s.kafka.broker(4).setDynamicConfig('listener.name.client_iam.max.connections', ' 1000');
    const otherEntriesBefore = s.kafka.broker(4).configs.static['advertised.listeners'].split(',').filter((e) => !e.startsWith('CLIENT_IAM://'));
    const firstThree = [1, 2, 3].map((id) => alters(s!, id).length);

    const { plan } = await s.reconcile();
    expect(plan.actions.filter((a) => a.type === 'alter-broker-configs').map((a) => a.resource)).toEqual(['broker-4', 'broker-5', 'broker-6']);
    expect([1, 2, 3].map((id) => alters(s!, id).length)).toEqual(firstThree);

    const four = s.kafka.broker(4).configs.dynamic;
    expect(four['log.cleaner.threads']).toBe('2');
    expect(four['listener.name.client_iam.max.connections']).toBe(' 1000');
    const entries = four['advertised.listeners'].split(',');
    expect(entries.filter((e) => !e.startsWith('CLIENT_IAM://'))).toEqual(otherEntriesBefore);
    expect(entries).toContain(custom(4));
  });

  test("another client listener's entry (not mapped) is kept byte for byte; only the mapped one changes", async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    for (const b of s.kafka.brokers) {
      const broker = s.kafka.broker(b.id);
      broker.setStaticConfig('listeners', `${broker.configs.static.listeners},CLIENT_SASL_SCRAM://${b.host}:9096`);
      broker.setStaticConfig('advertised.listeners', `${broker.configs.static['advertised.listeners']},CLIENT_SASL_SCRAM://${b.awsHost}:9096`);
    }
    const before = [1, 2, 3].map((id) => s!.kafka.broker(id).configs.static['advertised.listeners'].split(',').filter((e) => !e.startsWith('CLIENT_IAM://')));
    const { applied } = await s.reconcile();
    for (const id of [1, 2, 3]) {
      const entries = s.kafka.broker(id).configs.dynamic['advertised.listeners'].split(',');
      expect(entries.filter((e) => !e.startsWith('CLIENT_IAM://'))).toEqual(before[id - 1]);
      expect(entries).toContain(custom(id));
    }
    expect(applied?.verification?.every((v) => v.ok && v.listener === 'CLIENT_IAM')).toBe(true);
  });

  test('a sensitive dynamic config would be wiped by legacy AlterConfigs: clear refusal, nothing written to that broker', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    s.kafka.broker(2).setDynamicConfig('listener.name.client_iam.ssl.key.password', 'hunter2', { sensitive: true });
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([
      { resource: 'broker-2 advertised.listeners', message: expect.stringContaining('listener.name.client_iam.ssl.key.password') },
    ]);
    expect(alters(s, 2)).toHaveLength(0);
    expect(s.kafka.broker(2).configs.dynamic['listener.name.client_iam.ssl.key.password']).toBe('hunter2');
    expect(clientEntry(s, 1)).toBe(custom(1));
  });

  test('a KRaft cluster is refused, pointing to msk-configuration; the networking is still managed', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], mode: 'kraft' });
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{ resource: 'advertised.listeners', message: expect.stringMatching(/KRaft mode .* set advertisedListeners: msk-configuration/) }]);
    expect(s.kafka.requests.filter((r) => r.apiName === 'AlterConfigs')).toHaveLength(0);
    expect(s.world.writes().some((c) => c.command === 'CreateListenerCommand')).toBe(true);
  });

  test('a broker advertising a broken name does not lock the admin out: it is reached through its AWS endpoint and fixed', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    // Brokers 1 (the controller) and 2 advertise names that do not resolve (the guide's classic lock-out).
    for (const id of [1, 2]) {
      const value = s.kafka.broker(id).configs.static['advertised.listeners'].replace(/CLIENT_IAM:\/\/[^,]+/, `CLIENT_IAM://b-${id}.broken.invalid:9${id}`);
      s.kafka.broker(id).setDynamicConfig('advertised.listeners', value);
    }
    const { applied } = await s.reconcile();
    for (const id of [1, 2, 3]) expect(clientEntry(s, id)).toBe(custom(id));
    expect(applied?.verification?.every((v) => v.ok)).toBe(true);
  });

  test('wrong credentials: the authentication error is surfaced clearly and nothing is altered', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    const { plan } = await reconcileCluster(s.clients, s.config, {
      ...s.reconcileOptions,
      apply: true,
      kafkaAccess: { ...s.reconcileOptions.kafkaAccess, credentials: staticCredentials(undefined, 'not-the-secret') },
    });
    expect(plan.conflicts).toHaveLength(3);
    expect(plan.conflicts[0].message).toMatch(/authentication|Access denied/i);
    expect(plan.conflicts[0].message).toContain('kafka-cluster:Connect');
    expect(s.kafka.requests.filter((r) => r.apiName === 'AlterConfigs')).toHaveLength(0);
  });

  test('ports and names are derived per broker id, so two brokers can never advertise one port', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 10, 11] });
    await s.reconcile();
    const seen = [1, 2, 10, 11].map((id) => clientEntry(s!, id));
    expect(seen).toEqual([custom(1), custom(2), custom(10), custom(11)]);
    expect(new Set(seen.map((e) => e!.split(':').pop())).size).toBe(4);
  });
});
