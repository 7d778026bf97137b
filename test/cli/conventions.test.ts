import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EXIT, runCli, type CliDeps } from '../../cli/main';
import { createAwsClients, type AwsClientOptions, type AwsClients } from '../../shared/aws/clients';
import { parseConfig } from '../../shared/config/load';
import { MAX_BROKERS_PER_CLUSTER, portRangeWarnings } from '../../shared/config/port-ranges';
import { logger } from '../../shared/log';
import { startMskHttp, type MskHttp } from '../integration/msk-http';
import { brokersFor, createScenario, range, type Scenario } from '../support/scenario';

// The habits of terraform / kubectl / aws, one test per convention: the CLI as a user runs it
// (argv, a config file, stdout/stderr, exit code) against the embedded AWS world, or for the
// SDK-level flags (--profile, --debug) the real SDK clients over HTTP.

let dir: string;
let s: Scenario | undefined;
let http: MskHttp | undefined;
const savedEnv = { ...process.env };

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'msk-cli-conv-'));
});
afterEach(async () => {
  s?.world.restore();
  s = undefined;
  await http?.stop();
  http = undefined;
  process.env = { ...savedEnv };
  await rm(dir, { recursive: true, force: true });
});

async function writeConfig(clusters: unknown[], name = 'config.json'): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ clusters }, null, 2));
  return file;
}

interface Run {
  code: number;
  out: string;
  err: string;
  log: string;
  regions: string[];
}

async function cli(argv: string[], deps: Partial<CliDeps> & { scenario?: Scenario } = {}): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const log: string[] = [];
  const regions: string[] = [];
  const { scenario, ...rest } = deps;
  const code = await runCli(argv, {
    clientsFor: (region) => {
      regions.push(region);
      return scenario!.clients;
    },
    out: (t) => out.push(t),
    err: (t) => err.push(t),
    log: { write: (line: string) => log.push(line) },
    dnsPollSeconds: 0.01,
    clock: scenario?.reconcileOptions.clock,
    ...rest,
  });
  return { code, out: out.join('\n'), err: err.join('\n'), log: log.join(''), regions };
}

/** A second cluster in the same world, on its own NLB (and, by default, its own name). */
function addCluster(scenario: Scenario, name: string) {
  const clusterArn = scenario.world.msk.addCluster({ name, brokers: [1, 2].map((id) => ({ id, ip: `10.1.${id}.10` })), kafkaVersion: '3.6.0', instanceType: 'kafka.m5.large', enhancedMonitoring: 'PER_BROKER' });
  const loadBalancerArn = scenario.world.elbv2.addLoadBalancer({ name: `msk-${name}-${Math.random().toString(16).slice(2, 6)}` });
  const certificateArn = scenario.world.acm.addCertificate({ domainName: `${name}.example.com`, subjectAlternativeNames: [`*.${name}.example.com`] });
  return { ...scenario.config, clusterArn, loadBalancerArn, certificateArn, domain: `${name}.example.com` };
}

describe('--version', () => {
  test('prints the version of package.json and exits 0, touching nothing', async () => {
    s = createScenario();
    const pkg = JSON.parse(await readFile(join(__dirname, '../../package.json'), 'utf8')) as { version: string };

    const run = await cli(['--version'], { scenario: s });

    expect(run.code).toBe(EXIT.ok);
    expect(run.out.trim()).toBe(pkg.version);
    expect(s.world.calls).toEqual([]);
  });
});

