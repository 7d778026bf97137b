// Reads a CloudWatch dashboard body (the JSON `dashboardBody` in shared/stack/dashboard.ts
// produces) into what a drawing needs: each widget's grid rectangle, title, time window, the
// metrics it graphs with the labels CloudWatch would give them, its horizontal annotations and
// axes. Follows AWS's "Dashboard Body Structure and Syntax" (CloudWatch API reference). Pure; a
// widget type or view it does not know is refused, never skipped, so the image cannot silently
// leave a graph out.

/** "The dashboard is a grid of 24 columns" (Dashboard Body Structure and Syntax, widgets: `width`, "Valid Values: 1–24"). */
export const GRID_COLUMNS = 24;
/** The metric widget's `period` default: "The default is 300" seconds (Dashboard Body Structure and Syntax). */
const DEFAULT_PERIOD_SECONDS = 300;

export interface Annotation { label: string; value: number; color?: string }

/** One row of `properties.metrics`: a metric (namespace, name, dimension pairs) or an expression. */
export interface MetricRow {
  /** The row's place in `properties.metrics`. */
  index: number;
  id?: string;
  expression?: string;
  namespace?: string;
  metricName?: string;
  dimensions: Record<string, string>;
  /** `label` as written; `undefined` when absent (CloudWatch then generates one). */
  label?: string;
  stat: string;
  period: number;
  yAxis: 'left' | 'right';
  color?: string;
}

export interface Axis { min?: number; max?: number; label?: string }

export interface MetricWidget {
  type: 'metric';
  index: number;
  x: number; y: number; width: number; height: number;
  title: string;
  rows: MetricRow[];
  annotations: Annotation[];
  yAxis: { left: Axis; right: Axis };
  period: number;
}

export interface TextWidget {
  type: 'text';
  index: number;
  x: number; y: number; width: number; height: number;
  markdown: string;
}

export type DashboardWidget = MetricWidget | TextWidget;

export interface ParsedDashboard {
  widgets: DashboardWidget[];
  /** The time range the graphs show, from `start` (e.g. "-PT6H"). */
  windowSeconds: number;
  /** Grid rows the widgets take. */
  rows: number;
}

const fail = (where: string, what: string): never => {
  throw new Error(`dashboard ${where}: ${what}`);
};

/**
 * `-PT6H`, `-PT30M`, `-P1D`, `-P1DT12H`: a relative `start` ("must begin with -P"). Without one,
 * "the dashboard shows the default time range when it loads", which a file cannot know: refused.
 */
