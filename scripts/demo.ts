// `npm run demo`: the real reconciler (the code the Lambda runs) against the embedded AWS
// world and a fake Kafka cluster on loopback, through the story every MSK-behind-a-domain
// setup lives through. No AWS account, no flags.
import type { MetricAlarm } from '@aws-sdk/client-cloudwatch';
import { formatAlarmNotification } from '../shared/notify/format';
import { parseAlarmMessage } from '../shared/notify/parse';
import { checkCluster } from '../shared/check';
import { formatChecks } from '../shared/report/check';
import { formatPlan } from '../shared/report/plan';
import { formatState } from '../shared/report/state';
import { resultingState } from '../shared/report/resulting-state';
import { createKafkaScenario, type KafkaScenario } from '../test/support/kafka-scenario';
import { formatProbe } from '../test/support/probe';
import { STEP_MS } from '../test/support/stories';
import { brokerIp } from '../test/support/scenario';
import { quietSdkNodeVersionWarning } from '../cli/node-warning';

async function step(s: KafkaScenario, title: string, change?: () => Promise<void> | void): Promise<void> {
  console.log(`\n=== ${title} ===`);
  await change?.();
  s.world.resetCalls();
  const { cluster, plan, applied, observed } = await s.reconcile();
  console.log(formatPlan(plan));
  if (applied) {
    console.log(`  Applied with ${s.world.writes().length} AWS write(s).`);
    for (const v of applied.verification ?? []) {
      console.log(`  Kafka metadata: broker ${v.brokerId} advertises ${v.actual}${v.ok ? '' : ` (MISMATCH: expected ${v.expected})`}`);
    }
  }
  if (applied?.waiting) console.log(`  ${applied.waiting}`);
  console.log('  Resulting mapping:');
  console.log(formatState(cluster, applied ? resultingState(observed, applied) : observed));
  // Five minutes of world time (the schedule's interval) pass, a client probing every 10 s: bootstrap, then
  // each advertised broker by name from every AZ node DNS returns. The figures include the reconcile's own waits.
  console.log(`  ${formatProbe(await s.pass(STEP_MS))} (since the step began, then 5 min)`);
}

/** The SNS message CloudWatch publishes when an alarm fires (same fields and spelling). */
function cloudWatchMessage(alarm: MetricAlarm, value: number): string {
  return JSON.stringify({
    AlarmName: alarm.AlarmName,
    AlarmDescription: alarm.AlarmDescription,
    AWSAccountId: '123456789012',
    NewStateValue: 'ALARM',
    OldStateValue: 'OK',
    NewStateReason: `Threshold Crossed: 2 out of the last 3 datapoints [${value.toFixed(1)} (22/11/26 19:42:00), ${(value - 31).toFixed(1)} (22/11/26 19:41:00)] was greater than or equal to the threshold (${alarm.Threshold!.toFixed(1)}) (minimum 2 datapoints for OK -> ALARM transition).`,
    StateChangeTime: '2026-11-22T19:43:00.123+0000',
    Region: 'EU (Ireland)',
    AlarmArn: alarm.AlarmArn,
    OKActions: alarm.OKActions,
    AlarmActions: alarm.AlarmActions,
    InsufficientDataActions: [],
    Trigger: {
      MetricName: alarm.MetricName,
      Namespace: alarm.Namespace,
      StatisticType: 'Statistic',
      Statistic: String(alarm.Statistic).toUpperCase(),
      Unit: null,
      Dimensions: (alarm.Dimensions ?? []).map((d) => ({ value: d.Value, name: d.Name })),
      Period: alarm.Period,
      EvaluationPeriods: alarm.EvaluationPeriods,
      DatapointsToAlarm: alarm.DatapointsToAlarm,
      ComparisonOperator: alarm.ComparisonOperator,
      Threshold: alarm.Threshold,
      TreatMissingData: `- TreatMissingData: ${alarm.TreatMissingData}`,
      EvaluateLowSampleCountPercentile: '',
    },
  });
}

/** The embedded DNS: what a client in the VPC resolves the name to. */
function embeddedAddresses(s: KafkaScenario, host: string): string[] {
  const resolved = s.network.resolve(host);
  if (!resolved.ok) throw new Error(resolved.error);
  return resolved.addresses;
}

async function main(): Promise<void> {
  // Before the first SDK client: the SDK's 8-line Node-version warning would land in the first step.
  quietSdkNodeVersionWarning();
  console.log('msk-custom-domain-sync demo: cluster "orders" (ZooKeeper mode, IAM auth) behind NLB msk-orders, domain kafka.example.com.');
  console.log('AWS is the embedded world; the brokers are fake Kafka brokers on 127.0.20.x spoken to with kafkajs + the MSK IAM signer.');
  const s = await createKafkaScenario({
    brokerIds: [1, 2, 3],
    config: { advertisedListeners: 'dynamic-broker-config', alarms: { snsTopicArn: 'arn:aws:sns:eu-west-1:123456789012:msk-custom-domain-sync-alarms' } },
  });
  try {
    s.startProbe();
    await step(s, '1. A 3-broker cluster gets listeners, names and alarms; brokers advertise the names once their targets are healthy (the probe fails until then: nothing existed)');
    await step(s, '2. Nothing changed: a second run is a no-op');
    await step(s, '3. Scale out to 6 brokers', () => s.setBrokers([1, 2, 3, 4, 5, 6]));
    await step(s, `4. Broker 2 is replaced: its IP changes to ${brokerIp(2, 1)}`, () => s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1)));
    await step(s, '5. Scale in to 3 brokers (scaleIn: delete)', async () => {
      await s.setBrokers([1, 2, 3]);
      s.world.msk.replaceBroker(s.clusterArn, 2, brokerIp(2, 1));
    });

    console.log('\n=== 6. Broker 2 nears its IAM connection quota: the notification people receive ===');
    const alarm = s.world.cloudwatch.alarms().find((a) => a.MetricName === 'ClientConnectionCount' && /broker-2\//.test(a.AlarmName ?? ''))!;
    const parsed = parseAlarmMessage(cloudWatchMessage(alarm, 2451));
    if (!parsed.ok) throw new Error(parsed.reason);
    console.log(formatAlarmNotification(parsed.alarm).text);

    console.log('\n=== 7. msk-custom-domain check --probe: the whole data path, per endpoint ===');
    const rows = await checkCluster(s.clients, s.config, {
      kafkaAccess: s.reconcileOptions.kafkaAccess,
      probe: { resolveAll: async (host) => embeddedAddresses(s, host), ca: [s.network.ca.pem], timeoutMs: 2000 },
    });
    console.log(formatChecks(s.config.clusterArn.split('/')[1], rows));
  } finally {
    await s.stop();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
