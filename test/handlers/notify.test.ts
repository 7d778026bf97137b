import { afterAll, afterEach, beforeAll, describe, expect, test } from '@jest/globals';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { GetParametersCommand, SSMClient } from '@aws-sdk/client-ssm';
import { clearCache } from '@middy/util';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import pino from 'pino';
import { createHandler, notify, WebhookDeliveryError, type NotifyLogger } from '../../handlers/notify';
import { alarmMessage, snsEvent } from '../notify/fixtures';

// A local webhook on 127.0.0.1 that records what it receives and answers from a script.
interface Received { method?: string; url?: string; contentType?: string; body: unknown }
const received: Received[] = [];
let answers: number[] = [];
const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    received.push({ method: req.method, url: req.url, contentType: req.headers['content-type'], body: JSON.parse(Buffer.concat(chunks).toString('utf8')) });
    const status = answers.shift() ?? 200;
    res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no_service');
  });
});
let webhook = '';

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/services/T000/B000/secret-token`;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
});
afterEach(() => {
  received.length = 0;
  answers = [];
  ssm.reset();
  clearCache();
});

// The webhook URL lives in SSM Parameter Store (a SecureString): the real SSM client, answered at the client level.
const ssm = mockClient(SSMClient);
const PARAMETER = '/msk-custom-domain/webhook-url';
function storeWebhook(url: string) {
  ssm.on(GetParametersCommand, { Names: [PARAMETER], WithDecryption: true }).resolves({ Parameters: [{ Name: PARAMETER, Type: 'SecureString', Value: url }], InvalidParameters: [] });
}

/** A real pino logger writing JSON lines into memory. */
function jsonLogger(): { logger: NotifyLogger; lines: () => Record<string, unknown>[] } {
  let out = '';
  const sink = new Writable({ write(chunk, _enc, cb) { out += chunk.toString(); cb(); } });
  return { logger: pino({ level: 'info' }, sink), lines: () => out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) };
}

// Lambda passes a fresh context to each invocation (middy's ssm middleware writes the URL into it).
const fresh = () => ({ functionName: 'notify', awsRequestId: 'req-1' }) as Context;
const RECOVERED = 'Threshold Crossed: 1 out of the last 3 datapoints [1800.0 (26/11/22 10:45:00)] was not greater than or equal to the threshold (2400.0) (minimum 2 datapoints for ALARM -> OK transition).';

describe('notify handler', () => {
  test('posts the Slack JSON of each alarm worth a message to the webhook (real fetch)', async () => {
    storeWebhook(webhook);
    const { logger, lines } = jsonLogger();
    const handler = createHandler({ logger, webhookParameter: PARAMETER });
    const event = snsEvent(
      alarmMessage(),
      'this is not an alarm',
      alarmMessage({ newState: 'OK', oldState: 'INSUFFICIENT_DATA', reason: RECOVERED }), // first datapoint of a new alarm
      alarmMessage({ newState: 'OK', oldState: 'ALARM', reason: RECOVERED, dimensionCase: 'upper' }),
    );

    const result = await handler(event, fresh());

    expect(result).toEqual({ received: 4, invalid: 1, posted: 2, notPosted: 1, failed: [] });
    expect(received).toHaveLength(2);
    expect(received[0]).toMatchObject({ method: 'POST', url: '/services/T000/B000/secret-token', contentType: 'application/json' });
    const [alarmPost, okPost] = received.map((r) => r.body as { text: string; blocks: { type: string }[] });
    expect(alarmPost!.text).toBe(':rotating_light: ALARM: orders broker 2: client connection count at 82% of quota');
    expect(alarmPost!.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    expect(okPost!.text).toBe(':white_check_mark: OK: orders broker 2: client connection count recovered');

    const log = lines();
    expect(log.find((l) => l.event === 'alarm-notification-ignored')).toMatchObject({ level: 40, messageId: 'msg-2', reason: 'not JSON', msg: 'ignored SNS message: not JSON' });
    expect(log.find((l) => l.event === 'alarm-notification' && l.messageId === 'msg-1')).toMatchObject({
      level: 30, state: 'ALARM', metric: 'ClientConnectionCount', cluster: 'orders', broker: '2', threshold: 2400, quota: 3000,
      msg: 'ALARM: orders broker 2: client connection count at 82% of quota',
    });
    expect(log.find((l) => l.why)).toMatchObject({ messageId: 'msg-3', why: 'OK after INSUFFICIENT_DATA is not a recovery' });
    // The webhook path is a secret: only the host is ever logged.
    expect(JSON.stringify(log)).not.toContain('secret-token');
    expect(log.filter((l) => l.event === 'webhook-posted').map((l) => l.webhookHost)).toEqual([new URL(webhook).host, new URL(webhook).host]);
  });

  test('a webhook answering 5xx is logged with its status, the other records still go out, and the invocation fails for a retry', async () => {
    storeWebhook(webhook);
    answers = [503, 200];
    const { logger, lines } = jsonLogger();
    const run = createHandler({ logger, webhookParameter: PARAMETER })(snsEvent(alarmMessage(), alarmMessage({ brokerId: 3 })), fresh());

    await expect(run).rejects.toThrow(WebhookDeliveryError);
    expect(received).toHaveLength(2);
    const failure = lines().find((l) => l.event === 'webhook-failed');
    expect(failure).toMatchObject({ level: 50, status: 503, body: 'no_service', retryable: true, messageId: 'msg-1', msg: 'webhook answered 503' });
    expect(lines().filter((l) => l.event === 'webhook-posted')).toHaveLength(1);
  });

  test('a 4xx is logged but not retried: retrying cannot fix it', async () => {
    storeWebhook(webhook);
    answers = [404];
    const { logger, lines } = jsonLogger();
    const result = await createHandler({ logger, webhookParameter: PARAMETER })(snsEvent(alarmMessage()), fresh());
    expect(result.failed).toEqual([{ messageId: 'msg-1', status: 404, retryable: false }]);
    expect(lines().find((l) => l.event === 'webhook-failed')).toMatchObject({ status: 404 });
  });

  test('without WEBHOOK_PARAMETER it only logs, and never calls SSM', async () => {
    const { logger, lines } = jsonLogger();
    const result = await createHandler({ logger })(snsEvent(alarmMessage()), fresh());
    expect(result).toEqual({ received: 1, invalid: 0, posted: 0, notPosted: 0, failed: [] });
    expect(received).toHaveLength(0);
    expect(ssm.calls()).toHaveLength(0);
    expect(lines()[0]).toMatchObject({ event: 'alarm-notification', text: expect.stringContaining('What to do:') });
  });

  test('the parameter is read once, decrypted, and reused by the next invocations', async () => {
    storeWebhook(webhook);
    const { logger } = jsonLogger();
    const handler = createHandler({ logger, webhookParameter: PARAMETER });

    await handler(snsEvent(alarmMessage()), fresh());
    await handler(snsEvent(alarmMessage({ brokerId: 3 })), fresh());

    expect(received).toHaveLength(2);
    expect(ssm.commandCalls(GetParametersCommand)).toHaveLength(1);
    expect(ssm.commandCalls(GetParametersCommand)[0]!.args[0].input).toEqual({ Names: [PARAMETER], WithDecryption: true });
  });

  test('WEBHOOK_PARAMETER names the parameter when the handler is built from the environment', async () => {
    storeWebhook(webhook);
    process.env.WEBHOOK_PARAMETER = PARAMETER;
    try {
      const result = await createHandler({ logger: jsonLogger().logger })(snsEvent(alarmMessage()), fresh());
      expect(result.posted).toBe(1);
    } finally {
      delete process.env.WEBHOOK_PARAMETER;
    }
  });

  test('a parameter that does not exist fails the invocation, naming it, and posts nothing', async () => {
    ssm.on(GetParametersCommand).resolves({ Parameters: [], InvalidParameters: [PARAMETER] });
    const run = createHandler({ logger: jsonLogger().logger, webhookParameter: PARAMETER })(snsEvent(alarmMessage()), fresh());
    const error = (await run.catch((e: unknown) => e)) as Error & { cause?: { data?: Error[] } };
    // middy reports it as "Failed to resolve internal values", with SSM's answer as the cause.
    expect(error.message).toBe('Failed to resolve internal values');
    expect(error.cause?.data?.map((e) => e.message)).toEqual([`InvalidParameter ${PARAMETER}`]);
    expect(received).toHaveLength(0);
  });
});

describe('notify (business function)', () => {
  test('an unreachable webhook does not stop the other records, then fails the invocation', async () => {
    const calls: unknown[] = [];
    const logs: { level: string; obj: object; msg: string }[] = [];
    const logger: NotifyLogger = {
      info: (obj, msg) => logs.push({ level: 'info', obj, msg }),
      warn: (obj, msg) => logs.push({ level: 'warn', obj, msg }),
      error: (obj, msg) => logs.push({ level: 'error', obj, msg }),
    };
    let n = 0;
    const post = async (_url: string, payload: unknown) => {
      calls.push(payload);
      if (n++ === 0) throw new TypeError('fetch failed');
      return { status: 200 };
    };
    const event = snsEvent(alarmMessage(), '{"Type":"SubscriptionConfirmation"}', alarmMessage({ brokerId: 1 }));

    const err = await notify(event, { logger, webhookUrl: 'https://hooks.example.com/x', post }).catch((e: unknown) => e);

    expect(err).toBeInstanceOf(WebhookDeliveryError);
    expect((err as WebhookDeliveryError).failed).toEqual([{ messageId: 'msg-1', error: 'fetch failed', retryable: true }]);
    expect(calls).toHaveLength(2);
    expect(logs.find((l) => l.level === 'warn')!.msg).toBe('ignored SNS message: not a CloudWatch alarm: missing AlarmName');
    expect(logs.find((l) => l.level === 'error')!.msg).toBe('webhook unreachable: fetch failed');
  });

  test('an empty or odd event does not crash', async () => {
    const logger: NotifyLogger = { info: () => {}, warn: () => {}, error: () => {} };
    await expect(notify({ Records: [] }, { logger })).resolves.toMatchObject({ received: 0 });
    await expect(notify({ Records: [{ Sns: {} }] } as never, { logger })).resolves.toMatchObject({ received: 1, invalid: 1 });
  });
});
