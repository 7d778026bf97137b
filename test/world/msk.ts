// MSK (Kafka control plane): clusters and their brokers, bootstrap strings, MSK
// configurations with revisions, and cluster operations that finish after a few polls.
import {
  BadRequestException,
  ConflictException,
  NotFoundException,
  TooManyRequestsException,
  type Cluster,
  type ClusterOperationV2,
  type ClusterOperationV2Summary,
  type ClusterState,
  type ClusterType,
  type ConfigurationRevision,
  type CreateConfigurationCommandInput,
  type CreateConfigurationCommandOutput,
  type DescribeClusterOperationV2CommandInput,
  type DescribeClusterOperationV2CommandOutput,
  type DescribeClusterV2CommandInput,
  type DescribeClusterV2CommandOutput,
  type DescribeConfigurationCommandInput,
  type DescribeConfigurationCommandOutput,
  type DescribeConfigurationRevisionCommandInput,
  type DescribeConfigurationRevisionCommandOutput,
  type EnhancedMonitoring,
  type GetBootstrapBrokersCommandInput,
  type GetBootstrapBrokersCommandOutput,
  type ListClusterOperationsV2CommandInput,
  type ListClusterOperationsV2CommandOutput,
  type ListClustersV2CommandInput,
  type ListClustersV2CommandOutput,
  type ListConfigurationRevisionsCommandInput,
  type ListConfigurationRevisionsCommandOutput,
  type ListConfigurationsCommandInput,
  type ListConfigurationsCommandOutput,
  type ListNodesCommandInput,
  type ListNodesCommandOutput,
  type NodeInfo,
  type UpdateBrokerCountCommandInput,
  type UpdateBrokerCountCommandOutput,
  type UpdateClusterConfigurationCommandInput,
  type UpdateClusterConfigurationCommandOutput,
  type UpdateConfigurationCommandInput,
  type UpdateConfigurationCommandOutput,
} from '@aws-sdk/client-kafka';
import { awsError, clone, page, validToken, type Env, type Handlers, type Out } from './common';

export interface BrokerSeed {
  id: number;
  ip: string;
  /** Default `b-<id>.<cluster>.<suffix>.c2.kafka.<region>.amazonaws.com`. */
  endpoint?: string;
  /** IAM port in GetBootstrapBrokers (default 9098); tests point it at fake brokers. */
  port?: number;
  tlsPort?: number;
  scramPort?: number;
  subnet?: string;
}

export interface ClusterSeed {
  name: string;
  brokers: BrokerSeed[];
  kafkaVersion?: string;
  instanceType?: string;
  state?: ClusterState;
  clusterType?: ClusterType;
  enhancedMonitoring?: EnhancedMonitoring;
  /** Initial MSK configuration text (a configuration of its own); without it the cluster runs MSK's default configuration. */
  serverProperties?: string;
  /** Runs an existing configuration instead (e.g. one shared with other clusters; see addConfiguration). Default: its latest revision. */
  configuration?: { arn: string; revision?: number };
  /** Which client access is enabled (default IAM only). */
  authentication?: { iam?: boolean; scram?: boolean; tls?: boolean; unauthenticated?: boolean };
  /**
   * Public access (ConnectivityInfo.PublicAccess.Type): off by default, as on MSK. Only with it on do
   * brokers serve the public listeners (9198 IAM, 9196 SCRAM, 9194 TLS).
   */
  publicAccess?: PublicAccessType;
  /** The brokers' security groups (BrokerNodeGroupInfo.SecurityGroups); default the world's broker group. */
  securityGroups?: string[];
  /** The brokers' client subnets (BrokerNodeGroupInfo.ClientSubnets); default one per AZ of the world's VPC. */
  subnets?: string[];
  tags?: Record<string, string>;
}

/** MSK's two public access settings: `DISABLED`, or `SERVICE_PROVIDED_EIPS` (turned on). */
export type PublicAccessType = 'DISABLED' | 'SERVICE_PROVIDED_EIPS';

export interface WorldBroker {
  id: number;
  ip: string;
  endpoint: string;
  port: number;
  tlsPort: number;
  scramPort: number;
  subnet: string;
  eni: string;
  addedAt: string;
}

export interface WorldCluster {
  arn: string;
  name: string;
  type: ClusterType;
  state: ClusterState;
  currentVersion: string;
  kafkaVersion: string;
  instanceType: string;
  enhancedMonitoring: EnhancedMonitoring;
  /** Random-looking label in AWS host names (b-1.<name>.<suffix>.c2.kafka…). */
  suffix: string;
  subnets: string[];
  brokers: WorldBroker[];
  configuration?: { arn: string; revision: number };
  authentication: { iam: boolean; scram: boolean; tls: boolean; unauthenticated: boolean };
  publicAccess: PublicAccessType;
  securityGroups: string[];
  activeOperationArn?: string;
  createdAt: Date;
  tags: Record<string, string>;
}

