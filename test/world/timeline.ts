// What the recorded calls say about a run's shape (the benchmark, and tests of apply's order):
// how many AWS round trips it had to make one after another, and how long it would have taken
// had one wait been longer. Works on the world's call records (start and end times).
import type { CallRecord } from './faults';

type Timed = CallRecord & { endedAt: number };

const timed = (calls: CallRecord[]): Timed[] => calls.filter((c): c is Timed => c.endedAt !== undefined);

/**
 * Sequential rounds: the longest chain of calls in which each call started only after the one
 * before it had answered. With a fixed latency per call this is the dependency depth the run
 * actually had (queueing behind a concurrency limit counts too: it is as real as a dependency).
 */
export function sequentialRounds(calls: CallRecord[]): number {
  const byEnd = timed(calls).sort((a, b) => a.endedAt - b.endedAt);
  const depth: number[] = [];
  let longest = 0;
  byEnd.forEach((call, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if (byEnd[j].endedAt <= call.startedAt) before = Math.max(before, depth[j]);
    depth[i] = before + 1;
    longest = Math.max(longest, depth[i]);
  });
  return longest;
}

/** Milliseconds from the first call's start to the last call's answer. */
export function span(calls: CallRecord[]): number {
  const all = timed(calls);
  if (!all.length) return 0;
  return Math.max(...all.map((c) => c.endedAt)) - Math.min(...all.map((c) => c.startedAt));
}

/**
 * The span had the Route 53 change taken `insyncMs` to become INSYNC (a virtual clock over the
 * recorded run): the wait runs from the change's answer to the GetChange that saw INSYNC, and
 * every call that started after that GetChange answered waited behind it, so it moves later by
 * the difference. Calls already under way (or done) during the wait do not move.
 */
export function spanWithInsync(calls: CallRecord[], insyncMs: number): number {
  const all = timed(calls);
  const change = all.find((c) => c.command === 'ChangeResourceRecordSetsCommand' && !c.failed);
  const polls = all.filter((c) => c.command === 'GetChangeCommand' && change && c.startedAt >= change.endedAt);
  if (!change || !polls.length) return span(calls);
  const insyncSeen = Math.max(...polls.map((c) => c.endedAt));
  const shift = Math.max(0, insyncMs - (insyncSeen - change.endedAt));
  const start = Math.min(...all.map((c) => c.startedAt));
  const end = Math.max(insyncSeen + shift, ...all.map((c) => c.endedAt + (c.startedAt >= insyncSeen ? shift : 0)));
  return end - start;
}

/** The most calls of `service` (every service when omitted) in flight at one moment. */
export function maxInFlight(calls: CallRecord[], service?: CallRecord['service']): number {
  const edges = timed(calls)
    .filter((c) => !service || c.service === service)
    .flatMap((c) => [{ at: c.startedAt, delta: 1 }, { at: c.endedAt, delta: -1 }])
    // An answer at the moment another call starts frees its place first.
    .sort((a, b) => a.at - b.at || a.delta - b.delta);
  let now = 0;
  let most = 0;
  for (const edge of edges) most = Math.max(most, (now += edge.delta));
  return most;
}
