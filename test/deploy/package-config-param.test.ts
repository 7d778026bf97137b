import { afterAll, describe, expect, test } from '@jest/globals';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import { clusterEntry, packageStack } from './package-stack';

// `serverless package` / `deploy` take the clusters file from --param config=<file>: there is no
// default, so the example's ARNs are never deployed by accident.

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('the config parameter of serverless package', () => {
  test('without --param config= packaging is refused, naming the parameter; nothing is written', () => {
    const run = packageStack(null);
    dirs.push(run.dir);

    expect(run.status).not.toBe(0);
    expect(run.output).toContain('--param config=<file> is required');
    expect(run.output).toContain('config.example.json is only a template');
    expect(existsSync(path.join(run.dir, '.serverless/cloudformation-template-update-stack.json'))).toBe(false);
  }, 120_000);

  test('with it, a bootstrapPort where a broker port could land packages, with the same warning as the CLI', () => {
    const run = packageStack({ clusters: [clusterEntry(1, { bootstrapPort: 9005 })] });
    dirs.push(run.dir);

    expect(run.status).toBe(0);
    expect(run.output).toMatch(/warning: arn:aws:kafka:\S+: bootstrapPort 9005 is the port broker 5 would get \(brokerPortBase 9000 \+ 5\)/);
  }, 180_000);
});
