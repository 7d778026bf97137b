// EC2: the tool's ingress rule, confirmed by reading the security group's rules.
import { DescribeSecurityGroupRulesCommand, type EC2Client, type SecurityGroupRule } from '@aws-sdk/client-ec2';

/** InvalidPermission.Duplicate: the identical rule exists and carries our tags (someone else's twin does not count). */
export async function ingressRuleInPlace(
  ec2: EC2Client,
  want: { groupId: string; fromPort: number; toPort: number; source: string; tags: Record<string, string> },
): Promise<boolean> {
  const rules = await rulesOf(ec2, want.groupId);
  return rules.some((r) => {
    const tags = new Map((r.Tags ?? []).map((t) => [t.Key, t.Value]));
    return !r.IsEgress && r.IpProtocol === 'tcp' && r.FromPort === want.fromPort && r.ToPort === want.toPort &&
      (r.CidrIpv4 ?? r.ReferencedGroupInfo?.GroupId) === want.source && Object.entries(want.tags).every(([k, v]) => tags.get(k) === v);
  });
}

/** InvalidSecurityGroupRuleId.NotFound: none of the rules is left. */
export async function ingressRulesGone(ec2: EC2Client, groupId: string, ruleIds: string[]): Promise<boolean> {
  const left = new Set((await rulesOf(ec2, groupId)).map((r) => r.SecurityGroupRuleId));
  return ruleIds.every((id) => !left.has(id));
}

async function rulesOf(ec2: EC2Client, groupId: string): Promise<SecurityGroupRule[]> {
  const rules: SecurityGroupRule[] = [];
  let token: string | undefined;
  do {
    const out = await ec2.send(new DescribeSecurityGroupRulesCommand({ Filters: [{ Name: 'group-id', Values: [groupId] }], NextToken: token }));
    rules.push(...(out.SecurityGroupRules ?? []));
    token = out.NextToken;
  } while (token);
  return rules;
}
