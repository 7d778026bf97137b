// `msk-custom-domain check`: each row passes on a healthy mapping and fails, saying what it
// found, when one link of the data path is broken; with --probe it connects for real.
import { afterEach, describe, expect, test } from '@jest/globals';
import { ElasticLoadBalancingV2Client, ModifyTargetGroupAttributesCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { allPass, checkCluster, type EndpointChecks } from '../../shared/check';
import { reconcileCluster } from '../../shared/reconcile';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const HEALTHY_AFTER_MS = 180_000;

/** Failing checks as "endpoint check: detail". */
const failures = (rows: EndpointChecks[]) => rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.endpoint} ${c.name}: ${c.detail}`));

async function mapped(options: Parameters<typeof createKafkaScenario>[0] = {}): Promise<KafkaScenario> {
  const scenario = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'dynamic-broker-config' }, ...options });
  await scenario.reconcile();
  await scenario.clock.sleep(HEALTHY_AFTER_MS);
  return scenario;
}

const probe = (scenario: KafkaScenario) => ({
  resolveAll: async (host: string) => {
    const r = scenario.network.resolve(host);
    if (!r.ok) throw new Error(r.error);
    return r.addresses;
  },
  ca: [scenario.network.ca.pem],
  timeoutMs: 1500, // real time: a loaded CI machine's TLS handshake is not a failure
});

describe('check', () => {
  test('a healthy mapping: every check of every endpoint passes, the probe included', async () => {
    s = await mapped();
    const rows = await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess, probe: probe(s) });
    expect(failures(rows)).toEqual([]);
    expect(rows.map((r) => r.endpoint)).toEqual(['bootstrap', 'broker-1', 'broker-2', 'broker-3']);
    expect(rows[1].checks.map((c) => c.name)).toEqual(['listener', 'cross-zone', 'targets', 'zone', 'broker-ingress', 'ingress', 'dns', 'certificate', 'advertised', 'probe']);
    expect(rows[1].checks.find((c) => c.name === 'probe')!.detail).toMatch(/^ApiVersions answered at (127\.[\d.]+(, )?){3}$/);
    expect(allPass(rows)).toBe(true);
  });

  test('cross-zone off on one group: its check fails; NLB DNS hides it by answering with one AZ node only', async () => {
    s = await mapped();
    const b2 = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName!.endsWith('-b2'))!;
    await new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }).send(new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: b2.TargetGroupArn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'use_load_balancer_configuration' }],
    }));
    const rows = await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess, probe: probe(s) });
    expect(failures(rows)).toEqual(['broker-2 cross-zone: off (inherited from the load balancer (off)): clients landing on a node in another AZ are reset']);
    // Only broker 2's AZ has a healthy target for every group, so DNS drops the other nodes for every
    // name: the probe passes, through one AZ of three. The cross-zone row is what shows it.
    const addresses = (row: EndpointChecks) => row.checks.find((c) => c.name === 'probe')!.detail.replace('ApiVersions answered at ', '').split(', ');
    expect(rows.map((r) => addresses(r).length)).toEqual([1, 1, 1, 1]);
    expect(addresses(rows[2])).toEqual([s.network.nodeAddress('eu-west-1b')]);
  });

  test('targets not healthy yet, a port the security group misses, a name the certificate lacks: each row says so', async () => {
    s = await createKafkaScenario({
      brokerIds: [1, 2, 3, 10],
      config: { advertisedListeners: 'none' },
      world: {
        loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9003, cidr: '10.0.0.0/8' }],
        certificateNames: ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com'],
      },
    });
    // As the deployed function runs: the health gate checks once, so the names wait for the next run.
    await reconcileCluster(s.clients, s.config, { ...s.reconcileOptions, apply: true, healthWait: { pollSeconds: 10, maxSeconds: 0 } });
    const rows = await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess });
    const found = failures(rows);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^broker-1 targets: 10\.0\.1\.11 initial$/),
      expect.stringMatching(/^broker-1 dns: no record b-1\.kafka\.example\.com\. in zone /),
      'broker-10 ingress: ' + s.world.elbv2.securityGroupsOf(s.lbArn)[0] + ' admit no TCP on 9010',
      `broker-10 certificate: ${s.config.certificateArn} (bootstrap.kafka.example.com and 3 more name(s)) does not cover b-10.kafka.example.com; no listener presents it yet`,
    ]));
    expect(found.filter((f) => f.includes('advertised'))).toEqual([]);
  });

  test('each certificate row names the certificate that covers or fails its name, the presented one when a switch was refused', async () => {
    s = await mapped({ config: { advertisedListeners: 'none' } });
    const old = s.config.certificateArn;
    const partial = s.world.acm.addCertificate({ domainName: 'bootstrap.kafka.example.com', subjectAlternativeNames: ['b-1.kafka.example.com', 'b-2.kafka.example.com'] });
    const config = { ...s.config, certificateArn: partial };
    const { plan } = await reconcileCluster(s.clients, config, { ...s.reconcileOptions, apply: true });
    expect(plan.conflicts.map((c) => c.resource)).toEqual(['listener :9003']);

    const rows = await checkCluster(s.clients, config, { kafkaAccess: s.reconcileOptions.kafkaAccess });
    const certificate = (endpoint: string) => rows.find((r) => r.endpoint === endpoint)!.checks.find((c) => c.name === 'certificate')!;
    expect(certificate('broker-1')).toEqual({ name: 'certificate', ok: true, detail: `covered by ${partial} (b-1.kafka.example.com)` });
    expect(certificate('broker-3')).toEqual({ name: 'certificate', ok: true, detail: `covered by ${old} (*.kafka.example.com); presented instead of the configured ${partial}` });
    expect(failures(rows)).toEqual([`broker-3 listener: :9003 presents ${old}, not the configured one`]);
  });

  test('a record removed by hand and brokers not advertising the names: dns and advertised fail', async () => {
    s = await mapped();
    const zone = s.world.route53.records(s.zoneId);
    const b3 = zone.find((r) => r.Name === 'b-3.kafka.example.com.' && r.Type === 'A')!;
    const { ChangeResourceRecordSetsCommand, Route53Client } = await import('@aws-sdk/client-route-53');
    await new Route53Client({ region: 'eu-west-1' }).send(new ChangeResourceRecordSetsCommand({ HostedZoneId: s.zoneId, ChangeBatch: { Changes: [{ Action: 'DELETE', ResourceRecordSet: b3 }] } }));
    s.kafka.broker(1).removeDynamicConfig('advertised.listeners');
    const rows = await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess });
    expect(failures(rows)).toEqual([
      expect.stringMatching(/^broker-1 advertised: advertises b-1\.demo-cluster\.a1b2c3\.c2\.kafka\.eu-west-1\.amazonaws\.com:\d+, expected b-1\.kafka\.example\.com:9001$/),
      `broker-3 dns: no record b-3.kafka.example.com. in zone ${s.zoneId}`,
    ]);
  });
});

describe('the same checks gate the first custom.advertised.listeners rollout', () => {
  const PROPERTIES = 'auto.create.topics.enable=false\n';

  test('a whole path: checked, then MSK rolls the brokers onto the names', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties: PROPERTIES });
    const { plan, applied } = await s.reconcile();
    expect(plan.actions.map((a) => a.type)).toEqual(expect.arrayContaining(['await-target-health', 'verify-data-path', 'update-msk-configuration']));
    expect(applied!.waiting).toBeUndefined();
    expect(s.world.calls.filter((c) => c.command === 'UpdateClusterConfigurationCommand')).toHaveLength(1);
  });

  test('a port the NLB security group misses: the rollout waits, naming it, and no broker restarts', async () => {
    s = await createKafkaScenario({
      brokerIds: [1, 2, 3],
      config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true },
      serverProperties: PROPERTIES,
      world: { loadBalancerIngress: [{ protocol: 'tcp', fromPort: 9000, toPort: 9002, cidr: '10.0.0.0/8' }] },
    });
    const { applied } = await s.reconcile();
    expect(applied!.waiting).toMatch(/^data path not verified, the rollout waits: broker-3 ingress: sg-\w+ admit no TCP on 9003$/);
    expect(s.world.calls.filter((c) => c.command === 'UpdateClusterConfigurationCommand')).toEqual([]);
    expect(s.kafka.broker(3).advertisedEndpoint()!.host).toMatch(/amazonaws\.com$/);
  });
});

describe('scaleIn: keep', () => {
  test('a kept broker\'s endpoint (no broker behind it) passes check, so the first rollout is not held for it', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3, 4], config: { advertisedListeners: 'msk-configuration', scaleIn: 'keep' } });
    const scenario = s;
    await scenario.reconcile(); // no rolling restart allowed yet: names and listeners only
    await scenario.setBrokers([1, 2, 3]);
    await scenario.reconcile();
    await scenario.clock.sleep(HEALTHY_AFTER_MS);
    const rows = await checkCluster(scenario.clients, scenario.config, { kafkaAccess: scenario.reconcileOptions.kafkaAccess, skipAdvertised: true });
    expect(rows.find((r) => r.endpoint === 'broker-4')!.checks).toEqual([{ name: 'targets', ok: true, detail: 'kept for a later scale-out (scaleIn: keep): no broker behind it' }]);
    expect(failures(rows)).toEqual([]);

    const { applied } = await scenario.reconcile({ allowRollingRestart: true });
    expect(applied?.waiting).toBeUndefined();
    expect(scenario.world.msk.rollingRestarts(scenario.clusterArn)).toBe(1);
  });
});
