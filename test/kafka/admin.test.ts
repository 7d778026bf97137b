// shared/kafka/admin.ts against the fake cluster: real kafkajs, real MSK IAM signer, real TLS.
import { afterEach, describe, expect, test } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes } from 'kafkajs';
import {
  alterBrokerConfigs,
  brokerEndpoints,
  describeBrokerConfigs,
  readAdvertisedEndpoints,
  type BrokerEndpoint,
  type KafkaAccess,
} from '../../shared/kafka/admin';
import { planAdvertisedListeners, removeOverride } from '../../shared/kafka/dynamic-config';
import {
  KafkaAdminError,
  KafkaAuthenticationError,
  KafkaConfigRejectedError,
  KafkaConnectionError,
  KafkaListenersRefusedError,
} from '../../shared/kafka/errors';
import { startFakeCluster, type FakeCluster, type FakeClusterOptions } from './fake';
import { CREDENTIALS, plainKafka, rejectionOf, staticCredentials } from './helpers';

const BROKERS = [
  { id: 1, host: '127.0.10.11' },
  { id: 2, host: '127.0.10.12' },
  { id: 3, host: '127.0.10.13' },
];

let cluster: FakeCluster | undefined;
afterEach(async () => {
  await cluster?.stop();
  cluster = undefined;
});

/** A fake cluster with MSK-style names, and what the reconciler would derive from ListNodes. */
async function setup(opts: Partial<FakeClusterOptions> = {}) {
  const c = await startFakeCluster({ brokers: BROKERS, credentials: CREDENTIALS, advertise: 'aws-name', ...opts });
  cluster = c;
  const nodes = c.brokers.map((b) => ({ BrokerNodeInfo: { BrokerId: b.id, Endpoints: [b.awsHost] } }));
  const endpoints = brokerEndpoints(nodes, c.bootstrapBrokers, 'iam');
  const access: KafkaAccess = {
    region: c.region,
    credentials: staticCredentials(),
    // The cluster lookup stands in for DNS: it resolves the AWS names, and nothing else.
    tls: { ca: [c.ca], lookup: c.lookup },
    connectionTimeoutMs: 2000,
  };
  const endpoint = (id: number) => endpoints.find((e) => e.id === id) as BrokerEndpoint;
  return { c, access, endpoint };
}

/** Points broker `id`'s CLIENT_IAM entry at host:port through the pinned admin. */
async function advertise(access: KafkaAccess, broker: BrokerEndpoint, host: string, port: number) {
  const plan = planAdvertisedListeners(await describeBrokerConfigs(access, broker), { listenerName: 'CLIENT_IAM', host, port });
  if (plan.kind !== 'alter') throw new Error(`unexpected plan ${JSON.stringify(plan)}`);
  await alterBrokerConfigs(access, broker, plan.configs);
  return plan;
}

