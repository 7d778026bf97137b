import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

// Runs the real `serverless package` (osls, offline, no AWS account) on a copy of the project, so
// that tests can package several configs side by side without racing on dist/ or .serverless/.

export const root = path.resolve(__dirname, '../..');

/** What packaging needs: the stack definition, its scripts and the sources the bundles are built from. */
const PROJECT = ['serverless.yml', 'package.json', 'tsconfig.json', 'scripts', 'shared', 'handlers'];

export interface Packaged {
  dir: string;
  status: number | null;
  output: string;
  /** The CloudFormation template serverless writes for `deploy`. */
  template: () => CfnTemplate;
}

export interface CfnTemplate {
  Resources: Record<string, { Type: string; Properties?: any; Condition?: string; DependsOn?: string[] }>;
  Outputs?: Record<string, unknown>;
}

/** `config` is written to clusters.json and passed as --param config=clusters.json; `null`: no config parameter at all. */
export function packageStack(config: unknown, params: Record<string, string> = {}): Packaged {
  const dir = mkdtempSync(path.join(tmpdir(), 'mcd-package-'));
  for (const entry of PROJECT) cpSync(path.join(root, entry), path.join(dir, entry), { recursive: true });
  symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'), 'dir');
  mkdirSync(path.join(dir, 'dist'));
  if (config !== null) writeFileSync(path.join(dir, 'clusters.json'), JSON.stringify(config, null, 2));
  const args = ['package', ...(config === null ? [] : ['--param', 'config=clusters.json']), ...Object.entries(params).flatMap(([k, v]) => ['--param', `${k}=${v}`])];
  const run = spawnSync(process.execPath, [path.join(root, 'node_modules/serverless/bin/serverless.js'), ...args], {
    cwd: dir,
    encoding: 'utf8',
    // No credentials, no profile: packaging must work offline on any machine.
    env: { PATH: process.env.PATH, HOME: process.env.HOME, AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '', AWS_PROFILE: '' },
    timeout: 120_000,
  });
  return {
    dir,
    status: run.status,
    output: `${run.stdout}\n${run.stderr}`,
    template: () => JSON.parse(readFileSync(path.join(dir, '.serverless/cloudformation-template-update-stack.json'), 'utf8')) as CfnTemplate,
  };
}

/** A valid cluster entry; `n` makes every ARN, zone and name distinct. */
export function clusterEntry(n: number, overrides: Record<string, unknown> = {}) {
  const hex = n.toString(16).padStart(4, '0');
  return {
    clusterArn: `arn:aws:kafka:eu-west-1:123456789012:cluster/orders-${n}/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d${hex}-2`,
    domain: `kafka-${n}.example.com`,
    hostedZoneId: `Z0123456789ABCDEF${hex.toUpperCase()}`,
    loadBalancerArn: `arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-orders-${n}/0123456789ab${hex}`,
    certificateArn: `arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-55555555${hex}`,
    ...overrides,
  };
}
