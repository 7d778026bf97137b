import { DescribeSecurityGroupsCommand, DescribeVpcsCommand, type EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import type { IngressPermission, ObservedSecurityGroup, ObservedVpc } from '../types';

/** The VPC's CIDR blocks (primary and secondary): they decide which targets need AvailabilityZone `all`. */
export async function observeVpc(ec2: EC2Client, vpcId: string): Promise<ObservedVpc> {
  const out = await ec2.send(new DescribeVpcsCommand({ VpcIds: [vpcId] }));
  const vpc = out.Vpcs?.[0];
  if (!vpc) throw new Error(`VPC ${vpcId} of the load balancer not found`);
  const cidrs = (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => !a.CidrBlockState?.State || a.CidrBlockState.State === 'associated')
    .map((a) => a.CidrBlock!)
    .filter(Boolean);
  return { id: vpcId, cidrs: cidrs.length ? cidrs : vpc.CidrBlock ? [vpc.CidrBlock] : [] };
}

/** Ingress rules of the load balancer's security groups; no call when it has none. */
export async function observeSecurityGroups(ec2: EC2Client, groupIds: string[]): Promise<ObservedSecurityGroup[]> {
  if (!groupIds.length) return [];
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
  return (out.SecurityGroups ?? []).map((g) => ({ id: g.GroupId!, ingress: (g.IpPermissions ?? []).map(toIngress) }));
}

function toIngress(p: IpPermission): IngressPermission {
  return {
    protocol: p.IpProtocol ?? '',
    fromPort: p.FromPort,
    toPort: p.ToPort,
    sources: [
      ...(p.IpRanges ?? []).map((r) => r.CidrIp!),
      ...(p.Ipv6Ranges ?? []).map((r) => r.CidrIpv6!),
      ...(p.UserIdGroupPairs ?? []).map((g) => g.GroupId!),
      ...(p.PrefixListIds ?? []).map((l) => l.PrefixListId!),
    ].filter(Boolean),
  };
}
