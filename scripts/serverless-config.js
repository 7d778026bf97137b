// Resolves ${file(./scripts/serverless-config.js):<key>} in serverless.yml from the config file
// named by `--param config=<file>` (required: no default, so the example's ARNs are never
// deployed by accident), loaded and validated with the CLI's own loader and schema:
// - configJson: the validated config, written into the resync package (scripts/serverless-build.js);
// - vpc: the resync function's VPC settings, when it must reach brokers over Kafka;
// - iam: the two function roles, scoped to the resources the config names (shared/iam/);
// - events: per-cluster rules -> SQS FIFO queue -> resync, its dead-letter queue and alarms (shared/stack/);
// - maxConcurrentReconciles: the queue event source's maximum concurrency (--param, checked).
// - dashboard: the deployment's CloudWatch dashboard, a section per cluster, and its URL (shared/stack/dashboard.ts).
const path = require('node:path');
const { requireTs } = require('./load-ts');

module.exports = async ({ resolveVariable }) => {
  const param = async (name) => String((await resolveVariable(`param:${name}, ""`)) || '').trim();
  const file = await param('config');
  if (!file) {
    throw new Error(
      '--param config=<file> is required: name the clusters file to deploy, e.g. `npx serverless deploy --param config=clusters.json` ' +
        '(the same for package and remove; config.example.json is only a template, with example ARNs)',
    );
  }
  if (await param('webhookUrl')) {
    throw new Error('--param webhookUrl is not accepted (it would sit in the template in plain text): store the URL as an SSM SecureString and pass --param webhookParameter=<parameter name>');
  }
  const config = await requireTs('shared/config/load.ts').loadConfig(path.resolve(__dirname, '..', file));
  for (const warning of requireTs('shared/config/port-ranges.ts').portRangeWarnings(config)) process.stderr.write(`warning: ${warning}\n`);
  const vpc = await vpcConfig(param, config);
  const service = await resolveVariable('self:service');
  const stage = await resolveVariable('sls:stage');
  const maxPolicies = await param('maxPoliciesPerRole');
  const iam = requireTs('shared/iam/index.ts').stackIamResources(config, {
    functionPrefix: `${service}-${stage}`,
    vpc: vpc ?? undefined,
    webhookParameter: (await param('webhookParameter')) || undefined,
    webhookKeyArn: (await param('webhookKeyArn')) || undefined,
    maxPoliciesPerRole: maxPolicies ? Number(maxPolicies) : undefined,
  });
  const stack = requireTs('shared/stack/events.ts');
  const maxConcurrentReconciles = stack.maxConcurrentReconciles(await param('maxConcurrentReconciles'));
  const events = stack.eventFlowResources(config, {
    functionPrefix: `${service}-${stage}`,
    scheduleRate: (await param('scheduleRate')) || 'rate(5 minutes)',
    alarmTopic: { 'Fn::If': ['CreateAlarmTopic', { Ref: 'AlarmTopic' }, await param('alarmTopicArn')] },
  });
  const dashboard = requireTs('shared/stack/dashboard.ts').dashboardResources(config, { functionPrefix: `${service}-${stage}` });
  return {
    configJson: JSON.stringify(config),
    vpc,
    iam: { Resources: iam },
    events: { Resources: events },
    dashboard: { Resources: dashboard.resources, Outputs: dashboard.outputs },
    maxConcurrentReconciles,
  };
};

/**
 * Talking Kafka to the brokers (advertisedListeners other than `none`) needs the function in
 * the cluster's VPC: --param subnetIds=subnet-a,subnet-b --param securityGroupIds=sg-x.
 */
async function vpcConfig(param, config) {
  const list = async (name) => (await param(name)).split(',').map((s) => s.trim()).filter(Boolean);
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
