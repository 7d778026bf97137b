import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import {
  BadRequestException,
  ConflictException,
  CreateConfigurationCommand,
  DescribeClusterOperationV2Command,
  DescribeClusterV2Command,
  DescribeConfigurationCommand,
  DescribeConfigurationRevisionCommand,
  GetBootstrapBrokersCommand,
  KafkaClient,
  ListClusterOperationsV2Command,
  ListNodesCommand,
  NotFoundException,
  UpdateBrokerCountCommand,
  UpdateClusterConfigurationCommand,
  UpdateConfigurationCommand,
  type NodeInfo,
} from '@aws-sdk/client-kafka';
import { AwsWorld } from './index';

let world: AwsWorld;
let kafka: KafkaClient;

beforeEach(() => {
  world = AwsWorld.install();
  kafka = new KafkaClient({ region: 'eu-west-1' });
});
afterEach(() => world.restore());

const brokers = (ids: number[]) => ids.map((id) => ({ id, ip: `10.0.${(id - 1) % 3 + 1}.${10 + id}` }));

async function allNodes(clusterArn: string, pageSize?: number): Promise<NodeInfo[]> {
  const nodes: NodeInfo[] = [];
  let token: string | undefined;
  do {
    const out = await kafka.send(new ListNodesCommand({ ClusterArn: clusterArn, MaxResults: pageSize, NextToken: token }));
    nodes.push(...out.NodeInfoList!);
    token = out.NextToken;
  } while (token);
  return nodes;
}

