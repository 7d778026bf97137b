import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../cli/main';
import { cli, kafkaDeps, writeConfig as writeConfigIn } from './support';
import { CUSTOM_ADVERTISED_LISTENERS } from '../../shared/advertised/server-properties';
import { alarmPrefix } from '../../shared/alarms/desired';
import { createScenario, type Scenario } from '../support/scenario';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';

// `destroy`, the way out, as a user runs it: a config file, argv, stdout/stderr. AWS is the
// embedded world behind the real SDK clients; Kafka (where brokers must move) the fake cluster.

let dir: string;
let s: Scenario | undefined;
let k: KafkaScenario | undefined;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msk-destroy-'));
});
afterEach(async () => {
  s?.world.restore();
  s = undefined;
  await k?.stop();
  k = undefined;
  await rm(dir, { recursive: true, force: true });
});

const writeConfig = (clusters: unknown[], name?: string) => writeConfigIn(dir, clusters, name);

/** Everything in the world the tool could have made, as AWS reports it. */
function inventory(scenario: Scenario, securityGroupId?: string) {
  const { world } = scenario;
  return {
    listeners: world.elbv2.listeners(scenario.lbArn).map((l) => l.Port).sort(),
    targetGroups: world.elbv2.targetGroups().map((g) => g.TargetGroupName!).sort(),
    records: world.route53.records(scenario.zoneId).map((r) => `${r.Name} ${r.Type}`).sort(),
    alarms: world.cloudwatch.alarms().map((a) => a.input.AlarmName!).sort(),
    ingress: securityGroupId ? world.ec2.ingressRules(securityGroupId).map((r) => `${r.FromPort}-${r.ToPort} ${r.CidrIpv4}`).sort() : [],
  };
}

const FOREIGN_INGRESS = { protocol: 'tcp' as const, fromPort: 443, toPort: 443, cidr: '192.168.0.0/16' };

