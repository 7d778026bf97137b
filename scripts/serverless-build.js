// Local serverless plugin: builds the Lambda bundles (scripts/build.js) before serverless zips
// them, so `serverless package|deploy|invoke local` always ship what the source says, and writes
// the validated config (custom.deployedConfig) next to the resync bundle.
const fs = require('node:fs');
const path = require('node:path');
const { buildLambdas } = require('./build');

const CONFIG_FILE = path.resolve(__dirname, '../dist/lambda/resync/config.json');

class BuildLambdas {
  constructor(serverless, _options, { log } = {}) {
    const build = async () => {
      const sizes = await buildLambdas();
      const config = serverless.service.custom?.deployedConfig;
      if (typeof config !== 'string' || !config) throw new Error('custom.deployedConfig is empty: serverless.yml must resolve it from scripts/serverless-config.js');
      fs.writeFileSync(CONFIG_FILE, config);
      const text = Object.entries(sizes).map(([fn, bytes]) => `${fn} ${(bytes / 1024).toFixed(0)} KB`).join(', ');
      if (log) log.notice(`Built Lambda bundles: ${text}; config: ${JSON.parse(config).clusters.length} cluster(s), ${(config.length / 1024).toFixed(1)} KB`);
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': build,
      'before:deploy:function:packageFunction': build,
      'before:invoke:local:invoke': build,
    };
  }
}

module.exports = BuildLambdas;
