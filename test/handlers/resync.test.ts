import { afterEach, beforeEach, describe, expect, jest, test } from '@jest/globals';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import type { Context } from 'aws-lambda';
import pino from 'pino';
import { handler, resync, type ResyncDeps } from '../../handlers/resync';
import type { ClusterConfig, Config } from '../../shared/config/schema';
import { logger as defaultLogger } from '../../shared/log';
import { brokersFor, createScenario, range, type Scenario } from '../support/scenario';
import { AWS_TIMING } from '../world';
import { mapping, names } from '../support/inspect';

// The resync Lambda: an event (manual invoke, schedule, CloudTrail) -> one full reconcile per
// cluster it names, against the embedded AWS world behind the real SDK clients.

let s: Scenario | undefined;
const savedEnv = { ...process.env };
let savedLevel: string;

beforeEach(() => {
  // The exported handler logs through the module's pino logger to stdout: keep test output clean.
  savedLevel = defaultLogger.level;
  defaultLogger.level = 'silent';
});
afterEach(() => {
  s?.world.restore();
  s = undefined;
  defaultLogger.level = savedLevel;
  for (const key of ['MSK_CUSTOM_DOMAIN_CONFIG_FILE', 'ALARM_TOPIC_ARN']) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
});

/** A real pino logger writing JSON lines into memory. */
function jsonLogger() {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, cb) { out += chunk.toString(); cb(); } });
  return { logger: pino({ level: 'info' }, sink), lines: () => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>) };
}

function deps(scenario: Scenario, config: Config): ResyncDeps & { lines: () => Record<string, unknown>[] } {
  const { logger, lines } = jsonLogger();
  // The world's clock: the health gate's waits pass in world time, as the scenario's own reconciles do.
  return { config, clientsFor: () => scenario.clients, logger, lines, reconcileOptions: { clock: scenario.reconcileOptions.clock } };
}

/** A second cluster in the same world, on its own NLB, under payments.example.com. */
function addSecondCluster(scenario: Scenario): ClusterConfig {
  const clusterArn = scenario.world.msk.addCluster({
    name: 'payments',
    brokers: [1, 2].map((id) => ({ id, ip: `10.1.${id}.10` })),
    kafkaVersion: '3.6.0',
    instanceType: 'kafka.m5.large',
    enhancedMonitoring: 'PER_BROKER',
  });
  const loadBalancerArn = scenario.world.elbv2.addLoadBalancer({ name: 'msk-payments' });
  const certificateArn = scenario.world.acm.addCertificate({ domainName: 'payments.example.com', subjectAlternativeNames: ['*.payments.example.com'] });
  return { ...scenario.config, clusterArn, loadBalancerArn, certificateArn, domain: 'payments.example.com' };
}

const listenerPorts = (scenario: Scenario, loadBalancerArn: string) => scenario.world.elbv2.listeners(loadBalancerArn).map((l) => l.Port).sort();

const cloudTrail = (eventName: string, clusterArn: string) => ({
  version: '0',
  source: 'aws.kafka',
  'detail-type': 'AWS API Call via CloudTrail',
  region: 'eu-west-1',
  detail: { eventSource: 'kafka.amazonaws.com', eventName, requestParameters: { clusterArn: encodeURIComponent(clusterArn), targetNumberOfBrokerNodes: 6 } },
});

