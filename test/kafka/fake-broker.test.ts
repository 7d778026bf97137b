// The fake broker against the real kafkajs 2.2.4 admin and the real aws-msk-iam-sasl-signer-js.
import { afterEach, describe, expect, test } from '@jest/globals';
import { connect as tlsConnect } from 'node:tls';
import { ConfigResourceTypes, type Admin } from 'kafkajs';
import { startFakeCluster, type FakeCluster } from './fake';
import { CREDENTIALS, ACCESS_KEY_ID, plainKafka, rejectionOf, rootCause, staticCredentials } from './helpers';

const BROKERS = [
  { id: 1, host: '127.0.10.1' },
  { id: 2, host: '127.0.10.2' },
  { id: 3, host: '127.0.10.3' },
];
const REPLICATION = 'REPLICATION://b-1-internal.demo-cluster.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9093,' +
  'REPLICATION_SECURE://b-1-internal.demo-cluster.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9095';

let cluster: FakeCluster | undefined;
let admins: Admin[] = [];

afterEach(async () => {
  await Promise.all(admins.map((a) => a.disconnect()));
  admins = [];
  await cluster?.stop();
  cluster = undefined;
});

async function start(opts: Partial<Parameters<typeof startFakeCluster>[0]> = {}): Promise<FakeCluster> {
  cluster = await startFakeCluster({ brokers: BROKERS, credentials: CREDENTIALS, ...opts });
  return cluster;
}

async function connectedAdmin(c: FakeCluster, opts: Parameters<typeof plainKafka>[1] = {}): Promise<Admin> {
  const admin = plainKafka(c, opts).admin();
  admins.push(admin);
  await admin.connect();
  return admin;
}

const describeBroker = async (admin: Admin, id: number) => {
  const res = await admin.describeConfigs({ resources: [{ type: ConfigResourceTypes.BROKER, name: String(id) }], includeSynonyms: true });
  return res.resources[0]!.configEntries;
};

const alterBroker = (admin: Admin, id: number, configs: Record<string, string>, validateOnly = false) =>
  admin.alterConfigs({
    validateOnly,
    resources: [{ type: ConfigResourceTypes.BROKER, name: String(id), configEntries: Object.entries(configs).map(([name, value]) => ({ name, value })) }],
  });

