import { Metrics } from '@aws-lambda-powertools/metrics';
import middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import type { Context } from 'aws-lambda';
import { parseClusterArn } from '../shared/arn';
import { createAwsClients, type AwsClients } from '../shared/aws/clients';
import { fleetShare } from '../shared/aws/account-rate';
import { maxConcurrentReconciles } from '../shared/stack/events';
import { readDeployedConfig } from '../shared/config/deployed';
import type { Config } from '../shared/config/schema';
import { ConfigError, errorMessage } from '../shared/errors';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { isWatchRequest, parseCheckRequest, parseTrigger, queuedTriggers, WATCH_SOURCE, type CheckRequest, type FollowUp } from '../shared/events';
import { dynamoDbWatchStore, lookAtNodes, memoryWatchStore, type WatchStore } from '../shared/watch';
import { allPass, checkCluster, type EndpointChecks } from '../shared/check';
import { LeaseHeldError, withClusterLease, type LeaseStore } from '../shared/lease';
import { dynamoDbLeaseStore } from '../shared/lease/dynamodb';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { FOLLOW_UP_DEFAULTS, followUpPending, scheduleFollowUp } from '../shared/follow-up';
import { DEFAULT_HEALTH_WAIT } from '../shared/apply/health';
import { logger as defaultLogger, type Logger } from '../shared/log';
import { describeAction } from '../shared/apply';
import { reconcileCluster, type ReconcileOptions } from '../shared/reconcile';
import { waitUntilActive, type FollowOptions } from '../shared/follow';
import { planRows, planSummary } from '../shared/report/rows';
import { waitBudget } from '../shared/wait-budget';
import { METRICS_NAMESPACE, METRICS_SERVICE, publishReconcileMetrics, type MetricsSink } from '../shared/report/metrics';

export interface ResyncDeps {
  config: Config;
  clientsFor: (region: string) => AwsClients;
  logger: Logger;
  /** After a CloudTrail event finds the cluster busy: how long to follow the change before reconciling again. */
  follow?: FollowOptions;
  /** Where each (non dry-run) reconcile's metrics go; the deployed handler uses Powertools Metrics (EMF). */
  metrics?: MetricsSink;
  /**
   * Deployed: a requested change still in progress is checked again later through a follow-up
   * message (EventBridge Scheduler -> queue) instead of `follow`'s polling; bounded by maxAttempts.
   */
  followUp?: {
    maxAttempts: number;
    schedule(followUp: FollowUp & { clusterArn: string }): Promise<string>;
    /** Whether one is scheduled already (a new chain is started only when none is). */
    pending(clusterArn: string): Promise<boolean>;
  };
  /** Milliseconds the invocation has left: bounds the waits inside each apply (shared/wait-budget.ts). */
  remainingMs?: () => number;
  /** The per-cluster lease shared with the CLI (deployed: the stack's table, LEASE_TABLE). */
  lease?: { store: LeaseStore; holder: string };
  /** Where the watch keeps what ListNodes said last (deployed: the lease table). */
  watchStore?: WatchStore;
  /** How each reconcile reaches Kafka and keeps time; deployed: the defaults (real time, the AWS endpoints). */
  reconcileOptions?: Pick<ReconcileOptions, 'clock' | 'kafkaAccess'>;
}

export interface ClusterReport {
  clusterArn: string;
  /** On every log line of this cluster's reconcile, to find them together. */
  reconcileId: string;
  /** Nothing left to do: what the stack's "not converged" alarm watches. */
  converged: boolean;
  status: 'applied' | 'planned' | 'waiting' | 'failed';
  summary: string;
  changes: string[];
  conflicts: string[];
  /** Changes held back by a guard, e.g. a rolling restart that is not allowed. */
  pending: string[];
  /** Endpoints waiting for AWS to finish something (a public certificate's DNS validation); a follow-up goes on. */
  awaiting?: string[];
  warnings: string[];
  error?: string;
}

