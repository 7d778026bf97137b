// Call accounting and fault injection for the AWS world.
import type { ServiceName } from './common';

export interface CallRecord {
  service: ServiceName;
  /** SDK command class name, e.g. 'DescribeListenersCommand'. */
  command: string;
  /** A copy of the input as sent (ids not normalised: the SDK middleware does not run). */
  input: unknown;
  write: boolean;
  failed: boolean;
  /** `name` of the error thrown, when failed. */
  error?: string;
  /** Date.now() when the call arrived and when it answered (for concurrency measurements). */
  startedAt: number;
  endedAt?: number;
}

/** Describe*, List* and Get* are reads; everything else changes something. */
export function isWrite(command: string): boolean {
  // AssumeRole changes nothing in any account: it hands out credentials.
  return !/^(Describe|List|Get|AssumeRole)/.test(command);
}

/**
 * 'reply-lost': the service makes the change, then the connection drops before the answer
 * (see LostReply); the SDK's retry of the same request is what the caller gets.
 */
export type FaultError = 'throttle' | 'reply-lost' | Error | ((call: CallRecord) => Error);

export interface FaultSpec {
  /** SDK command class name, e.g. 'CreateListenerCommand'. */
  command: string;
  /** Only needed when two services share a command name (ListTagsForResourceCommand). */
  service?: ServiceName;
  /** Calls of that command that still succeed before the fault fires (default 0). */
  afterCalls?: number;
  /** How many calls fail once it fires (default 1; Infinity for "from now on"). */
  times?: number;
  /** 'throttle' (default) = the service's real throttling error. */
  error?: FaultError;
  /**
   * With 'reply-lost' only: what the retry is answered instead of the model's second answer.
   * For emulators whose answer to a repeated call differs from the model's (e.g. moto refuses
   * a second DeleteTargetGroup with TargetGroupNotFound where the model succeeds).
   */
  retryError?: Error;
}

/**
 * The connection dropped after the service applied the change: Node's socket error, which the
 * SDK's standard retry strategy classifies as transient (code ECONNRESET) and retries.
 */
export class LostReply extends Error {
  readonly code = 'ECONNRESET';
  constructor(readonly retryError?: Error) {
    super('socket hang up');
  }
}

/** Thrown by writes past the budget given to `failAfterWrites`: not an AWS error on purpose. */
export class SimulatedInterruption extends Error {
  constructor(command: string, budget: number) {
    super(`AwsWorld: simulated interruption: ${command} refused after ${budget} successful write(s)`);
    this.name = 'SimulatedInterruption';
  }
}

interface Rule {
  spec: FaultSpec;
  seen: number;
  fired: number;
}

export class Faults {
  private rules: Rule[] = [];
  private writeBudget?: { initial: number; remaining: number };

  /** The (afterCalls+1)-th call of `command` from now on fails, `times` times. */
  add(spec: FaultSpec): void {
    this.rules.push({ spec, seen: 0, fired: 0 });
  }

  /** Every write after the next `n` successful writes fails (a run interrupted halfway). */
  failAfterWrites(n: number): void {
    this.writeBudget = { initial: n, remaining: n };
  }

  clear(): void {
    this.rules = [];
    this.writeBudget = undefined;
  }

  /**
   * Decides, when the call arrives, whether it fails. Deciding at arrival (not after the
   * simulated latency) keeps the outcome deterministic when calls run in parallel.
   */
  check(call: CallRecord, throttle: () => Error): Error | undefined {
    const ruleError = this.checkRules(call, throttle);
    if (ruleError) return ruleError;
    if (call.write && this.writeBudget) {
      if (this.writeBudget.remaining === 0) return new SimulatedInterruption(call.command, this.writeBudget.initial);
      this.writeBudget.remaining--;
    }
    return undefined;
  }

  /** Every matching rule counts the call; the first one due fires. */
  private checkRules(call: CallRecord, throttle: () => Error): Error | undefined {
    let error: Error | undefined;
    for (const rule of this.rules) {
      const { spec } = rule;
      if (spec.command !== call.command || (spec.service && spec.service !== call.service)) continue;
      const index = rule.seen++;
      if (error || index < (spec.afterCalls ?? 0) || rule.fired >= (spec.times ?? 1)) continue;
      rule.fired++;
      error = resolveError(spec, call, throttle);
    }
    return error;
  }
}

function resolveError(spec: FaultSpec, call: CallRecord, throttle: () => Error): Error {
  const error = spec.error ?? 'throttle';
  if (error === 'throttle') return throttle();
  if (error === 'reply-lost') return new LostReply(spec.retryError);
  if (typeof error === 'function') return error(call);
  return error;
}
