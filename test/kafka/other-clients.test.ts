// The fake brokers against Kafka clients nobody on this project wrote: kafka-python 2.0.2 and
// librdkafka 2.0.2 (through confluent-kafka 1.7.0), Debian's packages, run by /usr/bin/python3 as
// child processes over real TLS sockets. Both listeners: IAM (OAUTHBEARER with a real MSK IAM token
// from aws-msk-iam-sasl-signer-js) and SCRAM-SHA-512. If a package is missing the tests are skipped
// with a printed reason; when CI installed them (FAKE_KAFKA_CLIENTS=required), a missing one fails.
import { afterAll, beforeAll, describe, expect, test } from '@jest/globals';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import { startFakeCluster, type FakeCluster, type FakeListener, type RecordedRequest } from './fake';
import { ACCESS_KEY_ID, CREDENTIALS, staticCredentials } from './helpers';
import { kcatMetadata, missingClient, missingKcat, probe, type ProbeArgs, type ProbeResult, type PythonClient } from './clients/run';

const BROKERS = [
  { id: 1, host: '127.0.10.21' },
  { id: 2, host: '127.0.10.22' },
  { id: 3, host: '127.0.10.23' },
];
const SCRAM_USER = 'alice';
const SCRAM_PASSWORD = 'alice-scram-password';
const REQUIRED = process.env.FAKE_KAFKA_CLIENTS === 'required';

const CLIENTS: PythonClient[] = ['kafka-python', 'confluent-kafka'];
const missing = Object.fromEntries(CLIENTS.map((c) => [c, missingClient(c)])) as Record<PythonClient, string | undefined>;
const kcatMissing = missingKcat();
for (const c of CLIENTS) {
  // Never a silent pass: say what is missing, and fail outright where CI said it installed it.
  if (missing[c]) console.warn(`SKIPPING the ${c} tests against the fake broker: ${missing[c]}`);
}
if (kcatMissing) console.warn(`SKIPPING the kcat test against the fake broker: ${kcatMissing}`);

let cluster: FakeCluster;

beforeAll(async () => {
  if (CLIENTS.every((c) => missing[c]) && kcatMissing) return;
  cluster = await startFakeCluster({
    brokers: BROKERS,
    credentials: CREDENTIALS,
    listeners: ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'],
    scramCredentials: { [SCRAM_USER]: SCRAM_PASSWORD },
  });
});
afterAll(async () => {
  await cluster?.stop();
});

const iamToken = async (secret?: string) =>
  (await generateAuthTokenFromCredentialsProvider({ region: 'us-east-1', awsCredentialsProvider: staticCredentials(ACCESS_KEY_ID, secret) })).token;

/** The same token with one hex digit of its SigV4 signature changed. */
function tampered(token: string): string {
  const url = Buffer.from(token, 'base64url').toString('utf8');
  const out = url.replace(/(X-Amz-Signature=[0-9a-f]*)([0-9a-f])/, (_m, head: string, last: string) => head + (last === '0' ? '1' : '0'));
  if (out === url) throw new Error('no signature in the token');
  return Buffer.from(out, 'utf8').toString('base64url');
}

/** Runs the probe and returns its report with every request the fake saw meanwhile. */
async function run(args: Omit<ProbeArgs, 'bootstrap'> & { listener: FakeListener }) {
  const { listener, ...rest } = args;
  const from = cluster.requests.length;
  const result = await probe({ ...rest, bootstrap: cluster.bootstrapBrokersFor(listener).split(',')[0] as string });
  const requests = cluster.requests.slice(from);
  return { result, requests };
}

const ownEndpoints = (listener: FakeListener) =>
  cluster.brokers.map((b) => ({ id: b.id, host: b.host, port: b.ports[listener] as number }));

const closed = (requests: readonly RecordedRequest[]) =>
  requests.filter((r) => typeof r.response === 'object' && r.response !== null && 'closed' in r.response);

const login = (client: PythonClient, listener: FakeListener, opts: { password?: string; token?: string } = {}) =>
  listener === 'CLIENT_SASL_SCRAM'
    ? run({ client, listener, mechanism: 'SCRAM-SHA-512', username: SCRAM_USER, password: opts.password ?? SCRAM_PASSWORD })
    : (async () => run({ client, listener, mechanism: 'OAUTHBEARER', token: opts.token ?? (await iamToken()) }))();

