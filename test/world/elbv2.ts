// ELBv2: network load balancers, their listeners, target groups, IP targets and tags.
// Messages quoted from real AWS where known; the few marked "approximated" are plausible
// wording for errors whose code is right but whose exact text was not found.
import {
  CertificateNotFoundException,
  DuplicateListenerException,
  DuplicateTagKeysException,
  DuplicateTargetGroupNameException,
  ElasticLoadBalancingV2ServiceException,
  IncompatibleProtocolsException,
  InvalidTargetException,
  ListenerNotFoundException,
  LoadBalancerNotFoundException,
  ResourceInUseException,
  TargetGroupAssociationLimitException,
  TargetGroupNotFoundException,
  TooManyCertificatesException,
  TooManyListenersException,
  TooManyTagsException,
  UnsupportedProtocolException,
  type Action,
  type AddTagsCommandInput,
  type Certificate,
  type CreateListenerCommandInput,
  type CreateListenerCommandOutput,
  type CreateTargetGroupCommandInput,
  type CreateTargetGroupCommandOutput,
  type DeleteListenerCommandInput,
  type DeleteTargetGroupCommandInput,
  type DeregisterTargetsCommandInput,
  type DescribeListenersCommandInput,
  type DescribeLoadBalancerAttributesCommandInput,
  type DescribeLoadBalancerAttributesCommandOutput,
  type DescribeTargetGroupAttributesCommandInput,
  type DescribeTargetGroupAttributesCommandOutput,
  type ModifyLoadBalancerAttributesCommandInput,
  type ModifyLoadBalancerAttributesCommandOutput,
  type ModifyTargetGroupAttributesCommandInput,
  type ModifyTargetGroupAttributesCommandOutput,
  type ModifyTargetGroupCommandInput,
  type ModifyTargetGroupCommandOutput,
  type DescribeListenersCommandOutput,
  type DescribeLoadBalancersCommandInput,
  type DescribeLoadBalancersCommandOutput,
  type DescribeTagsCommandInput,
  type DescribeTagsCommandOutput,
  type DescribeTargetGroupsCommandInput,
  type DescribeTargetGroupsCommandOutput,
  type DescribeTargetHealthCommandInput,
  type DescribeTargetHealthCommandOutput,
  type Listener,
  type LoadBalancer,
  type ModifyListenerCommandInput,
  type ModifyListenerCommandOutput,
  type ProtocolEnum,
  type RegisterTargetsCommandInput,
  type RemoveTagsCommandInput,
  type Tag,
  type TargetDescription,
  type TargetGroup,
  type TargetHealth,
  type TargetHealthDescription,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { awsError, clone, page, tagList, tagRecord, unmodelledError, validToken, type Env, type Handlers, type Out } from './common';
import { DEFAULT_VPC_ID, type Ec2Model } from './ec2';

/** Route 53 alias zone ids of NLBs per region (AWS "Elastic Load Balancing endpoints"). */
const NLB_HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z26RNL4JYFTOTI', 'us-east-2': 'ZLMOA37VPKANP', 'us-west-1': 'Z24FKFUX50B4VW',
  'us-west-2': 'Z18D5FSROUN65G', 'ca-central-1': 'Z2EPGBW3API2WT', 'sa-east-1': 'ZTK26PT1VY4CU',
  'eu-west-1': 'Z2IFOLAFXWLO4F', 'eu-west-2': 'ZD4D7Y8KGAS4G', 'eu-west-3': 'Z1CMS0P5QUZ6D5',
  'eu-central-1': 'Z3F0SRJ5LGBH90', 'eu-north-1': 'Z1UDT6IFJ4EJM', 'ap-south-1': 'ZVDDRBQ08TROA',
  'ap-northeast-1': 'Z31USIVHYNEOWT', 'ap-southeast-1': 'ZKVM4W9LS7TM', 'ap-southeast-2': 'ZCT6FZBF4DROD',
};

const MAX_LISTENERS_PER_NLB = 50;
const MAX_TAGS = 50;
const NLB_PROTOCOLS = ['TCP', 'TLS', 'UDP', 'TCP_UDP', 'QUIC', 'TCP_QUIC'];
/** Target group protocols a listener protocol may forward to. */
const COMPATIBLE_TG_PROTOCOLS: Record<string, string[]> = {
  TCP: ['TCP', 'TCP_UDP'],
  TLS: ['TCP', 'TLS'],
  UDP: ['UDP', 'TCP_UDP'],
  TCP_UDP: ['TCP_UDP'],
};
const DEFAULT_TLS_POLICY = 'ELBSecurityPolicy-TLS13-1-2-2021-06';

export interface LoadBalancerSeed {
  name: string;
  /** Default: the world's default VPC, with one subnet (and so one NLB node) per AZ. */
  vpcId?: string;
  /** The Availability Zones the NLB is enabled in (one node each; default every AZ of its VPC). */
  zones?: string[];
  /** An NLB created with security groups admits only what their ingress rules allow. */
  securityGroups?: string[];
  /** Load-balancer attributes that differ from the NLB defaults (cross-zone is off by default). */
  attributes?: Record<string, string>;
  type?: 'network' | 'application';
  scheme?: 'internal' | 'internet-facing';
  tags?: Record<string, string>;
}

export interface ListenerSeed {
  loadBalancerArn: string;
  port: number;
  protocol?: string;
  certificateArn?: string;
  /** Default: a target group `foreign-<hex>-<port>` is created for it. */
  targetGroupArn?: string;
  tags?: Record<string, string>;
}

export interface TargetGroupSeed {
  name: string;
  port: number;
  protocol?: string;
  vpcId?: string;
  targetType?: 'ip' | 'instance';
  tags?: Record<string, string>;
}

/** A registered or draining target, as the world keeps it. */
export interface WorldTarget {
  id: string;
  port: number;
  /** The subnet's AZ for an IP inside the VPC, or `all` (required for IPs outside it). */
  availabilityZone: string;
  state: 'registered' | 'draining';
  registeredAt: number;
  deregisteredAt?: number;
  /** Set by setTargetHealth to force a state. */
  forced?: TargetHealth;
  /** Whether it was taking traffic when deregistered: only then do the NLB's nodes keep routing to it for a while. */
  healthyWhenDeregistered?: boolean;
}

interface TgState {
  tg: TargetGroup;
  tags: Record<string, string>;
  targets: Map<string, WorldTarget>;
  attributes: Record<string, string>;
  /** Since when a listener forwards to the group: health checks run only then. */
  inUseSince?: number;
}

/** NLB target-group attributes and their defaults (ELBv2 documentation, "Target group attributes"). */
const TG_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'deregistration_delay.timeout_seconds': '300',
  'deregistration_delay.connection_termination.enabled': 'false',
  'load_balancing.cross_zone.enabled': 'use_load_balancer_configuration',
  'preserve_client_ip.enabled': 'false',
  'proxy_protocol_v2.enabled': 'false',
  'stickiness.enabled': 'false',
  'stickiness.type': 'source_ip',
  'target_group_health.dns_failover.minimum_healthy_targets.count': '1',
  'target_group_health.dns_failover.minimum_healthy_targets.percentage': 'off',
  'target_health_state.unhealthy.connection_termination.enabled': 'true',
};

