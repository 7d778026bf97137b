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
      const clusters = JSON.parse(config).clusters;
      if (log) log.notice(`Built Lambda bundles: ${text}; config: ${clusters.length} cluster(s), ${(config.length / 1024).toFixed(1)} KB`);
      // CloudTrail events reach EventBridge only in their own region: say so at packaging time.
      const region = serverless.service.provider.region;
      const elsewhere = clusters.map((c) => c.clusterArn).filter((arn) => arn.split(':')[3] !== region);
      if (elsewhere.length && log) {
        log.warning(
          `${elsewhere.length} cluster(s) outside ${region} (${elsewhere.join(', ')}): their CloudTrail events stay in their own region, ` +
            'so only the schedule reconciles them. Deploy a stack per region, or forward aws.kafka events to this region.',
        );
      }
    };
    this.hooks = {
      'before:package:createDeploymentArtifacts': build,
      'before:deploy:function:packageFunction': build,
      'before:invoke:local:invoke': build,
    };
  }
}

module.exports = BuildLambdas;
