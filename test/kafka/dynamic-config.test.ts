import { describe, expect, test } from '@jest/globals';
import {
  dynamicPerBrokerConfigs,
  planAdvertisedListeners,
  removeOverride,
  type BrokerConfigEntry,
  type ConfigSourceName,
} from '../../shared/kafka/dynamic-config';
import { fromKafkaJsEntry } from '../../shared/kafka/admin';
import { brokerEndpoints } from '../../shared/kafka/endpoints';

const STATIC_AL = 'CLIENT_IAM://b-1.aws.example:9098,REPLICATION://b-1-internal.aws.example:9093,REPLICATION_SECURE://b-1-internal.aws.example:9095';
const WANTED = { listenerName: 'CLIENT_IAM', host: 'b-1.kafka.example.com', port: 9001 };

function entry(name: string, value: string | null, source: ConfigSourceName, extra: Partial<BrokerConfigEntry> = {}): BrokerConfigEntry {
  return {
    name,
    value,
    isSensitive: false,
    readOnly: false,
    isDefault: source === 'DEFAULT_CONFIG',
    source,
    synonyms: value === null && !extra.isSensitive ? [] : [{ name, value, source }],
    ...extra,
  };
}

const base = (): BrokerConfigEntry[] => [
  entry('advertised.listeners', STATIC_AL, 'STATIC_BROKER_CONFIG'),
  entry('broker.id', '1', 'STATIC_BROKER_CONFIG', { readOnly: true }),
  entry('ssl.keystore.password', null, 'STATIC_BROKER_CONFIG', { isSensitive: true, synonyms: [{ name: 'ssl.keystore.password', value: null, source: 'STATIC_BROKER_CONFIG' }] }),
  entry('num.io.threads', '8', 'DEFAULT_CONFIG'),
];

describe('planAdvertisedListeners', () => {
  test('alters with the new value when only static configs exist (static sensitive ones are fine)', () => {
    const plan = planAdvertisedListeners(base(), WANTED);
    expect(plan).toEqual({
      kind: 'alter',
      before: STATIC_AL,
      after: STATIC_AL.replace('b-1.aws.example:9098', 'b-1.kafka.example.com:9001'),
      configs: [{ name: 'advertised.listeners', value: STATIC_AL.replace('b-1.aws.example:9098', 'b-1.kafka.example.com:9001') }],
    });
  });

  test('re-sends every other dynamic per-broker config, stored values byte for byte', () => {
    const entries = [
      ...base(),
      entry('max.connections', '1000', 'DYNAMIC_BROKER_CONFIG'),
      // The entry value is the parsed one; the DYNAMIC synonym carries the stored string.
      entry('sasl.enabled.mechanisms', 'AWS_MSK_IAM,OAUTHBEARER', 'DYNAMIC_BROKER_CONFIG', {
        synonyms: [{ name: 'sasl.enabled.mechanisms', value: 'AWS_MSK_IAM, OAUTHBEARER', source: 'DYNAMIC_BROKER_CONFIG' }],
      }),
      // A dynamic config stored under a synonym name shows up in another entry's synonyms.
      entry('log.retention.ms', null, 'DEFAULT_CONFIG', {
        synonyms: [{ name: 'log.retention.minutes', value: '60', source: 'DYNAMIC_BROKER_CONFIG' }],
      }),
    ];
    const plan = planAdvertisedListeners(entries, WANTED);
    expect(plan.kind).toBe('alter');
    if (plan.kind !== 'alter') return;
    expect(plan.configs).toEqual([
      { name: 'max.connections', value: '1000' },
      { name: 'sasl.enabled.mechanisms', value: 'AWS_MSK_IAM, OAUTHBEARER' },
      { name: 'log.retention.minutes', value: '60' },
      { name: 'advertised.listeners', value: plan.after },
    ]);
  });

  test('edits an existing dynamic override and is a noop once it is right', () => {
    const custom = STATIC_AL.replace('b-1.aws.example:9098', 'b-1.kafka.example.com:9001');
    const entries = base().map((e) =>
      e.name === 'advertised.listeners'
        ? entry('advertised.listeners', custom, 'DYNAMIC_BROKER_CONFIG', {
            synonyms: [
              { name: 'advertised.listeners', value: custom, source: 'DYNAMIC_BROKER_CONFIG' },
              { name: 'advertised.listeners', value: STATIC_AL, source: 'STATIC_BROKER_CONFIG' },
            ],
          })
        : e,
    );
    expect(planAdvertisedListeners(entries, WANTED)).toEqual({ kind: 'noop' });
    const moved = planAdvertisedListeners(entries, { ...WANTED, port: 9101 });
    expect(moved).toMatchObject({ kind: 'alter', before: custom, after: custom.replace(':9001', ':9101') });
  });

  test('refuses, naming them, when a dynamic per-broker config is sensitive', () => {
    const entries = [
      ...base(),
      entry('listener.name.client_iam.ssl.keystore.password', null, 'DYNAMIC_BROKER_CONFIG', {
        isSensitive: true,
        synonyms: [{ name: 'listener.name.client_iam.ssl.keystore.password', value: null, source: 'DYNAMIC_BROKER_CONFIG' }],
      }),
      entry('custom.thing', null, 'DYNAMIC_BROKER_CONFIG', { isSensitive: true }),
    ];
    const plan = planAdvertisedListeners(entries, WANTED);
    expect(plan).toMatchObject({ kind: 'refuse', sensitive: ['custom.thing', 'listener.name.client_iam.ssl.keystore.password'] });
    expect(plan.kind === 'refuse' && plan.reason).toMatch(/sensitive dynamic per-broker config\(s\) custom.thing, listener.name.client_iam.ssl.keystore.password/);
  });

  test('refuses when config sources are unknown (DescribeConfigs v0)', () => {
    const v0 = base().map((e) => ({ ...e, source: e.isDefault ? e.source : ('UNKNOWN' as const), synonyms: [] }));
    const plan = planAdvertisedListeners(v0, WANTED);
    expect(plan).toMatchObject({ kind: 'refuse', sensitive: [] });
    expect(plan.kind === 'refuse' && plan.reason).toMatch(/without config sources \(protocol v0\)/);
    expect(dynamicPerBrokerConfigs(v0)).toBeUndefined();
  });

  test('refuses when the listener is missing or the value is unreadable', () => {
    expect(planAdvertisedListeners(base(), { ...WANTED, listenerName: 'CLIENT_SASL_SCRAM' })).toMatchObject({
      kind: 'refuse',
      reason: expect.stringMatching(/no CLIENT_SASL_SCRAM entry/),
    });
    const broken = base().map((e) => (e.name === 'advertised.listeners' ? { ...e, value: 'nonsense' } : e));
    expect(planAdvertisedListeners(broken, WANTED)).toMatchObject({ kind: 'refuse', reason: expect.stringMatching(/cannot parse/) });
    expect(planAdvertisedListeners(base().slice(1), WANTED)).toMatchObject({ kind: 'refuse' });
  });
});

