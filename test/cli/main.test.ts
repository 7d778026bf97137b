import { parseConfig } from '../../shared/config/load';
import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../cli/main';
import { cli, kafkaDeps, writeConfig as writeConfigIn } from './support';
import type { ClusterConfig } from '../../shared/config/schema';
import { CUSTOM_ADVERTISED_LISTENERS } from '../../shared/advertised/server-properties';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../support/scenario';
import { observe } from '../../shared/observe';
import { formatState } from '../../shared/report/state';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import { mapping, names } from '../support/inspect';
import { resolveCluster } from '../../shared/listeners';

// The CLI as a user runs it: a config file on disk, argv, and what lands on stdout/stderr.
// AWS is the embedded world behind the real SDK clients; Kafka (where needed) the fake cluster.

let dir: string;
let s: Scenario | undefined;
let k: KafkaScenario | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msk-cli-'));
});
afterEach(async () => {
  s?.world.restore();
  s = undefined;
  await k?.stop();
  k = undefined;
  await rm(dir, { recursive: true, force: true });
});

const writeConfig = (clusters: unknown[], name?: string) => writeConfigIn(dir, clusters, name);

/** A second cluster in the same world, on its own NLB, under payments.example.com. */
function addSecondCluster(scenario: Scenario, name = 'payments'): ClusterConfig {
  const clusterArn = scenario.world.msk.addCluster({
    name,
    brokers: [1, 2].map((id) => ({ id, ip: `10.1.${id}.10` })),
    kafkaVersion: '3.6.0',
    instanceType: 'kafka.m5.large',
    enhancedMonitoring: 'PER_BROKER',
  });
  const loadBalancerArn = scenario.world.elbv2.addLoadBalancer({ name: `msk-${name}` });
  const certificateArn = scenario.world.acm.addCertificate({ domainName: `${name}.example.com`, subjectAlternativeNames: [`*.${name}.example.com`] });
  return { ...scenario.config, clusterArn, loadBalancerArn, certificateArn, domain: `${name}.example.com` };
}

describe('the resulting table after apply', () => {
  // What a user sees after each story; the table must match what AWS reports, without reading it all again.
  const stories: [string, (s: Scenario) => void][] = [
    ['a fresh cluster', () => {}],
    ['a scale-out 3 -> 6', (sc) => sc.world.msk.setBrokers(sc.clusterArn, brokersFor(range(1, 6)))],
    ['a broker replacement', (sc) => sc.world.msk.replaceBroker(sc.clusterArn, 2, brokerIp(2, 1))],
    ['a scale-in 3 -> 2', (sc) => sc.world.msk.setBrokers(sc.clusterArn, brokersFor(range(1, 2)))],
  ];
  test.each(stories)('after %s: one observe (no second read of the cluster), the same table a fresh read shows', async (story, change) => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    if (story !== 'a fresh cluster') await s.reconcile();
    change(s);
    s.world.resetCalls();

    const run = await cli(['apply', '--config', file], s);

    expect(run.code).toBe(EXIT.ok);
    // Observe reads the listeners and the alarms once each; apply itself reads neither.
    expect(s.world.calls.filter((c) => c.command === 'DescribeListenersCommand')).toHaveLength(1);
    expect(s.world.calls.filter((c) => c.command === 'DescribeAlarmsCommand')).toHaveLength(1);
    const fresh = formatState(resolveCluster(s.config), await observe(s.clients, resolveCluster(s.config)));
    expect(run.out).toContain(fresh);
  });

  test('two listeners on two NLBs (the same ports on each): the table a fresh read shows', async () => {
    s = createScenario();
    const publicLb = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-public' });
    const publicZone = s.world.route53.addHostedZone({ name: 'example.com' });
    const { listeners: _, ...base } = s.config;
    const config = parseConfig({ clusters: [{ ...base, listeners: [{ authentication: 'iam' }, { authentication: 'iam-public', loadBalancerArn: publicLb, hostedZoneId: publicZone }] }] }).clusters[0];
    const file = await writeConfig([config]);
    const run = await cli(['apply', '--config', file], s);
    expect(run.code).toBe(EXIT.ok);
    const fresh = formatState(resolveCluster(config), await observe(s.clients, resolveCluster(config)));
    expect(run.out).toContain(fresh);
    expect(fresh.match(/iam-public@msk-orders-public\/\w+ broker-3/g)).toHaveLength(1);
  });
});