describe('destroy after an apply on a fresh cluster', () => {
  test('removes exactly what the tool made, leaves what others made, changes nothing without --yes, and a second run has nothing to do', async () => {
    // Prepare: an applied cluster, plus a listener, record and ingress rule of someone else's.
    s = createScenario({ loadBalancerIngress: [FOREIGN_INGRESS], managedIngressSource: '10.0.0.0/16' });
    const groupId = s.config.loadBalancerIngress!.securityGroupId;
    const file = await writeConfig([s.config]);
    const before = inventory(s, groupId);
    s.world.elbv2.addListener({ loadBalancerArn: s.lbArn, port: 9100, protocol: 'TCP' });
    s.world.route53.addRecord(s.zoneId, { Name: 'kafka-ui.kafka.example.com', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.7' }] });
    s.world.cloudwatch.putAlarm({ AlarmName: 'someone-elses-alarm', MetricName: 'CPUUtilization', Namespace: 'AWS/Kafka', Statistic: 'Average', Period: 60, EvaluationPeriods: 1, Threshold: 90, ComparisonOperator: 'GreaterThanThreshold' });
    const foreign = inventory(s, groupId);
    expect((await cli(['apply', '--config', file], s)).code).toBe(EXIT.ok);
    const applied = inventory(s, groupId);
    expect(applied.listeners).toEqual([9000, 9001, 9002, 9003, 9100]);
    expect(applied.alarms.filter((n) => n.startsWith(alarmPrefix('orders', s!.clusterArn)))).toHaveLength(9);
    expect(applied.ingress).toHaveLength(before.ingress.length + 1);

    // Act 1: without --yes, the plan only.
    s.world.resetCalls();
    const dry = await cli(['destroy', '--config', file, '--cluster', 'orders'], s);

    expect(dry.err).toBe("");
    expect(dry.code).toBe(EXIT.ok);
    // 4 listeners + 4 groups + 8 records (4 names, 4 TXT) + 1 ingress rule + 1 alarm deletion (9 alarms).
    expect(dry.out).toMatch(/Plan: 0 to add, 0 to change, \d+ to remove\./);
    expect(dry.out).toContain('Nothing was changed: destroy only shows its plan; run it again with --yes');
    expect(s.world.writes()).toEqual([]);
    expect(inventory(s, groupId)).toEqual(applied);

    // Act 2: --yes.
    const run = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], s);

    // Assess: back to the world before the apply, someone else's things included.
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toMatch(/Applied (\d+) of \1 changes \(0 added, 0 changed, \1 removed\)/);
    expect(inventory(s, groupId)).toEqual(foreign);
    expect(foreign.listeners).toEqual([9100]);
    expect(foreign.records).toContain('kafka-ui.kafka.example.com. A');
    expect(foreign.alarms).toEqual(['someone-elses-alarm']);
    expect(foreign.ingress).toEqual(['443-443 192.168.0.0/16']);

    // Act 3: again.
    s.world.resetCalls();
    const again = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], s);
    expect(again.code).toBe(EXIT.ok);
    expect(again.out).not.toContain('Applied');
    expect(s.world.writes()).toEqual([]);
  });

  test("two clusters on one NLB and one zone: destroying one leaves the other's listeners, groups, names and alarms as they were", async () => {
    s = createScenario();
    const clusterArn = s.world.msk.addCluster({ name: 'payments', brokers: [1, 2].map((id) => ({ id, ip: `10.0.${id}.50` })), kafkaVersion: '3.6.0', instanceType: 'kafka.m5.large', enhancedMonitoring: 'PER_BROKER' });
    const certificateArn = s.world.acm.addCertificate({ domainName: 'payments.example.com', subjectAlternativeNames: ['*.payments.example.com'] });
    const payments = { ...s.config, clusterArn, certificateArn, domain: 'payments.example.com', bootstrapPort: 9200, brokerPortBase: 9200 };
    const file = await writeConfig([s.config, payments]);
    expect((await cli(['apply', '--config', file], s)).code).toBe(EXIT.ok);
    const both = inventory(s);
    expect(both.listeners).toEqual([9000, 9001, 9002, 9003, 9200, 9201, 9202]);

    const run = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], s);

    expect(run.code).toBe(EXIT.ok);
    const left = inventory(s);
    expect(left.listeners).toEqual([9200, 9201, 9202]);
    expect(left.records).toEqual(both.records.filter((r) => !r.includes('.kafka.example.com')));
    expect(left.records.filter((r) => r.includes('payments.example.com'))).toHaveLength(6);
    expect(left.alarms).toEqual(both.alarms.filter((a) => a.startsWith(alarmPrefix('payments', clusterArn))));
    expect(left.alarms).toHaveLength(6);
    expect(left.targetGroups).toHaveLength(3);
    // The other cluster still converged: its plan has nothing to do.
    const plan = await cli(['plan', '--config', file, '--cluster', 'payments', '--detailed-exitcode'], s);
    expect(plan.code).toBe(EXIT.ok);
  });

  test('a cluster MSK is changing (UPDATING): nothing deleted, exit 2, says why', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    expect((await cli(['apply', '--config', file], s)).code).toBe(EXIT.ok);
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    s.world.resetCalls();

    const run = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], s);

    expect(run.code).toBe(EXIT.notConverged);
    expect(run.out).toContain('cluster is UPDATING; destroy changes nothing until it is ACTIVE again');
    expect(s.world.writes()).toEqual([]);
  });

  test('destroy needs --cluster: it is for one cluster at a time', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    const run = await cli(['destroy', '--config', file, '--yes'], s);
    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain("required option '--cluster <name|arn>' not specified");
  });
});

