import Table from 'cli-table3';
import type { Check, CheckName, EndpointChecks } from '../check';
import { COMPACT } from './plan';

const COLUMNS: CheckName[] = ['listener', 'cross-zone', 'targets', 'zone', 'public-access', 'broker-ingress', 'ingress', 'dns', 'certificate', 'advertised', 'probe'];

/** One row per endpoint, one column per check (ok / FAIL), then each failure with what was found. */
export function formatChecks(clusterName: string, rows: EndpointChecks[]): string {
  const used = COLUMNS.filter((name) => rows.some((r) => r.checks.some((c) => c.name === name)));
  const table = new Table({ head: ['endpoint', 'name', ...used], chars: COMPACT, style: { head: [], border: [] } });
  for (const row of rows) {
    const cell = (name: CheckName) => {
      const check = row.checks.find((c) => c.name === name);
      return check ? (check.ok ? 'ok' : 'FAIL') : '';
    };
    table.push([row.endpoint, `${row.host}:${row.port}`, ...used.map(cell)]);
  }
  const failures = rows.flatMap((r) => r.checks.filter((c) => !c.ok).map((c: Check) => `  - ${r.endpoint} ${c.name}: ${c.detail}`));
  const verdict = failures.length ? `${failures.length} check(s) failed:\n${failures.join('\n')}` : `Every check passed for ${rows.length} endpoint(s).`;
  return `Data path of ${clusterName}\n${table.toString()}\n${verdict}`;
}