describe('removeOverride', () => {
  const custom = STATIC_AL.replace('b-1.aws.example:9098', 'b-1.kafka.example.com:9001');
  const overridden = () => [
    ...base().filter((e) => e.name !== 'advertised.listeners'),
    entry('advertised.listeners', custom, 'DYNAMIC_BROKER_CONFIG', {
      synonyms: [
        { name: 'advertised.listeners', value: custom, source: 'DYNAMIC_BROKER_CONFIG' },
        { name: 'advertised.listeners', value: STATIC_AL, source: 'STATIC_BROKER_CONFIG' },
      ],
    }),
    entry('max.connections', '1000', 'DYNAMIC_BROKER_CONFIG'),
  ];

  test('sends the other dynamic configs without advertised.listeners', () => {
    expect(removeOverride(overridden())).toEqual({
      kind: 'alter',
      configs: [{ name: 'max.connections', value: '1000' }],
      before: custom,
      after: STATIC_AL,
    });
  });

  test('noop without an override; refuse with a sensitive one', () => {
    expect(removeOverride(base())).toEqual({ kind: 'noop' });
    const withSecret = [...overridden(), entry('sasl.jaas.config', null, 'DYNAMIC_BROKER_CONFIG', { isSensitive: true })];
    expect(removeOverride(withSecret)).toMatchObject({ kind: 'refuse', sensitive: ['sasl.jaas.config'] });
  });
});

describe('kafkajs entry mapping', () => {
  test('v1+ entries keep their source; v0 entries (no synonyms list) become UNKNOWN', () => {
    const v2 = fromKafkaJsEntry({ configName: 'a', configValue: '1', readOnly: false, isDefault: false, configSource: 2, isSensitive: false, configSynonyms: [{ configName: 'a', configValue: '1', configSource: 2 }] });
    expect(v2).toMatchObject({ source: 'DYNAMIC_BROKER_CONFIG', synonyms: [{ name: 'a', value: '1', source: 'DYNAMIC_BROKER_CONFIG' }] });
    const v0 = fromKafkaJsEntry({ configName: 'a', configValue: '1', readOnly: false, isDefault: false, configSource: 4, isSensitive: false });
    expect(v0.source).toBe('UNKNOWN');
    const v0default = fromKafkaJsEntry({ configName: 'a', configValue: '1', readOnly: false, isDefault: true, configSource: 5, isSensitive: false });
    expect(v0default.source).toBe('DEFAULT_CONFIG');
  });
});

describe('brokerEndpoints', () => {
  const nodes = [
    { BrokerNodeInfo: { BrokerId: 2, Endpoints: ['B-2.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com'] } },
    { BrokerNodeInfo: { BrokerId: 1, Endpoints: ['b-1.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com'] } },
    { BrokerNodeInfo: { BrokerId: 3, Endpoints: ['b-3.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com'] } },
    { BrokerNodeInfo: { BrokerId: 4 } }, // not created yet: no endpoint
  ];
  test('host from the node, port from the bootstrap entry with that host, else the standard port', () => {
    const bootstrap = 'b-1.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9198,b-2.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098';
    expect(brokerEndpoints(nodes, bootstrap)).toEqual([
      { id: 1, host: 'b-1.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com', port: 9198 },
      { id: 2, host: 'b-2.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com', port: 9098 },
      { id: 3, host: 'b-3.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com', port: 9098 },
    ]);
    expect(brokerEndpoints(nodes, '', 'scram').map((e) => e.port)).toEqual([9096, 9096, 9096]);
    expect(brokerEndpoints(nodes, '', 'tls').map((e) => e.port)).toEqual([9094, 9094, 9094]);
  });
  test('accepts the domain Broker type too', () => {
    expect(brokerEndpoints([{ id: 7, endpoint: '10.0.0.7' }, { id: 8 }], '10.0.0.7:9001')).toEqual([{ id: 7, host: '10.0.0.7', port: 9001 }]);
  });
});
