#!/usr/bin/env node
// Launcher for the CLI bundle that `npm run build` writes (npm ci / npm install run it via `prepare`).
let cli;
try {
  cli = require('../dist/cli.cjs');
} catch (error) {
  if (error.code !== 'MODULE_NOT_FOUND') throw error;
  console.error('msk-custom-domain: dist/cli.cjs is missing; run `npm run build` first');
  process.exit(1);
}
cli.main();
