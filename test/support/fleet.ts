// A fleet in one account: many MSK clusters, each with its NLB, in ONE world whose Route 53 and
// ELBv2 token buckets they all share (accountThrottles), on a ConcurrentClock. FleetRuntime feeds
// the real resync function (handlers/resync.ts) the way the stack does: schedule messages into the
// FIFO queue, one message at a time per cluster (its message group), at most
// `maxConcurrentReconciles` invocations at once (the event source's MaximumConcurrency), each on a
// Lambda instance with its own clients, follow-ups through the real followUpSchedule messages.
import pino from 'pino';
import { resync, type ResyncDeps } from '../../handlers/resync';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients';
import { fleetShare } from '../../shared/aws/account-rate';
import { parseConfig } from '../../shared/config/load';
import type { Config } from '../../shared/config/schema';
import { errorMessage } from '../../shared/errors';
import { CLUSTER_SCHEDULE_SOURCE } from '../../shared/events';
import { followUpSchedule, FOLLOW_UP_DEFAULTS } from '../../shared/follow-up';
import { AwsWorld, ConcurrentClock } from '../world';
import { LAMBDA_TIMEOUT_MS } from './runtime';

export interface FleetOptions {
  clusters: number;
  /** Brokers per cluster, 3 to 6 (two per subnet at most, so that 100 clusters fit the world's /24 subnets). */
  brokers?: number;
  latencyMs?: number;
}

export interface Fleet {
  world: AwsWorld;
  clock: ConcurrentClock;
  config: Config;
  clusterArns: string[];
}

/** Client IP of broker `id` of cluster `index` (0-based); generation 1 is its replacement's. */
export function fleetBrokerIp(index: number, id: number, generation = 0): string {
  const subnet = ((id - 1) % 3) + 1;
  const host = generation === 0 ? 1 + index * 2 + Math.floor((id - 1) / 3) : 201 + Math.floor(index / 3);
  if (host > 254) throw new Error(`fleet: no address left in subnet ${subnet} for cluster ${index} (at most 100 clusters)`);
  return `10.0.${subnet}.${host}`;
}

export function createFleet(options: FleetOptions): Fleet {
  const brokers = options.brokers ?? 6;
  if (brokers < 3 || brokers > 6) throw new Error(`fleet: ${brokers} brokers per cluster; use 3 to 6`);
  const clock = new ConcurrentClock();
  const world = AwsWorld.install({ clock, accountThrottles: true, latencyMs: options.latencyMs ?? 0 });
  const zoneId = world.route53.addHostedZone({ name: 'example.com' });
  const clusters = Array.from({ length: options.clusters }, (_, i) => {
    const name = `c${String(i + 1).padStart(3, '0')}`;
    const clusterArn = world.msk.addCluster({
      name,
      brokers: Array.from({ length: brokers }, (_, b) => ({ id: b + 1, ip: fleetBrokerIp(i, b + 1) })),
      kafkaVersion: '3.6.0',
      authentication: { iam: true },
      publicAccess: 'DISABLED',
      instanceType: 'kafka.m5.large',
      enhancedMonitoring: 'PER_BROKER',
    });
    const domain = `${name}.kafka.example.com`;
    return {
      clusterArn,
      domain,
      hostedZoneId: zoneId,
      loadBalancerArn: world.elbv2.addLoadBalancer({ name: `msk-${name}` }),
      certificateArn: world.acm.addCertificate({ domainName: domain, subjectAlternativeNames: [`*.${domain}`] }),
    };
  });
  const config = parseConfig({ clusters });
  return { world, clock, config, clusterArns: clusters.map((c) => c.clusterArn) };
}

export interface FleetInvocation {
  clusterArn: string;
  reason: string;
  at: number;
  endedAt: number;
  status: 'applied' | 'planned' | 'waiting' | 'failed';
  converged: boolean;
  error?: string;
}

interface Message {
  group: string;
  body: unknown;
}

export class FleetRuntime {
  readonly invocations: FleetInvocation[] = [];
  /** The most invocations that ran at once. */
  maxRunning = 0;
  private readonly queue: Message[] = [];
  private readonly busyGroups = new Set<string>();
  private readonly idle: AwsClients[] = [];
  private running = 0;
  private readonly pendingFollowUps = new Map<string, number>();
  private readonly stops: (() => void)[] = [];

