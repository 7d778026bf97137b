// Draws a CloudWatch dashboard body as an SVG, laid out like the console draws it: each widget at
// its place on the 24-column grid, its title, time-series lines with a legend entry per metric or
// expression, horizontal annotation lines with their labels, axes; text widgets' markdown as
// plain text. Pure: the body and an optional data source in, the SVG text out. Elements carry
// data-* attributes so a test can check that every widget of the body was drawn.
import { GRID_COLUMNS, legendLabel, parseDashboard, type Annotation, type MetricRow, type MetricWidget, type TextWidget } from './body';

/** Pixels per grid column and per grid row (the console scales columns to the window; rows are fixed). */
export const COLUMN_PX = 50;
export const ROW_PX = 48;
/** Space between neighbouring widgets, taken from each widget's own rectangle. */
export const GAP_PX = 4;
const FONT = 'Helvetica, Arial, sans-serif';
/** Average advance of a character of a sans-serif font, in em: enough to wrap and place text without a font engine. */
const CHAR_EM = 0.56;
/** d3's category10, the palette CloudWatch's graphs cycle through. */
const PALETTE = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const LEGEND_LINES = 4;

/** One time series a metric or expression row returns: a value per period, oldest first (null: no data point). */
export interface Series { label?: string; values: (number | null)[] }

/** Where the lines come from, and the caption that says so under the image. */
export interface SeriesSource {
  caption: string;
  /** The series a row returns over `points` periods of `row.period` seconds ending now. */
  lines(widget: MetricWidget, row: MetricRow, points: number): Series[];
}

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

const textWidth = (text: string, size: number) => text.length * size * CHAR_EM;
const num = (n: number) => String(Math.round(n * 10) / 10);

/** Greedy word wrap to `width` pixels; a word longer than a line is cut. At most `maxLines`, the last one ending in "…" when text was left over. */
export function wrap(text: string, width: number, size: number, maxLines = Infinity): string[] {
  const perLine = Math.max(1, Math.floor(width / (size * CHAR_EM)));
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    let rest = word;
    while (rest) {
      const candidate = line ? `${line} ${rest}` : rest;
      if (candidate.length <= perLine) { line = candidate; rest = ''; continue; }
      if (line) { lines.push(line); line = ''; continue; }
      lines.push(rest.slice(0, perLine));
      rest = rest.slice(perLine);
    }
  }
  if (line) lines.push(line);
  if (lines.length <= maxLines) return lines;
  const kept = lines.slice(0, maxLines);
  kept[maxLines - 1] = `${kept[maxLines - 1]!.slice(0, perLine - 1)}…`;
  return kept;
}

const text = (x: number, y: number, content: string, attrs: Record<string, string | number> = {}) =>
  `<text x="${num(x)}" y="${num(y)}"${Object.entries(attrs).map(([k, v]) => ` ${k}="${escapeXml(String(v))}"`).join('')}>${escapeXml(content)}</text>`;

/** Round steps (1, 2, 2.5, 5 × 10^n) from `min` to at least `max`, about `count` of them. */
export function niceTicks(min: number, max: number, count = 4): number[] {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * magnitude).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let v = Math.floor(min / step) * step; v < max + step * 0.999; v += step) ticks.push(Math.round(v * 1e6) / 1e6);
  return ticks;
}

const tickLabel = (v: number) => (Math.abs(v) >= 1000 ? `${num(v / 1000)}k` : num(v));

interface Drawn { label: string; color: string; values: (number | null)[]; row: MetricRow }

/** The y range an axis needs: its data and, on the left, every annotation, unless `yAxis` fixes min or max. */
function axisRange(values: number[], axis: { min?: number; max?: number }): { min: number; max: number; ticks: number[] } {
  const lo = axis.min ?? Math.min(0, ...values);
  const hi = axis.max ?? Math.max(lo + 1, ...values);
  const ticks = niceTicks(lo, hi);
  return { min: axis.min ?? ticks[0]!, max: axis.max ?? ticks[ticks.length - 1]!, ticks: ticks.filter((t) => t >= (axis.min ?? -Infinity) && t <= (axis.max ?? Infinity)) };
}

