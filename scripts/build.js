// Builds the shipped JavaScript with esbuild: the CLI (dist/cli.cjs, run by bin/) and, for
// `serverless package`, one minified bundle per Lambda function (dist/lambda/<fn>/index.js).
// Usage: node scripts/build.js [cli] [lambda]   (no argument: both)
const esbuild = require('esbuild');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  minify: true,
  // Prefer the ESM builds of dependencies: esbuild can only tree-shake ES modules, which drops
  // the unused commands of each AWS SDK client and the unused parts of zod/mini.
  mainFields: ['module', 'main'],
  legalComments: 'none',
  logLevel: 'warning',
  absWorkingDir: root,
};

async function buildCli() {
  await esbuild.build({
    ...common,
    entryPoints: ['cli/main.ts'],
    outfile: 'dist/cli.cjs',
    // Node 20 is the oldest the CLI supports (the Lambda runs 22).
    target: 'node20',
  });
}

/**
 * Lambda functions: entry point, and what the function must not carry. `external`: taken from
 * the AWS SDK v3 that the nodejs22.x runtime ships instead of bundled. resync's EC2 client: its
 * serialisation model alone is ~600 KB minified (it knows every EC2 API), for calls that every
 * runtime SDK of nodejs22.x has (DescribeVpcs, DescribeSecurityGroups, DescribeSecurityGroupRules,
 * DescribeVpcEndpoints, DescribeVpcEndpointServiceConfigurations, and with loadBalancerIngress
 * Authorize/Modify/RevokeSecurityGroupIngress, all from 2021 or earlier). Its STS client (~29 KB):
 * only AssumeRole (hostedZoneRole), in every runtime SDK; its credentials are plain values.
 */
const LAMBDAS = {
  resync: { entry: 'handlers/resync.ts', external: ['@aws-sdk/client-ec2', '@aws-sdk/client-sts'] },
  // The SSM client (for the webhook parameter) comes from the nodejs22.x runtime, which ships
  // AWS SDK v3: bundled it would triple the function (about 300 KB of SDK core for one call).
  notify: { entry: 'handlers/notify.ts', external: ['@aws-sdk/client-ssm'] },
};

/** CLI-only modules: a Lambda bundle that pulls one in has an import that leaks from cli/ or report/. */
const CLI_ONLY = ['yaml', 'cli-table3', 'commander'];

function packageOf(input) {
  const rest = input.split('node_modules/').pop();
  if (rest === input) return undefined;
  const parts = rest.split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Builds dist/lambda/<fn>/index.js for each function; returns the bundle sizes in bytes. */
async function buildLambdas(lambdas = LAMBDAS) {
  const sizes = {};
  for (const [name, { entry, external = [] }] of Object.entries(lambdas)) {
    const outfile = `dist/lambda/${name}/index.js`;
    // The function packages its whole folder: nothing stale may stay in it.
    fs.rmSync(path.join(root, 'dist/lambda', name), { recursive: true, force: true });
    const result = await esbuild.build({
      ...common,
      entryPoints: [entry],
      outfile,
      external,
      target: 'node22',
      // No source maps in the package: they tripled its size; stack traces name the minified
      // functions, and the log lines say which cluster and phase failed.
      sourcemap: false,
      metafile: true,
    });
    const leaked = [...new Set(Object.keys(result.metafile.inputs).map(packageOf).filter((p) => CLI_ONLY.includes(p)))];
    if (leaked.length) throw new Error(`${entry} bundles CLI-only module(s) ${leaked.join(', ')}: import shared/config/parse and shared/report/rows, not load/plan`);
    sizes[name] = result.metafile.outputs[outfile].bytes;
  }
  return sizes;
}

module.exports = { buildCli, buildLambdas, common, LAMBDAS };

if (require.main === module) {
  const wanted = process.argv.slice(2);
  const all = wanted.length === 0;
  (async () => {
    if (all || wanted.includes('cli')) await buildCli();
    if (all || wanted.includes('lambda')) {
      for (const [name, bytes] of Object.entries(await buildLambdas())) console.log(`dist/lambda/${name}/index.js ${(bytes / 1024).toFixed(0)} KB`);
    }
  })().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
