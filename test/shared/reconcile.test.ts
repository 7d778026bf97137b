import { afterEach, describe, expect, test } from '@jest/globals';
import { ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { reconcileCluster } from '../../shared/reconcile';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../support/scenario';
import { mapping, names } from '../support/inspect';
import { sequentialRounds } from '../world/timeline';

let s: Scenario;
afterEach(() => s?.world.restore());

describe('a fresh cluster of 3 brokers', () => {
  test('gets a listener, target group, target and name per broker plus the bootstrap', async () => {
    s = createScenario();
    const { plan, applied } = await s.reconcile();
    expect(plan.status).toBe('ready');
    expect(plan.conflicts).toEqual([]);
    expect(applied?.done.length).toBe(plan.actions.length);

    const m = await mapping(s);
    expect(m.listeners).toEqual({
      9000: { role: 'bootstrap', targets: [brokerIp(1), brokerIp(2), brokerIp(3)].sort() },
      9001: { role: 'broker-1', targets: [brokerIp(1)] },
      9002: { role: 'broker-2', targets: [brokerIp(2)] },
      9003: { role: 'broker-3', targets: [brokerIp(3)] },
    });
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    const a = m.state.records.find((r) => r.name === 'b-1.kafka.example.com.');
    expect(a?.alias?.dnsName.toLowerCase()).toContain(m.state.loadBalancer.dnsName.toLowerCase());
  });

  test('a second run changes nothing: zero writes', async () => {
    s = createScenario();
    await s.reconcile();
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.actions).toEqual([]);
    expect(s.world.writes()).toHaveLength(0);
    // The reads of a no-op: one per target group for its targets and its attributes, and a fixed handful otherwise
    // (the certificate among them: read beside the first round, before the plan can say whether it is needed).
    const reads = s.world.reads().map((c) => c.command);
    expect(reads.filter((c) => c === 'DescribeTargetHealthCommand')).toHaveLength(4);
    expect(reads.filter((c) => c !== 'DescribeTargetHealthCommand').sort()).toEqual([
      'DescribeAlarmsCommand',
      'DescribeCertificateCommand',
      'DescribeClusterV2Command',
      'DescribeListenersCommand',
      'DescribeLoadBalancersCommand',
      // The preconditions: the brokers' groups, and the subnets of brokers and NLB in one call.
      'DescribeSecurityGroupsCommand',
      'DescribeSubnetsCommand',
      'DescribeTagsCommand',
      ...Array(4).fill('DescribeTargetGroupAttributesCommand'),
      'DescribeTargetGroupsCommand',
      'DescribeVpcsCommand',
      'GetHostedZoneCommand',
      'ListNodesCommand',
      'ListResourceRecordSetsCommand',
    ]);
  });

  test('plan alone writes nothing', async () => {
    s = createScenario();
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.actions.length).toBeGreaterThan(0);
    expect(s.world.writes()).toHaveLength(0);
  });

  test('all DNS changes of one reconcile go in one change batch, waited on until INSYNC', async () => {
    s = createScenario();
    await s.reconcile();
    const changes = s.world.calls.filter((c) => c.command === 'ChangeResourceRecordSetsCommand');
    expect(changes).toHaveLength(1);
    expect(s.world.calls.some((c) => c.command === 'GetChangeCommand')).toBe(true);
  });

  test('CNAME records for users whose resolver is not Route 53', async () => {
    s = createScenario({ config: { recordType: 'cname' } });
    await s.reconcile();
    const { state } = await mapping(s);
    const b1 = state.records.find((r) => r.name === 'b-1.kafka.example.com.');
    expect(b1).toMatchObject({ type: 'CNAME', values: [expect.stringContaining(state.loadBalancer.dnsName.toLowerCase())] });
  });
});

