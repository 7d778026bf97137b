import { beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// The Lambda bundles as scripts/build.js writes them for `serverless package`, run in a plain
// node process (not through jest's transform), the way the Lambda runtime loads them.
const root = path.resolve(__dirname, '../..');
const { buildLambdas } = require('../../scripts/build.js') as { buildLambdas: (l?: Record<string, { entry: string }>) => Promise<Record<string, number>> };

let sizes: Record<string, number>;
beforeAll(async () => {
  sizes = await buildLambdas();
}, 60_000);

/** Calls the bundle's handler in a child node process and returns its result or error. */
function invoke(fn: string, event: unknown, env: Record<string, string> = {}) {
  const script = `require(${JSON.stringify(path.join(root, `dist/lambda/${fn}/index.js`))}).handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 60000 })
    .then((r) => process.stdout.write('RESULT ' + JSON.stringify(r) + '\\n'), (e) => process.stdout.write('ERROR ' + e.message + '\\n'))`;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env: { PATH: process.env.PATH, LOG_LEVEL: 'silent', ...env } });
  const line = run.stdout.split('\n').find((l) => l.startsWith('RESULT ') || l.startsWith('ERROR '));
  if (!line) throw new Error(`no result from ${fn}: ${run.stderr}`);
  return line.startsWith('RESULT ') ? { result: JSON.parse(line.slice(7)) } : { error: line.slice(6) };
}

describe('Lambda bundles', () => {
  test('resync is under 1.2 MB and notify under 150 KB', () => {
    expect(sizes.resync).toBeLessThan(1.2 * 1024 * 1024);
    expect(sizes.notify).toBeLessThan(150 * 1024);
  });

  test('the notify bundle runs: a malformed SNS message is counted and skipped', () => {
    const out = invoke('notify', { Records: [{ Sns: { MessageId: 'm-1', Message: 'not json' } }] });
    expect(out).toEqual({ result: { received: 1, invalid: 1, posted: 0, notPosted: 0, failed: [] } });
  });

  test('the resync bundle runs: an unknown cluster in a manual invoke is refused before any AWS call', () => {
    const config = JSON.stringify({
      clusters: [
        {
          clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-1',
          domain: 'kafka.example.com',
          hostedZoneId: 'Z0123456789ABCDEFGHIJ',
          loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-orders/0123456789abcdef',
          certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
        },
      ],
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'mcd-bundle-'));
    writeFileSync(path.join(dir, 'config.json'), config);
    const out = invoke('resync', { clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/typo/6f1c2a9e-1' }, { MSK_CUSTOM_DOMAIN_CONFIG_FILE: 'config.json', LAMBDA_TASK_ROOT: dir });
    rmSync(dir, { recursive: true, force: true });
    expect(out.error).toMatch(/^cluster arn:aws:kafka:eu-west-1:123456789012:cluster\/typo\/6f1c2a9e-1 is not in this deployment's config/);
  });

  test('a handler that imports a CLI-only module fails the build, naming the module', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'mcd-leak-'));
    try {
      const entry = path.join(dir, 'leaky.ts');
      writeFileSync(entry, `import { loadConfig } from ${JSON.stringify(path.join(root, 'shared/config/load'))};\nexport const handler = loadConfig;\n`);
      await expect(buildLambdas({ 'test-leak': { entry } })).rejects.toThrow(/bundles CLI-only module\(s\) yaml/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      rmSync(path.join(root, 'dist/lambda/test-leak'), { recursive: true, force: true });
    }
  });
});
