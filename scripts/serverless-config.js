// Resolves ${file(./scripts/serverless-config.js):configJson} in serverless.yml: reads the
// config file named by `--param config=<file>` (default config.example.json), validates it
// with the same schema as the CLI, and hands it to the Lambdas as one JSON string.
const { readFileSync } = require('node:fs');
const path = require('node:path');

module.exports = async ({ resolveVariable }) => {
  const file = (await resolveVariable('param:config, "config.example.json"')) || 'config.example.json';
  require('tsx/cjs');
  const { parseConfig } = require('../shared/config/load.ts');
  const { parse } = require('yaml');
  const raw = parse(readFileSync(path.resolve(__dirname, '..', file), 'utf8'));
  return { configJson: JSON.stringify(parseConfig(raw, `config file ${file}`)) };
};
