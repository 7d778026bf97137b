// Builds the shipped JavaScript with esbuild: the CLI (dist/cli.cjs, run by bin/) and, for
// `serverless package`, one minified bundle per Lambda function (dist/lambda/<fn>/index.js).
// Usage: node scripts/build.js [cli] [lambda]   (no argument: both)
const esbuild = require('esbuild');
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

module.exports = { buildCli, common };

if (require.main === module) {
  const wanted = process.argv.slice(2);
  const all = wanted.length === 0;
  (async () => {
    if (all || wanted.includes('cli')) await buildCli();
  })().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