/** NLB load-balancer attributes and their defaults: cross-zone load balancing is off. */
const LB_ATTRIBUTE_DEFAULTS: Record<string, string> = {
  'load_balancing.cross_zone.enabled': 'false',
  'deletion_protection.enabled': 'false',
  'dns_record.client_routing_policy': 'any_availability_zone',
  'access_logs.s3.enabled': 'false',
};

/** Where a new connection to a listener goes from one NLB node, or why it goes nowhere. */
export type Route =
  | { ok: true; targetGroupArn: string; target: { ip: string; port: number } }
  | { ok: false; reason: 'no listener' | 'no target reachable from this AZ' };

interface ListenerState {
  listener: Listener;
  tags: Record<string, string>;
}

interface LbState {
  lb: LoadBalancer;
  tags: Record<string, string>;
  attributes: Record<string, string>;
}

type ElbError = new (opts: any) => Error;

/** A modelled ELBv2 error: wire code = class name without "Exception". */
function elbError(Ctor: ElbError, message: string): Error {
  return awsError(Ctor, 'query', Ctor.name.replace(/Exception$/, ''), message);
}

function validationError(message: string): Error {
  return unmodelledError(ElasticLoadBalancingV2ServiceException, 'query', 'ValidationError', message);
}

const targetKey = (id: string, port: number) => `${id}:${port}`;

export class Elbv2Model {
  private readonly lbs = new Map<string, LbState>();
  private readonly listenersByArn = new Map<string, ListenerState>();
  private readonly tgs = new Map<string, TgState>();

  /** Set by a data plane: whether something answers on ip:port (health checks). Unset: everything answers. */
  reachable?: (ip: string, port: number) => boolean;
  /** Set by a data plane: called after any listener was created, changed or deleted. */
  onListenersChanged?: () => void;
  private readonly roundRobin = new Map<string, number>();

  /** Certificates per load balancer (the NLB quota, default 25; adjustable). */
  certificateQuota = 25;

  /** `certificateExists` asks ACM, so listeners cannot use unknown certificates; `ec2` knows VPCs and subnets. */
  constructor(private readonly env: Env, private readonly certificateExists: (arn: string) => boolean, private readonly ec2: Ec2Model) {}

  readonly handlers: Handlers = {
    DescribeLoadBalancersCommand: (i) => this.describeLoadBalancers(i),
    DescribeListenersCommand: (i) => this.describeListeners(i),
    CreateListenerCommand: (i) => this.createListener(i),
    ModifyListenerCommand: (i) => this.modifyListener(i),
    DeleteListenerCommand: (i) => this.deleteListener(i),
    DescribeTargetGroupsCommand: (i) => this.describeTargetGroups(i),
    CreateTargetGroupCommand: (i) => this.createTargetGroup(i),
    DeleteTargetGroupCommand: (i) => this.deleteTargetGroup(i),
    RegisterTargetsCommand: (i) => this.registerTargets(i),
    DeregisterTargetsCommand: (i) => this.deregisterTargets(i),
    DescribeTargetHealthCommand: (i) => this.describeTargetHealth(i),
    DescribeTagsCommand: (i) => this.describeTags(i),
    DescribeLoadBalancerAttributesCommand: (i) => this.describeLoadBalancerAttributes(i),
    ModifyLoadBalancerAttributesCommand: (i) => this.modifyLoadBalancerAttributes(i),
    DescribeTargetGroupAttributesCommand: (i) => this.describeTargetGroupAttributes(i),
    ModifyTargetGroupAttributesCommand: (i) => this.modifyTargetGroupAttributes(i),
    ModifyTargetGroupCommand: (i) => this.modifyTargetGroup(i),
    AddTagsCommand: (i) => this.addTags(i),
    RemoveTagsCommand: (i) => this.removeTags(i),
  };

  throttle(): Error {
    return unmodelledError(ElasticLoadBalancingV2ServiceException, 'query', 'Throttling', 'Rate exceeded');
  }

  // ---------------------------------------------------------------- seeding / inspection

  addLoadBalancer(seed: LoadBalancerSeed): string {
    const { region, accountId, ids } = this.env;
    const type = seed.type ?? 'network';
    const id = ids.hex(16);
    const arn = `arn:aws:elasticloadbalancing:${region}:${accountId}:loadbalancer/${type === 'network' ? 'net' : 'app'}/${seed.name}/${id}`;
    const vpcId = seed.vpcId ?? DEFAULT_VPC_ID;
    this.lbs.set(arn, {
      lb: {
        LoadBalancerArn: arn,
        DNSName: `${seed.name}-${id}.elb.${region}.amazonaws.com`,
        CanonicalHostedZoneId: NLB_HOSTED_ZONES[region] ?? `Z${ids.upper(13)}`,
        CreatedTime: new Date(this.env.now()),
        LoadBalancerName: seed.name,
        Scheme: seed.scheme ?? 'internal',
        VpcId: vpcId,
        State: { Code: 'active' },
        Type: type,
        AvailabilityZones: this.ec2.subnets(vpcId).filter((s) => !seed.zones || seed.zones.includes(s.AvailabilityZone!)).map((s) => ({ ZoneName: s.AvailabilityZone, SubnetId: s.SubnetId })),
        IpAddressType: 'ipv4',
        ...(seed.securityGroups ? { SecurityGroups: [...seed.securityGroups] } : {}),
      },
      tags: { ...seed.tags },
      attributes: { ...LB_ATTRIBUTE_DEFAULTS, ...seed.attributes },
    });
    return arn;
  }

  /** A listener the controller does not own (conflict tests). Throws a plain Error on misuse. */
  addListener(seed: ListenerSeed): string {
    const lb = this.lbs.get(seed.loadBalancerArn);
    if (!lb) throw new Error(`AwsWorld: no load balancer ${seed.loadBalancerArn}`);
    if (this.listenerOnPort(seed.loadBalancerArn, seed.port)) throw new Error(`AwsWorld: port ${seed.port} is taken`);
    const tgArn = seed.targetGroupArn ??
      this.addTargetGroup({ name: `foreign-${this.env.ids.hex(6)}-${seed.port}`, port: seed.port, protocol: 'TCP', vpcId: lb.lb.VpcId });
    const listener = this.newListener(seed.loadBalancerArn, {
      Port: seed.port,
      Protocol: (seed.protocol ?? 'TLS') as ProtocolEnum,
      Certificates: seed.certificateArn ? [{ CertificateArn: seed.certificateArn }] : undefined,
      DefaultActions: [{ Type: 'forward', TargetGroupArn: tgArn }],
    });
    this.listenersByArn.set(listener.ListenerArn!, { listener, tags: { ...seed.tags } });
    this.refreshUse();
    return listener.ListenerArn!;
  }

