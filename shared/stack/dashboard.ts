import { alarmMetric, BROKER_DIMENSION, CLUSTER_DIMENSION, threshold, type AlarmMetric } from '../alarms/desired';
import { creationRateQuota, CREATION_RATE_QUOTAS } from '../alarms/quotas';
import { parseClusterArn } from '../arn';
import type { Config } from '../config/schema';
import { loadBalancerShortId, loadBalancersOf, resolveCluster, type MappedListener, type ResolvedCluster } from '../listeners';
import { shortHash, targetGroupListenerToken } from '../naming';
import { METRICS_NAMESPACE, METRICS_SERVICE } from '../report/metrics';

// The deployment's CloudWatch dashboard, generated from the config at package time like the
// event flow (events.ts): a section per cluster with, per broker, client connections and the
// new-connection rate against their quotas, target health per listener, and the controller's
// own reconciles. Pure: returns the DashboardBody; the stack resource wraps it.
//
// Brokers come and go (scale-out, healing) and target group ids are only known once created,
// so every per-broker graph is a SEARCH over the cluster's dimension, not a fixed Broker ID: a
// new broker shows up without a redeploy. A SEARCH "can return up to 500 time series" (CDK
// SearchExpression docs, citing the CloudWatch search expression syntax page), more brokers
// than a cluster has.

/**
 * "A DashboardBody ... can include an array of between 0 and 500 widget objects" (CloudWatch
 * API reference, Dashboard Body Structure and Syntax). CloudWatch quotas: "Up to 500 widgets
 * per dashboard. Up to 500 metrics per dashboard widget".
 */
export const MAX_WIDGETS = 500;
/** PutDashboard: DashboardName "maximum length is 255, and valid characters are A-Z, a-z, 0-9, "-", and "_"". */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
/** NLB metrics: AWS/NetworkELB publishes per target group and load balancer every minute. */
const NLB_NAMESPACE = 'AWS/NetworkELB';
const TARGET_HEALTH_METRICS = ['HealthyHostCount', 'UnHealthyHostCount'] as const;
/** The widget region, filled in by CloudFormation (Fn::Sub): the dashboard shows the stack's own region. */
export const REGION_PLACEHOLDER = '${AWS::Region}';

/** The reconcile metrics (report/metrics.ts) and how each is summarised per period. */
export const RECONCILE_METRICS = [
  // As the not-converged alarm reads it (events.ts): 1 when any reconcile in the period converged.
  { name: 'Converged', stat: 'Maximum' },
  { name: 'Failed', stat: 'Sum' },
  { name: 'ChangesApplied', stat: 'Sum' },
  { name: 'Conflicts', stat: 'Maximum' },
  { name: 'HeldBack', stat: 'Maximum' },
  { name: 'DurationMs', stat: 'Maximum' },
] as const;

type Widget = { type: 'metric' | 'text'; x: number; y: number; width: number; height: number; properties: Record<string, unknown> };

export interface DashboardBody {
  start: string;
  periodOverride: 'inherit';
  widgets: Widget[];
}

/**
 * `<service>-<stage>-<region>`: "All dashboards in your account are global, not region-specific"
 * (PutDashboard), so the same stage deployed in two regions needs two names. Refused when
 * CloudWatch would refuse it (the longest region name has 14 characters, e.g. ap-southeast-5).
 */
export function dashboardName(functionPrefix: string): { 'Fn::Sub': string } {
  const longest = `${functionPrefix}-ap-southeast-5`;
  if (!DASHBOARD_NAME.test(longest)) {
    throw new Error(`dashboard name ${functionPrefix}-<region>: CloudWatch allows 1-255 characters of A-Z, a-z, 0-9, - and _: use such a service and stage name`);
  }
  return { 'Fn::Sub': `${functionPrefix}-${REGION_PLACEHOLDER}` };
}