/** Legend items flowed into lines under the plot; what does not fit in LEGEND_LINES becomes "+N more". */
function legendLayout(items: Drawn[], width: number, size: number): { rows: { item: Drawn; x: number; line: number }[]; more: number; lines: number } {
  const placed: { item: Drawn; x: number; line: number }[] = [];
  let x = 0;
  let line = 0;
  for (const [i, item] of items.entries()) {
    const w = 14 + textWidth(item.label, size) + 10;
    if (x > 0 && x + w > width) { line++; x = 0; }
    if (line >= LEGEND_LINES) return { rows: placed, more: items.length - i, lines: LEGEND_LINES };
    placed.push({ item, x, line });
    x += w;
  }
  return { rows: placed, more: 0, lines: items.length ? line + 1 : 0 };
}

function metricWidget(widget: MetricWidget, windowSeconds: number, source: SeriesSource | undefined): string[] {
  const w = widget.width * COLUMN_PX - GAP_PX;
  const h = widget.height * ROW_PX - GAP_PX;
  const out: string[] = [];
  const titleLines = wrap(widget.title, w - 16, 12, 2);
  out.push(`<text class="title" x="8" y="18" font-size="12" font-weight="bold" fill="#16191f" data-title="${escapeXml(widget.title)}">${titleLines.map((l, i) => `<tspan x="8" dy="${i ? 15 : 0}">${escapeXml(l)}</tspan>`).join('')}</text>`);

  // Every row's series, coloured in order through the palette (a row's own colour goes to its first series).
  const drawn: Drawn[] = [];
  const legendGroups: { row: MetricRow; items: Drawn[] }[] = [];
  for (const row of widget.rows) {
    const points = Math.max(1, Math.round(windowSeconds / row.period));
    const series = source ? source.lines(widget, row, points) : [];
    const items = series.map((s, i): Drawn => ({
      // A metric row is one time series; an expression's each carry their own label (a SEARCH's: what tells them apart).
      label: legendLabel(row, row.expression ? s.label : undefined),
      color: (i === 0 && row.color) || PALETTE[(drawn.length + i) % PALETTE.length]!,
      values: s.values,
      row,
    }));
    // No data: the console still lists the metric in the legend.
    const legend = items.length ? items : [{ label: legendLabel(row), color: row.color ?? PALETTE[drawn.length % PALETTE.length]!, values: [], row }];
    drawn.push(...items);
    legendGroups.push({ row, items: legend });
  }

  const legendSize = 10;
  const plotLeft = 40;
  const hasRight = widget.rows.some((r) => r.yAxis === 'right');
  const plotRight = w - (hasRight ? 40 : 12);
  const plotTop = 18 + titleLines.length * 15 + 4;
  const legend = legendLayout(legendGroups.flatMap((g) => g.items), w - 16, legendSize);
  const plotBottom = h - 8 - legend.lines * 13 - 16;
  const plotWidth = plotRight - plotLeft;
  const plotHeight = plotBottom - plotTop;

  const values = (side: 'left' | 'right') => drawn.filter((d) => d.row.yAxis === side).flatMap((d) => d.values.filter((v): v is number => v !== null));
  const left = axisRange([...values('left'), ...widget.annotations.map((a) => a.value)], widget.yAxis.left);
  const right = hasRight ? axisRange(values('right'), widget.yAxis.right) : undefined;
  const yOf = (v: number, range: { min: number; max: number }) => plotBottom - ((v - range.min) / (range.max - range.min)) * plotHeight;

  // Axes: grid lines at the left axis's ticks, the right axis's labels at its own.
  out.push('<g class="axes" font-size="9" fill="#5f6b7a">');
  for (const t of left.ticks) {
    out.push(`<line x1="${plotLeft}" x2="${num(plotRight)}" y1="${num(yOf(t, left))}" y2="${num(yOf(t, left))}" stroke="#e9ebed"/>`);
    out.push(text(plotLeft - 4, yOf(t, left) + 3, tickLabel(t), { 'text-anchor': 'end', 'data-axis': 'left' }));
  }
  for (const t of right?.ticks ?? []) out.push(text(plotRight + 4, yOf(t, right!) + 3, tickLabel(t), { 'data-axis': 'right' }));
  if (widget.yAxis.left.label) out.push(text(10, plotTop - 4, widget.yAxis.left.label));
  const hours = windowSeconds / 3600;
  const hourStep = Math.max(1, Math.ceil(hours / 6));
  for (let back = Math.floor(hours / hourStep) * hourStep; back >= 0; back -= hourStep) {
    const x = plotRight - (back * 3600 / windowSeconds) * plotWidth;
    out.push(text(x, plotBottom + 12, back ? `-${back}h` : 'now', { 'text-anchor': back === 0 ? 'end' : 'middle', 'data-axis': 'time' }));
  }
  out.push(`<line x1="${plotLeft}" x2="${num(plotRight)}" y1="${num(plotBottom)}" y2="${num(plotBottom)}" stroke="#879596"/>`);
  out.push('</g>');

  // Lines: a path per series, broken where a period has no data point.
  for (const d of drawn) {
    const range = d.row.yAxis === 'right' ? right! : left;
    const step = d.values.length > 1 ? plotWidth / (d.values.length - 1) : 0;
    let path = '';
    let pen = false;
    d.values.forEach((v, i) => {
      if (v === null) { pen = false; return; }
      // The middle of a flat run adds nothing to the line (and most target health lines are flat).
      if (pen && d.values[i - 1] === v && d.values[i + 1] === v) return;
      path += `${pen ? 'L' : 'M'}${num(plotLeft + i * step)} ${num(yOf(v, range))}`;
      pen = true;
    });
    out.push(`<path data-series="${escapeXml(d.label)}" data-metric="${d.row.index}" d="${path}" fill="none" stroke="${escapeXml(d.color)}" stroke-width="1.3"/>`);
  }

  out.push(...annotations(widget.annotations, (v) => yOf(v, left), plotLeft, plotRight, plotTop, plotBottom));

  // Legend: a group per metric or expression row, an item per series it returns.
  const legendTop = h - 8 - legend.lines * 13 + 9;
  for (const group of legendGroups) {
    const placed = legend.rows.filter((r) => group.items.includes(r.item));
    const label = group.items.map((i) => i.label).join(', ');
    out.push(`<g class="legend" data-legend="${escapeXml(label)}" data-metric="${group.row.index}"${group.row.id ? ` data-id="${escapeXml(group.row.id)}"` : ''} font-size="${legendSize}" fill="#16191f">`);
    for (const p of placed) {
      const y = legendTop + p.line * 13;
      out.push(`<rect x="${num(8 + p.x)}" y="${num(y - 8)}" width="10" height="3" fill="${escapeXml(p.item.color)}"/>`);
      out.push(text(8 + p.x + 14, y, p.item.label));
    }
    out.push('</g>');
  }
  if (legend.more) out.push(text(w - 8, h - 6, `+${legend.more} more`, { 'font-size': legendSize, 'text-anchor': 'end', fill: '#5f6b7a' }));
  return out;
}

