import { describe, expect, test } from '@jest/globals';
import { parseTrigger } from '../../shared/events';

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
    expect(parseTrigger(event)).toEqual({ reason: 'CloudTrail UpdateBrokerCount', clusterArn: arn, dryRun: false });
  });

  test('the schedule reconciles every cluster', () => {
    expect(parseTrigger({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} })).toEqual({ reason: 'schedule', dryRun: false });
  });

  test('anything else is refused with the shapes it accepts', () => {
    expect(() => parseTrigger({ cluster: arn })).toThrow(/unrecognised event: expected \{"clusterArn"/);
  });
});
