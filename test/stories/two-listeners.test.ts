// A cluster with two client listeners behind one NLB, IAM (bootstrap.<domain>:9000, b-<id>:9000+id)
// and SASL/SCRAM (bootstrap-scram.<domain>:9100, s-<id>:9100+id), each measured by its own
// continuity probe: a kafkajs client of that listener (the MSK IAM signer, or SCRAM-SHA-512)
// bootstrapping through the listener's name, then reaching every broker Metadata advertises on
// that listener. Fake brokers serve CLIENT_IAM and CLIENT_SASL_SCRAM on sockets of their own; the
// NLB's target port (9098, 9096) picks the socket.
import { afterEach, describe, expect, test } from '@jest/globals';
import { DeregisterTargetsCommand, ElasticLoadBalancingV2Client, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { checkCluster } from '../../shared/check';
import type { ClusterConfigInput } from '../../shared/config/schema';
import { startFakeCluster, type FakeCluster } from '../kafka/fake';
import { CREDENTIALS } from '../kafka/helpers';
import { applyCustomAdvertisedListeners, createKafkaScenario, SCRAM_USER, type KafkaScenario } from '../support/kafka-scenario';
import type { ProbeFigures } from '../support/probe';
import type { Mode } from '../support/stories';
import { AWS_TIMING } from '../world';

const SCRAM = { authentication: 'scram' as const, bootstrapPort: 9100, brokerPortBase: 9100, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' };
const LISTENERS: ClusterConfigInput['listeners'] = [{ authentication: 'iam' }, SCRAM];
const PROBE_EVERY_MS = 30_000;
/** World time a step lets pass: AWS's registration, several health checks (10 s x 2) and several probe rounds. */
const STEP_MS = AWS_TIMING.registrationDelayMs + 60_000;
/** AWS's registration, then the tool's health check (10 s x 2): how long a new target is unreachable. */
const HEALTH_CHECK_MS = AWS_TIMING.registrationDelayMs + 10_000 * 2;

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

interface Step {
  step: string;
  iam: ProbeFigures;
  scram: ProbeFigures;
  brokers: number;
}

const SET_UP = 'set-up (names are new: failures allowed until targets are healthy)';
const JOIN = 'broker 4 joins while the operation runs';

/** 3 brokers, mapped with IAM + SCRAM -> scale out to 4 (MSK's operation announced, broker joins, completes). */
async function twoListenerStory(mode: Mode): Promise<{ steps: Step[]; scenario: KafkaScenario }> {
  s = await createKafkaScenario({
    brokerIds: [1, 2, 3],
    config: { advertisedListeners: mode, listeners: LISTENERS, allowRollingRestart: mode === 'msk-configuration' },
    serverProperties: mode === 'msk-configuration' ? 'auto.create.topics.enable=false\n' : undefined,
  });
  const scenario = s;
  const steps: Step[] = [];
  const step = async (name: string, change?: () => Promise<void> | void) => {
    await change?.();
    await scenario.reconcile();
    const figures = await scenario.passAll(STEP_MS);
    steps.push({ step: name, iam: figures.iam!, scram: figures.scram!, brokers: scenario.kafka.brokers.length });
  };
  expect(Object.keys(scenario.probes)).toEqual(['iam', 'scram']);
  scenario.startProbe(PROBE_EVERY_MS);
  await step(SET_UP);
  await step('no change');
  await step('scale-out requested: MSK announces broker 4', () => scenario.startScaleOut([4]));
  await step(JOIN, () => scenario.setBrokers([1, 2, 3, 4]));
  await step('scale-out complete (cluster ACTIVE)', () => scenario.world.msk.completeOperations(scenario.clusterArn));
  await step('no change after the scale-out');
  return { steps, scenario };
}

/** Every probe round reached every advertised broker: one bootstrap connection plus one per broker (one address each here). */
function expectEveryBrokerReached(f: ProbeFigures, brokers: number, addressesPerBroker = 1) {
  expect(f.rounds).toBeGreaterThan(0);
  expect(f.connections).toBe(f.rounds * (1 + brokers * addressesPerBroker));
}

const clean = (f: ProbeFigures) => ({ failed: f.failed, samples: f.samples });

describe('IAM + SCRAM listeners, advertisedListeners none: brokers keep their AWS names on both listeners', () => {
  test('both probes: no failure after set-up and through a scale-out 3 -> 4; each sees its own listener\'s endpoints', async () => {
    const { steps, scenario } = await twoListenerStory('none');
    const awsEndpoints = (listener: 'CLIENT_IAM' | 'CLIENT_SASL_SCRAM', n: number) =>
      scenario.kafka.brokers.slice(0, n).map((b) => `${b.awsHost}:${b.ports[listener]}`);
    for (const st of steps) {
      if (st.step === SET_UP) continue;
      expect({ step: st.step, iam: clean(st.iam), scram: clean(st.scram) }).toEqual({ step: st.step, iam: { failed: 0, samples: [] }, scram: { failed: 0, samples: [] } });
      // Mode none: Metadata names the brokers by their AWS names; the probe reaches them directly, one address each.
      expectEveryBrokerReached(st.iam, st.brokers);
      expectEveryBrokerReached(st.scram, st.brokers);
      expect(st.iam.advertised).toEqual(awsEndpoints('CLIENT_IAM', st.brokers));
      expect(st.scram.advertised).toEqual(awsEndpoints('CLIENT_SASL_SCRAM', st.brokers));
    }
    expect(steps.find((st) => st.step === JOIN)!.scram.advertised).toHaveLength(4);

    // Each client stayed on its listener: the SCRAM user only on CLIENT_SASL_SCRAM sockets, IAM principals only on CLIENT_IAM.
    const listenersOf = (pred: (principal: string) => boolean) =>
      new Set(scenario.kafka.requests.filter((r) => r.principal !== undefined && pred(r.principal)).map((r) => r.listener));
    expect(listenersOf((p) => p === SCRAM_USER.username)).toEqual(new Set(['CLIENT_SASL_SCRAM']));
    expect(listenersOf((p) => p !== SCRAM_USER.username)).toEqual(new Set(['CLIENT_IAM']));
    // And MSK reports both access methods, at the fake's ports (the tool's admin keeps using IAM).
    const boot = scenario.world.msk.cluster(scenario.clusterArn).brokers.map((b) => [b.id, b.port, b.scramPort]);
    expect(boot).toEqual(scenario.kafka.brokers.map((b) => [b.id, b.ports.CLIENT_IAM, b.ports.CLIENT_SASL_SCRAM]));
  });

  test('bootstrap-scram\'s targets moved to the IAM port (9098) by hand: the SCRAM probe fails at bootstrap, the IAM one does not', async () => {
    // Guards the probe itself: with the NLB forwarding bootstrap-scram to the brokers' IAM sockets,
    // the SCRAM client's handshake is refused (UNSUPPORTED_SASL_MECHANISM) and the probe says so.
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none', listeners: LISTENERS } });
    s.startProbe(PROBE_EVERY_MS);
    await s.reconcile();
    await s.passAll(STEP_MS);
    const bootstrapGroup = s.world.elbv2.listeners(s.lbArn).find((l) => l.Port === 9100)?.DefaultActions?.[0]?.TargetGroupArn;
    expect(bootstrapGroup).toBeDefined();
    const elbv2 = new ElasticLoadBalancingV2Client({ region: 'eu-west-1' });
    const targets = s.world.elbv2.targets(bootstrapGroup!).map((t) => ({ Id: t.id, Port: t.port }));
    expect(targets.map((t) => t.Port)).toEqual([9096, 9096, 9096]);
    await elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: bootstrapGroup, Targets: targets.map((t) => ({ ...t, Port: 9098 })) }));
    await elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: bootstrapGroup, Targets: targets }));
    await s.passAll(HEALTH_CHECK_MS + 40_000); // the new targets are registered and pass their health check (the IAM socket does answer TCP)
    const after = await s.passAll(60_000);
    expect(clean(after.iam!)).toEqual({ failed: 0, samples: [] });
    expect(after.scram!.failed).toBe(after.scram!.rounds);
    expect(after.scram!.samples[0]).toMatch(/^bootstrap bootstrap-scram\.kafka\.example\.com:9100: The broker does not support the requested SASL mechanism/);
  });
});