describe('plan and apply on a fresh cluster of 3 brokers', () => {
  test('plan prints every listener and name to add, exits 0 and writes nothing', async () => {
    // Prepare
    s = createScenario();
    const file = await writeConfig([s.config]);

    // Act
    const run = await cli(['plan', '--config', file], s);

    // Assess
    expect(run.code).toBe(EXIT.ok);
    expect(run.err).toBe('');
    expect(run.out).toContain(`Cluster orders (${s.clusterArn})`);
    for (const port of [9000, 9001, 9002, 9003]) expect(run.out).toMatch(new RegExp(`listener\\s*│\\s*\\S+\\s*│\\s*:${port} TLS`));
    for (const host of ['bootstrap', 'b-1', 'b-2', 'b-3']) expect(run.out).toContain(`${host}.kafka.example.com`);
    // 4 target groups + 4 listeners + 4 target sets + 4 A and 4 TXT records + 3 alarms x 3 brokers.
    expect(run.out).toMatch(/Plan: 29 to add, 0 to change, 0 to remove\./);
    expect(run.out).not.toContain('Applied');
    expect(s.world.writes()).toEqual([]);
  });

  test('plan --json prints only parseable JSON whose actions are the plan', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const run = await cli(['plan', '--config', file, '--json'], s);

    expect(run.code).toBe(EXIT.ok);
    // Always an array, one entry per cluster.
    const [report, ...others] = JSON.parse(run.out) as { clusterArn: string; plan: { clusterArn: string; status: string; actions: { type: string; resource: string }[] }; applied?: unknown }[];
    expect(others).toEqual([]);
    expect(report.clusterArn).toBe(s.clusterArn);
    expect(report.plan).toMatchObject({ clusterArn: s.clusterArn, status: 'ready' });
    expect(report.applied).toBeUndefined();
    const expected = (await s.reconcile({ apply: false })).plan.actions;
    expect(report.plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(expected.map((a) => `${a.type} ${a.resource}`));
    expect(report.plan.actions.filter((a) => a.type === 'create-listener').map((a) => a.resource).sort()).toEqual(['bootstrap', 'broker-1', 'broker-2', 'broker-3']);
    expect(s.world.writes()).toEqual([]);
  });

  test('apply creates everything, prints what it did and the resulting mapping; a second apply has no changes', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const first = await cli(['apply', '--config', file], s);

    expect(first.code).toBe(EXIT.ok);
    expect(first.err).toBe('');
    // Counted as the plan counts (29 rows); 22 steps, as the 8 record changes go in one batch: 4+4+4+1+9.
    expect(first.out).toMatch(/Plan: 29 to add, 0 to change, 0 to remove\./);
    expect(first.out).toContain('Applied 29 of 29 changes (29 added, 0 changed, 0 removed) in 23 step(s):');
    expect(first.out).toContain('create listener :9001 for broker-1');
    // The mapping table: port -> role -> targets -> DNS name, one row per listener.
    const rows = first.out.split('\n').filter((l) => /^│ 900\d/.test(l));
    expect(rows).toHaveLength(4);
    expect(rows[0]).toMatch(/│ 9000 +│ bootstrap +│ \S+ +│ [^│]*10\.0\.[^│]+│ bootstrap\.kafka\.example\.com /);
    for (const ip of [1, 2, 3].map((id) => brokerIp(id))) expect(rows[0]).toContain(ip);
    for (const id of [1, 2, 3]) {
      // Targets may show their health state, e.g. "10.0.1.11 (initial)".
      expect(rows[id]).toMatch(new RegExp(`│ 900${id} +│ broker-${id} +│ \\S+ +│ ${brokerIp(id).replace(/\./g, '\\.')}( \\(\\w+\\))? +│ b-${id}\\.kafka\\.example\\.com `));
    }
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003']);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));

    s.world.resetCalls();
    const second = await cli(['apply', '--config', file], s);

    expect(second.code).toBe(EXIT.ok);
    expect(second.out).toContain('No changes');
    expect(second.out).not.toContain('Applied');
    expect(s.world.writes()).toEqual([]);
  });

  test('a YAML config file works too', async () => {
    s = createScenario();
    const file = join(dir, 'config.yaml');
    await writeFile(file, `clusters:\n  - clusterArn: ${s.config.clusterArn}\n    domain: kafka.example.com\n    hostedZoneId: ${s.zoneId}\n    loadBalancerArn: ${s.lbArn}\n    certificateArn: ${s.config.certificateArn}\n`);

    const run = await cli(['plan', '-c', file], s);

    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain('b-3.kafka.example.com');
  });

  test('--cluster limits the run to one cluster of the config', async () => {
    s = createScenario();
    const payments = addSecondCluster(s);
    const file = await writeConfig([s.config, payments]);

    const run = await cli(['apply', '--config', file, '--cluster', payments.clusterArn], s);

    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain(`Cluster payments (${payments.clusterArn})`);
    expect(run.out).not.toContain(`Cluster orders`);
    const created = s.world.writes().filter((c) => c.command === 'CreateListenerCommand').map((c) => (c.input as { LoadBalancerArn: string }).LoadBalancerArn);
    expect(new Set(created)).toEqual(new Set([payments.loadBalancerArn]));
  });
});

