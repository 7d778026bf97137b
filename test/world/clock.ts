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
  private t: number;
  private readonly tasks = new Set<Periodic>();

  constructor(start = Date.parse('2026-11-22T19:00:00Z')) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  /** Advances time by `ms`, running each periodic task at every due time it passes. */
  async sleep(ms: number): Promise<void> {
    const end = this.t + Math.max(0, ms);
    for (;;) {
      const due = [...this.tasks].filter((p) => p.next <= end).sort((a, b) => a.next - b.next)[0];
      if (!due) break;
      this.t = Math.max(this.t, due.next);
      due.next += due.every;
      await due.run();
    }
    this.t = end;
    // Let I/O that was waiting on real time (sockets) make progress, as real sleeping would.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Runs `run` every `ms` of virtual time from now on; returns a function that stops it. */
  every(ms: number, run: () => Promise<void> | void): () => void {
    const task: Periodic = { every: ms, next: this.t + ms, run };
    this.tasks.add(task);
    return () => void this.tasks.delete(task);
  }
}