describe('the embedded MSK applies custom.advertised.listeners entry by entry', () => {
  let kafka: FakeCluster | undefined;
  afterEach(async () => {
    await kafka?.stop();
    kafka = undefined;
  });
  const start = async () =>
    (kafka = await startFakeCluster({
      brokers: [{ id: 1, host: '127.0.10.1' }, { id: 2, host: '127.0.10.2' }],
      credentials: CREDENTIALS,
      scramCredentials: { [SCRAM_USER.username]: SCRAM_USER.password },
      listeners: ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'],
      advertise: 'aws-name',
    }));

  test('one entry per listener: each replaces its own listener\'s entry; REPLICATION entries stay', async () => {
    const c = await start();
    applyCustomAdvertisedListeners(c, 'auto.create.topics.enable=false\ncustom.advertised.listeners=CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id},CLIENT_SASL_SCRAM://s-{broker_id}.kafka.example.com:9100+{broker_id}\n');
    expect(c.broker(2).advertisedEndpoint('CLIENT_IAM')).toEqual({ host: 'b-2.kafka.example.com', port: 9002 });
    expect(c.broker(2).advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 's-2.kafka.example.com', port: 9102 });
    expect(c.broker(1).configs.static['advertised.listeners']).toMatch(/^CLIENT_IAM:\/\/b-1\.kafka\.example\.com:9001,CLIENT_SASL_SCRAM:\/\/s-1\.kafka\.example\.com:9101,REPLICATION:\/\/b-1-internal\..*:9093,REPLICATION_SECURE:\/\/b-1-internal\..*:9095$/);
  });

  test('an entry for one listener leaves the other listener\'s AWS name alone', async () => {
    const c = await start();
    applyCustomAdvertisedListeners(c, 'custom.advertised.listeners=CLIENT_SASL_SCRAM://s-{broker_id}.kafka.example.com:9100+{broker_id}');
    expect(c.broker(1).advertisedEndpoint('CLIENT_IAM')).toEqual({ host: c.broker(1).awsHost, port: c.broker(1).ports.CLIENT_IAM });
    expect(c.broker(1).advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 's-1.kafka.example.com', port: 9101 });
  });

  test('an entry that names no MSK client listener is refused; one for a listener the brokers do not serve changes nothing (modelled)', async () => {
    const c = await start();
    expect(() => applyCustomAdvertisedListeners(c, 'custom.advertised.listeners=CLIENT_OAUTH://t-{broker_id}.kafka.example.com:9200+{broker_id}')).toThrow(/CLIENT_OAUTH is not an MSK client listener/);
    const before = c.broker(1).configs.static['advertised.listeners'];
    applyCustomAdvertisedListeners(c, 'custom.advertised.listeners=CLIENT_SECURE://t-{broker_id}.kafka.example.com:9200+{broker_id}');
    expect(c.broker(1).configs.static['advertised.listeners']).toBe(before);
  });
});