describe('clusters', () => {
  test('DescribeClusterV2 returns the provisioned cluster as the SDK shapes it', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]), enhancedMonitoring: 'PER_BROKER' });
    const { ClusterInfo: info } = await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
    expect(arn).toMatch(/^arn:aws:kafka:eu-west-1:123456789012:cluster\/orders\/[0-9a-f-]{36}-3$/);
    expect(info).toMatchObject({
      ClusterArn: arn, ClusterName: 'orders', ClusterType: 'PROVISIONED', State: 'ACTIVE', CurrentVersion: expect.stringMatching(/^K[A-Z0-9]{13}$/),
      CreationTime: expect.any(Date),
      Provisioned: {
        BrokerNodeGroupInfo: { InstanceType: 'kafka.m5.large', ClientSubnets: [expect.stringMatching(/^subnet-/), expect.any(String), expect.any(String)] },
        CurrentBrokerSoftwareInfo: { KafkaVersion: '3.6.0' },
        EnhancedMonitoring: 'PER_BROKER',
        NumberOfBrokerNodes: 3,
        ClientAuthentication: { Sasl: { Iam: { Enabled: true }, Scram: { Enabled: false } } },
      },
    });
    expect(info!.Provisioned!.CurrentBrokerSoftwareInfo!.ConfigurationArn).toBeUndefined();
  });

  test('public access and the brokers\' security groups: off and the world\'s broker group by default, as the cluster was seeded otherwise', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1]) });
    const described = async () => (await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo!.Provisioned!.BrokerNodeGroupInfo!;
    expect(await described()).toMatchObject({ SecurityGroups: ['sg-0abc1234def567890'], ConnectivityInfo: { PublicAccess: { Type: 'DISABLED' } } });
    expect(world.ec2.ingressRules('sg-0abc1234def567890')).toEqual([expect.objectContaining({ IpProtocol: 'tcp', FromPort: 9092, ToPort: 9198, CidrIpv4: '10.0.0.0/16' })]);
    world.msk.setPublicAccess(arn, 'SERVICE_PROVIDED_EIPS');
    expect((await described()).ConnectivityInfo).toEqual({ PublicAccess: { Type: 'SERVICE_PROVIDED_EIPS' } });
    const group = world.ec2.addSecurityGroup({ name: 'closed', ingress: [] });
    const other = world.msk.addCluster({ name: 'payments', brokers: [{ id: 1, ip: '10.0.1.50' }], securityGroups: [group] });
    expect((await kafka.send(new DescribeClusterV2Command({ ClusterArn: other }))).ClusterInfo!.Provisioned!.BrokerNodeGroupInfo!.SecurityGroups).toEqual([group]);
    expect(world.msk.brokerAt('10.0.1.50')).toEqual({ securityGroups: [group], publicAccess: 'DISABLED' });
    expect(world.msk.brokerAt('10.0.9.9')).toBeUndefined();
  });

  test('an unknown ARN is NotFoundException (HTTP 404)', async () => {
    const error = await kafka.send(new DescribeClusterV2Command({ ClusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/x/y' })).catch((e) => e);
    expect(error).toBeInstanceOf(NotFoundException);
    expect(error.$metadata.httpStatusCode).toBe(404);
    expect(error.InvalidParameter).toBe('clusterArn');
  });

  test('serverless clusters have no Provisioned block', async () => {
    const arn = world.msk.addCluster({ name: 'events', brokers: [], clusterType: 'SERVERLESS' });
    const { ClusterInfo: info } = await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
    expect(info).toMatchObject({ ClusterType: 'SERVERLESS', Serverless: { VpcConfigs: [expect.any(Object)] } });
    expect(info!.Provisioned).toBeUndefined();
  });
});

describe('nodes', () => {
  test('ListNodes pages (10 by default) and describes each broker', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) });
    const first = await kafka.send(new ListNodesCommand({ ClusterArn: arn }));
    expect(first.NodeInfoList).toHaveLength(10);
    expect(first.NextToken).toBeDefined();
    expect(first.NodeInfoList![0]).toMatchObject({
      NodeType: 'BROKER',
      InstanceType: 'm5.large',
      BrokerNodeInfo: {
        BrokerId: 1,
        ClientVpcIpAddress: '10.0.1.11',
        ClientSubnet: expect.stringMatching(/^subnet-/),
        AttachedENIId: expect.stringMatching(/^eni-/),
        Endpoints: [expect.stringMatching(/^b-1\.orders\.[0-9a-f]{6}\.c2\.kafka\.eu-west-1\.amazonaws\.com$/)],
      },
    });
    expect((await allNodes(arn, 5)).map((n) => n.BrokerNodeInfo!.BrokerId)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('KRaft clusters also list controllers, without BrokerNodeInfo', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]), kafkaVersion: '3.7.x.kraft' });
    const nodes = await allNodes(arn);
    const controllers = nodes.filter((n) => !n.BrokerNodeInfo);
    expect(controllers).toHaveLength(3);
    expect(controllers[0].ControllerNodeInfo!.Endpoints![0]).toMatch(/^c-\d+\.orders\./);
    expect(nodes.filter((n) => n.BrokerNodeInfo).map((n) => n.BrokerNodeInfo!.BrokerId)).toEqual([1, 2, 3]);
  });

  test('scale out/in and broker replacement show up in ListNodes', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]) });
    world.msk.setBrokers(arn, brokers([1, 2, 3, 4]));
    world.msk.replaceBroker(arn, 2, '10.0.2.99');
    const nodes = await allNodes(arn);
    expect(nodes.map((n) => [n.BrokerNodeInfo!.BrokerId, n.BrokerNodeInfo!.ClientVpcIpAddress])).toEqual([
      [1, '10.0.1.11'], [2, '10.0.2.99'], [3, '10.0.3.13'], [4, '10.0.1.14'],
    ]);
    world.msk.setBrokers(arn, brokers([1, 2]));
    expect(world.msk.cluster(arn).brokers.map((b) => b.id)).toEqual([1, 2]);
  });
});

describe('bootstrap brokers', () => {
  test('host:port lists per auth mode, with overridable endpoints and ports', async () => {
    const arn = world.msk.addCluster({
      name: 'orders',
      brokers: [{ id: 2, ip: '10.0.2.12' }, { id: 1, ip: '10.0.1.11', endpoint: '127.0.0.1', port: 40123 }],
      authentication: { iam: true, scram: true, tls: true },
    });
    const out = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: arn }));
    const host2 = world.msk.cluster(arn).brokers.find((b) => b.id === 2)!.endpoint;
    expect(out.BootstrapBrokerStringSaslIam).toBe(`127.0.0.1:40123,${host2}:9098`);
    expect(out.BootstrapBrokerStringSaslScram).toBe(`127.0.0.1:9096,${host2}:9096`);
    expect(out.BootstrapBrokerStringTls).toBe(`127.0.0.1:9094,${host2}:9094`);
  });

  test('IAM only by default', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1]) });
    const out = await kafka.send(new GetBootstrapBrokersCommand({ ClusterArn: arn }));
    expect(Object.keys(out).filter((k) => k.startsWith('Bootstrap'))).toEqual(['BootstrapBrokerStringSaslIam']);
  });
});