/** The Metadata version each client picks against a broker offering 0-12 (its own maximum). */
const METADATA_PICKED: Record<PythonClient, number> = { 'kafka-python': 5, 'confluent-kafka': 4 };

for (const client of CLIENTS) {
  const d = missing[client] ? describe.skip : describe;

  if (missing[client] && REQUIRED) {
    test(`${client} is installed (CI installed the Debian packages: FAKE_KAFKA_CLIENTS=required)`, () => {
      throw new Error(missing[client]);
    });
  }

  d(`${client} against the fake broker`, () => {
    const listeners: [FakeListener, string][] = [['CLIENT_IAM', ACCESS_KEY_ID], ['CLIENT_SASL_SCRAM', SCRAM_USER]];
    for (const [listener, principal] of listeners) {
      test(`${listener}: logs in, gets Metadata at its highest version with the listener's own endpoints`, async () => {
        const { result, requests } = await login(client, listener);
        expect(result).toMatchObject({ ok: true, controller_id: 1, cluster_id: 'fake-msk-cluster-id' });
        // The endpoints of the listener the client came in on, not the other listener's.
        expect(result.brokers).toEqual(ownEndpoints(listener));
        expect(closed(requests)).toEqual([]);
        const metadata = requests.filter((r) => r.apiName === 'Metadata');
        for (const m of metadata) expect(m).toMatchObject({ listener, principal });
        // The highest version it asked for is its own maximum (the broker offers more).
        expect(Math.max(...metadata.map((m) => m.apiVersion))).toBe(METADATA_PICKED[client]);
      });
    }

    test('CLIENT_SASL_SCRAM: a wrong password is refused, and nothing but SASL is served', async () => {
      const { result, requests } = await login(client, 'CLIENT_SASL_SCRAM', { password: 'not-the-password' });
      expect(result.ok).toBe(false);
      expect(requests.filter((r) => r.apiName === 'Metadata')).toEqual([]);
      // The fake refused the proof (not a parse error or a hang-up on something else).
      const refusals = requests.filter((r) => JSON.stringify(r.response).includes('wrong password'));
      expect(refusals.length).toBeGreaterThan(0);
    });

    test('CLIENT_IAM: a tampered MSK IAM token is refused', async () => {
      const { result, requests } = await login(client, 'CLIENT_IAM', { token: tampered(await iamToken()) });
      expect(result.ok).toBe(false);
      expect(requests.filter((r) => r.apiName === 'Metadata')).toEqual([]);
      const refusals = requests.filter((r) => /signature/i.test(JSON.stringify(r.response)));
      expect(refusals.length).toBeGreaterThan(0);
    });
  });
}

// One test per defect of issue 20, each naming the client that showed it.
const kafkaPython = missing['kafka-python'] ? describe.skip : describe;
const librdkafka = missing['confluent-kafka'] ? describe.skip : describe;

