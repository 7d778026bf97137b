import { describe, expect, test } from '@jest/globals';
import { CLUSTER_SCHEDULE_SOURCE, FOLLOW_UP_SOURCE, parseTrigger, queuedTriggers } from '../../shared/events';

const arn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-2';

describe('triggers', () => {
  test('manual invoke, with or without a cluster', () => {
    expect(parseTrigger({})).toEqual({ reason: 'manual invoke', clusterArn: undefined, dryRun: false });
    expect(parseTrigger({ clusterArn: arn, dryRun: true })).toEqual({ reason: 'manual invoke', clusterArn: arn, dryRun: true });
  });

  test('a CloudTrail broker-count request names its cluster', () => {
    const event = {
      source: 'aws.kafka',
      'detail-type': 'AWS API Call via CloudTrail',
      detail: { eventSource: 'kafka.amazonaws.com', eventName: 'UpdateBrokerCount', requestParameters: { clusterArn: encodeURIComponent(arn), targetNumberOfBrokerNodes: 6 } },
    };
    // A requested change: the trigger can be followed up (attempt 0 is the event itself).
    expect(parseTrigger(event)).toEqual({ reason: 'CloudTrail UpdateBrokerCount', clusterArn: arn, dryRun: false, followUp: { attempt: 0, requested: 'CloudTrail UpdateBrokerCount' } });
  });

  test('a follow-up message carries its attempt and what was requested', () => {
    expect(parseTrigger({ source: FOLLOW_UP_SOURCE, clusterArn: arn, attempt: 3, requested: 'CloudTrail UpdateBrokerCount' })).toEqual({
      reason: 'follow-up 3 of CloudTrail UpdateBrokerCount', clusterArn: arn, dryRun: false, followUp: { attempt: 3, requested: 'CloudTrail UpdateBrokerCount' },
    });
    expect(() => parseTrigger({ source: FOLLOW_UP_SOURCE, clusterArn: arn, attempt: 0, requested: 'x' })).toThrow(/unrecognised event/);
  });

  test('the schedule reconciles every cluster', () => {
    expect(parseTrigger({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toEqual({ reason: 'schedule', dryRun: false });
  });

  test("a per-cluster schedule message (the stack's schedule rules) names its cluster", () => {
    expect(parseTrigger({ source: CLUSTER_SCHEDULE_SOURCE, clusterArn: arn, time: '2026-12-01T10:00:00Z' })).toEqual({ reason: 'schedule', clusterArn: arn, dryRun: false });
  });

  test('anything else is refused with the shapes it accepts', () => {
    expect(() => parseTrigger({ cluster: arn })).toThrow(/unrecognised event: expected \{"clusterArn"/);
  });
});

describe('queued triggers (SQS FIFO, one message group per cluster)', () => {
  const record = (body: string, messageId = 'm-1') => ({ eventSource: 'aws:sqs', messageId, body, attributes: { MessageGroupId: arn } });

  test('an SQS event yields the JSON bodies of its messages', () => {
    const trail = { source: 'aws.kafka', 'detail-type': 'AWS API Call via CloudTrail', detail: { eventName: 'UpdateBrokerCount', requestParameters: { clusterArn: arn } } };
    const bodies = queuedTriggers({ Records: [record(JSON.stringify(trail))] });
    expect(bodies).toEqual([trail]);
    expect(parseTrigger(bodies![0])).toMatchObject({ reason: 'CloudTrail UpdateBrokerCount', clusterArn: arn, dryRun: false });
  });

  test('other events are not SQS events', () => {
    expect(queuedTriggers({ clusterArn: arn })).toBeUndefined();
    expect(queuedTriggers({ Records: [] })).toBeUndefined();
    expect(queuedTriggers({ Records: [{ eventSource: 'aws:sns', Sns: {} }] })).toBeUndefined();
  });

  test('a body that is not JSON fails, naming the message, so it is retried and then dead-lettered', () => {
    expect(() => queuedTriggers({ Records: [record('not json', 'm-9')] })).toThrow('SQS message m-9 is not JSON: not json');
  });
});
