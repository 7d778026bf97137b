// Modelled data for the dashboard image: not measured, not a screenshot. The world the tests
// run in (test/world) models AWS's APIs and clock but publishes no CloudWatch metric data, so the
// lines come from this deterministic story of the last six hours, shaped by the same figures the
// timed lifecycle story uses (test/support/timed-stories.ts):
//   - the brokers' connections climb towards the 80 % line, so the operator scales out 3 -> 6;
//   - MSK adds the brokers 12 minutes later; the controller creates their target groups, which stay
//     out of service for the NLB's registration time, and clients move over during the next hour;
//   - later, MSK heals broker 2 with a new IP: its connections drop and come back, its target is
//     unhealthy until the controller registers the new address.
// The same body and story always give the same SVG (no clock, no randomness from outside).
import { AWS_TIMING } from '../../test/world/aws-timing';
import { METRICS_NAMESPACE } from '../../shared/report/metrics';
import type { MetricRow, MetricWidget } from './body';
import type { Series, SeriesSource } from './svg';

const MIN = 60;
/** Minutes into the six-hour window (the dashboard's `start: -PT6H`). */
export const STORY = {
  scaleOutRequested: 120,
  /** MSK_STORY_TIMES.joinAfterMs in the timed story: brokers join 12 minutes after UpdateBrokerCount. */
  brokersJoin: 132,
  /** ... and the operation ends 8 minutes later. */
  operationComplete: 140,
  /** Clients move to the new brokers over about an hour (partition reassignment, reconnects). */
  rebalancedAfter: 60,
  broker2Healed: 250,
  /** The healed broker is away this long before it runs again at its new IP (MSK_STORY_TIMES.restartDownMs). */
  healDown: 2,
  /** Target registration until the first health check: AWS_TIMING.registrationDelayMs (NLB guide, "Register targets"). */
  registration: AWS_TIMING.registrationDelayMs / 1000 / MIN,
};
/**
 * Changes the reconcile applies, as the embedded world's reconcile applies them (measured with
 * createScenario: brokers 1-3 set up, then 1-6, then broker 2 replaced): 21 for the scale-out
 * (3 target groups, listeners and registrations, the bootstrap registrations, the records, 9
 * alarms), 4 for the healed broker (deregister and register it in its group and the bootstrap's).
 */
const CHANGES = { scaleOut: 21, heal: 4 };

export const MODELLED_CAPTION = 'Modelled data, not a screenshot: the layout, titles, legends and quota lines are drawn from the dashboard body the stack deploys (shared/stack/dashboard.ts); '
  + `the lines are a generated six-hour story (connections near the 80 % line, scale-out from 3 to 6 brokers at -${(360 - STORY.scaleOutRequested) / 60}h, broker 2 healed with a new IP). `
  + 'Regenerate with npm run docs:dashboard.';

