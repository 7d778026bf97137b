// After `serverless package`: prints each function's zip and bundle size and fails when a
// bundle exceeds its budget or the package ships anything but the bundle (source maps, sources).
// Usage: node scripts/package-report.js [.serverless]
const path = require('node:path');
const { zipEntries } = require('./zip-entries');

/** Budgets of the bundle (uncompressed index.js), in bytes. */
const BUDGET = { resync: 1.2 * 1024 * 1024, notify: 150 * 1024 };

function report(dir) {
  const problems = [];
  const lines = [];
  for (const [fn, budget] of Object.entries(BUDGET)) {
    const zip = path.join(dir, `${fn}.zip`);
    const entries = zipEntries(zip);
    const bundle = entries.find((e) => e.name === `dist/lambda/${fn}/index.js`);
    const extra = entries.filter((e) => e !== bundle && e.name !== `dist/lambda/${fn}/config.json`);
    if (!bundle) problems.push(`${fn}.zip has no dist/lambda/${fn}/index.js`);
    if (extra.length) problems.push(`${fn}.zip ships more than its bundle: ${extra.map((e) => e.name).join(', ')}`);
    if (bundle && bundle.size > budget) problems.push(`${fn} bundle is ${kb(bundle.size)}, over its ${kb(budget)} budget`);
    const zipped = entries.reduce((sum, e) => sum + e.compressedSize, 0);
    lines.push(`${fn.padEnd(7)} bundle ${kb(bundle?.size ?? 0).padStart(8)} (budget ${kb(budget)}), zipped ${kb(zipped)}, files: ${entries.map((e) => e.name).join(' ')}`);
  }
  return { lines, problems };
}

const kb = (bytes) => `${(bytes / 1024).toFixed(0)} KB`;

module.exports = { report, BUDGET };

if (require.main === module) {
  const { lines, problems } = report(process.argv[2] ?? '.serverless');
  console.log(lines.join('\n'));
  if (problems.length) {
    console.error(problems.map((p) => `error: ${p}`).join('\n'));
    process.exitCode = 1;
  }
}
