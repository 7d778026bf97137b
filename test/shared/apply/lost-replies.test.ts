// A mutating call that succeeded but whose reply was lost is retried by the SDK; when the retry is
// refused because the change already happened, the run must still succeed (issue 12).
import { afterEach, describe, expect, jest, test } from '@jest/globals';
import {
  AuthorizeSecurityGroupIngressCommand,
} from '@aws-sdk/client-ec2';
import {
  DuplicateListenerException,
  DuplicateTargetGroupNameException,
  InvalidTargetException,
  TargetGroupNotFoundException,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ResourceNotFound } from '@aws-sdk/client-cloudwatch';
import { applyPlan } from '../../../shared/apply';
import { logger } from '../../../shared/log';
import { observe } from '../../../shared/observe';
import { planCluster } from '../../../shared/plan/plan';
import { MANAGED_BY, TAG_CLUSTER, TAG_MANAGED_BY } from '../../../shared/naming';
import { mapping } from '../../support/inspect';
import { brokerIp, brokersFor, createScenario, range, type Scenario, type ScenarioOptions } from '../../support/scenario';
import { awsError } from '../../world/common';
import { resolveCluster } from '../../../shared/listeners';

let s: Scenario;
afterEach(() => {
  s?.world.restore();
  jest.restoreAllMocks();
});

// The tool's own ingress rule is opt-in: with it, the plans also authorize and widen a rule.
const WITH_INGRESS: ScenarioOptions = { loadBalancerIngress: [], managedIngressSource: '10.0.0.0/16' };

interface Story {
  /** The world before the plan under test. */
  start: ScenarioOptions;
  /** Runs before the plan under test (e.g. a first reconcile). */
  before(s: Scenario): Promise<void>;
  /** Every write command the plan's apply sends, in the order first sent. */
  writes: string[];
}

const STORIES: Record<string, Story> = {
  'create (3 brokers)': {
    start: { ...WITH_INGRESS },
    before: async () => {},
    writes: ['CreateTargetGroupCommand', 'AuthorizeSecurityGroupIngressCommand', 'ModifyTargetGroupAttributesCommand', 'CreateListenerCommand', 'RegisterTargetsCommand', 'ChangeResourceRecordSetsCommand', 'PutMetricAlarmCommand'],
  },
  'scale-out (3 -> 6)': {
    start: { ...WITH_INGRESS },
    before: async (s) => {
      await s.reconcile();
      s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    },
    writes: ['CreateTargetGroupCommand', 'ModifySecurityGroupRulesCommand', 'ModifyTargetGroupAttributesCommand', 'CreateListenerCommand', 'RegisterTargetsCommand', 'ChangeResourceRecordSetsCommand', 'PutMetricAlarmCommand'],
  },
  'replacement (broker 2 gets a new IP)': {
    start: { ...WITH_INGRESS },
    before: async (s) => {
      await s.reconcile();
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    },
    writes: ['RegisterTargetsCommand', 'DeregisterTargetsCommand'],
  },
  'scale-in (6 -> 3)': {
    start: { ...WITH_INGRESS, brokerIds: range(1, 6) },
    before: async (s) => {
      await s.reconcile();
      s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    },
    writes: ['ModifySecurityGroupRulesCommand', 'DeregisterTargetsCommand', 'ChangeResourceRecordSetsCommand', 'DeleteAlarmsCommand', 'DeleteListenerCommand', 'DeleteTargetGroupCommand'],
  },
  'a second ingress rule of the tool\'s is revoked': {
    start: { ...WITH_INGRESS },
    before: async (s) => {
      await s.reconcile();
      await addIngress(s, 9100, true);
    },
    writes: ['RevokeSecurityGroupIngressCommand'],
  },
};

const CASES = Object.entries(STORIES).flatMap(([story, { writes }]) => writes.map((command) => [story, command] as const));

