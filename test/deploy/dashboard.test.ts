import { afterAll, afterEach, beforeAll, describe, expect, jest, test } from '@jest/globals';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { rmSync } from 'node:fs';
import { parseConfig } from '../../shared/config/load';
import { publishReconcileMetrics } from '../../shared/report/metrics';
import { dashboardBody, MAX_WIDGETS, RECONCILE_METRICS } from '../../shared/stack/dashboard';
import type { WorldAlarm } from '../world';
import { createScenario, type Scenario } from '../support/scenario';
import { clusterEntry, packageStack, type CfnTemplate, type Packaged } from './package-stack';

// The deployment's dashboard (shared/stack/dashboard.ts): read from the packaged template, and its
// searches checked against what the alarms of a real reconcile watch, the target groups it creates
// and the EMF documents the resync function emits.

type Widget = { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> };

/** A parsed SEARCH('{schema} terms', 'stat', period): exact ("quoted") and partial (bare) terms. */
interface Search { namespace: string; schema: string[]; exact: Record<string, string>; partial: [string, string][]; statistic: string; period: number }

function parseSearch(expression: string): Search {
  const m = /^SEARCH\('\{([^}]*)\} (.*)', '(\w+)', (\d+)\)$/.exec(expression);
  if (!m) throw new Error(`not a SEARCH expression: ${expression}`);
  const names = [...m[1]!.matchAll(/"([^"]+)"|([^,]+)/g)].map((n) => n[1] ?? n[2]!);
  const exact: Record<string, string> = {};
  const partial: [string, string][] = [];
  for (const t of m[2]!.matchAll(/(?:"([^"]+)"|(\w+))=(?:"([^"]*)"|(\S+))/g)) {
    const key = t[1] ?? t[2]!;
    if (t[3] !== undefined) exact[key] = t[3];
    else partial.push([key, t[4]!]);
  }
  return { namespace: names[0]!, schema: names.slice(1), exact, partial, statistic: m[3]!, period: Number(m[4]) };
}

/**
 * Which metric a search finds, as the CloudWatch search syntax page describes it: the metric has
 * exactly the schema's dimensions, quoted terms match whole values, bare terms match a value
 * partially (modelled here as a whole token between non-alphanumerics).
 */
function finds(search: Search, metric: { namespace: string; metricName: string; dimensions: Record<string, string> }): boolean {
  if (metric.namespace !== search.namespace) return false;
  if (Object.keys(metric.dimensions).sort().join('|') !== [...search.schema].sort().join('|')) return false;
  const values: Record<string, string> = { ...metric.dimensions, MetricName: metric.metricName };
  if (Object.entries(search.exact).some(([k, v]) => values[k] !== v)) return false;
  return search.partial.every(([k, v]) => (values[k] ?? '').split(/[^A-Za-z0-9]+/).includes(v));
}

const searchesOf = (widget: Widget) => (widget.properties.metrics as any[]).flatMap((row) => row.filter((c: any) => c?.expression).map((c: any) => parseSearch(c.expression)));
const titled = (widgets: Widget[], fragment: string) => widgets.filter((w) => String(w.properties.title ?? '').includes(fragment));

