import { Command, CommanderError } from 'commander';
import { parseClusterArn } from '../shared/arn';
import { createAwsClients, type AwsClientOptions, type AwsClients } from '../shared/aws/clients';
import { loadConfig } from '../shared/config/load';
import type { Config } from '../shared/config/schema';
import { ConfigError, errorMessage } from '../shared/errors';
import { destroyCluster, reconcileCluster, restoreCluster, type ReconcileOutcome, type ReconcileOptions } from '../shared/reconcile';
import type { KafkaAccessOptions } from '../shared/observe';
import { formatPlan } from '../shared/report/plan';
import { changeCounts } from '../shared/report/rows';
import type { TableLayout } from '../shared/report/fit';
import { formatState } from '../shared/report/state';
import { resultingState } from '../shared/report/resulting-state';
import { describeAction } from '../shared/apply';
import { allPass, checkCluster, type ProbeOptions } from '../shared/check';
import { formatChecks } from '../shared/report/check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { hostname, userInfo } from 'node:os';
import { LeaseHeldError, withClusterLease, type LeaseStore } from '../shared/lease';
import { dynamoDbLeaseStore } from '../shared/lease/dynamodb';
import { DEFAULT_LOG_LEVEL, logger, logTo } from '../shared/log';
import { portRangeWarnings } from '../shared/config/port-ranges';
import pkg from '../package.json';
import { quietSdkNodeVersionWarning } from './node-warning';
import { sdkCallLogger } from './sdk-log';
import { selectClusters } from './select';
import { adoptCluster } from '../shared/apply/adopt';
import { formatAdoption } from '../shared/report/adopt';

export interface CliDeps {
  /** The AWS clients of a region; `options` carries --profile and, with --debug, the SDK call log. */
  clientsFor: (region: string, options: AwsClientOptions) => AwsClients;
  out: (text: string) => void;
  err: (text: string) => void;
  /** Where log lines go (default stderr: stdout is the command's output, e.g. JSON). */
  log?: { write(line: string): unknown };
  /** Width of the terminal: tables wrap, then hide columns, to fit (default: none, e.g. piped). */
  columns?: number;
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
  leaseStore?: (config: Config, options: AwsClientOptions) => LeaseStore | undefined;
}

