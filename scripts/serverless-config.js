// Resolves ${file(./scripts/serverless-config.js):configJson} in serverless.yml: reads the
// config file named by `--param config=<file>` (default config.example.json) and validates it
// with the CLI's own loader and schema; the JSON is written into the resync package
// (scripts/serverless-build.js).
const path = require('node:path');
const { loadConfigModule } = require('./load-config');

module.exports = async ({ resolveVariable }) => {
  const file = (await resolveVariable('param:config, "config.example.json"')) || 'config.example.json';
  const config = await loadConfigModule().loadConfig(path.resolve(__dirname, '..', file));
  return { configJson: JSON.stringify(config), vpc: await vpcConfig(resolveVariable, config) };
};

/**
 * Talking Kafka to the brokers (advertisedListeners other than `none`) needs the function in
 * the cluster's VPC: --param subnetIds=subnet-a,subnet-b --param securityGroupIds=sg-x.
 */
async function vpcConfig(resolveVariable, config) {
  const list = async (name) => String((await resolveVariable(`param:${name}, ""`)) || '').split(',').map((s) => s.trim()).filter(Boolean);
  const subnetIds = await list('subnetIds');
  const securityGroupIds = await list('securityGroupIds');
  const needsKafka = config.clusters.some((c) => c.advertisedListeners !== 'none');
  if (needsKafka && (!subnetIds.length || !securityGroupIds.length)) {
    throw new Error(
      'advertisedListeners needs the resync function in the cluster VPC: deploy with --param subnetIds=<subnet,...> --param securityGroupIds=<sg,...> ' +
        '(private subnets with a NAT gateway: Route 53 has no VPC endpoint)',
    );
  }
  return subnetIds.length ? { subnetIds, securityGroupIds } : null;
}
