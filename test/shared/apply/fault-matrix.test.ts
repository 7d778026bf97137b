// The fault matrix: every mutating call of the create, scale-out, replacement and scale-in plans
// fails once in each of four ways; the run after it converges to exactly the mapping a run
// without faults gives, with no duplicate and no orphan, and the run after that writes nothing.
import { afterAll, describe, expect, test } from '@jest/globals';
import { ApplyError } from '../../../shared/errors';
import { mapping } from '../../support/inspect';
import { brokerIp, brokersFor, createScenario, range, type Scenario } from '../../support/scenario';
import { createKafkaScenario, type KafkaScenario } from '../../support/kafka-scenario';
import type { FaultError } from '../../world';

const KINDS: Record<string, () => FaultError> = {
  // Throttled beyond the SDK's retries: the call did nothing.
  throttle: () => 'throttle',
  // A 500 from the service: the call did nothing.
  'server error': () => Object.assign(new Error('We encountered an internal error. Please try again.'), { name: 'InternalFailure', $fault: 'server', $metadata: { httpStatusCode: 500 } }),
  // The connection reset before the request arrived: the call did nothing.
  'connection reset': () => Object.assign(new Error('socket hang up'), { name: 'Error', code: 'ECONNRESET' }),
  // The change happened, the reply was lost, the SDK retried (issue 12): the run itself must succeed.
  'reply lost': () => 'reply-lost',
};

interface Story {
  brokerIds: number[];
  before(s: Scenario): Promise<void>;
}

const STORIES: Record<string, Story> = {
  create: { brokerIds: [1, 2, 3], before: async () => {} },
  'scale-out 3 -> 6': {
    brokerIds: [1, 2, 3],
    before: async (s) => {
      await s.reconcile();
      s.world.msk.setBrokers(s.clusterArn, brokersFor(range(1, 6)));
    },
  },
  replacement: {
    brokerIds: [1, 2, 3],
    before: async (s) => {
      await s.reconcile();
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    },
  },
  'scale-in 6 -> 3': {
    brokerIds: range(1, 6),
    before: async (s) => {
      await s.reconcile();
      s.world.msk.setBrokers(s.clusterArn, brokersFor([1, 2, 3]));
    },
  },
};

const matrix: string[] = [];
afterAll(() => {
  process.stdout.write(`fault matrix (story | write | ${Object.keys(KINDS).join(' / ')}):\n${matrix.join('\n')}\n`);
});

/** The story's plan applied once without faults: its writes, and the mapping it ends in. */
async function control(story: Story) {
  const s = createScenario({ brokerIds: story.brokerIds });
  try {
    await story.before(s);
    s.world.resetCalls();
    await s.reconcile();
    const writes = [...new Set(s.world.writes().map((c) => c.command))];
    const { listeners, names, targetGroups } = await mapping(s);
    return { writes, expected: { listeners, names, targetGroups }, alarms: s.world.cloudwatch.alarms().map((a) => a.AlarmName).sort() };
  } finally {
    s.world.restore();
  }
}

describe.each(Object.entries(STORIES))('%s', (name, story) => {
  test('each write failing once in each way: the next run converges to the fault-free mapping, then writes nothing', async () => {
    const { writes, expected, alarms } = await control(story);
    expect(writes.length).toBeGreaterThan(0);
    for (const command of writes) {
      const row: string[] = [];
      for (const [kind, error] of Object.entries(KINDS)) {
        const s = createScenario({ brokerIds: story.brokerIds });
        try {
          await story.before(s);
          s.world.faults.add({ command, error: error() });
          let failed = false;
          try {
            await s.reconcile();
          } catch (e) {
            expect(e).toBeInstanceOf(ApplyError);
            failed = true;
          }
          if (kind === 'reply lost') expect({ command, failed }).toEqual({ command, failed: false });
          else expect({ command, failed }).toEqual({ command, failed: true });
          s.world.faults.clear();
          await s.reconcile();
          const { listeners, names, targetGroups } = await mapping(s);
          expect({ command, kind, listeners, names, targetGroups }).toEqual({ command, kind, ...expected });
          // One listener per port, no owned group or alarm beyond the wanted ones.
          expect(s.world.elbv2.listeners(s.lbArn).map((l) => l.Port)).toEqual([...new Set(s.world.elbv2.listeners(s.lbArn).map((l) => l.Port))]);
          expect(s.world.cloudwatch.alarms().map((a) => a.AlarmName).sort()).toEqual(alarms);
          s.world.resetCalls();
          expect((await s.reconcile()).plan.actions).toEqual([]);
          expect(s.world.writes()).toEqual([]);
          row.push(failed ? 'failed, next run converged' : 'succeeded');
        } finally {
          s.world.restore();
        }
      }
      matrix.push(`${name} | ${command} | ${row.join(' / ')}`);
    }
  });
});