describe('not converged: exit code 2', () => {
  test('a foreign listener on a wanted port is reported as a CONFLICT and left alone', async () => {
    s = createScenario();
    const foreign = s.world.elbv2.addListener({ loadBalancerArn: s.lbArn, port: 9002, protocol: 'TCP' });
    const file = await writeConfig([s.config]);

    const run = await cli(['apply', '--config', file], s);

    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toMatch(/CONFLICT listener :9002: .*does not own/);
    const m = await mapping(s);
    expect(m.listeners[9002].role).toBe('foreign');
    expect(s.world.writes().some((c) => (c.input as { ListenerArn?: string }).ListenerArn === foreign)).toBe(false);
    // Everything else is still managed.
    expect(m.listeners[9001].role).toBe('broker-1');
  });

  test('a cluster that is not ACTIVE: WAITING, only additions written (listeners, names, targets), exit 2', async () => {
    s = createScenario();
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    const file = await writeConfig([s.config]);

    const run = await cli(['apply', '--config', file], s);

    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toMatch(/WAITING: cluster is UPDATING/);
    expect(s.world.writes().map((c) => c.command).filter((c) => /^(Delete|Deregister|ModifyListener|UpdateClusterConfiguration|PutMetricAlarm)/.test(c))).toEqual([]);
  });

  test('an error on one cluster is exit 1 even when another cluster is merely not converged, in either order', async () => {
    s = createScenario();
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    const gone = { ...s.config, clusterArn: s.clusterArn.replace('/orders/', '/deleted/') };

    const errorFirst = await cli(['plan', '--config', await writeConfig([gone, s.config], 'a.json')], s);
    const errorLast = await cli(['plan', '--config', await writeConfig([s.config, gone], 'b.json')], s);

    for (const run of [errorFirst, errorLast]) {
      expect(run.code).toBe(EXIT.error);
      expect(run.err).toContain(`error: ${gone.clusterArn}:`);
      expect(run.out).toMatch(/WAITING: cluster is UPDATING/);
    }
  });
});