describe('the cluster changes', () => {
  test('scales out from 3 to 6 brokers: only the new brokers get resources, the bootstrap gains their IPs', async () => {
    s = createScenario();
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    const { plan } = await s.reconcile();
    const resources = new Set(plan.actions.map((a) => a.resource));
    // The new brokers' names go live behind the health gate, in the same apply once their targets are healthy.
    expect([...resources].sort()).toEqual(['bootstrap', 'broker-4', 'broker-5', 'broker-6', 'new names', 'dns (new names, once healthy)'].sort());
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003', '9004', '9005', '9006']);
    expect(m.listeners[9000].targets).toHaveLength(6);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6'));
  });

  test('scales in from 6 to 3 with scaleIn=delete: removed brokers lose listener, group and name', async () => {
    s = createScenario({ brokerIds: range(1, 6) });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    await s.reconcile();
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003']);
    expect(m.listeners[9000].targets).toEqual([brokerIp(1), brokerIp(2), brokerIp(3)].sort());
    expect(m.targetGroups).toHaveLength(4);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    expect(m.state.records.filter((r) => r.type === 'TXT').map((r) => r.name)).toHaveLength(4);
  });

  test('scales in from 6 to 3 with scaleIn=keep: only the IPs go; listeners and names wait for a later scale-out', async () => {
    s = createScenario({ brokerIds: range(1, 6), config: { scaleIn: 'keep' } });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    await s.reconcile();
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9003', '9004', '9005', '9006']);
    expect(m.listeners[9004].targets).toEqual([]);
    expect(m.listeners[9000].targets).toHaveLength(3);
    expect(m.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5', 'b-6'));

    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toHaveLength(0);
  });

  test('with scaleIn=keep, a later scale-out reuses the kept listener and name: only targets are registered', async () => {
    s = createScenario({ brokerIds: range(1, 4), config: { scaleIn: 'keep' } });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    const { plan } = await s.reconcile();
    expect(plan.actions.filter((a) => a.type !== 'put-alarm').map((a) => `${a.type} ${a.resource}`).sort()).toEqual([
      'register-targets bootstrap',
      'register-targets broker-4',
    ]);
    expect((await mapping(s)).listeners[9004]).toEqual({ role: 'broker-4', targets: [brokerIp(4)] });
  });

  test('broker 2 is replaced and its IP changes: its target is swapped, nothing else moves', async () => {
    s = createScenario();
    await s.reconcile();
    const newIp = brokerIp(2, 1);
    s.world.msk.replaceBroker(s.clusterArn, 2, newIp);
    const { plan } = await s.reconcile();
    expect(plan.actions.map((a) => `${a.type} ${a.resource}`).sort()).toEqual([
      'deregister-targets bootstrap',
      'deregister-targets broker-2',
      'register-targets bootstrap',
      'register-targets broker-2',
    ]);
    const m = await mapping(s);
    expect(m.listeners[9002].targets).toEqual([newIp]);
    expect(m.listeners[9000].targets).toContain(newIp);
    expect(m.listeners[9000].targets).not.toContain(brokerIp(2));
  });

  test('broker ids 1..12 get ports 9001..9012 (numeric, not 90010)', async () => {
    s = createScenario({ brokerIds: range(1, 12) });
    await s.reconcile();
    const m = await mapping(s);
    expect(Object.keys(m.listeners).map(Number)).toEqual([9000, ...range(9001, 9012)]);
    expect(m.listeners[9010]).toEqual({ role: 'broker-10', targets: [brokerIp(10)] });
  });

  test('a gap in broker ids leaves a gap in ports', async () => {
    s = createScenario({ brokerIds: [1, 2, 4, 7] });
    await s.reconcile();
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toEqual(['9000', '9001', '9002', '9004', '9007']);
  });
});

describe('drift', () => {
  test('a managed listener whose TLS policy was changed by hand is put back; nothing else is touched', async () => {
    s = createScenario();
    await s.reconcile();
    const { state } = await mapping(s);
    const b2 = state.listeners.find((l) => l.port === 9002)!;
    expect(b2.sslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
    await s.clients.elbv2.send(new ModifyListenerCommand({ ListenerArn: b2.arn, SslPolicy: 'ELBSecurityPolicy-2016-08' }));

    const { plan } = await s.reconcile();
    expect(plan.actions).toEqual([expect.objectContaining({ type: 'modify-listener', resource: 'broker-2', reason: expect.stringContaining('TLS policy ELBSecurityPolicy-2016-08') })]);
    expect((await mapping(s)).state.listeners.find((l) => l.port === 9002)!.sslPolicy).toBe('ELBSecurityPolicy-TLS13-1-2-2021-06');
  });

  test('a new certificate in the config is rolled onto every listener', async () => {
    s = createScenario();
    await s.reconcile();
    const renewed = s.world.acm.addCertificate({ domainName: '*.kafka.example.com' });
    const { plan } = await reconcileCluster(s.clients, { ...s.config, certificateArn: renewed }, { ...s.reconcileOptions, apply: true });
    expect(plan.actions.map((a) => `${a.type} ${a.resource}`)).toEqual(['modify-listener bootstrap', 'modify-listener broker-1', 'modify-listener broker-2', 'modify-listener broker-3']);
    expect((await mapping(s)).state.listeners.every((l) => l.certificateArns[0] === renewed)).toBe(true);
  });
});

describe('ownership', () => {
  test('a foreign listener on 9004 and a foreign b-4 record are reported and left untouched', async () => {
    s = createScenario({ brokerIds: range(1, 3) });
    s.world.elbv2.addListener({ loadBalancerArn: s.lbArn, port: 9004, protocol: 'TCP' });
    s.world.route53.addRecord(s.zoneId, { Name: 'b-4.kafka.example.com', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'somewhere.example.net' }] });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 5)));
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual(['listener :9004']);
    expect(plan.conflicts[0].message).toMatch(/does not own/);

    const m = await mapping(s);
    expect(m.listeners[9004].role).toBe('foreign');
    expect(m.listeners[9005].role).toBe('broker-5');
    const b4 = m.state.records.find((r) => r.name === 'b-4.kafka.example.com.');
    expect(b4).toMatchObject({ type: 'CNAME', values: ['somewhere.example.net'] });
  });

  test('a foreign record on a wanted name is a conflict; the foreign record survives scale-in too', async () => {
    s = createScenario({ brokerIds: range(1, 4) });
    s.world.route53.addRecord(s.zoneId, { Name: 'b-4.kafka.example.com', Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.44' }] });
    const { plan } = await s.reconcile();
    expect(plan.conflicts).toEqual([{ resource: 'record b-4.kafka.example.com.', message: expect.stringContaining('was not created by this tool') }]);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 3)));
    await s.reconcile();
    const { state } = await mapping(s);
    expect(state.records.find((r) => r.name === 'b-4.kafka.example.com.')).toMatchObject({ type: 'A', values: ['192.0.2.44'] });
  });
});