describe('destroy with brokers that advertise the custom names', () => {
  test('dynamic-broker-config: the overrides go first, then everything of the tool; brokers advertise their AWS names', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'dynamic-broker-config' } });
    const file = await writeConfig([k.config]);
    expect((await cli(['apply', '--config', file], k, kafkaDeps(k))).code).toBe(EXIT.ok);
    for (const id of [1, 2, 3]) expect(k.kafka.broker(id).configs.dynamic['advertised.listeners']).toContain(`b-${id}.kafka.example.com:900${id}`);

    // The first Route 53 change of the destroy fails, after noting what brokers advertise when it arrives.
    let atFirstDnsChange: unknown[] = [];
    k.world.faults.add({
      command: 'ChangeResourceRecordSetsCommand',
      error: () => {
        atFirstDnsChange = [1, 2, 3].map((id) => k!.kafka.broker(id).configs.dynamic['advertised.listeners']);
        return new Error('Route 53 unavailable for a moment');
      },
    });

    const interrupted = await cli(['destroy', '--config', file, '--cluster', k.clusterArn, '--yes'], k, kafkaDeps(k));
    const run = await cli(['destroy', '--config', file, '--cluster', k.clusterArn, '--yes'], k, kafkaDeps(k));

    // The brokers had moved to their AWS names before the first name was touched.
    expect(interrupted.code).toBe(EXIT.error);
    expect(atFirstDnsChange).toEqual([undefined, undefined, undefined]);
    // The next run picks up from there.
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    for (const id of [1, 2, 3]) {
      expect(k.kafka.broker(id).configs.dynamic).not.toHaveProperty('advertised.listeners');
      expect(k.kafka.broker(id).configs.static['advertised.listeners']).not.toContain('kafka.example.com');
    }
    const left = inventory(k);
    expect(left.listeners).toEqual([]);
    expect(left.targetGroups).toEqual([]);
    expect(left.records.filter((r) => r.includes('kafka.example.com'))).toEqual([]);
    expect(left.alarms).toEqual([]);
  });

  test('msk-configuration without --allow-rolling-restart: refused, says what to run, nothing deleted; with it, then again: all gone', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: PROPERTIES });
    const file = await writeConfig([k.config]);
    expect((await cli(['apply', '--config', file, '--allow-rolling-restart'], k, kafkaDeps(k))).code).toBe(EXIT.ok);
    const applied = inventory(k);
    k.world.resetCalls();

    const refused = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], k, kafkaDeps(k));

    expect(refused.code).toBe(EXIT.notConverged);
    expect(refused.out).toContain("nothing of the tool's is deleted while brokers still advertise its names");
    expect(refused.out).toContain('b-1.kafka.example.com:9001');
    expect(refused.out).toContain('destroy --cluster orders --allow-rolling-restart --yes');
    expect(refused.out).toMatch(/ROLLING RESTART NEEDED: remove custom\.advertised\.listeners/);
    expect(k.world.writes()).toEqual([]);
    expect(inventory(k)).toEqual(applied);
    expect(k.world.msk.serverProperties(k.clusterArn)).toContain(`${CUSTOM_ADVERTISED_LISTENERS}=`);

    // The rolling restart: brokers advertise their AWS names; the names wait for the next run.
    const restarted = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes', '--allow-rolling-restart'], k, kafkaDeps(k));
    expect(restarted.out).toMatch(/MSK operation \S+: UPDATE_COMPLETE/);
    expect(k.world.msk.serverProperties(k.clusterArn)).not.toContain(CUSTOM_ADVERTISED_LISTENERS);
    expect(inventory(k).listeners).toEqual(applied.listeners);

    const run = await cli(['destroy', '--config', file, '--cluster', 'orders', '--yes'], k, kafkaDeps(k));
    expect(run.err).toBe('');
    expect(run.code).toBe(EXIT.ok);
    expect(inventory(k).listeners).toEqual([]);
    expect(inventory(k).targetGroups).toEqual([]);
  });
});

const PROPERTIES = ['auto.create.topics.enable=false', 'default.replication.factor=3', ''].join('\n');
