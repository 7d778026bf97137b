// Issue 9, records for clients elsewhere: clients in another VPC or account reach the NLB through a
// PrivateLink endpoint service, so the names point at the VPC endpoint, often in a hosted zone of
// that other account, reached through a role there. The same TXT ownership rules hold there.
import type { ObservedState } from '../../shared/state';
import { afterEach, describe, expect, test } from '@jest/globals';
import { GetHostedZoneCommand, Route53Client } from '@aws-sdk/client-route-53';
import { checkCluster, type EndpointChecks } from '../../shared/check';
import { createScenario, type Scenario, type ScenarioOptions } from '../support/scenario';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';
import type { AwsWorld } from '../world';

/** The one listener's resolved record target. */
const target = (observed: ObservedState) => Object.values(observed.recordTargets ?? {})[0]!;

const CLIENTS_ACCOUNT = '210987654321';
const EXTERNAL_ID = 'msk-orders-7f3a';

let s: Scenario | KafkaScenario | undefined;
afterEach(async () => {
  if (s && 'stop' in s) await s.stop();
  else s?.world.restore();
  s = undefined;
});

/** The clients' account: its own example.com zone and a role there that trusts the function's role. */
function clientsAccount(world: AwsWorld, role: { externalId?: string; trustedPrincipal?: string } = {}) {
  const zoneId = world.route53.addHostedZone({ name: 'example.com', accountId: CLIENTS_ACCOUNT });
  const roleArn = world.sts.addRole({
    accountId: CLIENTS_ACCOUNT, name: 'msk-custom-domain-dns', trustedPrincipal: role.trustedPrincipal ?? world.sts.home.arn, externalId: EXTERNAL_ID, ...role,
  });
  return { zoneId, roleArn };
}

/** Records at and under kafka.example.com in a zone, as "name type -> target". */
function namesIn(world: AwsWorld, zoneId: string): string[] {
  return world.route53.records(zoneId)
    .filter((r) => r.Name!.endsWith('kafka.example.com.'))
    .map((r) => `${r.Name} ${r.Type} -> ${r.AliasTarget?.DNSName ?? r.ResourceRecords?.map((v) => v.Value).join(' ')}`);
}

const failures = (rows: EndpointChecks[]) => rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c) => `${r.endpoint} ${c.name}: ${c.detail}`));

