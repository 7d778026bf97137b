// Fake brokers with two client listeners, as an MSK cluster with IAM and SASL/SCRAM enabled:
// real kafkajs 2.2.4 (its built-in SCRAM-SHA-512, and OAUTHBEARER with the real MSK IAM signer)
// against one socket per listener.
import { afterEach, describe, expect, test } from '@jest/globals';
import { createHash, createHmac, pbkdf2Sync } from 'node:crypto';
import { connect as tlsConnect } from 'node:tls';
import { Kafka, logLevel, type Admin, type ISocketFactory, type SASLOptions } from 'kafkajs';
import { startFakeCluster, type FakeCluster, type FakeListener } from './fake';
import { ScramServer, scramCredentials } from './fake/scram';
import { ACCESS_KEY_ID, CREDENTIALS, plainKafka, rejectionOf } from './helpers';

const BROKERS = [
  { id: 1, host: '127.0.10.1' },
  { id: 2, host: '127.0.10.2' },
  { id: 3, host: '127.0.10.3' },
];
const SCRAM_USERS = { alice: 'alice-secret-0001', 'bob,=odd': 'bob-secret' };
const internal = (id: number, region = 'us-east-1') => `b-${id}-internal.demo-cluster.a1b2c3.c2.kafka.${region}.amazonaws.com`;
const REPLICATION = (id: number) => `REPLICATION://${internal(id)}:9093,REPLICATION_SECURE://${internal(id)}:9095`;

let cluster: FakeCluster | undefined;
let admins: Admin[] = [];
afterEach(async () => {
  await Promise.all(admins.map((a) => a.disconnect()));
  admins = [];
  await cluster?.stop();
  cluster = undefined;
});

async function start(opts: Partial<Parameters<typeof startFakeCluster>[0]> = {}): Promise<FakeCluster> {
  cluster = await startFakeCluster({
    brokers: BROKERS,
    credentials: CREDENTIALS,
    scramCredentials: SCRAM_USERS,
    listeners: ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'],
    ...opts,
  });
  return cluster;
}

/** A plain kafkajs client with its built-in SCRAM, bootstrapping on `listener`'s socket of broker 1. */
function scramAdmin(c: FakeCluster, sasl: SASLOptions, listener: FakeListener = 'CLIENT_SASL_SCRAM', socketFactory?: ISocketFactory): Admin {
  const admin = new Kafka({
    ...(socketFactory ? { socketFactory } : {}),
    clientId: 'scram-test',
    brokers: [c.bootstrapBrokersFor(listener).split(',')[0] as string],
    ssl: { ca: [c.ca] },
    sasl,
    connectionTimeout: 2000,
    retry: { retries: 0 },
    logLevel: logLevel.NOTHING,
  }).admin();
  admins.push(admin);
  return admin;
}

// A fresh object each time: kafkajs stores its authenticator (holding the password) on the SASL
// options object it is given, so a copy of a used one would authenticate with the old password.
/**
 * Stands in for DNS and a load balancer: `b-<id>.kafka.example.com` reaches broker <id>'s IAM
 * socket, `s-<id>.kafka.example.com` its SCRAM socket (TLS checked against the broker's IP,
 * which its certificate covers); other names connect as they are.
 */
const customNames = (c: FakeCluster): ISocketFactory => ({ host, port, ssl, onConnect }) => {
  const m = /^([bs])-(\d+)\.kafka\.example\.com$/.exec(host);
  const broker = m ? c.broker(Number(m[2])) : undefined;
  const target = broker ? { host: broker.host, port: broker.ports[m![1] === 's' ? 'CLIENT_SASL_SCRAM' : 'CLIENT_IAM']! } : { host, port };
  return tlsConnect({ ...(ssl as object), ...target }, onConnect);
};

const alice = (password = SCRAM_USERS.alice): SASLOptions => ({ mechanism: 'scram-sha-512', username: 'alice', password });

