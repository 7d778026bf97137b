import {
  DescribeLoadBalancersCommand,
  DescribeTargetGroupAttributesCommand,
  DescribeTagsCommand,
  DescribeTargetHealthCommand,
  paginateDescribeListeners,
  paginateDescribeTargetGroups,
  type ElasticLoadBalancingV2Client,
  type Listener,
} from '@aws-sdk/client-elastic-load-balancing-v2';
import { ConfigError } from '../errors';
import type { LoadBalancer, ObservedListener, ObservedTargetGroup, ObservedTarget, Tags } from '../types';

/** DescribeTags takes at most 20 ARNs per call. */
const TAGS_BATCH = 20;

/** `former`: a load balancer the config no longer names (its type is not judged: the tool only removes its own there). */
export async function observeLoadBalancer(elbv2: ElasticLoadBalancingV2Client, arn: string, { former = false } = {}): Promise<LoadBalancer> {
  // ELBv2 answers an unknown ARN with LoadBalancerNotFound ("One or more load balancers not found"), naming none.
  const out = await elbv2.send(new DescribeLoadBalancersCommand({ LoadBalancerArns: [arn] })).catch((error: Error) => {
    if (error.name === 'LoadBalancerNotFoundException') throw new ConfigError(`load balancer ${arn} not found (${error.message}): check loadBalancerArn`, { cause: error });
    throw error;
  });
  const lb = out.LoadBalancers?.[0];
  if (!lb?.DNSName || !lb.CanonicalHostedZoneId || !lb.VpcId) throw new ConfigError(`load balancer ${arn} not found: check loadBalancerArn`);
  // The fact, not the ARN's spelling: per-broker TLS listeners need a Network Load Balancer.
  if (lb.Type !== 'network' && !former) {
    throw new ConfigError(`load balancer ${arn} is of type ${lb.Type ?? 'unknown'}, not network: brokers are mapped to TLS listeners of a Network Load Balancer; set loadBalancerArn to one`);
  }
  return {
    arn,
    dnsName: lb.DNSName,
    canonicalHostedZoneId: lb.CanonicalHostedZoneId,
    vpcId: lb.VpcId,
    type: lb.Type ?? 'unknown',
    securityGroupIds: lb.SecurityGroups ?? [],
    zones: (lb.AvailabilityZones ?? []).map((z) => z.ZoneName!).filter(Boolean),
    subnetIds: (lb.AvailabilityZones ?? []).map((z) => z.SubnetId!).filter(Boolean),
  };
}

export async function listListeners(elbv2: ElasticLoadBalancingV2Client, loadBalancerArn: string): Promise<Listener[]> {
  const listeners: Listener[] = [];
  for await (const page of paginateDescribeListeners({ client: elbv2, pageSize: 400 }, { LoadBalancerArn: loadBalancerArn })) {
    listeners.push(...(page.Listeners ?? []));
  }
  // By port, whatever order the API lists them in: plans and tables then read bootstrap, broker-1, broker-2…
  return listeners.sort((a, b) => (a.Port ?? 0) - (b.Port ?? 0));
}

/**
 * Target groups whose name starts with the cluster's prefix, attached or not: a group left
 * behind by an interrupted run is found here and adopted instead of duplicated. Also those in use
 * by one of `loadBalancerArns` whatever their name: a hand-made group the tool adopted (`adopt`)
 * keeps its name, and `adopt` judges the groups its listeners forward to.
 */
export async function listTargetGroupsByPrefix(elbv2: ElasticLoadBalancingV2Client, prefix: string, loadBalancerArns: string[] = []) {
  const attachedTo = new Set(loadBalancerArns);
  const groups = [];
  for await (const page of paginateDescribeTargetGroups({ client: elbv2, pageSize: 400 }, {})) {
    groups.push(...(page.TargetGroups ?? []).filter((g) => g.TargetGroupName?.startsWith(prefix) || g.LoadBalancerArns?.some((arn) => attachedTo.has(arn))));
  }
  return groups;
}

export async function readTags(elbv2: ElasticLoadBalancingV2Client, arns: string[]): Promise<Map<string, Tags>> {
  const batches = [];
  for (let i = 0; i < arns.length; i += TAGS_BATCH) batches.push(arns.slice(i, i + TAGS_BATCH));
  const results = await Promise.all(batches.map((batch) => elbv2.send(new DescribeTagsCommand({ ResourceArns: batch }))));
  const tags = new Map<string, Tags>();
  for (const description of results.flatMap((r) => r.TagDescriptions ?? [])) {
    tags.set(description.ResourceArn!, Object.fromEntries((description.Tags ?? []).map((t) => [t.Key!, t.Value ?? ''])));
  }
  return tags;
}

