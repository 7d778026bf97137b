// Several mapped client listeners (IAM + SCRAM), on the pure functions the planner uses; the
// config will map several once the lead's multi-listener work fills mappedClientListeners.
import { afterEach, describe, expect, test } from '@jest/globals';
import { planConfigurationChange, type ConfigurationChangeInput } from '../../../shared/advertised/configuration-plan';
import type { ObservedConfiguration } from '../../../shared/advertised/msk-configuration';
import { CustomListenersError, customEntries, mergeCustomEntries, removeCustomEntries } from '../../../shared/advertised/server-properties';
import { verifyAdvertised } from '../../../shared/apply/kafka';
import { parseConfig } from '../../../shared/config/load';
import { alterBrokerConfigs, brokerEndpoints, describeBrokerConfigs, type KafkaAccess } from '../../../shared/kafka/admin';
import { planAdvertisedListeners, type BrokerConfigEntry } from '../../../shared/kafka/dynamic-config';
import {
  listenerEndpoint,
  mappedClientListeners,
  wantedCustomEntries,
  withCustomEntries,
  withoutCustomEntries,
  type MappedClientListener,
} from '../../../shared/plan/advertised';
import { startFakeCluster, type FakeCluster } from '../../kafka/fake';
import { CREDENTIALS, staticCredentials } from '../../kafka/helpers';
import { resolveCluster } from '../../../shared/listeners';

const IAM: MappedClientListener = { label: 'iam@nlb/1 ', listenerName: 'CLIENT_IAM', hostTemplate: 'b-{id}', domain: 'kafka.example.com', portBase: 9000 };
const SCRAM: MappedClientListener = { label: 'scram@nlb/1 ', listenerName: 'CLIENT_SASL_SCRAM', hostTemplate: 'scram-{id}', domain: 'kafka.example.com', portBase: 19000 };
const IAM_ENTRY = 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}';
const SCRAM_ENTRY = 'CLIENT_SASL_SCRAM://scram-{broker_id}.kafka.example.com:19000+{broker_id}';
const OTHER = 'CLIENT_SECURE_PUBLIC://tls-{broker_id}.other.example.com:29000+{broker_id}';

describe('the seam: mappedClientListeners', () => {
  test("the shorthand is one entry, from authentication, brokerHostTemplate, domain and brokerPortBase", () => {
    const config = parseConfig({
      clusters: [{
        clusterArn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-8d3b-4c7a-9e51-0a1b2c3d4e5f-2',
        domain: 'kafka.example.com', hostedZoneId: 'Z0123456789ABC',
        loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk/0123456789abcdef',
        certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
        authentication: 'scram', brokerPortBase: 19000, brokerHostTemplate: 'scram-{id}',
      }],
    }).clusters[0];
    // A single listener's keys carry no label.
    expect(mappedClientListeners(resolveCluster(config))).toEqual([{ ...SCRAM, label: '' }]);
    expect(config.sharedConfiguration).toBe('copy');
  });
});

