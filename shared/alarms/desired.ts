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
 * How each alarm evaluates. MSK publishes these metrics once a minute per broker ("collected and
 * pushed to CloudWatch at 1 minute intervals", MSK metrics pages; what each counts: quotas.ts).
 *
 * - Period 60 s everywhere: the publishing interval, so an alarm reacts within minutes, and a
 *   period holds exactly one publication of each of a broker's data points.
 * - The connection count is a gauge with a hard cap: the highest sample is what meets the cap, so
 *   Maximum (an Average would hide a peak between two lower samples). 2 of 3 minutes, so a
 *   single sample during a client rolling deploy (old and new pods briefly both connected)
 *   does not page, but two do. It watches ClientConnectionCount with Client Authentication = the
 *   IAM value (alarms.clientAuthentication): the authenticated IAM client connections, what the
 *   quota counts, one data point per broker. ConnectionCount (alarms.connectionMetric, opt-in) also
 *   counts inter-broker and unauthenticated connections: it alarms early, never late.
 * - ConnectionCreationRate comes as several data points per broker and minute, one per client
 *   listener (and network processor), each already a rate per second. Their Sum over the 60 s period
 *   is the broker's new connections per second, what the 100/s quota limits (no division by the
 *   period: the values are per second, and the period holds one publication of each). Average, as
 *   before, divided that by the number of data points and understated the rate. MSK tolerates short
 *   bursts (clusters since May 2022 allow connection-rate bursts) and what refuses clients is a
 *   sustained rate, so 3 of 5 minutes. Actual refusals page at once (IAMTooManyConnections).
 * - IAMTooManyConnections counts connection attempts refused over the rate quota: any
 *   refusal is already an outage for some client, so Sum > 0 in 1 of 1 minute.
 * - Missing data never pages: there are no InsufficientDataActions. The connection and rate alarms
 *   keep "missing", so an alarm that gets no data (monitoring level too low, broker gone, a
 *   Client Authentication value the cluster does not publish) shows as INSUFFICIENT_DATA instead
 *   of a false OK. IAMTooManyConnections may be sparse (an error counter), so "notBreaching": no
 *   datapoint means no refusal, and its ALARM always ends with an OK (a recovery notification).
 */
const EVALUATION: Record<AlarmKind, {
  statistic: 'Maximum' | 'Average' | 'Sum';
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparison: 'GreaterThanOrEqualToThreshold' | 'GreaterThanThreshold';
  treatMissingData: 'missing' | 'notBreaching';
}> = {
  'connection-count': {
    statistic: 'Maximum', evaluationPeriods: 3, datapointsToAlarm: 2,
    comparison: 'GreaterThanOrEqualToThreshold', treatMissingData: 'missing',
  },
  'connection-creation-rate': {
    statistic: 'Sum', evaluationPeriods: 5, datapointsToAlarm: 3,
    comparison: 'GreaterThanOrEqualToThreshold', treatMissingData: 'missing',
  },
  'too-many-connects': {
    statistic: 'Sum', evaluationPeriods: 1, datapointsToAlarm: 1,
    comparison: 'GreaterThanThreshold', treatMissingData: 'notBreaching',
  },
};

/** The metric each kind watches, and its dimensions beyond Cluster Name and Broker ID. */
function metricOf(kind: AlarmKind, alarms: Pick<AlarmsConfig, 'connectionMetric' | 'clientAuthentication'>): { name: string; dimensions: { Name: string; Value: string }[] } {
  switch (kind) {
    case 'connection-count':
      return alarms.connectionMetric === 'ConnectionCount'
        ? { name: 'ConnectionCount', dimensions: [] }
        : { name: 'ClientConnectionCount', dimensions: [{ Name: 'Client Authentication', Value: alarms.clientAuthentication }] };
    case 'connection-creation-rate': return { name: 'ConnectionCreationRate', dimensions: [] };
    case 'too-many-connects': return { name: 'IAMTooManyConnections', dimensions: [] };
  }
}

/** Everything an alarm of `kind` reads besides its broker: what a dashboard must graph to show the same figure. */
export interface AlarmMetric {
  namespace: string;
  metricName: string;
  statistic: 'Maximum' | 'Average' | 'Sum';
  periodSeconds: number;
  /** Dimensions beyond Cluster Name and Broker ID (the connection alarm's Client Authentication). */
  dimensions: { Name: string; Value: string }[];
}

