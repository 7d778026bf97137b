import { formatNumber, type MetricGuide } from './advice';
import type { CloudWatchAlarm } from './parse';

// The stack's alarms on the controller itself (shared/stack/events.ts): function errors, the
// dead-letter queue, a cluster that does not converge. Their description starts with this prefix.

export const CONTROLLER_ALARM_PREFIX = 'msk-custom-domain-sync: ';

export interface ControllerAlarm {
  /** The description without the prefix: what went wrong, in words. */
  summary: string;
  guide: MetricGuide;
}

export function controllerAlarm(alarm: CloudWatchAlarm): ControllerAlarm | undefined {
  if (!alarm.description?.startsWith(CONTROLLER_ALARM_PREFIX)) return undefined;
  const summary = alarm.description.slice(CONTROLLER_ALARM_PREFIX.length);
  const { namespace, metricName, dimensions } = alarm.trigger;
  const value = (n: number) => formatNumber(n);
  if (namespace === 'AWS/Lambda' && metricName === 'Errors') {
    const fn = dimensions.FunctionName ?? 'the function';
    return {
      summary,
      guide: {
        label: `${fn} errors`,
        value,
        advice: [
          `Read the log group /aws/lambda/${fn}: error lines ("reconcile failed") name the cluster and the cause; all lines of one run share a reconcileId.`,
          'A failed trigger returns to the queue and is retried; after 3 receives it waits in the dead-letter queue.',
        ],
      },
    };
  }
  if (namespace === 'AWS/SQS') {
    const queue = dimensions.QueueName ?? 'the dead-letter queue';
    return {
      summary,
      guide: {
        label: `messages in ${queue}`,
        value,
        advice: [
          `Look at the message (aws sqs receive-message on ${queue}): it is the trigger, naming the cluster.`,
          'Fix the cause the resync log shows for that cluster, then move the message back (aws sqs start-message-move-task from the dead-letter queue).',
        ],
      },
    };
  }
  if (metricName === 'Converged') {
    const cluster = dimensions.ClusterArn ?? 'the cluster';
    return {
      summary,
      guide: {
        label: 'convergence',
        value,
        advice: [
          `Run npx msk-custom-domain plan --config <file> --cluster ${cluster}: it lists conflicts, held-back changes and warnings.`,
          'A conflict (a listener, target group or name the tool does not own, or a certificate that does not cover a name) needs a person; a held-back rolling restart needs --allow-rolling-restart (or allowRollingRestart in the config); an MSK operation still running resolves itself.',
        ],
      },
    };
  }
  return { summary, guide: { label: metricName, value, advice: ['Check the alarm in the CloudWatch console and the resync log.'] } };
}
