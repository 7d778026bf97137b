// Test helpers: plain kafkajs clients (with the real MSK IAM signer) pointed at a fake cluster.
import { Kafka, logLevel, type ISocketFactory } from 'kafkajs';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { ConnectionOptions } from 'node:tls';
import type { FakeCluster } from './fake';

export const ACCESS_KEY_ID = 'AKIAFAKEEXAMPLE00001';
export const SECRET_ACCESS_KEY = 'fake/secret/key/for/tests/only/0000000000';
export const CREDENTIALS = { [ACCESS_KEY_ID]: SECRET_ACCESS_KEY };

export const staticCredentials = (accessKeyId = ACCESS_KEY_ID, secretAccessKey = SECRET_ACCESS_KEY, sessionToken?: string) =>
  async () => ({ accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) });

/** A plain kafkajs client, as any application would build one. */
export function plainKafka(
  cluster: FakeCluster,
  opts: {
    brokers?: string[];
    credentials?: ReturnType<typeof staticCredentials>;
    region?: string;
    ssl?: ConnectionOptions | false;
    socketFactory?: ISocketFactory;
  } = {},
): Kafka {
  const credentials = opts.credentials ?? staticCredentials();
  return new Kafka({
    clientId: 'fake-broker-test',
    brokers: opts.brokers ?? [cluster.bootstrapBrokers.split(',')[0] as string],
    ssl: opts.ssl === false ? false : { ca: [cluster.ca], ...opts.ssl },
    sasl: {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => {
        const { token } = await generateAuthTokenFromCredentialsProvider({
          region: opts.region ?? cluster.region,
          awsCredentialsProvider: credentials,
        });
        return { value: token };
      },
    },
    ...(opts.socketFactory ? { socketFactory: opts.socketFactory } : {}),
    connectionTimeout: 2000,
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
}

/** Walks an error's `cause` chain (kafkajs wraps protocol errors in retry errors). */
export function rootCause(e: unknown): unknown {
  let cur = e as { cause?: unknown } | undefined;
  while (cur && typeof cur === 'object' && cur.cause && cur.cause !== cur) cur = cur.cause as { cause?: unknown };
  return cur;
}

export async function rejectionOf(p: Promise<unknown>): Promise<Error & Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}