/** The business function: one full reconcile per cluster the trigger names. */
export async function resync(event: unknown, deps: ResyncDeps): Promise<{ reason: string; clusters: ClusterReport[] }> {
  const trigger = parseTrigger(event);
  const clusters = trigger.clusterArn ? deps.config.clusters.filter((c) => c.clusterArn === trigger.clusterArn) : deps.config.clusters;
  if (trigger.clusterArn && clusters.length === 0 && trigger.reason === 'manual invoke') {
    // A person asked for this cluster: a typo must not pass as success.
    throw new ConfigError(`cluster ${trigger.clusterArn} is not in this deployment's config (it lists ${deps.config.clusters.map((c) => c.clusterArn).join(', ')})`);
  }
  if (trigger.clusterArn && clusters.length === 0) {
    // Events for clusters this deployment does not manage are normal (one account, many clusters).
    deps.logger.info({ trigger }, 'event for a cluster not in the config: ignored');
    return { reason: trigger.reason, clusters: [] };
  }
  const reports: ClusterReport[] = [];
  for (const cluster of clusters) {
    const reconcileId = randomUUID();
    const log = deps.logger.child({ reconcileId, clusterArn: cluster.clusterArn, trigger: trigger.reason });
    const started = performance.now();
    let changesByKind: Record<string, number> = {};
    try {
      const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region);
      // Budgeted when each reconcile starts: earlier clusters of the same invocation used some of the time.
      const waits: Partial<ReturnType<typeof waitBudget>> = deps.remainingMs ? waitBudget(deps.remainingMs()) : {};
      // With follow-ups, a target-health wait is one check per run, a minute apart, not a sleep here.
      if (deps.followUp && !trigger.dryRun) waits.healthWait = { ...DEFAULT_HEALTH_WAIT, maxSeconds: 0 };
      const reconcile = () => reconcileCluster(clients, cluster, { ...deps.reconcileOptions, apply: !trigger.dryRun, ...waits });
      // A dry run writes nothing: it needs no lease.
      const run = () => (deps.lease && !trigger.dryRun ? withClusterLease(deps.lease.store, cluster.clusterArn, deps.lease.holder, reconcile) : reconcile());
      let { plan, applied } = await run();
      const followWarnings: string[] = [];
      // A public certificate in DNS validation is waited for the same way: a check a minute, not a sleep here.
      const waitingFor = plan.status === 'waiting' ? plan.waitingReason : applied?.waiting ?? plan.awaiting?.[0];
      if (waitingFor && deps.followUp && !trigger.dryRun) {
        // MSK is changing the cluster, or new names wait for their targets: check again in a minute,
        // without waiting here, whatever found it (a change is seen by the schedule or the watch as
        // often as by its CloudTrail event); one chain per cluster; give up loudly at the limit.
        const attempt = trigger.followUp?.attempt ?? 0;
        const requested = trigger.followUp?.requested ?? `${trigger.reason}: ${waitingFor.split(';')[0]}`;
        if (attempt + 1 > deps.followUp.maxAttempts) {
          log.error({ attempts: attempt, requested }, 'gave up following the requested change');
          followWarnings.push(`gave up following ${requested} after ${attempt} follow-ups; the schedule keeps reconciling`);
        } else if (attempt === 0 && (await deps.followUp.pending(cluster.clusterArn))) {
          log.info({ requested }, 'a follow-up is scheduled already');
        } else {
          const schedule = await deps.followUp.schedule({ clusterArn: cluster.clusterArn, attempt: attempt + 1, requested });
          log.info({ schedule, attempt: attempt + 1, requested }, 'follow-up scheduled');
        }
      } else if (plan.status === 'waiting' && trigger.followUp && deps.follow && deps.follow.maxSeconds > 0) {
        // Without follow-ups (CLI-like use): follow the change here, then reconcile its result at once.
        const state = await waitUntilActive(clients.kafka, cluster.clusterArn, deps.follow);
        log.info({ state }, 'followed the requested change');
        if (state === 'ACTIVE') ({ plan, applied } = await run());
      }
      const mismatches = (applied?.verification ?? []).filter((v) => !v.ok);
      for (const action of applied?.done ?? []) changesByKind[action.type] = (changesByKind[action.type] ?? 0) + 1;
      const report: ClusterReport = {
        clusterArn: cluster.clusterArn,
        reconcileId,
        converged:
          plan.status === 'ready' && !plan.conflicts.length && !plan.pending.length && !plan.awaiting?.length && !mismatches.length && !applied?.operation?.stillRunning && !applied?.waiting,
        // A converged cluster has nothing to apply (no `applied` result), yet the run was not a dry run.
        status: plan.status === 'waiting' || applied?.waiting || plan.awaiting?.length ? 'waiting' : trigger.dryRun ? 'planned' : 'applied',
        summary: plan.status === 'waiting' ? plan.waitingReason! : applied?.waiting ?? planSummary(plan),
        changes: applied ? applied.done.map(describeAction) : planRows(plan).map((r) => r.join(' ')),
        conflicts: plan.conflicts.map((c) => `${c.resource}: ${c.message}`),
        pending: plan.pending,
        ...(plan.awaiting ? { awaiting: plan.awaiting } : {}),
        warnings: [
          ...plan.warnings,
          ...followWarnings,
          ...mismatches.map((v) => `broker ${v.brokerId} advertises ${v.actual ?? 'nothing'}, expected ${v.expected}`),
        ],
      };
      log.info(report, 'reconciled');
      reports.push(report);
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        // Someone else (the CLI) is reconciling this cluster right now: the next trigger comes anyway.
        log.warn({ held: error.held }, 'cluster lease held elsewhere');
        reports.push({ clusterArn: cluster.clusterArn, reconcileId, converged: false, status: 'waiting', summary: error.message, changes: [], conflicts: [], pending: [], warnings: [] });
        continue;
      }
      log.error({ err: error }, 'reconcile failed');
      changesByKind = {};
      reports.push({ clusterArn: cluster.clusterArn, reconcileId, converged: false, status: 'failed', summary: 'failed', changes: [], conflicts: [], pending: [], warnings: [], error: errorMessage(error) });
    }
    const report = reports[reports.length - 1]!;
    // A dry run changes nothing and proves nothing about convergence: only real runs count.
    if (deps.metrics && !trigger.dryRun) {
      publishReconcileMetrics(deps.metrics, {
        clusterArn: cluster.clusterArn,
        converged: report.converged,
        failed: report.status === 'failed',
        conflicts: report.conflicts.length,
        heldBack: report.pending.length,
        changesByKind,
        durationMs: performance.now() - started,
      });
    }
  }
  if (reports.some((r) => r.status === 'failed')) {
    // Fail the invocation so EventBridge retries and the error metric/alarm sees it.
    throw new Error(`reconcile failed: ${reports.filter((r) => r.status === 'failed').map((r) => `${r.clusterArn}: ${r.error}`).join('; ')}`);
  }
  return { reason: trigger.reason, clusters: reports };
}

