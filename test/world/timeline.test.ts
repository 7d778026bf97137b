import { describe, expect, test } from '@jest/globals';
import type { CallRecord } from './faults';
import { maxInFlight, sequentialRounds, span, spanWithInsync } from './timeline';

const call = (command: string, startedAt: number, endedAt: number, service: CallRecord['service'] = 'elbv2'): CallRecord => ({
  service,
  command,
  input: {},
  write: false,
  failed: false,
  startedAt,
  endedAt,
});

describe('the timeline of recorded calls', () => {
  test('calls in parallel are one round; each call that starts after another answered adds one', () => {
    expect(sequentialRounds([])).toBe(0);
    expect(sequentialRounds([call('A', 0, 20), call('B', 1, 21), call('C', 2, 22)])).toBe(1);
    // A -> B -> D is the longest chain; C overlaps B.
    expect(sequentialRounds([call('A', 0, 20), call('B', 20, 40), call('C', 25, 45), call('D', 41, 61)])).toBe(3);
  });

  test('the span runs from the first start to the last answer', () => {
    expect(span([call('A', 5, 25), call('B', 20, 60)])).toBe(55);
  });

  test('a longer INSYNC moves only the calls that started after the GetChange that saw it', () => {
    const calls = [
      call('ChangeResourceRecordSetsCommand', 0, 20, 'route53'),
      call('GetChangeCommand', 20, 40, 'route53'),
      call('PutMetricAlarmCommand', 25, 45, 'cloudwatch'),
      call('DeleteListenerCommand', 40, 60),
    ];
    // The wait took 20 ms (20 -> 40); at 5 s the delete ends at 60 + 4980.
    expect(spanWithInsync(calls, 5000)).toBe(5040);
    expect(spanWithInsync([call('A', 0, 20)], 5000)).toBe(20);
  });

  test('the most calls in flight at once, per service; an answer frees its place for a call starting then', () => {
    const calls = [call('A', 0, 20), call('B', 10, 30), call('C', 20, 40), call('D', 0, 50, 'route53')];
    expect(maxInFlight(calls, 'elbv2')).toBe(2);
    expect(maxInFlight(calls)).toBe(3);
  });
});