/** The deployment's lease table, in the region the config names for it (the stack's). */
function configuredLease(config: Config, options: AwsClientOptions): LeaseStore | undefined {
  return config.lease && dynamoDbLeaseStore(new DynamoDBClient({ region: config.lease.region, maxAttempts: 8, profile: options.profile, logger: options.logger }), config.lease.table);
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

type Mode = 'plan' | 'apply' | 'restore' | 'destroy';

interface CommandOptions {
  config: string;
  cluster?: string;
  json?: boolean;
  wide?: boolean;
  allowRollingRestart?: boolean;
  allowUncoveredCertificate?: boolean;
  dryRun?: boolean;
  yes?: boolean;
  probe?: boolean;
  detailedExitcode?: boolean;
  apply?: boolean;
  takeFromStack?: boolean;
  // Global options (before or after the command).
  profile?: string;
  region?: string;
  debug?: boolean;
  quiet?: boolean;
}

/** Exit codes: 0 done, 1 error, 2 conflicts or changes waiting (nothing wrong with the tool, but not converged). */
export const EXIT = { ok: 0, error: 1, notConverged: 2 } as const;

const EXIT_HELP = `Exit codes:
  0  done (plan: nothing blocks; check: every check passed)
  1  error: bad input (found before any write), or an AWS or Kafka failure (the next apply picks up from there)
  2  not converged: a conflict, a wait or a pending rolling restart; check: a check failed;
     plan --detailed-exitcode: also changes to make (0 then means no changes, as terraform)`;

/** What each run needs besides its command's options: how to reach AWS and how wide to print. */
interface RunContext {
  deps: CliDeps;
  aws: AwsClientOptions;
  layout: TableLayout;
}

export async function runCli(argv: string[], deps: CliDeps): Promise<number> {
  let exitCode: number = EXIT.ok;
  const program = new Command('msk-custom-domain')
    .description('Keep an MSK cluster reachable under a custom domain: NLB listeners, targets and Route 53 names follow the brokers.')
    .version(pkg.version, '-V, --version', 'print the version and exit')
    .option('--profile <name>', 'AWS named profile (shared config and credentials files), as AWS_PROFILE')
    .option('--region <region>', "only the config's clusters in this region (a cluster's region is the one in its ARN)")
    .option('--debug', 'log every AWS call (service, operation, status, retries) and debug lines to stderr')
    .option('--quiet', 'log errors only, no warnings (the command output is still printed)')
    .addHelpText('after', EXIT_HELP)
    // Each command's --help lists these too.
    .configureHelp({ showGlobalOptions: true })
    .exitOverride()
    .configureOutput({ writeOut: deps.out, writeErr: deps.err });

  const withCommon = (cmd: Command, cluster: 'optional' | 'required') => {
    cmd.requiredOption('-c, --config <file>', 'JSON or YAML config file');
    if (cluster === 'required') cmd.requiredOption('--cluster <name|arn>', 'the one cluster to act on, by name or ARN (required)');
    else cmd.option('--cluster <name|arn>', 'only this cluster of the config, by name or ARN (default: every cluster)');
    return cmd.option('--json', 'print a JSON array, one entry per cluster (a failed cluster as {clusterArn, error})');
  };
  const tables = (cmd: Command) => cmd.option('--wide', 'print tables at full width (default: fit the terminal)');
  const run = (action: (opts: CommandOptions, ctx: RunContext) => Promise<number>) => async (_opts: CommandOptions, cmd: Command) => {
    const opts = cmd.optsWithGlobals<CommandOptions>();
    exitCode = await action(opts, setUp(opts, deps));
  };

  tables(withCommon(program.command('plan').description('show what would change, change nothing'), 'optional'))
    .option('--detailed-exitcode', 'exit 2 when there are changes to make, 0 when there are none (1 on errors), as terraform plan')
    .action(run((opts, ctx) => runCommand('plan', opts, ctx)));

  tables(withCommon(program.command('apply').description('make the changes the plan shows, then print the resulting mapping'), 'optional'))
    .option('--allow-rolling-restart', 'allow an MSK configuration change (every broker restarts, one at a time)')
    .option('--allow-uncovered-certificate', "put listeners live behind a certificate that does not cover their names (clients of those names fail the TLS handshake)")
    .action(run((opts, ctx) => runCommand('apply', opts, ctx)));

  tables(withCommon(program.command('restore').description("rescue, one cluster at a time: brokers advertise their AWS names again (removes the tool's advertised.listeners changes)"), 'required'))
    .option('--dry-run', 'only show what restore would change')
    .option('--allow-rolling-restart', 'allow removing custom.advertised.listeners from the MSK configuration (rolling restart)')
    .action(run((opts, ctx) => runCommand('restore', opts, ctx)));

  tables(withCommon(program.command('destroy').description("the way out, one cluster at a time: brokers back to their AWS names, then the tool's listeners, target groups, records, ingress rules and alarms deleted; prints the plan and changes nothing without --yes"), 'required'))
    .option('--yes', 'make the changes the plan shows (without it, destroy only prints its plan)')
    .option('--allow-rolling-restart', 'allow removing custom.advertised.listeners from the MSK configuration (rolling restart)')
    .action(run((opts, ctx) => runCommand('destroy', opts, ctx)));

  tables(withCommon(program.command('check').description('verify the data path per broker: listener, cross-zone, targets, security groups, DNS, certificate, advertised names'), 'optional'))
    .option('--probe', 'also open a TLS connection (SNI, verified) and send ApiVersions to every name at every address it resolves to; run where the names resolve')
    .action(run((opts, ctx) => runCheck(opts, ctx)));

  tables(withCommon(program.command('adopt').description('take over listeners, target groups and names built by hand (or by AWS\'s sample) that already do what the config wants; a dry run unless --apply'), 'required'))
    .option('--apply', 'tag the listeners and target groups as the tool\'s and write the ownership TXT beside each name (nothing a client uses changes)')
    .option('--take-from-stack', 'also adopt resources a CloudFormation stack created (retain them in the stack and remove them from its template first)')
    .action(run((opts, ctx) => runAdopt(opts, ctx)));

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
async function runCheck(opts: CommandOptions, { deps, aws, layout }: RunContext): Promise<number> {
  const config = await loadChecked(opts, deps);
  let failed = false;
  let passed = true;
  const reports: unknown[] = [];
  for (const cluster of selectClusters(config, opts.cluster, opts.region)) {
    try {
      const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region, aws);
      const rows = await checkCluster(clients, cluster, { kafkaAccess: deps.kafkaAccess, probe: opts.probe ? (deps.probe ?? true) : false });
      passed &&= allPass(rows);
      if (opts.json) reports.push({ clusterArn: cluster.clusterArn, ok: allPass(rows), endpoints: rows });
      else deps.out(formatChecks(parseClusterArn(cluster.clusterArn).clusterName, rows, layout));
    } catch (error) {
      deps.err(`error: ${cluster.clusterArn}: ${errorMessage(error)}`);
      reports.push({ clusterArn: cluster.clusterArn, error: errorMessage(error) });
      failed = true;
    }
  }
  if (opts.json) deps.out(JSON.stringify(reports, null, 2));
  else if (opts.probe) deps.out(IDLE_CUT_NOTE);
  return failed ? EXIT.error : passed ? EXIT.ok : EXIT.notConverged;
}

/** Exit 0 (the dry run always), 2 when --apply left something on a wanted port or name foreign, 1 on an error. */
async function runAdopt(opts: CommandOptions, { deps, aws }: RunContext): Promise<number> {
  const config = await loadChecked(opts, deps);
  const [cluster] = selectClusters(config, opts.cluster, opts.region);
  const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region, aws);
  const lease = opts.apply ? (deps.leaseStore ?? configuredLease)(config, aws) : undefined;
  const outcome = await withClusterLease(lease, cluster.clusterArn, cliHolder(), () =>
    adoptCluster(clients, cluster, {
      apply: opts.apply === true,
      takeFromStack: opts.takeFromStack,
      kafkaAccess: deps.kafkaAccess,
      dnsWait: deps.dnsPollSeconds ? { minDelaySeconds: deps.dnsPollSeconds, maxWaitSeconds: 300 } : undefined,
    }),
  );
  if (opts.json) deps.out(JSON.stringify([{ clusterArn: cluster.clusterArn, ...outcome }], null, 2));
  else deps.out(formatAdoption(parseClusterArn(cluster.clusterArn).clusterName, outcome, opts.apply === true));
  // The dry run only reports; an applied adoption that left something foreign is not converged.
  return opts.apply && outcome.plan.notAdopted.length ? EXIT.notConverged : EXIT.ok;
}