// msk-configuration mode: the configuration writes (a first configuration, or a new revision of the
// cluster's own, then UpdateClusterConfiguration) fail once in each of the four ways. The run after
// converges to the fault-free end: the same names and listeners, the same configuration text live,
// no second configuration of the tool's, no second rolling restart; the run after that writes nothing.
const PROPERTIES = 'auto.create.topics.enable=false\n';
const CONFIGURATION_STORIES: Record<string, { serverProperties?: string }> = {
  'msk-configuration: first configuration (cluster on MSK defaults)': {},
  'msk-configuration: new revision of the cluster\'s configuration': { serverProperties: PROPERTIES },
};
const CONFIGURATION_WRITES = ['CreateConfigurationCommand', 'UpdateConfigurationCommand', 'UpdateClusterConfigurationCommand'];

async function configurationScenario(serverProperties?: string): Promise<KafkaScenario> {
  return createKafkaScenario({ config: { advertisedListeners: 'msk-configuration', allowRollingRestart: true }, serverProperties });
}

/** What a configuration story ends in, in terms that do not depend on generated ids. */
async function configurationEnd(s: KafkaScenario) {
  const { listeners, names, targetGroups } = await mapping(s);
  const ours = s.world.msk.configurationArns().map((arn) => s.world.msk.configuration(arn)).filter((c) => c.name.startsWith('msk-custom-domain-'));
  return {
    listeners, names, targetGroups,
    serverProperties: s.world.msk.serverProperties(s.clusterArn),
    toolConfigurations: ours.length,
    rollingRestarts: s.world.msk.rollingRestarts(s.clusterArn),
    alarms: s.world.cloudwatch.alarms().map((a) => a.AlarmName).sort(),
  };
}

describe.each(Object.entries(CONFIGURATION_STORIES))('%s', (name, story) => {
  test('each configuration write failing once in each way: the next run converges to the fault-free end, then writes nothing', async () => {
    const reference = await configurationScenario(story.serverProperties);
    let expected: Awaited<ReturnType<typeof configurationEnd>>;
    let writes: string[];
    try {
      await reference.reconcile();
      writes = [...new Set(reference.world.writes().map((c) => c.command))].filter((c) => CONFIGURATION_WRITES.includes(c));
      expected = await configurationEnd(reference);
    } finally {
      await reference.stop();
    }
    expect(writes).toContain('UpdateClusterConfigurationCommand');
    for (const command of writes) {
      const row: string[] = [];
      for (const [kind, error] of Object.entries(KINDS)) {
        const s = await configurationScenario(story.serverProperties);
        try {
          s.world.faults.add({ command, error: error() });
          let failed = false;
          try {
            await s.reconcile();
          } catch (e) {
            expect(e).toBeInstanceOf(ApplyError);
            failed = true;
          }
          if (kind === 'reply lost') expect({ command, failed }).toEqual({ command, failed: false });
          else expect({ command, failed }).toEqual({ command, failed: true });
          s.world.faults.clear();
          await s.reconcile();
          expect({ command, kind, ...(await configurationEnd(s)) }).toEqual({ command, kind, ...expected });
          s.world.resetCalls();
          expect((await s.reconcile()).plan.actions).toEqual([]);
          expect(s.world.writes()).toEqual([]);
          row.push(failed ? 'failed, next run converged' : 'succeeded');
        } finally {
          await s.stop();
        }
      }
      matrix.push(`${name} | ${command} | ${row.join(' / ')}`);
    }
  });
});
