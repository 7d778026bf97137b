import { afterEach, describe, expect, test } from '@jest/globals';
import { reconcileCluster } from '../../shared/reconcile';
import { formatPlan } from '../../shared/report/plan';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../support/scenario';
import { mapping, names } from '../support/inspect';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import { parseConfig } from '../../shared/config/load';

// A client checks the broker's name against the certificate the NLB listener presents: a listener
// behind a certificate that misses its name fails every handshake. Such a listener (or switch) is
// refused before any write, unless a person passes --allow-uncovered-certificate.

let s: Scenario;
let k: KafkaScenario | undefined;
afterEach(async () => {
  s?.world.restore();
  await k?.stop();
  k = undefined;
});

/** AWS's sample setup: a certificate whose SANs list the bootstrap name and each broker's name. */
const SANS_1_TO_3 = ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com'];

/** Writes that would put a listener or a name live (every write but the brokers' connection alarms). */
const namingWrites = (sc: Scenario) => sc.world.writes().filter((c) => c.command !== 'PutMetricAlarmCommand').map((c) => c.command);

describe('a fresh NLB with a certificate that does not cover the names', () => {
  test('apply writes no target group, listener or record, and the plan is a conflict naming the listeners, certificate and hosts', async () => {
    s = createScenario({ certificateNames: ['other.example.com', '*.other.example.com'] });
    const { plan, applied } = await s.reconcile();

    expect(namingWrites(s)).toEqual([]);
    // The alarms watch the brokers' connections whatever their names: they are still kept.
    expect(s.world.writes().map((c) => c.command)).toEqual(Array(plan.actions.length).fill('PutMetricAlarmCommand'));
    expect(plan.actions.every((a) => a.type === 'put-alarm')).toBe(true);
    expect(applied?.done.every((a) => a.type === 'put-alarm')).toBe(true);
    expect(plan.conflicts).toEqual([{
      resource: 'listeners :9000-9003',
      message: expect.stringContaining(`certificate ${s.config.certificateArn} does not cover bootstrap.kafka.example.com, b-1.kafka.example.com, b-2.kafka.example.com, b-3.kafka.example.com`),
    }]);
    expect(plan.conflicts[0].message).toContain('run apply --allow-uncovered-certificate to make them anyway');
    expect(plan.blocked?.sort()).toEqual(['bootstrap', 'broker-1', 'broker-2', 'broker-3']);
    const m = await mapping(s);
    expect(m.listeners).toEqual({});
    expect(m.targetGroups).toEqual([]);
    expect(m.names).toEqual([]);
  });

  test('--allow-uncovered-certificate lets it through, with a warning saying what clients will see', async () => {
    s = createScenario({ certificateNames: ['other.example.com', '*.other.example.com'] });
    const { plan } = await s.reconcile({ allowUncoveredCertificate: true });

    expect(plan.conflicts).toEqual([]);
    expect(plan.warnings.filter((w) => w.includes('certificate'))).toEqual([
      expect.stringMatching(/put on new listener\(s\) :9000-9003 as --allow-uncovered-certificate asks, does not cover .*b-3\.kafka\.example\.com: clients of those names fail the TLS handshake/),
    ]);
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003']);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
  });

  test('a certificate whose SANs list exactly the names still maps everything, without a conflict or warning', async () => {
    s = createScenario({ certificateNames: SANS_1_TO_3 });
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([]);
    expect(plan.warnings.filter((w) => w.includes('certificate'))).toEqual([]);
    expect((await mapping(s)).names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
  });
});

describe('a working NLB whose config now names another certificate', () => {
  test('one that does not cover the names: no ModifyListener, every live listener keeps the old certificate', async () => {
    s = createScenario();
    await s.reconcile();
    const old = s.config.certificateArn;
    const wrong = s.world.acm.addCertificate({ domainName: '*.example.com' });
    s.world.resetCalls();

    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: wrong }, { ...s.reconcileOptions, apply: true });

    expect(s.world.calls.filter((c) => c.command === 'ModifyListenerCommand')).toEqual([]);
    expect(s.world.writes()).toEqual([]);
    expect(plan.conflicts).toEqual([{ resource: 'listeners :9000-9003', message: expect.stringContaining(`certificate ${wrong} does not cover bootstrap.kafka.example.com`) }]);
    expect(plan.conflicts[0].message).toContain(`so bootstrap, broker-1, broker-2, broker-3 keep ${old}`);
    expect(plan.conflicts[0].message).toContain('run apply --allow-uncovered-certificate to switch anyway');
    // Live listeners are not blocked: their names and targets stay, and keep following the brokers.
    expect(plan.blocked).toEqual([]);
    expect((await mapping(s)).state.listeners.map((l) => l.certificateArns)).toEqual(Array(4).fill([old]));
  });

  test('one that covers some names: those listeners switch, the others keep the old one', async () => {
    s = createScenario();
    await s.reconcile();
    const old = s.config.certificateArn;
    const partial = s.world.acm.addCertificate({ domainName: 'bootstrap.kafka.example.com', subjectAlternativeNames: ['b-1.kafka.example.com', 'b-2.kafka.example.com'] });

    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: partial }, { ...s.reconcileOptions, apply: true });

    expect(plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(['modify-listener bootstrap', 'modify-listener broker-1', 'modify-listener broker-2']);
    expect(plan.conflicts).toEqual([{ resource: 'listener :9003', message: expect.stringContaining(`does not cover b-3.kafka.example.com: switching to it would break every client of that name at once, so broker-3 keeps ${old}`) }]);
    const byPort = Object.fromEntries((await mapping(s)).state.listeners.map((l) => [l.port, l.certificateArns[0]]));
    expect(byPort).toEqual({ 9000: partial, 9001: partial, 9002: partial, 9003: old });
  });

  test('a refused switch still repairs the rest of the listener, keeping its certificate', async () => {
    s = createScenario();
    await s.reconcile();
    const old = s.config.certificateArn;
    const b2 = (await mapping(s)).state.listeners.find((l) => l.port === 9002)!;
    const { ModifyListenerCommand } = await import('@aws-sdk/client-elastic-load-balancing-v2');
    await s.clients.elbv2.send(new ModifyListenerCommand({ ListenerArn: b2.arn, SslPolicy: 'ELBSecurityPolicy-2016-08' }));
    const wrong = s.world.acm.addCertificate({ domainName: '*.example.com' });

    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: wrong }, { ...s.reconcileOptions, apply: true });

    expect(plan.actions).toEqual([expect.objectContaining({ type: 'modify-listener', resource: 'broker-2', certificate: { name: old, arn: old }, reason: 'TLS policy ELBSecurityPolicy-2016-08 instead of ELBSecurityPolicy-TLS13-1-2-2021-06' })]);
    const after = (await mapping(s)).state.listeners.find((l) => l.port === 9002)!;
    expect(after).toMatchObject({ certificateArns: [old], sslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06' });
  });

  test('--allow-uncovered-certificate switches them anyway', async () => {
    s = createScenario();
    await s.reconcile();
    const wrong = s.world.acm.addCertificate({ domainName: '*.example.com' });
    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: wrong }, { ...s.reconcileOptions, apply: true, allowUncoveredCertificate: true });
    expect(plan.conflicts).toEqual([]);
    expect(plan.warnings).toContainEqual(expect.stringContaining('switched onto listener(s) :9000-9003 as --allow-uncovered-certificate asks'));
    expect((await mapping(s)).state.listeners.every((l) => l.certificateArns[0] === wrong)).toBe(true);
  });

  test('the plan shows the switch as old → new', async () => {
    s = createScenario();
    await s.reconcile();
    const old = s.config.certificateArn;
    const renewed = s.world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: renewed }, { ...s.reconcileOptions, apply: false });
    expect(plan.actions.filter((a) => a.type === 'modify-listener').map((a) => (a as { reason: string }).reason)).toEqual(Array(4).fill(`certificate ${old} → ${renewed}`));
    expect(formatPlan(plan)).toContain(`:9001 certificate ${old} → ${renewed}`);
  });
});