export interface WorldOperation {
  arn: string;
  clusterArn: string;
  type: string;
  state: 'PENDING' | 'UPDATE_IN_PROGRESS' | 'UPDATE_COMPLETE' | 'UPDATE_FAILED';
  startTime: Date;
  endTime?: Date;
  /** Polls still answered "in progress" before the operation completes. */
  pollsLeft: number;
  source?: { arn: string; revision: number };
  target?: { arn: string; revision: number };
  /** Runs when the operation completes (e.g. the new brokers appear). */
  onComplete?: (cluster: WorldCluster) => void;
  /** UpdateBrokerCount: the ids MSK announces for the brokers it is creating. */
  createdBrokerIds?: number[];
}

interface WorldConfiguration {
  arn: string;
  name: string;
  description: string;
  kafkaVersions: string[];
  createdAt: Date;
  revisions: { revision: number; description?: string; createdAt: Date; serverProperties: string }[];
}

type KafkaError = new (opts: any) => Error;

const STATUS: Record<string, number> = { BadRequestException: 400, NotFoundException: 404, ConflictException: 409, TooManyRequestsException: 429 };

function kafkaError(Ctor: KafkaError, message: string, invalidParameter?: string): Error {
  const extra = invalidParameter ? { InvalidParameter: invalidParameter } : {};
  return awsError(Ctor, 'rest-json', Ctor.name, message, extra, STATUS[Ctor.name] ?? 400);
}

/** The SDK gives blobs as Uint8Array; accept Buffer/string from careless callers too. */
function blobText(value: Uint8Array | string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return Buffer.from(value as Uint8Array).toString('utf8');
}

const isKraft = (version: string) => version.endsWith('.kraft');

export class MskModel {
  private readonly clusters = new Map<string, WorldCluster>();
  private readonly configurations = new Map<string, WorldConfiguration>();
  private readonly ops = new Map<string, WorldOperation>();
  /** Polls an operation answers "in progress" before completing. */
  operationPolls = 1;

  /**
   * `subnets`: the VPC subnets brokers are spread over (one per AZ); `securityGroups`: the groups
   * brokers get unless a cluster names its own.
   */
  constructor(private readonly env: Env, private readonly subnets: string[], private readonly securityGroups: string[] = ['sg-0abc1234def567890']) {}

  readonly handlers: Handlers = {
    DescribeClusterV2Command: (i) => this.describeClusterV2(i),
    ListClustersV2Command: (i) => this.listClustersV2(i),
    ListNodesCommand: (i) => this.listNodes(i),
    GetBootstrapBrokersCommand: (i) => this.getBootstrapBrokers(i),
    CreateConfigurationCommand: (i) => this.createConfiguration(i),
    UpdateConfigurationCommand: (i) => this.updateConfiguration(i),
    DescribeConfigurationCommand: (i) => this.describeConfiguration(i),
    DescribeConfigurationRevisionCommand: (i) => this.describeConfigurationRevision(i),
    ListConfigurationsCommand: (i) => this.listConfigurations(i),
    ListConfigurationRevisionsCommand: (i) => this.listConfigurationRevisions(i),
    UpdateClusterConfigurationCommand: (i) => this.updateClusterConfiguration(i),
    UpdateBrokerCountCommand: (i) => this.updateBrokerCount(i),
    DescribeClusterOperationV2Command: (i) => this.describeClusterOperationV2(i),
    ListClusterOperationsV2Command: (i) => this.listClusterOperationsV2(i),
  };

  throttle(): Error {
    return kafkaError(TooManyRequestsException, 'Too Many Requests');
  }

  // ---------------------------------------------------------------- seeding / inspection

  addCluster(seed: ClusterSeed): string {
    const { region, accountId, ids } = this.env;
    const arn = `arn:aws:kafka:${region}:${accountId}:cluster/${seed.name}/${ids.uuid()}-3`;
    const cluster: WorldCluster = {
      arn,
      name: seed.name,
      type: seed.clusterType ?? 'PROVISIONED',
      state: seed.state ?? 'ACTIVE',
      currentVersion: this.newVersion(),
      kafkaVersion: seed.kafkaVersion ?? '3.6.0',
      instanceType: seed.instanceType ?? 'kafka.m5.large',
      enhancedMonitoring: seed.enhancedMonitoring ?? 'DEFAULT',
      suffix: ids.hex(6),
      subnets: [...(seed.subnets ?? this.subnets)],
      brokers: [],
      authentication: { iam: true, scram: false, tls: false, unauthenticated: false, ...seed.authentication },
      publicAccess: seed.publicAccess ?? 'DISABLED',
      securityGroups: [...(seed.securityGroups ?? this.securityGroups)],
      createdAt: new Date(this.env.now()),
      tags: { ...seed.tags },
    };
    cluster.brokers = seed.brokers.map((b) => this.newBroker(cluster, b));
    if (seed.configuration) {
      const config = this.requireSeededConfiguration(seed.configuration.arn);
      cluster.configuration = { arn: config.arn, revision: seed.configuration.revision ?? config.revisions.length };
    } else if (seed.serverProperties !== undefined) {
      const config = this.newConfiguration(`${seed.name}-configuration`, seed.serverProperties, [cluster.kafkaVersion]);
      cluster.configuration = { arn: config.arn, revision: 1 };
    }
    this.clusters.set(arn, cluster);
    return arn;
  }

