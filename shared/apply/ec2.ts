import {
  AuthorizeSecurityGroupIngressCommand,
  ModifySecurityGroupRulesCommand,
  RevokeSecurityGroupIngressCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { Action } from '../plan/types';
import { writeOrConfirm } from './confirm';
import { ingressRuleInPlace, ingressRulesGone } from './confirm-ec2';
import { describeAction } from './describe';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

const DESCRIPTION = 'msk-custom-domain-sync: Kafka clients to the bootstrap and broker listeners';

const peer = (source: string) => (source.startsWith('sg-') ? { ReferencedGroupId: source } : { CidrIpv4: source });

export async function authorizeIngress(ec2: EC2Client, action: Of<'authorize-ingress'>) {
  const range = { IpProtocol: 'tcp', FromPort: action.fromPort, ToPort: action.toPort };
  const authorize = () => ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: action.groupId,
      IpPermissions: [
        action.source.startsWith('sg-')
          ? { ...range, UserIdGroupPairs: [{ GroupId: action.source, Description: DESCRIPTION }] }
          : { ...range, IpRanges: [{ CidrIp: action.source, Description: DESCRIPTION }] },
      ],
      // The tags are how later runs know the rule is the tool's.
      TagSpecifications: [{ ResourceType: 'security-group-rule', Tags: Object.entries(action.tags).map(([Key, Value]) => ({ Key, Value })) }],
    }),
  );
  await writeOrConfirm(describeAction(action), authorize, ['InvalidPermission.Duplicate'], () => ingressRuleInPlace(ec2, action));
}

/** In place: the rule keeps its id and tags while its ports follow the listeners. */
export async function modifyIngress(ec2: EC2Client, action: Of<'modify-ingress'>) {
  await ec2.send(
    new ModifySecurityGroupRulesCommand({
      GroupId: action.groupId,
      SecurityGroupRules: [
        {
          SecurityGroupRuleId: action.ruleId,
          SecurityGroupRule: { IpProtocol: 'tcp', FromPort: action.fromPort, ToPort: action.toPort, Description: DESCRIPTION, ...peer(action.source) },
        },
      ],
    }),
  );
}

export async function revokeIngress(ec2: EC2Client, action: Of<'revoke-ingress'>) {
  await writeOrConfirm(
    describeAction(action),
    () => ec2.send(new RevokeSecurityGroupIngressCommand({ GroupId: action.groupId, SecurityGroupRuleIds: action.ruleIds })),
    ['InvalidSecurityGroupRuleId.NotFound'],
    () => ingressRulesGone(ec2, action.groupId, action.ruleIds),
  );
}
