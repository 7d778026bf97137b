import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Time as the reconciler's waits see it. Injected so the embedded world can run a health
 * check that takes minutes, or a DNS TTL, in no real time.
 */
export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => sleep(ms),
};
