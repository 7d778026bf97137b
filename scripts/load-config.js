// Gives package-time scripts the CLI's own config loading and validation (shared/config/load.ts) without a
// TypeScript loader: esbuild compiles it in memory (tens of milliseconds), so it cannot go stale.
const esbuild = require('esbuild');
const Module = require('node:module');
const path = require('node:path');
const { common } = require('./build');

let cached;

/** @returns {{ loadConfig: (file: string) => Promise<any>, parseConfig: (raw: unknown, source?: string) => any }} */
function loadConfigModule() {
  if (cached) return cached;
  const entry = path.resolve(__dirname, '../shared/config/load.ts');
  const out = esbuild.buildSync({ ...common, entryPoints: [entry], write: false, minify: false, target: 'node20', logLevel: 'error' });
  const mod = new Module(entry, module);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  mod._compile(out.outputFiles[0].text, entry);
  cached = mod.exports;
  return cached;
}

module.exports = { loadConfigModule };