describe('resync', () => {
  test('a manual invoke {} reconciles every configured cluster and reports what it applied', async () => {
    // Prepare
    s = createScenario();
    const payments = addSecondCluster(s);
    const d = deps(s, { clusters: [s.config, payments] });

    // Act
    const result = await resync({}, d);

    // Assess
    expect(result.reason).toBe('manual invoke');
    expect(result.clusters.map((c) => [c.clusterArn, c.status])).toEqual([
      [s.clusterArn, 'applied'],
      [payments.clusterArn, 'applied'],
    ]);
    const [orders] = result.clusters;
    expect(orders.summary).toMatch(/^29 to add, 0 to change, 0 to remove$/);
    expect(orders.changes).toContain('create listener :9003 for broker-3');
    expect(orders.conflicts).toEqual([]);
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
    expect(listenerPorts(s, payments.loadBalancerArn)).toEqual([9000, 9001, 9002]);
    expect((await mapping(s)).names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    expect(d.lines().filter((l) => l.msg === 'reconciled').map((l) => l.clusterArn)).toEqual([s.clusterArn, payments.clusterArn]);
  });

  test('a converged cluster: zero writes, still reported as applied (not as a dry run)', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });
    await resync({}, d);
    s.world.resetCalls();

    const result = await resync({ clusterArn: s.clusterArn }, d);

    expect(s.world.writes()).toEqual([]);
    expect(result.clusters).toEqual([
      expect.objectContaining({ clusterArn: s.clusterArn, status: 'applied', summary: '0 to add, 0 to change, 0 to remove', changes: [] }),
    ]);
  });

  test('{dryRun: true} plans, writes nothing and lists the changes it would make', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });

    const result = await resync({ dryRun: true }, d);

    expect(s.world.writes()).toEqual([]);
    expect(result.clusters).toHaveLength(1);
    const [report] = result.clusters;
    expect(report.status).toBe('planned');
    expect(report.summary).toBe('29 to add, 0 to change, 0 to remove');
    expect(report.changes).toEqual(expect.arrayContaining([expect.stringMatching(/^\+ listener broker-2 :9002 TLS/)]));
    expect(listenerPorts(s, s.lbArn)).toEqual([]);
  });

  test('a CloudTrail UpdateBrokerCount for a cluster not in the config is ignored', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });
    const other = 'arn:aws:kafka:eu-west-1:123456789012:cluster/analytics/0a1b2c3d-4';

    const result = await resync(cloudTrail('UpdateBrokerCount', other), d);

    expect(result).toEqual({ reason: 'CloudTrail UpdateBrokerCount', clusters: [] });
    expect(s.world.calls).toEqual([]);
    expect(d.lines().find((l) => l.msg === 'event for a cluster not in the config: ignored')).toMatchObject({ trigger: { clusterArn: other } });
  });

  test('a manual invoke naming a cluster not in the config is an error, not a silent success', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });
    const typo = `${s.clusterArn}x`;

    await expect(resync({ clusterArn: typo }, d)).rejects.toThrow(`cluster ${typo} is not in this deployment's config (it lists ${s.clusterArn})`);
    expect(s.world.calls).toEqual([]);
  });

  test('a CloudTrail scale-out request is followed until MSK is done, then the new brokers are mapped in the same invocation', async () => {
    s = createScenario();
    const d = { ...deps(s, { clusters: [s.config] }), follow: { pollSeconds: 0.01, maxSeconds: 5 } };
    await resync({}, d);
    // MSK accepted UpdateBrokerCount: the cluster is UPDATING until the new brokers exist.
    const scenario = s;
    scenario.world.msk.startOperation(scenario.clusterArn, {
      type: 'INCREASE_BROKER_COUNT',
      polls: 3,
      onComplete: () => scenario.world.msk.setBrokers(scenario.clusterArn, brokersFor(range(1, 6))),
    });

    const result = await resync(cloudTrail('UpdateBrokerCount', s.clusterArn), d);

    expect(result.clusters.map((c) => c.status)).toEqual(['applied']);
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003, 9004, 9005, 9006]);
    expect(d.lines().find((l) => l.msg === 'followed the requested change')).toMatchObject({ state: 'ACTIVE' });
  });

  test('without time to follow, a busy cluster is reported as waiting and left to the schedule', async () => {
    s = createScenario();
    const d = { ...deps(s, { clusters: [s.config] }), follow: { pollSeconds: 0.01, maxSeconds: 0 } };
    s.world.msk.startOperation(s.clusterArn, { type: 'INCREASE_BROKER_COUNT', polls: 50 });

    const result = await resync(cloudTrail('UpdateBrokerCount', s.clusterArn), d);

    expect(result.clusters.map((c) => [c.status, c.summary])).toEqual([['waiting', expect.stringMatching(/cluster is UPDATING/)]]);
    expect(s.world.writes().map((c) => c.command).filter((c) => /^(Delete|Deregister|ModifyListener|UpdateClusterConfiguration|PutMetricAlarm)/.test(c))).toEqual([]);
  });

  test('deployed, a busy cluster is not waited for: a follow-up is scheduled, and it reconciles once MSK is done', async () => {
    s = createScenario();
    const scheduled: unknown[] = [];
    const d = { ...deps(s, { clusters: [s.config] }), followUp: { maxAttempts: 5, schedule: async (f: unknown) => (scheduled.push(f), `schedule-${scheduled.length}`), pending: async () => false } };
    const scenario = s;
    scenario.world.msk.startOperation(scenario.clusterArn, { type: 'INCREASE_BROKER_COUNT', polls: 50, onComplete: () => scenario.world.msk.setBrokers(scenario.clusterArn, brokersFor(range(1, 6))) });

    const first = await resync(cloudTrail('UpdateBrokerCount', s.clusterArn), d);

    expect(first.clusters.map((c) => c.status)).toEqual(['waiting']);
    expect(scheduled).toEqual([{ clusterArn: s.clusterArn, attempt: 1, requested: 'CloudTrail UpdateBrokerCount' }]);
    // No polling loop: one DescribeClusterV2 for the reconcile, none to follow.
    expect(s.world.calls.filter((c) => c.command === 'DescribeClusterV2Command')).toHaveLength(1);
    expect(d.lines().find((l) => l.msg === 'follow-up scheduled')).toMatchObject({ schedule: 'schedule-1', attempt: 1 });

    // The follow-up arrives once MSK is done and reconciles the result.
    scenario.world.msk.setState(scenario.clusterArn, 'ACTIVE');
    scenario.world.msk.setBrokers(scenario.clusterArn, brokersFor(range(1, 6)));
    const later = await resync({ source: 'msk-custom-domain-sync.follow-up', clusterArn: s.clusterArn, attempt: 1, requested: 'CloudTrail UpdateBrokerCount' }, d);
    // The new brokers' targets are registered; their names wait for health: one check, then the next follow-up.
    expect(later.clusters.map((c) => [c.status, c.converged])).toEqual([['waiting', false]]);
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003, 9004, 9005, 9006]);
    expect(scheduled).toEqual([expect.objectContaining({ attempt: 1 }), { clusterArn: s.clusterArn, attempt: 2, requested: 'CloudTrail UpdateBrokerCount' }]);
    await s.reconcileOptions.clock!.sleep(AWS_TIMING.registrationDelayMs + 30_000);
    const healthy = await resync({ source: 'msk-custom-domain-sync.follow-up', clusterArn: s.clusterArn, attempt: 2, requested: 'CloudTrail UpdateBrokerCount' }, d);
    expect(healthy.clusters.map((c) => [c.status, c.converged])).toEqual([['applied', true]]);
    expect(scheduled).toHaveLength(2);
  });

  test('deployed, public certificates in DNS validation are followed up a minute at a time until ACM issued them; then the endpoints go live', async () => {
    s = createScenario({ prepare: () => ({ certificateArn: undefined, certificateValidation: 'dns' }) });
    const scheduled: unknown[] = [];
    const d = { ...deps(s, { clusters: [s.config] }), followUp: { maxAttempts: 60, schedule: async (f: unknown) => (scheduled.push(f), `schedule-${scheduled.length}`), pending: async () => false } };

    const first = await resync({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, d);
    expect(first.clusters[0]).toMatchObject({ status: 'waiting', converged: false, awaiting: [expect.stringMatching(/^bootstrap, broker-1, broker-2, broker-3: no listener or name until its certificate is ISSUED/)] });
    expect(scheduled).toEqual([{ clusterArn: s.clusterArn, attempt: 1, requested: expect.stringMatching(/no listener or name until its certificate is ISSUED/) }]);
    expect(listenerPorts(s, s.lbArn)).toEqual([]);

    await s.reconcileOptions.clock!.sleep(AWS_TIMING.dnsValidationMs + 60_000);
    const issued = await resync({ source: 'msk-custom-domain-sync.follow-up', clusterArn: s.clusterArn, attempt: 1, requested: 'certificates' }, d);
    expect(issued.clusters[0].awaiting).toBeUndefined();
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
  });

  test('the last allowed follow-up gives up loudly and schedules nothing more', async () => {
    s = createScenario();
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    const scheduled: unknown[] = [];
    const d = { ...deps(s, { clusters: [s.config] }), followUp: { maxAttempts: 3, schedule: async (f: unknown) => (scheduled.push(f), 'x'), pending: async () => false } };

    const result = await resync({ source: 'msk-custom-domain-sync.follow-up', clusterArn: s.clusterArn, attempt: 3, requested: 'CloudTrail UpdateBrokerType' }, d);

    expect(scheduled).toEqual([]);
    expect(result.clusters[0]).toMatchObject({ status: 'waiting', converged: false, warnings: expect.arrayContaining(['gave up following CloudTrail UpdateBrokerType after 3 follow-ups; the schedule keeps reconciling']) });
    expect(d.lines().find((l) => l.msg === 'gave up following the requested change')).toMatchObject({ level: 50, clusterArn: s.clusterArn, attempts: 3 });
  });

  test('a CloudTrail event for a configured cluster reconciles that cluster only', async () => {
    s = createScenario();
    const payments = addSecondCluster(s);
    const d = deps(s, { clusters: [s.config, payments] });

    const result = await resync(cloudTrail('UpdateBrokerCount', payments.clusterArn), d);

    expect(result.reason).toBe('CloudTrail UpdateBrokerCount');
    expect(result.clusters.map((c) => [c.clusterArn, c.status])).toEqual([[payments.clusterArn, 'applied']]);
    expect(listenerPorts(s, payments.loadBalancerArn)).toEqual([9000, 9001, 9002]);
    expect(listenerPorts(s, s.lbArn)).toEqual([]);
  });

  test('a scheduled event reconciles every cluster; a cluster that is not ACTIVE is reported as waiting', async () => {
    s = createScenario();
    s.world.msk.setState(s.clusterArn, 'UPDATING');
    const d = deps(s, { clusters: [s.config] });

    const result = await resync({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, d);

    expect(result.reason).toBe('schedule');
    expect(result.clusters).toEqual([expect.objectContaining({ status: 'waiting', summary: expect.stringMatching(/^cluster is UPDATING/) })]);
    expect(s.world.writes().map((c) => c.command).filter((c) => /^(Delete|Deregister|ModifyListener|UpdateClusterConfiguration|PutMetricAlarm)/.test(c))).toEqual([]);
  });

  test('a malformed event is refused with the shapes it accepts', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });

    await expect(resync({ cluster: s.clusterArn }, d)).rejects.toThrow(/unrecognised event/);
    await expect(resync({ dryRun: 'yes' }, d)).rejects.toThrow(/unrecognised event/);
    expect(s.world.calls).toEqual([]);
  });

  test('a reconcile error fails the invocation (EventBridge retries) naming the cluster; other clusters are still reconciled', async () => {
    s = createScenario();
    const payments = addSecondCluster(s);
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    const d = deps(s, { clusters: [s.config, payments] });

    const failure = resync({}, d);

    await expect(failure).rejects.toThrow(`reconcile failed: ${s.clusterArn}: `);
    await expect(failure).rejects.not.toThrow(payments.clusterArn);
    expect(listenerPorts(s, payments.loadBalancerArn)).toEqual([9000, 9001, 9002]);
    expect(d.lines().find((l) => l.msg === 'reconcile failed')).toMatchObject({ level: 50, clusterArn: s.clusterArn });
  });
});

