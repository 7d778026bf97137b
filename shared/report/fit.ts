import Table from 'cli-table3';

// Tables that fit the terminal (the CLI passes its width; unset = as wide as the content, which is
// what the Lambda, pipes and files get). First the wrappable columns wrap, widest first; when that
// is not enough, columns are hidden in the given order and a note names them (--wide shows all).

export interface TableLayout {
  /** Columns of the terminal; unset: no limit. */
  width?: number;
}

export interface TableSpec {
  head: string[];
  rows: string[][];
  /** Columns (by index) whose cells may wrap onto several lines. */
  wrap: number[];
  /** Columns (by index) hidden, in this order, when wrapping is not enough. */
  drop?: number[];
  /** Why hidden columns may go unseen, e.g. "every row ok". */
  dropNote?: string;
  chars?: Record<string, string>;
}

/** Narrowest a wrapped column gets (content characters). */
const MIN_WRAP = 12;

const cellWidth = (text: string) => Math.max(0, ...text.split('\n').map((l) => l.length));

export function renderTable(spec: TableSpec, layout: TableLayout = {}): string {
  const style = { head: [] as string[], border: [] as string[] };
  const plain = () => {
    const table = new Table({ head: spec.head, style, chars: spec.chars });
    table.push(...spec.rows);
    return table.toString();
  };
  const limit = layout.width;
  if (!limit) return plain();

  let shown = spec.head.map((_, i) => i);
  const hidden: number[] = [];
  for (;;) {
    // Content width per shown column; a table is the sum plus 1 padding each side and a border between.
    const natural = shown.map((c) => Math.max(cellWidth(spec.head[c]), ...spec.rows.map((r) => cellWidth(r[c] ?? ''))));
    const total = (widths: number[]) => widths.reduce((a, w) => a + w + 2, 0) + widths.length + 1;
    let excess = total(natural) - limit;
    if (excess <= 0 && !hidden.length) return plain();
    const widths = [...natural];
    const wrappable = shown.map((c, i) => (spec.wrap.includes(c) ? i : -1)).filter((i) => i >= 0);
    const floor = (i: number) => Math.min(natural[i], Math.max(MIN_WRAP, cellWidth(spec.head[shown[i]])));
    const room = wrappable.reduce((a, i) => a + natural[i] - floor(i), 0);
    const nextDrop = (spec.drop ?? []).find((c) => shown.includes(c));
    if (excess > room && nextDrop !== undefined) {
      shown = shown.filter((c) => c !== nextDrop);
      hidden.push(nextDrop);
      continue;
    }
    // Narrow the widest wrappable column, one character at a time, until it fits (or nothing more gives).
    while (excess > 0) {
      const widest = wrappable.filter((i) => widths[i] > floor(i)).sort((a, b) => widths[b] - widths[a])[0];
      if (widest === undefined) break;
      widths[widest] -= 1;
      excess -= 1;
    }
    const table = new Table({ head: shown.map((c) => spec.head[c]), style, chars: spec.chars });
    table.push(...spec.rows.map((r) => shown.map((c, i) => wrapText(r[c] ?? '', widths[i]))));
    const note = hidden.length
      ? `\n(${hidden.map((c) => spec.head[c]).join(', ')} hidden to fit ${limit} columns${spec.dropNote ? `: ${spec.dropNote}` : ''}; --wide shows every column)`
      : '';
    return table.toString() + note;
  }
}

/** Greedy word wrap at spaces; a word longer than the line breaks after a dot, comma, = or / (DNS names, ARNs), else anywhere: never cut short. */
export function wrapText(text: string, width: number): string {
  if (text.length <= width) return text;
  const lines: string[] = [];
  let line = '';
  for (let word of text.split(' ')) {
    if (line && line.length + 1 + word.length <= width) {
      line += ` ${word}`;
      continue;
    }
    if (line) lines.push(line), (line = '');
    while (word.length > width) {
      const head = word.slice(0, width);
      const cut = Math.max(...['.', ',', '=', '/'].map((c) => head.lastIndexOf(c))) + 1;
      const at = cut > width / 3 ? cut : width;
      lines.push(word.slice(0, at));
      word = word.slice(at);
    }
    line = word;
  }
  if (line) lines.push(line);
  return lines.join('\n');
}