describe('a broker serves each client listener on its own socket', () => {
  test('the default advertised.listeners lists every client listener, then the REPLICATION ones, as MSK writes it', async () => {
    const c = await start();
    const b2 = c.broker(2);
    expect(b2.ports.CLIENT_IAM).not.toBe(b2.ports.CLIENT_SASL_SCRAM);
    expect(b2.configs.static['advertised.listeners']).toBe(
      `CLIENT_IAM://127.0.10.2:${b2.ports.CLIENT_IAM},CLIENT_SASL_SCRAM://127.0.10.2:${b2.ports.CLIENT_SASL_SCRAM},${REPLICATION(2)}`,
    );
    expect(b2.configs.static['sasl.enabled.mechanisms']).toBe('AWS_MSK_IAM,OAUTHBEARER,SCRAM-SHA-512');
    expect(c.bootstrapBrokersFor('CLIENT_SASL_SCRAM')).toBe(BROKERS.map((b) => `${b.host}:${c.broker(b.id).ports.CLIENT_SASL_SCRAM}`).join(','));
    expect(() => c.bootstrapBrokersFor('CLIENT_IAM_PUBLIC')).toThrow(/serves no CLIENT_IAM_PUBLIC listener/);
  });

  test('SCRAM-SHA-512 on the SCRAM listener: kafkajs authenticates and Metadata lists every broker at its SCRAM endpoint', async () => {
    const c = await start();
    const admin = scramAdmin(c, alice());
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    expect(brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual(c.brokers.map((b) => [b.id, b.host, b.ports.CLIENT_SASL_SCRAM]));
    const auth = c.broker(1).requests.filter((r) => r.apiName === 'SaslAuthenticate');
    // Two round trips: client-first -> server-first (a challenge), client-final -> server-final.
    expect(auth.map((r) => r.response)).toEqual([{ errorCode: 0, challenge: true }, { errorCode: 0, sessionLifetimeMs: 0 }]);
    const metadata = c.broker(1).requests.find((r) => r.apiName === 'Metadata');
    expect(metadata).toMatchObject({ listener: 'CLIENT_SASL_SCRAM', principal: 'alice' });
  });

  test('user names with "," and "=" travel escaped (=2C, =3D) and are decoded by the server', async () => {
    const c = await start();
    const admin = scramAdmin(c, { mechanism: 'scram-sha-512', username: 'bob,=odd', password: 'bob-secret' });
    await admin.connect();
    await admin.describeCluster();
    expect(c.broker(1).requests.find((r) => r.apiName === 'Metadata')?.principal).toBe('bob,=odd');
  });

  test('a wrong password fails with Kafka\'s generic message (SASL_AUTHENTICATION_FAILED) and nothing else is served', async () => {
    const c = await start();
    const err = await rejectionOf(scramAdmin(c, alice('not-her-password')).connect());
    expect(err.name).toBe('KafkaJSSASLAuthenticationError');
    expect(err.message).toContain('Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512');
    const last = c.broker(1).requests.at(-1)!;
    expect(last).toMatchObject({ apiName: 'SaslAuthenticate', response: { errorCode: 58, reason: 'client proof does not match (wrong password)' } });
    expect(c.broker(1).requests.some((r) => r.apiName === 'Metadata')).toBe(false);
  });

  test('an unknown user fails at the first message, with the same message (Kafka does not say whether a user exists)', async () => {
    const c = await start();
    const err = await rejectionOf(scramAdmin(c, { mechanism: 'scram-sha-512', username: 'mallory', password: 'x' }).connect());
    expect(err.message).toContain('due to invalid credentials with SASL mechanism SCRAM-SHA-512');
    const auth = c.broker(1).requests.filter((r) => r.apiName === 'SaslAuthenticate');
    expect(auth.map((r) => (r.response as { reason?: string }).reason)).toEqual(['unknown user mallory']);
  });

  test('SCRAM-SHA-256 is not enabled on MSK\'s SCRAM listener: UNSUPPORTED_SASL_MECHANISM', async () => {
    const c = await start();
    const err = await rejectionOf(scramAdmin(c, { mechanism: 'scram-sha-256', username: 'alice', password: SCRAM_USERS.alice }).connect());
    expect(err.message).toMatch(/SCRAM-SHA-256 mechanism is not supported|does not support the requested SASL mechanism/);
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslHandshake')?.response).toEqual({ errorCode: 33, mechanisms: ['SCRAM-SHA-512'] });
  });

  test('the IAM mechanism on the SCRAM port is refused in SaslHandshake (UNSUPPORTED_SASL_MECHANISM), as Kafka does', async () => {
    const c = await start();
    const admin = plainKafka(c, { brokers: [c.bootstrapBrokersFor('CLIENT_SASL_SCRAM').split(',')[0]!] }).admin();
    admins.push(admin);
    const err = await rejectionOf(admin.connect());
    expect(err.message).toMatch(/OAUTHBEARER mechanism is not supported|does not support the requested SASL mechanism/);
    const handshake = c.broker(1).requests.find((r) => r.apiName === 'SaslHandshake');
    expect(handshake).toMatchObject({ listener: 'CLIENT_SASL_SCRAM', request: { mechanism: 'OAUTHBEARER' }, response: { errorCode: 33, mechanisms: ['SCRAM-SHA-512'] } });
    expect(c.broker(1).requests.some((r) => r.apiName === 'SaslAuthenticate')).toBe(false);
  });

  test('SCRAM on the IAM port is refused the same way', async () => {
    const c = await start();
    const err = await rejectionOf(scramAdmin(c, alice(), 'CLIENT_IAM').connect());
    expect(err.message).toMatch(/SCRAM-SHA-512 mechanism is not supported|does not support the requested SASL mechanism/);
    expect(c.broker(1).requests.find((r) => r.apiName === 'SaslHandshake')).toMatchObject({ listener: 'CLIENT_IAM', response: { errorCode: 33, mechanisms: ['OAUTHBEARER'] } });
  });

  test('an IAM client on the IAM port sees the IAM endpoints', async () => {
    const c = await start();
    const admin = plainKafka(c).admin();
    admins.push(admin);
    await admin.connect();
    const { brokers } = await admin.describeCluster();
    expect(brokers.map((b) => [b.nodeId, b.host, b.port])).toEqual(c.brokers.map((b) => [b.id, b.host, b.ports.CLIENT_IAM]));
    expect(c.broker(1).requests.find((r) => r.apiName === 'Metadata')).toMatchObject({ listener: 'CLIENT_IAM', principal: ACCESS_KEY_ID });
  });
});

describe('Metadata answers with the entry of the listener a client came in on', () => {
  test('custom names for both listeners in one advertised.listeners: SCRAM clients get s-<id>, IAM clients b-<id>', async () => {
    const c = await start();
    for (const b of c.brokers) {
      c.broker(b.id).setDynamicConfig(
        'advertised.listeners',
        `CLIENT_IAM://b-${b.id}.kafka.example.com:${9000 + b.id},CLIENT_SASL_SCRAM://s-${b.id}.kafka.example.com:${9100 + b.id},${REPLICATION(b.id)}`,
      );
    }
    const scram = scramAdmin(c, alice(), 'CLIENT_SASL_SCRAM', customNames(c));
    await scram.connect();
    expect((await scram.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`)).toEqual(['s-1.kafka.example.com:9101', 's-2.kafka.example.com:9102', 's-3.kafka.example.com:9103']);
    const iam = plainKafka(c, { socketFactory: customNames(c) }).admin();
    admins.push(iam);
    await iam.connect();
    expect((await iam.describeCluster()).brokers.map((b) => `${b.host}:${b.port}`)).toEqual(['b-1.kafka.example.com:9001', 'b-2.kafka.example.com:9002', 'b-3.kafka.example.com:9003']);
    expect(c.broker(2).advertisedEndpoint('CLIENT_SASL_SCRAM')).toEqual({ host: 's-2.kafka.example.com', port: 9102 });
    // Each client's requests stayed on its own listener's sockets, at every broker it reached.
    const listenersSeen = (principal: string) => new Set(c.requests.filter((r) => r.principal === principal).map((r) => r.listener));
    expect(listenersSeen('alice')).toEqual(new Set(['CLIENT_SASL_SCRAM']));
    expect(listenersSeen(ACCESS_KEY_ID)).toEqual(new Set(['CLIENT_IAM']));
  });

  test('a broker whose advertised.listeners lacks the SCRAM entry is left out of SCRAM Metadata only', async () => {
    const c = await start();
    c.broker(3).setDynamicConfig('advertised.listeners', `CLIENT_IAM://127.0.10.3:${c.broker(3).ports.CLIENT_IAM},${REPLICATION(3)}`);
    const scram = scramAdmin(c, alice());
    await scram.connect();
    expect((await scram.describeCluster()).brokers.map((b) => b.nodeId)).toEqual([1, 2]);
    const iam = plainKafka(c).admin();
    admins.push(iam);
    await iam.connect();
    expect((await iam.describeCluster()).brokers.map((b) => b.nodeId)).toEqual([1, 2, 3]);
  });

  test('a cluster serving only SCRAM (the first listener is the primary: port and bootstrapBrokers are its)', async () => {
    const c = await start({ listeners: ['CLIENT_SASL_SCRAM'] });
    expect(c.brokers.map((b) => b.port)).toEqual(c.brokers.map((b) => b.ports.CLIENT_SASL_SCRAM));
    expect(c.broker(1).ports.CLIENT_IAM).toBeUndefined();
    expect(c.broker(1).configs.static['sasl.enabled.mechanisms']).toBe('SCRAM-SHA-512');
    const admin = scramAdmin(c, alice());
    await admin.connect();
    expect((await admin.describeCluster()).brokers).toHaveLength(3);
  });
});

describe('the SCRAM server refuses what RFC 5802 says a server must', () => {
  // A client computed from RFC 5802 section 3 (not kafkajs), to send what kafkajs never would.
  const hmac = (key: Buffer, data: string) => createHmac('sha512', key).update(data).digest();
  function client(password: string, serverFirst: string, clientFirstBare: string, opts: { nonce?: string; binding?: string } = {}) {
    const attrs = Object.fromEntries(serverFirst.split(',').map((p) => [p[0], p.slice(2)]));
    const salted = pbkdf2Sync(password, Buffer.from(attrs.s!, 'base64'), Number(attrs.i), 64, 'sha512');
    const clientKey = hmac(salted, 'Client Key');
    const storedKey = createHash('sha512').update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(opts.binding ?? 'n,,').toString('base64')},r=${opts.nonce ?? attrs.r}`;
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!)).toString('base64');
    const serverSignature = hmac(hmac(salted, 'Server Key'), authMessage).toString('base64');
    return { final: Buffer.from(`${withoutProof},p=${proof}`), serverSignature };
  }
  const credentials = scramCredentials({ alice: 'pw-1' });
  const exchange = (opts: { nonce?: (serverNonce: string) => string; binding?: string; password?: string } = {}) => {
    const server = new ScramServer(credentials);
    const bare = 'n=alice,r=client-nonce-123';
    const first = server.step(Buffer.from(`n,,${bare}`));
    if (first.kind !== 'challenge') throw new Error(`expected a challenge, got ${JSON.stringify(first)}`);
    const serverFirst = first.bytes.toString();
    const serverNonce = /^r=([^,]+),/.exec(serverFirst)![1]!;
    expect(serverNonce.startsWith('client-nonce-123')).toBe(true);
    expect(serverFirst).toMatch(/^r=[^,]+,s=[A-Za-z0-9+/=]+,i=4096$/);
    const c = client(opts.password ?? 'pw-1', serverFirst, bare, { nonce: opts.nonce?.(serverNonce), binding: opts.binding });
    return { result: server.step(c.final), serverSignature: c.serverSignature, again: () => server.step(c.final) };
  };

  test('a correct exchange ends with the server signature the client computes (v=...), and cannot be replayed', () => {
    const { result, serverSignature, again } = exchange();
    expect(result).toEqual({ kind: 'done', bytes: Buffer.from(`v=${serverSignature}`), principal: 'alice' });
    expect(again()).toMatchObject({ kind: 'fail' });
  });

  test('a client-final nonce ending with the server nonce is accepted, as Kafka 3.x does (endsWith, for librdkafka < 2.6.1)', () => {
    // librdkafka before 2.6.1 sends r=<client nonce><client nonce + server nonce> (confluentinc/librdkafka#4895).
    const { result, serverSignature } = exchange({ nonce: (n) => `client-nonce-123${n}` });
    expect(result).toEqual({ kind: 'done', bytes: Buffer.from(`v=${serverSignature}`), principal: 'alice' });
  });

  test('a client-final message with another nonce, or a channel binding that is not the gs2 header, is refused', () => {
    const refused = { kind: 'fail', reason: 'nonce in client-final message does not end with the server nonce' };
    expect(exchange({ nonce: (n) => `${n}x` }).result).toEqual(refused);
    expect(exchange({ nonce: (n) => n.slice(0, -1) }).result).toEqual(refused);
    expect(exchange({ nonce: () => 'client-nonce-123' }).result).toEqual(refused);
    expect(exchange({ binding: 'p=tls-unique,,' }).result).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/^channel binding/) });
    expect(exchange({ password: 'pw-2' }).result).toEqual({ kind: 'fail', reason: 'client proof does not match (wrong password)' });
  });

  test('client-first messages it cannot serve: channel binding required, an authzid, a bad "=" escape', () => {
    const first = (m: string) => new ScramServer(credentials).step(Buffer.from(m));
    expect(first('p=tls-unique,,n=alice,r=abc')).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/gs2 header/) });
    expect(first('n,a=bob,n=alice,r=abc')).toMatchObject({ kind: 'fail', reason: expect.stringMatching(/gs2 header/) });
    expect(first('n,,n=al=ice,r=abc')).toEqual({ kind: 'fail', reason: 'invalid user name encoding' });
    expect(first('n,,r=abc,n=alice')).toEqual({ kind: 'fail', reason: 'malformed client-first message' });
  });
});