  /** Scale out/in: the new broker list (brokers keeping their id keep their ENI and age). */
  setBrokers(clusterArn: string, brokers: BrokerSeed[]): void {
    const cluster = this.requireSeeded(clusterArn);
    cluster.brokers = brokers.map((b) => {
      const old = cluster.brokers.find((o) => o.id === b.id);
      return old && old.ip === b.ip ? { ...old, ...this.newBroker(cluster, b), eni: old.eni, addedAt: old.addedAt } : this.newBroker(cluster, b);
    });
    cluster.currentVersion = this.newVersion();
  }

  /** Broker healing: same id and host name, new client IP (and ENI). No API call, no version change. */
  replaceBroker(clusterArn: string, id: number, newIp: string): void {
    const broker = this.requireSeeded(clusterArn).brokers.find((b) => b.id === id);
    if (!broker) throw new Error(`AwsWorld: cluster has no broker ${id}`);
    broker.ip = newIp;
    broker.eni = `eni-0${this.env.ids.hex(16)}`;
  }

  /** A configuration created outside the tool (console, infrastructure as code); returns its ARN. */
  addConfiguration(seed: { name: string; serverProperties: string; kafkaVersions?: string[]; description?: string }): string {
    if ([...this.configurations.values()].some((c) => c.name === seed.name)) throw new Error(`AwsWorld: configuration ${seed.name} exists`);
    return this.newConfiguration(seed.name, seed.serverProperties, seed.kafkaVersions ?? ['3.6.0'], seed.description).arn;
  }

  /** Someone else adds a revision (UpdateConfiguration from the console or IaC); returns its number. */
  reviseConfiguration(arn: string, serverProperties: string, description = 'revised by hand'): number {
    const config = this.requireSeededConfiguration(arn);
    config.revisions.push({ revision: config.revisions.length + 1, description, createdAt: new Date(this.env.now()), serverProperties });
    return config.revisions.length;
  }

  /**
   * Someone else moves the cluster to a configuration revision (UpdateClusterConfiguration from
   * the console or IaC), and MSK completes it at once: one rolling restart.
   */
  applyConfiguration(clusterArn: string, arn: string, revision?: number): void {
    const cluster = this.requireSeeded(clusterArn);
    const config = this.requireSeededConfiguration(arn);
    const target = { arn, revision: revision ?? config.revisions.length };
    const op = this.newOperation(cluster, 'UPDATE_CLUSTER_CONFIGURATION', 0, (c) => {
      c.configuration = { ...target };
      this.onConfigurationApplied?.(c.arn, config.revisions[target.revision - 1].serverProperties);
    });
    op.source = cluster.configuration && { ...cluster.configuration };
    op.target = target;
    this.complete(op);
  }

  /** A configuration and its revisions, as MSK keeps them. */
  configuration(arn: string): { arn: string; name: string; revisions: { revision: number; description?: string; serverProperties: string }[] } {
    const c = this.requireSeededConfiguration(arn);
    return clone({ arn: c.arn, name: c.name, revisions: c.revisions.map(({ revision, description, serverProperties }) => ({ revision, description, serverProperties })) });
  }

  configurationArns(): string[] {
    return [...this.configurations.keys()];
  }

  /** Completed configuration updates of the cluster: each one restarted every broker. */
  rollingRestarts(clusterArn: string): number {
    return [...this.ops.values()].filter((o) => o.clusterArn === clusterArn && o.type === 'UPDATE_CLUSTER_CONFIGURATION' && o.state === 'UPDATE_COMPLETE').length;
  }

  private requireSeededConfiguration(arn: string): WorldConfiguration {
    const config = this.configurations.get(arn);
    if (!config) throw new Error(`AwsWorld: no MSK configuration ${arn}`);
    return config;
  }

  /** Public access turned on or off (UpdateConnectivity, completed at once). */
  setPublicAccess(clusterArn: string, type: PublicAccessType): void {
    this.requireSeeded(clusterArn).publicAccess = type;
  }

