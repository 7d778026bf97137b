import { resolveListeners } from '../../../shared/listeners';
import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, parseConfig } from '../../../shared/config/load';
import { ConfigError } from '../../../shared/errors';

const valid = {
  clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d4e5f-2',
  domain: 'Kafka.Example.com.',
  hostedZoneId: 'Z0123456789ABC',
  loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef',
  certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
};

function errorOf(raw: unknown): string {
  try {
    parseConfig(raw);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  test('fills sensible defaults and normalises the domain', () => {
    const [cluster] = parseConfig({ clusters: [valid] }).clusters;
    expect(cluster).toMatchObject({
      domain: 'kafka.example.com',
      authentication: 'iam',
      bootstrapPort: 9000,
      brokerPortBase: 9000,
      scaleIn: 'delete',
      recordType: 'alias',
      advertisedListeners: 'none',
      brokerHostTemplate: 'b-{id}',
      bootstrapHost: 'bootstrap',
    });
    expect(cluster.alarms.thresholdPercent).toBe(80);
  });

  test.each([
    [{ ...valid, clusterArn: 'arn:aws:kafka:eu-west-1:123:cluster/x' }, 'clusters[0].clusterArn: must be an MSK cluster ARN'],
    [{ ...valid, brokerPortBase: 70000 }, 'clusters[0].brokerPortBase'],
    [{ ...valid, scaleIn: 'drop' }, 'clusters[0].scaleIn'],
    [{ ...valid, loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/x/1' }, 'clusters[0].loadBalancerArn: must be a load balancer ARN'],
    [{ ...valid, hostedZoneId: 'example.com' }, 'clusters[0].hostedZoneId: must be a Route 53 hosted zone id'],
    [{ ...valid, domain: 'not a domain' }, 'clusters[0].domain: must be a DNS domain'],
    [{ ...valid, brokerHostTemplate: 'broker' }, 'must be a DNS label containing {id}'],
    [{ ...valid, bootstrapPorts: 9000 }, 'clusters[0]: Unrecognized key: "bootstrapPorts"'],
  ])('names the bad field: %#', (cluster, expected) => {
    expect(errorOf({ clusters: [cluster] })).toContain(expected);
  });

  test('refuses an empty or duplicated cluster list', () => {
    expect(errorOf({ clusters: [] })).toContain('list at least one cluster');
    expect(errorOf({ clusters: [valid, valid] })).toContain('clusters[1].clusterArn: this cluster is listed twice');
  });

  test('reads JSON and YAML files and says which file is wrong', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mcd-config-'));
    writeFileSync(join(dir, 'a.json'), JSON.stringify({ clusters: [valid] }));
    writeFileSync(join(dir, 'b.yaml'), `clusters:\n  - clusterArn: ${valid.clusterArn}\n    domain: kafka.example.com\n    hostedZoneId: Z0123456789ABC\n    loadBalancerArn: ${valid.loadBalancerArn}\n    certificateArn: ${valid.certificateArn}\n    scaleIn: keep\n`);
    writeFileSync(join(dir, 'bad.json'), '{"clusters": [');
    expect((await loadConfig(join(dir, 'a.json'))).clusters).toHaveLength(1);
    expect((await loadConfig(join(dir, 'b.yaml'))).clusters[0].scaleIn).toBe('keep');
    await expect(loadConfig(join(dir, 'bad.json'))).rejects.toThrow(/bad\.json is neither valid JSON nor YAML/);
    await expect(loadConfig(join(dir, 'missing.json'))).rejects.toThrow(/cannot read config file .*missing\.json/);
  });
});

describe('certificate source: exactly one of certificateArn, certificateAuthorityArn and certificateValidation per listener', () => {
  const CA = 'arn:aws:acm-pca:eu-west-1:123456789012:certificate-authority/0123abcd-0000-4000-8000-000000000001';
  const { certificateArn, ...noCertificate } = valid;

  test('a CA instead of a certificate is managed mode, with the quota defaults', () => {
    const [cluster] = parseConfig({ clusters: [{ ...noCertificate, certificateAuthorityArn: CA }] }).clusters;
    expect(cluster.certificates).toEqual({ namesPerCertificate: 10, certificatesPerLoadBalancer: 25 });
    expect(cluster.certificateArn).toBeUndefined();
  });

  test('certificateValidation: dns is managed public certificates; a listener\'s own source wins over the cluster\'s', () => {
    const config = parseConfig({ clusters: [{ ...noCertificate, certificateValidation: 'dns', listeners: [{ authentication: 'iam' }, { authentication: 'scram', bootstrapPort: 9100, brokerPortBase: 9100, bootstrapHost: 'scram', brokerHostTemplate: 'scram-{id}', certificateAuthorityArn: CA }] }] }).clusters[0];
    const [iam, scram] = resolveListeners(config);
    expect(iam).toMatchObject({ certificateValidation: 'dns' });
    expect(iam.certificateArn ?? iam.certificateAuthorityArn).toBeUndefined();
    expect(scram).toMatchObject({ certificateAuthorityArn: CA });
    expect(scram.certificateValidation).toBeUndefined();
  });

  test('two on the cluster, two on a listener, or none anywhere: a clear error naming the fix', () => {
    expect(errorOf({ clusters: [{ ...valid, certificateAuthorityArn: CA }] })).toMatch(/set one of certificateArn .*, certificateAuthorityArn .* or certificateValidation: dns .*, not certificateArn and certificateAuthorityArn/);
    expect(errorOf({ clusters: [{ ...valid, certificateValidation: 'dns' }] })).toMatch(/not certificateArn and certificateValidation/);
    expect(errorOf({ clusters: [{ ...valid, listeners: [{ authentication: 'iam', certificateArn, certificateAuthorityArn: CA }] }] })).toMatch(/listeners\[0\]: set one of certificateArn, certificateAuthorityArn or certificateValidation on this listener, not certificateArn and certificateAuthorityArn/);
    expect(errorOf({ clusters: [noCertificate] })).toMatch(/no certificate: set certificateArn .*, certificateAuthorityArn .* or certificateValidation: dns/);
    expect(errorOf({ clusters: [{ ...noCertificate, certificateValidation: 'http' }] })).toMatch(/certificateValidation/);
  });

  test('a listener may use a CA while the cluster names a certificate; a malformed CA ARN is refused', () => {
    const [cluster] = parseConfig({ clusters: [{ ...valid, listeners: [{ authentication: 'iam' }, { authentication: 'scram', certificateAuthorityArn: CA, bootstrapPort: 9500, brokerPortBase: 9500, brokerHostTemplate: 's-{id}', bootstrapHost: 'bootstrap-scram' }] }] }).clusters;
    expect(cluster.listeners?.[1].certificateAuthorityArn).toBe(CA);
    expect(errorOf({ clusters: [{ ...noCertificate, certificateAuthorityArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/x' }] })).toMatch(/must be an ACM Private CA ARN/);
    expect(errorOf({ clusters: [{ ...noCertificate, certificateAuthorityArn: CA, certificates: { namesPerCertificate: 101 } }] })).toMatch(/namesPerCertificate/);
  });
});
