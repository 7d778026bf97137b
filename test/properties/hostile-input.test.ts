// Hostile input, by property: whatever arrives as a config file, a Lambda event or an SNS alarm
// message, the answer is a clear error or a clean ignore; never a write, never an unexpected
// exception type.
import { afterEach, beforeEach, expect, test } from '@jest/globals';
import fc from 'fast-check';
import { resync } from '../../handlers/resync';
import { parseConfig } from '../../shared/config/parse';
import { ConfigError } from '../../shared/errors';
import { parseTrigger } from '../../shared/events';
import { parseAlarmMessage } from '../../shared/notify/parse';
import { logger } from '../../shared/log';
import { createScenario, type Scenario } from '../support/scenario';

let s: Scenario;
let level: string;
beforeEach(() => {
  s = createScenario();
  level = logger.level;
  logger.level = 'silent';
});
afterEach(() => {
  s.world.restore();
  logger.level = level;
});

/** JSON-ish values, plus near misses of the shapes that are accepted. */
const hostile = fc.oneof(
  fc.jsonValue(),
  fc.anything(),
  fc.record({ clusters: fc.array(fc.dictionary(fc.constantFrom('clusterArn', 'domain', 'hostedZoneId', 'loadBalancerArn', 'certificateArn', 'brokerPortBase', 'scaleIn'), fc.jsonValue())) }),
  fc.record({ source: fc.constantFrom('aws.kafka', 'aws.events', 'msk-custom-domain-sync.schedule'), 'detail-type': fc.string(), detail: fc.jsonValue(), clusterArn: fc.string() }),
  fc.record({ check: fc.jsonValue(), clusterArn: fc.jsonValue(), dryRun: fc.jsonValue() }, { requiredKeys: [] }),
);

test('a config that is not valid fails with ConfigError naming the field, never anything else', () => {
  fc.assert(
    fc.property(hostile, (raw) => {
      try {
        parseConfig(raw);
      } catch (error) {
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message.length).toBeGreaterThan(10);
      }
    }),
    { numRuns: 2000 },
  );
});

test('an event resync cannot read is refused with the shapes it accepts, before any AWS call', async () => {
  const deps = { config: { clusters: [s.config] }, clientsFor: () => s.clients, logger: logger.child({}) };
  await fc.assert(
    fc.asyncProperty(hostile, async (event) => {
      let accepted = true;
      try {
        parseTrigger(event);
      } catch (error) {
        accepted = false;
        expect(error).toBeInstanceOf(TypeError);
        expect((error as Error).message).toMatch(/^unrecognised event: expected/);
      }
      if (accepted) return; // a real trigger shape: covered by the handler tests
      s.world.resetCalls();
      await expect(resync(event, deps)).rejects.toThrow(/unrecognised event/);
      expect(s.world.calls).toEqual([]);
    }),
    { numRuns: 1000 },
  );
});

test('an SNS message notify cannot read is skipped with a reason, never thrown', () => {
  fc.assert(
    fc.property(fc.oneof(fc.string(), fc.jsonValue().map((v) => JSON.stringify(v)), fc.record({ AlarmName: fc.string(), Trigger: fc.jsonValue(), NewStateValue: fc.string() }).map((v) => JSON.stringify(v))), (message) => {
      const parsed = parseAlarmMessage(message);
      if (!parsed.ok) expect(parsed.reason.length).toBeGreaterThan(5);
    }),
    { numRuns: 2000 },
  );
});
