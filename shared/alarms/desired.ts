import { createHash } from 'node:crypto';
import type { PutMetricAlarmCommandInput } from '@aws-sdk/client-cloudwatch';
import type { AlarmsConfig } from '../config/schema';
import type { Broker, ObservedCluster } from '../types';
import { type AlarmKind, formatDescriptionTag } from './description';
import { creationRateQuota, type QuotaChoice } from './quotas';

export { alarmDiffers, alarmDifferences } from './diff';
export type { AlarmKind } from './description';

// Desired CloudWatch alarms of one cluster: a pure function of the observed cluster and the
// `alarms` config. Plan diffs the result against DescribeAlarms(AlarmNamePrefix = prefix).

export interface AlarmSpec {
  /** Exactly what PutMetricAlarm gets. */
  input: PutMetricAlarmCommandInput;
  brokerId: number;
  kind: AlarmKind;
  /** One line for plan output, e.g. "ConnectionCreationRate >= 80/s: 80% of quota 100/s (table, kafka.m5.large)". */
  summary: string;
}

export interface DesiredAlarms {
  specs: AlarmSpec[];
  warnings: string[];
}

export const MANAGED_BY = 'msk-custom-domain-sync';
const NAMESPACE = 'AWS/Kafka';
const MAX_ALARM_NAME = 255; // CloudWatch limit
const MAX_DESCRIPTION = 1024; // CloudWatch limit

/**
 * How each alarm evaluates. MSK publishes these metrics once a minute per broker.
 *
 * - Period 60 s everywhere: the finest granularity MSK publishes, so an alarm reacts within
 *   minutes. Any longer period holds several datapoints per broker, which is where the
 *   statistic matters.
 * - ConnectionCount is a gauge with a hard cap: the highest sample is what meets the cap, so
 *   Maximum (an Average would hide a peak between two lower samples). 2 of 3 minutes, so a
 *   single sample during a client rolling deploy (old and new pods briefly both connected)
 *   does not page, but two do.
 *   Note ConnectionCount also counts inter-broker and unauthenticated connections: it
 *   overstates IAM client connections a little, which makes the alarm early, not late.
 * - ConnectionCreationRate is itself a per-second rate averaged over the publishing interval,
 *   and MSK tolerates short bursts (clusters since May 2022 allow connection-rate bursts).
 *   What gets clients refused is a sustained rate, so Average over the minute, in 3 of
 *   5 minutes. Actual refusals are caught at once by the IAMTooManyConnections alarm.
 * - IAMTooManyConnections counts connection attempts refused over the rate quota: any
 *   refusal is already an outage for some client, so Sum > 0 in 1 of 1 minute.
 * - Missing data never pages: there are no InsufficientDataActions. ConnectionCount and
 *   ConnectionCreationRate keep "missing", so an alarm that gets no data (monitoring level too
 *   low, broker gone) shows as INSUFFICIENT_DATA instead of a false OK. IAMTooManyConnections
 *   may be sparse (an error counter), so "notBreaching": no datapoint means no refusal, and
 *   its ALARM always ends with an OK (a recovery notification).
 */
const EVALUATION: Record<AlarmKind, {
  metric: string;
  statistic: 'Maximum' | 'Average' | 'Sum';
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
  treatMissingData: 'missing' | 'notBreaching';
}> = {
  'connection-count': {
    metric: 'ConnectionCount', statistic: 'Maximum', evaluationPeriods: 3, datapointsToAlarm: 2,
    comparison: 'GreaterThanOrEqualToThreshold', treatMissingData: 'missing',
  },
  'connection-creation-rate': {
    metric: 'ConnectionCreationRate', statistic: 'Average', evaluationPeriods: 5, datapointsToAlarm: 3,
    comparison: 'GreaterThanOrEqualToThreshold', treatMissingData: 'missing',
  },
  'too-many-connects': {
    metric: 'IAMTooManyConnections', statistic: 'Sum', evaluationPeriods: 1, datapointsToAlarm: 1,
    comparison: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
  },
};
const PERIOD_SECONDS = 60;

/** Enhanced monitoring levels, lowest first. ConnectionCreationRate starts at PER_BROKER. */
const MONITORING_LEVELS = ['DEFAULT', 'PER_BROKER', 'PER_TOPIC_PER_BROKER', 'PER_TOPIC_PER_PARTITION'];

/**
 * The name prefix under which the tool owns the alarms of one cluster. The short ARN hash
 * tells apart two incarnations of a cluster with the same name; the trailing "/" keeps the
 * prefix of cluster "a" from matching cluster "ab".
 */