/** Horizontal annotation lines, dashed in their colour, each labelled at its right end; labels pushed apart where lines are close. */
function annotations(lines: Annotation[], yOf: (v: number) => number, left: number, right: number, top: number, bottom: number): string[] {
  const size = 9;
  const placed = lines.map((a, i) => ({ a, i, y: yOf(a.value), labelY: yOf(a.value) - 2 })).sort((p, q) => q.y - p.y);
  // From the bottom up: each label at least a line above the one below it, inside the plot.
  for (let k = 0; k < placed.length; k++) {
    const below = placed[k - 1];
    placed[k]!.labelY = Math.max(top + size, Math.min(placed[k]!.labelY, below ? below.labelY - size - 2 : bottom - 2));
  }
  placed.sort((p, q) => p.i - q.i);
  const color = (a: Annotation) => a.color ?? '#879596';
  // Every line first, then the labels, so that no line is drawn across another line's label.
  return [
    ...placed.map(({ a, i, y }) => `<line data-annotation="${i}" data-value="${a.value}" x1="${left}" x2="${num(right)}" y1="${num(y)}" y2="${num(y)}" stroke="${escapeXml(color(a))}" stroke-dasharray="5 3"/>`),
    ...placed.map(({ a, i, labelY }) => `<g data-annotation-label="${i}">`
      // A white box keeps the label readable where it crosses a data line.
      + `<rect x="${num(right - 5 - textWidth(a.label, size))}" y="${num(labelY - size + 1)}" width="${num(textWidth(a.label, size) + 4)}" height="${size + 1}" fill="#ffffff" fill-opacity="0.85"/>`
      + text(right - 3, labelY, a.label, { 'font-size': size, 'text-anchor': 'end', fill: color(a) })
      + '</g>'),
  ];
}