describe("a scale-out past the certificate's names (AWS's sample: bootstrap + b-1..b-3)", () => {
  test('broker 4 gets no listener, group or name, with a conflict naming b-4; the others and the bootstrap go on', async () => {
    s = createScenario({ certificateNames: SANS_1_TO_3 });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    s.world.resetCalls();

    const { plan } = await s.reconcile();

    expect(plan.conflicts).toEqual([{ resource: 'listener :9004', message: expect.stringContaining(`certificate ${s.config.certificateArn} does not cover b-4.kafka.example.com`) }]);
    expect(plan.conflicts[0].message).toContain('no listener, target group or name is made for broker-4');
    expect(plan.blocked).toEqual(['broker-4']);
    const written = s.world.writes().map((c) => c.command);
    expect(written).not.toContain('CreateListenerCommand');
    expect(written).not.toContain('CreateTargetGroupCommand');
    expect(written).not.toContain('ChangeResourceRecordSetsCommand');
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003']);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    // The bootstrap name is covered: broker 4 serves behind it like the others.
    expect(m.listeners[9000].targets).toEqual(range(1, 4).map((id) => brokerIp(id)).sort());
  });

  test('a broker whose name the certificate does cover is mapped beside the one refused', async () => {
    s = createScenario({ certificateNames: [...SANS_1_TO_3, 'b-5.kafka.example.com'] });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 5)));
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual(['listener :9004']);
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003', '9005']);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3', 'b-5'));
  });

  test('once the config names a certificate that covers b-4, the next run maps it', async () => {
    s = createScenario({ certificateNames: SANS_1_TO_3 });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    await s.reconcile();
    const reissued = s.world.acm.addCertificate({ domainName: SANS_1_TO_3[0], subjectAlternativeNames: [...SANS_1_TO_3.slice(1), 'b-4.kafka.example.com'] });

    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: reissued }, { ...s.reconcileOptions, apply: true });

    expect(plan.conflicts).toEqual([]);
    const { state, names: live } = await mapping(s);
    expect(live).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3', 'b-4'));
    expect(state.listeners.map((l) => l.certificateArns[0])).toEqual(Array(5).fill(reissued));
  });
});

