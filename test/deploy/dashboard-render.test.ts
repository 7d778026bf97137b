import { describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { parseConfig } from '../../shared/config/load';
import { dashboardBody } from '../../shared/stack/dashboard';
import { DASHBOARD_SVG, exampleDashboardConfig } from '../../scripts/dashboard/example';
import { MODELLED_CAPTION, modelledSeries } from '../../scripts/dashboard/modelled';
import { COLUMN_PX, GAP_PX, renderDashboard, ROW_PX } from '../../scripts/dashboard/svg';
import { clusterEntry } from './package-stack';

// The README's dashboard image (scripts/dashboard): drawn from the body the stack deploys, read
// back here as XML, and checked widget by widget against that body.

interface Node { name: string; attrs: Record<string, string>; children: Node[]; text: string }

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const decode = (s: string) => s.replace(/&(\w+);/g, (m, e: string) => {
  if (!(e in ENTITIES)) throw new Error(`unknown entity ${m}`);
  return ENTITIES[e]!;
});

/** A strict little XML reader: elements, attributes, text. Throws on anything not well-formed (an unescaped < or &, a tag left open). */
function parseXml(xml: string): Node {
  const root: Node = { name: '#root', attrs: {}, children: [], text: '' };
  const stack = [root];
  const token = /<(\/?)([\w:-]+)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let at = 0;
  while (at < xml.length) {
    token.lastIndex = at;
    m = token.exec(xml);
    if (!m) throw new Error(`not well-formed XML at ${at}: ${xml.slice(at, at + 40)}`);
    at = token.lastIndex;
    const top = stack[stack.length - 1]!;
    if (m[5] !== undefined) {
      if (/&(?!\w+;)/.test(m[5])) throw new Error(`unescaped & in ${m[5]}`);
      top.text += decode(m[5]);
    } else if (m[1]) {
      if (top.name !== m[2]) throw new Error(`</${m[2]}> closes <${top.name}>`);
      stack.pop();
    } else {
      const attrs = Object.fromEntries([...m[3]!.matchAll(/([\w:-]+)="([^"]*)"/g)].map((a) => [a[1]!, decode(a[2]!)]));
      const node: Node = { name: m[2]!, attrs, children: [], text: '' };
      top.children.push(node);
      if (!m[4]) stack.push(node);
    }
  }
  if (stack.length !== 1) throw new Error(`<${stack[stack.length - 1]!.name}> is never closed`);
  return root.children[0]!;
}

const all = (node: Node, match: (n: Node) => boolean): Node[] => [...(match(node) ? [node] : []), ...node.children.flatMap((c) => all(c, match))];
const textOf = (node: Node): string => node.text + node.children.map(textOf).join('');

type Widget = { type: string; x: number; y: number; width: number; height: number; properties: Record<string, any> };

const twoListeners = [
  { authentication: 'iam' },
  { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'scram-{id}' },
];

/** Legend labels as CloudWatch gives them: a metric row's `label` or its metric name; an expression's label joined to each series'. */
function expectedLegend(row: any[], seriesLabels: (string | undefined)[]): string[] {
  const options = typeof row[row.length - 1] === 'object' ? row[row.length - 1] : {};
  if (options.expression === undefined) return [options.label || row[1]];
  return seriesLabels.map((s) => [options.label, s].filter(Boolean).join(' '));
}

describe('the dashboard image, drawn from the body the stack deploys', () => {
  // Two clusters, the second with two listeners (as in dashboard.test.ts).
  const body = dashboardBody(parseConfig({ clusters: [clusterEntry(1), clusterEntry(2, { listeners: twoListeners, alarms: { connectionMetric: 'ConnectionCount', connectionQuota: 2000 } })] }));
  const widgets = body.widgets as Widget[];
  const svg = parseXml(renderDashboard(body, modelledSeries));
  const groups = all(svg, (n) => n.attrs.class === 'widget');

  test('every widget is drawn once, at its place on the 24-column grid', () => {
    expect(widgets).toHaveLength(2 * 4 + 3);
    expect(svg.attrs.width).toBe(String(24 * COLUMN_PX));
    expect(groups.map((g) => Number(g.attrs['data-widget']))).toEqual(widgets.map((_, i) => i));
    widgets.forEach((w, i) => {
      const g = groups[i]!;
      expect(g.attrs['data-type']).toBe(w.type);
      expect(g.attrs.transform).toBe(`translate(${w.x * COLUMN_PX + GAP_PX / 2},${w.y * ROW_PX + GAP_PX / 2})`);
      const frame = g.children.find((c) => c.attrs.class === 'frame')!;
      expect([Number(frame.attrs.width), Number(frame.attrs.height)]).toEqual([w.width * COLUMN_PX - GAP_PX, w.height * ROW_PX - GAP_PX]);
    });
    // The widgets' rectangles stay inside the image.
    const maxRow = Math.max(...widgets.map((w) => w.y + w.height));
    expect(Number(svg.attrs.height)).toBeGreaterThan(maxRow * ROW_PX);
  });

  test('each graph shows its whole title, a legend entry per metric with the label CloudWatch would give it, and a line per series', () => {
    const metricWidgets = widgets.map((w, i) => [w, groups[i]!] as const).filter(([w]) => w.type === 'metric');
    expect(metricWidgets).toHaveLength(2 * 3 + 3);
    for (const [w, g] of metricWidgets) {
      const title = all(g, (n) => n.attrs.class === 'title')[0]!;
      expect(title.attrs['data-title']).toBe(w.properties.title);
      expect(title.children.map(textOf).join(' ')).toBe(w.properties.title);

      const rows = w.properties.metrics as any[][];
      const legends = all(g, (n) => n.attrs.class === 'legend');
      expect(legends.map((l) => Number(l.attrs['data-metric']))).toEqual(rows.map((_, i) => i));
      rows.forEach((row, i) => {
        const paths = all(g, (n) => n.name === 'path' && n.attrs['data-metric'] === String(i));
        expect(paths.length).toBeGreaterThan(0);
        for (const p of paths) expect(p.attrs.d).toMatch(/^M[\d.]+ [\d.]+/);
        const shown = all(legends[i]!, (n) => n.name === 'text').map(textOf);
        expect(shown).toEqual(expectedLegend(row, paths.map((p) => p.attrs['data-series']!.split(' ').pop())));
      });
    }
    // The per-broker searches list brokers (SEARCH label ''), the reconcile graph its metric names.
    const legendOf = (fragment: string) => {
      const i = widgets.findIndex((w) => String(w.properties.title ?? '').includes(fragment));
      return all(groups[i]!, (n) => n.attrs.class === 'legend').flatMap((l) => all(l, (n) => n.name === 'text').map(textOf));
    };
    expect(legendOf('orders-1: ClientConnectionCount')).toEqual(['1', '2', '3', '4', '5', '6']);
    expect(legendOf('orders-2: reconciles')).toEqual(['Converged', 'Failed', 'ChangesApplied', 'Conflicts', 'HeldBack', 'DurationMs']);
    expect(legendOf('orders-2: target health, scram')).toEqual(expect.arrayContaining(['healthy boot', 'unhealthy b6']));
  });

  test('every horizontal annotation is a line at its value, higher values higher up, labelled with its label', () => {
    const withLines = widgets.map((w, i) => [w, groups[i]!] as const).filter(([w]) => w.properties.annotations?.horizontal);
    expect(withLines).toHaveLength(4);
    for (const [w, g] of withLines) {
      const annotations = w.properties.annotations.horizontal as { label: string; value: number; color: string }[];
      const lines = all(g, (n) => n.name === 'line' && n.attrs['data-annotation'] !== undefined);
      expect(lines.map((l) => Number(l.attrs['data-value']))).toEqual(annotations.map((a) => a.value));
      for (const [k, l] of lines.entries()) {
        expect(l.attrs.y1).toBe(l.attrs.y2);
        expect(l.attrs.stroke).toBe(annotations[k]!.color);
      }
      const byValue = [...lines].sort((a, b) => Number(a.attrs['data-value']) - Number(b.attrs['data-value']));
      const ys = byValue.map((l) => Number(l.attrs.y1));
      expect(ys).toEqual([...ys].sort((a, b) => b - a));
      const labels = all(g, (n) => n.attrs['data-annotation-label'] !== undefined);
      expect(labels.map((l) => textOf(l))).toEqual(annotations.map((a) => a.label));
    }
    // The 80 % and 100 % lines of the connection graph.
    const count = withLines.find(([w]) => w.properties.title.includes('orders-1: ClientConnectionCount'))!;
    expect(all(count[1], (n) => n.attrs['data-annotation-label'] !== undefined).map(textOf)).toEqual(['80% of quota (alarm)', 'quota 3000']);
  });

  test("text widgets show their markdown as plain text: the heading, the cluster's ARN and domain", () => {
    const texts = widgets.map((w, i) => [w, groups[i]!] as const).filter(([w]) => w.type === 'text');
    expect(texts).toHaveLength(2);
    for (const [n, [, g]] of texts.entries()) {
      const lines = all(g, (x) => x.name === 'text');
      expect(lines[0]!.attrs['font-weight']).toBe('bold');
      expect(textOf(lines[0]!)).toBe(`orders-${n + 1}`);
      const rest = lines.slice(1).map(textOf).join(' ');
      expect(rest).toContain(clusterEntry(n + 1).clusterArn);
      expect(rest).toContain(`brokers under kafka-${n + 1}.example.com`);
      expect(rest).not.toMatch(/[`#]/);
    }
  });

  test('the caption says the lines are modelled data, not a screenshot', () => {
    expect(all(svg, (n) => n.attrs.class === 'caption').map(textOf).join(' ')).toBe(MODELLED_CAPTION);
    expect(MODELLED_CAPTION).toMatch(/^Modelled data, not a screenshot/);
  });
});

describe('what the renderer refuses or escapes', () => {
  const graph = (properties: Record<string, unknown>, type = 'metric') => ({ start: '-PT6H', widgets: [{ type: 'text', x: 0, y: 0, width: 24, height: 1, properties: { markdown: '# hi' } }, { type, x: 0, y: 1, width: 12, height: 6, properties }] });
  const metric = ['AWS/Kafka', 'ConnectionCount', 'Cluster Name', 'c'];

  test('a widget type it does not know is refused, naming the widget, not skipped', () => {
    expect(() => renderDashboard(graph({ alarms: ['arn:aws:cloudwatch:eu-west-1:123456789012:alarm:x'] }, 'alarm'))).toThrow('dashboard widget 1: type "alarm" is not drawn by this renderer (metric and text only): add it to scripts/dashboard/svg.ts');
    expect(() => renderDashboard(graph({ metrics: [metric], view: 'singleValue' }))).toThrow(/widget 1: view "singleValue" is not drawn/);
    expect(() => renderDashboard(graph({ metrics: [metric], annotations: { vertical: [{ value: '2024-01-01T00:00:00Z' }] } }))).toThrow(/widget 1: vertical annotations are not drawn/);
    expect(() => renderDashboard(graph({ title: 'no metrics' }))).toThrow('dashboard widget 1: a metric widget needs a `metrics` array');
    expect(() => renderDashboard({ ...graph({ metrics: [metric] }), start: '2024-01-01T00:00:00Z' })).toThrow(/start: "2024-01-01T00:00:00Z" is not a relative time/);
    expect(() => renderDashboard({ widgets: [{ type: 'text', x: 20, y: 0, width: 6, height: 1, properties: { markdown: 'x' } }], start: '-PT1H' })).toThrow('dashboard widget 0: spans columns 20-26 of a 24-column grid');
  });

  test('hidden metrics have no legend entry; "." repeats the value above; titles, labels and markdown are escaped', () => {
    const nasty = 'a <b> & "c" \'d\'';
    const doc = renderDashboard({
      start: '-PT1H',
      widgets: [
        { type: 'text', x: 0, y: 0, width: 24, height: 1, properties: { markdown: `## ${nasty}` } },
        { type: 'metric', x: 0, y: 1, width: 12, height: 6, properties: {
          title: nasty,
          metrics: [[...metric, { label: nasty }], ['.', '.', '.', 'd', { visible: false }], ['.', 'ClientConnectionCount', '.', 'e']],
          annotations: { horizontal: [{ value: 5, label: nasty }] },
        } },
      ],
    });
    const svg = parseXml(doc);
    const [, g] = all(svg, (n) => n.attrs.class === 'widget');
    expect(all(g!, (n) => n.attrs.class === 'title')[0]!.attrs['data-title']).toBe(nasty);
    expect(all(g!, (n) => n.attrs.class === 'legend').map((l) => [l.attrs['data-metric'], textOf(l).trim()])).toEqual([['0', nasty], ['2', 'ClientConnectionCount']]);
    expect(all(g!, (n) => n.attrs['data-annotation-label'] === '0').map(textOf)).toEqual([nasty]);
    expect(doc).not.toContain('<b>');
  });
});

test('the committed docs/dashboard.svg is what npm run docs:dashboard draws now', () => {
  const current = renderDashboard(dashboardBody(exampleDashboardConfig()), modelledSeries);
  if (readFileSync(DASHBOARD_SVG, 'utf8') !== current) throw new Error('docs/dashboard.svg is not what the dashboard draws now: run npm run docs:dashboard and commit it');
});
