import middy from '@middy/core';
import ssm from '@middy/ssm';
import type { Context, SNSEvent } from 'aws-lambda';
import { logger as defaultLogger } from '../shared/log';
import { formatAlarmNotification } from '../shared/notify/format';
import { parseAlarmMessage } from '../shared/notify/parse';
import { deliveryFor } from '../shared/notify/policy';

// Alarm notifications: SNS (CloudWatch alarm topic) -> readable message -> log line and,
// when WEBHOOK_PARAMETER names an SSM SecureString holding a webhook URL, a Slack-compatible webhook.
//
// Failure policy. SNS invokes Lambda asynchronously with one record per event; when the
// function throws, Lambda retries the event twice (then its on-failure destination / DLQ if
// configured). So:
// - malformed or foreign messages are logged with the reason and dropped: retrying cannot fix them;
// - a webhook answering 4xx (bad URL, revoked hook) is logged and dropped for the same reason;
// - a webhook that is down (network error, timeout, 429, 5xx) makes the invocation fail AFTER all
//   records were handled, so the retry gets a second chance at delivering the alarm. With more
//   than one record in an event a retry could repost the ones that succeeded: a duplicate
//   message is better than a lost alarm.

export interface NotifyLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export type PostFn = (url: string, payload: unknown) => Promise<{ status: number; body?: string }>;

export interface NotifyDeps {
  logger: NotifyLogger;
  webhookUrl?: string;
  post?: PostFn;
}

export interface NotifyResult {
  received: number;
  invalid: number;
  posted: number;
  notPosted: number;
  failed: { messageId?: string; status?: number; error?: string; retryable: boolean }[];
}

export class WebhookDeliveryError extends Error {
  constructor(readonly failed: NotifyResult['failed']) {
    super(`webhook delivery failed for ${failed.length} alarm notification(s); failing so that Lambda retries`);
    this.name = 'WebhookDeliveryError';
  }
}

/** POST JSON with the global fetch; the response body is kept short for the log. */
export const postJson: PostFn = async (url, payload) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(10_000),
  });
  const body = (await res.text().catch(() => '')).slice(0, 500);
  return { status: res.status, body };
};

/** The business function: no middy, no environment; tests inject `post` and the logger. */
export async function notify(event: SNSEvent, deps: NotifyDeps): Promise<NotifyResult> {
  const { logger, webhookUrl } = deps;
  const post = deps.post ?? postJson;
  const result: NotifyResult = { received: 0, invalid: 0, posted: 0, notPosted: 0, failed: [] };
  // Never log the webhook URL itself: for Slack the path is the secret.
  const webhookHost = webhookUrl ? safeHost(webhookUrl) : undefined;

  for (const record of event.Records ?? []) {
    result.received++;
    const sns = record.Sns;
    const messageId = sns?.MessageId;
    const parsed = parseAlarmMessage(sns?.Message ?? '');
    if (!parsed.ok) {
      result.invalid++;
      logger.warn(
        { event: 'alarm-notification-ignored', messageId, topicArn: sns?.TopicArn, subject: sns?.Subject, reason: parsed.reason, preview: (sns?.Message ?? '').slice(0, 200) },
        `ignored SNS message: ${parsed.reason}`,
      );
      continue;
    }
    const alarm = parsed.alarm;
    const note = formatAlarmNotification(alarm);
    const delivery = deliveryFor(alarm);
    const base = {
      event: 'alarm-notification',
      messageId,
      alarmName: alarm.name,
      state: alarm.newState,
      oldState: alarm.oldState,
      metric: alarm.trigger.metricName,
      cluster: alarm.trigger.dimensions['Cluster Name'],
      broker: alarm.trigger.dimensions['Broker ID'],
      threshold: alarm.trigger.threshold,
      quota: alarm.tag?.quota,
      stateChangeTime: alarm.stateChangeTime,
      text: note.text,
    };
    logger.info(base, note.title);

    if (!webhookUrl) continue;
    if (!delivery.post) {
      result.notPosted++;
      logger.info({ ...base, text: undefined, webhookHost, why: delivery.why }, `not posted: ${delivery.why}`);
      continue;
    }
    try {
      const res = await post(webhookUrl, note.slack);
      if (res.status >= 200 && res.status < 300) {
        result.posted++;
        logger.info({ event: 'webhook-posted', messageId, alarmName: alarm.name, webhookHost, status: res.status }, 'posted to webhook');
      } else {
        const retryable = res.status === 429 || res.status >= 500;
        result.failed.push({ messageId, status: res.status, retryable });
        logger.error(
          { event: 'webhook-failed', messageId, alarmName: alarm.name, webhookHost, status: res.status, body: res.body, retryable },
          `webhook answered ${res.status}`,
        );
      }
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      result.failed.push({ messageId, error, retryable: true });
      logger.error({ event: 'webhook-failed', messageId, alarmName: alarm.name, webhookHost, error, retryable: true }, `webhook unreachable: ${error}`);
    }
  }

  if (result.failed.some((f) => f.retryable)) throw new WebhookDeliveryError(result.failed);
  return result;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid URL)';
  }
}

/** How long a fetched webhook URL is reused: a rotated secret is picked up within this time. */
const WEBHOOK_CACHE_MS = 5 * 60_000;

/**
 * The Lambda handler, with the logger injectable. The webhook URL is a secret (for Slack the path
 * is the credential), so it lives in SSM Parameter Store: @middy/ssm reads the parameter named by
 * WEBHOOK_PARAMETER (decrypted) before the first invocation and caches it.
 */
export function createHandler(deps: { logger?: NotifyLogger; post?: PostFn; webhookParameter?: string } = {}) {
  const parameter = deps.webhookParameter ?? process.env.WEBHOOK_PARAMETER;
  const handler = middy<SNSEvent, NotifyResult, Error, Context & { webhookUrl?: unknown }>();
  if (parameter) {
    handler.use(ssm({ fetchData: { webhookUrl: parameter }, setToContext: true, cacheKey: `ssm-webhook:${parameter}`, cacheExpiry: WEBHOOK_CACHE_MS }));
  }
  return handler.handler((event, context) => {
    const webhookUrl = parameter ? context.webhookUrl : undefined;
    if (parameter && (typeof webhookUrl !== 'string' || !webhookUrl)) throw new TypeError(`SSM parameter ${parameter} holds no webhook URL`);
    return notify(event, {
      logger: deps.logger ?? defaultLogger,
      ...(typeof webhookUrl === 'string' ? { webhookUrl } : {}),
      ...(deps.post ? { post: deps.post } : {}),
    });
  });
}

export const handler = createHandler();