describe('metrics and log correlation', () => {
  /** Powertools Metrics as deployed, its EMF documents read back from stdout. */
  function emf() {
    const metrics = new Metrics({ namespace: 'MskCustomDomainSync', serviceName: 'msk-custom-domain-sync' });
    const docs: Record<string, any>[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = chunk.toString();
      if (text.includes('"_aws"')) docs.push(JSON.parse(text));
      else return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
      return true;
    }) as typeof process.stdout.write);
    return { metrics, docs, restore: () => spy.mockRestore() };
  }

  test('each real reconcile emits one EMF document per cluster: converged, changes by kind, conflicts, duration', async () => {
    s = createScenario();
    const d = deps(s, { clusters: [s.config] });
    const sink = emf();
    try {
      await resync({}, { ...d, metrics: sink.metrics });
      await resync({}, { ...d, metrics: sink.metrics });
    } finally {
      sink.restore();
    }

    expect(sink.docs).toHaveLength(2);
    const [first, second] = sink.docs;
    expect(first!._aws.CloudWatchMetrics[0]).toMatchObject({ Namespace: 'MskCustomDomainSync', Dimensions: [['service', 'ClusterArn']] });
    expect(first).toMatchObject({ service: 'msk-custom-domain-sync', ClusterArn: s.clusterArn, Converged: 1, Failed: 0, Conflicts: 0, HeldBack: 0, 'ChangesApplied.create-listener': 4 });
    expect(first!.ChangesApplied).toBeGreaterThan(4);
    expect(typeof first!.DurationMs).toBe('number');
    // The second run finds nothing to do.
    expect(second).toMatchObject({ Converged: 1, ChangesApplied: 0 });
    // Every log line of a reconcile carries its id and the cluster.
    const reconciled = d.lines().filter((l) => l.msg === 'reconciled');
    expect(reconciled).toHaveLength(2);
    for (const line of reconciled) expect(line).toMatchObject({ clusterArn: s.clusterArn, reconcileId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(reconciled[0]!.reconcileId).not.toBe(reconciled[1]!.reconcileId);
  });

  test('a failed reconcile counts as not converged, and its metrics are out before the invocation fails', async () => {
    s = createScenario();
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    const sink = emf();
    try {
      await expect(resync({}, { ...deps(s, { clusters: [s.config] }), metrics: sink.metrics })).rejects.toThrow(/reconcile failed/);
    } finally {
      sink.restore();
    }
    expect(sink.docs).toEqual([expect.objectContaining({ ClusterArn: s.clusterArn, Converged: 0, Failed: 1 })]);
  });

  test('a dry run emits no metrics: it proves nothing about convergence', async () => {
    s = createScenario();
    const sink = emf();
    try {
      await resync({ dryRun: true }, { ...deps(s, { clusters: [s.config] }), metrics: sink.metrics });
    } finally {
      sink.restore();
    }
    expect(sink.docs).toEqual([]);
  });
});

