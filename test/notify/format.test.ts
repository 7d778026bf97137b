import { describe, expect, test } from '@jest/globals';
import { formatAlarmNotification } from '../../shared/notify/format';
import { parseAlarmMessage, type CloudWatchAlarm } from '../../shared/notify/parse';
import { deliveryFor } from '../../shared/notify/policy';
import { alarmMessage } from './fixtures';

function alarm(m: Record<string, unknown>): CloudWatchAlarm {
  const r = parseAlarmMessage(JSON.stringify(m));
  if (!r.ok) throw new Error(r.reason);
  return r.alarm;
}

const RATE_REASON =
  'Threshold Crossed: 3 out of the last 5 datapoints [91.5 (26/11/22 10:15:00), 88.0 (26/11/22 10:14:00), 85.0 (26/11/22 10:13:00)] ' +
  'was greater than or equal to the threshold (80.0) (minimum 3 datapoints for OK -> ALARM transition).';

describe('formatAlarmNotification', () => {
  test('connection count in ALARM: who, value against quota, what it counts, since when, what to do', () => {
    const n = formatAlarmNotification(alarm(alarmMessage()));
    expect(n.title).toBe('ALARM: orders broker 2: client connection count at 82% of quota');
    const lines = n.text.split('\n');
    expect(lines[0]).toBe('ALARM since 2022-11-26 10:16 UTC: MSK cluster orders, broker 2');
    expect(lines[1]).toBe(
      'ClientConnectionCount (client connections authenticated with IAM) is 2,450 connections: 82% of the quota of 3,000 IAM connections per broker (alarm at 80%, 2,400 connections).',
    );
    expect(n.text).toMatch(/reuse connections.*pool/);
    expect(n.text).toMatch(/connection leaks/);
    expect(n.text).toMatch(/Add brokers.*symmetrically across the Availability Zones/);
    expect(n.text).toMatch(/quota increase/);
    expect(n.text).not.toMatch(/reconnect\.backoff/);
    expect(lines.at(-1)).toMatch(/^Alarm msk-custom-domain\/orders\/[0-9a-f]{8}\/broker-2\/ClientConnectionCount, account 123456789012, US East \(N\. Virginia\)$/);
  });

  test('the opt-in ConnectionCount says it counts every connection, not only IAM clients', () => {
    const n = formatAlarmNotification(alarm(alarmMessage({ metric: 'ConnectionCount' })));
    expect(n.title).toBe('ALARM: orders broker 2: connection count at 82% of quota');
    expect(n.text.split('\n')[1]).toBe(
      'ConnectionCount (all connections: clients of every authentication, unauthenticated and inter-broker) is 2,450 connections: ' +
        '82% of the quota of 3,000 IAM connections per broker (alarm at 80%, 2,400 connections).',
    );
    expect(n.text).toMatch(/\/broker-2\/ConnectionCount, account/);
  });

  test('a ClientConnectionCount alarm without data names the Client Authentication value as a cause', () => {
    const n = formatAlarmNotification(alarm(alarmMessage({ newState: 'INSUFFICIENT_DATA', oldState: 'OK', reason: 'Insufficient Data: 3 datapoints were unknown.' })));
    expect(n.text).toContain("check the alarm's Client Authentication value against the cluster's metrics");
    expect(n.text).not.toContain('PER_BROKER');
  });

  test('creation rate in ALARM: client back-off advice', () => {
    const n = formatAlarmNotification(alarm(alarmMessage({ metric: 'ConnectionCreationRate', reason: RATE_REASON })));
    expect(n.title).toBe('ALARM: orders broker 2: new-connection rate at 92% of quota');
    expect(n.text).toContain(
      "ConnectionCreationRate (new client connections per second, all the broker's client listeners added up) is 91.5/s: 92% of the quota of 100 new connections/s per broker (alarm at 80%, 80/s).",
    );
    expect(n.text).toContain('`reconnect.backoff.ms` and `reconnect.backoff.max.ms`');
    expect(n.text).toContain('kafkajs `retry`');
    expect(n.text).toMatch(/fewer short-lived clients/);
    expect(n.text).toMatch(/quota increase/);
  });

  test('too many connects: clients are already refused', () => {
    const n = formatAlarmNotification(alarm(alarmMessage({
      metric: 'IAMTooManyConnections',
      reason: 'Threshold Crossed: 1 out of the last 1 datapoints [37.0 (26/11/22 10:15:00)] was greater than the threshold (0.0) (minimum 1 datapoint for OK -> ALARM transition).',
    })));
    expect(n.title).toBe('ALARM: orders broker 2: new IAM connections are being refused');
    expect(n.text).toContain('37 connection attempts refused in the last minute: the broker is over its new-connection quota of 100 new connections/s per broker.');
    expect(n.text).toContain('Clients are already being refused now');
  });

  test('OK after ALARM says it recovered, without advice', () => {
    const a = alarm(alarmMessage({
      newState: 'OK', oldState: 'ALARM',
      reason: 'Threshold Crossed: 1 out of the last 3 datapoints [1800.0 (26/11/22 10:45:00)] was not greater than or equal to the threshold (2400.0) (minimum 2 datapoints for ALARM -> OK transition).',
    }));
    const n = formatAlarmNotification(a);
    expect(n.title).toBe('OK: orders broker 2: client connection count recovered');
    expect(n.text).toContain(
      'Recovered: ClientConnectionCount (client connections authenticated with IAM) is 1,800 connections, 60% of the quota of 3,000 IAM connections per broker, below the alarm threshold of 2,400 connections.',
    );
    expect(n.text).not.toContain('What to do');
    expect(deliveryFor(a)).toEqual({ post: true, why: 'recovered from ALARM' });
  });

  test('INSUFFICIENT_DATA, and OK without a preceding ALARM (not a recovery)', () => {
    const none = alarm(alarmMessage({ metric: 'ConnectionCreationRate', newState: 'INSUFFICIENT_DATA', oldState: 'OK', reason: 'Insufficient Data: 5 datapoints were unknown.' }));
    const n = formatAlarmNotification(none);
    expect(n.title).toBe('INSUFFICIENT_DATA: orders broker 2: no new-connection rate data');
    expect(n.text).toContain('enhanced monitoring below PER_BROKER');
    const first = alarm(alarmMessage({ newState: 'OK', oldState: 'INSUFFICIENT_DATA', reason: 'Threshold Crossed: 1 out of the last 3 datapoints [12.0 (26/11/22 10:45:00)] was not greater than or equal to the threshold (2400.0).' }));
    expect(formatAlarmNotification(first).title).toBe('OK: orders broker 2: client connection count within limits');
    expect(deliveryFor(first)).toEqual({ post: false, why: 'OK after INSUFFICIENT_DATA is not a recovery' });
  });

  test('an unknown metric still formats generically', () => {
    const n = formatAlarmNotification(alarm({
      AlarmName: 'web-cpu', AlarmDescription: null, AWSAccountId: '123456789012', NewStateValue: 'ALARM', OldStateValue: 'OK',
      NewStateReason: 'Threshold Crossed: 1 out of the last 1 datapoints [93.2 (26/11/22 10:15:00)] was greater than the threshold (80.0) (minimum 1 datapoint for OK -> ALARM transition).',
      StateChangeTime: '2022-11-26T10:16:00.123+0000', Region: 'EU (Ireland)',
      Trigger: { MetricName: 'CPUUtilization', Namespace: 'AWS/EC2', Statistic: 'AVERAGE', Unit: null, Dimensions: [{ value: 'i-0123', name: 'InstanceId' }],
        Period: 300, EvaluationPeriods: 1, ComparisonOperator: 'GreaterThanThreshold', Threshold: 80.0 },
    }));
    expect(n.title).toBe('ALARM: web-cpu: CPUUtilization crossed its threshold');
    expect(n.text).toContain('ALARM since 2022-11-26 10:16 UTC: alarm web-cpu');
    expect(n.text).toContain('CPUUtilization is 93.2 (alarm when > 80).');
    expect(n.text).toContain('Check the metric and the alarm in the CloudWatch console.');
  });

  test('slack payload: fallback text, header, fields, escaped mrkdwn', () => {
    const n = formatAlarmNotification(alarm(alarmMessage()));
    expect(n.slack.text).toBe(':rotating_light: ALARM: orders broker 2: client connection count at 82% of quota');
    expect(n.slack.blocks[0]).toEqual({ type: 'header', text: { type: 'plain_text', text: n.title, emoji: true } });
    expect(n.slack.blocks[2]).toEqual({
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: '*Cluster*\norders' },
        { type: 'mrkdwn', text: '*Broker*\n2' },
        { type: 'mrkdwn', text: '*Value*\n2,450 connections (82% of quota)' },
        { type: 'mrkdwn', text: '*Counts*\nclient connections authenticated with IAM' },
        { type: 'mrkdwn', text: '*Threshold*\n≥ 2,400 connections' },
        { type: 'mrkdwn', text: '*Quota*\n3,000 connections' },
        { type: 'mrkdwn', text: '*Since*\n2022-11-26 10:16 UTC' },
      ],
    });
    expect(n.slack.blocks.map((b) => b.type)).toEqual(['header', 'section', 'section', 'section', 'context']);
    const odd = formatAlarmNotification(alarm(alarmMessage({ overrides: { AlarmName: 'a <b> & c' } })));
    expect(JSON.stringify(odd.slack.blocks.at(-1))).toContain('a &lt;b&gt; &amp; c');
  });
});