describe('--profile and --debug: the real SDK clients, MSK over HTTP', () => {
  /** A shared credentials file with one profile, and every service's endpoint at the MSK stub. */
  async function awsEnv(): Promise<MskHttp> {
    const server = await startMskHttp('eu-west-1');
    const credentials = join(dir, 'credentials');
    await writeFile(credentials, '[ops]\naws_access_key_id = AKIAOPSPROFILE000001\naws_secret_access_key = opssecret\n');
    await writeFile(join(dir, 'config'), '');
    Object.assign(process.env, { AWS_SHARED_CREDENTIALS_FILE: credentials, AWS_CONFIG_FILE: join(dir, 'config'), AWS_ENDPOINT_URL: server.url });
    for (const key of ['AWS_PROFILE', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN']) delete process.env[key];
    return server;
  }

  /** Real clients (createAwsClients) built from the CLI's options; the last ones built are kept. */
  function realClients() {
    const built: { region: string; options: AwsClientOptions; clients: AwsClients }[] = [];
    return {
      built,
      clientsFor: (region: string, options: AwsClientOptions) => {
        const clients = createAwsClients(region, options);
        built.push({ region, options, clients });
        return clients;
      },
    };
  }

  test('--profile: the SDK signs with that profile of the shared credentials file', async () => {
    http = await awsEnv();
    const clusterArn = http.msk.addCluster({ name: 'orders', brokers: brokersFor([1, 2, 3]) });
    const file = await writeConfig([{ clusterArn, domain: 'kafka.example.com', hostedZoneId: 'Z1', loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1' }]);
    const real = realClients();

    await cli(['plan', '--config', file, '--profile', 'ops'], { clientsFor: real.clientsFor });

    expect(real.built.map((b) => [b.region, b.options.profile])).toEqual([['eu-west-1', 'ops']]);
    const credentials = await real.built[0].clients.kafka.config.credentials();
    expect(credentials.accessKeyId).toBe('AKIAOPSPROFILE000001');
    // The request reached MSK (signed with those credentials): the stub served it.
    expect(http.calls).toContain('DescribeClusterV2Command');
  });

  test('--debug logs every AWS call (command, status) as JSON lines on the log stream; without it, nothing; --quiet only errors', async () => {
    http = await awsEnv();
    const clusterArn = http.msk.addCluster({ name: 'orders', brokers: brokersFor([1, 2, 3]) });
    const file = await writeConfig([{ clusterArn, domain: 'kafka.example.com', hostedZoneId: 'Z1', loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef', certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1' }]);

    const debug = await cli(['--debug', 'plan', '--config', file, '--profile', 'ops'], { clientsFor: realClients().clientsFor });
    const plain = await cli(['plan', '--config', file, '--profile', 'ops'], { clientsFor: realClients().clientsFor });
    const quiet = await cli(['plan', '--config', file, '--profile', 'ops', '--quiet'], { clientsFor: realClients().clientsFor });

    const lines = debug.log.trim().split('\n').map((l) => JSON.parse(l) as { level: number; msg: string; aws?: string; status?: number; error?: string });
    const describe = lines.find((l) => l.aws === 'KafkaClient DescribeClusterV2Command');
    expect(describe).toMatchObject({ level: 20, msg: 'DescribeClusterV2Command done', status: 200 });
    // The call the stub cannot answer is in the log too, with its error.
    expect(lines.some((l) => l.msg.endsWith('failed') && l.error)).toBe(true);
    // Logs go to the log stream (stderr), never to stdout.
    expect(debug.out).not.toContain('DescribeClusterV2Command');
    expect(plain.log).toBe('');
    expect(quiet.log).toBe('');
    expect(logger.isLevelEnabled('warn')).toBe(false);
    // The command's own error line is still printed with --quiet.
    expect(quiet.err).toContain(`error: ${clusterArn}:`);
  });

  test('--debug and --quiet together are refused', async () => {
    const run = await cli(['plan', '--config', 'x.json', '--debug', '--quiet'], { clientsFor: realClients().clientsFor });
    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain('--debug and --quiet contradict each other');
  });
});

describe('--region: the clusters of the config in that region', () => {
  const elsewhere = 'arn:aws:kafka:us-east-1:123456789012:cluster/audit/0f0e0d0c-0b0a-4909-8807-060504030201-1';

  test('only the clusters whose ARN is in the region run; another region of the config is not called', async () => {
    s = createScenario();
    const file = await writeConfig([s.config, { ...s.config, clusterArn: elsewhere }]);

    const run = await cli(['plan', '--config', file, '--region', 'eu-west-1'], { scenario: s });

    expect(run.code).toBe(EXIT.ok);
    expect(run.regions).toEqual(['eu-west-1']);
    expect(run.out).toContain(`Cluster orders (${s.clusterArn})`);
    expect(run.out).not.toContain('audit');
  });

  test('a region with no cluster of the config is refused, naming the regions it has', async () => {
    s = createScenario();
    const file = await writeConfig([s.config, { ...s.config, clusterArn: elsewhere }]);

    const run = await cli(['plan', '--config', file, '--region', 'ap-south-1'], { scenario: s });

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain('no cluster of the config is in region ap-south-1 (--region); its clusters are in eu-west-1, us-east-1');
    expect(s.world.calls).toEqual([]);
  });

  test('--cluster of another region than --region is refused, naming both', async () => {
    s = createScenario();
    const file = await writeConfig([s.config, { ...s.config, clusterArn: elsewhere }]);

    const run = await cli(['plan', '--config', file, '--region', 'eu-west-1', '--cluster', 'audit'], { scenario: s });

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain('cluster audit is in us-east-1, not in eu-west-1 (--region)');
    expect(s.world.calls).toEqual([]);
  });

  test('in another region, the clients are built for that region; its failure is in the JSON', async () => {
    s = createScenario();
    const file = await writeConfig([s.config, { ...s.config, clusterArn: elsewhere }]);

    const run = await cli(['plan', '--config', file, '--region', 'us-east-1', '--json'], { scenario: s });

    expect(run.regions).toEqual(['us-east-1']);
    expect(run.code).toBe(EXIT.error);
    expect(JSON.parse(run.out)).toEqual([{ clusterArn: elsewhere, error: expect.any(String) }]);
  });
});

describe('--cluster by name or ARN', () => {
  test('by name: only that cluster runs', async () => {
    s = createScenario();
    const payments = addCluster(s, 'payments');
    const file = await writeConfig([s.config, payments]);

    const run = await cli(['apply', '--config', file, '--cluster', 'payments'], { scenario: s });

    expect(run.code).toBe(EXIT.ok);
    expect(run.out).toContain(`Cluster payments (${payments.clusterArn})`);
    expect(run.out).not.toContain('Cluster orders');
    const lbs = s.world.writes().filter((c) => c.command === 'CreateListenerCommand').map((c) => (c.input as { LoadBalancerArn: string }).LoadBalancerArn);
    expect(new Set(lbs)).toEqual(new Set([payments.loadBalancerArn]));
  });

  test('a name two clusters share is refused, listing both ARNs; the ARN picks one', async () => {
    s = createScenario();
    const twin = addCluster(s, 'orders'); // same name, another UUID
    const file = await writeConfig([s.config, twin]);

    const ambiguous = await cli(['plan', '--config', file, '--cluster', 'orders'], { scenario: s });

    expect(ambiguous.code).toBe(EXIT.error);
    expect(ambiguous.err).toContain('cluster name orders is ambiguous: 2 clusters of the config have it');
    expect(ambiguous.err).toContain(s.clusterArn);
    expect(ambiguous.err).toContain(twin.clusterArn);
    expect(ambiguous.err).toContain('pass --cluster <ARN>');
    expect(s.world.calls).toEqual([]);

    const byArn = await cli(['plan', '--config', file, '--cluster', twin.clusterArn], { scenario: s });
    expect(byArn.code).toBe(EXIT.ok);
    expect(byArn.out).toContain(twin.clusterArn);
    expect(byArn.out).not.toContain(s.clusterArn);
  });

  test('an unknown name lists the names and ARNs of the config', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const run = await cli(['plan', '--config', file, '--cluster', 'ordres'], { scenario: s });

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`cluster ordres is not in the config (it lists orders (${s.clusterArn}))`);
  });
});

describe('--json: always an array, failed clusters in it', () => {
  test('two clusters, one of them gone: an array of two, the failure as {clusterArn, error}, exit 1', async () => {
    s = createScenario();
    const gone = { ...s.config, clusterArn: s.clusterArn.replace('/orders/', '/deleted/') };
    const file = await writeConfig([s.config, gone]);

    for (const command of ['plan', 'apply', 'check']) {
      const run = await cli([command, '--config', file, '--json'], { scenario: s });

      expect(run.code).toBe(EXIT.error);
      const report = JSON.parse(run.out) as { clusterArn: string; error?: string }[];
      expect(report.map((r) => r.clusterArn)).toEqual([s.clusterArn, gone.clusterArn]);
      expect(report[0].error).toBeUndefined();
      expect(report[1].error).toMatch(/\S/);
      // The same error on stderr, for a person.
      expect(run.err).toContain(`error: ${gone.clusterArn}: ${report[1].error!.split('\n')[0]}`);
    }
  });

  test('one cluster is still an array; apply reports the counts of planned and applied changes', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const run = await cli(['apply', '--config', file, '--json'], { scenario: s });

    const report = JSON.parse(run.out) as { clusterArn: string; changes: { planned: number; applied: number } }[];
    expect(Array.isArray(report)).toBe(true);
    expect(report).toHaveLength(1);
    expect(report[0]).toMatchObject({ clusterArn: s.clusterArn, changes: { planned: 29, applied: 29 } });
  });
});

describe('plan --detailed-exitcode', () => {
  test('2 with changes, 0 without, 1 on an error; plain plan exits 0 with changes', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    const gone = await writeConfig([{ ...s.config, clusterArn: s.clusterArn.replace('/orders/', '/deleted/') }], 'gone.json');

    expect((await cli(['plan', '--config', file], { scenario: s })).code).toBe(EXIT.ok);
    expect((await cli(['plan', '--config', file, '--detailed-exitcode'], { scenario: s })).code).toBe(2);
    expect((await cli(['plan', '--config', gone, '--detailed-exitcode'], { scenario: s })).code).toBe(1);
    expect(s.world.writes()).toEqual([]);

    expect((await cli(['apply', '--config', file], { scenario: s })).code).toBe(EXIT.ok);
    const after = await cli(['plan', '--config', file, '--detailed-exitcode'], { scenario: s });
    expect(after.out).toContain('No changes');
    expect(after.code).toBe(0);
  });

  test('is a plan option only (apply has no such flag)', async () => {
    s = createScenario();
    const run = await cli(['apply', '--config', await writeConfig([s.config]), '--detailed-exitcode'], { scenario: s });
    expect(run.code).toBe(EXIT.error);
    expect(run.err).toMatch(/unknown option '--detailed-exitcode'/);
    expect(s.world.calls).toEqual([]);
  });
});

describe('tables fit the terminal', () => {
  const longest = (text: string) => Math.max(...text.split('\n').map((l) => l.length));
  /** A plan table's rows (a row starts where "what" is set), each cell's lines joined without spaces. */
  const cells = (text: string) => {
    const rows: string[][] = [];
    for (const line of text.split('\n').filter((l) => l.startsWith('│'))) {
      const parts = line.split('│').slice(1, -1).map((c) => c.trim());
      if (parts[1]) rows.push(parts.map((p) => p.replace(/ /g, '')));
      else parts.forEach((p, i) => (rows[rows.length - 1][i] += p.replace(/ /g, '')));
    }
    return rows;
  };

  test('at 80 columns every line of plan, apply and check fits, nothing is cut short; --wide prints the full table', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);

    const wide = await cli(['plan', '--config', file, '--wide'], { scenario: s, columns: 80 });
    const plan = await cli(['plan', '--config', file], { scenario: s, columns: 80 });
    const apply = await cli(['apply', '--config', file], { scenario: s, columns: 80 });
    const check = await cli(['check', '--config', file], { scenario: s, columns: 80 });

    expect(longest(wide.out)).toBeGreaterThan(80);
    for (const run of [plan, apply, check]) {
      const tableLines = run.out.split('\n').filter((l) => /^[│┌└├]/.test(l));
      expect(tableLines.length).toBeGreaterThan(4);
      expect(longest(tableLines.join('\n'))).toBeLessThanOrEqual(80);
    }
    // Wrapped, not cut short: each row's cells, their lines joined, hold what the wide table has (spaces aside).
    expect(cells(plan.out)).toEqual(cells(wide.out));
    // The resulting mapping hid columns to fit and says which.
    expect(apply.out).toMatch(/\(target group(, alarms)? hidden to fit 80 columns; --wide shows every column\)/);
    // check hides only columns where every endpoint passed.
    expect(check.out).toMatch(/hidden to fit 80 columns: every endpoint ok; --wide shows every column\)/);
  });

  test('without a terminal width (piped) or with --json, tables are not narrowed', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    const piped = await cli(['plan', '--config', file], { scenario: s });
    const wide = await cli(['plan', '--config', file, '--wide'], { scenario: s, columns: 80 });
    expect(piped.out).toBe(wide.out);
  });
});

