import { describe, expect, test } from '@jest/globals';
import {
  AdvertisedListenersError,
  clientListenerName,
  findListener,
  formatHostPort,
  parseAdvertisedListeners,
  renderAdvertisedListeners,
  replaceListener,
} from '../../shared/kafka/advertised-listeners';

const MSK =
  'CLIENT_IAM://b-1.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098,' +
  'REPLICATION://b-1-internal.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9093,' +
  'REPLICATION_SECURE://b-1-internal.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9095';

describe('advertised.listeners', () => {
  test('parses entries, IPv6 hosts in brackets', () => {
    expect(parseAdvertisedListeners('CLIENT_IAM://[::1]:9098, REPLICATION://10.0.0.5:9093')).toEqual([
      { name: 'CLIENT_IAM', host: '::1', port: 9098 },
      { name: 'REPLICATION', host: '10.0.0.5', port: 9093 },
    ]);
    expect(parseAdvertisedListeners('')).toEqual([]);
  });

  test('renders, bracketing IPv6', () => {
    const entries = [
      { name: 'CLIENT_IAM', host: 'fe80::1', port: 9001 },
      { name: 'REPLICATION', host: 'b-1-internal.x', port: 9093 },
    ];
    expect(renderAdvertisedListeners(entries)).toBe('CLIENT_IAM://[fe80::1]:9001,REPLICATION://b-1-internal.x:9093');
    expect(parseAdvertisedListeners(renderAdvertisedListeners(entries))).toEqual(entries);
    expect(formatHostPort('::1', 1)).toBe('[::1]:1');
  });

  test.each([
    ['no scheme', 'b-1.example.com:9001'],
    ['no port', 'CLIENT_IAM://b-1.example.com'],
    ['port out of range', 'CLIENT_IAM://b-1.example.com:70000'],
    ['garbage host', 'CLIENT_IAM://b 1:9001'],
  ])('rejects an unparseable value (%s) with a clear error', (_, value) => {
    expect(() => parseAdvertisedListeners(value)).toThrow(AdvertisedListenersError);
    expect(() => parseAdvertisedListeners(value)).toThrow(/expected NAME:\/\/host:port/);
  });

  test('rejects a repeated listener name (case-insensitive, like Kafka)', () => {
    expect(() => parseAdvertisedListeners('CLIENT_IAM://a:1,client_iam://b:2')).toThrow(/names listener client_iam twice/);
  });

  test('replaceListener changes only that entry, byte for byte elsewhere', () => {
    const out = replaceListener(MSK, 'CLIENT_IAM', 'b-1.kafka.example.com', 9001);
    expect(out).toBe(MSK.replace('b-1.demo.a1b2c3.c2.kafka.us-east-1.amazonaws.com:9098', 'b-1.kafka.example.com:9001'));
    // Odd spacing, empty items and a second client listener survive untouched.
    const odd = 'CLIENT_SECURE://x.example:9094 ,  client_iam://old.example:9098 ,,REPLICATION://r:9093';
    expect(replaceListener(odd, 'CLIENT_IAM', 'new.example', 9002)).toBe(
      'CLIENT_SECURE://x.example:9094 ,  client_iam://new.example:9002 ,,REPLICATION://r:9093',
    );
    expect(replaceListener('CLIENT_IAM://a:1', 'CLIENT_IAM', '2001:db8::7', 9001)).toBe('CLIENT_IAM://[2001:db8::7]:9001');
  });

  test('replaceListener is idempotent', () => {
    const once = replaceListener(MSK, 'CLIENT_IAM', 'b-1.kafka.example.com', 9001);
    expect(replaceListener(once, 'CLIENT_IAM', 'b-1.kafka.example.com', 9001)).toBe(once);
  });

  test('replaceListener names a missing listener', () => {
    expect(() => replaceListener(MSK, 'CLIENT_SASL_SCRAM', 'h.example', 9001)).toThrow(
      /advertised.listeners has no CLIENT_SASL_SCRAM entry \(it has CLIENT_IAM, REPLICATION, REPLICATION_SECURE\)/,
    );
  });

  test('replaceListener refuses bad input instead of writing it', () => {
    expect(() => replaceListener('CLIENT_IAM://a:1,oops', 'CLIENT_IAM', 'h.example', 9001)).toThrow(/cannot parse advertised.listeners entry "oops"/);
    expect(() => replaceListener(MSK, 'CLIENT_IAM', 'h.example:9001', 9001)).toThrow(/not a host name or IP/);
    expect(() => replaceListener(MSK, 'CLIENT_IAM', 'h.example', 0)).toThrow(/outside 1-65535/);
  });

  test('finds a listener; client listener names by authentication', () => {
    expect(findListener(MSK, 'replication_secure')?.port).toBe(9095);
    expect(findListener(MSK, 'CLIENT_SECURE')).toBeUndefined();
    expect([clientListenerName('iam'), clientListenerName('scram'), clientListenerName('tls')]).toEqual([
      'CLIENT_IAM',
      'CLIENT_SASL_SCRAM',
      'CLIENT_SECURE',
    ]);
  });
});