/** `'…'` inside SEARCH is single-quoted, dimension values double-quoted: neither may appear in a value. */
function quoted(value: string): string {
  if (/["'\\]/.test(value)) throw new Error(`cannot search CloudWatch for ${value}: it contains a quote or backslash`);
  return `"${value}"`;
}

/** Schema names need double quotes only with spaces or other characters ("AWS/Kafka" does not; "Cluster Name" does). */
function schemaName(name: string): string {
  return /^[A-Za-z0-9/]+$/.test(name) ? name : quoted(name);
}

/** The SEARCH over one cluster's brokers for the metric an alarm watches: one line per broker, the alarm's statistic and period. */
export function brokerSearch(clusterName: string, metric: AlarmMetric): string {
  const schema = [metric.namespace, CLUSTER_DIMENSION, BROKER_DIMENSION, ...metric.dimensions.map((d) => d.Name)].map(schemaName).join(',');
  const terms = [`MetricName=${quoted(metric.metricName)}`, `${quoted(CLUSTER_DIMENSION)}=${quoted(clusterName)}`, ...metric.dimensions.map((d) => `${quoted(d.Name)}=${quoted(d.Value)}`)];
  return `SEARCH('{${schema}} ${terms.join(' ')}', '${metric.statistic}', ${metric.periodSeconds})`;
}

/** `net/<name>/<id>`: the LoadBalancer dimension of AWS/NetworkELB, from the load balancer ARN. */
export function loadBalancerDimension(loadBalancerArn: string): string {
  const value = loadBalancerArn.split(':loadbalancer/')[1];
  if (!value) throw new Error(`not a load balancer ARN: ${loadBalancerArn}`);
  return value;
}

/**
 * The SEARCH for one listener's target groups on its NLB. Target group ids are AWS's, so the
 * TargetGroup value (`targetgroup/<name>/<id>`) is matched by the tokens of the names this tool
 * gives them (naming.ts targetGroupName: `mcd-<cluster>-<cluster hash>-<listener hash>-<role>`):
 * unquoted terms match partially, the LoadBalancer value exactly.
 */
export function targetHealthSearch(
  clusterArn: string,
  listener: Pick<MappedListener, 'id' | 'loadBalancerArn'>,
  metricName: (typeof TARGET_HEALTH_METRICS)[number],
  loadBalancerArn = listener.loadBalancerArn,
): string {
  // On a further NLB (brokerLoadBalancers) the groups carry that NLB in their listener token.
  const further = loadBalancerArn === listener.loadBalancerArn ? undefined : loadBalancerShortId(loadBalancerArn);
  const tokens = [shortHash(clusterArn), targetGroupListenerToken(listener.id, further)].map((t) => `TargetGroup=${t}`).join(' ');
  return `SEARCH('{${NLB_NAMESPACE},LoadBalancer,TargetGroup} MetricName=${quoted(metricName)} LoadBalancer=${quoted(loadBalancerDimension(loadBalancerArn))} ${tokens}', 'Maximum', 60)`;
}

/** The creation-rate quotas a broker of this cluster may have, with the instance families each applies to (the type is only known to the reconciler). */
export function creationRateQuotaLines(overrides: Readonly<Record<string, number>>): { value: number; label: string }[] {
  const types = [...new Set([...Object.keys(CREATION_RATE_QUOTAS), ...Object.keys(overrides).filter((t) => t !== 'default')])];
  const byValue = new Map<number, Set<string>>();
  const add = (value: number, what: string) => byValue.set(value, (byValue.get(value) ?? new Set()).add(what));
  // Families ("kafka.m5") keep the label short: every size of a family has the same quota in the table.
  for (const type of types) add(creationRateQuota(type, overrides).value, type.split('.').slice(0, 2).join('.'));
  add(creationRateQuota(undefined, overrides).value, 'other types');
  return [...byValue].sort(([a], [b]) => b - a).map(([value, what]) => ({ value, label: `${[...what].join(', ')}` }));
}

const w = (type: Widget['type'], x: number, y: number, width: number, height: number, properties: Record<string, unknown>): Widget => ({ type, x, y, width, height, properties });

function clusterSection(cluster: ResolvedCluster, y: number): { widgets: Widget[]; height: number } {
  const { clusterName } = parseClusterArn(cluster.clusterArn);
  const alarms = cluster.alarms;
  const graph = (title: string, metrics: unknown[], extra: Record<string, unknown> = {}) => ({
    title, view: 'timeSeries', stacked: false, region: REGION_PLACEHOLDER, metrics, ...extra,
  });
  const expression = (id: string, search: string, label = '') => [{ id, expression: search, label }];

  const count = alarmMetric('connection-count', alarms);
  const countLines = [
    { label: `${alarms.thresholdPercent}% of quota (alarm)`, value: threshold(alarms.connectionQuota, alarms.thresholdPercent), color: '#ff7f0e' },
    { label: `quota ${alarms.connectionQuota}`, value: alarms.connectionQuota, color: '#d62728' },
  ];
  const rate = alarmMetric('connection-creation-rate', alarms);
  const rateLines = creationRateQuotaLines(alarms.connectionCreationRateQuotas).flatMap((q) => [
    { label: `${alarms.thresholdPercent}% of ${q.value}/s (${q.label})`, value: threshold(q.value, alarms.thresholdPercent), color: '#ff7f0e' },
    { label: `quota ${q.value}/s (${q.label})`, value: q.value, color: '#d62728' },
  ]);
  const reconcile = RECONCILE_METRICS.map((m) => [
    METRICS_NAMESPACE, m.name, 'service', METRICS_SERVICE, 'ClusterArn', cluster.clusterArn,
    { stat: m.stat, ...(m.name === 'DurationMs' ? { yAxis: 'right' } : {}) },
  ]);

  const widgets: Widget[] = [
    w('text', 0, y, 24, 2, {
      markdown: `## ${clusterName}\n\`${cluster.clusterArn}\` · brokers under \`${cluster.domain}\` · alarms at ${alarms.thresholdPercent}% of each quota`,
    }),
    w('metric', 0, y + 2, 8, 6, graph(`${clusterName}: ${count.metricName} per broker (${count.statistic})`,
      [expression('connections', brokerSearch(clusterName, count))],
      { period: count.periodSeconds, annotations: { horizontal: countLines }, yAxis: { left: { min: 0 } } })),
    w('metric', 8, y + 2, 8, 6, graph(`${clusterName}: ${rate.metricName} per broker (${rate.statistic}, new connections/s)`,
      [expression('rate', brokerSearch(clusterName, rate))],
      { period: rate.periodSeconds, annotations: { horizontal: rateLines }, yAxis: { left: { min: 0 } } })),
    w('metric', 16, y + 2, 8, 6, graph(`${clusterName}: reconciles (duration on the right)`, reconcile, { period: 300 })),
  ];
  // One graph per listener and NLB: a listener spread over several NLBs (brokerLoadBalancers) shows each.
  const sites = cluster.mapped.flatMap((listener) => loadBalancersOf(listener).map((loadBalancerArn) => ({ listener, loadBalancerArn })));
  sites.forEach(({ listener, loadBalancerArn }, i) => {
    const where = loadBalancerArn === listener.loadBalancerArn ? '' : ` on ${loadBalancerShortId(loadBalancerArn)}`;
    widgets.push(w('metric', (i % 3) * 8, y + 8 + Math.floor(i / 3) * 6, 8, 6, graph(
      `${clusterName}: target health, ${listener.id}${where}`,
      TARGET_HEALTH_METRICS.map((m) => expression(`${m === 'HealthyHostCount' ? 'healthy' : 'unhealthy'}${i}`, targetHealthSearch(cluster.clusterArn, listener, m, loadBalancerArn), m === 'HealthyHostCount' ? 'healthy' : 'unhealthy')),
      { period: 60, yAxis: { left: { min: 0 } } },
    )));
  });
  const listenerRows = Math.ceil(sites.length / 3);
  return { widgets, height: 8 + listenerRows * 6 };
}

/** Pure: the dashboard of the whole deployment, one section per cluster in config order. */
export function dashboardBody(config: Config): DashboardBody {
  const widgets: Widget[] = [];
  let y = 0;
  for (const cluster of config.clusters) {
    const section = clusterSection(resolveCluster(cluster), y);
    widgets.push(...section.widgets);
    y += section.height;
  }
  if (widgets.length > MAX_WIDGETS) {
    throw new Error(`the dashboard would have ${widgets.length} widgets, more than CloudWatch's ${MAX_WIDGETS}: deploy the clusters in several stages (fewer clusters or listeners per config)`);
  }
  return { start: '-PT6H', periodOverride: 'inherit', widgets };
}

/** The stack's dashboard resource and its console URL output. */
export function dashboardResources(config: Config, options: { functionPrefix: string }): { resources: Record<string, unknown>; outputs: Record<string, unknown> } {
  const name = dashboardName(options.functionPrefix);
  const body = JSON.stringify(dashboardBody(config));
  // Fn::Sub fills in the region; anything else that looks like a substitution would break it.
  if (body.split('${').length - 1 !== body.split(REGION_PLACEHOLDER).length - 1) throw new Error('dashboard body holds a ${…} other than the region');
  return {
    resources: { Dashboard: { Type: 'AWS::CloudWatch::Dashboard', Properties: { DashboardName: name, DashboardBody: { 'Fn::Sub': body } } } },
    outputs: {
      DashboardUrl: {
        Description: 'connections and new-connection rate per broker against the quotas, target health per listener, the controller\'s reconciles',
        Value: { 'Fn::Sub': 'https://console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=${Dashboard}' },
      },
    },
  };
}
