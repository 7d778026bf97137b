// Preconditions a real account gets wrong, through real sockets: what a client sees while the
// tool holds a name back, and once the setup is fixed. Dynamic mode: names are advertised per broker.
import { afterEach, describe, expect, test } from '@jest/globals';
import { checkCluster, type EndpointChecks } from '../../shared/check';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import { AWS_TIMING } from '../world';

const BROKER_GROUP = 'sg-0abc1234def567890';
/** AWS's registration, then a minute of health checks. */
const HEALTHY_AFTER_MS = AWS_TIMING.registrationDelayMs + 60_000;

let s: KafkaScenario | undefined;
afterEach(async () => {
  await s?.stop();
  s = undefined;
});

const failures = (rows: EndpointChecks[]) => rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.endpoint} ${c.name}: ${c.detail}`));
const advertisedHost = (scenario: KafkaScenario, id: number) => scenario.kafka.broker(id).advertisedEndpoint()!.host;

const probe = (scenario: KafkaScenario) => ({
  resolveAll: async (host: string) => {
    const r = scenario.network.resolve(host);
    if (!r.ok) throw new Error(r.error);
    return r.addresses;
  },
  ca: [scenario.network.ca.pem],
  timeoutMs: 1500,
});

describe('broker security groups shut to the NLB', () => {
  test('no name is published or advertised, the targets turn unhealthy (the world drops the NLB\'s packets); a rule admitting the VPC converges, clients get through', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3] });
    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, cidr: '192.168.0.0/16' }]);
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual([expect.stringMatching(/^broker security groups :9098 on msk-orders\//)]);
    expect(plan.actions.filter((a) => a.type === 'alter-broker-configs' || a.type === 'await-target-health' || a.type === 'change-records')).toEqual([]);
    expect([1, 2, 3].map((id) => advertisedHost(s!, id))).toEqual([1, 2, 3].map(() => expect.stringMatching(/amazonaws\.com$/)));
    await s.clock.sleep(HEALTHY_AFTER_MS);
    const rows = await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess });
    expect(failures(rows).filter((f) => f.startsWith('broker-1 '))).toEqual([
      'broker-1 targets: 10.0.1.11 unhealthy',
      `broker-1 broker-ingress: the brokers' security group(s) ${BROKER_GROUP} admit no TCP 9098 from load balancer msk-orders/${s.lbArn.split('/').pop()} ` +
        `(its subnet(s) ${s.world.ec2.subnets().map((n) => `${n.SubnetId} ${n.CidrBlock} (${n.AvailabilityZone})`).join(', ')}): health checks and client connections time out`,
      'broker-1 dns: no record b-1.kafka.example.com. in zone ' + s.zoneId,
      expect.stringMatching(/^broker-1 advertised: advertises b-1\.[\w.-]+\.amazonaws\.com:\d+, expected b-1\.kafka\.example\.com:9001$/),
    ]);

    s.world.ec2.setIngress(BROKER_GROUP, [{ protocol: 'tcp', fromPort: 9098, toPort: 9098, cidr: '10.0.0.0/16' }]);
    const fixed = await s.reconcile();
    expect(fixed.plan.conflicts).toEqual([]);
    expect([1, 2, 3].map((id) => advertisedHost(s!, id))).toEqual(['b-1.kafka.example.com', 'b-2.kafka.example.com', 'b-3.kafka.example.com']);
    s.startProbe();
    const figures = await s.pass(60_000);
    expect({ failed: figures.failed, samples: figures.samples }).toEqual({ failed: 0, samples: [] });
    expect(figures.connections).toBeGreaterThan(0);
    expect(failures(await checkCluster(s.clients, s.config, { kafkaAccess: s.reconcileOptions.kafkaAccess, probe: probe(s) }))).toEqual([]);
  });
});

describe('a broker in an AZ the NLB is not enabled in', () => {
  test('it keeps its AWS name, so clients reach it while the others switch; once the zone is enabled it switches too, and no connection fails', async () => {
    s = await createKafkaScenario({ brokerIds: [1, 2, 3], world: { loadBalancer: { zones: ['eu-west-1a', 'eu-west-1b'] } } });
    const { plan } = await s.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual([expect.stringMatching(/^availability zone of broker 3 on msk-orders\//)]);
    expect(plan.actions.filter((a) => a.type === 'alter-broker-configs').map((a) => a.resource)).toEqual(['broker-1', 'broker-2']);
    expect([1, 2, 3].map((id) => advertisedHost(s!, id))).toEqual(['b-1.kafka.example.com', 'b-2.kafka.example.com', expect.stringMatching(/^b-3\..*amazonaws\.com$/)]);
    s.startProbe();
    const before = await s.pass(60_000);
    expect({ failed: before.failed, samples: before.samples }).toEqual({ failed: 0, samples: [] });

    s.world.elbv2.setZones(s.lbArn, ['eu-west-1a', 'eu-west-1b', 'eu-west-1c']);
    const fixed = await s.reconcile();
    expect(fixed.plan.conflicts).toEqual([]);
    expect(advertisedHost(s, 3)).toBe('b-3.kafka.example.com');
    const after = await s.pass(60_000);
    expect({ failed: after.failed, samples: after.samples }).toEqual({ failed: 0, samples: [] });
    expect(after.advertised).toContain('b-3.kafka.example.com:9003');
  });
});
