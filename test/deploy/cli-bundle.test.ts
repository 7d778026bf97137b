import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startMskHttp } from '../integration/msk-http';

// The installed CLI is the esbuild bundle that bin/ launches: no TypeScript at run time.
const root = path.resolve(__dirname, '../..');

beforeAll(() => {
  execFileSync(process.execPath, ['scripts/build.js', 'cli'], { cwd: root });
}, 60_000);

describe('the built CLI', () => {
  test('bin/msk-custom-domain.cjs runs the bundle: --help lists the commands', () => {
    const run = spawnSync(process.execPath, ['bin/msk-custom-domain.cjs', '--help'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/Usage: msk-custom-domain/);
    for (const command of ['plan', 'apply', 'restore']) expect(run.stdout).toContain(command);
  });

  test('a config error surfaces with exit code 1, from the bundle', () => {
    const run = spawnSync(process.execPath, ['bin/msk-custom-domain.cjs', 'plan', '--config', 'does-not-exist.json'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('cannot read config file does-not-exist.json');
  });

  test('tsx is not a production dependency, and the bundle does not load it', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    expect(pkg.dependencies).not.toHaveProperty('tsx');
    expect(readFileSync(path.join(root, 'dist/cli.cjs'), 'utf8')).not.toMatch(/require\("tsx/);
  });

  test('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
    const run = spawnSync(process.execPath, ['bin/msk-custom-domain.cjs', '--version'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout.trim()).toBe(pkg.version);
  });

  test("the SDK's NodeVersionSupportWarning stays out of a run; other warnings still print", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcd-bundle-'));
    const config = path.join(dir, 'clusters.json');
    writeFileSync(config, JSON.stringify({ clusters: [{
      clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d4e5f-2',
      domain: 'kafka.example.com', hostedZoneId: 'Z1',
      loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef',
      certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1',
    }] }));
    // Another warning, emitted in the same process before the CLI starts.
    const canary = path.join(dir, 'canary.js');
    writeFileSync(canary, "process.emitWarning('canary warning from the test');\n");
    // Every SDK call goes to the MSK stub (the cluster is unknown there): the clients are built, the run fails fast.
    const http = await startMskHttp();
    const run = (extra: Record<string, string> = {}) =>
      new Promise<{ status: number | null; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, ['bin/msk-custom-domain.cjs', 'plan', '--config', config], {
          cwd: root,
          env: { PATH: process.env.PATH, HOME: dir, AWS_ACCESS_KEY_ID: 'AKIDTEST', AWS_SECRET_ACCESS_KEY: 'secret', AWS_ENDPOINT_URL: http.url, NODE_OPTIONS: `--require ${canary}`, ...extra },
        });
        let stderr = '';
        child.stderr.on('data', (d) => (stderr += d));
        child.on('close', (status) => resolve({ status, stderr }));
      });
    try {
      const quiet = await run();
      expect(quiet.status).toBe(1);
      expect(quiet.stderr).toContain('error: arn:aws:kafka:eu-west-1:123456789012:cluster/orders/');
      expect(quiet.stderr).toContain('canary warning from the test');
      expect(quiet.stderr).not.toContain('NodeVersionSupportWarning');
      // The control: with the SDK's switch set otherwise, Node < 22 shows it (the SDK warns below 22 only).
      const shown = await run({ AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'false' });
      if (Number(process.versions.node.split('.')[0]) < 22) expect(shown.stderr).toContain('NodeVersionSupportWarning');
    } finally {
      await http.stop();
    }
  }, 60_000);
});