/**
 * `{"watch": true}` (every minute): one ListNodes per cluster; a cluster whose brokers' ids or IPs
 * differ from the last look is reconciled at once (MSK heals brokers without any event). What was
 * seen is stored only once that reconcile ran, so a failed one is tried again a minute later.
 */
export async function watch(deps: ResyncDeps): Promise<{ changed: { clusterArn: string; change: string; report?: ClusterReport; error?: string }[] }> {
  const store = deps.watchStore ?? (defaultWatchStore ??= memoryWatchStore());
  const changed: { clusterArn: string; change: string; report?: ClusterReport; error?: string }[] = [];
  for (const cluster of deps.config.clusters) {
    const kafka = deps.clientsFor(parseClusterArn(cluster.clusterArn).region).kafka;
    try {
      const look = await lookAtNodes(kafka, cluster.clusterArn, store);
      if (!look.change) continue;
      deps.logger.info({ clusterArn: cluster.clusterArn, change: look.change }, 'watch: brokers changed');
      // Serialised with every other run of the cluster by its lease (deployed), like the CLI's.
      const { clusters } = await resync({ source: WATCH_SOURCE, clusterArn: cluster.clusterArn, change: look.change }, deps);
      changed.push({ clusterArn: cluster.clusterArn, change: look.change, report: clusters[0] });
      if (clusters[0]?.status !== 'failed') await store.put(cluster.clusterArn, look.fingerprint);
    } catch (error) {
      deps.logger.error({ err: error, clusterArn: cluster.clusterArn }, 'watch failed');
      changed.push({ clusterArn: cluster.clusterArn, change: 'unknown', error: errorMessage(error) });
    }
  }
  if (changed.some((c) => c.error)) throw new Error(`watch: ${changed.filter((c) => c.error).map((c) => `${c.clusterArn}: ${c.error}`).join('; ')}`);
  return { changed };
}

let defaultWatchStore: WatchStore | undefined;

export interface CheckReport {
  clusterArn: string;
  ok: boolean;
  /** "endpoint check: what was found", for each failing check. */
  failures: string[];
  endpoints: EndpointChecks[];
  error?: string;
}

/**
 * `{"check": true, "clusterArn"?: …, "probe"?: true}`: the read-only data-path check of each
 * cluster (with `probe`, TLS + ApiVersions to every name, resolved from the function's VPC).
 * Failing checks are the answer, not an error; only an unknown cluster fails the invocation.
 */
export async function check(request: CheckRequest, deps: Pick<ResyncDeps, 'config' | 'clientsFor' | 'logger'>): Promise<{ ok: boolean; clusters: CheckReport[] }> {
  const clusters = request.clusterArn ? deps.config.clusters.filter((c) => c.clusterArn === request.clusterArn) : deps.config.clusters;
  if (request.clusterArn && !clusters.length) {
    throw new ConfigError(`cluster ${request.clusterArn} is not in this deployment's config (it lists ${deps.config.clusters.map((c) => c.clusterArn).join(', ')})`);
  }
  const reports: CheckReport[] = [];
  for (const cluster of clusters) {
    try {
      const endpoints = await checkCluster(deps.clientsFor(parseClusterArn(cluster.clusterArn).region), cluster, { probe: request.probe });
      const failures = endpoints.flatMap((e) => e.checks.filter((c) => !c.ok).map((c) => `${e.endpoint} ${c.name}: ${c.detail}`));
      reports.push({ clusterArn: cluster.clusterArn, ok: allPass(endpoints), failures, endpoints });
    } catch (error) {
      reports.push({ clusterArn: cluster.clusterArn, ok: false, failures: [], endpoints: [], error: errorMessage(error) });
    }
    deps.logger.info(reports[reports.length - 1], 'checked');
  }
  return { ok: reports.every((r) => r.ok), clusters: reports };
}