/** Markdown as plain text: headings bold and larger, code and emphasis marks dropped, links as their text. */
export function markdownLines(markdown: string): { text: string; heading: boolean }[] {
  return markdown.split('\n').filter((l) => l.trim()).map((line) => {
    const heading = /^#{1,6}\s/.test(line);
    const plain = line.replace(/^#{1,6}\s+/, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/`|\*\*|__/g, '');
    return { text: plain, heading };
  });
}

function textWidget(widget: TextWidget): string[] {
  const w = widget.width * COLUMN_PX - GAP_PX;
  const out: string[] = [];
  let y = 8;
  for (const line of markdownLines(widget.markdown)) {
    const size = line.heading ? 16 : 11;
    for (const part of wrap(line.text, w - 16, size)) {
      y += size + 4;
      out.push(text(8, y, part, { 'font-size': size, ...(line.heading ? { 'font-weight': 'bold' } : {}), fill: '#16191f' }));
    }
  }
  return out;
}

/** The dashboard as an SVG document. Throws on a widget type, view or option it cannot draw, naming the widget. */
export function renderDashboard(body: unknown, source?: SeriesSource): string {
  const dashboard = parseDashboard(body);
  const width = GRID_COLUMNS * COLUMN_PX;
  const gridHeight = dashboard.rows * ROW_PX;
  const caption = wrap(source?.caption ?? 'No data: the layout of the dashboard body only.', width - 16, 11);
  const height = gridHeight + 8 + caption.length * 15;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" data-widgets="${dashboard.widgets.length}">`,
    `<rect width="${width}" height="${height}" fill="#f2f3f3"/>`,
  ];
  for (const widget of dashboard.widgets) {
    const px = { x: widget.x * COLUMN_PX, y: widget.y * ROW_PX, width: widget.width * COLUMN_PX - GAP_PX, height: widget.height * ROW_PX - GAP_PX };
    out.push(`<g class="widget" data-widget="${widget.index}" data-type="${widget.type}" data-grid="${widget.x},${widget.y},${widget.width},${widget.height}" transform="translate(${px.x + GAP_PX / 2},${px.y + GAP_PX / 2})">`);
    out.push(`<rect class="frame" x="0" y="0" width="${px.width}" height="${px.height}" fill="#ffffff" stroke="#d5dbdb"/>`);
    out.push(...(widget.type === 'metric' ? metricWidget(widget, dashboard.windowSeconds, source) : textWidget(widget)));
    out.push('</g>');
  }
  caption.forEach((line, i) => out.push(text(8, gridHeight + 14 + i * 15, line, { 'font-size': 11, 'font-style': 'italic', fill: '#5f6b7a', class: 'caption' })));
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