describe('errors: exit code 1 with a message that says what to fix', () => {
  test('a config field of the wrong type is named with its path', async () => {
    s = createScenario();
    const file = await writeConfig([{ ...s.config, brokerPortBase: 'x' }]);

    const run = await cli(['plan', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`config file ${file} is not valid`);
    expect(run.err).toMatch(/clusters\[0\]\.brokerPortBase: .*number/i);
    expect(run.out).toBe('');
    expect(s.world.calls).toEqual([]);
  });

  test('an unknown config field is named', async () => {
    s = createScenario();
    const file = await writeConfig([{ ...s.config, brokerPortBsae: 9100 }]);

    const run = await cli(['plan', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain('brokerPortBsae');
  });

  test('a missing config file is named', async () => {
    s = createScenario();
    const file = join(dir, 'nowhere.json');

    const run = await cli(['apply', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`cannot read config file ${file}`);
  });

  test('a config file that is neither JSON nor YAML', async () => {
    s = createScenario();
    const file = join(dir, 'broken.json');
    await writeFile(file, '{ "clusters": [ {');

    const run = await cli(['plan', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`config file ${file} is neither valid JSON nor YAML`);
  });

  test('--cluster with an ARN that is not in the config lists the configured ARNs', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    const other = 'arn:aws:kafka:eu-west-1:123456789012:cluster/other/0000-1';

    const run = await cli(['apply', '--config', file, '--cluster', other], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`cluster ${other} is not in the config`);
    expect(run.err).toContain(s.clusterArn);
    expect(s.world.calls).toEqual([]);
  });

  test('an unknown command, a missing --config and an unknown option are refused by the parser', async () => {
    s = createScenario();

    const unknown = await cli(['sync', '--config', 'x.json'], s);
    const noConfig = await cli(['plan'], s);
    const badOption = await cli(['plan', '--config', 'x.json', '--force'], s);

    expect(unknown.code).toBe(EXIT.error);
    expect(unknown.err).toMatch(/unknown command 'sync'/);
    expect(noConfig.code).toBe(EXIT.error);
    expect(noConfig.err).toMatch(/required option '-c, --config <file>' not specified/);
    expect(badOption.code).toBe(EXIT.error);
    expect(badOption.err).toMatch(/unknown option '--force'/);
    expect(s.world.calls).toEqual([]);
  });

  test('--help exits 0 and lists the commands', async () => {
    s = createScenario();

    const run = await cli(['--help'], s);

    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/plan[\s\S]*apply[\s\S]*restore/);
  });

  test('restore without --cluster is refused: it is a rescue for one cluster at a time', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const run = await cli(['restore', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toMatch(/required option '--cluster <name\|arn>' not specified/);
    expect(s.world.calls).toEqual([]);
  });

  test('an AWS failure during apply is exit 1 with the cluster ARN and the failed step', async () => {
    s = createScenario();
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    const file = await writeConfig([s.config]);

    const run = await cli(['apply', '--config', file], s);

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`error: ${s.clusterArn}:`);
    expect(run.err).toMatch(/create listener :900\d/);
  });
});

const PROPERTIES = ['auto.create.topics.enable=false', 'default.replication.factor=3', ''].join('\n');
const TEMPLATE = 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}';

describe('advertised listeners through the MSK configuration', () => {
  test('without --allow-rolling-restart: PENDING ROLLING RESTART, exit 2, the configuration untouched', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: PROPERTIES });
    const file = await writeConfig([k.config]);

    const run = await cli(['apply', '--config', file], k, kafkaDeps(k));

    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toMatch(/PENDING ROLLING RESTART NEEDED: set custom\.advertised\.listeners=/);
    expect(k.world.msk.serverProperties(k.clusterArn)).toBe(PROPERTIES);
    expect(k.world.writes().map((c) => c.command)).not.toContain('UpdateClusterConfigurationCommand');
  });

  test('with --allow-rolling-restart: the configuration carries the template, MSK applies it, brokers are verified, exit 0', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: PROPERTIES });
    const file = await writeConfig([k.config]);

    const run = await cli(['apply', '--config', file, '--allow-rolling-restart'], k, kafkaDeps(k));

    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    expect(k.world.msk.serverProperties(k.clusterArn)).toContain(`${CUSTOM_ADVERTISED_LISTENERS}=${TEMPLATE}`);
    expect(run.out).toMatch(/MSK operation \S+: UPDATE_COMPLETE/);
    for (const id of [1, 2, 3]) expect(run.out).toContain(`broker ${id} advertises b-${id}.kafka.example.com:900${id} (as expected)`);
    expect(run.out).not.toContain('PENDING');
  });
});

describe('restore: brokers advertise their AWS names again', () => {
  test('in dynamic-broker-config mode, after an apply, every dynamic advertised.listeners override is removed', async () => {
    k = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    k.kafka.broker(2).setDynamicConfig('log.cleaner.threads', '2');
    const file = await writeConfig([k.config]);
    const applied = await cli(['apply', '--config', file], k, kafkaDeps(k));
    expect(applied.code).toBe(EXIT.ok);
    for (const id of [1, 2, 3]) expect(k.kafka.broker(id).configs.dynamic['advertised.listeners']).toContain(`b-${id}.kafka.example.com:900${id}`);

    const dry = await cli(['restore', '--config', file, '--cluster', k.clusterArn, '--dry-run'], k, kafkaDeps(k));
    expect(dry.code).toBe(EXIT.ok);
    expect(dry.out).toContain('remove override');
    expect(k.kafka.broker(1).configs.dynamic['advertised.listeners']).toBeDefined();

    const run = await cli(['restore', '--config', file, '--cluster', k.clusterArn], k, kafkaDeps(k));

    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain('Applied 3 of 3 changes (0 added, 3 changed, 0 removed)');
    for (const id of [1, 2, 3]) expect(k.kafka.broker(id).configs.dynamic).not.toHaveProperty('advertised.listeners');
    expect(k.kafka.broker(2).configs.dynamic).toEqual({ 'log.cleaner.threads': '2' });
    // The network stays: restore only concerns what brokers advertise.
    expect(Object.keys((await mapping(k)).listeners)).toEqual(['9000', '9001', '9002', '9003']);
  });
});

