// EC2, only as far as the data path needs it: VPCs with their CIDR blocks, subnets in
// Availability Zones (which decide a target's AZ), and security groups with ingress rules
// (which decide whether an NLB with security groups admits a client on a port).
import {
  EC2ServiceException,
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
} from '@aws-sdk/client-ec2';
import { clone, unmodelledError, type Env, type Handlers, type Out } from './common';

export const DEFAULT_VPC_ID = 'vpc-0abc1234def567890';

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
  name: string;
  vpcId?: string;
  ingress: IngressRule[];
}

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

  constructor(private readonly env: Env) {
    // The world's default VPC: one /24 per AZ, as brokerIp() in test/support lays brokers out.
    this.addVpc({
      id: DEFAULT_VPC_ID,
      cidr: '10.0.0.0/16',
      subnets: ['a', 'b', 'c'].map((z, i) => ({ az: `${env.region}${z}`, cidr: `10.0.${i + 1}.0/24` })),
    });
  }

  readonly handlers: Handlers = {
    DescribeVpcsCommand: (i) => this.describeVpcs(i),
    DescribeSubnetsCommand: (i) => this.describeSubnets(i),
    DescribeSecurityGroupsCommand: (i) => this.describeSecurityGroups(i),
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
    const id = `sg-0${this.env.ids.hex(16)}`;
    this.groups.set(id, {
      GroupId: id,
      GroupName: seed.name,
      VpcId: seed.vpcId ?? DEFAULT_VPC_ID,
      OwnerId: this.env.accountId,
      Description: seed.name,
      IpPermissions: seed.ingress.map(toPermission),
      IpPermissionsEgress: [{ IpProtocol: '-1', IpRanges: [{ CidrIp: '0.0.0.0/0' }] }],
    });
    return id;
  }

  /** Replaces a group's ingress rules (a person editing the group). */
  setIngress(groupId: string, ingress: IngressRule[]): void {
    const group = this.groups.get(groupId);
    if (!group) throw new Error(`AwsWorld: no security group ${groupId}`);
    group.IpPermissions = ingress.map(toPermission);
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
      (this.groups.get(id)?.IpPermissions ?? []).some((p) => {
        const ports = p.IpProtocol === '-1' || (p.IpProtocol === 'tcp' && p.FromPort! <= port && port <= p.ToPort!);
        const from = (p.IpRanges ?? []).some((r) => inCidr(source.ip, r.CidrIp!)) ||
          (p.UserIdGroupPairs ?? []).some((g) => source.groupIds?.includes(g.GroupId!));
        return ports && from;
      }),
    );
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
    return { SecurityGroups: clone([...this.groups.values()].filter((g) => !ids.length || ids.includes(g.GroupId!))) };
  }
}

function toPermission(rule: IngressRule): IpPermission {
  return {
    IpProtocol: rule.protocol,
    ...(rule.protocol === 'tcp' ? { FromPort: rule.fromPort, ToPort: rule.toPort } : {}),
    IpRanges: rule.cidr ? [{ CidrIp: rule.cidr, Description: rule.description }] : [],
    UserIdGroupPairs: rule.sourceGroupId ? [{ GroupId: rule.sourceGroupId, Description: rule.description }] : [],
  };
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
