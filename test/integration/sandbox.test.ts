// `npm run sandbox` as a user runs it: the script in a process of its own (its own moto and MSK
// endpoint), its printed env applied, then the CLI's plan -> apply -> check -> plan against it;
// SIGTERM (as Ctrl-C) must stop moto and the MSK endpoint. Skips only when moto is not installed.
import { afterAll, describe, expect, test } from '@jest/globals';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { EXIT, runCli } from '../../cli/main';
import { createAwsClients } from '../../shared/aws/clients';
import { parseExports, scaleOut } from '../../scripts/sandbox';
import { MOTO_MISSING, restoreSdkEnv } from './moto';

const ROOT = join(__dirname, '..', '..');
const motoInstalled = spawnSync('python3', ['-c', 'import moto.server'], { stdio: 'ignore' }).status === 0;
if (!motoInstalled) process.stdout.write(`SKIPPED test/integration/sandbox.test.ts: ${MOTO_MISSING}\n`);
const saved = { ...process.env };

interface Run {
  child: ChildProcess;
  /** Everything printed so far (stdout and stderr). */
  output: () => string;
  exited: Promise<number | null>;
}

function sandbox(...args: string[]): Run {
  const child = spawn(process.execPath, [require.resolve('tsx/cli'), 'scripts/sandbox.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout!.on('data', (d) => (text += d));
  child.stderr!.on('data', (d) => (text += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => text, exited };
}

async function until(run: Run, marker: string, ms = 60_000): Promise<string> {
  const deadline = Date.now() + ms;
  while (!run.output().includes(marker)) {
    if (Date.now() > deadline || run.child.exitCode !== null) throw new Error(`the sandbox never printed "${marker}":\n${run.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return run.output();
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { clientsFor: createAwsClients, out: (t) => out.push(t), err: (t) => err.push(t), dnsPollSeconds: 0.2 });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

afterAll(() => {
  restoreSdkEnv(saved);
});

(motoInstalled ? describe : describe.skip)('npm run sandbox', () => {
  test('prints the env and a ready clusters.json; the CLI plans, applies, checks and then has nothing to do; SIGTERM stops moto and MSK', async () => {
    const run = sandbox();
    try {
      const printed = await until(run, 'Ctrl-C stops');
      const env = parseExports(printed);
      expect(Object.keys(env).sort()).toEqual(['AWS_ACCESS_KEY_ID', 'AWS_ENDPOINT_URL', 'AWS_ENDPOINT_URL_KAFKA', 'AWS_REGION', 'AWS_SECRET_ACCESS_KEY']);
      const configFile = /^Config: (.+)$/m.exec(printed)![1]!;
      expect(printed).toContain(`npx msk-custom-domain apply --config ${configFile}`);
      const { clusters } = JSON.parse(await readFile(configFile, 'utf8'));
      expect(clusters).toHaveLength(1);
      // moto's own ids, as the schema must take them: an NLB ARN saying app/, a zone id without the Z.
      expect(clusters[0].loadBalancerArn).toMatch(/:loadbalancer\/app\/msk-orders\//);
      expect(clusters[0].hostedZoneId).toMatch(/^\/hostedzone\/[A-Z0-9]{22}$/);

      Object.assign(process.env, env);
      delete process.env.AWS_PROFILE;
      const first = await cli('plan', '--config', configFile, '--json');
      expect({ code: first.code, err: first.err }).toEqual({ code: EXIT.ok, err: '' });
      const count = (type: string) => JSON.parse(first.out)[0].plan.actions.filter((a: { type: string }) => a.type === type).length;
      // Bootstrap and 3 brokers: a group and a TLS listener each; 3 alarms per broker.
      expect([count('create-target-group'), count('create-listener'), count('put-alarm')]).toEqual([4, 4, 9]);

      const applied = await cli('apply', '--config', configFile);
      expect({ code: applied.code, err: applied.err }).toEqual({ code: EXIT.ok, err: '' });
      const checked = await cli('check', '--config', configFile);
      expect(checked.out).toContain('Every check passed for 4 endpoint(s).');
      expect(checked.code).toBe(EXIT.ok);
      const again = await cli('plan', '--config', configFile, '--json', '--detailed-exitcode');
      expect(again.code).toBe(EXIT.ok);
      expect(JSON.parse(again.out)[0].plan.actions).toEqual([]);

      // The rest of a first hour: MSK grows the cluster, the tool follows; then the way out.
      const said: string[] = [];
      await scaleOut(6, (line) => said.push(line));
      expect(said.join('\n')).toMatch(/UpdateBrokerCount to 6: operation arn:aws:kafka:eu-west-1:\d+:cluster-operation\//);
      const during = await cli('plan', '--config', configFile);
      // The operation announces brokers 4-6: their listeners are made while MSK works (exit 2: waiting).
      expect(during.code).toBe(EXIT.notConverged);
      expect(during.out).toContain('announced broker(s): 4, 5, 6');
      const grown = await cli('apply', '--config', configFile);
      expect({ code: grown.code, err: grown.err }).toEqual({ code: EXIT.ok, err: '' });
      const checkedAfter = await cli('check', '--config', configFile);
      expect(checkedAfter.out).toContain('Every check passed for 7 endpoint(s).');
      const shown = await cli('destroy', '--cluster', 'orders', '--config', configFile);
      expect(shown.out).toContain('run it again with --yes');
      const destroyed = await cli('destroy', '--cluster', 'orders', '--config', configFile, '--yes');
      expect({ code: destroyed.code, err: destroyed.err }).toEqual({ code: EXIT.ok, err: '' });
      const afterDestroy = await cli('plan', '--config', configFile, '--json');
      const creates = (JSON.parse(afterDestroy.out)[0].plan.actions as { type: string }[]).filter((a) => a.type === 'create-listener');
      expect(creates).toHaveLength(7);

      run.child.kill('SIGTERM');
      expect(await run.exited).toBe(0);
      expect(run.output()).toContain('Sandbox stopped.');
      expect(await answers(`${env.AWS_ENDPOINT_URL}/moto-api/`)).toBe(false);
      expect(await answers(env.AWS_ENDPOINT_URL_KAFKA!)).toBe(false);
    } finally {
      // A failed assertion still stops the sandbox (and so its moto) the way a user would.
      if (run.child.exitCode === null) {
        run.child.kill('SIGTERM');
        await run.exited;
      }
    }
  }, 120_000);

  test('--exit-after-seed prints the env, then exits 0 with moto stopped', async () => {
    const run = sandbox('--exit-after-seed');
    expect(await run.exited).toBe(0);
    const env = parseExports(run.output());
    expect(env.AWS_ENDPOINT_URL).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await answers(`${env.AWS_ENDPOINT_URL}/moto-api/`)).toBe(false);
  }, 60_000);
});