/** The end state in terms that do not depend on generated ids. */
async function endState(s: Scenario) {
  const m = await mapping(s);
  const groupId = s.config.loadBalancerIngress!.securityGroupId;
  return {
    listeners: m.listeners,
    targetGroups: m.targetGroups,
    records: m.state.records.map((r) => `${r.name} ${r.type} ${r.alias?.dnsName ?? r.values?.join(',')}`).sort(),
    alarms: s.world.cloudwatch.alarms().map((a) => a.AlarmName).sort(),
    ingress: s.world.ec2.ingressRules(groupId).map((r) => `${r.FromPort}-${r.ToPort} ${r.CidrIpv4} ${JSON.stringify(r.Tags)}`).sort(),
  };
}

async function addIngress(s: Scenario, port: number, ours: boolean) {
  const tags = ours ? [{ Key: TAG_MANAGED_BY, Value: MANAGED_BY }, { Key: TAG_CLUSTER, Value: s.clusterArn }] : [];
  await s.clients.ec2.send(new AuthorizeSecurityGroupIngressCommand({
    GroupId: s.config.loadBalancerIngress!.securityGroupId,
    IpPermissions: [{ IpProtocol: 'tcp', FromPort: 9000, ToPort: port, IpRanges: [{ CidrIp: '10.0.0.0/16' }] }],
    TagSpecifications: ours ? [{ ResourceType: 'security-group-rule', Tags: tags }] : undefined,
  }));
}

/** The story's end state without any fault, and the write commands its plan sent. */
async function reference(story: Story) {
  s = createScenario(story.start);
  await story.before(s);
  s.world.resetCalls();
  await s.reconcile();
  const writes = [...new Set(s.world.writes().map((c) => c.command))];
  const state = await endState(s);
  s.world.restore();
  return { writes, state };
}

describe.each(Object.entries(STORIES))('%s', (_, story) => {
  test('sends exactly the write commands the lost-reply cases below cover', async () => {
    expect((await reference(story)).writes.sort()).toEqual([...story.writes].sort());
  });
});

describe('a reply lost after the change: the run succeeds, the end state is right, the next run writes nothing', () => {
  test.each(CASES)('%s: %s', async (storyName, command) => {
    const story = STORIES[storyName];
    const want = (await reference(story)).state;

    s = createScenario(story.start);
    await story.before(s);
    s.world.resetCalls();
    const debug = jest.spyOn(logger, 'debug');
    s.world.faults.add({ command, error: 'reply-lost' });
    await expect(s.reconcile()).resolves.toBeDefined();

    // The fault fired, and the retry reached the world a second time.
    const attempts = s.world.calls.filter((c) => c.command === command);
    expect(attempts[0].error).toBe('ECONNRESET');
    expect(attempts.length).toBeGreaterThanOrEqual(2);
    // A refused retry is confirmed by a read and logged; an idempotent one just succeeded.
    const refused = !!attempts[1].failed;
    expect(debug.mock.calls.some(([, msg]) => /already in place/.test(String(msg)))).toBe(refused);

    expect(await endState(s)).toEqual(want);
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toEqual([]);
  });
});

