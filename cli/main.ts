import { Command, CommanderError } from 'commander';
import { parseClusterArn } from '../shared/arn';
import { createAwsClients, type AwsClients } from '../shared/aws/clients';
import { loadConfig } from '../shared/config/load';
import type { ClusterConfig, Config } from '../shared/config/schema';
import { ConfigError, errorMessage } from '../shared/errors';
import { reconcileCluster, restoreCluster, type ReconcileOutcome, type ReconcileOptions } from '../shared/reconcile';
import type { KafkaAccessOptions } from '../shared/observe';
import { formatPlan } from '../shared/report/plan';
import { formatState } from '../shared/report/state';
import { resultingState } from '../shared/report/resulting-state';
import { describeAction } from '../shared/apply';
import { allPass, checkCluster, type ProbeOptions } from '../shared/check';
import { formatChecks } from '../shared/report/check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hostname, userInfo } from 'node:os';
import { LeaseHeldError, withClusterLease, type LeaseStore } from '../shared/lease';
import { dynamoDbLeaseStore } from '../shared/lease/dynamodb';

export interface CliDeps {
  clientsFor: (region: string) => AwsClients;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Seconds between Route 53 INSYNC polls (tests shorten it). */
  dnsPollSeconds?: number;
  /** How to reach brokers over Kafka (tests: the fake broker's CA and credentials). */
  kafkaAccess?: KafkaAccessOptions;
  follow?: ReconcileOptions['follow'];
  /** Time for the health gate and other bounded waits (tests: the world's clock). */
  clock?: ReconcileOptions['clock'];
  /** How `check --probe` resolves and trusts names (tests: the embedded DNS and CA; default: the system's). */
  probe?: ProbeOptions;
  /** The per-cluster lease (default: from the config's `lease`, none without it). */
  leaseStore?: (config: Config) => LeaseStore | undefined;
}

function configuredLease(config: Config): LeaseStore | undefined {
  return config.lease && dynamoDbLeaseStore(new DynamoDBClient({ region: config.lease.region, maxAttempts: 8 }), config.lease.table);
}

/** Who holds a lease, as the other side will read it. */
function cliHolder(): string {
  let user = 'unknown';
  try {
    user = userInfo().username;
  } catch {
    // no user entry (containers)
  }
  return `the CLI of ${user}@${hostname()} (pid ${process.pid})`;
}

type Mode = 'plan' | 'apply' | 'restore';

interface CommandOptions {
  config: string;
  cluster?: string;
  json?: boolean;
  allowRollingRestart?: boolean;
  allowUncoveredCertificate?: boolean;
  dryRun?: boolean;
  probe?: boolean;
}

/** Exit codes: 0 done, 1 error, 2 conflicts or changes waiting (nothing wrong with the tool, but not converged). */
export const EXIT = { ok: 0, error: 1, notConverged: 2 } as const;

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('msk-custom-domain')
    .description('Keep an MSK cluster reachable under a custom domain: NLB listeners, targets and Route 53 names follow the brokers.')
    .exitOverride()
    .configureOutput({ writeOut: deps.out, writeErr: deps.err });

  const withCommon = (cmd: Command) =>
    cmd
      .requiredOption('-c, --config <file>', 'JSON or YAML config file')
      .option('--cluster <arn>', 'only this cluster of the config');

  withCommon(program.command('plan').description('show what would change, change nothing'))
    .option('--json', 'print the plan as JSON')
    .action(async (opts: CommandOptions) => {
      exitCode = await runCommand('plan', opts, deps);
    });

  withCommon(program.command('apply').description('make the changes the plan shows, then print the resulting mapping'))
    .option('--json', 'print the plan and what was done as JSON')
    .option('--allow-rolling-restart', 'allow an MSK configuration change (every broker restarts, one at a time)')
    .option('--allow-uncovered-certificate', "put listeners live behind a certificate that does not cover their names (clients of those names fail the TLS handshake)")
    .action(async (opts: CommandOptions) => {
      exitCode = await runCommand('apply', opts, deps);
    });

  withCommon(program.command('restore').description("rescue: brokers advertise their AWS names again (removes the tool's advertised.listeners changes)"))
    .option('--json', 'print the plan and what was done as JSON')
    .option('--dry-run', 'only show what restore would change')
    .option('--allow-rolling-restart', 'allow removing custom.advertised.listeners from the MSK configuration (rolling restart)')
    .action(async (opts: CommandOptions) => {
      if (!opts.cluster) throw new ConfigError('restore needs --cluster <arn>: it is a rescue for one cluster at a time');
      exitCode = await runCommand('restore', opts, deps);
    });

  withCommon(program.command('check').description('verify the data path per broker: listener, cross-zone, targets, security groups, DNS, certificate, advertised names'))
    .option('--json', 'print the checks as JSON')
    .option('--probe', 'also open a TLS connection (SNI, verified) and send ApiVersions to every name at every address it resolves to; run where the names resolve')
    .action(async (opts: CommandOptions) => {
      exitCode = await runCheck(opts, deps);
    });

  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT.ok : EXIT.error;
    deps.err(`error: ${errorMessage(error)}`);
    return EXIT.error;
  }
  return exitCode;
}