  /**
   * The cluster around the broker with this client IP, as the data path needs it: the security
   * groups on its network interface and whether it serves the public listeners. Undefined: no broker there.
   */
  brokerAt(ip: string): { securityGroups: string[]; publicAccess: PublicAccessType } | undefined {
    const cluster = [...this.clusters.values()].find((c) => c.brokers.some((b) => b.ip === ip));
    return cluster && { securityGroups: [...cluster.securityGroups], publicAccess: cluster.publicAccess };
  }

  setState(clusterArn: string, state: ClusterState): void {
    this.requireSeeded(clusterArn).state = state;
  }

  cluster(clusterArn: string): WorldCluster {
    return clone(this.requireSeeded(clusterArn));
  }

  /** The server.properties text of the cluster's current configuration revision, if any. */
  /** Called when a configuration update finishes (the brokers restarted with it): lets a test's fake Kafka brokers follow. */
  onConfigurationApplied?: (clusterArn: string, serverProperties: string) => void;

  serverProperties(clusterArn: string): string | undefined {
    const ref = this.requireSeeded(clusterArn).configuration;
    return ref && this.configurations.get(ref.arn)?.revisions[ref.revision - 1]?.serverProperties;
  }

  operations(clusterArn: string): Omit<WorldOperation, 'onComplete'>[] {
    return [...this.ops.values()].filter((o) => o.clusterArn === clusterArn).map(({ onComplete: _, ...rest }) => clone(rest));
  }

  /**
   * Starts an operation the way a console or CLI request would (e.g. INCREASE_BROKER_COUNT):
   * the cluster goes UPDATING until the operation has been polled `polls` times.
   */
  startOperation(clusterArn: string, options: { type: string; polls?: number; onComplete?: (cluster: WorldCluster) => void; createdBrokerIds?: number[] }): string {
    const cluster = this.requireSeeded(clusterArn);
    const op = this.newOperation(cluster, options.type, options.polls, options.onComplete);
    if (options.createdBrokerIds) op.createdBrokerIds = [...options.createdBrokerIds];
    return op.arn;
  }

  /** Completes every unfinished operation now (of one cluster, or all). */
  completeOperations(clusterArn?: string): void {
    for (const op of this.ops.values()) {
      if ((!clusterArn || op.clusterArn === clusterArn) && !op.endTime) this.complete(op);
    }
  }

  private requireSeeded(arn: string): WorldCluster {
    const cluster = this.clusters.get(arn);
    if (!cluster) throw new Error(`AwsWorld: no MSK cluster ${arn}`);
    return cluster;
  }

  private newVersion(): string {
    return `K${this.env.ids.upper(13)}`;
  }

  private newBroker(cluster: WorldCluster, seed: BrokerSeed): WorldBroker {
    const { region, ids } = this.env;
    return {
      id: seed.id,
      ip: seed.ip,
      endpoint: seed.endpoint ?? `b-${seed.id}.${cluster.name}.${cluster.suffix}.c2.kafka.${region}.amazonaws.com`,
      port: seed.port ?? 9098,
      tlsPort: seed.tlsPort ?? 9094,
      scramPort: seed.scramPort ?? 9096,
      subnet: seed.subnet ?? cluster.subnets[(seed.id - 1) % cluster.subnets.length],
      eni: `eni-0${ids.hex(16)}`,
      addedAt: new Date(this.env.now()).toISOString(),
    };
  }

  // ---------------------------------------------------------------- clusters

  private requireCluster(arn: string | undefined): WorldCluster {
    const cluster = arn ? this.clusters.get(arn) : undefined;
    if (!cluster) throw kafkaError(NotFoundException, `Cluster ${arn} does not exist.`, 'clusterArn'); // approximated
    return cluster;
  }

  private describeClusterV2(input: DescribeClusterV2CommandInput): Out<DescribeClusterV2CommandOutput> {
    const cluster = this.requireCluster(input.ClusterArn);
    this.pollActiveOperation(cluster);
    return { ClusterInfo: this.clusterInfo(cluster) };
  }

  private listClustersV2(input: ListClustersV2CommandInput): Out<ListClustersV2CommandOutput> {
    this.checkToken(input.NextToken);
    const all = [...this.clusters.values()]
      .filter((c) => !input.ClusterNameFilter || c.name.startsWith(input.ClusterNameFilter))
      .filter((c) => !input.ClusterTypeFilter || c.type === input.ClusterTypeFilter);
    const { items, next } = page(all, input.NextToken, maxResults(input.MaxResults, 10));
    return { ClusterInfoList: items.map((c) => this.clusterInfo(c)), NextToken: next };
  }

  private clusterInfo(c: WorldCluster): Cluster {
    const base: Cluster = {
      ClusterArn: c.arn,
      ClusterName: c.name,
      ClusterType: c.type,
      CreationTime: c.createdAt,
      CurrentVersion: c.currentVersion,
      State: c.state,
      Tags: { ...c.tags },
      ...(c.activeOperationArn ? { ActiveOperationArn: c.activeOperationArn } : {}),
    };
    if (c.type === 'SERVERLESS') {
      return {
        ...base,
        Serverless: {
          VpcConfigs: [{ SubnetIds: [...c.subnets], SecurityGroupIds: [...c.securityGroups] }],
          ClientAuthentication: { Sasl: { Iam: { Enabled: true } } },
        },
      };
    }
    return { ...base, Provisioned: this.provisionedInfo(c) };
  }