export function windowSeconds(start: unknown): number {
  const m = typeof start === 'string' ? /^-P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(start) : null;
  const seconds = m ? Number(m[1] ?? 0) * 86400 + Number(m[2] ?? 0) * 3600 + Number(m[3] ?? 0) * 60 + Number(m[4] ?? 0) : 0;
  if (!seconds) fail('start', `${JSON.stringify(start)} is not a relative time such as "-PT6H": the renderer draws relative windows only`);
  return seconds;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Expands one row of `metrics`. "." repeats the value at the same position in the row above and
 * "..." the row above's values up to where this row's own begin (metrics array format).
 */
function expandRow(raw: unknown, previous: unknown[] | undefined, where: string): { values: unknown[]; options: Record<string, unknown> } {
  if (!Array.isArray(raw) || raw.length === 0) return fail(where, 'a metrics row must be a non-empty array');
  const options = isObject(raw[raw.length - 1]) ? raw[raw.length - 1] as Record<string, unknown> : {};
  let values = isObject(raw[raw.length - 1]) ? raw.slice(0, -1) : raw.slice();
  if (values[0] === '...') {
    if (!previous) fail(where, '"..." needs a row above it');
    values = [...previous!.slice(0, previous!.length - (values.length - 1)), ...values.slice(1)];
  }
  values = values.map((v, i) => {
    if (v !== '.') return v;
    if (previous?.[i] === undefined) fail(where, `"." at position ${i} has no value above it`);
    return previous![i];
  });
  return { values, options };
}

function parseRows(props: Record<string, unknown>, where: string, widgetStat: string, widgetPeriod: number): MetricRow[] {
  const raw = props.metrics;
  if (!Array.isArray(raw)) fail(where, 'a metric widget needs a `metrics` array');
  const rows: MetricRow[] = [];
  let previous: unknown[] | undefined;
  (raw as unknown[]).forEach((entry, index) => {
    const at = `${where}, metrics[${index}]`;
    const { values, options } = expandRow(entry, previous, at);
    previous = values;
    if (options.visible === false) return;
    const common = {
      index,
      id: typeof options.id === 'string' ? options.id : undefined,
      label: typeof options.label === 'string' ? options.label : undefined,
      stat: typeof options.stat === 'string' ? options.stat : widgetStat,
      period: typeof options.period === 'number' ? options.period : widgetPeriod,
      yAxis: options.yAxis === 'right' ? 'right' as const : 'left' as const,
      color: typeof options.color === 'string' ? options.color : undefined,
    };
    if (typeof options.expression === 'string') {
      if (values.length) fail(at, 'an expression row holds only its options object');
      rows.push({ ...common, expression: options.expression, dimensions: {} });
      return;
    }
    const [namespace, metricName, ...pairs] = values;
    if (typeof namespace !== 'string' || typeof metricName !== 'string' || pairs.length % 2 !== 0 || pairs.some((p) => typeof p !== 'string')) {
      fail(at, 'a metric row is [namespace, metric name, dimension name, value, …, {options}]');
    }
    const dimensions: Record<string, string> = {};
    for (let i = 0; i < pairs.length; i += 2) dimensions[pairs[i] as string] = pairs[i + 1] as string;
    rows.push({ ...common, namespace: namespace as string, metricName: metricName as string, dimensions });
  });
  return rows;
}

function parseAxis(raw: unknown): Axis {
  if (!isObject(raw)) return {};
  return {
    min: typeof raw.min === 'number' ? raw.min : undefined,
    max: typeof raw.max === 'number' ? raw.max : undefined,
    label: typeof raw.label === 'string' ? raw.label : undefined,
  };
}

function parseWidget(raw: unknown, index: number): DashboardWidget {
  const where = `widget ${index}`;
  if (!isObject(raw)) return fail(where, 'not an object');
  const { type, x, y, width, height } = raw;
  const props = isObject(raw.properties) ? raw.properties : fail(where, 'has no `properties` object');
  for (const [name, value] of Object.entries({ x, y, width, height })) {
    if (!Number.isInteger(value) || (value as number) < 0) fail(where, `${name} must be a whole number of grid units, not ${JSON.stringify(value)}`);
  }
  const rect = { index, x: x as number, y: y as number, width: width as number, height: height as number };
  if (rect.width < 1 || rect.x + rect.width > GRID_COLUMNS) fail(where, `spans columns ${rect.x}-${rect.x + rect.width} of a ${GRID_COLUMNS}-column grid`);
  if (type === 'text') {
    if (typeof props.markdown !== 'string') fail(where, 'a text widget needs `markdown`');
    return { type: 'text', ...rect, markdown: props.markdown as string };
  }
  if (type === 'metric') {
    const view = props.view ?? 'timeSeries';
    if (view !== 'timeSeries') fail(where, `view "${String(view)}" is not drawn by this renderer (timeSeries only): add it to scripts/dashboard/svg.ts`);
    if (props.stacked === true) fail(where, 'stacked graphs are not drawn by this renderer: add them to scripts/dashboard/svg.ts');
    const period = typeof props.period === 'number' ? props.period : DEFAULT_PERIOD_SECONDS;
    const annotations = isObject(props.annotations) ? props.annotations : {};
    if (annotations.vertical !== undefined) fail(where, 'vertical annotations are not drawn by this renderer: add them to scripts/dashboard/svg.ts');
    const horizontal = annotations.horizontal ?? [];
    if (!Array.isArray(horizontal)) fail(where, 'annotations.horizontal must be an array');
    const lines = (horizontal as unknown[]).map((a, i): Annotation => {
      if (!isObject(a) || typeof a.value !== 'number') return fail(`${where}, annotations.horizontal[${i}]`, 'needs a numeric `value`');
      // A band ([{value}, {value}]) or a line on the right axis would be drawn wrongly: refuse.
      if (a.yAxis === 'right' || a.fill !== undefined) fail(`${where}, annotations.horizontal[${i}]`, 'only lines on the left axis are drawn by this renderer');
      return { label: typeof a.label === 'string' ? a.label : '', value: a.value, color: typeof a.color === 'string' ? a.color : undefined };
    });
    const yAxis = isObject(props.yAxis) ? props.yAxis : {};
    return {
      type: 'metric', ...rect,
      title: typeof props.title === 'string' ? props.title : '',
      rows: parseRows(props, where, typeof props.stat === 'string' ? props.stat : 'Average', period),
      annotations: lines,
      yAxis: { left: parseAxis(yAxis.left), right: parseAxis(yAxis.right) },
      period,
    };
  }
  return fail(where, `type ${JSON.stringify(type)} is not drawn by this renderer (metric and text only): add it to scripts/dashboard/svg.ts`);
}

export function parseDashboard(body: unknown): ParsedDashboard {
  if (!isObject(body) || !Array.isArray(body.widgets)) return fail('body', 'needs a `widgets` array');
  const widgets = body.widgets.map(parseWidget);
  return { widgets, windowSeconds: windowSeconds(body.start), rows: Math.max(0, ...widgets.map((w) => w.y + w.height)) };
}

/**
 * The dimension values that tell a search's time series apart. CloudWatch: without a `label`, "the
 * metric is given an autogenerated label that distinguishes it from the other metrics in the
 * widget" (Dashboard Body Structure and Syntax, metrics array format: label).
 */
export function legendLabel(row: MetricRow, seriesLabel?: string): string {
  // "If this expression evaluates to more than one time series, each time series will appear in the
  // graph using a combination of the expression label and the individual metric label. Specify the
  // empty string ('') to suppress the expression label" (CloudWatch, via the CDK SearchExpression docs).
  if (seriesLabel !== undefined) return row.label ? `${row.label} ${seriesLabel}` : seriesLabel;
  if (row.label) return row.label;
  return row.metricName ?? row.id ?? row.expression ?? '';
}