describe("a hosted zone in the clients' account, reached through a role there", () => {
  const inClientsZone = (options: { externalId?: string } = {}): ScenarioOptions => ({
    brokerIds: [1, 2],
    prepare: (world) => {
      const { zoneId, roleArn } = clientsAccount(world);
      return { hostedZoneId: zoneId, hostedZoneRole: { roleArn, externalId: options.externalId ?? EXTERNAL_ID } };
    },
  });

  test("the names and their TXT registry records are written in that account's zone; the function's own zone stays untouched", async () => {
    const scenario = (s = createScenario(inClientsZone()));
    const { plan } = await scenario.reconcile();
    expect(plan.conflicts).toEqual([]);

    const lbDns = scenario.world.elbv2.loadBalancer(scenario.lbArn)!.DNSName!.toLowerCase();
    expect(namesIn(scenario.world, scenario.config.hostedZoneId).sort()).toEqual([
      `_msk-custom-domain.b-1.kafka.example.com. TXT -> "heritage=msk-custom-domain-sync,owner=${scenario.clusterArn},resource=broker-1"`,
      `b-1.kafka.example.com. A -> ${lbDns}.`,
      `_msk-custom-domain.b-2.kafka.example.com. TXT -> "heritage=msk-custom-domain-sync,owner=${scenario.clusterArn},resource=broker-2"`,
      `b-2.kafka.example.com. A -> ${lbDns}.`,
      `_msk-custom-domain.bootstrap.kafka.example.com. TXT -> "heritage=msk-custom-domain-sync,owner=${scenario.clusterArn},resource=bootstrap"`,
      `bootstrap.kafka.example.com. A -> ${lbDns}.`,
    ].sort());
    expect(namesIn(scenario.world, scenario.zoneId)).toEqual([]);
    // The role was assumed with the external id the trust policy asks for.
    expect(scenario.world.calls.filter((c) => c.command === 'AssumeRoleCommand').map((c) => c.input)).toEqual([
      expect.objectContaining({ RoleArn: scenario.config.hostedZoneRole!.roleArn, ExternalId: EXTERNAL_ID }),
    ]);

    scenario.world.resetCalls();
    const again = await scenario.reconcile();
    expect(again.plan.actions).toEqual([]);
    expect(scenario.world.writes()).toEqual([]);
  });

  test('the zone is invisible to the function\'s own credentials: without hostedZoneRole the run stops before any write, saying so', async () => {
    const scenario = (s = createScenario({ brokerIds: [1], prepare: (world) => ({ hostedZoneId: clientsAccount(world).zoneId }) }));
    const own = new Route53Client({ region: scenario.world.region });
    await expect(own.send(new GetHostedZoneCommand({ Id: scenario.config.hostedZoneId }))).rejects.toMatchObject({ name: 'AccessDenied' });

    await expect(scenario.reconcile()).rejects.toThrow(
      new RegExp(`^hosted zone ${scenario.config.hostedZoneId} cannot be read: .*; a zone of another account needs hostedZoneRole$`),
    );
    expect(scenario.world.writes()).toEqual([]);
  });

  test('a role that cannot be assumed (wrong external id) fails before any write, naming the role and the external id', async () => {
    const scenario = (s = createScenario(inClientsZone({ externalId: 'not-the-agreed-id' })));
    const error = await scenario.reconcile().then(() => undefined, (e: Error) => e);
    expect(error?.name).toBe('ConfigError');
    expect(error?.message).toBe(
      `cannot assume arn:aws:iam::${CLIENTS_ACCOUNT}:role/msk-custom-domain-dns with external id not-the-agreed-id (hostedZoneRole): ` +
        `User: ${scenario.world.sts.home.arn} is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::${CLIENTS_ACCOUNT}:role/msk-custom-domain-dns; ` +
        "its trust policy must let this function's role call sts:AssumeRole with that sts:ExternalId, and the function's role must be allowed to assume it",
    );
    // Nothing at all was written: no listener, no target group, no record in either zone.
    expect(scenario.world.writes()).toEqual([]);
    expect(scenario.world.elbv2.listeners(scenario.lbArn)).toEqual([]);
  });

  test('a role whose trust policy names someone else fails the same way', async () => {
    const scenario = (s = createScenario({
      brokerIds: [1],
      prepare: (world) => {
        const { zoneId, roleArn } = clientsAccount(world, { trustedPrincipal: 'arn:aws:iam::111122223333:root' });
        return { hostedZoneId: zoneId, hostedZoneRole: { roleArn, externalId: EXTERNAL_ID } };
      },
    }));
    await expect(scenario.reconcile()).rejects.toThrow(/^cannot assume .* with external id msk-orders-7f3a \(hostedZoneRole\): User: .* is not authorized to perform: sts:AssumeRole/);
    expect(scenario.world.writes()).toEqual([]);
  });

  test("a foreign record in the clients' zone is never touched: reported as a conflict, the other names are managed", async () => {
    let foreign = '';
    const scenario = (s = createScenario({
      brokerIds: [1, 2],
      prepare: (world) => {
        const { zoneId, roleArn } = clientsAccount(world);
        world.route53.addRecord(zoneId, { Name: 'b-2.kafka.example.com', Type: 'CNAME', TTL: 300, ResourceRecords: [{ Value: 'legacy-proxy.example.com' }] });
        foreign = zoneId;
        return { hostedZoneId: zoneId, hostedZoneRole: { roleArn, externalId: EXTERNAL_ID } };
      },
    }));
    const { plan } = await scenario.reconcile();
    expect(plan.conflicts.map((c) => c.resource)).toEqual(['record b-2.kafka.example.com.']);
    const names = namesIn(scenario.world, foreign);
    expect(names).toContain('b-2.kafka.example.com. CNAME -> legacy-proxy.example.com');
    expect(names.filter((n) => n.startsWith('b-2.') || n.includes('.b-2.'))).toEqual(['b-2.kafka.example.com. CNAME -> legacy-proxy.example.com']);
    expect(names.filter((n) => n.startsWith('b-1.kafka'))).toHaveLength(1);
  });
});

