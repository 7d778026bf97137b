// Changing which listeners a cluster maps while brokers advertise their names: a name or port
// brokers still advertise is never deleted under its clients, a conflict on one listener's
// endpoint never sends that listener's clients to a name that leads nowhere, and a listener that
// joins an existing custom.advertised.listeners value gets the whole data path checked first.
import { afterEach, describe, expect, test } from '@jest/globals';
import { CreateListenerCommand, CreateTargetGroupCommand, DescribeListenersCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { parseConfig } from '../../shared/config/load';
import type { ClusterConfig } from '../../shared/config/schema';
import { reconcileCluster } from '../../shared/reconcile';
import { createKafkaScenario, SCRAM_USER, type KafkaScenario } from '../support/kafka-scenario';

const SCRAM = { authentication: 'scram' as const, bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' };
const STEP_MS = 120_000;

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

function withListeners(scenario: KafkaScenario, listeners: unknown[]): ClusterConfig {
  const { listeners: _, ...base } = scenario.config;
  return parseConfig({ clusters: [{ ...base, listeners }] }).clusters[0];
}

const run = (scenario: KafkaScenario, config: ClusterConfig) => reconcileCluster(scenario.clients, config, { ...scenario.reconcileOptions, apply: true });
const names = (scenario: KafkaScenario) =>
  scenario.world.route53.records(scenario.zoneId).filter((r) => r.Type === 'A').map((r) => r.Name!.split('.')[0]).sort();
const ports = async (scenario: KafkaScenario) =>
  ((await scenario.clients.elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: scenario.lbArn }))).Listeners ?? []).map((l) => l.Port!).sort((a, b) => a - b);

describe('a listener switched to bootstrap-only in msk-configuration mode', () => {
  test('its entry leaves the configuration first (one rolling restart); its names and ports go only once brokers stopped advertising them; its clients never fail', async () => {
    s = await createKafkaScenario({
      config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true, listeners: [{ authentication: 'iam' }, SCRAM] },
      serverProperties: 'auto.create.topics.enable=false\n',
    });
    const scenario = s;
    await scenario.reconcile();
    expect(scenario.kafka.broker(1).advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 's-1.kafka.example.com', port: 9101 });
    scenario.startProbe(30_000);
    await scenario.passAll(STEP_MS);

    const bootstrapOnly = withListeners(scenario, [{ authentication: 'iam' }, { ...SCRAM, endpoints: 'bootstrap-only' }]);
    const first = await run(scenario, bootstrapOnly);
    // The SCRAM entry is removed from custom.advertised.listeners; the names and listeners brokers advertised meanwhile are kept.
    const update = first.plan.actions.find((a) => a.type === 'update-msk-configuration');
    expect(update?.type === 'update-msk-configuration' && update.serverProperties).toBe(
      'auto.create.topics.enable=false\ncustom.advertised.listeners=CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}\n',
    );
    expect(first.plan.actions.filter((a) => a.type === 'delete-listener' || a.type === 'change-records')).toEqual([]);
    expect(first.plan.conflicts.map((c) => c.resource)).toEqual(expect.arrayContaining(['listener :9101', 'record s-1.kafka.example.com.']));
    expect(first.plan.conflicts.find((c) => c.resource === 'record s-1.kafka.example.com.')!.message).toMatch(/still advertise s-1\.kafka\.example\.com:9101 \(CLIENT_SASL_SCRAM\)/);
    expect(scenario.world.msk.rollingRestarts(scenario.clusterArn)).toBe(2);
    expect(scenario.kafka.broker(1).advertisedEndpoint('CLIENT_SASL_SCRAM')!.host).toBe(scenario.kafka.broker(1).awsHost);
    const during = await scenario.passAll(STEP_MS);

    // Brokers advertise the AWS names now: the next run deletes the SCRAM broker names and listeners, and restarts nothing.
    const second = await run(scenario, bootstrapOnly);
    expect(second.plan.conflicts).toEqual([]);
    expect(names(scenario)).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap', 'bootstrap-scram']);
    expect(await ports(scenario)).toEqual([9000, 9001, 9002, 9003, 9100]);
    expect(scenario.world.msk.rollingRestarts(scenario.clusterArn)).toBe(2);
    const after = await scenario.passAll(STEP_MS);

    for (const figures of [during, after]) {
      expect({ iam: figures.iam!.failed, scram: figures.scram!.failed }).toEqual({ iam: 0, scram: 0 });
    }
    // SCRAM clients bootstrap through the NLB and then reach the brokers by their AWS names.
    expect(after.scram!.advertised.every((a) => a.includes('.amazonaws.com:'))).toBe(true);
  });
});