/** Clients are reused across warm invocations: they hold connection pools and credential caches. */
const clientsByRegion = new Map<string, AwsClients>();
function cachedClients(region: string): AwsClients {
  let clients = clientsByRegion.get(region);
  if (!clients) clientsByRegion.set(region, (clients = createAwsClients(region, { accountRate: accountRateFromEnv() })));
  return clients;
}

/**
 * Deployed, MAX_CONCURRENT_RECONCILES (serverless.yml) is the queue's bound: each reconcile keeps
 * to its share of the account's Route 53 and ELBv2 rates (shared/aws/account-rate.ts). A bad value
 * fails the invocation with the range to use; unset (a local run), the whole rate.
 */
function accountRateFromEnv(env: NodeJS.ProcessEnv = process.env): { share: number } | undefined {
  const value = env.MAX_CONCURRENT_RECONCILES;
  if (value === undefined || value === '') return undefined;
  try {
    return { share: fleetShare(maxConcurrentReconciles(value)) };
  } catch (error) {
    throw new ConfigError(`MAX_CONCURRENT_RECONCILES: ${errorMessage(error)}`, { cause: error });
  }
}

/** EMF to stdout; CloudWatch Logs turns it into metrics in the MskCustomDomainSync namespace. */
const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: METRICS_SERVICE });

/** Follow-ups go to the stack's queue through EventBridge Scheduler (FOLLOW_UP_* are set by serverless.yml). */
let scheduler: SchedulerClient | undefined;
function followUpFromEnv(env: NodeJS.ProcessEnv = process.env): ResyncDeps['followUp'] {
  const { FOLLOW_UP_QUEUE_ARN: queueArn, FOLLOW_UP_ROLE_ARN: roleArn } = env;
  if (!queueArn || !roleArn) return undefined;
  scheduler ??= new SchedulerClient({ region: env.AWS_REGION, maxAttempts: 8 });
  const client = scheduler;
  return {
    maxAttempts: FOLLOW_UP_DEFAULTS.maxAttempts,
    schedule: (followUp) => scheduleFollowUp(client, { queueArn, roleArn }, followUp, new Date(Date.now() + FOLLOW_UP_DEFAULTS.delaySeconds * 1000)),
    pending: (clusterArn) => followUpPending(client, clusterArn),
  };
}

let leaseClient: DynamoDBClient | undefined;
/** The stack's lease table (LEASE_TABLE, set by serverless.yml); none in a local run without it. */
function leaseFromEnv(context: Context, env: NodeJS.ProcessEnv = process.env): ResyncDeps['lease'] {
  if (!env.LEASE_TABLE) return undefined;
  leaseClient ??= new DynamoDBClient({ region: env.AWS_REGION, maxAttempts: 8 });
  return { store: dynamoDbLeaseStore(leaseClient, env.LEASE_TABLE), holder: `the resync function (request ${context.awsRequestId ?? 'unknown'})` };
}

/** Time kept back from the Lambda timeout for the reconcile that follows a finished change. */
const RECONCILE_RESERVE_MS = 240_000;

export const handler = middy(async (event: unknown, context: Context) => {
  const deps: ResyncDeps = {
    // Read per invocation (a few milliseconds): a bad file fails the invocation, not the cold start.
    config: readDeployedConfig(),
    clientsFor: cachedClients,
    logger: defaultLogger,
    metrics,
    followUp: followUpFromEnv(),
    remainingMs: () => context.getRemainingTimeInMillis?.() ?? 0,
    lease: leaseFromEnv(context),
    watchStore: process.env.LEASE_TABLE && leaseClient ? dynamoDbWatchStore(leaseClient, process.env.LEASE_TABLE) : undefined,
    // Scale-outs often outlast one invocation; the schedule picks up what this one cannot wait for.
    follow: { pollSeconds: 30, maxSeconds: Math.max(0, Math.floor(((context.getRemainingTimeInMillis?.() ?? 0) - RECONCILE_RESERVE_MS) / 1000)) },
  };
  const checkRequest = parseCheckRequest(event);
  if (checkRequest) return check(checkRequest, deps);
  if (isWatchRequest(event)) return watch(deps);
  const queued = queuedTriggers(event);
  if (!queued) return resync(event, deps);
  // From the FIFO queue (batch size 1): a failure throws, so the message returns to its cluster's
  // group and, after its retries, goes to the dead-letter queue.
  const results = [];
  for (const trigger of queued) results.push(await resync(trigger, deps));
  return results.length === 1 ? results[0] : results;
});