describe('configurations', () => {
  test('create, update (new revision), describe; revisions come back as Uint8Array bytes', async () => {
    const created = await kafka.send(new CreateConfigurationCommand({ Name: 'orders-config', ServerProperties: new TextEncoder().encode('auto.create.topics.enable=false\n') }));
    expect(created).toMatchObject({ Name: 'orders-config', State: 'ACTIVE', LatestRevision: { Revision: 1 } });
    const updated = await kafka.send(new UpdateConfigurationCommand({ Arn: created.Arn, ServerProperties: new TextEncoder().encode('custom.advertised.listeners=x\n') }));
    expect(updated.LatestRevision!.Revision).toBe(2);
    const described = await kafka.send(new DescribeConfigurationCommand({ Arn: created.Arn }));
    expect(described.LatestRevision!.Revision).toBe(2);
    const revision = await kafka.send(new DescribeConfigurationRevisionCommand({ Arn: created.Arn, Revision: 1 }));
    expect(revision.ServerProperties).toBeInstanceOf(Uint8Array);
    expect(Buffer.isBuffer(revision.ServerProperties)).toBe(false);
    expect(new TextDecoder().decode(revision.ServerProperties)).toBe('auto.create.topics.enable=false\n');
    await expect(kafka.send(new CreateConfigurationCommand({ Name: 'orders-config', ServerProperties: new Uint8Array() }))).rejects.toBeInstanceOf(ConflictException);
  });

  test('a cluster seeded with server properties points at revision 1 of its configuration', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1]), serverProperties: 'a=b\n' });
    const { ClusterInfo: info } = await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
    expect(info!.Provisioned!.CurrentBrokerSoftwareInfo).toMatchObject({ ConfigurationArn: expect.stringContaining(':configuration/orders-configuration/'), ConfigurationRevision: 1 });
    expect(world.msk.serverProperties(arn)).toBe('a=b\n');
  });

  test('UpdateClusterConfiguration: version check, UPDATING, operation polled to completion, then ACTIVE with the new revision', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]), serverProperties: 'a=b\n' });
    const configArn = world.msk.cluster(arn).configuration!.arn;
    await kafka.send(new UpdateConfigurationCommand({ Arn: configArn, ServerProperties: new TextEncoder().encode('a=c\n') }));
    const stale = await kafka.send(new UpdateClusterConfigurationCommand({ ClusterArn: arn, CurrentVersion: 'KSTALE', ConfigurationInfo: { Arn: configArn, Revision: 2 } })).catch((e) => e);
    expect(stale).toBeInstanceOf(BadRequestException);
    expect(stale.message).toBe('The version of the cluster isn’t current. Check the current version and try again.');

    const version = world.msk.cluster(arn).currentVersion;
    const out = await kafka.send(new UpdateClusterConfigurationCommand({ ClusterArn: arn, CurrentVersion: version, ConfigurationInfo: { Arn: configArn, Revision: 2 } }));
    expect(out.ClusterOperationArn).toMatch(/:cluster-operation\/orders\//);
    expect(world.msk.cluster(arn)).toMatchObject({ state: 'UPDATING', activeOperationArn: out.ClusterOperationArn });
    expect(world.msk.cluster(arn).currentVersion).not.toBe(version);

    const poll = async () => (await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn: out.ClusterOperationArn }))).ClusterOperationInfo!;
    expect(await poll()).toMatchObject({ OperationState: 'UPDATE_IN_PROGRESS', OperationType: 'UPDATE_CLUSTER_CONFIGURATION' });
    const done = await poll();
    expect(done).toMatchObject({ OperationState: 'UPDATE_COMPLETE', EndTime: expect.any(Date), Provisioned: { TargetClusterInfo: { ConfigurationInfo: { Arn: configArn, Revision: 2 } } } });
    const { ClusterInfo: info } = await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }));
    expect(info).toMatchObject({ State: 'ACTIVE', Provisioned: { CurrentBrokerSoftwareInfo: { ConfigurationRevision: 2 } } });
    expect(info!.ActiveOperationArn).toBeUndefined();
    expect(world.msk.serverProperties(arn)).toBe('a=c\n');
    expect(world.msk.operations(arn)).toEqual([expect.objectContaining({ state: 'UPDATE_COMPLETE' })]);
    const listed = await kafka.send(new ListClusterOperationsV2Command({ ClusterArn: arn }));
    expect(listed.ClusterOperationInfoList!.map((o) => o.OperationState)).toEqual(['UPDATE_COMPLETE']);
  });

  test('waiting on DescribeClusterV2 (cluster back to ACTIVE) also advances the operation', async () => {
    world.msk.operationPolls = 2;
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1]) });
    const opArn = world.msk.startOperation(arn, { type: 'INCREASE_BROKER_COUNT', onComplete: () => world.msk.setBrokers(arn, brokers([1, 2])) });
    const states: string[] = [];
    for (let i = 0; i < 3; i++) states.push((await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo!.State!);
    expect(states).toEqual(['UPDATING', 'UPDATING', 'ACTIVE']);
    expect(world.msk.operations(arn)).toEqual([expect.objectContaining({ arn: opArn, type: 'INCREASE_BROKER_COUNT', state: 'UPDATE_COMPLETE' })]);
    expect(world.msk.cluster(arn).brokers).toHaveLength(2);
  });

  test('UpdateBrokerCount adds the next broker ids across the subnets; they join when the operation completes', async () => {
    world.msk.operationPolls = 1;
    world.msk.allocateBrokerIp = (subnet, id) => `10.9.${subnet.slice(-1)}.${id}`;
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]), subnets: ['subnet-a1', 'subnet-b2', 'subnet-c3'] });
    const version = (await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo!.CurrentVersion;
    const { ClusterOperationArn } = await kafka.send(new UpdateBrokerCountCommand({ ClusterArn: arn, CurrentVersion: version, TargetNumberOfBrokerNodes: 6 }));
    const during = await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn }));
    expect(during.ClusterOperationInfo).toMatchObject({ OperationType: 'INCREASE_BROKER_COUNT' });
    expect(world.msk.cluster(arn).brokers.map((b) => b.id)).toEqual([1, 2, 3]);
    await kafka.send(new DescribeClusterOperationV2Command({ ClusterOperationArn }));
    expect(world.msk.cluster(arn).brokers.map((b) => [b.id, b.subnet, b.ip])).toEqual([
      [1, 'subnet-a1', '10.0.1.11'], [2, 'subnet-b2', '10.0.2.12'], [3, 'subnet-c3', '10.0.3.13'],
      [4, 'subnet-a1', '10.9.1.4'], [5, 'subnet-b2', '10.9.2.5'], [6, 'subnet-c3', '10.9.3.6'],
    ]);
  });

  test('UpdateBrokerCount refuses a stale version and a count that is not a multiple of the AZs', async () => {
    world.msk.allocateBrokerIp = (_subnet, id) => `10.9.0.${id}`;
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1, 2, 3]) });
    const version = (await kafka.send(new DescribeClusterV2Command({ ClusterArn: arn }))).ClusterInfo!.CurrentVersion;
    await expect(kafka.send(new UpdateBrokerCountCommand({ ClusterArn: arn, CurrentVersion: 'K0STALE', TargetNumberOfBrokerNodes: 6 }))).rejects.toThrow(/version of the cluster/);
    await expect(kafka.send(new UpdateBrokerCountCommand({ ClusterArn: arn, CurrentVersion: version, TargetNumberOfBrokerNodes: 5 }))).rejects.toThrow(BadRequestException);
    expect(world.msk.cluster(arn).state).toBe('ACTIVE');
  });

  test('a cluster that is not ACTIVE refuses a configuration update', async () => {
    const arn = world.msk.addCluster({ name: 'orders', brokers: brokers([1]), state: 'HEALING' });
    const config = await kafka.send(new CreateConfigurationCommand({ Name: 'c', ServerProperties: new Uint8Array() }));
    await expect(kafka.send(new UpdateClusterConfigurationCommand({
      ClusterArn: arn, CurrentVersion: world.msk.cluster(arn).currentVersion, ConfigurationInfo: { Arn: config.Arn, Revision: 1 },
    }))).rejects.toBeInstanceOf(BadRequestException);
  });
});
