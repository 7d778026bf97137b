import { afterEach, beforeEach, describe, expect, test } from '@jest/globals';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readDeployedConfig } from '../../../shared/config/deployed';
import { ConfigError } from '../../../shared/errors';

// The resync function's config: a JSON file in its package, named by MSK_CUSTOM_DOMAIN_CONFIG_FILE.

const orders = {
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-1',
  domain: 'kafka.example.com',
  hostedZoneId: 'Z0123456789ABCDEFGHIJ',
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-orders/0123456789abcdef',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
};

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'mcd-deployed-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, text: string): string {
  writeFileSync(path.join(dir, name), text);
  return name;
}

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('readDeployedConfig', () => {
  test('reads the file relative to the function root (LAMBDA_TASK_ROOT) and fills defaults', () => {
    const file = write('config.json', JSON.stringify({ clusters: [orders] }));

    const config = readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: file, LAMBDA_TASK_ROOT: dir });

    expect(config.clusters).toHaveLength(1);
    expect(config.clusters[0]).toMatchObject({ clusterArn: orders.clusterArn, brokerPortBase: 9000, advertisedListeners: 'none' });
  });

  test('a missing variable says how to deploy', () => {
    const error = errorOf(() => readDeployedConfig({}));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe('MSK_CUSTOM_DOMAIN_CONFIG_FILE is not set: deploy with --param config=<file>');
  });

  test('a missing file is named with its full path', () => {
    const error = errorOf(() => readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: 'absent.json', LAMBDA_TASK_ROOT: dir }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(`cannot read the deployed config ${path.join(dir, 'absent.json')}`);
  });

  test('text that is not JSON is named as such', () => {
    const file = write('config.json', 'clusters: []');
    expect(errorOf(() => readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: file, LAMBDA_TASK_ROOT: dir })).message).toMatch(
      /^the deployed config config\.json is not JSON: /,
    );
  });

  test('an invalid config names the file and the field', () => {
    const file = write('config.json', JSON.stringify({ clusters: [{ ...orders, domain: 'not a domain' }] }));
    const error = errorOf(() => readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: file, LAMBDA_TASK_ROOT: dir }));
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toMatch(/^the deployed config config\.json is not valid:\n {2}- clusters\[0\]\.domain: must be a DNS domain/);
  });

  test("ALARM_TOPIC_ARN is the default alarm destination; a cluster's own topic wins", () => {
    const stackTopic = 'arn:aws:sns:eu-west-1:123456789012:msk-custom-domain-alarms';
    const ownTopic = 'arn:aws:sns:eu-west-1:123456789012:payments-oncall';
    const payments = { ...orders, clusterArn: orders.clusterArn.replace('/orders/', '/payments/'), alarms: { snsTopicArn: ownTopic } };
    const both = write('both.json', JSON.stringify({ clusters: [orders, payments] }));
    const one = write('one.json', JSON.stringify({ clusters: [orders] }));

    const config = readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: both, LAMBDA_TASK_ROOT: dir, ALARM_TOPIC_ARN: stackTopic });
    const withoutTopic = readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: one, LAMBDA_TASK_ROOT: dir });

    expect(config.clusters.map((c) => c.alarms.snsTopicArn)).toEqual([stackTopic, ownTopic]);
    expect(withoutTopic.clusters[0]!.alarms.snsTopicArn).toBeUndefined();
    expect(() => readDeployedConfig({ MSK_CUSTOM_DOMAIN_CONFIG_FILE: one, LAMBDA_TASK_ROOT: dir, ALARM_TOPIC_ARN: 'msk-alarms' })).toThrow(
      'ALARM_TOPIC_ARN must be an SNS topic ARN, got msk-alarms',
    );
  });
});