  /** The NLB enabled in these Availability Zones from now on (SetSubnets with a subnet of each, done at once). */
  setZones(lbArn: string, zones: string[]): void {
    const { lb } = this.requireLb(lbArn);
    lb.AvailabilityZones = this.ec2.subnets(lb.VpcId).filter((s) => zones.includes(s.AvailabilityZone!)).map((s) => ({ ZoneName: s.AvailabilityZone, SubnetId: s.SubnetId }));
    this.onListenersChanged?.();
  }

  addTargetGroup(seed: TargetGroupSeed): string {
    const out = this.createTargetGroup({
      Name: seed.name,
      Port: seed.port,
      Protocol: (seed.protocol ?? 'TCP') as ProtocolEnum,
      VpcId: seed.vpcId ?? 'vpc-0abc1234def567890',
      TargetType: seed.targetType ?? 'ip',
      Tags: seed.tags && tagList(seed.tags),
    });
    return out.TargetGroups![0].TargetGroupArn!;
  }

  loadBalancer(arn: string): LoadBalancer | undefined {
    const state = this.lbs.get(arn);
    return state && clone(state.lb);
  }

  loadBalancers(): LoadBalancer[] {
    return [...this.lbs.values()].map((s) => clone(s.lb));
  }

  listeners(loadBalancerArn?: string): (Listener & { tags: Record<string, string> })[] {
    return [...this.listenersByArn.values()]
      .filter((s) => !loadBalancerArn || s.listener.LoadBalancerArn === loadBalancerArn)
      .map((s) => ({ ...clone(s.listener), tags: { ...s.tags } }));
  }

  targetGroups(): (TargetGroup & { tags: Record<string, string> })[] {
    return [...this.tgs.values()].map((s) => ({ ...this.tgView(s), tags: { ...s.tags } }));
  }

  targets(targetGroupArn: string): WorldTarget[] {
    const state = this.tgs.get(targetGroupArn);
    if (!state) throw new Error(`AwsWorld: no target group ${targetGroupArn}`);
    return [...state.targets.values()].map((t) => clone(t));
  }

  /** What DescribeTargetHealth reports for `ip` in the group now (undefined when it is not a target). */
  targetHealth(targetGroupArn: string, ip: string): string | undefined {
    const state = this.tgs.get(targetGroupArn);
    const target = [...(state?.targets.values() ?? [])].find((t) => t.id === ip);
    return state && target ? this.healthOf(state, target).State : undefined;
  }

  /** Forces what DescribeTargetHealth reports for a target (undefined = back to the default). */
  setTargetHealth(targetGroupArn: string, id: string, health: TargetHealth | undefined): void {
    const state = this.tgs.get(targetGroupArn);
    const targets = [...(state?.targets.values() ?? [])].filter((t) => t.id === id);
    if (!targets.length) throw new Error(`AwsWorld: ${id} is not a target of ${targetGroupArn}`);
    for (const t of targets) t.forced = health;
  }

  /** DNS name -> the NLB's canonical hosted zone, for Route 53 alias validation. */
  findByDnsName(dnsName: string): LoadBalancer | undefined {
    const wanted = dnsName.toLowerCase().replace(/\.$/, '').replace(/^dualstack\./, '');
    return [...this.lbs.values()].find((s) => s.lb.DNSName!.toLowerCase() === wanted)?.lb;
  }

  isCanonicalZone(zoneId: string): boolean {
    return Object.values(NLB_HOSTED_ZONES).includes(zoneId) || [...this.lbs.values()].some((s) => s.lb.CanonicalHostedZoneId === zoneId);
  }

  /** Load balancers with a listener using this certificate (ACM's InUseBy). */
  certificateUsers(certificateArn: string): string[] {
    const users = new Set<string>();
    for (const { listener } of this.listenersByArn.values()) {
      if (listener.Certificates?.some((c) => c.CertificateArn === certificateArn)) users.add(listener.LoadBalancerArn!);
    }
    return [...users];
  }

  // ---------------------------------------------------------------- load balancers

  private describeLoadBalancers(input: DescribeLoadBalancersCommandInput): Out<DescribeLoadBalancersCommandOutput> {
    const { LoadBalancerArns: arns, Names: names } = input;
    if (arns?.length && names?.length) throw validationError('Load balancer names and load balancer ARNs cannot be specified at the same time');
    let lbs = [...this.lbs.values()].map((s) => s.lb);
    if (arns?.length) {
      if (arns.some((a) => !this.lbs.has(a))) throw elbError(LoadBalancerNotFoundException, 'One or more load balancers not found');
      lbs = lbs.filter((lb) => arns.includes(lb.LoadBalancerArn!));
    }
    if (names?.length) {
      const missing = names.filter((n) => !lbs.some((lb) => lb.LoadBalancerName === n));
      if (missing.length) throw elbError(LoadBalancerNotFoundException, `Load balancers '[${missing.join(', ')}]' not found`);
      lbs = lbs.filter((lb) => names.includes(lb.LoadBalancerName!));
    }
    const { items, next } = this.page(lbs, input);
    return { LoadBalancers: clone(items), NextMarker: next };
  }

  private requireLb(arn: string | undefined): LbState {
    const state = arn ? this.lbs.get(arn) : undefined;
    if (!state) throw elbError(LoadBalancerNotFoundException, 'One or more load balancers not found');
    return state;
  }

  /** Marker/PageSize paging shared by the Describe* calls. */
  private page<T>(items: T[], input: { Marker?: string; PageSize?: number }): { items: T[]; next?: string } {
    if (!validToken(input.Marker)) throw validationError(`Invalid marker '${input.Marker}'`); // approximated
    return page(items, input.Marker, this.pageSize(input.PageSize));
  }

  private pageSize(size: number | undefined): number {
    if (size === undefined) return 400;
    if (size < 1 || size > 400) {
      throw validationError(`1 validation error detected: Value '${size}' at 'pageSize' failed to satisfy constraint: Member must have value ${size < 1 ? 'greater than or equal to 1' : 'less than or equal to 400'}`);
    }
    return size;
  }

  // ---------------------------------------------------------------- listeners

  private describeListeners(input: DescribeListenersCommandInput): Out<DescribeListenersCommandOutput> {
    const { LoadBalancerArn: lbArn, ListenerArns: arns } = input;
    if (lbArn && arns?.length) throw validationError('Listener ARNs and a load balancer ARN cannot be specified at the same time');
    if (!lbArn && !arns?.length) throw validationError('You must specify either listener ARNs or a load balancer ARN'); // approximated
    let found: Listener[];
    if (lbArn) {
      this.requireLb(lbArn);
      found = [...this.listenersByArn.values()].map((s) => s.listener).filter((l) => l.LoadBalancerArn === lbArn);
    } else {
      found = arns!.map((a) => this.requireListener(a).listener);
    }
    const { items, next } = this.page(found, input);
    return { Listeners: clone(items), NextMarker: next };
  }