  /** `coordinated`: each instance's clients keep to their share of the account's rates, as deployed. */
  constructor(private readonly fleet: Fleet, private readonly options: { maxConcurrentReconciles: number; coordinated: boolean }) {}

  /** One schedule tick: every cluster's message reaches the queue at once (the worst case the spread schedule avoids). */
  tick(): void {
    const time = new Date(this.fleet.clock.now()).toISOString();
    for (const clusterArn of this.fleet.clusterArns) this.enqueue(clusterArn, { source: CLUSTER_SCHEDULE_SOURCE, clusterArn, time });
  }

  /** The schedule rule keeps ticking every `ms`. */
  startSchedule(ms: number): void {
    this.stops.push(this.fleet.clock.every(ms, () => this.tick()));
  }

  stop(): void {
    for (const stop of this.stops) stop();
  }

  /** Whether anything is queued, running or scheduled to come back. */
  busy(): boolean {
    return this.queue.length > 0 || this.running > 0 || this.pendingFollowUps.size > 0;
  }

  /** Instances made so far (each with its own clients, as a Lambda instance keeps them warm). */
  get instances(): number {
    return this.idle.length + this.running;
  }

  private enqueue(group: string, body: unknown): void {
    this.queue.push({ group, body });
    this.dispatch();
  }

  /** The event source: the oldest message of a group not being processed, while under the bound. */
  private dispatch(): void {
    for (let i = 0; i < this.queue.length && this.running < this.options.maxConcurrentReconciles; ) {
      const message = this.queue[i]!;
      if (this.busyGroups.has(message.group)) {
        i++;
        continue;
      }
      this.queue.splice(i, 1);
      void this.invoke(message);
    }
  }

  private async invoke(message: Message): Promise<void> {
    const { clock } = this.fleet;
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    this.busyGroups.add(message.group);
    const clients = this.idle.pop() ?? this.newInstance();
    const at = clock.now();
    try {
      const { reason, clusters } = await resync(message.body, this.deps(clients, at));
      for (const c of clusters) this.invocations.push({ clusterArn: c.clusterArn, reason, at, endedAt: clock.now(), status: c.status, converged: c.converged });
    } catch (error) {
      // The message would come back after the queue's visibility timeout; the bench counts it.
      this.invocations.push({ clusterArn: message.group, reason: 'failed', at, endedAt: clock.now(), status: 'failed', converged: false, error: errorMessage(error) });
    } finally {
      this.running--;
      this.busyGroups.delete(message.group);
      this.idle.push(clients);
      this.dispatch();
    }
  }

  private newInstance(): AwsClients {
    const { coordinated, maxConcurrentReconciles } = this.options;
    return createAwsClients(this.fleet.world.region, coordinated ? { accountRate: { share: fleetShare(maxConcurrentReconciles), clock: this.fleet.clock } } : {});
  }

  private deps(clients: AwsClients, invokedAt: number): ResyncDeps {
    const { clock, config } = this.fleet;
    return {
      config,
      clientsFor: () => clients,
      logger: pino({ level: 'silent' }),
      remainingMs: () => LAMBDA_TIMEOUT_MS - (clock.now() - invokedAt),
      reconcileOptions: { clock },
      followUp: {
        maxAttempts: FOLLOW_UP_DEFAULTS.maxAttempts,
        // The real schedule (name, message), run by the world's clock instead of EventBridge Scheduler.
        schedule: async (followUp) => {
          const due = new Date(clock.now() + FOLLOW_UP_DEFAULTS.delaySeconds * 1000);
          const schedule = followUpSchedule({ queueArn: 'arn:aws:sqs:eu-west-1:123456789012:resync.fifo', roleArn: 'arn:aws:iam::123456789012:role/scheduler' }, followUp, due);
          const arn = followUp.clusterArn;
          this.pendingFollowUps.set(arn, (this.pendingFollowUps.get(arn) ?? 0) + 1);
          this.stops.push(clock.at(due.getTime(), () => {
            const left = (this.pendingFollowUps.get(arn) ?? 1) - 1;
            if (left > 0) this.pendingFollowUps.set(arn, left);
            else this.pendingFollowUps.delete(arn);
            this.enqueue(arn, JSON.parse(schedule.Target.Input));
          }));
          return schedule.Name;
        },
        pending: async (clusterArn) => this.pendingFollowUps.has(clusterArn),
      },
    };
  }
}