export function alarmPrefix(clusterName: string, clusterArn: string): string {
  const hash = createHash('sha256').update(clusterArn).digest('hex').slice(0, 8);
  // MSK names are [A-Za-z0-9-], at most 64 characters; be defensive anyway (no "/" inside).
  const name = clusterName.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 64);
  return `msk-custom-domain/${name}/${hash}/`;
}

/** `<prefix>broker-<id>/<metric>`: short enough for CloudWatch's 255 characters by construction. */
export function alarmName(prefix: string, brokerId: number, metric: string): string {
  const name = `${prefix}broker-${brokerId}/${metric}`;
  if (name.length > MAX_ALARM_NAME) throw new Error(`alarm name longer than ${MAX_ALARM_NAME} characters: ${name}`);
  return name;
}

export function desiredAlarms(
  cluster: ObservedCluster,
  alarms: AlarmsConfig,
  opts: { snsTopicArn?: string } = {},
): DesiredAlarms {
  const warnings: string[] = [];
  if (!alarms.enabled) return { specs: [], warnings };
  if (cluster.clusterType === 'SERVERLESS') {
    return { specs: [], warnings: [`cluster ${cluster.name}: serverless clusters have no per-broker metrics; no alarms`] };
  }

  // Only brokers that exist (have a client IP) get alarms: one on a broker announced by a
  // pending UpdateBrokerCount would sit in INSUFFICIENT_DATA, looking broken, until the broker
  // comes up. The next reconcile after it exists creates its alarms.
  const existing = uniqueById(cluster.brokers.filter((b) => b.clientIp));
  const pending = uniqueById(cluster.brokers.filter((b) => !b.clientIp)).filter((b) => !existing.some((e) => e.id === b.id));
  if (pending.length > 0) {
    warnings.push(
      `cluster ${cluster.name}: broker${pending.length > 1 ? 's' : ''} ${pending.map((b) => b.id).join(', ')} ` +
        `not created yet (no client IP): alarms follow once ${pending.length > 1 ? 'they exist' : 'it exists'}`,
    );
  }

  const level = cluster.enhancedMonitoring || 'DEFAULT';
  // An unknown (newer) level name is assumed to be at least PER_BROKER.
  const perBroker = !MONITORING_LEVELS.includes(level) || MONITORING_LEVELS.indexOf(level) >= 1;
  const rate = creationRateQuota(cluster.instanceType, alarms.connectionCreationRateQuotas);
  // Without PER_BROKER the rate alarms are still created (and warned about) unless told to skip:
  // a visible INSUFFICIENT_DATA alarm is a reminder, a missing one is silence.
  const rateAlarms = perBroker || !alarms.skipCreationRateWithoutPerBrokerMonitoring;
  if (!perBroker) {
    warnings.push(
      alarms.skipCreationRateWithoutPerBrokerMonitoring
        ? `cluster ${cluster.name}: enhanced monitoring is ${level}; skipping the ConnectionCreationRate` +
            `${alarms.tooManyConnectsAlarm ? ' and IAMTooManyConnections alarms' : ' alarm'} ` +
            '(alarms.skipCreationRateWithoutPerBrokerMonitoring); set enhanced monitoring to PER_BROKER to get them'
        : `cluster ${cluster.name}: enhanced monitoring is ${level}, but ConnectionCreationRate` +
            `${alarms.tooManyConnectsAlarm ? ' and IAMTooManyConnections are' : ' is'} only published at PER_BROKER or higher: ` +
            'the ConnectionCreationRate alarm would stay INSUFFICIENT_DATA' +
            `${alarms.tooManyConnectsAlarm ? ' and the IAMTooManyConnections alarm could never fire' : ''}; ` +
            'set enhanced monitoring to PER_BROKER or set alarms.skipCreationRateWithoutPerBrokerMonitoring',
    );
  }
  if (rateAlarms && rate.source === 'fallback' && existing.length > 0) {
    warnings.push(
      `cluster ${cluster.name}: no known new-connection quota for ${rate.instanceType ? `instance type ${rate.instanceType}` : 'an unknown instance type'}; ` +
        `using ${rate.label}; set alarms.connectionCreationRateQuotas${rate.instanceType ? `["${rate.instanceType}"]` : '.default'} to the real quota`,
    );
  }

  const prefix = alarmPrefix(cluster.name, cluster.arn);
  // The caller's resolved topic (e.g. the deployed stack's) first, then the config's.
  const topic = opts.snsTopicArn ?? alarms.snsTopicArn;
  const common = { cluster, prefix, alarmActions: topic ? [topic] : [] };
  const specs: AlarmSpec[] = [];
  for (const broker of existing) {
    const count = threshold(alarms.connectionQuota, alarms.thresholdPercent);
    specs.push(
      build(common, broker.id, 'connection-count', count, {
        sentence:
          `MSK cluster ${cluster.name}, broker ${broker.id}: ConnectionCount at or above ${count}, ` +
          `${alarms.thresholdPercent}% of the IAM quota of ${alarms.connectionQuota} connections per broker.`,
        summary: `ConnectionCount >= ${count}: ${alarms.thresholdPercent}% of quota ${alarms.connectionQuota} connections`,
        tag: { quota: alarms.connectionQuota, percent: alarms.thresholdPercent },
      }),
    );
    if (!rateAlarms) continue;
    const perSecond = threshold(rate.value, alarms.thresholdPercent);
    specs.push(
      build(common, broker.id, 'connection-creation-rate', perSecond, {
        sentence:
          `MSK cluster ${cluster.name}, broker ${broker.id}: ConnectionCreationRate at or above ${perSecond}/s, ` +
          `${alarms.thresholdPercent}% of the IAM quota of ${rate.value} new connections per second per broker (${sourceText(rate)}).`,
        summary: `ConnectionCreationRate >= ${perSecond}/s: ${alarms.thresholdPercent}% of quota ${rate.label}`,
        tag: { quota: rate.value, percent: alarms.thresholdPercent, quotaSource: rate.source },
      }),
    );
    if (!alarms.tooManyConnectsAlarm) continue;
    specs.push(
      build(common, broker.id, 'too-many-connects', 0, {
        sentence:
          `MSK cluster ${cluster.name}, broker ${broker.id}: IAMTooManyConnections above 0, ` +
          `the broker is refusing new IAM connections beyond its quota of ${rate.value} per second.`,
        summary: `IAMTooManyConnections > 0: connections refused over quota ${rate.label}`,
        tag: { quota: rate.value, quotaSource: rate.source },
      }),
    );
  }
  return { specs, warnings };
}