export async function readTargets(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<ObservedTarget[]> {
  const out = await elbv2.send(new DescribeTargetHealthCommand({ TargetGroupArn: targetGroupArn }));
  return (out.TargetHealthDescriptions ?? []).map((d) => ({
    ip: d.Target!.Id!,
    port: d.Target!.Port!,
    state: d.TargetHealth?.State,
  }));
}

export async function readTargetGroupAttributes(elbv2: ElasticLoadBalancingV2Client, targetGroupArn: string): Promise<Record<string, string>> {
  const out = await elbv2.send(new DescribeTargetGroupAttributesCommand({ TargetGroupArn: targetGroupArn }));
  return Object.fromEntries((out.Attributes ?? []).map((a) => [a.Key!, a.Value ?? '']));
}

/**
 * The load balancers of one cluster with their listeners, and the cluster's target groups, tags,
 * targets and attributes included, in two rounds of parallel reads. `loadBalancerReads`: their
 * reads, already under way (observe starts the EC2 reads from them too).
 *
 * Also the former load balancers: those the cluster's target groups (by name prefix) are still
 * attached to although no listener of the config names them (the cluster or a listener moved to
 * another NLB). A group names the load balancers that use it, so what the tool left there is found
 * without a search, in a round of its own only when there is one.
 */
export async function observeNetwork(
  elbv2: ElasticLoadBalancingV2Client,
  loadBalancerArns: string[],
  targetGroupPrefix: string,
  loadBalancerReads: Promise<LoadBalancer>[] = loadBalancerArns.map((arn) => observeLoadBalancer(elbv2, arn)),
): Promise<{ loadBalancers: { loadBalancer: LoadBalancer; listeners: ObservedListener[]; former?: true }[]; targetGroups: ObservedTargetGroup[] }> {
  const [configured, configuredListeners, groups] = await Promise.all([
    Promise.all(loadBalancerReads),
    Promise.all(loadBalancerArns.map((arn) => listListeners(elbv2, arn))),
    listTargetGroupsByPrefix(elbv2, targetGroupPrefix, loadBalancerArns),
  ]);
  const formerArns = [...new Set(groups.filter((g) => g.TargetGroupName?.startsWith(targetGroupPrefix)).flatMap((g) => g.LoadBalancerArns ?? []))].filter(
    (arn) => !loadBalancerArns.includes(arn),
  );
  const former = await Promise.all(formerArns.map((arn) => Promise.all([observeLoadBalancer(elbv2, arn, { former: true }), listListeners(elbv2, arn)])));
  const loadBalancers = [...configured, ...former.map(([lb]) => lb)];
  const listenersPerLb = [...configuredListeners, ...former.map(([, listeners]) => listeners)];
  const listeners = listenersPerLb.flat();
  const [tags, targets, attributes] = await Promise.all([
    readTags(elbv2, [...listeners.map((l) => l.ListenerArn!), ...groups.map((g) => g.TargetGroupArn!)]),
    Promise.all(groups.map((g) => readTargets(elbv2, g.TargetGroupArn!))),
    Promise.all(groups.map((g) => readTargetGroupAttributes(elbv2, g.TargetGroupArn!))),
  ]);
  return {
    loadBalancers: loadBalancers.map((loadBalancer, i) => ({
      loadBalancer,
      listeners: listenersPerLb[i].map((l) => toListener(l, tags.get(l.ListenerArn!) ?? {})),
      ...(i >= configured.length ? { former: true as const } : {}),
    })),
    targetGroups: groups.map((g, i) => ({
      arn: g.TargetGroupArn!,
      name: g.TargetGroupName!,
      port: g.Port!,
      protocol: g.Protocol ?? '',
      vpcId: g.VpcId,
      loadBalancerArns: g.LoadBalancerArns ?? [],
      targets: targets[i],
      tags: tags.get(g.TargetGroupArn!) ?? {},
      attributes: attributes[i],
      healthCheck: {
        protocol: g.HealthCheckProtocol ?? '',
        intervalSeconds: g.HealthCheckIntervalSeconds ?? 30,
        timeoutSeconds: g.HealthCheckTimeoutSeconds ?? 10,
        healthyThreshold: g.HealthyThresholdCount ?? 5,
        unhealthyThreshold: g.UnhealthyThresholdCount ?? 2,
      },
    })),
  };
}

function toListener(listener: Listener, tags: Tags): ObservedListener {
  const forward = listener.DefaultActions?.find((a) => a.Type === 'forward');
  const groups = forward?.ForwardConfig?.TargetGroups ?? [];
  const targetGroupArn = forward?.TargetGroupArn ?? (groups.length === 1 ? groups[0].TargetGroupArn : undefined);
  return {
    arn: listener.ListenerArn!,
    port: listener.Port!,
    protocol: listener.Protocol ?? '',
    certificateArns: (listener.Certificates ?? []).map((c) => c.CertificateArn!).filter(Boolean),
    sslPolicy: listener.SslPolicy,
    targetGroupArn,
    tags,
  };
}