/** Exit 0 only when every check of every cluster passes; 2 when one fails; 1 on an error. */
async function runCheck(opts: CommandOptions, deps: CliDeps): Promise<number> {
  const config = await loadConfig(opts.config);
  let failed = false;
  let passed = true;
  const reports: unknown[] = [];
  for (const cluster of selectClusters(config, opts.cluster)) {
    try {
      const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region);
      const rows = await checkCluster(clients, cluster, { kafkaAccess: deps.kafkaAccess, probe: opts.probe ? (deps.probe ?? true) : false });
      passed &&= allPass(rows);
      if (opts.json) reports.push({ clusterArn: cluster.clusterArn, ok: allPass(rows), endpoints: rows });
      else deps.out(formatChecks(parseClusterArn(cluster.clusterArn).clusterName, rows));
    } catch (error) {
      deps.err(`error: ${cluster.clusterArn}: ${errorMessage(error)}`);
      failed = true;
    }
  }
  if (opts.json) deps.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  return failed ? EXIT.error : passed ? EXIT.ok : EXIT.notConverged;
}

function selectClusters(config: Config, arn?: string): ClusterConfig[] {
  if (!arn) return config.clusters;
  const match = config.clusters.filter((c) => c.clusterArn === arn);
  if (!match.length) throw new ConfigError(`cluster ${arn} is not in the config (it lists ${config.clusters.map((c) => c.clusterArn).join(', ')})`);
  return match;
}

async function runCommand(mode: Mode, opts: CommandOptions, deps: CliDeps): Promise<number> {
  const config = await loadConfig(opts.config);
  // Only runs that write take the lease: a plan reads.
  const lease = mode !== 'plan' && !opts.dryRun ? (deps.leaseStore ?? configuredLease)(config) : undefined;
  const holder = cliHolder();
  // An error on any cluster wins over "not converged" on another, whatever the order of the clusters.
  let failed = false;
  let converged = true;
  const reports: unknown[] = [];
  for (const cluster of selectClusters(config, opts.cluster)) {
    const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region);
    const options: ReconcileOptions = {
      apply: mode !== 'plan' && !opts.dryRun,
      allowRollingRestart: opts.allowRollingRestart,
      allowUncoveredCertificate: opts.allowUncoveredCertificate,
      kafkaAccess: deps.kafkaAccess,
      follow: deps.follow,
      clock: deps.clock,
      dnsWait: deps.dnsPollSeconds ? { minDelaySeconds: deps.dnsPollSeconds, maxWaitSeconds: 300 } : undefined,
    };
    let outcome: ReconcileOutcome;
    try {
      outcome = await withClusterLease(lease, cluster.clusterArn, holder, () => (mode === 'restore' ? restoreCluster : reconcileCluster)(clients, cluster, options));
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        deps.err(`waiting: ${error.message}`);
        converged = false;
        continue;
      }
      deps.err(`error: ${cluster.clusterArn}: ${errorMessage(error)}`);
      failed = true;
      continue;
    }
    const { plan, applied } = outcome;
    const mismatches = (applied?.verification ?? []).filter((v) => !v.ok);
    const stillRunning = applied?.operation?.stillRunning;
    if (plan.conflicts.length || plan.pending.length || plan.status !== 'ready' || mismatches.length || stillRunning || applied?.waiting) {
      converged = false;
    }
    if (opts.json) {
      reports.push({ plan, applied });
      continue;
    }
    deps.out(formatPlan(plan));
    if (!applied) continue;
    deps.out(`Applied ${applied.done.length} change(s):\n${applied.done.map((a) => `  - ${describeAction(a)}`).join('\n')}`);
    if (applied.waiting) deps.out(`WAITING: ${applied.waiting}`);
    if (applied.operation) {
      const op = applied.operation;
      deps.out(op.stillRunning ? `MSK operation ${op.operationArn} is still ${op.state}; the next run reports its outcome.` : `MSK operation ${op.operationArn}: ${op.state}`);
    }
    for (const check of applied.verification ?? []) {
      deps.out(`  broker ${check.brokerId} advertises ${check.actual ?? 'nothing'}${check.ok ? ' (as expected)' : ` — MISMATCH, expected ${check.expected}`}`);
    }
    // What was observed plus what apply did: no second full read of the cluster.
    if (mode !== 'restore') deps.out(formatState(cluster, resultingState(outcome.observed, applied)));
  }
  if (opts.json) deps.out(JSON.stringify(reports.length === 1 ? reports[0] : reports, null, 2));
  return failed ? EXIT.error : converged ? EXIT.ok : EXIT.notConverged;
}

export function main(): void {
  runCli(process.argv.slice(2), {
    clientsFor: createAwsClients,
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
  }).then((code) => {
    process.exitCode = code;
  });
}