  private requireListener(arn: string | undefined): ListenerState {
    const state = arn ? this.listenersByArn.get(arn) : undefined;
    if (!state) throw elbError(ListenerNotFoundException, 'One or more listeners not found');
    return state;
  }

  private listenerOnPort(lbArn: string, port: number): ListenerState | undefined {
    return [...this.listenersByArn.values()].find((s) => s.listener.LoadBalancerArn === lbArn && s.listener.Port === port);
  }

  private createListener(input: CreateListenerCommandInput): Out<CreateListenerCommandOutput> {
    const lb = this.requireLb(input.LoadBalancerArn);
    const lbArn = lb.lb.LoadBalancerArn!;
    this.validatePort(input.Port);
    this.validateProtocol(lb, input.Protocol);
    this.validateCertificates(input.Protocol, input.Certificates, true);
    const tgArn = this.validateDefaultActions(lb, input.Protocol!, input.DefaultActions);
    const candidate = this.newListener(lbArn, input);
    const existing = this.listenerOnPort(lbArn, input.Port!);
    if (existing) {
      // Like the real API, an identical request is idempotent and returns the existing listener.
      if (sameListenerSettings(existing.listener, candidate)) return { Listeners: [clone(existing.listener)] };
      throw elbError(DuplicateListenerException, `A listener already exists on this port for this load balancer '${lbArn}'`);
    }
    if (this.listenersOf(lbArn).length >= MAX_LISTENERS_PER_NLB) {
      throw elbError(TooManyListenersException, `You've reached the limit on the number of listeners per load balancer`); // approximated
    }
    this.checkSingleLoadBalancer(tgArn, lbArn);
    this.checkCertificateQuota(lbArn, undefined, input.Certificates?.[0]?.CertificateArn);
    const tags = this.validatedNewTags({}, input.Tags);
    this.listenersByArn.set(candidate.ListenerArn!, { listener: candidate, tags });
    this.refreshUse();
    return { Listeners: [clone(candidate)] };
  }

  private newListener(lbArn: string, input: Partial<CreateListenerCommandInput>): Listener {
    const lbPath = lbArn.split(':loadbalancer/')[1];
    const arn = lbArn.replace(/:loadbalancer\/.*/, `:listener/${lbPath}/${this.env.ids.hex(16)}`);
    const tls = input.Protocol === 'TLS';
    return {
      ListenerArn: arn,
      LoadBalancerArn: lbArn,
      Port: input.Port,
      Protocol: input.Protocol,
      Certificates: input.Certificates?.map((c) => ({ CertificateArn: c.CertificateArn })),
      SslPolicy: tls ? input.SslPolicy ?? DEFAULT_TLS_POLICY : undefined,
      AlpnPolicy: tls ? input.AlpnPolicy ?? ['None'] : undefined,
      DefaultActions: (input.DefaultActions ?? []).map(normaliseAction),
    };
  }

  private listenersOf(lbArn: string): Listener[] {
    return [...this.listenersByArn.values()].map((s) => s.listener).filter((l) => l.LoadBalancerArn === lbArn);
  }

