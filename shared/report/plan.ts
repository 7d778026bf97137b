import type { Plan } from '../plan/types';
import { renderTable, type TableLayout } from './fit';
import { planRows, planSummary } from './rows';

export { planRows, planSummary } from './rows';

/** Table borders without a rule between rows: plans get long. */
export const COMPACT = { mid: '', 'left-mid': '', 'mid-mid': '', 'right-mid': '' };

export function formatPlan(plan: Plan, layout?: TableLayout): string {
  const lines = [`Cluster ${plan.clusterName} (${plan.clusterArn})`];
  if (plan.status === 'waiting') lines.push(`  WAITING: ${plan.waitingReason}`);
  const rows = planRows(plan);
  if (rows.length === 0) {
    lines.push('  No changes: load balancer, targets, DNS names and alarms match the brokers.');
  } else {
    // Narrow terminals: the detail wraps first, then the resource names; no column is hidden.
    lines.push(renderTable({ head: ['', 'what', 'for', 'detail'], rows, wrap: [3, 2], chars: COMPACT }, layout), `  Plan: ${planSummary(plan)}.`);
  }
  for (const c of plan.conflicts) lines.push(`  CONFLICT ${c.resource}: ${c.message}`);
  for (const p of plan.pending) lines.push(`  PENDING ${p}`);
  for (const a of plan.awaiting ?? []) lines.push(`  AWAITING ${a}`);
  for (const w of plan.warnings) lines.push(`  WARNING: ${w}`);
  return lines.join('\n');
}