  private provisionedInfo(c: WorldCluster): Cluster['Provisioned'] {
    const { region } = this.env;
    const zookeeper = isKraft(c.kafkaVersion)
      ? {}
      : { ZookeeperConnectString: [1, 2, 3].map((n) => `z-${n}.${c.name}.${c.suffix}.c2.kafka.${region}.amazonaws.com:2181`).join(',') };
    return {
      BrokerNodeGroupInfo: {
        BrokerAZDistribution: 'DEFAULT',
        ClientSubnets: [...c.subnets],
        InstanceType: c.instanceType,
        SecurityGroups: [...c.securityGroups],
        ConnectivityInfo: { PublicAccess: { Type: c.publicAccess } },
        StorageInfo: { EbsStorageInfo: { VolumeSize: 100 } },
      },
      CurrentBrokerSoftwareInfo: {
        KafkaVersion: c.kafkaVersion,
        ...(c.configuration ? { ConfigurationArn: c.configuration.arn, ConfigurationRevision: c.configuration.revision } : {}),
      },
      ClientAuthentication: {
        Sasl: { Iam: { Enabled: c.authentication.iam }, Scram: { Enabled: c.authentication.scram } },
        Tls: { Enabled: c.authentication.tls, CertificateAuthorityArnList: [] },
        Unauthenticated: { Enabled: c.authentication.unauthenticated },
      },
      EncryptionInfo: {
        EncryptionAtRest: { DataVolumeKMSKeyId: `arn:aws:kms:${region}:${this.env.accountId}:key/${c.suffix}` },
        EncryptionInTransit: { ClientBroker: 'TLS', InCluster: true },
      },
      EnhancedMonitoring: c.enhancedMonitoring,
      NumberOfBrokerNodes: c.brokers.length,
      StorageMode: 'LOCAL',
      ...zookeeper,
    };
  }

  // ---------------------------------------------------------------- nodes and bootstrap

  private listNodes(input: ListNodesCommandInput): Out<ListNodesCommandOutput> {
    const cluster = this.requireCluster(input.ClusterArn);
    if (cluster.type === 'SERVERLESS') throw kafkaError(BadRequestException, 'This operation is not supported for serverless clusters.'); // approximated
    this.checkToken(input.NextToken);
    const nodes = [...this.controllerNodes(cluster), ...cluster.brokers.map((b) => this.brokerNode(cluster, b))];
    const { items, next } = page(nodes, input.NextToken, maxResults(input.MaxResults, 10));
    return { NodeInfoList: items, NextToken: next };
  }

  private brokerNode(c: WorldCluster, b: WorldBroker): NodeInfo {
    return {
      AddedToClusterTime: b.addedAt,
      InstanceType: c.instanceType.replace(/^kafka\./, ''),
      NodeARN: `arn:aws:kafka:${this.env.region}:${this.env.accountId}:broker/${c.name}/${c.arn.split('/').pop()}/${b.id}`,
      NodeType: 'BROKER',
      BrokerNodeInfo: {
        AttachedENIId: b.eni,
        BrokerId: b.id,
        ClientSubnet: b.subnet,
        ClientVpcIpAddress: b.ip,
        CurrentBrokerSoftwareInfo: { KafkaVersion: c.kafkaVersion },
        Endpoints: [b.endpoint],
      },
    };
  }

  /**
   * KRaft clusters also list their controllers, which have no BrokerNodeInfo: callers must
   * filter. NodeType can only be BROKER in the API, so it does not tell them apart.
   */
  private controllerNodes(c: WorldCluster): NodeInfo[] {
    if (!isKraft(c.kafkaVersion)) return [];
    return [1, 2, 3].map((n) => ({
      AddedToClusterTime: c.createdAt.toISOString(),
      InstanceType: c.instanceType.replace(/^kafka\./, ''),
      NodeARN: `arn:aws:kafka:${this.env.region}:${this.env.accountId}:controller/${c.name}/${c.arn.split('/').pop()}/${10000 + n}`,
      NodeType: 'BROKER',
      ControllerNodeInfo: { Endpoints: [`c-${10000 + n}.${c.name}.${c.suffix}.c2.kafka.${this.env.region}.amazonaws.com`] },
    }));
  }