describe('check: the data path per endpoint, exit 0 only when every check passes', () => {
  test('after apply: a table of ok, exit 0, read only; --probe connects to every name; an unhealthy target is exit 2', async () => {
    k = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    const file = await writeConfig([k.config]);
    const deps = {
      ...kafkaDeps(k),
      probe: {
        resolveAll: async (host: string) => {
          const r = k!.network.resolve(host);
          if (!r.ok) throw new Error(r.error);
          return r.addresses;
        },
        ca: [k.network.ca.pem],
        timeoutMs: 400,
      },
    };
    expect((await cli(['apply', '--config', file], k, deps)).code).toBe(EXIT.ok);

    // The apply's health gate waited for the targets, so the path is whole at once.
    k.world.resetCalls();
    const run = await cli(['check', '--config', file, '--probe'], k, deps);
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/│ broker-3 +│ b-3\.kafka\.example\.com:9003 +│ ok +│ ok +│ ok +│ ok +│ ok +│ ok +│ ok +│ ok +│/);
    expect(run.out).toContain('Every check passed for 4 endpoint(s).');
    // The one thing a probe cannot show in one connection: the NLB's fixed idle cut, and the client setting against it.
    expect(run.out).toContain('drop connections idle for 350 s (fixed by AWS)');
    expect(run.out).toContain('connections.max.idle.ms below 350000');

    const [json] = JSON.parse((await cli(['check', '--config', file, '--json'], k, deps)).out);
    expect(json).toMatchObject({ clusterArn: k.clusterArn, ok: true });
    expect(json.endpoints.map((e: { endpoint: string }) => e.endpoint)).toEqual(['bootstrap', 'broker-1', 'broker-2', 'broker-3']);
    // Read only.
    expect(k.world.writes()).toEqual([]);

    // A broker's target goes unhealthy: exit 2, and the row says what was found.
    const b1 = k.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-b1'))!;
    k.world.elbv2.setTargetHealth(b1.TargetGroupArn!, '10.0.1.11', { State: 'unhealthy', Reason: 'Target.Timeout' });
    const broken = await cli(['check', '--config', file], k, deps);
    expect(broken.code).toBe(EXIT.notConverged);
    expect(broken.out).toContain('1 check(s) failed:\n  - broker-1 targets: 10.0.1.11 unhealthy');
  });
});

describe('a certificate that does not cover the names', () => {
  /** The scenario's cluster with a certificate for another domain. */
  async function uncovered(): Promise<{ file: string; certificateArn: string }> {
    s = createScenario();
    const certificateArn = s.world.acm.addCertificate({ domainName: '*.other.example.com' });
    return { file: await writeConfig([{ ...s.config, certificateArn }]), certificateArn };
  }

  test('plan shows the conflict and what --allow-uncovered-certificate would allow, exit 2; apply writes no listener or name, exit 2', async () => {
    const { file, certificateArn } = await uncovered();

    const plan = await cli(['plan', '--config', file], s!);
    expect(plan.code).toBe(EXIT.notConverged);
    expect(plan.out).toContain(`CONFLICT listeners :9000-9003: certificate ${certificateArn} does not cover bootstrap.kafka.example.com, b-1.kafka.example.com, b-2.kafka.example.com, b-3.kafka.example.com`);
    expect(plan.out).toContain('run apply --allow-uncovered-certificate to make them anyway');
    expect(plan.out).not.toMatch(/listener\s*│\s*\S+\s*│\s*:900\d TLS/);

    const apply = await cli(['apply', '--config', file], s!);
    expect(apply.code).toBe(EXIT.notConverged);
    expect(apply.out).toContain('CONFLICT listeners :9000-9003');
    const written = s!.world.writes().map((c) => c.command);
    expect(written.filter((c) => c !== 'PutMetricAlarmCommand')).toEqual([]);
    expect((await mapping(s!)).listeners).toEqual({});
  });

  test('apply --allow-uncovered-certificate: listeners and names are made, with a warning, exit 0', async () => {
    const { file } = await uncovered();
    const run = await cli(['apply', '--config', file, '--allow-uncovered-certificate'], s!);
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain('as --allow-uncovered-certificate asks');
    expect(run.out).not.toContain('CONFLICT');
    expect((await mapping(s!)).names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
  });

  test('the config cannot allow it: only a person on the command line can', async () => {
    await uncovered();
    const file = await writeConfig([{ ...s!.config, allowUncoveredCertificate: true }], 'allowing.json');
    const run = await cli(['apply', '--config', file], s!);
    expect(run.code).toBe(EXIT.error);
    expect(run.err).toMatch(/allowUncoveredCertificate/);
    expect(s!.world.writes()).toEqual([]);
  });
});
