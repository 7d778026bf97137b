// The SDK's own retry around the world's answers. aws-sdk-client-mock replaces Client#send, so the
// SDK's retry middleware never runs in the world; with the account's buckets on (accountThrottles)
// a throttled call must be retried as the deployed SDK retries it, or the world would fail
// reconciles that AWS only slows down. This runs the strategy the client is configured with
// (@smithy/core/retry, the package the SDK clients use: AdaptiveRetryStrategy or
// StandardRetryStrategy, with the client's maxAttempts), the loop of the SDK's retryMiddleware
// (@smithy/core/retry middleware-retry/retryMiddleware.js), and every delay on the world's clock.
import {
  DefaultRateLimiter,
  isServerError,
  isThrottlingError,
  isTransientError,
  StandardRetryStrategy,
} from '@smithy/core/retry';
import type { SdkError } from '@smithy/types';
import type { Clock } from '../../shared/clock';

/** World time, and (optionally) a way to hold it while the SDK's code waits on a real timer. */
export interface WorldClock extends Clock {
  outside?<T>(work: Promise<T>): Promise<T>;
}

/** What the retries did since the world was made (or since RetryCounts were reset). */
export interface RetryCounts {
  /** Attempts sent, first ones and retries. */
  attempts: number;
  /** Attempts answered with a throttling error. */
  throttled: number;
  retries: number;
  /** Calls whose error reached the caller after the strategy gave up or would not retry. */
  failed: number;
  /** Of those, calls still throttled at the end: what the account's rate cost a reconcile. */
  failedThrottled: number;
  /** World milliseconds of retry delays (the backoff and the adaptive rate limiter), summed over calls. */
  delayMs: number;
}

type Token = Awaited<ReturnType<StandardRetryStrategy['acquireInitialRetryToken']>>;
type ErrorInfo = Parameters<StandardRetryStrategy['refreshRetryTokenForRetry']>[1];

/**
 * A client's retry: the standard strategy, and in adaptive mode the client-side rate limiter in
 * front of every attempt. This is AdaptiveRetryStrategy's composition of the two
 * (util-retry/AdaptiveRetryStrategy.js), spelled out so that only the standard part, which
 * waits on a real zero-delay timer, is awaited outside world time; the limiter waits on it.
 */
interface ClientRetry {
  standard: StandardRetryStrategy;
  limiter?: DefaultRateLimiter;
  backoff: WorldTimeBackoff;
}

interface RetryConfigured {
  config: { maxAttempts?: () => Promise<number>; retryStrategy?: () => Promise<{ mode?: string }> };
}

/** The error classes of the SDK's retryMiddleware (getRetryErrorType). */
function errorType(error: SdkError): 'THROTTLING' | 'TRANSIENT' | 'SERVER_ERROR' | 'CLIENT_ERROR' {
  if (isThrottlingError(error)) return 'THROTTLING';
  if (isTransientError(error)) return 'TRANSIENT';
  if (isServerError(error)) return 'SERVER_ERROR';
  return 'CLIENT_ERROR';
}

/**
 * The backoff the strategy computes is the SDK's own (DefaultRetryBackoffStrategy: jittered,
 * exponential, 1 s base for throttling); it is handed back as 0 so that the strategy's own
 * setTimeout does not wait, and waited here on the world's clock instead. Strategies compute and
 * resume in the same order (one zero-delay timer each), so a queue pairs each delay with its call.
 */
class WorldTimeBackoff {
  private readonly inner = new StandardRetryStrategy(1) as unknown as { retryBackoffStrategy: { setDelayBase(ms: number): void; computeNextBackoffDelay(i: number): number } };
  readonly pending: number[] = [];

  setDelayBase(ms: number): void {
    this.inner.retryBackoffStrategy.setDelayBase(ms);
  }

  computeNextBackoffDelay(i: number): number {
    this.pending.push(this.inner.retryBackoffStrategy.computeNextBackoffDelay(i));
    return 0;
  }
}