  private getBootstrapBrokers(input: GetBootstrapBrokersCommandInput): Out<GetBootstrapBrokersCommandOutput> {
    const c = this.requireCluster(input.ClusterArn);
    if (c.type === 'SERVERLESS') {
      return { BootstrapBrokerStringSaslIam: `boot-${c.suffix}.c1.kafka-serverless.${this.env.region}.amazonaws.com:9098` };
    }
    const brokers = [...c.brokers].sort((a, b) => a.id - b.id);
    const join = (port: (b: WorldBroker) => number) => brokers.map((b) => `${b.endpoint}:${port(b)}`).join(',');
    const { iam, scram, tls, unauthenticated } = c.authentication;
    return {
      ...(iam ? { BootstrapBrokerStringSaslIam: join((b) => b.port) } : {}),
      ...(scram ? { BootstrapBrokerStringSaslScram: join((b) => b.scramPort) } : {}),
      ...(tls || unauthenticated ? { BootstrapBrokerStringTls: join((b) => b.tlsPort) } : {}),
    };
  }

  // ---------------------------------------------------------------- configurations

  private newConfiguration(name: string, text: string, kafkaVersions: string[], description = ''): WorldConfiguration {
    const { region, accountId, ids } = this.env;
    const createdAt = new Date(this.env.now());
    const config: WorldConfiguration = {
      arn: `arn:aws:kafka:${region}:${accountId}:configuration/${name}/${ids.uuid()}-2`,
      name,
      description,
      kafkaVersions,
      createdAt,
      revisions: [{ revision: 1, description, createdAt, serverProperties: text }],
    };
    this.configurations.set(config.arn, config);
    return config;
  }

  private requireConfiguration(arn: string | undefined): WorldConfiguration {
    const config = arn ? this.configurations.get(arn) : undefined;
    if (!config) throw kafkaError(NotFoundException, `Configuration ${arn} does not exist.`, 'arn'); // approximated
    return config;
  }

  private latest(config: WorldConfiguration): ConfigurationRevision {
    const r = config.revisions[config.revisions.length - 1];
    return { CreationTime: r.createdAt, Description: r.description, Revision: r.revision };
  }

  private createConfiguration(input: CreateConfigurationCommandInput): Out<CreateConfigurationCommandOutput> {
    const text = blobText(input.ServerProperties);
    if (!input.Name) throw kafkaError(BadRequestException, 'The request is missing required parameter name.', 'name'); // approximated
    if (text === undefined) throw kafkaError(BadRequestException, 'The request is missing required parameter serverProperties.', 'serverProperties'); // approximated
    if ([...this.configurations.values()].some((c) => c.name === input.Name)) {
      throw kafkaError(ConflictException, 'A resource with this name already exists.', 'name');
    }
    const config = this.newConfiguration(input.Name, text, input.KafkaVersions ?? [], input.Description ?? '');
    return { Arn: config.arn, CreationTime: config.createdAt, LatestRevision: this.latest(config), Name: config.name, State: 'ACTIVE' };
  }

  private updateConfiguration(input: UpdateConfigurationCommandInput): Out<UpdateConfigurationCommandOutput> {
    const config = this.requireConfiguration(input.Arn);
    const text = blobText(input.ServerProperties);
    if (text === undefined) throw kafkaError(BadRequestException, 'The request is missing required parameter serverProperties.', 'serverProperties'); // approximated
    config.revisions.push({ revision: config.revisions.length + 1, description: input.Description, createdAt: new Date(this.env.now()), serverProperties: text });
    return { Arn: config.arn, LatestRevision: this.latest(config) };
  }

  private describeConfiguration(input: DescribeConfigurationCommandInput): Out<DescribeConfigurationCommandOutput> {
    const config = this.requireConfiguration(input.Arn);
    return {
      Arn: config.arn, CreationTime: config.createdAt, Description: config.description, KafkaVersions: [...config.kafkaVersions],
      LatestRevision: this.latest(config), Name: config.name, State: 'ACTIVE',
    };
  }

  private describeConfigurationRevision(input: DescribeConfigurationRevisionCommandInput): Out<DescribeConfigurationRevisionCommandOutput> {
    const config = this.requireConfiguration(input.Arn);
    const revision = config.revisions[(input.Revision ?? 0) - 1];
    if (!revision) throw kafkaError(NotFoundException, `Revision ${input.Revision} of configuration ${config.arn} does not exist.`, 'revision'); // approximated
    return {
      Arn: config.arn,
      CreationTime: revision.createdAt,
      Description: revision.description,
      Revision: revision.revision,
      // A plain Uint8Array like the SDK's blob deserializer returns (not a Buffer).
      ServerProperties: new Uint8Array(Buffer.from(revision.serverProperties, 'utf8')),
    };
  }