// Both listeners advertised with custom names: each probe follows its own listener's names.
describe.each<Mode>(['dynamic-broker-config', 'msk-configuration'])(
  'IAM + SCRAM listeners, advertisedListeners %s',
  (mode) => {
    test('both probes see the custom names of their listener, with no failure where the design promises none', async () => {
      const { steps, scenario } = await twoListenerStory(mode);
      const custom = (template: (id: number) => string, n: number) => Array.from({ length: n }, (_, i) => template(i + 1));
      const iamNames = (n: number) => custom((id) => `b-${id}.kafka.example.com:${9000 + id}`, n);
      const scramNames = (n: number) => custom((id) => `s-${id}.kafka.example.com:${9100 + id}`, n);
      // MSK advertises a joining broker's custom name at once (msk-configuration): unreachable until its targets are healthy.
      const promiseNone = (step: string) => step !== SET_UP && !(mode === 'msk-configuration' && step === JOIN);
      for (const st of steps) {
        if (promiseNone(st.step)) {
          expect({ step: st.step, iam: clean(st.iam), scram: clean(st.scram) }).toEqual({ step: st.step, iam: { failed: 0, samples: [] }, scram: { failed: 0, samples: [] } });
        }
        expect(st.iam.longestOutageMs).toBeLessThanOrEqual(HEALTH_CHECK_MS + PROBE_EVERY_MS);
        expect(st.scram.longestOutageMs).toBeLessThanOrEqual(HEALTH_CHECK_MS + PROBE_EVERY_MS);
        if (st.step === SET_UP || st.step === JOIN) continue; // names switch during these steps
        expect({ step: st.step, iam: st.iam.advertised, scram: st.scram.advertised }).toEqual({ step: st.step, iam: iamNames(st.brokers), scram: scramNames(st.brokers) });
      }
      // After the scale-out broker 4 is advertised on both listeners under its custom names.
      const last = steps.at(-1)!;
      expect(last.iam.advertised).toContain('b-4.kafka.example.com:9004');
      expect(last.scram.advertised).toContain('s-4.kafka.example.com:9104');

      // check agrees, row by row: the IAM names from Kafka metadata, the SCRAM names from each broker's advertised.listeners.
      const rows = await checkCluster(scenario.clients, scenario.config, { kafkaAccess: scenario.reconcileOptions.kafkaAccess });
      expect(rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.endpoint} ${c.name}: ${c.detail}`))).toEqual([]);
      expect(rows.filter((r) => r.endpoint.startsWith('scram@') && r.endpoint.endsWith('broker-4')).map((r) => r.checks.find((c) => c.name === 'advertised')!.detail)).toEqual(['s-4.kafka.example.com:9104']);
    });
  },
);
