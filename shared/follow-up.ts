import { CreateScheduleCommand, ListSchedulesCommand, type SchedulerClient } from '@aws-sdk/client-scheduler';
import { FOLLOW_UP_SOURCE, type FollowUp } from './events';
import { queueGroupId, shortHash } from './naming';

// A CloudTrail event says a change was requested, not done. Rather than sleeping in the function
// until MSK is done, resync asks EventBridge Scheduler to put a follow-up message into the
// cluster's group of the queue a little later, and stops. Bounded: after `maxAttempts` it gives up.

/** Schedule names the resync role may create (its IAM policy names this prefix). */
export const FOLLOW_UP_SCHEDULE_PREFIX = 'mcd-follow-up-';
/**
 * A minute apart: while MSK changes the cluster a joining broker's IP is registered at most a
 * minute after ListNodes shows it (target registration then takes minutes more on AWS's clock,
 * test/world/aws-timing.ts), and a target-health wait is a check per minute, not a sleep in the
 * function. 60 attempts: an hour, after which the schedule keeps reconciling.
 */
export const FOLLOW_UP_DEFAULTS = { delaySeconds: 60, maxAttempts: 60 };

export interface FollowUpTarget {
  /** The FIFO queue resync consumes. */
  queueArn: string;
  /** The role EventBridge Scheduler uses to send to it. */
  roleArn: string;
}

/** The one-time schedule for a follow-up: at `at` (UTC), the message goes to the cluster's group, then the schedule deletes itself. */
export function followUpSchedule(target: FollowUpTarget, followUp: FollowUp & { clusterArn: string }, at: Date) {
  const message = { source: FOLLOW_UP_SOURCE, clusterArn: followUp.clusterArn, attempt: followUp.attempt, requested: followUp.requested };
  return {
    // At most 64 characters: prefix (14) + hash (12) + attempt + epoch milliseconds.
    Name: `${followUpNamePrefix(followUp.clusterArn)}${followUp.attempt}-${at.getTime()}`,
    ScheduleExpression: `at(${at.toISOString().slice(0, 19)})`,
    ScheduleExpressionTimezone: 'UTC',
    FlexibleTimeWindow: { Mode: 'OFF' as const },
    ActionAfterCompletion: 'DELETE' as const,
    Target: { Arn: target.queueArn, RoleArn: target.roleArn, Input: JSON.stringify(message), SqsParameters: { MessageGroupId: queueGroupId(followUp.clusterArn) } },
  };
}

export async function scheduleFollowUp(scheduler: SchedulerClient, target: FollowUpTarget, followUp: FollowUp & { clusterArn: string }, at: Date): Promise<string> {
  const input = followUpSchedule(target, followUp, at);
  await scheduler.send(new CreateScheduleCommand(input));
  return input.Name;
}

/** Every follow-up schedule of one cluster starts with this. */
export function followUpNamePrefix(clusterArn: string): string {
  return `${FOLLOW_UP_SCHEDULE_PREFIX}${shortHash(clusterArn, 12)}-`;
}

/**
 * Whether a follow-up of the cluster is already scheduled: a schedule tick, a CloudTrail event and
 * a health wait may all find the cluster waiting, and one chain of follow-ups is enough.
 */
export async function followUpPending(scheduler: SchedulerClient, clusterArn: string): Promise<boolean> {
  const out = await scheduler.send(new ListSchedulesCommand({ NamePrefix: followUpNamePrefix(clusterArn), State: 'ENABLED', MaxResults: 1 }));
  return (out.Schedules ?? []).length > 0;
}
