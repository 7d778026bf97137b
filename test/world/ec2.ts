// EC2, only as far as the data path needs it: VPCs with their CIDR blocks, subnets in
// Availability Zones (which decide a target's AZ), security groups with ingress rules
// (which decide whether an NLB with security groups admits a client on a port), and PrivateLink:
// endpoint services in front of NLBs and the interface endpoints connected to them.
import {
  EC2ServiceException,
  type AuthorizeSecurityGroupIngressCommandInput,
  type AuthorizeSecurityGroupIngressCommandOutput,
  type DescribeSecurityGroupRulesCommandInput,
  type DescribeSecurityGroupRulesCommandOutput,
  type ModifySecurityGroupRulesCommandInput,
  type ModifySecurityGroupRulesCommandOutput,
  type RevokeSecurityGroupIngressCommandInput,
  type RevokeSecurityGroupIngressCommandOutput,
  type SecurityGroupRule,
  type DescribeSecurityGroupsCommandInput,
  type DescribeSecurityGroupsCommandOutput,
  type DescribeSubnetsCommandInput,
  type DescribeSubnetsCommandOutput,
  type DescribeVpcsCommandInput,
  type DescribeVpcsCommandOutput,
  type IpPermission,
  type SecurityGroup,
  type Subnet,
  type Vpc,
  type DescribeVpcEndpointsCommandInput,
  type DescribeVpcEndpointsCommandOutput,
  type DescribeVpcEndpointServiceConfigurationsCommandInput,
  type DescribeVpcEndpointServiceConfigurationsCommandOutput,
  type ServiceConfiguration,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { clone, page, tagList, tagRecord, unmodelledError, validToken, type Env, type Handlers, type Out } from './common';

export const DEFAULT_VPC_ID = 'vpc-0abc1234def567890';
/**
 * The security group MSK brokers carry unless a cluster names its own: it admits the client ports
 * (9092 through 9198) from the whole VPC, so the NLB's nodes (addresses in its subnets) reach them.
 */
export const DEFAULT_BROKER_GROUP_ID = 'sg-0abc1234def567890';

export interface SubnetSeed {
  az: string;
  cidr: string;
}

export interface IngressRule {
  protocol: 'tcp' | '-1';
  fromPort?: number;
  toPort?: number;
  /** Source: a CIDR, or clients carrying another security group. */
  cidr?: string;
  sourceGroupId?: string;
  description?: string;
}

export interface SecurityGroupSeed {
  /** Default: a generated sg-… id. */
  id?: string;
  name: string;
  vpcId?: string;
  ingress: IngressRule[];
}

export interface VpcEndpointSeed {
  /** The endpoint service (vpce-svc-…) it connects to. */
  serviceId: string;
  /** API spelling: available, pendingAcceptance, rejected … (default available). */
  state?: string;
  /** An endpoint of another account is invisible to DescribeVpcEndpoints here, but its names resolve. */
  ownerId?: string;
}

/**
 * Hosted zone id of the regional vpce DNS names, as alias records name it (modelled: AWS has one
 * per region, e.g. Z7HUB22UULQXV in us-east-1; this one is the world's own).
 */
const endpointZoneId = (region: string) => `ZVPCE${region.replace(/-/g, '').toUpperCase()}`;

interface VpcState {
  vpc: Vpc;
  subnets: Subnet[];
}

function ec2Error(code: string, message: string): Error {
  return unmodelledError(EC2ServiceException, 'query', code, message);
}

export class Ec2Model {
  private readonly vpcs = new Map<string, VpcState>();
  private readonly groups = new Map<string, SecurityGroup>();
  /** Ingress rules by rule id: the truth behind each group's IpPermissions. */
  private readonly rules = new Map<string, SecurityGroupRule>();
  private readonly endpointServices = new Map<string, ServiceConfiguration>();
  private readonly endpoints = new Map<string, VpcEndpoint>();

  constructor(private readonly env: Env) {
    // The world's default VPC: one /24 per AZ, as brokerIp() in test/support lays brokers out.
    this.addVpc({
      id: DEFAULT_VPC_ID,
      cidr: '10.0.0.0/16',
      subnets: ['a', 'b', 'c'].map((z, i) => ({ az: `${env.region}${z}`, cidr: `10.0.${i + 1}.0/24` })),
    });
    this.addSecurityGroup({ id: DEFAULT_BROKER_GROUP_ID, name: 'msk-brokers', ingress: [{ protocol: 'tcp', fromPort: 9092, toPort: 9198, cidr: '10.0.0.0/16' }] });
  }

  readonly handlers: Handlers = {
    DescribeVpcsCommand: (i) => this.describeVpcs(i),
    DescribeSubnetsCommand: (i) => this.describeSubnets(i),
    DescribeSecurityGroupsCommand: (i) => this.describeSecurityGroups(i),
    DescribeSecurityGroupRulesCommand: (i) => this.describeSecurityGroupRules(i),
    AuthorizeSecurityGroupIngressCommand: (i) => this.authorizeIngress(i),
    ModifySecurityGroupRulesCommand: (i) => this.modifyRules(i),
    RevokeSecurityGroupIngressCommand: (i) => this.revokeIngress(i),
    DescribeVpcEndpointsCommand: (i) => this.describeVpcEndpoints(i),
    DescribeVpcEndpointServiceConfigurationsCommand: (i) => this.describeEndpointServices(i),
  };

  throttle(): Error {
    return ec2Error('RequestLimitExceeded', 'Request limit exceeded.');
  }

  // ---------------------------------------------------------------- seeding / inspection

  addVpc(seed: { id?: string; cidr: string; subnets: SubnetSeed[] }): string {
    const id = seed.id ?? `vpc-0${this.env.ids.hex(16)}`;
    const subnets = seed.subnets.map((s) => ({
      SubnetId: `subnet-0${this.env.ids.hex(16)}`,
      VpcId: id,
      AvailabilityZone: s.az,
      CidrBlock: s.cidr,
      State: 'available' as const,
    }));
    this.vpcs.set(id, {
      vpc: { VpcId: id, CidrBlock: seed.cidr, CidrBlockAssociationSet: [{ CidrBlock: seed.cidr, CidrBlockState: { State: 'associated' } }], State: 'available' },
      subnets,
    });
    return id;
  }

  addSecurityGroup(seed: SecurityGroupSeed): string {
    const id = seed.id ?? `sg-0${this.env.ids.hex(16)}`;
    this.groups.set(id, {
      GroupId: id,
      GroupName: seed.name,
      VpcId: seed.vpcId ?? DEFAULT_VPC_ID,
      OwnerId: this.env.accountId,
      Description: seed.name,
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    for (const rule of seed.ingress) this.addRule(id, rule, {});
    return id;
  }

  /** Replaces a group's ingress rules (a person editing the group). */
  setIngress(groupId: string, ingress: IngressRule[]): void {
    if (!this.groups.has(groupId)) throw new Error(`AwsWorld: no security group ${groupId}`);
    for (const [id, rule] of this.rules) if (rule.GroupId === groupId) this.rules.delete(id);
    for (const rule of ingress) this.addRule(groupId, rule, {});
  }

  /** Ingress rules of a group, as DescribeSecurityGroupRules lists them. */
  ingressRules(groupId: string): SecurityGroupRule[] {
    return clone([...this.rules.values()].filter((r) => r.GroupId === groupId));
  }

  private addRule(groupId: string, rule: IngressRule, tags: Record<string, string>): SecurityGroupRule {
    const stored: SecurityGroupRule = {
      SecurityGroupRuleId: `sgr-0${this.env.ids.hex(16)}`,
      GroupId: groupId,
      GroupOwnerId: this.env.accountId,
      IsEgress: false,
      IpProtocol: rule.protocol,
      FromPort: rule.protocol === 'tcp' ? rule.fromPort : -1,
      ToPort: rule.protocol === 'tcp' ? rule.toPort : -1,
      ...(rule.cidr ? { CidrIpv4: rule.cidr } : {}),
      ...(rule.sourceGroupId ? { ReferencedGroupInfo: { GroupId: rule.sourceGroupId, UserId: this.env.accountId } } : {}),
      ...(rule.description ? { Description: rule.description } : {}),
      Tags: tagList(tags),
    };
    this.rules.set(stored.SecurityGroupRuleId!, stored);
    return stored;
  }

  /** A PrivateLink endpoint service of the world's account in front of these NLBs. */
  addEndpointService(seed: { loadBalancerArns: string[] }): { serviceId: string; serviceName: string } {
    const serviceId = `vpce-svc-0${this.env.ids.hex(16)}`;
    const serviceName = `com.amazonaws.vpce.${this.env.region}.${serviceId}`;
    this.endpointServices.set(serviceId, {
      ServiceId: serviceId, ServiceName: serviceName, ServiceState: 'Available', ServiceType: [{ ServiceType: 'Interface' }], AcceptanceRequired: true,
      NetworkLoadBalancerArns: [...seed.loadBalancerArns], AvailabilityZones: this.subnets().map((s) => s.AvailabilityZone!),
      BaseEndpointDnsNames: [`${serviceId}.${this.env.region}.vpce.amazonaws.com`],
    });
    return { serviceId, serviceName };
  }

  /** An interface endpoint connected to an endpoint service: a regional DNS name and one per AZ. */
  addVpcEndpoint(seed: VpcEndpointSeed): { id: string; dnsName: string; hostedZoneId: string } {
    const service = this.endpointServices.get(seed.serviceId);
    if (!service) throw new Error(`AwsWorld: no endpoint service ${seed.serviceId}`);
    const id = `vpce-0${this.env.ids.hex(16)}`;
    const base = `${seed.serviceId}.${this.env.region}.vpce.amazonaws.com`;
    const suffix = this.env.ids.hex(8);
    const hostedZoneId = endpointZoneId(this.env.region);
    const zones = service.AvailabilityZones ?? [];
    this.endpoints.set(id, {
      VpcEndpointId: id, VpcEndpointType: 'Interface', VpcId: DEFAULT_VPC_ID, ServiceName: service.ServiceName, State: (seed.state ?? 'available') as never,
      OwnerId: seed.ownerId ?? this.env.accountId,
      DnsEntries: [`${id}-${suffix}.${base}`, ...zones.map((z) => `${id}-${suffix}-${z}.${base}`)].map((DnsName) => ({ DnsName, HostedZoneId: hostedZoneId })),
    });
    return { id, dnsName: `${id}-${suffix}.${base}`, hostedZoneId };
  }

  setVpcEndpointState(id: string, state: string): void {
    const endpoint = this.endpoints.get(id);
    if (!endpoint) throw new Error(`AwsWorld: no VPC endpoint ${id}`);
    endpoint.State = state as never;
  }

  /** The NLBs behind an available endpoint answering to `dnsName` (client traffic through PrivateLink). */
  loadBalancersBehind(dnsName: string): string[] {
    const endpoint = this.endpointByDnsName(dnsName);
    if (!endpoint || String(endpoint.State) !== 'available') return [];
    const service = [...this.endpointServices.values()].find((s) => s.ServiceName === endpoint.ServiceName);
    return service?.NetworkLoadBalancerArns ?? [];
  }

  /** Route 53 alias target of an endpoint DNS name, if it is one. */
  endpointAliasTarget(dnsName: string): { CanonicalHostedZoneId?: string } | undefined {
    const entry = this.endpointByDnsName(dnsName)?.DnsEntries?.find((e) => sameName(e.DnsName!, dnsName));
    return entry && { CanonicalHostedZoneId: entry.HostedZoneId };
  }

  isEndpointZone(zoneId: string): boolean {
    return zoneId === endpointZoneId(this.env.region);
  }

  private endpointByDnsName(dnsName: string): VpcEndpoint | undefined {
    return [...this.endpoints.values()].find((e) => (e.DnsEntries ?? []).some((d) => sameName(d.DnsName!, dnsName)));
  }

  private permissionsOf(groupId: string): IpPermission[] {
    return [...this.rules.values()].filter((r) => r.GroupId === groupId).map((r) => ({
      IpProtocol: r.IpProtocol,
      ...(r.IpProtocol === 'tcp' ? { FromPort: r.FromPort, ToPort: r.ToPort } : {}),
      IpRanges: r.CidrIpv4 ? [{ CidrIp: r.CidrIpv4, Description: r.Description }] : [],
      UserIdGroupPairs: r.ReferencedGroupInfo ? [{ GroupId: r.ReferencedGroupInfo.GroupId, Description: r.Description }] : [],
    }));
  }

  subnets(vpcId = DEFAULT_VPC_ID): Subnet[] {
    return clone(this.requireVpc(vpcId).subnets);
  }

  /** The subnet of `vpcId` that holds `ip`, if any. */
  subnetFor(vpcId: string, ip: string): Subnet | undefined {
    return this.vpcs.get(vpcId)?.subnets.find((s) => inCidr(ip, s.CidrBlock!));
  }

  inVpc(vpcId: string, ip: string): boolean {
    return (this.vpcs.get(vpcId)?.vpc.CidrBlockAssociationSet ?? []).some((a) => inCidr(ip, a.CidrBlock!));
  }

  /** Whether any of the groups admits TCP from `source` (an IP, or a group the client carries) to `port`. */
  admits(groupIds: string[], source: { ip: string; groupIds?: string[] }, port: number): boolean {
    return groupIds.some((id) =>
      this.permissionsOf(id).some((p) => {
        const ports = p.IpProtocol === '-1' || (p.IpProtocol === 'tcp' && p.FromPort! <= port && port <= p.ToPort!);
        const from = (p.IpRanges ?? []).some((r) => inCidr(source.ip, r.CidrIp!)) ||
          (p.UserIdGroupPairs ?? []).some((g) => source.groupIds?.includes(g.GroupId!));
        return ports && from;
      }),
    );
  }

  private describeVpcEndpoints(input: DescribeVpcEndpointsCommandInput): Out<DescribeVpcEndpointsCommandOutput> {
    const own = [...this.endpoints.values()].filter((e) => e.OwnerId === this.env.accountId);
    for (const id of input.VpcEndpointIds ?? []) {
      // Modelled on EC2's InvalidXxxID.NotFound errors (exact wording unverified).
      if (!own.some((e) => e.VpcEndpointId === id)) throw ec2Error('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`);
    }
    const wanted = input.VpcEndpointIds?.length ? own.filter((e) => input.VpcEndpointIds!.includes(e.VpcEndpointId!)) : own;
    return { VpcEndpoints: clone(wanted) };
  }

  private describeEndpointServices(input: DescribeVpcEndpointServiceConfigurationsCommandInput): Out<DescribeVpcEndpointServiceConfigurationsCommandOutput> {
    const names = input.Filters?.find((f) => f.Name === 'service-name')?.Values;
    const ids = input.ServiceIds?.length ? input.ServiceIds : input.Filters?.find((f) => f.Name === 'service-id')?.Values;
    const services = [...this.endpointServices.values()].filter((s) => (!names || names.includes(s.ServiceName!)) && (!ids || ids.includes(s.ServiceId!)));
    return { ServiceConfigurations: clone(services) };
  }

  private requireVpc(id: string): VpcState {
    const state = this.vpcs.get(id);
    if (!state) throw new Error(`AwsWorld: no VPC ${id}`);
    return state;
  }

  // ---------------------------------------------------------------- API

  private describeVpcs(input: DescribeVpcsCommandInput): Out<DescribeVpcsCommandOutput> {
    const ids = input.VpcIds ?? [];
    const missing = ids.find((id) => !this.vpcs.has(id));
    if (missing) throw ec2Error('InvalidVpcID.NotFound', `The vpc ID '${missing}' does not exist`);
    const vpcs = [...this.vpcs.values()].filter((s) => !ids.length || ids.includes(s.vpc.VpcId!)).map((s) => s.vpc);
    return { Vpcs: clone(vpcs) };
  }

  private describeSubnets(input: DescribeSubnetsCommandInput): Out<DescribeSubnetsCommandOutput> {
    const all = [...this.vpcs.values()].flatMap((s) => s.subnets);
    const ids = input.SubnetIds ?? [];
    const missing = ids.find((id) => !all.some((s) => s.SubnetId === id));
    if (missing) throw ec2Error('InvalidSubnetID.NotFound', `The subnet ID '${missing}' does not exist`);
    return { Subnets: clone(all.filter((s) => !ids.length || ids.includes(s.SubnetId!))) };
  }

  private describeSecurityGroups(input: DescribeSecurityGroupsCommandInput): Out<DescribeSecurityGroupsCommandOutput> {
    const ids = input.GroupIds ?? [];
    const missing = ids.find((id) => !this.groups.has(id));
    if (missing) throw ec2Error('InvalidGroup.NotFound', `The security group '${missing}' does not exist`);
    const groups = [...this.groups.values()].filter((g) => !ids.length || ids.includes(g.GroupId!));
    return { SecurityGroups: clone(groups.map((g) => ({ ...g, IpPermissions: this.permissionsOf(g.GroupId!) }))) };
  }

  private describeSecurityGroupRules(input: DescribeSecurityGroupRulesCommandInput): Out<DescribeSecurityGroupRulesCommandOutput> {
    if (!validToken(input.NextToken)) throw ec2Error('InvalidParameterValue', `Invalid value '${input.NextToken}' for NextToken`); // approximated
    let rules = [...this.rules.values()];
    for (const filter of input.Filters ?? []) {
      if (filter.Name === 'group-id') rules = rules.filter((r) => filter.Values?.includes(r.GroupId!));
      else if (filter.Name?.startsWith('tag:')) {
        const key = filter.Name.slice(4);
        rules = rules.filter((r) => filter.Values?.includes(tagRecord(r.Tags)[key] ?? '\u0000'));
      } else throw ec2Error('InvalidParameterValue', `The filter '${filter.Name}' is invalid`); // approximated
    }
    const { items, next } = page(rules, input.NextToken, input.MaxResults ?? 1000);
    return { SecurityGroupRules: clone(items), NextToken: next };
  }

  private authorizeIngress(input: AuthorizeSecurityGroupIngressCommandInput): Out<AuthorizeSecurityGroupIngressCommandOutput> {
    const groupId = input.GroupId!;
    if (!this.groups.has(groupId)) throw ec2Error('InvalidGroup.NotFound', `The security group '${groupId}' does not exist`);
    const tags = tagRecord((input.TagSpecifications ?? []).filter((t) => t.ResourceType === 'security-group-rule').flatMap((t) => t.Tags ?? []));
    const wanted: IngressRule[] = (input.IpPermissions ?? []).flatMap((p): IngressRule[] => [
      ...(p.IpRanges ?? []).map((r) => ({ protocol: p.IpProtocol as 'tcp', fromPort: p.FromPort, toPort: p.ToPort, cidr: r.CidrIp, description: r.Description })),
      ...(p.UserIdGroupPairs ?? []).map((g) => ({ protocol: p.IpProtocol as 'tcp', fromPort: p.FromPort, toPort: p.ToPort, sourceGroupId: g.GroupId, description: g.Description })),
    ]);
    for (const rule of wanted) {
      const same = [...this.rules.values()].find((r) => r.GroupId === groupId && r.IpProtocol === rule.protocol && r.FromPort === rule.fromPort && r.ToPort === rule.toPort &&
        (r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId) === (rule.cidr ?? rule.sourceGroupId));
      if (same) {
        throw ec2Error('InvalidPermission.Duplicate', `the specified rule "peer: ${rule.cidr ?? rule.sourceGroupId}, TCP, from port: ${rule.fromPort}, to port: ${rule.toPort}, ALLOW" already exists`);
      }
    }
    return { Return: true, SecurityGroupRules: clone(wanted.map((rule) => this.addRule(groupId, rule, tags))) };
  }

  private revokeIngress(input: RevokeSecurityGroupIngressCommandInput): Out<RevokeSecurityGroupIngressCommandOutput> {
    const ids = input.SecurityGroupRuleIds ?? [];
    const unknown = ids.filter((id) => this.rules.get(id)?.GroupId !== input.GroupId);
    // Validated before anything changes: one unknown id refuses the whole call (so a retry of a
    // revoke that went through is refused too).
    if (unknown.length) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${unknown[0]}' does not exist`);
    for (const id of ids) this.rules.delete(id);
    return { Return: true };
  }

  private modifyRules(input: ModifySecurityGroupRulesCommandInput): Out<ModifySecurityGroupRulesCommandOutput> {
    for (const { SecurityGroupRuleId: id, SecurityGroupRule: change } of input.SecurityGroupRules ?? []) {
      const rule = id ? this.rules.get(id) : undefined;
      if (!rule || rule.GroupId !== input.GroupId) throw ec2Error('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${id}' does not exist`);
      Object.assign(rule, {
        IpProtocol: change?.IpProtocol ?? rule.IpProtocol,
        FromPort: change?.FromPort ?? rule.FromPort,
        ToPort: change?.ToPort ?? rule.ToPort,
        CidrIpv4: change?.CidrIpv4,
        ReferencedGroupInfo: change?.ReferencedGroupId ? { GroupId: change.ReferencedGroupId, UserId: this.env.accountId } : undefined,
        Description: change?.Description,
      });
      if (!rule.CidrIpv4) delete rule.CidrIpv4;
      if (!rule.ReferencedGroupInfo) delete rule.ReferencedGroupInfo;
    }
    return { Return: true };
  }
}

export function ipToNumber(ip: string): number {
  return ip.split('.').reduce((n, part) => n * 256 + Number(part), 0);
}

export function inCidr(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipToNumber(base) / size) * size;
  const n = ipToNumber(ip);
  return n >= start && n < start + size;
}

const sameName = (a: string, b: string) => a.toLowerCase().replace(/\.$/, '') === b.toLowerCase().replace(/\.$/, '');
