import type { AdoptOutcome } from '../apply/adopt';
import { describeAdoptStep } from '../plan/adopt';

/** The adopt transcript: what is (or would be) taken over, what is not and why, what was already the tool's. */
export function formatAdoption(clusterName: string, outcome: AdoptOutcome, applied: boolean): string {
  const { plan, done } = outcome;
  const lines = [`Cluster ${clusterName}: ${applied ? 'adopted' : 'would adopt'} ${plan.steps.length} resource(s)${applied ? '' : ' (dry run: nothing written; run with --apply)'}`];
  for (const step of applied ? done : plan.steps) lines.push(`  + ${describeAdoptStep(step)}`);
  if (plan.notAdopted.length) {
    lines.push(`Not adopted (${plan.notAdopted.length}), left as they are:`);
    for (const n of plan.notAdopted) lines.push(`  ! ${n.resource}: ${n.reason}`);
  }
  if (plan.owned.length) lines.push(`Already the tool's: ${plan.owned.length} (${plan.owned.join(', ')})`);
  if (applied) lines.push('Nothing a client uses changed. Run `plan` to see what the tool still wants to change (e.g. record type, TTL, health checks).');
  return lines.join('\n');
}