  private validatePort(port: number | undefined): void {
    if (port === undefined) throw validationError('A listener port must be specified'); // approximated
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      const bound = port < 1 ? 'greater than or equal to 1' : 'less than or equal to 65535';
      throw validationError(`1 validation error detected: Value '${port}' at 'port' failed to satisfy constraint: Member must have value ${bound}`);
    }
  }

  private validateProtocol(lb: LbState, protocol: string | undefined): void {
    if (!protocol) throw validationError('A listener protocol must be specified'); // approximated
    if (lb.lb.Type === 'network' && !NLB_PROTOCOLS.includes(protocol)) {
      throw elbError(UnsupportedProtocolException, `Protocol '${protocol}' is not supported for load balancers of type 'network'`); // approximated
    }
  }

  private validateCertificates(protocol: string | undefined, certs: Certificate[] | undefined, creating: boolean): void {
    if (protocol !== 'TLS') return;
    if (!certs?.length) {
      if (creating) throw validationError('A certificate must be specified for TLS listeners');
      return;
    }
    if (certs.length > 1) throw elbError(TooManyCertificatesException, 'A listener can have only one default certificate'); // approximated
    if (certs.some((c) => c.IsDefault !== undefined)) throw validationError('You cannot set the isDefault parameter for a certificate.');
    for (const c of certs) {
      if (!c.CertificateArn || !this.certificateExists(c.CertificateArn)) {
        throw elbError(CertificateNotFoundException, `Certificate '${c.CertificateArn}' not found`);
      }
    }
  }

  /**
   * "Certificates per Network Load Balancer": 25 by default (NLB quotas page). Whether a listener's
   * default certificate counts is not documented; modelled as the worse case: every distinct
   * certificate the load balancer's listeners present. `replacing`: the listener whose certificate changes.
   */
  private checkCertificateQuota(lbArn: string, replacing: string | undefined, certificateArn: string | undefined): void {
    if (!certificateArn) return;
    const after = new Set(this.listenersOf(lbArn).filter((l) => l.ListenerArn !== replacing).flatMap((l) => (l.Certificates ?? []).map((c) => c.CertificateArn!)));
    after.add(certificateArn);
    if (after.size > this.certificateQuota) {
      throw elbError(TooManyCertificatesException, `You've reached the limit on the number of certificates per load balancer`); // approximated
    }
  }

  /** NLB listeners forward to exactly one target group; returns its ARN. */
  private validateDefaultActions(lb: LbState, protocol: string, actions: Action[] | undefined): string {
    if (actions?.length !== 1) throw validationError('A network load balancer listener must have exactly one default action'); // approximated
    const [action] = actions;
    if (action.Type !== 'forward') {
      throw validationError(`Action type '${action.Type}' must be one of '[forward]'`); // approximated
    }
    const targets = forwardTargets(action);
    if (targets.length !== 1) throw validationError('You can specify only one target group for a network load balancer listener'); // approximated
    const state = this.tgs.get(targets[0]);
    if (!state) throw elbError(TargetGroupNotFoundException, `Target groups '${targets[0]}' not found`);
    const tgProtocol = state.tg.Protocol!;
    if (COMPATIBLE_TG_PROTOCOLS[protocol] && !COMPATIBLE_TG_PROTOCOLS[protocol].includes(tgProtocol)) {
      throw elbError(IncompatibleProtocolsException, `Listener protocol '${protocol}' is not supported with a target group with the protocol '${tgProtocol}'`); // approximated
    }
    if (state.tg.VpcId && state.tg.VpcId !== lb.lb.VpcId) {
      throw validationError(`The VPC ID '${state.tg.VpcId}' of target group '${targets[0]}' does not match the VPC ID '${lb.lb.VpcId}' of the load balancer`); // approximated
    }
    return targets[0];
  }

  /** A target group can serve listeners of one load balancer only (NLB rule). */
  private checkSingleLoadBalancer(tgArn: string, lbArn: string): void {
    const others = this.loadBalancersOf(tgArn).filter((a) => a !== lbArn);
    if (others.length) {
      throw elbError(TargetGroupAssociationLimitException, `The following target groups cannot be associated with more than one load balancer: ${tgArn}`);
    }
  }

  private modifyListener(input: ModifyListenerCommandInput): Out<ModifyListenerCommandOutput> {
    const state = this.requireListener(input.ListenerArn);
    const current = state.listener;
    const lb = this.requireLb(current.LoadBalancerArn);
    const protocol = input.Protocol ?? current.Protocol!;
    if (input.Port !== undefined) {
      this.validatePort(input.Port);
      const other = this.listenerOnPort(current.LoadBalancerArn!, input.Port);
      // The real API answers a port clash on modify with this ValidationError.
      if (other && other !== state) throw validationError(`Listener port '${input.Port}' is already in use`);
    }
    if (input.Protocol) this.validateProtocol(lb, input.Protocol);
    const certs = input.Certificates ?? current.Certificates;
    if (protocol === 'TLS' && !certs?.length) throw validationError('A certificate must be specified for TLS listeners');
    this.validateCertificates(protocol, input.Certificates, false);
    const actions = input.DefaultActions ?? current.DefaultActions;
    const tgArn = this.validateDefaultActions(lb, protocol, actions);
    this.checkSingleLoadBalancer(tgArn, current.LoadBalancerArn!);
    if (input.Certificates?.length) this.checkCertificateQuota(current.LoadBalancerArn!, current.ListenerArn, input.Certificates[0].CertificateArn);
    const tls = protocol === 'TLS';
    state.listener = {
      ...current,
      Port: input.Port ?? current.Port,
      Protocol: protocol,
      Certificates: tls ? certs?.map((c) => ({ CertificateArn: c.CertificateArn })) : undefined,
      SslPolicy: tls ? input.SslPolicy ?? current.SslPolicy ?? DEFAULT_TLS_POLICY : undefined,
      AlpnPolicy: tls ? input.AlpnPolicy ?? current.AlpnPolicy ?? ['None'] : undefined,
      DefaultActions: actions!.map(normaliseAction),
    };
    this.refreshUse();
    return { Listeners: [clone(state.listener)] };
  }

  private deleteListener(input: DeleteListenerCommandInput): object {
    this.requireListener(input.ListenerArn);
    this.listenersByArn.delete(input.ListenerArn!);
    this.refreshUse();
    return {};
  }

  // ---------------------------------------------------------------- target groups

  /** Health checks of a group start when a listener starts forwarding to it, and stop when none does. */
  private refreshUse(): void {
    for (const state of this.tgs.values()) {
      const inUse = this.loadBalancersOf(state.tg.TargetGroupArn!).length > 0;
      if (inUse && state.inUseSince === undefined) state.inUseSince = this.env.now();
      if (!inUse) state.inUseSince = undefined;
    }
    this.onListenersChanged?.();
  }

  /** ARNs of load balancers whose listeners forward to the target group. */
  private loadBalancersOf(tgArn: string): string[] {
    const arns = new Set<string>();
    for (const { listener } of this.listenersByArn.values()) {
      if (listener.DefaultActions?.some((a) => forwardTargets(a).includes(tgArn))) arns.add(listener.LoadBalancerArn!);
    }
    return [...arns];
  }

  private tgView(state: TgState): TargetGroup {
    return { ...clone(state.tg), LoadBalancerArns: this.loadBalancersOf(state.tg.TargetGroupArn!) };
  }

  private requireTg(arn: string | undefined): TgState {
    const state = arn ? this.tgs.get(arn) : undefined;
    if (!state) throw elbError(TargetGroupNotFoundException, 'One or more target groups not found');
    return state;
  }

  private describeTargetGroups(input: DescribeTargetGroupsCommandInput): Out<DescribeTargetGroupsCommandOutput> {
    let found = [...this.tgs.values()];
    if (input.LoadBalancerArn) {
      this.requireLb(input.LoadBalancerArn);
      found = found.filter((s) => this.loadBalancersOf(s.tg.TargetGroupArn!).includes(input.LoadBalancerArn!));
    }
    if (input.TargetGroupArns?.length) {
      input.TargetGroupArns.forEach((a) => this.requireTg(a));
      found = found.filter((s) => input.TargetGroupArns!.includes(s.tg.TargetGroupArn!));
    }
    if (input.Names?.length) {
      if (input.Names.some((n) => !found.some((s) => s.tg.TargetGroupName === n))) {
        throw elbError(TargetGroupNotFoundException, 'One or more target groups not found');
      }
      found = found.filter((s) => input.Names!.includes(s.tg.TargetGroupName!));
    }
    const { items, next } = this.page(found, input);
    return { TargetGroups: items.map((s) => this.tgView(s)), NextMarker: next };
  }

  private createTargetGroup(input: CreateTargetGroupCommandInput): Out<CreateTargetGroupCommandOutput> {
    validateTargetGroupName(input.Name ?? '');
    const wanted = this.targetGroupSettings(input);
    const existing = [...this.tgs.values()].find((s) => s.tg.TargetGroupName === input.Name);
    if (existing) {
      // Real AWS: same name + identical settings returns the existing group.
      if (sameTargetGroupSettings(existing.tg, wanted)) return { TargetGroups: [this.tgView(existing)] };
      throw elbError(DuplicateTargetGroupNameException, `A target group with the same name '${input.Name}' exists, but with different settings`);
    }
    const tags = this.validatedNewTags({}, input.Tags);
    const arn = `arn:aws:elasticloadbalancing:${this.env.region}:${this.env.accountId}:targetgroup/${input.Name}/${this.env.ids.hex(16)}`;
    const state: TgState = { tg: { TargetGroupArn: arn, ...wanted }, tags, targets: new Map(), attributes: { ...TG_ATTRIBUTE_DEFAULTS } };
    this.tgs.set(arn, state);
    return { TargetGroups: [this.tgView(state)] };
  }

  /** The stored settings of a new target group: input plus the NLB defaults. */
  private targetGroupSettings(input: CreateTargetGroupCommandInput): TargetGroup {
    const targetType = input.TargetType ?? 'instance';
    if (targetType !== 'lambda') {
      if (!input.Protocol) throw validationError('A protocol must be specified'); // approximated
      this.validatePort(input.Port);
      if (!input.VpcId) throw validationError('A VPC ID must be specified'); // approximated
    }
    const healthProtocol = input.HealthCheckProtocol ?? (input.Protocol === 'TLS' || input.Protocol === 'UDP' ? 'TCP' : input.Protocol);
    return {
      TargetGroupName: input.Name,
      Protocol: input.Protocol,
      Port: input.Port,
      VpcId: input.VpcId,
      HealthCheckProtocol: healthProtocol,
      HealthCheckPort: input.HealthCheckPort ?? 'traffic-port',
      HealthCheckEnabled: input.HealthCheckEnabled ?? true,
      HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? 30,
      HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? 10,
      HealthyThresholdCount: input.HealthyThresholdCount ?? 5,
      UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? 2,
      HealthCheckPath: input.HealthCheckPath,
      TargetType: targetType,
      IpAddressType: input.IpAddressType ?? 'ipv4',
    };
  }

  private deleteTargetGroup(input: DeleteTargetGroupCommandInput): object {
    const arn = input.TargetGroupArn!;
    // Deleting a group that does not exist succeeds (the API only documents ResourceInUse).
    if (!this.tgs.has(arn)) return {};
    if (this.loadBalancersOf(arn).length) {
      throw elbError(ResourceInUseException, `Target group '${arn}' is currently in use by a listener or a rule`);
    }
    this.tgs.delete(arn);
    return {};
  }

  // ---------------------------------------------------------------- targets

  private registerTargets(input: RegisterTargetsCommandInput): object {
    const state = this.requireTg(input.TargetGroupArn);
    const targets = this.validatedTargets(state, input.Targets);
    const zones = targets.map((t) => this.targetZone(state, t));
    targets.forEach((t, i) => {
      const key = targetKey(t.Id!, t.Port!);
      const current = state.targets.get(key);
      if (current?.state === 'registered') return;
      state.targets.set(key, { id: t.Id!, port: t.Port!, availabilityZone: zones[i], state: 'registered', registeredAt: this.env.now() });
    });
    return {};
  }

  private deregisterTargets(input: DeregisterTargetsCommandInput): object {
    const state = this.requireTg(input.TargetGroupArn);
    const targets = this.validatedTargets(state, input.Targets);
    const keys = targets.map((t) => targetKey(t.Id!, t.Port!));
    if (keys.some((k) => !state.targets.has(k))) {
      throw elbError(InvalidTargetException, 'The specified target does not exist, is not in the same VPC as the target group, or has an unsupported instance type.');
    }
    for (const k of keys) {
      const target = state.targets.get(k)!;
      if (target.state === 'draining') continue;
      target.healthyWhenDeregistered = this.healthOf(state, target).State === 'healthy';
      target.state = 'draining';
      target.deregisteredAt = this.env.now();
      target.forced = undefined;
    }
    return {};
  }

  /** Targets with their port defaulted to the group's port; IP targets must be IPv4. */
  private validatedTargets(state: TgState, targets: TargetDescription[] | undefined): TargetDescription[] {
    if (!targets?.length) {
      throw validationError("1 validation error detected: Value '[]' at 'targets' failed to satisfy constraint: Member must have length greater than or equal to 1");
    }
    return targets.map((t) => {
      if (state.tg.TargetType === 'ip' && !isIpv4(t.Id ?? '')) {
        throw elbError(InvalidTargetException, `The IP address '${t.Id}' is not a valid IPv4 address`); // approximated
      }
      const port = t.Port ?? state.tg.Port!;
      this.validatePort(port);
      return { ...t, Port: port };
    });
  }

  private describeTargetHealth(input: DescribeTargetHealthCommandInput): Out<DescribeTargetHealthCommandOutput> {
    const state = this.requireTg(input.TargetGroupArn);
    this.sweepDrained(state);
    const wanted = input.Targets?.map((t) => ({ ...t, Port: t.Port ?? state.tg.Port! }));
    const keys = wanted ? wanted.map((t) => targetKey(t.Id!, t.Port!)) : [...state.targets.keys()];
    return { TargetHealthDescriptions: keys.map((key) => this.describeHealth(state, key)) };
  }

  private describeHealth(state: TgState, key: string): TargetHealthDescription {
    const target = state.targets.get(key);
    const [id, port] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
    const healthCheckPort = state.tg.HealthCheckPort === 'traffic-port' ? String(port) : state.tg.HealthCheckPort;
    return {
      Target: { Id: id, Port: port, ...(target ? { AvailabilityZone: target.availabilityZone } : {}) },
      HealthCheckPort: healthCheckPort,
      TargetHealth: this.healthOf(state, target),
    };
  }

  /**
   * Health as the NLB's checks make it: `initial` while the registration completes (AWS's
   * registration delay, aws-timing.ts) and until HealthyThresholdCount checks one interval apart
   * have passed (from then, or from when a listener started using the group, whichever is later),
   * `unhealthy` once UnhealthyThresholdCount checks failed (nothing answers on the target),
   * `draining` for the deregistration delay, `unused` while no listener forwards to it.
   */
  private healthOf(state: TgState, target: WorldTarget | undefined): TargetHealth {
    if (!target) return { State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' };
    if (target.state === 'draining') {
      return { State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' };
    }
    if (target.forced) return clone(target.forced);
    if (state.inUseSince === undefined) {
      return { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' };
    }
    // "If you register targets in an Availability Zone but do not enable the Availability Zone, these
    // registered targets do not receive traffic" (ELB guide); TargetHealth: Target.NotInUse, "the target
    // is in an Availability Zone that is not enabled for its load balancer". Cross-zone does not change it.
    if (!this.zoneEnabled(state, target)) {
      return { State: 'unused', Reason: 'Target.NotInUse', Description: 'Target is in an Availability Zone that is not enabled for the load balancer' }; // approximated
    }
    const interval = (state.tg.HealthCheckIntervalSeconds ?? 30) * 1000;
    const checked = this.env.now() - Math.max(target.registeredAt + this.env.timing.registrationDelayMs, state.inUseSince);
    const answers = this.reachable?.(target.id, target.port) ?? true;
    if (answers && checked >= interval * (state.tg.HealthyThresholdCount ?? 5)) return { State: 'healthy' };
    if (!answers && checked >= interval * (state.tg.UnhealthyThresholdCount ?? 2)) {
      return { State: 'unhealthy', Reason: 'Target.Timeout', Description: 'Request timed out' };
    }
    return { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' };
  }

  /** Whether the target's AZ has a node of the load balancer using its group (`all` reaches every enabled AZ). */
  private zoneEnabled(state: TgState, target: WorldTarget): boolean {
    if (target.availabilityZone === 'all') return true;
    return this.loadBalancersOf(state.tg.TargetGroupArn!).some((arn) => this.nodeZones(arn).includes(target.availabilityZone));
  }

  /** Deregistered targets leave once the deregistration delay has passed. */
  private sweepDrained(state: TgState): void {
    const delay = Number(state.attributes['deregistration_delay.timeout_seconds']) * 1000;
    for (const [key, t] of state.targets) {
      if (t.state === 'draining' && this.env.now() - t.deregisteredAt! >= delay) state.targets.delete(key);
    }
  }

  /** AZ of a new target: detected from its subnet inside the VPC; outside it, `all` must be given. */
  private targetZone(state: TgState, t: TargetDescription): string {
    const vpcId = state.tg.VpcId!;
    const subnet = this.ec2.subnetFor(vpcId, t.Id!);
    if (subnet) {
      if (t.AvailabilityZone && t.AvailabilityZone !== 'all' && t.AvailabilityZone !== subnet.AvailabilityZone) {
        throw validationError(`The Availability Zone '${t.AvailabilityZone}' does not match the subnet of IP address '${t.Id}'`); // approximated
      }
      return t.AvailabilityZone ?? subnet.AvailabilityZone!;
    }
    if (this.ec2.inVpc(vpcId, t.Id!)) throw elbError(InvalidTargetException, `The IP address '${t.Id}' is not in a subnet of VPC '${vpcId}'`); // approximated
    if (t.AvailabilityZone !== 'all') {
      // The console's wording for the same rule: "Availability Zones for IP address must be all when not within the VPC".
      throw validationError(`The IP address '${t.Id}' is outside the VPC of the target group: its Availability Zone must be 'all'`); // approximated
    }
    return 'all';
  }

  // ---------------------------------------------------------------- attributes

  private describeLoadBalancerAttributes(input: DescribeLoadBalancerAttributesCommandInput): Out<DescribeLoadBalancerAttributesCommandOutput> {
    const state = this.requireLb(input.LoadBalancerArn);
    return { Attributes: Object.entries(state.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  private modifyLoadBalancerAttributes(input: ModifyLoadBalancerAttributesCommandInput): Out<ModifyLoadBalancerAttributesCommandOutput> {
    const state = this.requireLb(input.LoadBalancerArn);
    const changes = validatedAttributes(input.Attributes, LB_ATTRIBUTE_DEFAULTS, 'load balancer');
    Object.assign(state.attributes, changes);
    return { Attributes: Object.entries(state.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  private describeTargetGroupAttributes(input: DescribeTargetGroupAttributesCommandInput): Out<DescribeTargetGroupAttributesCommandOutput> {
    const state = this.requireTg(input.TargetGroupArn);
    return { Attributes: Object.entries(state.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  private modifyTargetGroupAttributes(input: ModifyTargetGroupAttributesCommandInput): Out<ModifyTargetGroupAttributesCommandOutput> {
    const state = this.requireTg(input.TargetGroupArn);
    const changes = validatedAttributes(input.Attributes, TG_ATTRIBUTE_DEFAULTS, 'target group');
    const crossZone = changes['load_balancing.cross_zone.enabled'];
    if (crossZone !== undefined && !['true', 'false', 'use_load_balancer_configuration'].includes(crossZone)) {
      throw validationError(`Attribute 'load_balancing.cross_zone.enabled' must be one of 'true', 'false', 'use_load_balancer_configuration'`); // approximated
    }
    Object.assign(state.attributes, changes);
    return { Attributes: Object.entries(state.attributes).map(([Key, Value]) => ({ Key, Value })) };
  }

  /** Health check settings (ELBv2 ranges: interval 5-300 s, timeout 2-120 s, thresholds 2-10). */
  private modifyTargetGroup(input: ModifyTargetGroupCommandInput): Out<ModifyTargetGroupCommandOutput> {
    const state = this.requireTg(input.TargetGroupArn);
    const range = (name: string, v: number | undefined, min: number, max: number) => {
      if (v !== undefined && (v < min || v > max)) {
        throw validationError(`1 validation error detected: Value '${v}' at '${name}' failed to satisfy constraint: Member must have value ${v < min ? `greater than or equal to ${min}` : `less than or equal to ${max}`}`);
      }
    };
    range('healthCheckIntervalSeconds', input.HealthCheckIntervalSeconds, 5, 300);
    range('healthCheckTimeoutSeconds', input.HealthCheckTimeoutSeconds, 2, 120);
    range('healthyThresholdCount', input.HealthyThresholdCount, 2, 10);
    range('unhealthyThresholdCount', input.UnhealthyThresholdCount, 2, 10);
    const tg = state.tg;
    Object.assign(tg, {
      HealthCheckProtocol: input.HealthCheckProtocol ?? tg.HealthCheckProtocol,
      HealthCheckPort: input.HealthCheckPort ?? tg.HealthCheckPort,
      HealthCheckIntervalSeconds: input.HealthCheckIntervalSeconds ?? tg.HealthCheckIntervalSeconds,
      HealthCheckTimeoutSeconds: input.HealthCheckTimeoutSeconds ?? tg.HealthCheckTimeoutSeconds,
      HealthyThresholdCount: input.HealthyThresholdCount ?? tg.HealthyThresholdCount,
      UnhealthyThresholdCount: input.UnhealthyThresholdCount ?? tg.UnhealthyThresholdCount,
    });
    return { TargetGroups: [this.tgView(state)] };
  }

  // ---------------------------------------------------------------- data path (for the data plane and DNS)

  /** The NLB's nodes: one per enabled Availability Zone. */
  nodeZones(lbArn: string): string[] {
    return (this.requireLb(lbArn).lb.AvailabilityZones ?? []).map((z) => z.ZoneName!);
  }

  securityGroupsOf(lbArn: string): string[] {
    return [...(this.requireLb(lbArn).lb.SecurityGroups ?? [])];
  }

  /** Effective cross-zone load balancing of a target group: its own attribute, or its load balancer's. */
  crossZoneEnabled(tgArn: string, lbArn: string): boolean {
    const own = this.requireTg(tgArn).attributes['load_balancing.cross_zone.enabled'];
    if (own === 'true' || own === 'false') return own === 'true';
    return this.requireLb(lbArn).attributes['load_balancing.cross_zone.enabled'] === 'true';
  }

  /**
   * A new connection to `port` arriving at the node in `zone`: the node forwards to healthy
   * targets it may reach (its own AZ, or every AZ with cross-zone on, or targets registered
   * with AZ `all`); when the group has no healthy target at all it fails open to every
   * registered target past its first checks. A target deregistered less than AWS's stale-routing
   * time ago (about 75 s, aws-timing.ts) still gets its share of new connections, as the NLB's
   * nodes learn of the change late; after that draining targets get none.
   */
  route(lbArn: string, port: number, zone: string): Route {
    const listener = this.listenerOnPort(lbArn, port);
    if (!listener) return { ok: false, reason: 'no listener' };
    const tgArn = listener.listener.DefaultActions!.flatMap(forwardTargets)[0];
    const state = this.requireTg(tgArn);
    this.sweepDrained(state);
    const crossZone = this.crossZoneEnabled(tgArn, lbArn);
    const registered = [...state.targets.values()].filter((t) => t.state === 'registered');
    const withHealth = registered.map((t) => ({ t, health: this.healthOf(state, t).State }));
    const healthy = withHealth.filter((x) => x.health === 'healthy');
    const stale = [...state.targets.values()]
      .filter((t) => t.state === 'draining' && t.healthyWhenDeregistered && this.env.now() - t.deregisteredAt! < this.env.timing.staleRoutingMs)
      .map((t) => ({ t, health: 'draining' as const }));
    const live = healthy.length ? healthy : withHealth.filter((x) => x.health === 'unhealthy');
    const candidates = [...live, ...stale];
    const reachable = candidates.filter(({ t }) => crossZone || t.availabilityZone === zone || t.availabilityZone === 'all');
    if (!reachable.length) return { ok: false, reason: 'no target reachable from this AZ' };
    const key = `${listener.listener.ListenerArn}|${zone}`;
    const n = this.roundRobin.get(key) ?? 0;
    this.roundRobin.set(key, n + 1);
    const { t } = reachable[n % reachable.length];
    return { ok: true, targetGroupArn: tgArn, target: { ip: t.id, port: t.port } };
  }

  /**
   * AZs whose node NLB DNS answers with: those where every target group behind a listener has
   * a healthy target the node may reach; all of them when no AZ qualifies (fail open).
   */
  dnsZones(lbArn: string): string[] {
    const zones = this.nodeZones(lbArn);
    const groups = [...new Set(this.listenersOf(lbArn).flatMap((l) => l.DefaultActions!.flatMap(forwardTargets)))];
    const healthyIn = (zone: string) =>
      groups.every((tgArn) => {
        const state = this.requireTg(tgArn);
        const crossZone = this.crossZoneEnabled(tgArn, lbArn);
        return [...state.targets.values()].some(
          (t) => t.state === 'registered' && (crossZone || t.availabilityZone === zone || t.availabilityZone === 'all') && this.healthOf(state, t).State === 'healthy',
        );
      });
    const healthy = zones.filter(healthyIn);
    return healthy.length ? healthy : zones;
  }

  // ---------------------------------------------------------------- tags

  /** The tag record of any ELBv2 resource, or the resource type's NotFound error. */
  private tagsOf(arn: string): Record<string, string> {
    if (arn.includes(':loadbalancer/')) return this.requireLb(arn).tags;
    if (arn.includes(':listener/')) return this.requireListener(arn).tags;
    if (arn.includes(':targetgroup/')) return this.requireTg(arn).tags;
    throw validationError(`'${arn}' is not a valid load balancer, listener or target group ARN`); // approximated
  }

  private validatedNewTags(current: Record<string, string>, tags: Tag[] | undefined): Record<string, string> {
    const keys = (tags ?? []).map((t) => t.Key!);
    const duplicate = keys.find((k, i) => keys.indexOf(k) !== i);
    if (duplicate !== undefined) throw elbError(DuplicateTagKeysException, `Tag key was specified more than once: ${duplicate}`);
    const merged = { ...current, ...tagRecord(tags) };
    if (Object.keys(merged).length > MAX_TAGS) {
      throw elbError(TooManyTagsException, 'The quota for the number of tags that can be assigned to a load balancer has been reached');
    }
    return merged;
  }

  private describeTags(input: DescribeTagsCommandInput): Out<DescribeTagsCommandOutput> {
    const arns = input.ResourceArns ?? [];
    if (arns.length > 20) {
      throw validationError(`1 validation error detected: Value '[${arns.join(', ')}]' at 'resourceArns' failed to satisfy constraint: Member must have length less than or equal to 20`);
    }
    return { TagDescriptions: arns.map((arn) => ({ ResourceArn: arn, Tags: tagList(this.tagsOf(arn)) })) };
  }

  private addTags(input: AddTagsCommandInput): object {
    const arns = input.ResourceArns ?? [];
    const updated = arns.map((arn) => this.validatedNewTags(this.tagsOf(arn), input.Tags));
    arns.forEach((arn, i) => Object.assign(this.tagsOf(arn), updated[i]));
    return {};
  }

  private removeTags(input: RemoveTagsCommandInput): object {
    for (const arn of input.ResourceArns ?? []) {
      const tags = this.tagsOf(arn);
      for (const key of input.TagKeys ?? []) delete tags[key];
    }
    return {};
  }
}

// ---------------------------------------------------------------- pure helpers

/** Target group ARNs an action forwards to (TargetGroupArn or ForwardConfig). */
function forwardTargets(action: Action): string[] {
  if (action.Type !== 'forward') return [];
  const fromConfig = action.ForwardConfig?.TargetGroups?.map((t) => t.TargetGroupArn!) ?? [];
  return [...new Set([...(action.TargetGroupArn ? [action.TargetGroupArn] : []), ...fromConfig])];
}

/** ELBv2 echoes a forward action with both TargetGroupArn and ForwardConfig filled in. */
function normaliseAction(action: Action): Action {
  if (action.Type !== 'forward') return clone(action);
  const [tgArn] = forwardTargets(action);
  return {
    Type: 'forward',
    TargetGroupArn: tgArn,
    ForwardConfig: {
      TargetGroups: [{ TargetGroupArn: tgArn, Weight: 1 }],
      TargetGroupStickinessConfig: { Enabled: false },
    },
  };
}

function sameListenerSettings(a: Listener, b: Listener): boolean {
  const key = (l: Listener) => JSON.stringify([
    l.Port, l.Protocol, l.SslPolicy, l.Certificates?.map((c) => c.CertificateArn), l.DefaultActions?.flatMap(forwardTargets),
  ]);
  return key(a) === key(b);
}

const TG_SETTINGS: (keyof TargetGroup)[] = [
  'Protocol', 'Port', 'VpcId', 'TargetType', 'HealthCheckProtocol', 'HealthCheckPort', 'HealthCheckEnabled',
  'HealthCheckIntervalSeconds', 'HealthCheckTimeoutSeconds', 'HealthyThresholdCount', 'UnhealthyThresholdCount',
  'HealthCheckPath', 'IpAddressType',
];

function sameTargetGroupSettings(a: TargetGroup, b: TargetGroup): boolean {
  return TG_SETTINGS.every((k) => a[k] === b[k]);
}

function validateTargetGroupName(name: string): void {
  if (name.length > 32) throw validationError(`Target group name '${name}' cannot be longer than '32' characters`);
  if (!/^[A-Za-z0-9-]+$/.test(name)) {
    throw validationError(`Target group name '${name}' can only contain characters that are alphanumeric characters or hyphens(-)`);
  }
  if (name.startsWith('-') || name.endsWith('-')) throw validationError(`Target group name '${name}' cannot begin or end with '-'`);
  if (name.startsWith('internal-')) throw validationError(`Target group name '${name}' cannot begin with 'internal-'`);
  if (name.includes('--')) {
    throw validationError(`1 validation error detected: Value '${name}' at 'targetGroup.targetGroupArn.targetGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: (?!.*--)(?!^-)(?!.*-$)^[A-Za-z0-9-]+$`);
  }
}

function isIpv4(value: string): boolean {
  const parts = value.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

/** Attribute changes with known keys only (ELBv2 answers an unknown key with a ValidationError). */
function validatedAttributes(attributes: { Key?: string; Value?: string }[] | undefined, known: Record<string, string>, what: string): Record<string, string> {
  if (!attributes?.length) throw validationError('At least one attribute must be specified'); // approximated
  const out: Record<string, string> = {};
  for (const { Key, Value } of attributes) {
    if (!Key || !(Key in known)) throw validationError(`'${Key}' is not a valid ${what} attribute`); // approximated
    out[Key] = Value ?? '';
  }
  return out;
}
