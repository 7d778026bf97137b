import { describe, expect, test } from '@jest/globals';
import { CREATION_RATE_QUOTAS, DEFAULT_CONNECTION_QUOTA, FALLBACK_CREATION_RATE_QUOTA, creationRateQuota } from '../../shared/alarms/quotas';

describe('creationRateQuota', () => {
  test('table figures from the current AWS quota page', () => {
    expect(DEFAULT_CONNECTION_QUOTA).toBe(3000);
    expect(CREATION_RATE_QUOTAS['kafka.t3.small']).toBe(4);
    expect(CREATION_RATE_QUOTAS['kafka.m5.24xlarge']).toBe(100);
    expect(CREATION_RATE_QUOTAS['kafka.m7g.16xlarge']).toBe(100);
    expect(creationRateQuota('kafka.m5.large')).toEqual({
      value: 100, source: 'table', instanceType: 'kafka.m5.large', label: '100/s (table, kafka.m5.large)',
    });
  });

  test('exact override, then the "default" override, then the table', () => {
    const overrides = { 'kafka.m5.large': 250, default: 50 };
    expect(creationRateQuota('kafka.m5.large', overrides)).toMatchObject({ value: 250, source: 'override', label: '250/s (override, kafka.m5.large)' });
    expect(creationRateQuota('kafka.m7g.large', overrides)).toMatchObject({ value: 50, source: 'override-default' });
    expect(creationRateQuota('kafka.m7g.large', { 'kafka.m5.large': 250 })).toMatchObject({ value: 100, source: 'table' });
  });

  test('unknown or missing type falls back conservatively and says so', () => {
    expect(creationRateQuota('kafka.m9.huge')).toEqual({
      value: FALLBACK_CREATION_RATE_QUOTA, source: 'fallback', instanceType: 'kafka.m9.huge',
      label: '20/s (fallback, unknown type kafka.m9.huge)',
    });
    expect(creationRateQuota(undefined).label).toBe('20/s (fallback, instance type unknown)');
  });

  test('inherited object keys are not quotas', () => {
    expect(creationRateQuota('constructor').source).toBe('fallback');
    expect(creationRateQuota('toString', {}).source).toBe('fallback');
  });
});
