import { describe, expect, test } from '@jest/globals';
import { parseConfig } from '../../shared/config/parse';
import { formatAlarmNotification } from '../../shared/notify/format';
import { parseAlarmMessage, type CloudWatchAlarm } from '../../shared/notify/parse';
import { shortHash } from '../../shared/naming';
import { eventFlowResources } from '../../shared/stack/events';

// The stack's alarms on the controller itself, as the notify function renders them. The alarm
// definitions come from the same generator the stack uses, so a renamed metric or a changed
// description shows up here.

const clusterArn = 'arn:aws:kafka:eu-west-1:123456789012:cluster/orders/6f1c2a9e-1';
const config = parseConfig({
  clusters: [{
    clusterArn,
    domain: 'kafka.example.com',
    hostedZoneId: 'Z0123456789ABCDEFGHIJ',
    loadBalancerArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/msk-orders/0123456789abcdef',
    certificateArn: 'arn:aws:acm:eu-west-1:123456789012:certificate/11111111-2222-3333-4444-555555555555',
  }],
});
const stack = eventFlowResources(config, { functionPrefix: 'msk-custom-domain-sync-dev', scheduleRate: 'rate(5 minutes)', alarmTopic: 'arn:aws:sns:eu-west-1:123456789012:t' }) as Record<string, { Properties: any }>;

/** The SNS message CloudWatch sends for one of the stack's alarms (resolved dimension values filled in). */
function fired(id: string, state: 'ALARM' | 'OK', dimensionValues: Record<string, string> = {}): CloudWatchAlarm {
  const p = stack[id]!.Properties;
  const message = {
    AlarmName: `msk-custom-domain-sync-dev-${id}-ABC`,
    AlarmDescription: p.AlarmDescription,
    AWSAccountId: '123456789012',
    NewStateValue: state,
    OldStateValue: state === 'ALARM' ? 'OK' : 'ALARM',
    NewStateReason: 'Threshold Crossed: 1 datapoint [2.0 (01/12/26 10:00:00)] was greater than or equal to the threshold (1.0).',
    StateChangeTime: '2026-12-01T10:00:00.000+0000',
    Region: 'EU (Ireland)',
    Trigger: {
      MetricName: p.MetricName,
      Namespace: p.Namespace,
      Statistic: p.Statistic,
      Dimensions: p.Dimensions.map((d: { Name: string; Value: unknown }) => ({ name: d.Name, value: typeof d.Value === 'string' ? d.Value : dimensionValues[d.Name] })),
      Period: p.Period,
      EvaluationPeriods: p.EvaluationPeriods,
      ComparisonOperator: p.ComparisonOperator,
      Threshold: p.Threshold,
    },
  };
  const parsed = parseAlarmMessage(JSON.stringify(message));
  if (!parsed.ok) throw new Error(parsed.reason);
  return parsed.alarm;
}

describe('notifications of the controller alarms', () => {
  test('resync errors: what failed, and where the logs are', () => {
    const n = formatAlarmNotification(fired('ResyncErrorsAlarm', 'ALARM'));
    expect(n.title).toBe('ALARM: the resync function failed (a reconcile error, or a trigger it could not read)');
    expect(n.text).toContain('Read the log group /aws/lambda/msk-custom-domain-sync-dev-resync');
    expect(n.text).toContain('dead-letter queue');
    expect(n.slack.blocks.some((b) => b.type === 'section' && 'text' in b && b.text?.text.includes('What to do'))).toBe(true);
  });

  test('dead-letter queue: read the message, fix, move it back', () => {
    const n = formatAlarmNotification(fired('ResyncDeadLetterAlarm', 'ALARM', { QueueName: 'msk-custom-domain-sync-dev-resync-dlq.fifo' }));
    expect(n.title).toBe('ALARM: a trigger failed 3 times and sits in the dead-letter queue');
    expect(n.text).toContain('aws sqs receive-message on msk-custom-domain-sync-dev-resync-dlq.fifo');
    expect(n.text).toContain('start-message-move-task');
  });

  test('not converged: the cluster, and the plan command that shows why', () => {
    const n = formatAlarmNotification(fired(`ResyncClusterNotConverged${shortHash(clusterArn, 10)}`, 'ALARM'));
    expect(n.title).toBe(`ALARM: ${clusterArn} has not converged for 45 minutes (conflicts, a held-back change, or failures: see the resync logs for this cluster)`);
    expect(n.text).toContain(`npx msk-custom-domain plan --config <file> --cluster ${clusterArn}`);
  });

  test('recovery is one line, without advice', () => {
    const n = formatAlarmNotification(fired('ResyncErrorsAlarm', 'OK'));
    expect(n.title).toBe('OK: recovered: msk-custom-domain-sync-dev-ResyncErrorsAlarm-ABC');
    expect(n.text).not.toContain('What to do');
  });
});
