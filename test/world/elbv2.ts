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
  vpcId?: string;
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
  availabilityZone?: string;
  state: 'registered' | 'draining';
  /** DescribeTargetHealth reads seen while registered and in use (initial -> healthy). */
  reads: number;
  /** Set by setTargetHealth to force a state. */
  forced?: TargetHealth;
}

interface TgState {
  tg: TargetGroup;
  tags: Record<string, string>;
  targets: Map<string, WorldTarget>;
}

interface ListenerState {
  listener: Listener;
  tags: Record<string, string>;
}

interface LbState {
  lb: LoadBalancer;
  tags: Record<string, string>;
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

  /** `certificateExists` asks ACM, so listeners cannot use unknown certificates. */
  constructor(private readonly env: Env, private readonly certificateExists: (arn: string) => boolean) {}

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
    this.lbs.set(arn, {
      lb: {
        LoadBalancerArn: arn,
        DNSName: `${seed.name}-${id}.elb.${region}.amazonaws.com`,
        CanonicalHostedZoneId: NLB_HOSTED_ZONES[region] ?? `Z${ids.upper(13)}`,
        CreatedTime: new Date(this.env.now()),
        LoadBalancerName: seed.name,
        Scheme: seed.scheme ?? 'internal',
        VpcId: seed.vpcId ?? 'vpc-0abc1234def567890',
        State: { Code: 'active' },
        Type: type,
        AvailabilityZones: ['a', 'b', 'c'].map((z) => ({ ZoneName: `${region}${z}`, SubnetId: `subnet-0${ids.hex(16)}` })),
        IpAddressType: 'ipv4',
      },
      tags: { ...seed.tags },
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
    return listener.ListenerArn!;
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
    const tags = this.validatedNewTags({}, input.Tags);
    this.listenersByArn.set(candidate.ListenerArn!, { listener: candidate, tags });
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
    return { Listeners: [clone(state.listener)] };
  }

  private deleteListener(input: DeleteListenerCommandInput): object {
    this.requireListener(input.ListenerArn);
    this.listenersByArn.delete(input.ListenerArn!);
    return {};
  }

  // ---------------------------------------------------------------- target groups

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
    const state: TgState = { tg: { TargetGroupArn: arn, ...wanted }, tags, targets: new Map() };
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
    for (const t of targets) {
      const key = targetKey(t.Id!, t.Port!);
      const current = state.targets.get(key);
      if (current?.state === 'registered') continue;
      state.targets.set(key, { id: t.Id!, port: t.Port!, availabilityZone: t.AvailabilityZone, state: 'registered', reads: 0 });
    }
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
      target.state = 'draining';
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
    const inUse = this.loadBalancersOf(state.tg.TargetGroupArn!).length > 0;
    const wanted = input.Targets?.map((t) => ({ ...t, Port: t.Port ?? state.tg.Port! }));
    const keys = wanted ? wanted.map((t) => targetKey(t.Id!, t.Port!)) : [...state.targets.keys()];
    const descriptions = keys.map((key) => this.healthOf(state, key, inUse));
    this.forgetDrained(state, keys);
    return { TargetHealthDescriptions: descriptions };
  }

  /** initial on the first read after registration, healthy later; draining once, then gone. */
  private healthOf(state: TgState, key: string, inUse: boolean): TargetHealthDescription {
    const target = state.targets.get(key);
    const [id, port] = [key.slice(0, key.lastIndexOf(':')), Number(key.slice(key.lastIndexOf(':') + 1))];
    const healthCheckPort = state.tg.HealthCheckPort === 'traffic-port' ? String(port) : state.tg.HealthCheckPort;
    const describe = (health: TargetHealth): TargetHealthDescription => ({
      Target: { Id: id, Port: port, ...(target?.availabilityZone ? { AvailabilityZone: target.availabilityZone } : {}) },
      HealthCheckPort: healthCheckPort,
      TargetHealth: health,
    });
    if (!target) return describe({ State: 'unused', Reason: 'Target.NotRegistered', Description: 'Target is not registered to the target group' });
    if (target.state === 'draining') {
      return describe({ State: 'draining', Reason: 'Target.DeregistrationInProgress', Description: 'Target deregistration is in progress' });
    }
    if (target.forced) return describe(clone(target.forced));
    if (!inUse) {
      return describe({ State: 'unused', Reason: 'Target.NotInUse', Description: 'Target group is not configured to receive traffic from the load balancer' });
    }
    const first = target.reads++ === 0;
    return describe(first
      ? { State: 'initial', Reason: 'Elb.RegistrationInProgress', Description: 'Target registration is in progress' }
      : { State: 'healthy' });
  }

  private forgetDrained(state: TgState, keys: string[]): void {
    for (const key of keys) if (state.targets.get(key)?.state === 'draining') state.targets.delete(key);
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