describe('fake MSK broker with real kafkajs + MSK IAM signer', () => {
  test('connects over TLS with an IAM token and describes a broker', async () => {
    const c = await start();
    const admin = await connectedAdmin(c);
    const cfg = await admin.describeCluster();
    expect(cfg.brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual(c.brokers.map((b) => [b.id, b.host, b.port]));
    expect(cfg.controller).toBe(1);

    const entries = await describeBroker(admin, 2);
    const byName = new Map(entries.map((e) => [e.configName, e]));
    expect(byName.get('advertised.listeners')).toMatchObject({
      configValue: `CLIENT_IAM://127.0.10.2:${c.brokers[1]!.port},${REPLICATION.replace(/b-1-/g, 'b-2-')}`,
      configSource: 4, // STATIC_BROKER_CONFIG
      readOnly: false,
      isSensitive: false,
    });
    expect(byName.get('broker.id')).toMatchObject({ configValue: '2', readOnly: true });
    // A static password: sensitive, value hidden, like Kafka.
    expect(byName.get('ssl.keystore.password')).toMatchObject({ configValue: null, isSensitive: true, configSource: 4 });

    // Every connection authenticated before any other request, and the broker saw who it was.
    const first = c.broker(1).requests.map((r) => r.apiName).slice(0, 3);
    expect(first).toEqual(['ApiVersions', 'SaslHandshake', 'SaslAuthenticate']);
    const describe = c.broker(2).requests.find((r) => r.apiName === 'DescribeConfigs');
    expect(describe).toMatchObject({ apiVersion: 2, principal: ACCESS_KEY_ID });
  });

  test('alter: validateOnly changes nothing; a real alter changes what Metadata advertises', async () => {
    const c = await start();
    const admin = await connectedAdmin(c);
    const custom = `CLIENT_IAM://b-1.kafka.example.test:9001,${REPLICATION}`;

    await alterBroker(admin, 1, { 'advertised.listeners': custom }, true);
    expect(c.broker(1).configs.dynamic).toEqual({});
    expect(c.broker(1).requests.find((r) => r.apiName === 'AlterConfigs')?.request).toMatchObject({ validateOnly: true });

    await alterBroker(admin, 1, { 'advertised.listeners': custom });
    expect(c.broker(1).configs.dynamic).toEqual({ 'advertised.listeners': custom });
    expect(c.broker(1).advertisedEndpoint()).toEqual({ host: 'b-1.kafka.example.test', port: 9001 });

    // Metadata from any broker now names the custom host for node 1, the controller. A plain
    // client is locked out of config APIs: kafkajs first connects to the controller by its
    // advertised name. (The cluster lookup makes that name fail fast instead of waiting on DNS.)
    const other = await connectedAdmin(c, { brokers: [`127.0.10.3:${c.brokers[2]!.port}`], ssl: { lookup: c.lookup } });
    const err = await rejectionOf(describeBroker(other, 3));
    expect(err.message).toContain('ENOTFOUND b-1.kafka.example.test');
    const meta = c.broker(3).requests.filter((r) => r.apiName === 'Metadata').at(-1)?.response as { brokers: unknown[] };
    expect(meta.brokers).toContainEqual({ nodeId: 1, host: 'b-1.kafka.example.test', port: 9001, rack: 'use1-az1' });
    expect(c.broker(3).advertisedEndpoint()).toEqual({ host: '127.0.10.3', port: c.brokers[2]!.port });
  });

  test('legacy AlterConfigs replaces the whole dynamic per-broker set', async () => {
    const c = await start();
    c.broker(1).setDynamicConfig('max.connections', '1000');
    c.broker(1).setDynamicConfig('log.cleaner.threads', '2');
    const admin = await connectedAdmin(c);

    const before = await describeBroker(admin, 1);
    expect(before.find((e) => e.configName === 'max.connections')).toMatchObject({ configValue: '1000', configSource: 2 });

    await alterBroker(admin, 1, { 'log.cleaner.threads': '2', 'num.io.threads': '16' });
    expect(c.broker(1).configs.dynamic).toEqual({ 'log.cleaner.threads': '2', 'num.io.threads': '16' });
    const after = await describeBroker(admin, 1);
    expect(after.find((e) => e.configName === 'max.connections')).toMatchObject({ configValue: '2147483647', configSource: 5 });
  });

  test('dynamic sensitive configs are described with a null value', async () => {
    const c = await start();
    c.broker(1).setDynamicConfig('listener.name.client_iam.ssl.keystore.password', 'hunter2');
    c.broker(1).setDynamicConfig('custom.secret', 'x', { sensitive: true });
    const admin = await connectedAdmin(c);
    const entries = await describeBroker(admin, 1);
    for (const name of ['listener.name.client_iam.ssl.keystore.password', 'custom.secret']) {
      const e = entries.find((x) => x.configName === name);
      expect(e).toMatchObject({ configValue: null, isSensitive: true, configSource: 2 });
      expect(e?.configSynonyms).toEqual([{ configName: name, configValue: null, configSource: 2 }]);
    }
  });

  test('a BROKER resource sent to another broker is refused like Kafka does', async () => {
    const c = await start();
    // Route every connection to broker 2, whatever Metadata says: resource "1" lands on broker 2.
    const b2 = c.brokers[1]!;
    const admin = await connectedAdmin(c, {
      socketFactory: ({ ssl, onConnect }) => tlsConnect({ host: b2.host, port: b2.port, ...(ssl as object) }, onConnect),
    });
    const err = await rejectionOf(alterBroker(admin, 1, { 'max.connections': '10' }));
    expect(rootCause(err)).toMatchObject({ type: 'INVALID_REQUEST' });
    expect(c.broker(2).requests.find((r) => r.apiName === 'AlterConfigs')?.response).toEqual([
      { errorCode: 42, errorMessage: 'Unexpected broker id, expected 2, but received 1', type: 4, name: '1' },
    ]);
  });

  test.each([
    ['unparseable', 'CLIENT_IAM://nohostport', "Error creating broker listeners from 'CLIENT_IAM://nohostport': Unable to parse CLIENT_IAM://nohostport to a broker endpoint"],
    ['duplicate name', `CLIENT_IAM://a.example.test:9001,CLIENT_IAM://b.example.test:9002,${REPLICATION}`, 'requirement failed: Each listener must have a different name'],
    ['unknown listener', `CLIENT_FOO://a.example.test:9001,${REPLICATION}`, 'No security protocol defined for listener CLIENT_FOO'],
    ['no inter-broker listener', 'CLIENT_IAM://a.example.test:9001,REPLICATION://b-1-internal.example.test:9093', 'inter.broker.listener.name must be a listener name defined in advertised.listeners'],
    ['not a listener', `CLIENT_SECURE://a.example.test:9001,${REPLICATION}`, 'advertised.listeners listener names must be equal to or a subset of the ones defined in listeners'],
  ])('malformed advertised.listeners (%s) -> INVALID_CONFIG with a message', async (_, value, message) => {
    const c = await start();
    const admin = await connectedAdmin(c);
    const err = await rejectionOf(alterBroker(admin, 1, { 'advertised.listeners': value }));
    expect(rootCause(err)).toMatchObject({ type: 'INVALID_CONFIG', code: 40 });
    const resp = c.broker(1).requests.find((r) => r.apiName === 'AlterConfigs')?.response as Array<{ errorMessage: string }>;
    expect(resp[0]!.errorMessage).toContain("Invalid config value for resource ConfigResource(type=BROKER, name='1'): ");
    expect(resp[0]!.errorMessage).toContain(message);
    expect(c.broker(1).configs.dynamic).toEqual({});
  });

  test('non-dynamic configs cannot be altered', async () => {
    const c = await start();
    const admin = await connectedAdmin(c);
    await rejectionOf(alterBroker(admin, 1, { 'broker.id': '7' }));
    const resp = c.broker(1).requests.find((r) => r.apiName === 'AlterConfigs')?.response as Array<{ errorMessage: string; errorCode: number }>;
    expect(resp[0]).toMatchObject({ errorCode: 40 });
    expect(resp[0]!.errorMessage).toContain('Cannot update these configs dynamically: Set(broker.id)');
  });

  test('KRaft brokers refuse a dynamic change of advertised.listeners', async () => {
    const c = await start({ mode: 'kraft' });
    const admin = await connectedAdmin(c);
    const current = c.broker(1).configs.static['advertised.listeners']!;
    const err = await rejectionOf(alterBroker(admin, 1, { 'advertised.listeners': current.replace(/CLIENT_IAM:\/\/[^,]+/, 'CLIENT_IAM://b-1.kafka.example.test:9001') }));
    expect(rootCause(err)).toMatchObject({ type: 'INVALID_REQUEST', code: 42 });
    const resp = c.broker(1).requests.find((r) => r.apiName === 'AlterConfigs')?.response as Array<{ errorMessage: string }>;
    expect(resp[0]!.errorMessage).toBe(
      'Invalid value org.apache.kafka.common.config.ConfigException: Advertised listeners cannot be altered when using a Raft-based metadata quorum. for configuration Invalid dynamic configuration',
    );
    // Other dynamic configs, and an unchanged advertised.listeners, are still accepted.
    await alterBroker(admin, 1, { 'advertised.listeners': current, 'max.connections': '100' });
    expect(c.broker(1).configs.dynamic).toEqual({ 'advertised.listeners': current, 'max.connections': '100' });
  });

  test('a wrong signature is rejected with SASL_AUTHENTICATION_FAILED', async () => {
    const c = await start();
    const err = await rejectionOf(connectedAdmin(c, { credentials: staticCredentials(ACCESS_KEY_ID, 'not-the-secret') }));
    expect(err.name).toBe('KafkaJSSASLAuthenticationError');
    expect(err.message).toMatch(/^SASL OAUTHBEARER authentication failed: \[[0-9a-f-]{36}\]: Access denied$/);
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslAuthenticate')?.response).toMatchObject({ errorCode: 58, reason: 'signature-mismatch' });
    expect(c.broker(1).requests.some((r) => r.apiName === 'Metadata')).toBe(false);
  });

  test('an unknown access key is rejected', async () => {
    const c = await start();
    await rejectionOf(connectedAdmin(c, { credentials: staticCredentials('AKIAUNKNOWN000000000', 'x') }));
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslAuthenticate')?.response).toMatchObject({ errorCode: 58, reason: 'unknown-access-key' });
  });

  test('a token signed for another region is rejected', async () => {
    const c = await start();
    await rejectionOf(connectedAdmin(c, { region: 'eu-west-1' }));
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslAuthenticate')?.response).toMatchObject({ errorCode: 58, reason: 'wrong-region' });
  });

  test('an expired token is rejected', async () => {
    const c = await start();
    c.setClockOffset(16 * 60 * 1000); // the signer's tokens live 900 s
    const err = await rejectionOf(connectedAdmin(c));
    expect(err.name).toBe('KafkaJSSASLAuthenticationError');
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslAuthenticate')?.response).toMatchObject({ errorCode: 58, reason: 'expired' });
  });

  test('temporary credentials need their session token', async () => {
    const c = await start({ credentials: { ASIAFAKE000000000001: { secretAccessKey: 's3cret', sessionToken: 'tok+en/=' } } });
    const ok = await connectedAdmin(c, { credentials: staticCredentials('ASIAFAKE000000000001', 's3cret', 'tok+en/=') });
    await ok.describeCluster();
    await rejectionOf(connectedAdmin(c, { credentials: staticCredentials('ASIAFAKE000000000001', 's3cret', 'other') }));
    const auths = c.requests.filter((r) => r.apiName === 'SaslAuthenticate').map((r) => (r.response as { reason?: string }).reason);
    expect(auths).toContain('bad-session-token');
  });

  test('plain TCP (SASL_PLAINTEXT) works too', async () => {
    const c = await start({ tls: false });
    const admin = await connectedAdmin(c, { ssl: false });
    expect((await admin.describeCluster()).brokers).toHaveLength(3);
  });

  test('MSK-style host names, resolved through the cluster lookup, with certificate host name checks', async () => {
    const c = await start({ advertise: 'aws-name' });
    expect(c.bootstrapBrokers).toMatch(/^b-1\.demo-cluster\.a1b2c3\.c2\.kafka\.us-east-1\.amazonaws\.com:\d+,/);
    const admin = await connectedAdmin(c, { ssl: { lookup: c.lookup } });
    const meta = await admin.describeCluster();
    expect(meta.brokers.map((b) => b.host)).toEqual(c.brokers.map((b) => b.awsHost));
    expect((await describeBroker(admin, 3)).length).toBeGreaterThan(10);
  });

  test('a client that does not trust the CA cannot connect', async () => {
    const c = await start();
    const { readFileSync } = await import('node:fs');
    const other = readFileSync(`${__dirname}/fixtures/other-ca.pem`, 'utf8');
    const err = await rejectionOf(connectedAdmin(c, { ssl: { ca: [other] } }));
    expect(String(err.message)).toMatch(/certificate/i);
  });

  test('DescribeConfigs v0 (when offered alone) has no config source: kafkajs reports STATIC for everything non-default', async () => {
    const c = await start({ describeConfigsMaxVersion: 0 });
    c.broker(1).setDynamicConfig('max.connections', '1000');
    const admin = await connectedAdmin(c);
    const entries = await describeBroker(admin, 1);
    expect(entries.find((e) => e.configName === 'max.connections')).toMatchObject({ configValue: '1000', configSource: 4, isDefault: false });
    expect(entries.find((e) => e.configName === 'max.connections')).not.toHaveProperty('configSynonyms');
    expect(c.broker(1).requests.find((r) => r.apiName === 'DescribeConfigs')?.apiVersion).toBe(0);
  });

  test('brokers can be added and removed while running', async () => {
    const c = await start();
    await c.addBroker({ id: 4, host: '127.0.10.4' });
    await c.removeBroker(2);
    const admin = await connectedAdmin(c);
    expect((await admin.describeCluster()).brokers.map((b) => b.nodeId)).toEqual([1, 3, 4]);
  });
});

/** A raw Kafka client over TLS: framed requests out, framed responses (correlation id + body) in. */
async function rawClient(c: FakeCluster) {
  const { FrameSplitter, Reader, Writer } = await import('./fake/wire');
  const b = c.brokers[0]!;
  const socket = tlsConnect({ host: b.host, port: b.port, ca: [c.ca] });
  await new Promise<void>((resolve, reject) => socket.once('secureConnect', resolve).once('error', reject));
  const frames = new FrameSplitter();
  const inbox: Buffer[] = [];
  let waiting: (() => void) | undefined;
  let closed = false;
  socket.on('data', (chunk: Buffer) => {
    inbox.push(...frames.push(chunk));
    waiting?.();
  });
  socket.on('close', () => {
    closed = true;
    waiting?.();
  });
  let correlation = 0;
  return {
    send(apiKey: number, version: number, body: (w: InstanceType<typeof Writer>) => void) {
      const w = new Writer().int16(apiKey).int16(version).int32(++correlation).string('raw-test');
      body(w);
      const payload = w.toBuffer();
      socket.write(Buffer.concat([new Writer().int32(payload.length).toBuffer(), payload]));
    },
    /** The next response body after its correlation id, or 'closed'. */
    async next(): Promise<InstanceType<typeof Reader> | 'closed'> {
      while (!inbox.length && !closed) await new Promise<void>((r) => (waiting = r));
      const frame = inbox.shift();
      if (!frame) return 'closed';
      const r = new Reader(frame);
      r.int32();
      return r;
    },
    close: () => socket.destroy(),
  };
}

async function bearer(region: string): Promise<Buffer> {
  const { generateAuthTokenFromCredentialsProvider } = await import('aws-msk-iam-sasl-signer-js');
  const { token } = await generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: staticCredentials() });
  return Buffer.from(`n,,\x01auth=Bearer ${token}\x01\x01`);
}