  private listConfigurations(input: ListConfigurationsCommandInput): Out<ListConfigurationsCommandOutput> {
    this.checkToken(input.NextToken);
    const all = [...this.configurations.values()].map((c) => ({
      Arn: c.arn, CreationTime: c.createdAt, Description: c.description, KafkaVersions: [...c.kafkaVersions], LatestRevision: this.latest(c), Name: c.name, State: 'ACTIVE' as const,
    }));
    const { items, next } = page(all, input.NextToken, maxResults(input.MaxResults, 10));
    return { Configurations: items, NextToken: next };
  }

  private listConfigurationRevisions(input: ListConfigurationRevisionsCommandInput): Out<ListConfigurationRevisionsCommandOutput> {
    const config = this.requireConfiguration(input.Arn);
    this.checkToken(input.NextToken);
    const all = config.revisions.map((r) => ({ CreationTime: r.createdAt, Description: r.description, Revision: r.revision }));
    const { items, next } = page(all, input.NextToken, maxResults(input.MaxResults, 10));
    return { Revisions: items, NextToken: next };
  }

  private updateClusterConfiguration(input: UpdateClusterConfigurationCommandInput): Out<UpdateClusterConfigurationCommandOutput> {
    const cluster = this.requireCluster(input.ClusterArn);
    if (cluster.state !== 'ACTIVE') {
      throw kafkaError(BadRequestException, `The request is not valid because the cluster is in ${cluster.state} state.`); // approximated
    }
    if (input.CurrentVersion !== cluster.currentVersion) {
      throw kafkaError(BadRequestException, 'The version of the cluster isn’t current. Check the current version and try again.', 'currentVersion');
    }
    const { Arn: arn, Revision: revision } = input.ConfigurationInfo ?? {};
    const config = this.requireConfiguration(arn);
    if (!revision || !config.revisions[revision - 1]) {
      throw kafkaError(BadRequestException, `Revision ${revision} of configuration ${arn} does not exist.`, 'configurationInfo'); // approximated
    }
    const op = this.newOperation(cluster, 'UPDATE_CLUSTER_CONFIGURATION', undefined, (c) => {
      c.configuration = { arn: config.arn, revision };
      this.onConfigurationApplied?.(c.arn, config.revisions[revision - 1].serverProperties);
    });
    op.source = cluster.configuration && { ...cluster.configuration };
    op.target = { arn: config.arn, revision };
    return { ClusterArn: cluster.arn, ClusterOperationArn: op.arn };
  }

  /**
   * Where a broker that UpdateBrokerCount adds gets its client IP (the subnet MSK places it in, its id).
   * Unset, the world cannot add brokers through the API (seed them with setBrokers instead).
   */
  allocateBrokerIp?: (subnet: string, brokerId: number) => string;

  /**
   * Scale-out as the console, CLI and infrastructure as code ask for it: the next broker ids, spread
   * over the cluster's subnets, join when the INCREASE_BROKER_COUNT operation completes. MSK: "the
   * number of broker nodes … must be a multiple of the number of Availability Zones" (Developer Guide,
   * "Expand a cluster"). Decreasing (the "remove brokers" flow) is not modelled.
   */
  private updateBrokerCount(input: UpdateBrokerCountCommandInput): Out<UpdateBrokerCountCommandOutput> {
    const cluster = this.requireCluster(input.ClusterArn);
    if (cluster.state !== 'ACTIVE') {
      throw kafkaError(BadRequestException, `The request is not valid because the cluster is in ${cluster.state} state.`); // approximated
    }
    if (input.CurrentVersion !== cluster.currentVersion) {
      throw kafkaError(BadRequestException, 'The version of the cluster isn’t current. Check the current version and try again.', 'currentVersion');
    }
    const target = input.TargetNumberOfBrokerNodes ?? 0;
    const current = cluster.brokers.length;
    if (!Number.isInteger(target) || target % cluster.subnets.length !== 0) {
      throw kafkaError(BadRequestException, `The number of broker nodes must be a multiple of the number of Availability Zones (${cluster.subnets.length}).`, 'targetNumberOfBrokerNodes'); // approximated
    }
    if (target <= current) {
      throw kafkaError(BadRequestException, `AwsWorld: UpdateBrokerCount from ${current} to ${target} brokers (removing brokers) is not modelled`, 'targetNumberOfBrokerNodes');
    }
    const allocate = this.allocateBrokerIp;
    if (!allocate) throw new Error('AwsWorld: UpdateBrokerCount needs msk.allocateBrokerIp to give new brokers their IPs');
    const highest = Math.max(0, ...cluster.brokers.map((b) => b.id));
    const created = Array.from({ length: target - current }, (_, i) => highest + 1 + i);
    const op = this.newOperation(cluster, 'INCREASE_BROKER_COUNT', undefined, (c) => {
      const joining = created.map((id) => {
        const subnet = c.subnets[(id - 1) % c.subnets.length];
        return this.newBroker(c, { id, ip: allocate(subnet, id), subnet });
      });
      c.brokers = [...c.brokers, ...joining];
    });
    op.createdBrokerIds = created;
    return { ClusterArn: cluster.arn, ClusterOperationArn: op.arn };
  }

