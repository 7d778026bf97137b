import { describe, expect, test } from '@jest/globals';
import { advertisedListenersTemplate, differingProperties, getProperty, removeProperty, setProperty } from '../../../shared/advertised/server-properties';

const properties = [
  '# tuned for orders',
  'auto.create.topics.enable=false',
  'default.replication.factor=3',
  'log.retention.hours = 168',
  '',
].join('\n');

describe('server.properties edits', () => {
  test('appending a property keeps every other line byte for byte', () => {
    const next = setProperty(properties, 'custom.advertised.listeners', 'CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}');
    expect(next).toBe(`${properties}custom.advertised.listeners=CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}\n`);
    expect(getProperty(next, 'custom.advertised.listeners')).toBe('CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}');
    expect(getProperty(next, 'log.retention.hours')).toBe('168');
  });

  test('replacing a property edits its line in place', () => {
    const withOld = setProperty(properties, 'custom.advertised.listeners', 'CLIENT_IAM://old:1');
    const next = setProperty(withOld, 'custom.advertised.listeners', 'CLIENT_IAM://new:2');
    expect(next.split('\n').filter((l) => l.startsWith('custom.advertised.listeners'))).toEqual(['custom.advertised.listeners=CLIENT_IAM://new:2']);
    expect(removeProperty(next, 'custom.advertised.listeners')).toBe(properties);
  });

  test('an edited line keeps its own key and separator; only the value changes', () => {
    expect(setProperty('a=1\ncustom.advertised.listeners = CLIENT_IAM://x:1+{broker_id}\nb=2\n', 'custom.advertised.listeners', 'CLIENT_IAM://y:2+{broker_id}'))
      .toBe('a=1\ncustom.advertised.listeners = CLIENT_IAM://y:2+{broker_id}\nb=2\n');
  });

  test('properties that differ are found by key and value, comments and spacing aside', () => {
    expect(differingProperties('# a\nx = 1\ny=2\n', 'x=1\ny=3\nz=4\n')).toEqual(['y', 'z']);
  });

  test('a commented-out key is not the property', () => {
    expect(getProperty('#custom.advertised.listeners=x\n', 'custom.advertised.listeners')).toBeUndefined();
  });

  test('the MSK template adds the broker id to the base port', () => {
    expect(advertisedListenersTemplate('CLIENT_IAM', 'b-{id}', 'kafka.example.com', 9000)).toBe('CLIENT_IAM://b-{broker_id}.kafka.example.com:9000+{broker_id}');
  });
});