describe('closer to MSK 3.x where kafkajs would behave differently', () => {
  test('Metadata is offered as MSK does (0-12): kafkajs negotiates its own maximum, v6, and reads brokers and controller through it', async () => {
    const c = await start();
    const admin = await connectedAdmin(c);
    const { brokers, controller, clusterId } = await admin.describeCluster();
    expect(brokers.map((b) => b.nodeId)).toEqual([1, 2, 3]);
    expect(controller).toBe(1);
    expect(clusterId).toBe('fake-msk-cluster-id');
    const versions = [...new Set(c.requests.filter((r) => r.apiName === 'Metadata').map((r) => r.apiVersion))];
    expect(versions).toEqual([6]);
  });

  test('a second SaslHandshake after authentication gets ILLEGAL_SASL_STATE (34) and the connection stays usable', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(17, 1, (w) => w.string('OAUTHBEARER'));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(0);
    const auth = await bearer(c.region);
    raw.send(36, 1, (w) => w.bytes(auth));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(0);
    raw.send(17, 1, (w) => w.string('OAUTHBEARER'));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(34);
    raw.send(3, 1, (w) => w.array([], () => undefined));
    expect(await raw.next()).not.toBe('closed');
    raw.close();
  });

  test('an unsupported mechanism: the error reply (33), then the broker closes the connection', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(17, 1, (w) => w.string('SCRAM-SHA-512'));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(33);
    expect(await raw.next()).toBe('closed');
  });

  // Flexible ApiVersions v3 (ApiVersionsRequest.json): request header v2 (a tagged-field byte after the
  // client id), compact client software name and version; the response keeps header v0.
  const apiVersionsV3 = (w: InstanceType<typeof import('./fake/wire').Writer>, name: string, version: string) =>
    w.uvarint(0).compactString(name).compactString(version).taggedFields();

  test('ApiVersions v3 is served: a flexible body listing ApiVersions 0-3 and Metadata 0-12, then the login goes on', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(18, 3, (w) => apiVersionsV3(w, 'apache-kafka-java', '3.7.1'));
    const r = (await raw.next()) as InstanceType<typeof import('./fake/wire').Reader>;
    expect(r.int16()).toBe(0);
    const apis = r.compactArray((r) => {
      const a = [r.int16(), r.int16(), r.int16()];
      r.taggedFields();
      return a;
    });
    expect(apis).toEqual(expect.arrayContaining([[18, 0, 3], [3, 0, 12], [17, 0, 1], [36, 0, 1]]));
    expect(r.int32()).toBe(0); // throttle_time_ms
    r.taggedFields();
    expect(r.remaining).toBe(0);
    raw.send(17, 1, (w) => w.string('OAUTHBEARER'));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(0);
    raw.close();
  });

  test('ApiVersions v3 naming its software outside Kafka\'s pattern: INVALID_REQUEST and no ranges (ApiVersionsRequest.isValid)', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(18, 3, (w) => apiVersionsV3(w, 'my client!', '1.0'));
    const r = (await raw.next()) as InstanceType<typeof import('./fake/wire').Reader>;
    expect(r.int16()).toBe(42);
    expect(r.compactArray(() => undefined)).toEqual([]);
    raw.close();
  });

  test('ApiVersions at a version the broker does not know: UNSUPPORTED_VERSION in v0 form listing only ApiVersions 0-3 (KIP-511)', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(18, 4, (w) => apiVersionsV3(w, 'apache-kafka-java', '4.0.0'));
    const r = (await raw.next()) as InstanceType<typeof import('./fake/wire').Reader>;
    expect(r.int16()).toBe(35);
    expect(r.array((r) => [r.int16(), r.int16(), r.int16()])).toEqual([[18, 0, 3]]);
    expect(r.remaining).toBe(0); // v0: no throttle time
    raw.send(18, 2, () => undefined); // the retry at a shared version is answered
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(0);
    raw.close();
  });

  test('ApiVersions between the handshake and the token is not answered: the connection is closed', async () => {
    const c = await start();
    const raw = await rawClient(c);
    raw.send(17, 1, (w) => w.string('OAUTHBEARER'));
    expect(((await raw.next()) as { int16(): number }).int16()).toBe(0);
    raw.send(18, 0, () => undefined);
    expect(await raw.next()).toBe('closed');
  });
});
