// A clock the tests control. Time moves only when someone sleeps on it (the reconciler's
// bounded waits, or a story saying "a minute passes"), and periodic tasks - the client probe -
// run at each of their due times on the way, so a health check that takes 150 s or a DNS TTL
// costs no real time and the probe still sees every moment of it.
import type { Clock } from '../../shared/clock';

interface Periodic {
  every: number;
  next: number;
  run: () => Promise<void> | void;
}

export class VirtualClock implements Clock {
  /** Virtual time skipped by sleeping, plus the start. */
  private t: number;
  private readonly realStart = Date.now();
  private readonly tasks = new Set<Periodic>();

  /**
   * `flowsWithRealTime`: between sleeps time also moves at real speed (for a world that keeps
   * some real-time behaviour, such as a Route 53 change INSYNC after real milliseconds, while the
   * reconciler's long waits still cost no real time).
   */
  constructor(start = Date.parse('2026-11-22T19:00:00Z'), private readonly options: { flowsWithRealTime?: boolean } = {}) {
    this.t = start;
  }

  now(): number {
    return this.t + this.realElapsed();
  }

  /** Advances time by `ms`, running each periodic task at every due time it passes. */
  async sleep(ms: number): Promise<void> {
    const end = this.now() + Math.max(0, ms);
    for (;;) {
      const due = [...this.tasks].filter((p) => p.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.setNow(Math.max(this.now(), due.next));
      due.next += due.every;
      await due.run();
    }
    this.setNow(Math.max(this.now(), end));
    // Let I/O that was waiting on real time (sockets) make progress, as real sleeping would.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs `run` once, at virtual time `time` (or at the next sleep, if that has passed); returns a function that cancels it. */
  at(time: number, run: () => Promise<void> | void): () => void {
    const task: Periodic = {
      every: Infinity,
      next: time,
      run: () => {
        this.tasks.delete(task);
        return run();
      },
    };
    this.tasks.add(task);
    return () => void this.tasks.delete(task);
  }

  /** When the next task is due (Infinity when none is). */
  nextDue(): number {
    return Math.min(Infinity, ...[...this.tasks].map((p) => p.next));
  }

  /** Runs `run` every `ms` of virtual time from now on; returns a function that stops it. */
  every(ms: number, run: () => Promise<void> | void): () => void {
    const task: Periodic = { every: ms, next: this.now() + ms, run };
    this.tasks.add(task);
    return () => void this.tasks.delete(task);
  }

  private realElapsed(): number {
    return this.options.flowsWithRealTime ? Date.now() - this.realStart : 0;
  }

  private setNow(time: number): void {
    this.t = time - this.realElapsed();
  }
}