describe('the deployed handler (middy, config from the packaged file, real SDK clients)', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'mcd-resync-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the config as packaging does and points the handler at it. */
  function deploy(config: unknown) {
    const file = path.join(dir, 'config.json');
    writeFileSync(file, JSON.stringify(config));
    process.env.MSK_CUSTOM_DOMAIN_CONFIG_FILE = file;
  }

  // Little time left past the 2 minutes kept in reserve: the health gate checks once, as a deployed run with follow-ups does.
  const context = { functionName: 'resync', awsRequestId: 'req-1', getRemainingTimeInMillis: () => 125_000 } as Context;
  /** AWS's registration and the tool's health checks, in the scenario's world time. */
  const targetsHealthy = () => s!.reconcileOptions.clock!.sleep(AWS_TIMING.registrationDelayMs + 30_000);

  test('reconciles end to end; alarms notify the stack topic', async () => {
    s = createScenario();
    const topic = 'arn:aws:sns:eu-west-1:123456789012:msk-custom-domain-alarms';
    deploy({ clusters: [s.config] });
    process.env.ALARM_TOPIC_ARN = topic;

    const first = (await handler({}, context)) as Awaited<ReturnType<typeof resync>>;

    // Listeners and targets at once; the names wait until the targets are healthy, and the next run publishes them.
    expect(first.clusters.map((c) => [c.clusterArn, c.status])).toEqual([[s.clusterArn, 'waiting']]);
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
    expect(s.world.writes().some((c) => c.command === 'ChangeResourceRecordSetsCommand')).toBe(false);
    await targetsHealthy();
    const result = (await handler({}, context)) as Awaited<ReturnType<typeof resync>>;
    expect(result.clusters.map((c) => [c.clusterArn, c.status, c.converged])).toEqual([[s.clusterArn, 'applied', true]]);
    // The SDK clients the handler built itself (region from the cluster ARN) reached the world.
    expect(s.world.writes().some((c) => c.command === 'ChangeResourceRecordSetsCommand')).toBe(true);
    const alarms = s.world.cloudwatch.alarms();
    expect(alarms.length).toBeGreaterThan(0);
    for (const alarm of alarms) {
      expect(alarm.AlarmActions).toEqual([topic]);
      expect(alarm.OKActions).toEqual([topic]);
    }
  });

  test('{"check": true} reports the data path of each cluster, read only; an unknown cluster fails the invocation', async () => {
    s = createScenario();
    deploy({ clusters: [s.config] });
    await handler({}, context);
    s.world.resetCalls();

    const result = (await handler({ check: true }, context)) as { ok: boolean; clusters: { clusterArn: string; ok: boolean; failures: string[] }[] };

    // Just created: no target has passed its health checks yet, so no name is published either.
    expect(result.ok).toBe(false);
    expect(result.clusters[0].clusterArn).toBe(s.clusterArn);
    expect(result.clusters[0].failures).toEqual(expect.arrayContaining(['bootstrap', 'broker-1', 'broker-2', 'broker-3'].map((e) => expect.stringMatching(new RegExp(`^${e} targets: .*initial`)))));
    expect(s.world.writes()).toEqual([]);
    await expect(handler({ check: true, clusterArn: s.clusterArn.replace('/orders/', '/nope/') }, context)).rejects.toThrow(/is not in this deployment's config/);
  });

  test('from the FIFO queue: a per-cluster schedule message reconciles that cluster only', async () => {
    s = createScenario();
    // payments is not in the embedded world: reconciling it would fail the invocation.
    const payments = { ...s.config, clusterArn: s.clusterArn.replace('/orders/', '/payments/') };
    deploy({ clusters: [s.config, payments] });
    const message = { source: 'msk-custom-domain-sync.schedule', clusterArn: s.clusterArn, time: '2026-12-01T10:00:00Z' };
    const sqs = { Records: [{ eventSource: 'aws:sqs', messageId: 'm-1', body: JSON.stringify(message), attributes: { MessageGroupId: s.clusterArn } }] };

    const result = (await handler(sqs, context)) as Awaited<ReturnType<typeof resync>>;

    expect(result.reason).toBe('schedule');
    expect(result.clusters.map((c) => [c.clusterArn, c.status])).toEqual([[s.clusterArn, 'waiting']]);
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
  });

  test('from the FIFO queue: a failed reconcile fails the invocation, so the message is retried', async () => {
    s = createScenario();
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    deploy({ clusters: [s.config] });
    const sqs = { Records: [{ eventSource: 'aws:sqs', messageId: 'm-2', body: JSON.stringify(cloudTrail('UpdateBrokerCount', s.clusterArn)) }] };

    await expect(handler(sqs, context)).rejects.toThrow(/reconcile failed/);
  });

  test('without MSK_CUSTOM_DOMAIN_CONFIG_FILE the invocation fails before any AWS call', async () => {
    s = createScenario();
    delete process.env.MSK_CUSTOM_DOMAIN_CONFIG_FILE;

    await expect(handler({}, context)).rejects.toThrow(/MSK_CUSTOM_DOMAIN_CONFIG_FILE is not set/);
    expect(s.world.calls).toEqual([]);
  });

  test('a reconcile error makes the invocation fail with the cluster ARN, so EventBridge retries', async () => {
    s = createScenario();
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    deploy({ clusters: [s.config] });

    await expect(handler(cloudTrail('UpdateBrokerCount', s.clusterArn), context)).rejects.toThrow(new RegExp(`reconcile failed: ${s.clusterArn.replace(/[/.]/g, '\\$&')}: .*create listener`, 's'));

    // The retry creates the rest; once the targets are healthy the names follow.
    const retry = (await handler(cloudTrail('UpdateBrokerCount', s.clusterArn), context)) as Awaited<ReturnType<typeof resync>>;
    expect(retry.clusters[0].status).toBe('waiting');
    await targetsHealthy();
    expect(((await handler(cloudTrail('UpdateBrokerCount', s.clusterArn), context)) as Awaited<ReturnType<typeof resync>>).clusters[0].status).toBe('applied');
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
  });
});

describe('a certificate that does not cover a new broker', () => {
  test('the function reports the conflict for b-4 and never makes it: no invoke can override the check', async () => {
    s = createScenario({ certificateNames: ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com'] });
    const d = deps(s, { clusters: [s.config] });
    await resync({}, d);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));

    const [report] = (await resync(cloudTrail('UpdateBrokerCount', s.clusterArn), d)).clusters;

    expect(report).toMatchObject({ converged: false, conflicts: [expect.stringContaining('does not cover b-4.kafka.example.com')] });
    await expect(resync({ allowUncoveredCertificate: true }, d)).rejects.toThrow('unrecognised event');
    expect(listenerPorts(s, s.lbArn)).toEqual([9000, 9001, 9002, 9003]);
    expect((await mapping(s)).names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
  });
});