describe('names that point at a VPC endpoint in front of the NLB', () => {
  /** An endpoint service of this account in front of the NLB, and an endpoint connected to it. */
  const throughEndpoint = (config: ScenarioOptions['config'] = {}, endpoint: { state?: string; otherLoadBalancer?: boolean } = {}) =>
    (world: AwsWorld, { lbArn }: { lbArn: string }) => {
      const other = endpoint.otherLoadBalancer ? world.elbv2.addLoadBalancer({ name: 'msk-other' }) : undefined;
      const { serviceId } = world.ec2.addEndpointService({ loadBalancerArns: [other ?? lbArn] });
      const { id } = world.ec2.addVpcEndpoint({ serviceId, state: endpoint.state });
      return { recordTarget: { vpcEndpointId: id }, ...config };
    };

  test('read by id: alias A records to the endpoint\'s regional DNS name, with its hosted zone id; check follows the endpoint', async () => {
    const scenario = (s = createScenario({ brokerIds: [1, 2], prepare: throughEndpoint() }));
    const { observed } = await scenario.reconcile();
    expect(target(observed)).toEqual({ kind: 'vpc-endpoint', dnsName: expect.stringMatching(/^vpce-0[0-9a-f]+-[0-9a-f]{8}\.vpce-svc-0[0-9a-f]+\.eu-west-1\.vpce\.amazonaws\.com$/), hostedZoneId: 'ZVPCEEUWEST1' });
    const b1 = scenario.world.route53.records(scenario.zoneId).find((r) => r.Name === 'b-1.kafka.example.com.');
    expect(b1?.AliasTarget).toEqual({ DNSName: `${target(observed).dnsName}.`, HostedZoneId: 'ZVPCEEUWEST1', EvaluateTargetHealth: false });

    const rows = await checkCluster(scenario.clients, scenario.config);
    expect(rows.map((r) => r.checks.find((c) => c.name === 'dns')!.detail)).toEqual(
      ['bootstrap', 'b-1', 'b-2'].map((h) => `${h}.kafka.example.com. -> VPC endpoint ${target(observed).dnsName}`),
    );
    expect(rows.every((r) => r.checks.find((c) => c.name === 'dns')!.ok)).toBe(true);
  });

  test('recordType cname: CNAME records to the endpoint name', async () => {
    const scenario = (s = createScenario({ brokerIds: [1], prepare: throughEndpoint({ recordType: 'cname' }) }));
    const { observed } = await scenario.reconcile();
    expect(namesIn(scenario.world, scenario.zoneId).filter((n) => !n.startsWith('_'))).toEqual([
      `b-1.kafka.example.com. CNAME -> ${target(observed).dnsName}.`,
      `bootstrap.kafka.example.com. CNAME -> ${target(observed).dnsName}.`,
    ]);
  });

  test('names that pointed at the NLB move to the endpoint when recordTarget is added, the registry kept', async () => {
    const scenario = (s = createScenario({ brokerIds: [1] }));
    await scenario.reconcile();
    const { serviceId } = scenario.world.ec2.addEndpointService({ loadBalancerArns: [scenario.lbArn] });
    const endpoint = scenario.world.ec2.addVpcEndpoint({ serviceId });
    const { reconcileCluster } = await import('../../shared/reconcile');
    const moved = await reconcileCluster(scenario.clients, { ...scenario.config, recordTarget: { vpcEndpointId: endpoint.id } }, { ...scenario.reconcileOptions, apply: true });
    const changes = moved.plan.actions.flatMap((a) => (a.type === 'change-records' ? a.changes.map((c) => `${c.action} ${c.record.name} ${c.record.type}`) : []));
    expect(changes.sort()).toEqual(['UPSERT b-1.kafka.example.com. A', 'UPSERT bootstrap.kafka.example.com. A']);
    expect(scenario.world.route53.records(scenario.zoneId).find((r) => r.Name === 'b-1.kafka.example.com.')?.AliasTarget?.DNSName).toBe(`${endpoint.dnsName}.`);
  });

  test.each([
    ['not accepted yet', { state: 'pendingAcceptance' }, /^recordTarget\.vpcEndpointId vpce-0[0-9a-f]+ is pendingAcceptance, not available \(an endpoint service may need to accept it\): its names would lead nowhere; nothing was changed$/],
    ['connected to a service of another load balancer', { otherLoadBalancer: true }, /^recordTarget\.vpcEndpointId vpce-0[0-9a-f]+ connects to vpce-svc-0[0-9a-f]+, which fronts arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer\/net\/msk-other\/[0-9a-f]+, not loadBalancerArn /],
  ])('an endpoint %s is refused before any write', async (_, endpoint, message) => {
    const scenario = (s = createScenario({ brokerIds: [1], prepare: throughEndpoint({}, endpoint) }));
    await expect(scenario.reconcile()).rejects.toThrow(message);
    expect(scenario.world.writes()).toEqual([]);
  });

  test('an endpoint id this account does not have is refused, pointing at vpcEndpointDnsName for endpoints elsewhere', async () => {
    const scenario = (s = createScenario({ brokerIds: [1], config: { recordTarget: { vpcEndpointId: 'vpce-0123456789abcdef0' } } }));
    await expect(scenario.reconcile()).rejects.toThrow(
      'recordTarget.vpcEndpointId vpce-0123456789abcdef0 not found in this account and region: check the id (an endpoint of another account is named by recordTarget.vpcEndpointDnsName)',
    );
    expect(scenario.world.writes()).toEqual([]);
  });

  test('an endpoint DNS name without its hosted zone id cannot be an alias: the error says what to add', async () => {
    const scenario = (s = createScenario({ brokerIds: [1], config: { recordTarget: { vpcEndpointDnsName: 'vpce-0abc-xyz.vpce-svc-0123.eu-west-1.vpce.amazonaws.com' } } }));
    await expect(scenario.reconcile()).rejects.toThrow(/an alias record needs the hosted zone id of that DNS entry; add recordTarget\.hostedZoneId .* or set recordType to cname$/);
    expect(scenario.world.writes()).toEqual([]);
  });

  test("the PrivateLink story end to end: the clients' endpoint, named by DNS name, in the clients' zone through their role; the CLI's check probes through it", async () => {
    const scenario = (s = await createKafkaScenario({
      brokerIds: [1, 2, 3],
      config: { advertisedListeners: 'dynamic-broker-config' },
      world: {
        prepare: (world, { lbArn }) => {
          const { zoneId, roleArn } = clientsAccount(world);
          const { serviceId } = world.ec2.addEndpointService({ loadBalancerArns: [lbArn] });
          // The endpoint lives in the clients' account: this account cannot describe it, only name it.
          const endpoint = world.ec2.addVpcEndpoint({ serviceId, ownerId: CLIENTS_ACCOUNT });
          return {
            hostedZoneId: zoneId,
            hostedZoneRole: { roleArn, externalId: EXTERNAL_ID },
            recordTarget: { vpcEndpointDnsName: endpoint.dnsName, hostedZoneId: endpoint.hostedZoneId },
          };
        },
      },
    }));
    await scenario.reconcile();
    await scenario.clock.sleep(180_000); // targets healthy
    const rows = await checkCluster(scenario.clients, scenario.config, {
      kafkaAccess: scenario.reconcileOptions.kafkaAccess,
      probe: {
        resolveAll: async (host) => {
          const r = scenario.network.resolve(host);
          if (!r.ok) throw new Error(r.error);
          return r.addresses;
        },
        ca: [scenario.network.ca.pem],
        timeoutMs: 400,
      },
    });
    expect(failures(rows)).toEqual([]);
    expect(rows[1].checks.find((c) => c.name === 'dns')!.detail).toBe(`b-1.kafka.example.com. -> VPC endpoint ${scenario.config.recordTarget!.vpcEndpointDnsName}`);
    expect(rows[1].checks.find((c) => c.name === 'probe')!.ok).toBe(true);
  });
});