describe('in the packaged template', () => {
  const orders = clusterEntry(1);
  // Two listeners, its own quotas, and the opt-in ConnectionCount metric.
  const payments = clusterEntry(2, {
    listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'scram-{id}' }],
    alarms: { connectionQuota: 2000, thresholdPercent: 75, connectionMetric: 'ConnectionCount', connectionCreationRateQuotas: { default: 30, 'kafka.m5.large': 50 } },
  });
  let packaged: Packaged;
  let template: CfnTemplate;
  let widgets: Widget[];
  beforeAll(() => {
    packaged = packageStack({ clusters: [orders, payments] });
    if (packaged.status !== 0) throw new Error(`packaging failed:\n${packaged.output}`);
    template = packaged.template();
    const sub = template.Resources.Dashboard!.Properties.DashboardBody['Fn::Sub'] as string;
    widgets = JSON.parse(sub.split('${AWS::Region}').join('eu-west-1')).widgets;
  }, 240_000);
  afterAll(() => rmSync(packaged.dir, { recursive: true, force: true }));

  test('one dashboard named after the stage, its body valid JSON with the region filled in by CloudFormation, and an output with its console URL', () => {
    const dashboard = template.Resources.Dashboard!;
    expect(dashboard.Type).toBe('AWS::CloudWatch::Dashboard');
    // Dashboards are global: the region in the name keeps two regions' stages apart.
    expect(dashboard.Properties.DashboardName).toEqual({ 'Fn::Sub': 'msk-custom-domain-sync-dev-${AWS::Region}' });
    expect(Object.values(template.Resources).filter((r) => r.Type === 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    // The only substitution is the region; every metric widget reads the stack's region.
    expect(dashboard.Properties.DashboardBody['Fn::Sub'].match(/\$\{[^}]*\}/g).every((v: string) => v === '${AWS::Region}')).toBe(true);
    for (const w of widgets.filter((w) => w.type === 'metric')) expect(w.properties.region).toBe('eu-west-1');
    expect((template.Outputs as Record<string, any>).DashboardUrl.Value).toEqual({
      'Fn::Sub': 'https://console.aws.amazon.com/cloudwatch/home?region=${AWS::Region}#dashboards:name=${Dashboard}',
    });
  });

  test("the packaged body is the generator's, for the config as the loader reads it", () => {
    const expected = JSON.stringify(dashboardBody(parseConfig({ clusters: [orders, payments] }))).split('${AWS::Region}').join('eu-west-1');
    expect(JSON.parse(expected).widgets).toEqual(widgets);
  });

  test('a section per cluster: a heading, connections, new-connection rate, reconciles, and target health per listener', () => {
    expect(widgets.filter((w) => w.type === 'text').map((w) => w.properties.markdown.split('\n')[0])).toEqual(['## orders-1', '## orders-2']);
    expect(titled(widgets, 'orders-1: target health')).toHaveLength(1);
    expect(titled(widgets, 'orders-2: target health').map((w) => w.properties.title)).toEqual([
      expect.stringContaining('iam@msk-orders-2/'), expect.stringContaining('scram@msk-orders-2/'),
    ]);
    expect(widgets).toHaveLength(2 * 4 + 3);
    // No two widgets overlap on the 24-column grid.
    const cells = new Set<string>();
    for (const w of widgets) {
      expect(w.x + w.width).toBeLessThanOrEqual(24);
      for (let x = w.x; x < w.x + w.width; x++) for (let y = w.y; y < w.y + w.height; y++) {
        expect(cells.has(`${x},${y}`)).toBe(false);
        cells.add(`${x},${y}`);
      }
    }
  });

  test('connection lines at the alarm threshold and at the configured quota; rate lines at the quotas a broker may have', () => {
    const lines = (fragment: string) => titled(widgets, fragment)[0]!.properties.annotations.horizontal.map((a: { value: number }) => a.value);
    expect(lines('orders-1: ClientConnectionCount')).toEqual([2400, 3000]);
    expect(lines('orders-2: ConnectionCount')).toEqual([1500, 2000]);
    // The instance type is only known to the reconciler: every quota the config and the table give.
    expect(lines('orders-1: ConnectionCreationRate')).toEqual([80, 100, 16, 20, 3.2, 4]);
    expect(lines('orders-2: ConnectionCreationRate')).toEqual([37.5, 50, 22.5, 30]);
  });
});

