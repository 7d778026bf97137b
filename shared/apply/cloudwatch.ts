import { DeleteAlarmsCommand, PutMetricAlarmCommand, type CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { Action } from '../plan/types';
import { writeOrConfirm } from './confirm';
import { alarmsGone } from './confirm-cloudwatch';

type Of<T extends Action['type']> = Extract<Action, { type: T }>;

/** DeleteAlarms accepts at most 100 names per call. */
const DELETE_BATCH = 100;

export async function putAlarm(cloudwatch: CloudWatchClient, action: Of<'put-alarm'>) {
  await cloudwatch.send(new PutMetricAlarmCommand(action.alarm));
}

export async function deleteAlarms(cloudwatch: CloudWatchClient, action: Of<'delete-alarms'>) {
  for (let i = 0; i < action.names.length; i += DELETE_BATCH) {
    const names = action.names.slice(i, i + DELETE_BATCH);
    await writeOrConfirm(`delete alarm(s) ${names.join(', ')}`, () => cloudwatch.send(new DeleteAlarmsCommand({ AlarmNames: names })), ['ResourceNotFound'], () =>
      alarmsGone(cloudwatch, names),
    );
  }
}
