import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../shared/config/parse';
import { MAX_POLICIES_PER_ROLE, MAX_POLICY_CHARS, policySize } from '../../shared/iam/pack';
import { clusterEntry, packageStack, type Packaged } from './package-stack';

const { zipEntries } = require('../../scripts/zip-entries.js') as {
  zipEntries: (file: string) => { name: string; size: number; read: () => Buffer }[];
};

// `serverless package` with 50 clusters: the config travels in the resync package, not in the
// environment (4 KB for all variables), and is validated at package time with the CLI's schema.

const FIFTY = { clusters: Array.from({ length: 50 }, (_, i) => clusterEntry(i + 1)) };

let fifty: Packaged;
let invalid: Packaged;
const dirs: string[] = [];
beforeAll(() => {
  fifty = packageStack(FIFTY);
  invalid = packageStack({ clusters: [clusterEntry(1), clusterEntry(2, { brokerPortBase: 70000 })] });
  dirs.push(fifty.dir, invalid.dir);
}, 240_000);
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe('packaging a config with 50 clusters', () => {
  test('succeeds, and the resync zip carries the validated config with every default filled in', () => {
    expect(fifty.output).not.toMatch(/warning/i);
    expect(fifty.status).toBe(0);
    const entries = zipEntries(path.join(fifty.dir, '.serverless/resync.zip'));
    const config = entries.find((e) => e.name === 'dist/lambda/resync/config.json');
    expect(config).toBeDefined();
    const packaged = JSON.parse(config!.read().toString('utf8'));
    expect(packaged).toEqual(parseConfig(FIFTY));
    expect(packaged.clusters).toHaveLength(50);
    // Far beyond what an environment variable could hold.
    expect(config!.size).toBeGreaterThan(40 * 1024);
  });

  test('the queue policy and every message group stay within their AWS limits (8,192 bytes; 100 characters)', () => {
    const resources = fifty.template().Resources;
    expect(JSON.stringify(resources.ResyncQueuePolicy!.Properties.PolicyDocument).length).toBeLessThan(8192);
    const groups = Object.values(resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Targets[0].SqsParameters).map((r) => r.Properties.Targets[0].SqsParameters.MessageGroupId as string);
    expect(groups).toHaveLength(100);
    for (const group of groups) expect(group.length).toBeLessThanOrEqual(100);
    expect(new Set(groups).size).toBe(50);
  });

  test('every function stays far below the 4 KB environment limit', () => {
    for (const [id, resource] of Object.entries(fifty.template().Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      const variables = resource.Properties.Environment?.Variables ?? {};
      expect([id, JSON.stringify(variables).length < 1024]).toEqual([id, true]);
      expect(JSON.stringify(variables)).not.toContain('clusterArn');
    }
  });

  test('the packaged resync bundle reads the packaged config: it knows all 50 clusters', () => {
    // Unzip the package the way Lambda does and run its handler with the environment the template sets.
    const taskRoot = mkdtempSync(path.join(tmpdir(), 'mcd-task-'));
    dirs.push(taskRoot);
    for (const entry of zipEntries(path.join(fifty.dir, '.serverless/resync.zip'))) {
      mkdirSync(path.dirname(path.join(taskRoot, entry.name)), { recursive: true });
      writeFileSync(path.join(taskRoot, entry.name), entry.read());
    }
    const fn = fifty.template().Resources.ResyncLambdaFunction!.Properties;
    const [file, exportName] = [fn.Handler.replace(/\.[^.]+$/, '.js'), fn.Handler.split('.').pop()];
    const script = `require(${JSON.stringify(path.join(taskRoot, file))}).${exportName}({ clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/nope/1' }, {})
      .then(() => console.log('RESOLVED'), (e) => console.log('ERROR ' + e.message))`;
    const run = spawnSync(process.execPath, ['-e', script], {
      encoding: 'utf8',
      env: {
        PATH: process.env.PATH, LOG_LEVEL: 'silent', LAMBDA_TASK_ROOT: taskRoot, MSK_CUSTOM_DOMAIN_CONFIG_FILE: fn.Environment.Variables.MSK_CUSTOM_DOMAIN_CONFIG_FILE,
        // The runtime's own AWS SDK, as Lambda puts it on NODE_PATH: the bundle takes only its build's `external` from there.
        NODE_PATH: path.resolve(__dirname, '../../node_modules'),
      },
    });
    const line = run.stdout.split('\n').find((l) => l.startsWith('ERROR '));
    expect(line).toMatch(/is not in this deployment's config/);
    for (const cluster of FIFTY.clusters) expect(line).toContain(cluster.clusterArn);
  });
});

describe('the resync role with 50 clusters', () => {
  test('fits IAM: at most 10 managed policies of at most 6,144 characters, and still names every cluster, zone and NLB', () => {
    const template = fifty.template();
    const arns = template.Resources.ResyncRole!.Properties.ManagedPolicyArns as { Ref: string }[];
    expect(arns.length).toBeGreaterThan(1);
    expect(arns.length).toBeLessThanOrEqual(MAX_POLICIES_PER_ROLE);
    const documents = arns.map((ref) => template.Resources[ref.Ref]!.Properties.PolicyDocument);
    for (const document of documents) expect(policySize(document)).toBeLessThanOrEqual(MAX_POLICY_CHARS);
    const text = JSON.stringify(documents);
    for (const cluster of FIFTY.clusters) {
      expect(text).toContain(`"${cluster.clusterArn}"`);
      expect(text).toContain(`"arn:aws:route53:::hostedzone/${cluster.hostedZoneId}"`);
      expect(text).toContain(`"${cluster.loadBalancerArn}"`);
    }
  });
});

describe('packaging refuses an invalid config', () => {
  test('with the field named, as the CLI names it, and no package written', () => {
    expect(invalid.status).not.toBe(0);
    expect(invalid.output).toContain('clusters[1].brokerPortBase');
    expect(() => invalid.template()).toThrow();
  });
});
