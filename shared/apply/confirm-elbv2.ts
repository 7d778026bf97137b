// ELBv2: what a refused retry may mean, confirmed by reading that one listener, group or target.
import {
  DescribeListenersCommand,
  DescribeTagsCommand,
  DescribeTargetGroupsCommand,
  DescribeTargetHealthCommand,
  type ElasticLoadBalancingV2Client,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { refusedWith } from './confirm';

export interface WantedListener {
  port: number;
  certificateArn: string;
  sslPolicy: string;
  targetGroupArn: string;
  tags: Record<string, string>;
}

/** DuplicateListener: the listener on the port is ours (tags) with exactly the wanted settings; its ARN. */
export async function listenerInPlace(elbv2: ElasticLoadBalancingV2Client, loadBalancerArn: string, want: WantedListener): Promise<string | undefined> {
  // An NLB has at most 50 listeners: one page.
  const out = await elbv2.send(new DescribeListenersCommand({ LoadBalancerArn: loadBalancerArn, PageSize: 400 }));
  const listener = out.Listeners?.find((l) => l.Port === want.port);
  if (!listener || listener.Protocol !== 'TLS' || listener.SslPolicy !== want.sslPolicy) return undefined;
  if (listener.Certificates?.length !== 1 || listener.Certificates[0].CertificateArn !== want.certificateArn) return undefined;
  if (forwardsTo(listener).join() !== want.targetGroupArn) return undefined;
  return (await hasTags(elbv2, listener.ListenerArn!, want.tags)) ? listener.ListenerArn : undefined;
}

/** ListenerNotFound: the listener is gone. */
export async function listenerGone(elbv2: ElasticLoadBalancingV2Client, listenerArn: string): Promise<boolean> {
  return absent(() => elbv2.send(new DescribeListenersCommand({ ListenerArns: [listenerArn] })), 'ListenerNotFound');
}

/** TargetGroupNotFound: the group is gone. */
export async function targetGroupGone(elbv2: ElasticLoadBalancingV2Client, arn: string): Promise<boolean> {
  return absent(() => elbv2.send(new DescribeTargetGroupsCommand({ TargetGroupArns: [arn] })), 'TargetGroupNotFound');
}

export interface WantedTargetGroup {
  name: string;
  port: number;
  vpcId: string;
  tags: Record<string, string>;
}

/** DuplicateTargetGroupName: the group of that name is ours (tags) with the settings apply creates; its ARN. */
export async function targetGroupInPlace(elbv2: ElasticLoadBalancingV2Client, want: WantedTargetGroup): Promise<string | undefined> {
  let groups;
  try {
    groups = (await elbv2.send(new DescribeTargetGroupsCommand({ Names: [want.name] }))).TargetGroups ?? [];
  } catch (error) {
    if (refusedWith(error, 'TargetGroupNotFound')) return undefined;
    throw error;
  }
  const tg = groups.find((g) => g.TargetGroupName === want.name);
  const same = tg && tg.Protocol === 'TLS' && tg.Port === want.port && tg.VpcId === want.vpcId && tg.TargetType === 'ip' && tg.HealthCheckProtocol === 'TCP';
  return same && (await hasTags(elbv2, tg.TargetGroupArn!, want.tags)) ? tg.TargetGroupArn : undefined;
}

/** InvalidTarget on deregistering: every target is draining or not registered at all. */
export async function targetsGone(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string, targets: { ip: string; port: number }[]): Promise<boolean> {
  try {
    const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn, Targets: targets.map((t) => ({ Id: t.ip, Port: t.port })) }));
    return (out.TargetHealthDescriptions ?? []).every(
      (d) => d.TargetHealth?.State === 'draining' || (d.TargetHealth?.State === 'unused' && d.TargetHealth.Reason === 'Target.NotRegistered'),
    );
  } catch (error) {
    // DescribeTargetHealth may itself answer an unregistered target with InvalidTarget.
    if (refusedWith(error, 'InvalidTarget')) return true;
    throw error;
  }
}

function forwardsTo(listener: Listener): string[] {
  return (listener.DefaultActions ?? []).flatMap((a) => (a.Type === 'forward' ? [a.TargetGroupArn ?? a.ForwardConfig?.TargetGroups?.[0]?.TargetGroupArn ?? ''] : ['']));
}

async function hasTags(elbv2: ElasticLoadBalancingV2Client, arn: string, tags: Record<string, string>): Promise<boolean> {
  const out = await elbv2.send(new DescribeTagsCommand({ ResourceArns: [arn] }));
  const actual = new Map((out.TagDescriptions?.[0]?.Tags ?? []).map((t) => [t.Key, t.Value]));
  return Object.entries(tags).every(([k, v]) => actual.get(k) === v);
}

/** True when reading the resource answers `code` (it does not exist). */
async function absent(read: () => Promise<unknown>, code: string): Promise<boolean> {
  try {
    await read();
    return false;
  } catch (error) {
    if (refusedWith(error, code)) return true;
    throw error;
  }
}