// Where the world's retry succeeds (the model is idempotent, as AWS documents), other services
// refuse the repeat: moto answers a second DeleteTargetGroup with TargetGroupNotFound and a second
// DeregisterTargets with InvalidTarget. The same confirmation must hold there.
const elbv2Error = (Ctor: new (o: any) => Error, code: string, message: string) => awsError(Ctor, 'query', code, message);
const REFUSED_REPEATS: [string, string, () => Error][] = [
  ['create (3 brokers)', 'CreateTargetGroupCommand', () => elbv2Error(DuplicateTargetGroupNameException, 'DuplicateTargetGroupName', 'A target group with the same name exists, but with different settings')],
  ['create (3 brokers)', 'CreateListenerCommand', () => elbv2Error(DuplicateListenerException, 'DuplicateListener', 'A listener already exists on this port for this load balancer')],
  ['replacement (broker 2 gets a new IP)', 'DeregisterTargetsCommand', () => elbv2Error(InvalidTargetException, 'InvalidTarget', 'The specified target does not exist, is not in the same VPC as the target group, or has an unsupported instance type.')],
  ['scale-in (6 -> 3)', 'DeregisterTargetsCommand', () => elbv2Error(InvalidTargetException, 'InvalidTarget', 'The specified target does not exist, is not in the same VPC as the target group, or has an unsupported instance type.')],
  ['scale-in (6 -> 3)', 'DeleteTargetGroupCommand', () => elbv2Error(TargetGroupNotFoundException, 'TargetGroupNotFound', 'One or more target groups not found')],
  ['scale-in (6 -> 3)', 'DeleteAlarmsCommand', () => awsError(ResourceNotFound, 'query', 'ResourceNotFound', 'Alarm not found')], // approximated message
];

describe('a lost reply whose retry an emulator refuses: confirmed by a read, counted as done', () => {
  test.each(REFUSED_REPEATS)('%s: %s', async (storyName, command, refusal) => {
    const story = STORIES[storyName];
    const want = (await reference(story)).state;
    s = createScenario(story.start);
    await story.before(s);
    const debug = jest.spyOn(logger, 'debug');
    s.world.faults.add({ command, error: 'reply-lost', retryError: refusal() });
    await expect(s.reconcile()).resolves.toBeDefined();
    expect(debug).toHaveBeenCalledWith(expect.objectContaining({ refusal: refusal().name }), expect.stringContaining('already in place'));
    expect(await endState(s)).toEqual(want);
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toEqual([]);
  });
});

/** Observe and plan, let `meanwhile` change the world, then apply that plan: a race with someone else. */
async function applyAfter(s: Scenario, meanwhile: () => Promise<void> | void) {
  const observed = await observe(s.clients, resolveCluster(s.config));
  const plan = planCluster(resolveCluster(s.config), observed);
  await meanwhile();
  return applyPlan(s.clients, resolveCluster(s.config), plan, observed, s.reconcileOptions);
}

const B4 = 'b-4.kafka.example.com';

describe('a Route 53 batch refused because some of its changes were already made', () => {
  test('the changes that hold are dropped and the rest is submitted once', async () => {
    s = createScenario({ brokerIds: range(1, 3) });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 5)));
    const debug = jest.spyOn(logger, 'debug');
    const lb = s.world.elbv2.loadBalancer(s.lbArn)!;
    s.world.resetCalls();
    // A concurrent run of the tool already made broker 4's name (and its registry record).
    await applyAfter(s, () => {
      s.world.route53.addRecord(s.zoneId, { Name: B4, Type: 'A', AliasTarget: { DNSName: `${lb.DNSName}.`, HostedZoneId: lb.CanonicalHostedZoneId, EvaluateTargetHealth: false } });
      s.world.route53.addRecord(s.zoneId, { Name: `_msk-custom-domain.${B4}`, Type: 'TXT', TTL: s.config.recordTtl, ResourceRecords: [{ Value: `"heritage=${MANAGED_BY},owner=${s.clusterArn},resource=broker-4"` }] });
    });
    const batches = s.world.calls.filter((c) => c.command === 'ChangeResourceRecordSetsCommand');
    expect(batches.map((c) => c.error)).toEqual(['InvalidChangeBatch', undefined]);
    const resubmitted = (batches[1].input as any).ChangeBatch.Changes.map((c: any) => `${c.Action} ${c.ResourceRecordSet.Name}`);
    expect(resubmitted).toEqual([`CREATE b-5.kafka.example.com.`, `CREATE _msk-custom-domain.b-5.kafka.example.com.`]);
    expect(debug).toHaveBeenCalledWith(expect.anything(), expect.stringMatching(/^2 of 4 DNS change\(s\): refused with InvalidChangeBatch/));
    expect((await mapping(s)).names).toContain('b-5.kafka.example.com.');
    s.world.resetCalls();
    await s.reconcile();
    expect(s.world.writes()).toEqual([]);
  });
});