describe('read rounds', () => {
  test('a no-op is two rounds of reads (the lists, then per resource) and writes nothing', async () => {
    s = createScenario({ latencyMs: 10 });
    await s.reconcile();
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toEqual([]);
    expect(sequentialRounds(s.world.calls)).toBe(2);
  });
});

describe('the certificate', () => {
  test('is read beside the first round of observe, not in a round of its own', async () => {
    s = createScenario({ latencyMs: 10 });
    await s.reconcile();
    const [certificate] = s.world.calls.filter((c) => c.command === 'DescribeCertificateCommand');
    const firstAnswer = Math.min(...s.world.calls.map((c) => c.endedAt!));
    expect(certificate.startedAt).toBeLessThan(firstAnswer);
  });

  test('a failed read fails only a run that puts names live', async () => {
    s = createScenario();
    await s.reconcile();
    s.world.faults.add({ command: 'DescribeCertificateCommand', error: 'throttle', times: Infinity });
    await expect(s.reconcile()).resolves.toMatchObject({ plan: { actions: [] } });
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    await expect(s.reconcile()).rejects.toThrow(/Rate exceeded|Throttl/);
    expect(Object.keys((await mapping(s)).listeners)).toHaveLength(4);
  });
});

describe('failures', () => {
  test('a run interrupted after half its writes converges on the next run, without duplicates or orphans', async () => {
    s = createScenario({ brokerIds: range(1, 6) });
    s.world.faults.failAfterWrites(7);
    await expect(s.reconcile()).rejects.toThrow(/later steps not started/);
    s.world.faults.clear();
    await s.reconcile();
    const m = await mapping(s);
    expect(Object.keys(m.listeners)).toHaveLength(7);
    expect(m.targetGroups).toHaveLength(7);
    expect(new Set(m.targetGroups).size).toBe(7);
    expect(m.names).toHaveLength(7);
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toHaveLength(0);
  });

  test('throttling surfaces as a clear error and the next run converges', async () => {
    s = createScenario();
    s.world.faults.add({ command: 'CreateListenerCommand', error: 'throttle' });
    await expect(s.reconcile()).rejects.toThrow(/create listener .*Rate exceeded|create listener/);
    await s.reconcile();
    expect(Object.keys((await mapping(s)).listeners)).toHaveLength(4);
  });
});

