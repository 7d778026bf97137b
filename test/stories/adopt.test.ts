// Coming from AWS's sample (aws-samples/sample-msk-custom-domain-name-iam-auth) or a hand-made
// setup: its listeners, target groups and names are taken over with no client impact, measured by
// the continuity probe (real kafkajs + MSK IAM signer through the embedded NLB), then managed.
import { afterEach, describe, expect, test } from '@jest/globals';
import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateTargetGroupCommand,
  ModifyTargetGroupAttributesCommand,
  RegisterTargetsCommand,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ChangeResourceRecordSetsCommand } from '@aws-sdk/client-route-53';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import { createScenario, type Scenario } from '../support/scenario';
import { adoptCluster } from '../../shared/apply/adopt';
import { runCli } from '../../cli/main';
import { ownershipTags, registryName, registryValue } from '../../shared/naming';

import { TAG_LOGICAL_ID, TAG_STACK_NAME } from '../../shared/plan/adopt';
import { resolveListeners } from '../../shared/listeners';

const STACK = 'msk-sample';

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface SampleOptions {
  /** Target group (by the sample's logical id suffix, `all` or `b2`) → IPs registered instead of the right ones. */
  targets?: Record<string, string[]>;
  targetPort?: number;
  /** Name (bootstrap, b-1 …) → the CNAME's value instead of the NLB. */
  cnames?: Record<string, string>;
  /** CloudFormation's tags on every resource, as a stack leaves them. */
  stack?: boolean;
}

/**
 * AWS's sample, built as its template builds it: TLS listeners 9000-9003 with the certificate,
 * target groups <stack>-msk-all and <stack>-msk-b1..b3 (TLS, IP targets on 9098), CNAMEs
 * bootstrap and b-1..b-3 at TTL 300; nothing tagged by the tool, no ownership record. The groups'
 * cross-zone load balancing is on (as the sample's users must set for per-broker groups, see the
 * cross-zone story in client-continuity.test.ts).
 */
async function buildSample(sc: Scenario, options: SampleOptions = {}): Promise<{ listenerArns: string[] }> {
  const { elbv2, route53 } = sc.clients;
  const lb = sc.world.elbv2.loadBalancer(sc.lbArn)!;
  const brokers = sc.world.msk.cluster(sc.clusterArn).brokers;
  const port = options.targetPort ?? 9098;
  const cfn = (logicalId: string) => (options.stack ? [{ Key: TAG_STACK_NAME, Value: STACK }, { Key: TAG_LOGICAL_ID, Value: logicalId }] : undefined);
  const listenerArns: string[] = [];
  const groups: [string, number, string[]][] = [
    ['all', 9000, brokers.map((b) => b.ip)],
    ...brokers.map((b): [string, number, string[]] => [`b${b.id}`, 9000 + b.id, [b.ip]]),
  ];
  for (const [suffix, listenerPort, ips] of groups) {
    const group = await elbv2.send(new CreateTargetGroupCommand({ Name: `${STACK}-msk-${suffix}`, Protocol: 'TLS', Port: port, VpcId: lb.VpcId, TargetType: 'ip', Tags: cfn(`TargetGroup${suffix}`) }));
    const arn = group.TargetGroups![0].TargetGroupArn!;
    await elbv2.send(new ModifyTargetGroupAttributesCommand({ TargetGroupArn: arn, Attributes: [{ Key: 'load_balancing.cross_zone.enabled', Value: 'true' }] }));
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: arn, Targets: (options.targets?.[suffix] ?? ips).map((Id) => ({ Id, Port: port })) }));
    const listener = await elbv2.send(new CreateListenerCommand({
      LoadBalancerArn: sc.lbArn, Port: listenerPort, Protocol: 'TLS', Certificates: [{ CertificateArn: sc.config.certificateArn }], SslPolicy: 'ELBSecurityPolicy-TLS13-1-2-2021-06',
      DefaultActions: [{ Type: 'forward', TargetGroupArn: arn }], Tags: cfn(`Listener${suffix}`),
    }));
    listenerArns.push(listener.Listeners![0].ListenerArn!);
  }
  const names = ['bootstrap', ...brokers.map((b) => `b-${b.id}`)];
  await route53.send(new ChangeResourceRecordSetsCommand({
    HostedZoneId: sc.zoneId,
    ChangeBatch: {
      Changes: names.map((n) => ({
        Action: 'CREATE',
        ResourceRecordSet: { Name: `${n}.kafka.example.com`, Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: options.cnames?.[n] ?? lb.DNSName! }] },
      })),
    },
  }));
  return { listenerArns };
}