interface RateLimiterInternals {
  getCurrentTimeInSeconds(): number;
}
const limiterStatics = DefaultRateLimiter as unknown as { setTimeoutFn: (fn: () => void, ms: number) => unknown };
const limiterPrototype = DefaultRateLimiter.prototype as unknown as RateLimiterInternals;

export class SdkRetry {
  readonly counts: RetryCounts = { attempts: 0, throttled: 0, retries: 0, failed: 0, failedThrottled: 0, delayMs: 0 };
  private readonly strategies = new WeakMap<object, Promise<ClientRetry>>();
  private readonly restoreLimiter: () => void;

  constructor(private readonly clock: WorldClock) {
    // The adaptive strategy's client-side rate limiter (DefaultRateLimiter) measures and waits by
    // the machine's clock; in the world it keeps world time. Put back by restore().
    const { setTimeoutFn } = limiterStatics;
    const { getCurrentTimeInSeconds } = limiterPrototype;
    limiterStatics.setTimeoutFn = (fn, ms) => {
      // Node's setTimeout waits at least 1 ms; so does this (a shorter step would not move world time).
      const wait = Math.max(1, ms);
      this.counts.delayMs += wait;
      return void clock.sleep(wait).then(fn);
    };
    limiterPrototype.getCurrentTimeInSeconds = () => clock.now() / 1000;
    this.restoreLimiter = () => {
      limiterStatics.setTimeoutFn = setTimeoutFn;
      limiterPrototype.getCurrentTimeInSeconds = getCurrentTimeInSeconds;
    };
  }

  restore(): void {
    this.restoreLimiter();
  }

  /** One call as the SDK client `client` sends it: attempts, until an answer or the strategy gives up. */
  async send<T>(client: object, attempt: () => Promise<T>): Promise<T> {
    const { standard, limiter, backoff } = await this.strategyOf(client);
    let token = (await standard.acquireInitialRetryToken('')) as Token;
    await limiter?.getSendToken();
    let attempts = 0;
    let totalRetryDelay = 0;
    for (;;) {
      this.counts.attempts++;
      try {
        const output = await attempt();
        limiter?.updateClientSendingRate({});
        standard.recordSuccess(token);
        const metadata = (output as { $metadata?: { attempts?: number; totalRetryDelay?: number } }).$metadata;
        if (metadata) Object.assign(metadata, { attempts: attempts + 1, totalRetryDelay });
        return output;
      } catch (error) {
        const e = error as SdkError;
        const type = errorType(e);
        if (type === 'THROTTLING') this.counts.throttled++;
        const info: ErrorInfo = { error: e, errorType: type };
        limiter?.updateClientSendingRate(info);
        try {
          token = (await this.outside(standard.refreshRetryTokenForRetry(token, info))) as Token;
        } catch {
          this.counts.failed++;
          if (type === 'THROTTLING') this.counts.failedThrottled++;
          Object.assign(e, { $metadata: { ...e.$metadata, attempts: attempts + 1, totalRetryDelay } });
          throw e;
        }
        const delay = backoff.pending.shift() ?? 0;
        this.counts.retries++;
        this.counts.delayMs += delay;
        totalRetryDelay += delay;
        attempts = token.getRetryCount();
        await this.clock.sleep(delay);
        await limiter?.getSendToken();
      }
    }
  }

  private outside<T>(work: Promise<T>): Promise<T> {
    return this.clock.outside ? this.clock.outside(work) : work;
  }

  /** One strategy per client, as each SDK client has its own (and its own retry capacity and rate). */
  private strategyOf(client: object): Promise<ClientRetry> {
    let made = this.strategies.get(client);
    if (!made) {
      const { config } = client as RetryConfigured;
      made = (async () => {
        const maxAttempts = (await config.maxAttempts?.()) ?? 3;
        // The mode of the strategy the client built for itself from its config (retryMode).
        const mode = (await config.retryStrategy?.())?.mode ?? 'standard';
        const backoff = new WorldTimeBackoff();
        const standard = new StandardRetryStrategy({ maxAttempts, backoff });
        return { standard, backoff, ...(mode === 'adaptive' ? { limiter: new DefaultRateLimiter() } : {}) };
      })();
      this.strategies.set(client, made);
    }
    return made;
  }
}