/** A small deterministic PRNG (mulberry32) seeded from a string, for per-line wobble. */
function random(seed: string): () => number {
  let a = [...seed].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Values at the end of each period (minutes into the window), `null` where `f` gives none. */
function sample(points: number, periodSeconds: number, f: (minute: number) => number | null): (number | null)[] {
  const end = points * periodSeconds / MIN;
  return Array.from({ length: points }, (_, i) => {
    const v = f(end - (points - 1 - i) * periodSeconds / MIN);
    return v === null ? null : Math.round(v * 100) / 100;
  });
}

const ramp = (t: number, from: number, minutes: number) => Math.min(1, Math.max(0, (t - from) / minutes));
const joined = (broker: number, t: number) => broker <= 3 || t >= STORY.brokersJoin;
const brokers = (t: number) => (t >= STORY.brokersJoin ? [1, 2, 3, 4, 5, 6] : [1, 2, 3]);
/** Broker 2 is away while healed, then back with its clients returning over ten minutes. */
const healFactor = (broker: number, t: number) => (broker !== 2 || t < STORY.broker2Healed ? 1 : t < STORY.broker2Healed + STORY.healDown ? 0 : ramp(t, STORY.broker2Healed + STORY.healDown, 10));

/** A broker's share of the cluster's connections, as a fraction of the connection quota. */
function connectionShare(broker: number, t: number, wobble: number): number | null {
  if (!joined(broker, t)) return null;
  const moved = ramp(t, STORY.brokersJoin, STORY.rebalancedAfter);
  const growth = 0.62 + 0.15 * Math.min(1, t / STORY.scaleOutRequested) + 0.03 * Math.min(1, Math.max(0, t - STORY.scaleOutRequested) / 240);
  const level = broker <= 3 ? growth * (1 - 0.45 * moved) : growth * 0.9 * moved;
  // While broker 2 is away its clients spread over the others.
  const away = broker !== 2 && t >= STORY.broker2Healed && t < STORY.broker2Healed + 12 ? (1 - healFactor(2, t)) * level / (brokers(t).length - 1) : 0;
  return (level * healFactor(broker, t) + away) * (1 + wobble);
}

/** New connections per second: a trickle, a burst where clients move to new brokers, and one where broker 2's clients reconnect. */
function connectionRate(broker: number, t: number, wobble: number): number | null {
  if (!joined(broker, t)) return null;
  const base = 0.6 + 0.4 * wobble;
  const burst = (at: number, peak: number) => (t >= at ? peak * Math.exp(-(t - at) / 8) : 0);
  const join = broker > 3 ? burst(STORY.brokersJoin + STORY.registration, 9) : burst(STORY.brokersJoin + STORY.registration, 2);
  const heal = broker === 2 ? burst(STORY.broker2Healed + STORY.healDown, 14) : burst(STORY.broker2Healed, 3);
  return Math.max(0, base + join + heal);
}

/** Target health per target group: `boot` holds every broker, `b<n>` broker n. */
function targetHealth(group: string, metric: 'HealthyHostCount' | 'UnHealthyHostCount', t: number): number | null {
  const inService = (broker: number) => joined(broker, t) && t >= (broker > 3 ? STORY.brokersJoin + STORY.registration : 0);
  const unhealthy = (broker: number) => (broker > 3 && t >= STORY.brokersJoin && t < STORY.brokersJoin + STORY.registration)
    || (broker === 2 && t >= STORY.broker2Healed && t < STORY.broker2Healed + STORY.healDown + STORY.registration);
  const members = group === 'boot' ? brokers(t) : [Number(group.slice(1))];
  if (!members.every((b) => joined(b, t))) return null;
  const count = members.filter((b) => (metric === 'HealthyHostCount' ? inService(b) && !unhealthy(b) : unhealthy(b))).length;
  return count;
}

/** The reconciles of one five-minute period: the scale-out's apply waits for target health, so it runs for minutes. */
function reconcile(metric: string, start: number, end: number, wobble: number): number {
  const holds = (at: number) => at >= start && at < end;
  const scaleOut = holds(STORY.brokersJoin);
  const heal = holds(STORY.broker2Healed + STORY.healDown);
  switch (metric) {
    // "Still running" is not converged: MSK's operation, from the request until it completes.
    case 'Converged': return start >= STORY.scaleOutRequested && end <= STORY.operationComplete + 5 ? 0 : 1;
    case 'ChangesApplied': return scaleOut ? CHANGES.scaleOut : heal ? CHANGES.heal : 0;
    case 'DurationMs': return scaleOut ? STORY.registration * MIN * 1000 + 9000 * (1 + wobble) : heal ? 6000 * (1 + wobble) : 1400 * (1 + wobble);
    default: return 0; // Failed, Conflicts, HeldBack: none in this story.
  }
}

/** The value of a `Name="value"` (or bare `Name=value`) term in a SEARCH expression. */
const term = (expression: string, name: string) => new RegExp(`"?${name}"?="?([^"\\s']+)"?`).exec(expression)?.[1];

/** The modelled series for a dashboard this project's stack generates; rows it does not recognise get no data. */
export const modelledSeries: SeriesSource = {
  caption: MODELLED_CAPTION,
  lines(widget: MetricWidget, row: MetricRow, points: number): Series[] {
    const metricName = row.expression ? term(row.expression, 'MetricName') : row.metricName;
    const cluster = row.expression ? term(row.expression, 'Cluster Name') ?? '' : row.dimensions.ClusterArn ?? '';
    const quota = Math.max(0, ...widget.annotations.map((a) => a.value));
    const perPeriod = (seed: string, f: (t: number, wobble: () => number) => number | null) => {
      const next = random(seed);
      return sample(points, row.period, (t) => f(t, () => (next() - 0.5) * 0.06));
    };
    if (metricName === 'ClientConnectionCount' || metricName === 'ConnectionCount') {
      return [1, 2, 3, 4, 5, 6].map((b) => ({ label: String(b), values: perPeriod(`${cluster}/${b}`, (t, w) => { const s = connectionShare(b, t, w()); return s === null ? null : Math.round(s * quota); }) }));
    }
    if (metricName === 'ConnectionCreationRate') {
      return [1, 2, 3, 4, 5, 6].map((b) => ({ label: String(b), values: perPeriod(`${cluster}/rate/${b}`, (t, w) => connectionRate(b, t, w() * 8)) }));
    }
    if (metricName === 'HealthyHostCount' || metricName === 'UnHealthyHostCount') {
      // Labelled by what tells the groups apart: the role at the end of the tool's target group names (naming.ts).
      return ['boot', 'b1', 'b2', 'b3', 'b4', 'b5', 'b6'].map((g) => ({ label: g, values: perPeriod(g, (t) => targetHealth(g, metricName, t)) }));
    }
    if (row.namespace === METRICS_NAMESPACE && metricName) {
      const next = random(`${cluster}/${metricName}`);
      return [{ values: sample(points, row.period, (t) => reconcile(metricName, t - row.period / MIN, t, (next() - 0.5) * 0.4)) }];
    }
    return [];
  },
};