interface Common {
  cluster: ObservedCluster;
  prefix: string;
  alarmActions: string[];
}

function build(
  common: Common,
  brokerId: number,
  kind: AlarmKind,
  thresholdValue: number,
  text: { sentence: string; summary: string; tag: { quota: number; percent?: number; quotaSource?: string } },
): AlarmSpec {
  const ev = EVALUATION[kind];
  const tail = formatDescriptionTag({ kind, ...text.tag, brokerId, clusterArn: common.cluster.arn });
  const input: PutMetricAlarmCommandInput = {
    AlarmName: alarmName(common.prefix, brokerId, ev.metric),
    AlarmDescription: text.sentence.slice(0, MAX_DESCRIPTION - tail.length) + tail,
    ActionsEnabled: true,
    AlarmActions: common.alarmActions,
    OKActions: common.alarmActions,
    InsufficientDataActions: [],
    Namespace: NAMESPACE,
    MetricName: ev.metric,
    Dimensions: [
      { Name: 'Cluster Name', Value: common.cluster.name },
      { Name: 'Broker ID', Value: String(brokerId) },
    ],
    Statistic: ev.statistic,
    Period: PERIOD_SECONDS,
    EvaluationPeriods: ev.evaluationPeriods,
    DatapointsToAlarm: ev.datapointsToAlarm,
    Threshold: thresholdValue,
    ComparisonOperator: ev.comparison,
    TreatMissingData: ev.treatMissingData,
    // Tags are only applied when the alarm is created (ignored on update): informational;
    // ownership is the name prefix.
    Tags: [
      { Key: 'managed-by', Value: MANAGED_BY },
      { Key: 'msk-cluster-arn', Value: common.cluster.arn },
      { Key: 'msk-broker-id', Value: String(brokerId) },
    ],
  };
  return { input, brokerId, kind, summary: text.summary };
}

/** thresholdPercent of a quota, rounded to 3 decimals so 80 % of 4/s is 3.2, not 3.2000000000000006. */
export function threshold(quota: number, percent: number): number {
  return Math.round(quota * percent * 10) / 1000;
}

function sourceText(q: QuotaChoice): string {
  switch (q.source) {
    case 'table': return `AWS default for ${q.instanceType}`;
    case 'override': return `configured for ${q.instanceType}`;
    case 'override-default': return 'configured default';
    case 'fallback': return 'fallback, instance type not in the quota table';
  }
}

function uniqueById(brokers: Broker[]): Broker[] {
  const seen = new Map<number, Broker>();
  for (const b of brokers) if (!seen.has(b.id)) seen.set(b.id, b);
  return [...seen.values()].sort((a, b) => a.id - b.id);
}