describe('"Applied N of M changes" counts as the plan counts', () => {
  test('a scale-in 3 -> 2: the plan summary and the applied counts agree, change by change', async () => {
    s = createScenario();
    const file = await writeConfig([s.config]);
    expect((await cli(['apply', '--config', file], { scenario: s })).code).toBe(EXIT.ok);
    s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 2)));

    const plan = await cli(['plan', '--config', file], { scenario: s });
    const apply = await cli(['apply', '--config', file], { scenario: s });

    const [, add, change, remove] = /Plan: (\d+) to add, (\d+) to change, (\d+) to remove\./.exec(plan.out)!.map(Number);
    const total = add + change + remove;
    expect(remove).toBeGreaterThan(0);
    expect(apply.out).toContain(`Applied ${total} of ${total} changes (${add} added, ${change} changed, ${remove} removed) in `);
  });
});

describe('help text matches behaviour', () => {
  test('restore --help calls --cluster required (and restore without it is refused); plan --help calls it optional', async () => {
    s = createScenario();

    const restoreHelp = await cli(['restore', '--help'], { scenario: s });
    const planHelp = await cli(['plan', '--help'], { scenario: s });
    const refused = await cli(['restore', '--config', await writeConfig([s.config])], { scenario: s });

    expect(restoreHelp.code).toBe(EXIT.ok);
    expect(restoreHelp.out).toMatch(/--cluster <name\|arn>\s+the one cluster to act on, by name or ARN \(required\)/);
    expect(planHelp.out).toMatch(/--cluster <name\|arn>\s+only this cluster of the config, by name or ARN\s+\(default: every cluster\)/);
    expect(planHelp.out).toContain('--detailed-exitcode');
    // Global flags are listed by each command too.
    expect(planHelp.out).toMatch(/Global Options:[\s\S]*--profile <name>/);
    expect(refused.code).toBe(EXIT.error);
    expect(refused.err).toContain("required option '--cluster <name|arn>' not specified");
  });

  test('the top-level help lists the global flags and the exit codes', async () => {
    s = createScenario();
    const help = await cli(['--help'], { scenario: s });
    for (const flag of ['--version', '--profile <name>', '--region <region>', '--debug', '--quiet']) expect(help.out).toContain(flag);
    expect(help.out).toMatch(/Exit codes:\s+0 +done[\s\S]*1 +error[\s\S]*2 +not converged/);
  });
});