/**
 * What a probe cannot see in one connection: "The connection idle timeout for TLS listeners is 350
 * seconds and can't be modified" (NLB guide, update-idle-timeout); the next request on a connection
 * idle that long is reset. Java clients keep idle connections 540 s by default.
 */
export const IDLE_CUT_NOTE =
  'note: these NLB TLS listeners drop connections idle for 350 s (fixed by AWS); the next request on one is reset. ' +
  'Set connections.max.idle.ms below 350000 in Java and librdkafka clients (e.g. 300000); see docs/data-path.md "Client settings".';

/** Log level and destination, the AWS client options and the table width of one run. */
function setUp(opts: CommandOptions, deps: CliDeps): RunContext {
  if (opts.debug && opts.quiet) throw new ConfigError('--debug and --quiet contradict each other: pass one');
  logTo(deps.log ?? process.stderr);
  logger.level = opts.debug ? 'debug' : opts.quiet ? 'error' : DEFAULT_LOG_LEVEL;
  const aws: AwsClientOptions = { ...(opts.profile ? { profile: opts.profile } : {}), ...(opts.debug ? { logger: sdkCallLogger(logger) } : {}) };
  return { deps, aws, layout: { width: opts.wide || opts.json ? undefined : deps.columns } };
}

/** The config, with a warning (stderr; not with --quiet) for each port a future broker could take. */
async function loadChecked(opts: CommandOptions, deps: CliDeps): Promise<Config> {
  const config = await loadConfig(opts.config);
  if (!opts.quiet) for (const warning of portRangeWarnings(config)) deps.err(`warning: ${warning}`);
  return config;
}

const COMMANDS = { plan: reconcileCluster, apply: reconcileCluster, restore: restoreCluster, destroy: destroyCluster } as const;