describe('waiting and refusing', () => {
  test('a cluster that is not ACTIVE gets a waiting plan: additions only (a new IP is registered), nothing removed', async () => {
    s = createScenario();
    await s.reconcile();
    s.world.msk.setState(s.clusterArn, 'HEALING');
    s.world.msk.replaceBroker(s.clusterArn, 2, '10.0.2.112');
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.status).toBe('waiting');
    expect(plan.waitingReason).toMatch(/cluster is HEALING; only additions are made/);
    expect(plan.actions.map((a) => `${a.type} ${a.resource}`).sort()).toEqual(['register-targets bootstrap', 'register-targets broker-2']);
    expect(s.world.writes().map((c) => c.command)).toEqual(['RegisterTargetsCommand', 'RegisterTargetsCommand']);
    // Once ACTIVE, the old IP goes.
    s.world.msk.setState(s.clusterArn, 'ACTIVE');
    expect((await s.reconcile()).plan.actions.map((a) => `${a.type} ${a.resource}`).sort()).toEqual(['deregister-targets bootstrap', 'deregister-targets broker-2']);
  });

  test('a serverless cluster is refused clearly', async () => {
    s = createScenario();
    const arn = s.world.msk.addCluster({ name: 'events', brokers: [], clusterType: 'SERVERLESS' });
    await expect(
      (await import('../../shared/reconcile')).reconcileCluster(s.clients, { ...s.config, clusterArn: arn }, { apply: true }),
    ).rejects.toThrow('not supported, serverless clusters have no brokers to map');
  });

  test.each([
    ['more brokers than the NLB listener quota', { brokerIds: range(1, 50) }, /would need 51 listeners .* above the NLB quota of 50/],
    ['a port above 65535', { brokerIds: [1, 2], config: { brokerPortBase: 65534 } }, /broker-2 would need port 65536/],
    ['two endpoints on one port', { brokerIds: [1, 2], config: { bootstrapPort: 9002 } }, /bootstrap and broker-2 would share port 9002/],
  ])('%s -> clear error, zero writes', async (_, options, message) => {
    s = createScenario(options);
    await expect(s.reconcile()).rejects.toThrow(message);
    expect(s.world.writes()).toHaveLength(0);
  });

  test('mutual-TLS authentication is warned about: TLS termination at the NLB drops client certificates', async () => {
    s = createScenario({ config: { authentication: 'tls' } });
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.warnings).toContainEqual(expect.stringContaining('client certificates never reach the brokers'));
    expect(plan.actions.find((a) => a.type === 'create-target-group')).toMatchObject({ port: 9094 });
  });
});

describe('a scale-out in progress', () => {
  test('announced brokers get target group and listener while MSK creates them; targets, names (behind healthy targets) and alarms follow', async () => {
    s = createScenario();
    await s.reconcile();
    const scenario = s;
    s.world.msk.startOperation(s.clusterArn, {
      type: 'INCREASE_BROKER_COUNT',
      polls: 10,
      createdBrokerIds: [4, 5],
      onComplete: () => scenario.world.msk.setBrokers(scenario.clusterArn, brokersFor(range(1, 5))),
    });

    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.status).toBe('waiting');
    expect(plan.waitingReason).toContain('announced broker(s): 4, 5');
    expect(plan.actions.map((a) => `${a.type} ${a.resource}`).sort()).toEqual([
      'create-listener broker-4',
      'create-listener broker-5',
      'create-target-group broker-4',
      'create-target-group broker-5',
    ]);
    // No target to be healthy yet, so no name: a client never resolves a name that leads nowhere.
    expect(plan.warnings).toContain('broker-4, broker-5: no target yet, so no name yet; it goes live once its target is registered and healthy');
    const during = await mapping(s);
    expect(during.listeners[9004]).toEqual({ role: 'broker-4', targets: [] });
    expect(during.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3'));
    expect(s.world.writes().some((c) => c.service === 'cloudwatch')).toBe(false);

    s.world.msk.completeOperations(s.clusterArn);
    const after = await s.reconcile();
    expect(after.plan.status).toBe('ready');
    expect(after.plan.actions.filter((a) => a.type !== 'put-alarm').map((a) => `${a.type} ${a.resource}`).sort()).toEqual([
      'await-target-health new names',
      'change-records dns (new names, once healthy)',
      'register-targets bootstrap',
      'register-targets broker-4',
      'register-targets broker-5',
    ]);
    const done = await mapping(s);
    expect(done.listeners[9005]).toEqual({ role: 'broker-5', targets: [brokerIp(5)] });
    expect(done.names).toEqual(names('bootstrap', 'b-1', 'b-2', 'b-3', 'b-4', 'b-5'));
  });

  test('while MSK changes the cluster, nothing is deleted or retargeted, even if brokers look gone', async () => {
    s = createScenario({ brokerIds: range(1, 4) });
    await s.reconcile();
    s.world.msk.startOperation(s.clusterArn, { type: 'DECREASE_BROKER_COUNT', polls: 10 });
    s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    s.world.resetCalls();
    const { plan } = await s.reconcile();
    expect(plan.status).toBe('waiting');
    expect(plan.actions).toEqual([]);
    expect(s.world.writes()).toEqual([]);
  });
});