describe('against a real reconcile in the AWS world', () => {
  let s: Scenario;
  afterEach(() => s?.world.restore());

  /** The dashboard of the scenario's cluster, and its sections' widgets by title. */
  function dashboardOf(config = s.config): Widget[] {
    return dashboardBody({ clusters: [config] }).widgets as Widget[];
  }

  const asMetric = (a: WorldAlarm) => ({
    namespace: a.Namespace!, metricName: a.MetricName!, dimensions: Object.fromEntries(a.Dimensions!.map((d) => [d.Name!, d.Value!])),
  });

  for (const alarms of [{}, { connectionMetric: 'ConnectionCount' as const }, { clientAuthentication: 'SASL/SCRAM', thresholdPercent: 90, connectionQuota: 1000 }]) {
    test(`each alarm's metric is a line of the graph for its kind, read with the alarm's statistic and period (${JSON.stringify(alarms)})`, async () => {
      s = createScenario({ brokerIds: [1, 2, 3], config: { alarms } });
      await s.reconcile();
      const own = s.world.cloudwatch.alarms();
      expect(own.length).toBe(9);
      const widgets = dashboardOf();
      for (const [metricName, fragment] of [[own.find((a) => a.MetricName!.endsWith('ConnectionCount'))!.MetricName!, 'ConnectionCount per broker'], ['ConnectionCreationRate', 'ConnectionCreationRate']] as const) {
        const [widget] = titled(widgets, fragment);
        const [search] = searchesOf(widget!);
        const watched = own.filter((a) => a.MetricName === metricName);
        expect(watched).toHaveLength(3);
        // Every broker's alarm metric is found, and with it the alarm's statistic and period.
        for (const a of watched) {
          expect(finds(search!, asMetric(a))).toBe(true);
          expect([search!.statistic, search!.period]).toEqual([a.Statistic, a.Period]);
        }
        // ... but not the same metric of another cluster, nor another Client Authentication.
        const other = asMetric(watched[0]!);
        expect(finds(search!, { ...other, dimensions: { ...other.dimensions, 'Cluster Name': 'orders-2' } })).toBe(false);
        if (other.dimensions['Client Authentication']) {
          expect(finds(search!, { ...other, dimensions: { ...other.dimensions, 'Client Authentication': 'UNAUTHENTICATED' } })).toBe(false);
        }
      }
      // The connection graph's lower line is the alarm's threshold, the upper one its quota.
      const count = own.find((a) => a.MetricName!.endsWith('ConnectionCount'))!;
      const lines = titled(widgets, 'ConnectionCount per broker')[0]!.properties.annotations.horizontal.map((a: { value: number }) => a.value);
      expect(lines).toEqual([count.Threshold, s.config.alarms.connectionQuota]);
      // The rate alarm's threshold (kafka.m5.large in the world) is one of the rate graph's lines.
      const rate = own.find((a) => a.MetricName === 'ConnectionCreationRate')!;
      expect(titled(widgets, 'ConnectionCreationRate')[0]!.properties.annotations.horizontal.map((a: { value: number }) => a.value)).toContain(rate.Threshold);
    });
  }

  test('target health finds every target group the reconcile made for this listener on its NLB, and no other', async () => {
    s = createScenario({ brokerIds: [1, 2, 3] });
    await s.reconcile();
    const [widget] = titled(dashboardOf(), 'target health');
    const searches = searchesOf(widget!);
    expect(searches.map((q) => q.exact.MetricName)).toEqual(['HealthyHostCount', 'UnHealthyHostCount']);
    const groups = s.world.elbv2.targetGroups();
    expect(groups).toHaveLength(4); // bootstrap and three brokers
    // AWS/NetworkELB's dimensions: TargetGroup `targetgroup/<name>/<id>`, LoadBalancer `net/<name>/<id>`.
    const lb = s.lbArn.split(':loadbalancer/')[1]!;
    const metric = (arn: string, loadBalancer = lb) => ({ namespace: 'AWS/NetworkELB', metricName: 'HealthyHostCount', dimensions: { TargetGroup: arn.split(':')[5]!, LoadBalancer: loadBalancer } });
    for (const g of groups) expect(finds(searches[0]!, metric(g.TargetGroupArn!))).toBe(true);
    // Another cluster's group (same names but its own ARN hash) or another NLB is not found.
    const otherCluster = dashboardBody({ clusters: [{ ...s.config, clusterArn: `${s.clusterArn}0` }] }).widgets as Widget[];
    const [otherSearch] = searchesOf(titled(otherCluster, 'target health')[0]!);
    for (const g of groups) expect(finds(otherSearch!, metric(g.TargetGroupArn!))).toBe(false);
    expect(finds(searches[0]!, metric(groups[0]!.TargetGroupArn!, 'net/other-nlb/0123456789abcdef'))).toBe(false);
  });

  test("with two listeners on one NLB, each listener's graph finds its own target groups only", async () => {
    s = createScenario({
      brokerIds: [1, 2],
      config: { listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'scram-{id}' }] },
    });
    await s.reconcile();
    const lb = s.lbArn.split(':loadbalancer/')[1]!;
    const groups = s.world.elbv2.targetGroups();
    expect(groups).toHaveLength(6);
    const widgets = titled(dashboardOf(), 'target health');
    expect(widgets).toHaveLength(2);
    const found = widgets.map((w) => {
      const [healthy] = searchesOf(w);
      return groups.filter((g) => finds(healthy!, { namespace: 'AWS/NetworkELB', metricName: 'HealthyHostCount', dimensions: { TargetGroup: g.TargetGroupArn!.split(':')[5]!, LoadBalancer: lb } })).map((g) => g.tags['msk-custom-domain:listener'] ?? 'untagged');
    });
    expect(found.map((f) => f.length)).toEqual([3, 3]);
    expect(new Set(found[0])).not.toEqual(new Set(found[1]));
  });

  test('a listener spread over two NLBs (brokerLoadBalancers): one graph per NLB, each finding the groups of its own NLB only', async () => {
    s = createScenario({
      brokerIds: [1, 2, 3],
      prepare: (world) => ({ brokerLoadBalancers: [{ loadBalancerArn: world.elbv2.addLoadBalancer({ name: 'msk-orders-2' }), firstBrokerId: 3 }] }),
    });
    await s.reconcile();
    const further = s.config.brokerLoadBalancers![0]!.loadBalancerArn;
    const widgets = titled(dashboardOf(), 'target health');
    expect(widgets.map((w) => w.properties.title)).toEqual([expect.not.stringContaining(' on '), expect.stringContaining(` on msk-orders-2/`)]);
    const groups = s.world.elbv2.targetGroups();
    expect(groups).toHaveLength(4);
    const found = widgets.map((w, i) => {
      const [healthy] = searchesOf(w);
      const lb = (i === 0 ? s!.lbArn : further).split(':loadbalancer/')[1]!;
      return groups.filter((g) => finds(healthy!, { namespace: 'AWS/NetworkELB', metricName: 'HealthyHostCount', dimensions: { TargetGroup: g.TargetGroupArn!.split(':')[5]!, LoadBalancer: lb } })).map((g) => g.tags['msk-custom-domain:role']).sort();
    });
    expect(found).toEqual([['bootstrap', 'broker-1', 'broker-2'], ['broker-3']]);
  });

  test('the reconcile graph reads the metrics, namespace and dimensions the resync function emits (Powertools EMF)', () => {
    const metrics = new Metrics({ namespace: 'MskCustomDomainSync', serviceName: 'msk-custom-domain-sync' });
    const docs: Record<string, any>[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      docs.push(JSON.parse(chunk.toString()));
      return true;
    }) as typeof process.stdout.write);
    const clusterArn = clusterEntry(1).clusterArn;
    try {
      publishReconcileMetrics(metrics, { clusterArn, converged: true, failed: false, conflicts: 0, heldBack: 0, changesByKind: { 'create-listener': 2 }, durationMs: 1234 });
    } finally {
      spy.mockRestore();
    }
    const [doc] = docs;
    const emitted = doc!._aws.CloudWatchMetrics[0];
    const config = parseConfig({ clusters: [clusterEntry(1)] });
    const [widget] = titled(dashboardBody(config).widgets as Widget[], 'reconciles');
    const rows = widget!.properties.metrics as unknown[][];
    expect(rows.map((r) => r[1])).toEqual(RECONCILE_METRICS.map((m) => m.name));
    for (const row of rows) {
      const [namespace, name, ...rest] = row;
      expect(namespace).toBe(emitted.Namespace);
      expect(emitted.Metrics.map((m: { Name: string }) => m.Name)).toContain(name);
      // The dashboard's dimension pairs are exactly the document's dimension set, with its values.
      const pairs = rest.slice(0, -1) as string[];
      expect(pairs.filter((_, i) => i % 2 === 0)).toEqual(emitted.Dimensions[0]);
      for (let i = 0; i < pairs.length; i += 2) expect(doc![pairs[i]!]).toBe(pairs[i + 1]);
    }
  });
});

describe('limits', () => {
  test(`50 clusters with two listeners each fit CloudWatch's ${MAX_WIDGETS} widgets; more are refused with what to do`, () => {
    const many = (n: number) => parseConfig({
      clusters: Array.from({ length: n }, (_, i) => clusterEntry(i + 1, { listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'scram-{id}' }] })),
    });
    const body = dashboardBody(many(50));
    expect(body.widgets).toHaveLength(50 * 6);
    expect(() => dashboardBody(many(84))).toThrow(/504 widgets, more than CloudWatch's 500: deploy the clusters in several stages/);
  });
});
