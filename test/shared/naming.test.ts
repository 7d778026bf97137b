import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../shared/config/load';
import { brokerPort, hostName, listenerPort, ownedRole, ownershipTags, parseRegistryValue, registryName, registryValue, targetGroupName } from '../../shared/naming';

const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders-payments-eu-production/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d4e5f-2';
const config = parseConfig({
  clusters: [{
    clusterArn: arn,
    domain: 'kafka.example.com',
    hostedZoneId: 'Z0123456789ABC',
    loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/1',
  }],
}).clusters[0];

describe('naming', () => {
  test('ports add numerically: broker 10 on base 9000 is 9010, not 90010', () => {
    expect(brokerPort(config, 10)).toBe(9010);
    expect(brokerPort(config, 1)).toBe(9001);
    expect(listenerPort(config, 'bootstrap')).toBe(9000);
  });

  test('host names follow the template', () => {
    expect(hostName(config, { brokerId: 12 })).toBe('b-12.kafka.example.com');
    expect(hostName(config, 'bootstrap')).toBe('bootstrap.kafka.example.com');
    expect(registryName('b-12.kafka.example.com')).toBe('_msk-custom-domain.b-12.kafka.example.com.');
  });

  test('target group names obey the ELBv2 rules for every broker id', () => {
    for (const role of ['bootstrap' as const, { brokerId: 1 }, { brokerId: 999 }]) {
      const name = targetGroupName(arn, 'orders-payments-eu-production', role, 'scram-public@my-internet-facing-nlb/0123456789abcdef');
      expect(name.length).toBeLessThanOrEqual(32);
      expect(name).toMatch(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?$/);
    }
    // Two clusters with the same name in different accounts never share a name.
    expect(targetGroupName(arn, 'x', { brokerId: 1 }, 'iam@a/1')).not.toBe(targetGroupName(arn.replace('123456789012', '210987654321'), 'x', { brokerId: 1 }, 'iam@a/1'));
    // Nor do two listeners of one cluster (internal and public NLB).
    expect(targetGroupName(arn, 'x', { brokerId: 1 }, 'iam@internal/1')).not.toBe(targetGroupName(arn, 'x', { brokerId: 1 }, 'iam@public/2'));
  });

  test('ownership round-trips through tags and registry values, and only for this cluster', () => {
    const tags = ownershipTags(arn, { brokerId: 3 }, 'iam@nlb/1');
    expect(ownedRole(tags, arn)).toEqual({ brokerId: 3 });
    expect(ownedRole(tags, `${arn}x`)).toBeUndefined();
    expect(ownedRole({ ...tags, 'managed-by': 'someone-else' }, arn)).toBeUndefined();
    expect(parseRegistryValue(registryValue(arn, 'bootstrap'))).toEqual({ heritage: 'msk-custom-domain-sync', owner: arn, resource: 'bootstrap' });
  });
});
