import { beforeAll, describe, expect, test } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';

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
});