describe('bootstrapPort where a broker port could land', () => {
  test(`bootstrapPort 9005 with brokerPortBase 9000: a warning naming broker 5; the plan of 3 brokers still runs`, async () => {
    s = createScenario();
    const file = await writeConfig([{ ...s.config, bootstrapPort: 9005 }]);
    const fine = await writeConfig([s.config], 'fine.json');

    const run = await cli(['plan', '--config', file], { scenario: s });
    const clean = await cli(['plan', '--config', fine], { scenario: s });
    const quiet = await cli(['plan', '--config', file, '--quiet'], { scenario: s });

    expect(run.code).toBe(EXIT.ok);
    expect(run.err).toContain(`warning: ${s.clusterArn}: bootstrapPort 9005 is the port broker 5 would get (brokerPortBase 9000 + 5)`);
    expect(run.err).toContain(`Move bootstrapPort to 9000 or outside 9001-${9000 + MAX_BROKERS_PER_CLUSTER}`);
    expect(run.out).toContain(':9005 TLS');
    expect(clean.err).toBe('');
    // --quiet: errors only.
    expect(quiet.err).toBe('');
    expect(quiet.out).toBe(run.out);
  });

  test('and when the cluster reaches broker 5, the plan refuses the collision before any write', async () => {
    s = createScenario({ brokerIds: [1, 2, 3, 4, 5, 6] });
    const file = await writeConfig([{ ...s.config, bootstrapPort: 9005 }]);

    const run = await cli(['apply', '--config', file], { scenario: s });

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toMatch(/would share port 9005/);
    expect(s.world.writes()).toEqual([]);
  });

  test('pure: the bootstrap port of one listener inside the broker range of another on the same NLB; other NLBs and bootstrap-only listeners do not count', () => {
    const base = {
      clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/0f0e0d0c-0b0a-4909-8807-060504030201-1',
      domain: 'kafka.example.com',
      hostedZoneId: 'Z1',
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1',
    };
    const other = 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/public/fedcba9876543210';
    const warn = (listeners: unknown[]) => portRangeWarnings(parseConfig({ clusters: [{ ...base, listeners }] }));

    // SCRAM's bootstrap 9010 is broker 10's port of the IAM listener (base 9000).
    const scram = { authentication: 'scram', bootstrapPort: 9010, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'b-{id}-scram' };
    const shared = warn([{ authentication: 'iam' }, scram]);
    expect(shared).toHaveLength(1);
    expect(shared[0]).toContain('bootstrapPort 9010 (listener scram@msk/0123456789abcdef) is the port broker 10 of listener iam@msk/0123456789abcdef would get');
    // On another NLB the ports do not meet.
    expect(warn([{ authentication: 'iam' }, { ...scram, loadBalancerArn: other }])).toEqual([]);
    // A bootstrap-only listener has no broker ports; just past the range is fine too.
    expect(warn([{ authentication: 'iam', endpoints: 'bootstrap-only', bootstrapPort: 9200 }, { ...scram, bootstrapPort: 9201, brokerPortBase: 9200, endpoints: 'bootstrap-only' }])).toEqual([]);
    expect(portRangeWarnings(parseConfig({ clusters: [{ ...base, bootstrapPort: 9000 + MAX_BROKERS_PER_CLUSTER + 1 }] }))).toEqual([]);
  });
});

describe('a missing load balancer', () => {
  test('is reported with its ARN and the field to fix, before any write', async () => {
    s = createScenario();
    const missing = s.lbArn.replace(/\/[0-9a-f]+$/, '/0000000000000000');
    const file = await writeConfig([{ ...s.config, loadBalancerArn: missing }]);

    const run = await cli(['apply', '--config', file], { scenario: s });

    expect(run.code).toBe(EXIT.error);
    expect(run.err).toContain(`load balancer ${missing} not found`);
    expect(run.err).toContain('loadBalancerArn');
    expect(s.world.writes()).toEqual([]);
  });
});