describe('custom.advertised.listeners with two mapped listeners', () => {
  test('both entries set in place or appended; another listener’s entry kept byte for byte', () => {
    const value = `CLIENT_IAM://old-{broker_id}.x:1+{broker_id} , ${OTHER}`;
    expect(mergeCustomEntries(value, wantedCustomEntries([IAM, SCRAM]))).toBe(`${IAM_ENTRY} , ${OTHER},${SCRAM_ENTRY}`);
    expect(mergeCustomEntries(undefined, wantedCustomEntries([IAM, SCRAM]))).toBe(`${IAM_ENTRY},${SCRAM_ENTRY}`);
    expect(customEntries(`${IAM_ENTRY},${OTHER}`, ['client_iam', 'CLIENT_SASL_SCRAM'])).toEqual(new Map([['CLIENT_IAM', IAM_ENTRY]]));
  });

  test('removal takes only the mapped entries; the property goes when nothing is left', () => {
    const text = `a=1\ncustom.advertised.listeners=${SCRAM_ENTRY},${OTHER},${IAM_ENTRY}\nb=2\n`;
    expect(withoutCustomEntries(text, ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'])).toBe(`a=1\ncustom.advertised.listeners=${OTHER}\nb=2\n`);
    expect(removeCustomEntries(`${IAM_ENTRY},${SCRAM_ENTRY}`, ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'])).toBeUndefined();
    expect(withoutCustomEntries(`a=1\ncustom.advertised.listeners=${IAM_ENTRY}\n`, ['CLIENT_IAM'])).toBe('a=1\n');
  });

  test('a listener MSK does not accept, a repeated one, or an unparsable entry is a clear error', () => {
    expect(() => mergeCustomEntries(undefined, [{ listenerName: 'REPLICATION', entry: 'REPLICATION://x:1+{broker_id}' }])).toThrow(/REPLICATION is not a listener MSK accepts .*CLIENT_IAM_PUBLIC/);
    expect(() => mergeCustomEntries(`${IAM_ENTRY},${IAM_ENTRY}`, wantedCustomEntries([IAM]))).toThrow(CustomListenersError);
    expect(() => mergeCustomEntries('b-{broker_id}:9000', wantedCustomEntries([IAM]))).toThrow(/expected NAME:\/\/host:port/);
  });
});

describe('planConfigurationChange with two mapped listeners', () => {
  const arn = 'arn:aws:kafka:eu-west-1:123456789012:configuration/orders-configuration/abc-2';
  const cluster = { arn: 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/abc-3', name: 'orders', kafkaVersion: '3.6.0' };
  const both = `custom.advertised.listeners=${IAM_ENTRY},${SCRAM_ENTRY}\n`;
  function input(lastWrite: string, overrides: Partial<ConfigurationChangeInput> = {}): ConfigurationChangeInput {
    const configuration: ObservedConfiguration = {
      arn, name: 'orders-configuration', revision: 3, serverProperties: 'x=1\n',
      detail: {
        latest: { revision: 3, serverProperties: 'x=1\n' },
        usedBy: { [arn]: [] },
        lastWrite: { arn, name: 'orders-configuration', revision: 2, createdAt: '2025-01-01T00:00:00.000Z', serverProperties: lastWrite, updatesSince: [{ operationArn: 'op-1', state: 'UPDATE_COMPLETE' }] },
      },
    };
    const wanted = wantedCustomEntries([IAM, SCRAM]);
    return { cluster, configuration, edit: (t) => withCustomEntries(t, wanted), listenerNames: ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'], purpose: 'advertise', sharedConfiguration: 'copy', operator: false, ...overrides };
  }

  test('the tool set both entries before and they were reverted: a conflict', () => {
    expect(planConfigurationChange(input(`x=1\n${both}`))).toMatchObject({ kind: 'conflict', message: expect.stringContaining(`entries ${IAM_ENTRY},${SCRAM_ENTRY} in orders-configuration revision 2`) });
  });

  test('the tool set only the IAM entry before (SCRAM is newly mapped): a normal change, built on latest', () => {
    const change = planConfigurationChange(input(`x=1\ncustom.advertised.listeners=${IAM_ENTRY}\n`));
    expect(change).toMatchObject({ kind: 'change', target: { kind: 'revise', arn, baseRevision: 3 }, serverProperties: `x=1\n${both}`, after: `${IAM_ENTRY},${SCRAM_ENTRY}` });
  });

  test('restore is never held by the flip-flop guard', () => {
    const change = planConfigurationChange({
      ...input(`x=1\n${both}`),
      configuration: { ...input('').configuration, serverProperties: `x=1\n${both}`, detail: { ...input(`x=1\n${both}`).configuration.detail!, latest: { revision: 3, serverProperties: `x=1\n${both}` } } },
      edit: (t) => withoutCustomEntries(t, ['CLIENT_IAM', 'CLIENT_SASL_SCRAM']),
      purpose: 'restore',
    });
    expect(change).toMatchObject({ kind: 'change', serverProperties: 'x=1\n', after: undefined });
  });
});

describe('dynamic mode with two mapped listeners', () => {
  const STATIC = 'CLIENT_IAM://b-1.aws.example:9098,CLIENT_SASL_SCRAM://b-1.aws.example:9096,REPLICATION://b-1-internal.aws.example:9093';
  const entries = (value: string): BrokerConfigEntry[] => [
    { name: 'advertised.listeners', value, isSensitive: false, readOnly: false, isDefault: false, source: 'STATIC_BROKER_CONFIG', synonyms: [{ name: 'advertised.listeners', value, source: 'STATIC_BROKER_CONFIG' }] },
  ];

  test('one AlterConfigs edits both entries, REPLICATION kept byte for byte', () => {
    const plan = planAdvertisedListeners(entries(STATIC), [listenerEndpoint(IAM, 1), listenerEndpoint(SCRAM, 1)]);
    expect(plan).toEqual({
      kind: 'alter',
      before: STATIC,
      after: 'CLIENT_IAM://b-1.kafka.example.com:9001,CLIENT_SASL_SCRAM://scram-1.kafka.example.com:19001,REPLICATION://b-1-internal.aws.example:9093',
      configs: [{ name: 'advertised.listeners', value: 'CLIENT_IAM://b-1.kafka.example.com:9001,CLIENT_SASL_SCRAM://scram-1.kafka.example.com:19001,REPLICATION://b-1-internal.aws.example:9093' }],
    });
  });

  test('a broker without one of the listeners is refused, naming it', () => {
    const plan = planAdvertisedListeners(entries('CLIENT_IAM://b-1.aws.example:9098'), [listenerEndpoint(IAM, 1), listenerEndpoint(SCRAM, 1)]);
    expect(plan).toMatchObject({ kind: 'refuse', reason: expect.stringContaining('no CLIENT_SASL_SCRAM entry') });
  });

  describe('verification of each mapped listener, against fake brokers over real kafkajs', () => {
    let cluster: FakeCluster | undefined;
    afterEach(async () => {
      await cluster?.stop();
      cluster = undefined;
    });

    test('CLIENT_IAM in Metadata, CLIENT_SASL_SCRAM in the broker’s effective advertised.listeners; a wrong entry is reported', async () => {
      const c = await startFakeCluster({ brokers: [{ id: 1, host: '127.0.30.1' }, { id: 2, host: '127.0.30.2' }], credentials: CREDENTIALS, advertise: 'aws-name' });
      cluster = c;
      const endpoints = brokerEndpoints(c.brokers.map((b) => ({ BrokerNodeInfo: { BrokerId: b.id, Endpoints: [b.awsHost] } })), c.bootstrapBrokers, 'iam');
      const access: KafkaAccess = { region: c.region, credentials: staticCredentials(), tls: { ca: [c.ca], lookup: c.lookup }, connectionTimeoutMs: 2000 };
      for (const b of c.brokers) {
        // A SCRAM listener beside IAM, as on a cluster with both enabled.
        const broker = c.broker(b.id);
        broker.setStaticConfig('listeners', `${broker.configs.static.listeners},CLIENT_SASL_SCRAM://${b.host}:9096`);
        broker.setStaticConfig('advertised.listeners', `${broker.configs.static['advertised.listeners']},CLIENT_SASL_SCRAM://${b.awsHost}:9096`);
      }
      for (const endpoint of endpoints) {
        const plan = planAdvertisedListeners(await describeBrokerConfigs(access, endpoint), [listenerEndpoint(IAM, endpoint.id), listenerEndpoint(SCRAM, endpoint.id)]);
        if (plan.kind !== 'alter') throw new Error(JSON.stringify(plan));
        // Broker 2's SCRAM entry is left wrong on purpose.
        const configs = endpoint.id === 2 ? plan.configs.map((x) => ({ ...x, value: x.value.replace('scram-2.kafka.example.com:19002', 'wrong.example.com:1') })) : plan.configs;
        await alterBrokerConfigs(access, endpoint, configs);
      }
      const expected = new Map([1, 2].map((id) => [id, new Map([['CLIENT_IAM', `b-${id}.kafka.example.com:${9000 + id}`], ['CLIENT_SASL_SCRAM', `scram-${id}.kafka.example.com:${19000 + id}`]])]));
      const checks = await verifyAdvertised(access, endpoints[0], expected, endpoints);
      expect(checks.map((v) => [v.brokerId, v.listener, v.actual, v.ok])).toEqual([
        [1, 'CLIENT_IAM', 'b-1.kafka.example.com:9001', true],
        [1, 'CLIENT_SASL_SCRAM', 'scram-1.kafka.example.com:19001', true],
        [2, 'CLIENT_IAM', 'b-2.kafka.example.com:9002', true],
        [2, 'CLIENT_SASL_SCRAM', 'wrong.example.com:1', false],
      ]);
    });
  });
});
