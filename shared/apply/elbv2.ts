import {
  AddTagsCommand,
  CreateListenerCommand,
  CreateTargetGroupCommand,
  DeleteListenerCommand,
  DeleteTargetGroupCommand,
  DeregisterTargetsCommand,
  ModifyListenerCommand,
  ModifyTargetGroupAttributesCommand,
  ModifyTargetGroupCommand,
  RegisterTargetsCommand,
  type ElasticLoadBalancingV2Client,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Action, TargetGroupRef } from '../plan/types';
import type { HealthCheck } from '../types';
import { writeOrConfirm } from './confirm';
import { listenerGone, listenerInPlace, targetGroupGone, targetGroupInPlace, targetsGone } from './confirm-elbv2';
import { describeAction } from './describe';
import { TAG_RETIRED_AT } from '../naming';
import { resolveCertificate, type CreatedCertificates } from './acm';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** ARNs of target groups created earlier in this apply, by name. */
export type CreatedGroups = Map<string, string>;

function tagList(tags: Record<string, string>) {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function resolveGroup(ref: TargetGroupRef, created: CreatedGroups): string {
  const arn = ref.arn ?? created.get(ref.name);
  if (!arn) throw new Error(`target group ${ref.name} was neither found nor created`);
  return arn;
}

/** Health checks use TCP on the traffic port: a TLS listener's targets speak TLS, not HTTP. */
export async function createTargetGroup(elbv2: ElasticLoadBalancingV2Client, action: Of<'create-target-group'>, created: CreatedGroups) {
  // Same name and settings returns the existing group (AWS idempotency), so a group left
  // behind by an interrupted run is adopted rather than duplicated.
  let arn: string | undefined;
  await writeOrConfirm(
    describeAction(action),
    async () => {
      const out = await elbv2.send(
        new CreateTargetGroupCommand({
          Name: action.name,
          Protocol: 'TLS',
          Port: action.port,
          VpcId: action.vpcId,
          TargetType: 'ip',
          ...healthCheckInput(action.healthCheck),
          Tags: tagList(action.tags),
        }),
      );
      arn = out.TargetGroups![0].TargetGroupArn!;
    },
    // Where the repeat is refused instead (some emulators): ours by name, settings and tags.
    ['DuplicateTargetGroupName'],
    async () => !!(arn = await targetGroupInPlace(elbv2, action)),
  );
  created.set(action.name, arn!);
}

/** The attributes of a group created in this apply (a call of its own: CreateTargetGroup takes none). */
export async function setNewTargetGroupAttributes(elbv2: ElasticLoadBalancingV2Client, action: Of<'create-target-group'>, created: CreatedGroups) {
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: resolveGroup({ name: action.name }, created),
      Attributes: Object.entries(action.attributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

/** Returns the new listener's ARN (for the resulting table). */
export async function createListener(elbv2: ElasticLoadBalancingV2Client, action: Of<'create-listener'>, created: CreatedGroups, certificates: CreatedCertificates): Promise<string> {
  const targetGroupArn = resolveGroup(action.targetGroup, created);
  const certificateArn = resolveCertificate(action.certificate, certificates);
  let arn: string | undefined;
  await writeOrConfirm(
    describeAction(action),
    async () => {
      const out = await elbv2.send(
        new CreateListenerCommand({
          LoadBalancerArn: action.loadBalancerArn,
          Port: action.port,
          Protocol: 'TLS',
          SslPolicy: action.sslPolicy,
          Certificates: [{ CertificateArn: certificateArn }],
          DefaultActions: [{ Type: 'forward', TargetGroupArn: targetGroupArn }],
          Tags: tagList(action.tags),
        }),
      );
      arn = out.Listeners![0].ListenerArn!;
    },
    // A listener on the port that is not ours, or differs, keeps the refusal.
    ['DuplicateListener'],
    async () => !!(arn = await listenerInPlace(elbv2, action.loadBalancerArn, { ...action, certificateArn, targetGroupArn })),
  );
  return arn!;
}

export async function modifyListener(elbv2: ElasticLoadBalancingV2Client, action: Of<'modify-listener'>, created: CreatedGroups, certificates: CreatedCertificates) {
  await elbv2.send(
    new ModifyListenerCommand({
      ListenerArn: action.listenerArn,
      Port: action.port,
      Protocol: 'TLS',
      SslPolicy: action.sslPolicy,
      Certificates: [{ CertificateArn: resolveCertificate(action.certificate, certificates) }],
      DefaultActions: [{ Type: 'forward', TargetGroupArn: resolveGroup(action.targetGroup, created) }],
    }),
  );
}

export async function registerTargets(elbv2: ElasticLoadBalancingV2Client, action: Of<'register-targets'>, created: CreatedGroups) {
  await elbv2.send(
    new RegisterTargetsCommand({
      TargetGroupArn: resolveGroup(action.targetGroup, created),
      Targets: action.ips.map((Id) => ({ Id, Port: action.port, ...(action.outsideVpc.includes(Id) ? { AvailabilityZone: 'all' } : {}) })),
    }),
  );
}

/** The health check as CreateTargetGroup and ModifyTargetGroup take it. */
function healthCheckInput(h: HealthCheck) {
  return {
    HealthCheckProtocol: h.protocol as 'TCP',
    HealthCheckIntervalSeconds: h.intervalSeconds,
    HealthCheckTimeoutSeconds: h.timeoutSeconds,
    HealthyThresholdCount: h.healthyThreshold,
    UnhealthyThresholdCount: h.unhealthyThreshold,
  };
}

export async function setTargetGroupHealth(elbv2: ElasticLoadBalancingV2Client, action: Of<'set-target-group-health'>, created: CreatedGroups) {
  await elbv2.send(new ModifyTargetGroupCommand({ TargetGroupArn: resolveGroup(action.targetGroup, created), ...healthCheckInput(action.healthCheck) }));
}

export async function setTargetGroupAttributes(elbv2: ElasticLoadBalancingV2Client, action: Of<'set-target-group-attributes'>, created: CreatedGroups) {
  await elbv2.send(
    new ModifyTargetGroupAttributesCommand({
      TargetGroupArn: resolveGroup(action.targetGroup, created),
      Attributes: Object.entries(action.attributes).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
}

export async function deregisterTargets(elbv2: ElasticLoadBalancingV2Client, action: Of<'deregister-targets'>) {
  await writeOrConfirm(
    describeAction(action),
    () => elbv2.send(new DeregisterTargetsCommand({ TargetGroupArn: action.targetGroupArn, Targets: action.targets.map((t) => ({ Id: t.ip, Port: t.port })) })),
    ['InvalidTarget'],
    () => targetsGone(elbv2, action.targetGroupArn, action.targets),
  );
}

/** The time a move's old listener stopped being named (plan/moves.ts). AddTags overwrites a key already there: a retry is harmless. */
export async function retireListener(elbv2: ElasticLoadBalancingV2Client, action: Of<'retire-listener'>) {
  await elbv2.send(new AddTagsCommand({ ResourceArns: [action.listenerArn], Tags: [{ Key: TAG_RETIRED_AT, Value: action.retiredAt }] }));
}

export async function deleteListener(elbv2: ElasticLoadBalancingV2Client, action: Of<'delete-listener'>) {
  await writeOrConfirm(
    describeAction(action),
    () => elbv2.send(new DeleteListenerCommand({ ListenerArn: action.listenerArn })),
    ['ListenerNotFound'],
    () => listenerGone(elbv2, action.listenerArn),
  );
}

export async function deleteTargetGroup(elbv2: ElasticLoadBalancingV2Client, action: Of<'delete-target-group'>) {
  await writeOrConfirm(
    describeAction(action),
    () => elbv2.send(new DeleteTargetGroupCommand({ TargetGroupArn: action.arn })),
    ['TargetGroupNotFound'],
    () => targetGroupGone(elbv2, action.arn),
  );
}
