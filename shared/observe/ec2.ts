import { paginateDescribeSecurityGroupRules, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcsCommand, type EC2Client, type IpPermission } from '@aws-sdk/client-ec2';
import { MANAGED_BY, TAG_CLUSTER, TAG_MANAGED_BY } from '../naming';
import type { IngressPermission, ObservedIngressRule, ObservedSecurityGroup, ObservedSubnet, ObservedVpc } from '../types';

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

/** Subnets by id, with their AZ and CIDR, in one call; none for no ids. */
export async function observeSubnets(ec2: EC2Client, subnetIds: string[]): Promise<ObservedSubnet[]> {
  const ids = [...new Set(subnetIds)];
  if (!ids.length) return [];
  const out = await ec2.send(new DescribeSubnetsCommand({ SubnetIds: ids }));
  return (out.Subnets ?? []).map((s) => ({ id: s.SubnetId!, zone: s.AvailabilityZone ?? '', cidr: s.CidrBlock ?? '' }));
}

/** Ingress rules of the load balancer's security groups; no call when it has none. */
export async function observeSecurityGroups(ec2: EC2Client, groupIds: string[]): Promise<ObservedSecurityGroup[]> {
  if (!groupIds.length) return [];
  const out = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: groupIds }));
  return (out.SecurityGroups ?? []).map((g) => ({ id: g.GroupId!, ingress: (g.IpPermissions ?? []).map(toIngress) }));
}

/** The ingress rules of one group; the tool's own for this cluster are those with its tags. */
export async function observeIngressRules(ec2: EC2Client, groupId: string, clusterArn: string): Promise<ObservedIngressRule[]> {
  const rules = [];
  for await (const page of paginateDescribeSecurityGroupRules({ client: ec2 }, { Filters: [{ Name: 'group-id', Values: [groupId] }] })) {
    rules.push(...(page.SecurityGroupRules ?? []));
  }
  return rules
    .filter((r) => !r.IsEgress)
    .map((r) => {
      const tags = Object.fromEntries((r.Tags ?? []).map((t) => [t.Key, t.Value]));
      return {
        id: r.SecurityGroupRuleId!,
        groupId: r.GroupId!,
        protocol: r.IpProtocol ?? '',
        fromPort: r.FromPort ?? -1,
        toPort: r.ToPort ?? -1,
        source: r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId ?? r.CidrIpv6 ?? r.PrefixListId ?? '',
        owned: tags[TAG_MANAGED_BY] === MANAGED_BY && tags[TAG_CLUSTER] === clusterArn,
        tags,
      };
    });
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