describe('a listener removed from the config in dynamic mode', () => {
  test('its brokers move back to their AWS names first; its names and ports are kept while advertised, and go on the next run', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'dynamic-broker-config', listeners: [{ authentication: 'iam' }, SCRAM] } });
    const scenario = s;
    await scenario.reconcile();
    const iamOnly = withListeners(scenario, [{ authentication: 'iam' }]);
    const out = await run(scenario, iamOnly);
    // Only the unadvertised bootstrap goes now; the per-broker names and ports are held (the plan was made while brokers advertised them).
    expect(out.plan.actions.filter((a) => a.type === 'delete-listener').map((a) => a.port)).toEqual([9100]);
    expect(await ports(scenario)).toEqual([9000, 9001, 9002, 9003, 9101, 9102, 9103]);
    expect(names(scenario)).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap', 's-1', 's-2', 's-3']);
    expect(out.plan.conflicts.find((c) => c.resource === 'listener :9102')!.message).toMatch(/broker\(s\) 2 still advertise s-2\.kafka\.example\.com:9102 .*in dynamic mode in this run/);
    // The same run set SCRAM back to the AWS name on every broker, IAM untouched.
    for (const id of [1, 2, 3]) {
      const b = scenario.kafka.broker(id);
      expect(b.advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: b.awsHost, port: b.ports.CLIENT_SASL_SCRAM });
      expect(b.advertisedEndpoint('CLIENT_IAM')).toEqual({ host: `b-${id}.kafka.example.com`, port: 9000 + id });
    }
    const next = await run(scenario, iamOnly);
    expect(next.plan.conflicts).toEqual([]);
    expect(await ports(scenario)).toEqual([9000, 9001, 9002, 9003]);
    expect(names(scenario)).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap']);
    expect((await run(scenario, iamOnly)).plan.actions).toEqual([]);
  });
});

describe('a conflict on one listener\'s endpoint (dynamic mode, IAM + SCRAM)', () => {
  test('that broker keeps its AWS name on that listener only; the other listener still gets its custom name', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'dynamic-broker-config', listeners: [{ authentication: 'iam' }, SCRAM] } });
    const scenario = s;
    // Someone else's listener on :9001, where the IAM name of broker 1 would go.
    const group = await scenario.clients.elbv2.send(new CreateTargetGroupCommand({ Name: 'someone-else', Protocol: 'TCP', Port: 9092, VpcId: scenario.world.elbv2.loadBalancer(scenario.lbArn)!.VpcId, TargetType: 'ip' }));
    await scenario.clients.elbv2.send(new CreateListenerCommand({
      LoadBalancerArn: scenario.lbArn, Protocol: 'TCP', Port: 9001, DefaultActions: [{ Type: 'forward', TargetGroupArn: group.TargetGroups![0].TargetGroupArn }],
    }));
    const { plan } = await scenario.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toContain('listener :9001');
    const b1 = scenario.kafka.broker(1);
    expect(b1.advertisedEndpoint('CLIENT_IAM')).toEqual({ host: b1.awsHost, port: b1.ports.CLIENT_IAM });
    expect(b1.advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 's-1.kafka.example.com', port: 9101 });
    expect(scenario.kafka.broker(2).advertisedEndpoint('CLIENT_IAM')).toEqual({ host: 'b-2.kafka.example.com', port: 9002 });
  });
});

describe('a listener added beside an entry already in custom.advertised.listeners', () => {
  test('the rollout that adds it runs the whole data-path check first', async () => {
    s = await createKafkaScenario({
      config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true },
      serverProperties: 'custom.advertised.listeners=CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}\n',
      // The cluster has SASL/SCRAM on already; the config maps only IAM so far.
      scramCredentials: { [SCRAM_USER.username]: SCRAM_USER.password },
    });
    const scenario = s;
    const withScram = withListeners(scenario, [{ authentication: 'iam' }, SCRAM]);
    const { plan } = await run(scenario, withScram);
    const types = plan.actions.map((a) => a.type);
    expect(types).toContain('update-msk-configuration');
    expect(types.indexOf('verify-data-path')).toBeGreaterThanOrEqual(0);
    expect(types.indexOf('verify-data-path')).toBeLessThan(types.indexOf('update-msk-configuration'));
  });
});

describe('a host template changed in msk-configuration mode', () => {
  test('the old names stay while brokers advertise them (the rolling restart not yet allowed); they go after the rollout', async () => {
    s = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true } });
    const scenario = s;
    await scenario.reconcile();
    const { listeners: _, ...base } = scenario.config;
    const renamed = parseConfig({ clusters: [{ ...base, brokerHostTemplate: 'broker-{id}', allowRollingRestart: false }] }).clusters[0];
    const waiting = await run(scenario, renamed);
    expect(waiting.plan.pending.join(' ')).toMatch(/ROLLING RESTART NEEDED/);
    // Both sets of names exist: the old ones are what every client's Metadata says.
    expect(names(scenario)).toEqual(['b-1', 'b-2', 'b-3', 'bootstrap', 'broker-1', 'broker-2', 'broker-3']);
    expect(waiting.plan.conflicts.map((c) => c.resource)).toEqual(['record b-1.kafka.example.com.', 'record b-2.kafka.example.com.', 'record b-3.kafka.example.com.']);

    await run(scenario, { ...renamed, allowRollingRestart: true });
    expect(scenario.kafka.broker(1).advertisedEndpoint('CLIENT_IAM')).toEqual({ host: 'broker-1.kafka.example.com', port: 9001 });
    await run(scenario, renamed);
    expect(names(scenario)).toEqual(['bootstrap', 'broker-1', 'broker-2', 'broker-3']);
  });
});