describe('per listener: internal names in the own zone, the same cluster for another account through PrivateLink', () => {
  test("each listener's names go to its own zone and target; the other account's zone through its role, the own zone untouched by it", async () => {
    const scenario = (s = createScenario({ brokerIds: [1, 2] }));
    const { world, lbArn, zoneId } = scenario;
    const clients = clientsAccount(world);
    const { serviceId } = world.ec2.addEndpointService({ loadBalancerArns: [lbArn] });
    const { id } = world.ec2.addVpcEndpoint({ serviceId });
    const { listeners: _, ...base } = scenario.config;
    const { parseConfig } = await import('../../shared/config/load');
    const { reconcileCluster } = await import('../../shared/reconcile');
    const config = parseConfig({
      clusters: [{
        ...base,
        listeners: [
          { authentication: 'iam' },
          // Same NLB, own ports and names, published in the clients' zone and pointing at their endpoint.
          {
            authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100,
            hostedZoneId: clients.zoneId, hostedZoneRole: { roleArn: clients.roleArn, externalId: EXTERNAL_ID }, recordTarget: { vpcEndpointId: id },
          },
        ],
      }],
    }).clusters[0];
    const { observed, plan } = await reconcileCluster(scenario.clients, config, { ...scenario.reconcileOptions, apply: true });
    expect(plan.conflicts).toEqual([]);
    const lbDns = world.elbv2.loadBalancer(lbArn)!.DNSName!.toLowerCase();
    const endpointDns = target(observed).dnsName;
    const names = (zone: string) => namesIn(world, zone).filter((n) => !n.startsWith('_')).sort();
    expect(names(zoneId)).toEqual(['b-1', 'b-2', 'bootstrap'].map((h) => `${h}.kafka.example.com. A -> ${lbDns}.`));
    expect(names(clients.zoneId)).toEqual(['b-1', 'b-2', 'bootstrap'].map((h) => `${h}.kafka.example.com. A -> ${endpointDns}.`));

    world.resetCalls();
    expect((await reconcileCluster(scenario.clients, config, { ...scenario.reconcileOptions, apply: true })).plan.actions).toEqual([]);
    expect(world.writes()).toEqual([]);
  });
});