describe('what brokers advertise when a name is refused', () => {
  /** A certificate for the bootstrap, b-1 and b-2 only: broker 3's name is refused. */
  const ONE_SHORT = ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com'];

  test('dynamic-broker-config: brokers 1 and 2 advertise their names, broker 3 keeps its AWS name', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'dynamic-broker-config' }, world: { certificateNames: ONE_SHORT } });
    const { plan } = await k.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual(['listener :9003']);
    expect(k.kafka.broker(1).advertisedEndpoint()).toEqual({ host: 'b-1.kafka.example.com', port: 9001 });
    expect(k.kafka.broker(2).advertisedEndpoint()).toEqual({ host: 'b-2.kafka.example.com', port: 9002 });
    expect(k.kafka.broker(3).advertisedEndpoint()?.host).toBe(k.kafka.broker(3).awsHost);
  });

  test('msk-configuration: no rolling restart onto names one broker could not be reached by, even with --allow-rolling-restart', async () => {
    k = await createKafkaScenario({ config: { advertisedListeners: 'msk-configuration' }, serverProperties: 'auto.create.topics.enable=false\n', world: { certificateNames: ONE_SHORT } });
    const { plan } = await k.reconcile({ allowRollingRestart: true });
    expect(plan.conflicts).toEqual([
      expect.objectContaining({ resource: 'listener :9003' }),
      { resource: 'msk configuration', message: expect.stringContaining('not setting custom.advertised.listeners: broker-3 has no listener or name of ours yet') },
    ]);
    const mskWrites = k.world.writes().filter((c) => ['CreateConfigurationCommand', 'UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand'].includes(c.command));
    expect(mskWrites).toEqual([]);
    expect(k.world.msk.serverProperties(k.clusterArn)).toBe('auto.create.topics.enable=false\n');
  });
});

describe('several listeners', () => {
  test("only the listener whose certificate misses names is held; the conflict carries that listener's label", async () => {
    s = createScenario();
    const publicLb = s.world.elbv2.addLoadBalancer({ name: 'msk-orders-public' });
    const publicZone = s.world.route53.addHostedZone({ name: 'example.com' });
    const wrong = s.world.acm.addCertificate({ domainName: '*.example.com' });
    const { listeners: _, ...base } = s.config;
    const config = parseConfig({ clusters: [{ ...base, listeners: [{ authentication: 'iam' }, { authentication: 'iam-public', loadBalancerArn: publicLb, hostedZoneId: publicZone, certificateArn: wrong }] }] }).clusters[0];

    const { plan } = await reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply: true });

    expect(plan.conflicts).toEqual([{ resource: expect.stringMatching(/^iam-public@msk-orders-public\/\w+ listeners :9000-9003$/), message: expect.stringContaining(`certificate ${wrong} does not cover`) }]);
    expect(s.world.elbv2.listeners(s.lbArn).map((l) => l.Port).sort()).toEqual([9000, 9001, 9002, 9003]);
    expect(s.world.elbv2.listeners(publicLb)).toEqual([]);
  });
});