const listenerArnsByPort = (sc: Scenario) => Object.fromEntries(sc.world.elbv2.listeners(sc.lbArn).map((l) => [l.Port!, l.ListenerArn!]));
const dryRun = (sc: Scenario, takeFromStack = false) => adoptCluster(sc.clients, sc.config, { apply: false, takeFromStack, kafkaAccess: sc.reconcileOptions.kafkaAccess });

describe('adopt: what qualifies and what does not, with the reason', () => {
  let sc: Scenario;
  afterEach(() => sc?.world.restore());

  test('the sample as built: every listener, group and name would be taken over; the dry run writes nothing', async () => {
    sc = createScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
    await buildSample(sc);
    const before = JSON.stringify([sc.world.elbv2.listeners(), sc.world.elbv2.targetGroups(), sc.world.route53.records(sc.zoneId)]);
    const { plan } = await dryRun(sc);
    expect(plan.notAdopted).toEqual([]);
    expect(plan.steps.map((x) => `${x.type} ${x.resource}`).sort()).toEqual(
      ['bootstrap', 'broker-1', 'broker-2', 'broker-3'].flatMap((k) => [`adopt-listener ${k}`, `adopt-record ${k}`, `adopt-target-group ${k}`]).sort(),
    );
    expect(JSON.stringify([sc.world.elbv2.listeners(), sc.world.elbv2.targetGroups(), sc.world.route53.records(sc.zoneId)])).toBe(before);
  });

  test("another broker's IP, a different target port, a name pointing elsewhere, a name another owner registered: each listed with its reason", async () => {
    sc = createScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
    const brokers = sc.world.msk.cluster(sc.clusterArn).brokers;
    const ip = (id: number) => brokers.find((b) => b.id === id)!.ip;
    await buildSample(sc, { targets: { b2: [ip(3)] }, cnames: { 'b-3': 'somewhere-else.example.net' } });
    await sc.clients.route53.send(new ChangeResourceRecordSetsCommand({
      HostedZoneId: sc.zoneId,
      ChangeBatch: { Changes: [{ Action: 'CREATE', ResourceRecordSet: { Name: registryName('b-1.kafka.example.com'), Type: 'TXT', TTL: 60, ResourceRecords: [{ Value: registryValue('arn:aws:kafka:eu-west-1:123456789012:cluster/other/abc', { brokerId: 1 }) }] } }] },
    }));
    const { plan } = await dryRun(sc);
    const reasons = Object.fromEntries(plan.notAdopted.map((n) => [n.resource.replace(/ of \S+ /, ' '), n.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['listener :9002 (broker-2)', 'record b-1.kafka.example.com.', 'record b-3.kafka.example.com.']);
    expect(reasons['listener :9002 (broker-2)']).toBe(`its target group ${STACK}-msk-b2 holds ${ip(3)} (not broker 2's IP) and lacks ${ip(2)}; it must hold exactly broker 2's IP: ${ip(2)}`);
    expect(reasons['record b-3.kafka.example.com.']).toMatch(/^it points elsewhere \(CNAME somewhere-else\.example\.net\), not at msk-orders-/);
    expect(reasons['record b-1.kafka.example.com.']).toBe('its registry record says it is owned by arn:aws:kafka:eu-west-1:123456789012:cluster/other/abc');
    // The rest still qualifies; broker 2's group is not taken over with its listener refused.
    expect(plan.steps.filter((x) => x.resource === 'broker-2').map((x) => x.type)).toEqual(['adopt-record']);
  });

  test('a different target port: refused for every listener', async () => {
    sc = createScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
    await buildSample(sc, { targetPort: 9094 });
    const { plan } = await dryRun(sc);
    expect(plan.steps.every((x) => x.type === 'adopt-record')).toBe(true);
    expect(plan.notAdopted).toHaveLength(4);
    for (const n of plan.notAdopted) expect(n.reason).toMatch(/^its target group msk-sample-msk-\w+ forwards TLS:9094, iam needs TLS:9098$/);
  });

  test('a CloudFormation stack\'s resources: named with stack and logical ids and what to do; taken only with --take-from-stack', async () => {
    sc = createScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
    await buildSample(sc, { stack: true });
    const { plan } = await dryRun(sc);
    expect(plan.steps.filter((x) => x.type !== 'adopt-record')).toEqual([]);
    expect(plan.notAdopted).toHaveLength(4);
    expect(plan.notAdopted[0]).toEqual({
      resource: expect.stringContaining('listener :9000'),
      stack: { name: STACK, logicalId: 'Listenerall' },
      reason: `created by CloudFormation stack ${STACK} (Listenerall, TargetGroupall): set DeletionPolicy: Retain and UpdateReplacePolicy: Retain on them, update the stack, remove them from the template, update again, then adopt with --take-from-stack`,
    });
    const taken = await dryRun(sc, true);
    expect(taken.plan.notAdopted).toEqual([]);
    expect(taken.plan.steps).toHaveLength(12);
  });

  test('a listener the tool already tags as another broker is not re-tagged', async () => {
    sc = createScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
    const { listenerArns } = await buildSample(sc);
    const listenerId = resolveListeners(sc.config)[0].id;
    await sc.clients.elbv2.send(new AddTagsCommand({ ResourceArns: [listenerArns[1]], Tags: Object.entries(ownershipTags(sc.clusterArn, { brokerId: 7 }, listenerId)).map(([Key, Value]) => ({ Key, Value })) }));
    const { plan } = await dryRun(sc);
    expect(plan.notAdopted.map((n) => n.reason)).toEqual([`already tagged as this cluster's broker-7 of listener ${listenerId}`]);
  });
});

describe('adopting AWS\'s sample under the probe', () => {
  test('adopt --apply: 0 failed connections, every listener ARN kept; then the tool manages them through a scale-out to 4 and back to 3', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'dynamic-broker-config' } });
    await buildSample(s);
    // The sample's last step: each broker advertises its custom name (a per-broker dynamic advertised.listeners).
    for (const { id } of s.kafka.brokers) {
      const b = s.kafka.broker(id);
      const current: string[] = b.configs.static['advertised.listeners'].split(',');
      b.setDynamicConfig('advertised.listeners', current.map((c) => (c.startsWith('CLIENT_IAM://') ? `CLIENT_IAM://b-${id}.kafka.example.com:${9000 + id}` : c)).join(','));
    }
    const arns = listenerArnsByPort(s);
    s.startProbe(30_000);
    // AWS's registration and the sample's default health checks (30 s x 5) before clients count.
    await s.pass(400_000);
    const steady = await s.pass(120_000);
    expect(steady.rounds).toBe(4);
    expect(steady.advertised.sort()).toEqual(['b-1.kafka.example.com:9001', 'b-2.kafka.example.com:9002', 'b-3.kafka.example.com:9003']);
    expect({ failed: steady.failed, samples: steady.samples }).toEqual({ failed: 0, samples: [] });

    // Before: the tool sees foreign listeners on every port it wants.
    const before = await s.reconcile({ apply: false });
    expect(before.plan.conflicts.filter((c) => c.resource.startsWith('listener :'))).toHaveLength(4);

    const out: string[] = [];
    const cli = (argv: string[]) => runCli(argv, { clientsFor: () => s!.clients, out: (t) => out.push(t), err: (t) => out.push(t), kafkaAccess: s!.reconcileOptions.kafkaAccess, dnsPollSeconds: 0.01 });
    const configFile = await writeConfig(s);
    expect(await cli(['adopt', '-c', configFile, '--cluster', 'orders'])).toBe(0);
    const dry = out.splice(0).join('\n');
    expect(dry).toContain('would adopt 12 resource(s) (dry run: nothing written; run with --apply)');
    expect(s.world.elbv2.listeners(s.lbArn).every((l) => !l.tags['managed-by'])).toBe(true);

    expect(await cli(['adopt', '-c', configFile, '--cluster', 'orders', '--apply'])).toBe(0);
    const applied = out.splice(0).join('\n');
    expect(applied).toContain('adopted 12 resource(s)');
    if (process.env.ADOPT_TRANSCRIPT) console.log(`${dry}\n---\n${applied}`);
    const during = await s.pass(120_000);
    expect({ failed: during.failed, samples: during.samples }).toEqual({ failed: 0, samples: [] });
    expect(listenerArnsByPort(s)).toEqual(arns);
    for (const l of s.world.elbv2.listeners(s.lbArn)) expect(l.tags['managed-by']).toBe('msk-custom-domain-sync');
    const again = await dryRun(s);
    expect({ steps: again.plan.steps, notAdopted: again.plan.notAdopted, owned: again.plan.owned.length }).toEqual({ steps: [], notAdopted: [], owned: 8 });

    // What the tool still wants to change, shown as any plan: no listener conflict, nothing re-created.
    const { plan } = await s.reconcile({ apply: false });
    expect(plan.conflicts).toEqual([]);
    const types = plan.actions.map((a) => a.type);
    expect(types).not.toContain('create-listener');
    expect(types).not.toContain('delete-listener');
    expect(types).not.toContain('create-target-group');
    expect(types.filter((t) => t === 'set-target-group-health')).toHaveLength(4);
    const dns = plan.actions.flatMap((a) => (a.type === 'change-records' ? a.changes.map((c) => `${c.action} ${c.record.type} ${c.record.name}`) : []));
    expect(dns).toEqual(expect.arrayContaining(['DELETE CNAME bootstrap.kafka.example.com.', 'CREATE A bootstrap.kafka.example.com.']));

    await s.reconcile();
    const managed = await s.pass(240_000);
    if (process.env.ADOPT_TRANSCRIPT) console.log(JSON.stringify({ steady, during, managed }));
    expect({ failed: managed.failed, samples: managed.samples }).toEqual({ failed: 0, samples: [] });
    expect(managed.advertised.sort()).toEqual(['b-1.kafka.example.com:9001', 'b-2.kafka.example.com:9002', 'b-3.kafka.example.com:9003']);
    expect(listenerArnsByPort(s)).toEqual(arns);

    // Scale out: broker 4 joins the adopted bootstrap group (the missing piece).
    await s.setBrokers([1, 2, 3, 4]);
    await s.reconcile();
    const joining = await s.pass(400_000);
    expect({ failed: joining.failed, samples: joining.samples }).toEqual({ failed: 0, samples: [] });
    const bootstrapGroup = s.world.elbv2.targetGroups().find((g) => g.TargetGroupName === `${STACK}-msk-all`)!;
    expect(s.world.elbv2.targets(bootstrapGroup.TargetGroupArn!).map((t) => t.id).sort()).toEqual(s.world.msk.cluster(s.clusterArn).brokers.map((b) => b.ip).sort());
    const four = await s.pass(120_000);
    expect({ failed: four.failed, samples: four.samples }).toEqual({ failed: 0, samples: [] });
    expect(four.advertised).toHaveLength(4);

    await s.setBrokers([1, 2, 3]);
    await s.reconcile();
    const leaving = await s.pass(400_000);
    expect({ failed: leaving.failed, samples: leaving.samples }).toEqual({ failed: 0, samples: [] });
    const back = await s.pass(120_000);
    expect({ failed: back.failed, samples: back.samples }).toEqual({ failed: 0, samples: [] });
    const finalArns = listenerArnsByPort(s);
    expect({ 9000: finalArns[9000], 9001: finalArns[9001], 9002: finalArns[9002], 9003: finalArns[9003] }).toEqual(arns);
    expect((await s.reconcile()).plan.actions).toEqual([]);
    if (process.env.ADOPT_TRANSCRIPT) console.log(JSON.stringify({ joining, four, leaving, back }));
    out.splice(0);
    const checked = await cli(['check', '-c', configFile, '--cluster', 'orders']);
    expect({ checked, out: checked ? out.join('\n') : '' }).toEqual({ checked: 0, out: '' });
  }, 240_000);
});

async function writeConfig(sc: Scenario): Promise<string> {
  const { mkdtemp, writeFile } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = await mkdtemp(join(tmpdir(), 'adopt-'));
  const file = join(dir, 'config.json');
  const { clusterArn, domain, hostedZoneId, loadBalancerArn, certificateArn } = sc.config;
  await writeFile(file, JSON.stringify({ clusters: [{ clusterArn, domain, hostedZoneId, loadBalancerArn, certificateArn, advertisedListeners: 'dynamic-broker-config' }] }));
  return file;
}
