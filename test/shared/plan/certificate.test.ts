import { describe, expect, test } from '@jest/globals';
import { certificateCovers, uncoveredHosts } from '../../../shared/plan/certificate';

describe('certificate coverage', () => {
  test('a wildcard covers exactly one label', () => {
    expect(certificateCovers('*.kafka.example.com', 'b-1.kafka.example.com')).toBe(true);
    expect(certificateCovers('*.kafka.example.com', 'kafka.example.com')).toBe(false);
    expect(certificateCovers('*.kafka.example.com', 'a.b-1.kafka.example.com')).toBe(false);
    expect(certificateCovers('B-1.Kafka.Example.com', 'b-1.kafka.example.com.')).toBe(true);
  });

  test('lists the names the certificate misses', () => {
    const cert = { arn: 'a', domainName: 'bootstrap.kafka.example.com', subjectAlternativeNames: ['b-1.kafka.example.com', 'b-2.kafka.example.com'] };
    expect(uncoveredHosts(cert, ['bootstrap.kafka.example.com', 'b-1.kafka.example.com', 'b-3.kafka.example.com'])).toEqual(['b-3.kafka.example.com']);
  });
});
