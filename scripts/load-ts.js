// Gives package-time scripts the project's own TypeScript (the CLI's config loader and schema,
// the IAM statements) without a TypeScript loader: esbuild compiles a module in memory (tens of
// milliseconds), so what packaging runs is always what the source says.
const esbuild = require('esbuild');
const Module = require('node:module');
const path = require('node:path');
const { common } = require('./build');

const root = path.resolve(__dirname, '..');
const cache = new Map();

/** require() for a TypeScript module of this project, e.g. requireTs('shared/config/load.ts'). */
function requireTs(file) {
  const entry = path.resolve(root, file);
  if (cache.has(entry)) return cache.get(entry);
  const out = esbuild.buildSync({ ...common, entryPoints: [entry], write: false, minify: false, target: 'node20', logLevel: 'error' });
  const mod = new Module(entry, module);
  mod.filename = entry;
  mod.paths = Module._nodeModulePaths(path.dirname(entry));
  mod._compile(out.outputFiles[0].text, entry);
  cache.set(entry, mod.exports);
  return mod.exports;
}

module.exports = { requireTs };
