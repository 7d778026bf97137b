import type { Check, CheckName, EndpointChecks } from '../check';
import { COMPACT } from './plan';
import { renderTable, type TableLayout } from './fit';

const COLUMNS: CheckName[] = ['listener', 'cross-zone', 'targets', 'zone', 'public-access', 'broker-ingress', 'ingress', 'dns', 'certificate', 'advertised', 'probe'];

/** One row per endpoint, one column per check (ok / FAIL), then each failure with what was found. */
export function formatChecks(clusterName: string, rows: EndpointChecks[], layout?: TableLayout): string {
  const used = COLUMNS.filter((name) => rows.some((r) => r.checks.some((c) => c.name === name)));
  const cells: string[][] = [];
  for (const row of rows) {
    const cell = (name: CheckName) => {
      const check = row.checks.find((c) => c.name === name);
      return check ? (check.ok ? 'ok' : 'FAIL') : '';
    };
    cells.push([row.endpoint, `${row.host}:${row.port}`, ...used.map(cell)]);
  }
  const failures = rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c: Check) => `  - ${r.endpoint} ${c.name}: ${c.detail}`));
  const verdict = failures.length ? `${failures.length} check(s) failed:\n${failures.join('\n')}` : `Every check passed for ${rows.length} endpoint(s).`;
  // Narrow terminals: the name wraps, then check columns where every endpoint passed are hidden (last first): a failure always shows.
  const allOk = used.map((_, i) => (cells.every((c) => c[i + 2] === 'ok') ? i + 2 : -1)).filter((i) => i >= 0).reverse();
  const table = renderTable({ head: ['endpoint', 'name', ...used], rows: cells, wrap: [1], drop: allOk, dropNote: 'every endpoint ok', chars: COMPACT }, layout);
  return `Data path of ${clusterName}\n${table}\n${verdict}`;
}
