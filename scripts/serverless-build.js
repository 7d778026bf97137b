// Local serverless plugin: builds the Lambda bundles (scripts/build.js) before serverless zips
// them, so `serverless package|deploy|invoke local` always ship what the source says.
const { buildLambdas } = require('./build');

class BuildLambdas {
  constructor(serverless, _options, { log } = {}) {
    const build = async () => {
      const sizes = await buildLambdas();
      const text = Object.entries(sizes).map(([fn, bytes]) => `${fn} ${(bytes / 1024).toFixed(0)} KB`).join(', ');
      if (log) log.notice(`Built Lambda bundles: ${text}`);
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': build,
      'before:deploy:function:packageFunction': build,
      'before:invoke:local:invoke': build,
    };
  }
}

module.exports = BuildLambdas;
