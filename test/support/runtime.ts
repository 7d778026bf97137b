// The deployed controller on the world's clock: the resync function the Lambda runs (handlers/
// resync.ts, not a copy), fed the way the stack feeds it (shared/stack/events.ts): one schedule
// message per cluster every `scheduleMs`, MSK's CloudTrail events AWS's CloudTrail delay after the
// API call, follow-ups through the scheduler when a change is still in progress, and one message
// at a time per cluster (the FIFO queue's message group). Nothing here decides what the
// controller does; it only decides when AWS would have called it.
import pino from 'pino';
import { resync, watch, type ClusterReport, type ResyncDeps } from '../../handlers/resync';
import { CLUSTER_SCHEDULE_SOURCE, isWatchRequest } from '../../shared/events';
import { memoryWatchStore } from '../../shared/watch';
import { followUpSchedule, FOLLOW_UP_DEFAULTS } from '../../shared/follow-up';
import { errorMessage } from '../../shared/errors';
import type { KafkaScenario } from './kafka-scenario';

/** serverless.yml: the resync function's timeout (900 s) and the default scheduleRate (5 minutes). */
export const LAMBDA_TIMEOUT_MS = 900_000;
export const SCHEDULE_MS = 5 * 60_000;
/** serverless.yml's default watchRate (1 minute). */
export const WATCH_MS = 60_000;

export interface Invocation {
  at: number;
  reason: string;
  /** World time the invocation took (its bounded waits). */
  tookMs: number;
  status: ClusterReport['status'];
  changes: number;
  summary: string;
}

export class ControllerRuntime {
  readonly invocations: Invocation[] = [];
  private readonly queue: unknown[] = [];
  private readonly stops: (() => void)[] = [];
  /** Follow-up schedules not yet run (EventBridge Scheduler's ListSchedules). */
  private readonly pendingFollowUps = new Set<string>();

  private readonly watchStore = memoryWatchStore();

  /** `watchMs`: the watch rule's rate (serverless.yml watchRate, 1 minute); 0 deploys without it. */
  constructor(private readonly s: KafkaScenario, private readonly options: { scheduleMs?: number; watchMs?: number } = {}) {}

  /** Deployed: the schedule rule (and the watch) start ticking. */
  start(): void {
    this.stops.push(this.s.clock.every(this.options.scheduleMs ?? SCHEDULE_MS, () => {
      this.enqueue({ source: CLUSTER_SCHEDULE_SOURCE, clusterArn: this.s.clusterArn, time: new Date(this.s.clock.now()).toISOString() });
    }));
    const watchMs = this.options.watchMs ?? WATCH_MS;
    if (watchMs > 0) this.stops.push(this.s.clock.every(watchMs, () => this.enqueue({ watch: true })));
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }

  /** Someone calls the MSK API (console, CLI, IaC): CloudTrail's event reaches the queue later. */
  apiCall(eventName: string): void {
    const event = {
      source: 'aws.kafka',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: 'kafka.amazonaws.com', eventName, requestParameters: { clusterArn: this.s.clusterArn } },
    };
    this.stops.push(this.s.clock.at(this.s.clock.now() + this.s.world.timing.cloudTrailDelayMs, () => this.enqueue(event)));
  }

  enqueue(message: unknown): void {
    this.queue.push(message);
  }

  /** Lets `ms` of world time pass, invoking the function for each message as it arrives, one at a time. */
  async runFor(ms: number): Promise<void> {
    const { clock } = this.s;
    const end = clock.now() + ms;
    for (;;) {
      const next = this.queue.shift();
      if (next !== undefined) {
        await this.invoke(next);
        continue;
      }
      if (clock.now() >= end) return;
      await clock.sleep(Math.min(end, clock.nextDue()) - clock.now());
    }
  }

  private async invoke(message: unknown): Promise<void> {
    const { clock } = this.s;
    const at = clock.now();
    try {
      if (isWatchRequest(message)) {
        // Invoked every minute; only a look that found a change reconciles (and is counted here).
        for (const c of (await watch(this.deps(at))).changed) {
          if (c.report) this.invocations.push({ at, reason: `watch: ${c.change}`, tookMs: clock.now() - at, status: c.report.status, changes: c.report.changes.length, summary: c.report.summary });
        }
        return;
      }
      const { reason, clusters } = await resync(message, this.deps(at));
      for (const c of clusters) {
        this.invocations.push({ at, reason, tookMs: clock.now() - at, status: c.status, changes: c.changes.length, summary: c.summary });
      }
    } catch (error) {
      // The queue would retry the message after its visibility timeout; the stories count failures.
      this.invocations.push({ at, reason: 'failed', tookMs: clock.now() - at, status: 'failed', changes: 0, summary: errorMessage(error) });
    }
  }

  private deps(invokedAt: number): ResyncDeps {
    const { s } = this;
    return {
      config: { clusters: [s.config] } as ResyncDeps['config'],
      clientsFor: () => s.clients,
      logger: pino({ level: 'silent' }),
      remainingMs: () => LAMBDA_TIMEOUT_MS - (s.clock.now() - invokedAt),
      reconcileOptions: { clock: s.clock, kafkaAccess: s.reconcileOptions.kafkaAccess },
      watchStore: this.watchStore,
      followUp: {
        maxAttempts: FOLLOW_UP_DEFAULTS.maxAttempts,
        // The real schedule (name, message), run by the world's clock instead of EventBridge Scheduler.
        schedule: async (followUp) => {
          const due = new Date(s.clock.now() + FOLLOW_UP_DEFAULTS.delaySeconds * 1000);
          const schedule = followUpSchedule({ queueArn: 'arn:aws:sqs:eu-west-1:123456789012:resync.fifo', roleArn: 'arn:aws:iam::123456789012:role/scheduler' }, followUp, due);
          this.pendingFollowUps.add(schedule.Name);
          this.stops.push(s.clock.at(due.getTime(), () => {
            this.pendingFollowUps.delete(schedule.Name);
            this.enqueue(JSON.parse(schedule.Target.Input));
          }));
          return schedule.Name;
        },
        pending: async () => this.pendingFollowUps.size > 0,
      },
    };
  }
}