async function runCommand(mode: Mode, opts: CommandOptions, { deps, aws, layout }: RunContext): Promise<number> {
  const config = await loadChecked(opts, deps);
  // Only runs that write take the lease: a plan reads, and so does destroy without --yes.
  const writes = mode === 'destroy' ? opts.yes === true : mode !== 'plan' && !opts.dryRun;
  const lease = writes ? (deps.leaseStore ?? configuredLease)(config, aws) : undefined;
  const holder = cliHolder();
  // An error on any cluster wins over "not converged" on another, whatever the order of the clusters.
  let failed = false;
  let converged = true;
  let changes = false;
  const reports: unknown[] = [];
  for (const cluster of selectClusters(config, opts.cluster, opts.region)) {
    const clients = deps.clientsFor(parseClusterArn(cluster.clusterArn).region, aws);
    const options: ReconcileOptions = {
      apply: writes,
      allowRollingRestart: opts.allowRollingRestart,
      allowUncoveredCertificate: opts.allowUncoveredCertificate,
      kafkaAccess: deps.kafkaAccess,
      follow: deps.follow,
      clock: deps.clock,
      dnsWait: deps.dnsPollSeconds ? { minDelaySeconds: deps.dnsPollSeconds, maxWaitSeconds: 300 } : undefined,
    };
    let outcome: ReconcileOutcome;
    try {
      outcome = await withClusterLease(lease, cluster.clusterArn, holder, () => COMMANDS[mode](clients, cluster, options));
    } catch (error) {
      if (error instanceof LeaseHeldError) {
        deps.err(`waiting: ${error.message}`);
        reports.push({ clusterArn: cluster.clusterArn, waiting: error.message });
        converged = false;
        continue;
      }
      deps.err(`error: ${cluster.clusterArn}: ${errorMessage(error)}`);
      reports.push({ clusterArn: cluster.clusterArn, error: errorMessage(error) });
      failed = true;
      continue;
    }
    const { plan, applied } = outcome;
    const planned = changeCounts(plan.actions);
    if (planned.total) changes = true;
    const mismatches = (applied?.verification ?? []).filter((v) => !v.ok);
    const stillRunning = applied?.operation?.stillRunning;
    if (plan.conflicts.length || plan.pending.length || plan.awaiting?.length || plan.status !== 'ready' || mismatches.length || stillRunning || applied?.waiting) {
      converged = false;
    }
    const done = applied && changeCounts(applied.done);
    if (opts.json) {
      reports.push({ clusterArn: cluster.clusterArn, plan, applied, changes: { planned: planned.total, ...(done ? { applied: done.total } : {}) } });
      continue;
    }
    deps.out(formatPlan(plan, layout));
    if (mode === 'destroy' && !writes && planned.total) deps.out('Nothing was changed: destroy only shows its plan; run it again with --yes to make these changes.');
    if (!applied || !done) continue;
    // Counted as the plan counts (one per table row); the steps are API calls, e.g. every DNS record in one batch.
    deps.out(
      `Applied ${done.total} of ${planned.total} changes (${done.add} added, ${done.change} changed, ${done.remove} removed) in ${applied.done.length} step(s):\n` +
        applied.done.map((a) => `  - ${describeAction(a)}`).join('\n'),
    );
    if (applied.waiting) deps.out(`WAITING: ${applied.waiting}`);
    if (applied.operation) {
      const op = applied.operation;
      deps.out(op.stillRunning ? `MSK operation ${op.operationArn} is still ${op.state}; the next run reports its outcome.` : `MSK operation ${op.operationArn}: ${op.state}`);
    }
    for (const check of applied.verification ?? []) {
      deps.out(`  broker ${check.brokerId} advertises ${check.actual ?? 'nothing'}${check.ok ? ' (as expected)' : ` — MISMATCH, expected ${check.expected}`}`);
    }
    // What was observed plus what apply did: no second full read of the cluster.
    if (mode === 'plan' || mode === 'apply') deps.out(formatState(outcome.cluster, resultingState(outcome.observed, applied), layout));
  }
  if (opts.json) deps.out(JSON.stringify(reports, null, 2));
  if (failed) return EXIT.error;
  return !converged || (opts.detailedExitcode && changes) ? EXIT.notConverged : EXIT.ok;
}

export function main(): void {
  quietSdkNodeVersionWarning();
  runCli(process.argv.slice(2), {
    clientsFor: createAwsClients,
    out: (t) => process.stdout.write(`${t}\n`),
    err: (t) => process.stderr.write(`${t}\n`),
    // A terminal's width; piped or redirected output keeps full lines.
    columns: process.stdout.isTTY ? process.stdout.columns : undefined,
  }).then((code) => {
    process.exitCode = code;
  });
}