export const CLUSTER_DIMENSION = 'Cluster Name';
export const BROKER_DIMENSION = 'Broker ID';

/** The metric, statistic and period the alarms of `kind` watch (shared with the stack's dashboard). */
export function alarmMetric(kind: AlarmKind, alarms: Pick<AlarmsConfig, 'connectionMetric' | 'clientAuthentication'>): AlarmMetric {
  const metric = metricOf(kind, alarms);
  return { namespace: NAMESPACE, metricName: metric.name, statistic: EVALUATION[kind].statistic, periodSeconds: PERIOD_SECONDS, dimensions: metric.dimensions };
}

/** What the connection alarm's figure counts, for descriptions and plans. */
export function connectionCountText(alarms: Pick<AlarmsConfig, 'connectionMetric' | 'clientAuthentication'>): string {
  return alarms.connectionMetric === 'ConnectionCount'
    ? 'all connections (clients of every authentication, unauthenticated and inter-broker)'
    : `client connections authenticated with ${alarms.clientAuthentication}`;
}
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
  const common = { cluster, prefix, alarmActions: topic ? [topic] : [], alarms };
  const counted = metricOf('connection-count', alarms).name;
  const specs: AlarmSpec[] = [];
  for (const broker of existing) {
    const count = threshold(alarms.connectionQuota, alarms.thresholdPercent);
    specs.push(
      build(common, broker.id, 'connection-count', count, {
        sentence:
          `MSK cluster ${cluster.name}, broker ${broker.id}: ${counted} (${connectionCountText(alarms)}) at or above ${count}, ` +
          `${alarms.thresholdPercent}% of the IAM quota of ${alarms.connectionQuota} connections per broker.`,
        summary: `${counted}${alarms.connectionMetric === 'ConnectionCount' ? ' (all connections)' : ` [${alarms.clientAuthentication}]`} >= ${count}: ${alarms.thresholdPercent}% of quota ${alarms.connectionQuota} connections`,
        tag: { quota: alarms.connectionQuota, percent: alarms.thresholdPercent },
      }),
    );
    if (!rateAlarms) continue;
    const perSecond = threshold(rate.value, alarms.thresholdPercent);
    specs.push(
      build(common, broker.id, 'connection-creation-rate', perSecond, {
        sentence:
          `MSK cluster ${cluster.name}, broker ${broker.id}: ConnectionCreationRate (new client connections per second, summed over the broker's listeners) ` +
          `at or above ${perSecond}/s, ${alarms.thresholdPercent}% of the IAM quota of ${rate.value} new connections per second per broker (${sourceText(rate)}).`,
        summary: `ConnectionCreationRate (Sum) >= ${perSecond}/s: ${alarms.thresholdPercent}% of quota ${rate.label}`,
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
  alarms: Pick<AlarmsConfig, 'connectionMetric' | 'clientAuthentication'>;
}

function build(
  common: Common,
  brokerId: number,
  kind: AlarmKind,
  thresholdValue: number,
  text: { sentence: string; summary: string; tag: { quota: number; percent?: number; quotaSource?: string } },
): AlarmSpec {
  const ev = EVALUATION[kind];
  const metric = alarmMetric(kind, common.alarms);
  const tail = formatDescriptionTag({ kind, ...text.tag, brokerId, clusterArn: common.cluster.arn });
  const input: PutMetricAlarmCommandInput = {
    // The name carries the metric: a change of metric is a new alarm, created before the old one goes (plan/alarms.ts).
    AlarmName: alarmName(common.prefix, brokerId, metric.metricName),
    AlarmDescription: text.sentence.slice(0, MAX_DESCRIPTION - tail.length) + tail,
    ActionsEnabled: true,
    AlarmActions: common.alarmActions,
    OKActions: common.alarmActions,
    InsufficientDataActions: [],
    Namespace: metric.namespace,
    MetricName: metric.metricName,
    Dimensions: [
      { Name: CLUSTER_DIMENSION, Value: common.cluster.name },
      { Name: BROKER_DIMENSION, Value: String(brokerId) },
      ...metric.dimensions,
    ],
    Statistic: metric.statistic,
    Period: metric.periodSeconds,
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
