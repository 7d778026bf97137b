// World time for many actors at once (a fleet: several reconciles, each with calls in flight).
// VirtualClock moves time by each sleep in turn, which is right for one actor; with five, five
// sleeps of a second would pass five seconds. Here a sleep only registers a wake-up: once every
// actor is waiting on this clock, time jumps to the earliest wake-up. So 20 ms of latency on five
// calls in flight passes 20 ms, token buckets refill by the time that truly passed, and minutes of
// AWS's registration cost no real time.
import type { Clock } from '../../shared/clock';

interface Wake {
  at: number;
  seq: number;
  run: () => void;
}

/** setImmediate turns with no new wake-up before the actors count as all waiting. */
const QUIET_TURNS = 2;

export class ConcurrentClock implements Clock {
  private t: number;
  private wakes: Wake[] = [];
  private seq = 0;
  /** Bumped by every wake-up registered or run: "something happened" for the quiet check. */
  private activity = 0;
  /** Work in progress that may wait on the machine's own timers (outside()). */
  private outsideWaits = 0;

  constructor(start = Date.parse('2026-11-22T19:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => this.add(this.t + Math.max(0, ms), resolve));
  }

  /** Runs `run` at world time `time` (at once, at the next step, if that has passed); returns a function that cancels it. */
  at(time: number, run: () => unknown): () => void {
    const wake = this.add(Math.max(time, this.t), () => void run());
    return () => this.cancel(wake);
  }

  /** Runs `run` every `ms` of world time from now on; returns a function that stops it. */
  every(ms: number, run: () => unknown): () => void {
    let current: Wake;
    const tick = () => {
      current = this.add(this.t + ms, tick);
      void run();
    };
    current = this.add(this.t + ms, tick);
    return () => this.cancel(current);
  }

  /**
   * Awaits work that may wait on a real timer (code that calls setTimeout itself, such as the SDK's
   * retry strategy): while it runs, time moves only after the timers phase has passed quietly too.
   */
  async outside<T>(work: Promise<T>): Promise<T> {
    this.outsideWaits++;
    try {
      return await work;
    } finally {
      this.outsideWaits--;
      this.activity++;
    }
  }

  /** Lets the actors run and time pass until world time `end` (or until `done()` holds, checked between steps). */
  async runUntil(end: number, done: () => boolean = () => false): Promise<void> {
    for (;;) {
      await this.settle();
      if (done()) return;
      const next = this.earliest();
      if (!next || next.at > end) {
        if (end !== Infinity) this.t = Math.max(this.t, end);
        return;
      }
      this.wakes.splice(this.wakes.indexOf(next), 1);
      this.t = Math.max(this.t, next.at);
      this.activity++;
      next.run();
    }
  }

  /** Runs `work` to its end, moving world time as it waits; its answer, or its error. */
  async run<T>(work: () => Promise<T>): Promise<T> {
    let settled = false;
    const result = work().finally(() => {
      settled = true;
    });
    result.catch(() => {});
    await this.runUntil(Infinity, () => settled);
    if (!settled) throw new Error('ConcurrentClock.run: the work waits on something that never comes (no wake-up is left)');
    return result;
  }

  private add(at: number, run: () => void): Wake {
    const wake = { at, seq: this.seq++, run };
    this.wakes.push(wake);
    this.activity++;
    return wake;
  }

  private cancel(wake: Wake): void {
    const i = this.wakes.indexOf(wake);
    if (i >= 0) this.wakes.splice(i, 1);
  }

  private earliest(): Wake | undefined {
    let best: Wake | undefined;
    for (const w of this.wakes) if (!best || w.at < best.at || (w.at === best.at && w.seq < best.seq)) best = w;
    return best;
  }

  /** Until every actor waits on this clock: no new wake-up for QUIET_TURNS turns of the event loop. */
  private async settle(): Promise<void> {
    for (let quiet = 0; quiet < QUIET_TURNS; ) {
      const seen = this.activity;
      await new Promise<void>((resolve) => setImmediate(resolve));
      // A real timer may be due first: let the timers phase pass too (the actor may then wait on this clock again).
      if (this.outsideWaits > 0) await new Promise<void>((resolve) => setTimeout(resolve, 1));
      quiet = seen === this.activity ? quiet + 1 : 0;
    }
  }
}