kafkaPython('kafka-python: what the fake serves after a login', () => {
  for (const listener of ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'] as FakeListener[]) {
    test(`${listener}: Metadata at every version the broker advertises, on one connection (KIP-35)`, async () => {
      const { result, requests } = await (listener === 'CLIENT_IAM'
        ? run({ client: 'kafka-python', listener, mechanism: 'OAUTHBEARER', token: await iamToken(), all_metadata_versions: true })
        : run({ client: 'kafka-python', listener, mechanism: 'SCRAM-SHA-512', username: SCRAM_USER, password: SCRAM_PASSWORD, all_metadata_versions: true }));
      expect(result.ok).toBe(true);
      const mv = result.metadata_versions as NonNullable<ProbeResult['metadata_versions']>;
      expect(mv.advertised).toEqual([0, 12]);
      for (let v = 0; v <= 12; v++) {
        expect([v, mv.versions[v]]).toEqual([v, {
          ok: true,
          brokers: ownEndpoints(listener),
          controller_id: v >= 1 ? 1 : null,
          cluster_id: v >= 2 ? 'fake-msk-cluster-id' : null,
          topics: [{ error_code: 3, name: 'probe-no-such-topic' }], // UNKNOWN_TOPIC_OR_PARTITION: the fake has no topics
        }]);
      }
      expect(closed(requests)).toEqual([]);
      // All thirteen on the connection the probe logged in on: the broker never hung up.
      const probes = requests.filter((r) => r.apiName === 'Metadata' && JSON.stringify(r.request).includes('probe-no-such-topic'));
      expect(probes.map((r) => r.apiVersion)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
      expect(new Set(probes.map((r) => r.connection)).size).toBe(1);
    });
  }

  test('SaslAuthenticate after a successful login: ILLEGAL_SASL_STATE, and the connection stays open', async () => {
    const { result, requests } = await run({ client: 'kafka-python', listener: 'CLIENT_SASL_SCRAM', mechanism: 'SCRAM-SHA-512', username: SCRAM_USER, password: SCRAM_PASSWORD, reauth: true });
    expect(result.ok).toBe(true);
    // KafkaApis.handleSaslAuthenticateRequest
    expect(result.reauth).toEqual({ error_code: 34, error_message: 'SaslAuthenticate request received after successful authentication' });
    expect(result.still_connected).toBe(true);
    expect(result.metadata_after_reauth).toBe('ok');
    const i = requests.findIndex((r) => r.apiName === 'SaslAuthenticate');
    expect(i).toBeGreaterThanOrEqual(0);
    const after = requests.slice(i + 1).find((r) => r.apiName === 'Metadata');
    expect(after?.connection).toBe(requests[i]?.connection);
    expect(closed(requests)).toEqual([]);
  });

  test('ApiVersions at an unsupported version: UNSUPPORTED_VERSION in v0 form, listing only ApiVersions 0-3 (KIP-511)', async () => {
    const { result } = await run({ client: 'kafka-python', listener: 'CLIENT_SASL_SCRAM', mechanism: 'SCRAM-SHA-512', username: SCRAM_USER, password: SCRAM_PASSWORD, unsupported_api_versions: true });
    expect(result.ok).toBe(true);
    expect(result.unsupported_api_versions).toEqual({ error_code: 35, api_versions: [[18, 0, 3]] });
  });
});

librdkafka('librdkafka 2.0.2 (confluent-kafka): the login handshake', () => {
  for (const listener of ['CLIENT_IAM', 'CLIENT_SASL_SCRAM'] as FakeListener[]) {
    test(`${listener}: ApiVersions v3 is answered at once, with no UNSUPPORTED_VERSION round trip`, async () => {
      const { result, requests } = await login('confluent-kafka', listener);
      expect(result.ok).toBe(true);
      const byConnection = new Map<number, RecordedRequest[]>();
      for (const r of requests.filter((r) => r.apiName === 'ApiVersions')) byConnection.set(r.connection, [...(byConnection.get(r.connection) ?? []), r]);
      expect(byConnection.size).toBeGreaterThan(0);
      for (const rs of byConnection.values()) {
        expect(rs.map((r) => [r.apiVersion, (r.response as { errorCode: number }).errorCode])).toEqual([[3, 0]]);
      }
      // librdkafka's own account: no failed or retried ApiVersionRequest.
      expect(result.log.filter((l) => /ApiVersionRequest failed|Protocol parse failure|retrying with v/i.test(l))).toEqual([]);
    });
  }
});

if (kcatMissing && REQUIRED) {
  test('kcat is installed (CI installed the Debian packages: FAKE_KAFKA_CLIENTS=required)', () => {
    throw new Error(kcatMissing);
  });
}

(kcatMissing ? describe.skip : describe)('kcat 1.7.1 (librdkafka 2.0.2) on CLIENT_SASL_SCRAM', () => {
  test('kcat -L: logs in with SCRAM-SHA-512 and lists the SCRAM endpoints; a wrong password gets no metadata', async () => {
    const bootstrap = cluster.bootstrapBrokersFor('CLIENT_SASL_SCRAM').split(',')[0] as string;
    const good = await kcatMetadata(bootstrap, SCRAM_USER, SCRAM_PASSWORD);
    expect(good).toMatchObject({ ok: true, controllerid: 1 });
    expect(good.brokers?.sort((a, b) => a.id - b.id)).toEqual(ownEndpoints('CLIENT_SASL_SCRAM').map((b) => ({ id: b.id, name: `${b.host}:${b.port}` })));

    const from = cluster.requests.length;
    const bad = await kcatMetadata(bootstrap, SCRAM_USER, 'not-the-password');
    expect(bad.ok).toBe(false);
    expect(bad.stderr).toMatch(/Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512/);
    expect(cluster.requests.slice(from).filter((r) => r.apiName === 'Metadata')).toEqual([]);
  });
});
