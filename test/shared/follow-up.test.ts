import { afterEach, describe, expect, test } from '@jest/globals';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { parseTrigger } from '../../shared/events';
import { scheduleFollowUp } from '../../shared/follow-up';
import { queueGroupId } from '../../shared/naming';

// A follow-up is a one-time EventBridge Scheduler schedule that puts a message into the cluster's
// group of the FIFO queue, then deletes itself. The real SDK client, answered at the client level.

const scheduler = mockClient(SchedulerClient);
afterEach(() => {
  scheduler.reset();
});

const clusterArn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-1';
const target = { queueArn: 'arn:aws:sqs:eu-west-1:123456789012:msk-custom-domain-sync-dev-resync.fifo', roleArn: 'arn:aws:iam::123456789012:role/follow-up' };

describe('scheduleFollowUp', () => {
  test('one schedule at the given time (UTC), into the cluster group, deleted after it ran', async () => {
    scheduler.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:aws:scheduler:eu-west-1:123456789012:schedule/default/x' });
    const at = new Date('2026-12-01T10:02:00.000Z');

    const name = await scheduleFollowUp(new SchedulerClient({ region: 'eu-west-1' }), target, { clusterArn, attempt: 2, requested: 'CloudTrail UpdateBrokerCount' }, at);

    const [call] = scheduler.commandCalls(CreateScheduleCommand);
    const input = call!.args[0].input;
    expect(input).toMatchObject({
      Name: name,
      ScheduleExpression: 'at(2026-12-01T10:02:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      Target: { Arn: target.queueArn, RoleArn: target.roleArn, SqsParameters: { MessageGroupId: queueGroupId(clusterArn) } },
    });
    // Within the name rules (64 characters) and under the prefix the resync role may create.
    expect(name).toMatch(/^mcd-follow-up-[0-9a-f]{12}-2-\d+$/);
    expect(name.length).toBeLessThanOrEqual(64);
    // What resync receives from the queue is the next follow-up of the same request.
    expect(parseTrigger(JSON.parse(input.Target!.Input!))).toEqual({
      reason: 'follow-up 2 of CloudTrail UpdateBrokerCount', clusterArn, dryRun: false, followUp: { attempt: 2, requested: 'CloudTrail UpdateBrokerCount' },
    });
  });

  test('a refused schedule fails the call (the reconcile then fails and the message is retried)', async () => {
    scheduler.on(CreateScheduleCommand).rejects(new Error('AccessDeniedException'));
    await expect(scheduleFollowUp(new SchedulerClient({ region: 'eu-west-1' }), target, { clusterArn, attempt: 1, requested: 'x' }, new Date())).rejects.toThrow('AccessDeniedException');
  });
});
