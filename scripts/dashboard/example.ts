// The deployment the README's dashboard image shows: the example config's `orders` cluster and a
// `payments` cluster with an IAM and a SCRAM listener, its own connection quota and the opt-in
// ConnectionCount metric. A fixed config, so the image changes only when the dashboard does.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseConfig } from '../../shared/config/load';
import type { Config } from '../../shared/config/schema';

export const ROOT = path.resolve(__dirname, '../..');
export const DASHBOARD_SVG = path.join(ROOT, 'docs/dashboard.svg');

export function exampleDashboardConfig(): Config {
  const example = JSON.parse(readFileSync(path.join(ROOT, 'config.example.json'), 'utf8')) as { clusters: Record<string, unknown>[] };
  const payments = {
    clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/payments/0b7e4d21-5c3a-4f8e-b2d6-9a8c7e6f5d4c-3',
    domain: 'kafka.payments.example.com',
    hostedZoneId: 'Z0987654321ZYXWVUTSRQ',
    loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-payments/fedcba9876543210',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/66666666-7777-8888-9999-000000000000',
    alarms: { connectionMetric: 'ConnectionCount', connectionQuota: 2000 },
    listeners: [
      { authentication: 'iam' },
      { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'bootstrap-scram', brokerHostTemplate: 'scram-{id}' },
    ],
  };
  return parseConfig({ clusters: [...example.clusters, payments] });
}