describe('pinned admin (shared/kafka/admin.ts)', () => {
  test('reaches every broker through its AWS endpoint even when advertised names are broken', async () => {
    const { c, access, endpoint } = await setup();

    // Break broker 1 (the controller) and then broker 2: their custom names do not resolve.
    await advertise({ ...access, clientId: 'pinned-1' }, endpoint(1), 'b-1.kafka.example.test', 9001);
    expect(c.broker(1).advertisedEndpoint()).toEqual({ host: 'b-1.kafka.example.test', port: 9001 });
    await advertise({ ...access, clientId: 'pinned-2' }, endpoint(2), 'b-2.kafka.example.test', 9002);

    // A plain client is now locked out of config APIs (it must reach the controller by name)...
    const plain = plainKafka(c, { brokers: [c.bootstrapBrokers.split(',')[2] as string], ssl: { lookup: c.lookup } }).admin();
    await plain.connect();
    const locked = await rejectionOf(plain.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: '3' }], includeSynonyms: false }));
    expect(locked.message).toContain('ENOTFOUND b-1.kafka.example.test');
    await plain.disconnect();

    // ...the pinned admin is not: Metadata shows the broken names, and every broker stays manageable.
    const seen = await readAdvertisedEndpoints(access, endpoint(3));
    expect(seen.get(1)).toEqual({ host: 'b-1.kafka.example.test', port: 9001 });
    expect(seen.get(2)).toEqual({ host: 'b-2.kafka.example.test', port: 9002 });
    expect(seen.get(3)).toEqual({ host: c.broker(3).awsHost, port: c.broker(3).port });
    for (const id of [1, 2]) {
      const plan = removeOverride(await describeBrokerConfigs({ ...access, clientId: `restore-${id}` }, endpoint(id)));
      expect(plan.kind).toBe('alter');
      if (plan.kind === 'alter') await alterBrokerConfigs({ ...access, clientId: `restore-${id}` }, endpoint(id), plan.configs);
      expect(c.broker(id).configs.dynamic).toEqual({});
    }
    expect(c.broker(1).advertisedEndpoint()).toEqual({ host: c.broker(1).awsHost, port: c.broker(1).port });

    // Every connection of a pinned admin went to its own broker, whatever Metadata advertised.
    for (const [clientId, id] of [['pinned-1', 1], ['pinned-2', 2], ['restore-1', 1], ['restore-2', 2]] as const) {
      const brokersHit = new Set(c.requests.filter((r) => r.clientId === clientId).map((r) => r.broker));
      expect([...brokersHit]).toEqual([id]);
    }
    // And the BROKER resource always matched the broker that received it.
    for (const r of c.requests.filter((x) => x.apiName === 'AlterConfigs')) {
      expect((r.request as { resources: { name: string }[] }).resources[0]?.name).toBe(String(r.broker));
    }
  });

  test('other dynamic per-broker configs survive an alter byte for byte', async () => {
    const { c, access, endpoint } = await setup();
    const b2 = c.broker(2);
    b2.setDynamicConfig('max.connections', '1000');
    b2.setDynamicConfig('sasl.enabled.mechanisms', 'AWS_MSK_IAM,  OAUTHBEARER');
    b2.setDynamicConfig('log.cleaner.threads', '2');
    const before = b2.configs.dynamic;

    const plan = await advertise(access, endpoint(2), 'b-2.kafka.example.com', 9002);
    expect(b2.configs.dynamic).toEqual({ ...before, 'advertised.listeners': plan.after });
    expect(plan.after).toBe(plan.before.replace(`${b2.awsHost}:${b2.port}`, 'b-2.kafka.example.com:9002'));
    expect(c.broker(1).configs.dynamic).toEqual({});
  });

  test('validateOnly checks without changing anything', async () => {
    const { c, access, endpoint } = await setup();
    const plan = planAdvertisedListeners(await describeBrokerConfigs(access, endpoint(1)), { listenerName: 'CLIENT_IAM', host: 'b-1.kafka.example.com', port: 9001 });
    if (plan.kind !== 'alter') throw new Error('expected alter');
    await alterBrokerConfigs(access, endpoint(1), plan.configs, { validateOnly: true });
    expect(c.broker(1).configs.dynamic).toEqual({});
    expect(c.broker(1).requests.find((r) => r.apiName === 'AlterConfigs')?.request).toMatchObject({ validateOnly: true });
  });

  test('a sensitive dynamic per-broker config makes the plan refuse, and nothing is sent', async () => {
    const { c, access, endpoint } = await setup();
    c.broker(3).setDynamicConfig('listener.name.client_iam.ssl.keystore.password', 'hunter2');
    const entries = await describeBrokerConfigs(access, endpoint(3));
    expect(entries.find((e) => e.name === 'listener.name.client_iam.ssl.keystore.password')).toMatchObject({
      value: null,
      isSensitive: true,
      source: 'DYNAMIC_BROKER_CONFIG',
    });
    const plan = planAdvertisedListeners(entries, { listenerName: 'CLIENT_IAM', host: 'b-3.kafka.example.com', port: 9003 });
    expect(plan).toMatchObject({ kind: 'refuse', sensitive: ['listener.name.client_iam.ssl.keystore.password'] });
    expect(c.requests.some((r) => r.apiName === 'AlterConfigs')).toBe(false);
  });

  test('KRaft refusal is surfaced with what to do instead', async () => {
    const { c, access, endpoint } = await setup({ mode: 'kraft' });
    const plan = planAdvertisedListeners(await describeBrokerConfigs(access, endpoint(1)), { listenerName: 'CLIENT_IAM', host: 'b-1.kafka.example.com', port: 9001 });
    if (plan.kind !== 'alter') throw new Error('expected alter');
    const err = await rejectionOf(alterBrokerConfigs(access, endpoint(1), plan.configs));
    expect(err).toBeInstanceOf(KafkaListenersRefusedError);
    expect(err).toBeInstanceOf(KafkaConfigRejectedError);
    expect(err.name).toBe('KafkaListenersRefusedError');
    expect(err.message).toMatch(/^broker 1 \(b-1\.demo-cluster.*\) refused to change advertised.listeners dynamically \(INVALID_REQUEST\)\. KRaft/);
    expect(err.message).toContain('advertisedListeners: msk-configuration');
    expect(err).toMatchObject({ type: 'INVALID_REQUEST', code: 42, broker: endpoint(1) });
    expect(err.cause).toBeDefined();
    expect(c.broker(1).configs.dynamic).toEqual({});
  });

  test('an invalid value is reported as a rejected config', async () => {
    const { access, endpoint } = await setup();
    const err = await rejectionOf(alterBrokerConfigs(access, endpoint(1), [{ name: 'advertised.listeners', value: 'CLIENT_IAM://b-1.kafka.example.com:9001' }]));
    expect(err).toBeInstanceOf(KafkaConfigRejectedError);
    expect(err).not.toBeInstanceOf(KafkaListenersRefusedError);
    expect(err).toMatchObject({ type: 'INVALID_CONFIG', code: 40 });
    expect(err.message).toContain('inter-broker listener');
  });

  test('wrong credentials give an authentication error that says what to check', async () => {
    const { access, endpoint } = await setup();
    const err = await rejectionOf(describeBrokerConfigs({ ...access, credentials: staticCredentials(undefined, 'wrong-secret') }, endpoint(2)));
    expect(err).toBeInstanceOf(KafkaAuthenticationError);
    expect(err.message).toMatch(/^IAM authentication to broker 2 \(b-2\.demo-cluster\.a1b2c3\.c2\.kafka\.us-east-1\.amazonaws\.com:\d+\) failed \(SASL OAUTHBEARER authentication failed: \[[0-9a-f-]+\]: Access denied\)/);
    expect(err.message).toContain('kafka-cluster:Connect, kafka-cluster:DescribeClusterDynamicConfiguration and kafka-cluster:AlterClusterDynamicConfiguration');
    expect(err.message).toContain('signing region (us-east-1)');
    expect((err.cause as Error).name).toBe('KafkaJSSASLAuthenticationError');
  });

  test('missing AWS credentials are reported before anything is sent', async () => {
    const { c, access, endpoint } = await setup();
    const noCredentials = async () => {
      throw Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' });
    };
    const err = await rejectionOf(describeBrokerConfigs({ ...access, credentials: noCredentials }, endpoint(1)));
    expect(err).toBeInstanceOf(KafkaAuthenticationError);
    expect(err.message).toMatch(/^could not sign the MSK IAM token for broker 1 .*: Could not load credentials from any providers/);
    expect(c.requests.some((r) => r.apiName === 'SaslAuthenticate')).toBe(false);
  });

  test('a token signed for the wrong region is refused too', async () => {
    const { c, access, endpoint } = await setup();
    const err = await rejectionOf(describeBrokerConfigs({ ...access, region: 'eu-west-1' }, endpoint(1)));
    expect(err).toBeInstanceOf(KafkaAuthenticationError);
    expect(err.message).toContain('signing region (eu-west-1)');
    expect(c.requests.find((r) => r.apiName === 'SaslAuthenticate')?.response).toMatchObject({ reason: 'wrong-region' });
  });

  test('an untrusted certificate is a connection error, never ignored', async () => {
    const { access, endpoint } = await setup();
    const otherCa = readFileSync(join(__dirname, 'fixtures', 'other-ca.pem'), 'utf8');
    const err = await rejectionOf(describeBrokerConfigs({ ...access, tls: { ...access.tls, ca: [otherCa], rejectUnauthorized: false } }, endpoint(1)));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect(err.message).toMatch(/^TLS to broker 1 .* failed: .*certificate/);
  });

  test('the certificate must match the AWS host name (servername)', async () => {
    const { access, endpoint } = await setup();
    // Same broker, reached under a name the certificate does not cover.
    const lookup: KafkaAccess['tls'] = { ...access.tls, lookup: (_h, o, cb) => (access.tls!.lookup as NonNullable<KafkaAccess['tls']>['lookup'])!(endpoint(1).host, o, cb) };
    const err = await rejectionOf(describeBrokerConfigs({ ...access, tls: lookup }, { ...endpoint(1), host: 'b-1.elsewhere.example' }));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect(err.message).toMatch(/altnames/);
  });

  test('an unreachable endpoint is a connection error', async () => {
    const { access, endpoint } = await setup();
    const closed = { ...endpoint(1) };
    await cluster!.removeBroker(1);
    const err = await rejectionOf(describeBrokerConfigs(access, closed));
    expect(err).toBeInstanceOf(KafkaConnectionError);
    expect(err.message).toMatch(/^cannot reach broker 1 .*security groups/);
  });

  test('an endpoint that is another broker is caught by the broker id check', async () => {
    const { access, endpoint } = await setup();
    const wrong = { ...endpoint(2), id: 1 }; // ListNodes mapping gone wrong
    const err = await rejectionOf(describeBrokerConfigs(access, wrong));
    expect(err).toBeInstanceOf(KafkaAdminError);
    expect(err).toMatchObject({ type: 'INVALID_REQUEST' });
    expect(err.message).toContain('really is broker 1');
  });

  test('IP endpoints work too (no servername)', async () => {
    const c = await startFakeCluster({ brokers: BROKERS, credentials: CREDENTIALS });
    cluster = c;
    const endpoints = brokerEndpoints(c.brokers.map((b) => ({ id: b.id, endpoint: b.host })), c.bootstrapBrokers);
    const access: KafkaAccess = { region: c.region, credentials: staticCredentials(), tls: { ca: [c.ca] } };
    const entries = await describeBrokerConfigs(access, endpoints[2]!);
    expect(entries.find((e) => e.name === 'broker.id')?.value).toBe('3');
  });
});