describe('genuine conflicts still fail', () => {
  const scaleOut = async () => {
    s = createScenario({ ...WITH_INGRESS, brokerIds: range(1, 3) });
    await s.reconcile();
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 4)));
    s.world.resetCalls();
  };

  test('a record someone else created on a wanted name with another value', async () => {
    await scaleOut();
    await expect(applyAfter(s, () => s.world.route53.addRecord(s.zoneId, { Name: B4, Type: 'A', TTL: 300, ResourceRecords: [{ Value: '192.0.2.44' }] })))
      .rejects.toThrow(`Tried to create resource record set [name='${B4}.', type='A'] but it already exists`);
    expect((await mapping(s)).state.records.find((r) => r.name === `${B4}.`)).toMatchObject({ values: ['192.0.2.44'] });
    expect(s.world.calls.filter((c) => c.command === 'ChangeResourceRecordSetsCommand')).toHaveLength(1);
  });

  test('a record with our value but without our registry record is not ours', async () => {
    await scaleOut();
    const lb = s.world.elbv2.loadBalancer(s.lbArn)!;
    await expect(
      applyAfter(s, () => s.world.route53.addRecord(s.zoneId, { Name: B4, Type: 'A', AliasTarget: { DNSName: `${lb.DNSName}.`, HostedZoneId: lb.CanonicalHostedZoneId, EvaluateTargetHealth: false } })),
    ).rejects.toThrow(/b-4\.kafka\.example\.com\.', type='A'\] but it already exists/);
    expect((await mapping(s)).state.records.some((r) => r.name === `_msk-custom-domain.${B4}.`)).toBe(false);
  });

  test('a registry record of another cluster on the name', async () => {
    await scaleOut();
    const lb = s.world.elbv2.loadBalancer(s.lbArn)!;
    await expect(applyAfter(s, () => {
      s.world.route53.addRecord(s.zoneId, { Name: B4, Type: 'A', AliasTarget: { DNSName: `${lb.DNSName}.`, HostedZoneId: lb.CanonicalHostedZoneId, EvaluateTargetHealth: false } });
      s.world.route53.addRecord(s.zoneId, { Name: `_msk-custom-domain.${B4}`, Type: 'TXT', TTL: 300, ResourceRecords: [{ Value: `"heritage=${MANAGED_BY},owner=arn:aws:kafka:eu-west-1:123456789012:cluster/other/x,resource=broker-4"` }] });
    })).rejects.toThrow(/already exists/);
  });

  test('a listener on the port that is not ours', async () => {
    await scaleOut();
    await expect(applyAfter(s, () => { s.world.elbv2.addListener({ loadBalancerArn: s.lbArn, port: 9004, protocol: 'TCP' }); }))
      .rejects.toThrow(/create listener :9004 for broker-4: A listener already exists on this port/);
    expect((await mapping(s)).listeners[9004].role).toBe('foreign');
  });

  test('a target group with our name but other settings', async () => {
    await scaleOut();
    const name = (planCluster(resolveCluster(s.config), await observe(s.clients, resolveCluster(s.config))).actions.find((a) => a.type === 'create-target-group') as { name: string }).name;
    await expect(applyAfter(s, () => { s.world.elbv2.addTargetGroup({ name, port: 9098, protocol: 'TCP' }); }))
      .rejects.toThrow(/exists, but with different settings/);
  });

  test("someone else's identical ingress rule", async () => {
    s = createScenario({ ...WITH_INGRESS });
    await expect(applyAfter(s, () => addIngress(s, 9003, false))).rejects.toThrow(/InvalidPermission|already exists/);
  });
});
