import type { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import type { Clock } from '../clock';
import { pollUntil, type FollowOptions } from '../follow';
import { readTargets } from '../observe/elbv2';
import type { Action } from '../plan/types';
import { resolveGroup, type CreatedGroups } from './elbv2';

type Gate = Extract<Action, { type: 'await-target-health' }>;

/** A new target needs interval x healthy threshold (the tool's groups: 10 s x 2) before it is healthy. */
export const DEFAULT_HEALTH_WAIT: FollowOptions = { pollSeconds: 10, maxSeconds: 300 };

/**
 * Polls the gate's targets until every endpoint (a target's `resource`) has a healthy one, or the
 * time is up; returns the states of endpoints that have none yet. One healthy target is enough for
 * an endpoint: a bootstrap name works behind any broker, and a broker's own has only one.
 */
export async function awaitTargetHealth(
  elbv2: ElasticLoadBalancingV2Client,
  gate: Gate,
  created: CreatedGroups,
  wait: FollowOptions,
  clock: Clock,
): Promise<string[]> {
  const read = async () => {
    const states = await Promise.all(
      gate.targets.map(async (t) => {
        const targets = await readTargets(elbv2, resolveGroup(t.targetGroup, created));
        return { target: t, state: targets.find((x) => x.ip === t.ip && x.state !== 'draining')?.state ?? 'not registered' };
      }),
    );
    const served = new Set(states.filter((s) => s.state === 'healthy').map((s) => s.target.resource));
    return states.filter((s) => !served.has(s.target.resource)).map((s) => `${s.target.resource} ${s.target.ip} ${s.state}`);
  };
  return (await pollUntil(read, (notHealthy) => notHealthy.length === 0, wait, clock)).value;
}