  // ---------------------------------------------------------------- operations

  private newOperation(cluster: WorldCluster, type: string, polls: number | undefined, onComplete?: (c: WorldCluster) => void): WorldOperation {
    const { region, accountId, ids } = this.env;
    const op: WorldOperation = {
      arn: `arn:aws:kafka:${region}:${accountId}:cluster-operation/${cluster.name}/${cluster.arn.split('/').pop()}/${ids.uuid()}`,
      clusterArn: cluster.arn,
      type,
      state: 'PENDING',
      startTime: new Date(this.env.now()),
      pollsLeft: polls ?? this.operationPolls,
      onComplete,
    };
    this.ops.set(op.arn, op);
    cluster.state = 'UPDATING';
    cluster.activeOperationArn = op.arn;
    cluster.currentVersion = this.newVersion();
    return op;
  }

  /** One observation of the operation: in progress for `pollsLeft` polls, then complete. */
  private poll(op: WorldOperation): void {
    if (op.endTime) return;
    if (op.pollsLeft > 0) {
      op.pollsLeft--;
      op.state = 'UPDATE_IN_PROGRESS';
      return;
    }
    this.complete(op);
  }

  private complete(op: WorldOperation): void {
    const cluster = this.clusters.get(op.clusterArn)!;
    op.state = 'UPDATE_COMPLETE';
    op.endTime = new Date(this.env.now());
    op.onComplete?.(cluster);
    if (cluster.activeOperationArn === op.arn) {
      cluster.activeOperationArn = undefined;
      cluster.state = 'ACTIVE';
    }
  }

  /** Waiting for "cluster back to ACTIVE" polls the operation too. */
  private pollActiveOperation(cluster: WorldCluster): void {
    const op = cluster.activeOperationArn ? this.ops.get(cluster.activeOperationArn) : undefined;
    if (op) this.poll(op);
  }

  private requireOperation(arn: string | undefined): WorldOperation {
    const op = arn ? this.ops.get(arn) : undefined;
    if (!op) throw kafkaError(NotFoundException, `Cluster operation ${arn} does not exist.`, 'clusterOperationArn'); // approximated
    return op;
  }

  private describeClusterOperationV2(input: DescribeClusterOperationV2CommandInput): Out<DescribeClusterOperationV2CommandOutput> {
    const op = this.requireOperation(input.ClusterOperationArn);
    this.poll(op);
    return { ClusterOperationInfo: this.operationInfo(op) };
  }

  private operationInfo(op: WorldOperation): ClusterOperationV2 {
    const info = (ref: { arn: string; revision: number } | undefined) => (ref ? { ConfigurationInfo: { Arn: ref.arn, Revision: ref.revision } } : {});
    const done = op.state === 'UPDATE_COMPLETE';
    return {
      ...this.operationSummary(op),
      Provisioned: {
        OperationSteps: [{ StepName: 'INITIALIZE_UPDATE', StepInfo: { StepStatus: op.state === 'PENDING' ? 'PENDING' : done ? 'SUCCESS' : 'IN_PROGRESS' } }],
        SourceClusterInfo: info(op.source),
        TargetClusterInfo: {
          ...info(op.target),
          ...(op.createdBrokerIds ? { BrokerCountUpdateInfo: { CreatedBrokerIds: [...op.createdBrokerIds] } } : {}),
        },
      },
    };
  }

  private operationSummary(op: WorldOperation): ClusterOperationV2Summary {
    const cluster = this.clusters.get(op.clusterArn)!;
    return {
      ClusterArn: op.clusterArn,
      ClusterType: cluster.type,
      StartTime: op.startTime,
      ...(op.endTime ? { EndTime: op.endTime } : {}),
      OperationArn: op.arn,
      OperationState: op.state,
      OperationType: op.type,
    };
  }

  private listClusterOperationsV2(input: ListClusterOperationsV2CommandInput): Out<ListClusterOperationsV2CommandOutput> {
    this.requireCluster(input.ClusterArn);
    this.checkToken(input.NextToken);
    const all = [...this.ops.values()].filter((o) => o.clusterArn === input.ClusterArn).reverse();
    const { items, next } = page(all, input.NextToken, maxResults(input.MaxResults, 10));
    return { ClusterOperationInfoList: items.map((o) => this.operationSummary(o)), NextToken: next };
  }

  private checkToken(token: string | undefined): void {
    if (!validToken(token)) throw kafkaError(BadRequestException, 'The request is not valid because the NextToken is invalid.', 'nextToken'); // approximated
  }
}

function maxResults(value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isInteger(value) || value < 1 || value > 100) {
    throw kafkaError(BadRequestException, 'The request is not valid because MaxResults must be between 1 and 100.', 'maxResults'); // approximated
  }
  return value;
}
