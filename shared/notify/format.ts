import { comparisonSymbol, formatNumber, guideFor, isKnownMetric, type MetricGuide } from './advice';
import { controllerAlarm } from './controller';
import type { AlarmState, CloudWatchAlarm } from './parse';
import { reasonValue } from './reason';
import { slackMessage, type SlackMessage } from './slack';

// Turns a parsed alarm into a short message: who (cluster, broker), what (metric, value
// against threshold and quota), since when, and what to do.

export interface AlarmNotification {
  title: string;
  text: string;
  slack: SlackMessage;
}

/** Everything the message says, computed once for the text and the Slack renderings. */
export interface AlarmFacts {
  state: AlarmState;
  oldState?: AlarmState;
  alarmName: string;
  metricName: string;
  guide: MetricGuide;
  known: boolean;
  /** Set for the stack's alarms on the controller itself: what went wrong, in words. */
  controller?: string;
  cluster?: string;
  broker?: string;
  value?: number;
  threshold: number;
  comparison?: string;
  /** What the figure counts, e.g. "client connections authenticated with IAM" (known metrics only). */
  counts?: string;
  /** Quota the threshold derives from, with its unit rendered by the guide. */
  quota?: number;
  thresholdPercent?: number;
  percentOfQuota?: number;
  periodMinutes?: number;
  since?: string;
  accountId?: string;
  region?: string;
  reason: string;
}

export function alarmFacts(alarm: CloudWatchAlarm): AlarmFacts {
  const dims = alarm.trigger.dimensions;
  const tag = alarm.tag ?? {};
  const metricName = alarm.trigger.metricName;
  const value = reasonValue(alarm.reason);
  const threshold = alarm.trigger.threshold;
  // The quota is in the description tail; an alarm without one falls back to threshold / percent.
  const quota = tag.quota ?? (tag.percent ? (threshold * 100) / tag.percent : undefined);
  const ratioMetric = CONNECTION_METRICS.has(metricName) || metricName === 'ConnectionCreationRate';
  const counts = countsOf(metricName, dims);
  const controller = controllerAlarm(alarm);
  return {
    ...(controller ? { controller: controller.summary } : {}),
    state: alarm.newState,
    ...(alarm.oldState ? { oldState: alarm.oldState } : {}),
    alarmName: alarm.name,
    metricName,
    guide: controller?.guide ?? guideFor(metricName),
    known: isKnownMetric(metricName),
    cluster: dims['Cluster Name'] ?? clusterNameFromArn(tag.clusterArn),
    broker: dims['Broker ID'] ?? (tag.brokerId !== undefined ? String(tag.brokerId) : undefined),
    value,
    ...(counts ? { counts } : {}),
    threshold,
    comparison: alarm.trigger.comparisonOperator,
    quota,
    thresholdPercent: tag.percent,
    percentOfQuota: ratioMetric && value !== undefined && quota ? Math.round((value / quota) * 100) : undefined,
    periodMinutes: alarm.trigger.period ? alarm.trigger.period / 60 : undefined,
    since: alarm.stateChangeTime ? readableTime(alarm.stateChangeTime) : undefined,
    accountId: alarm.accountId,
    region: alarm.region,
    reason: alarm.reason,
  };
}

const CONNECTION_METRICS = new Set(['ClientConnectionCount', 'ConnectionCount']);

/**
 * What a figure counts, from the metric and its dimensions (MSK metrics pages, quoted in
 * alarms/quotas.ts): the reader must know whether 2,450 is IAM clients only or every connection.
 */
export function countsOf(metricName: string, dims: Record<string, string>): string | undefined {
  switch (metricName) {
    case 'ClientConnectionCount': {
      const auth = dims['Client Authentication'];
      return auth ? `client connections authenticated with ${auth}` : 'authenticated client connections';
    }
    case 'ConnectionCount': return 'all connections: clients of every authentication, unauthenticated and inter-broker';
    case 'ConnectionCreationRate': return "new client connections per second, all the broker's client listeners added up";
    case 'IAMTooManyConnections': return 'IAM connection attempts refused over the quota';
    default: return undefined;
  }
}

export function formatAlarmNotification(alarm: CloudWatchAlarm): AlarmNotification {
  const f = alarmFacts(alarm);
  const title = titleOf(f);
  const head = headline(f);
  const body = detail(f);
  const lines = [head, body];
  if (f.state === 'ALARM') lines.push('What to do:', ...f.guide.advice.map((a) => `- ${a}`));
  lines.push(footer(f));
  return { title, text: lines.join('\n'), slack: slackMessage(f, title, head, body) };
}

function subject(f: AlarmFacts): string {
  if (f.cluster && f.broker) return `${f.cluster} broker ${f.broker}`;
  return f.cluster ?? f.alarmName;
}

function titleOf(f: AlarmFacts): string {
  if (f.controller) return `${f.state}: ${f.state === 'OK' ? `recovered: ${f.alarmName}` : f.controller}`;
  const who = subject(f);
  switch (f.state) {
    case 'ALARM':
      if (f.metricName === 'IAMTooManyConnections') return `ALARM: ${who}: new IAM connections are being refused`;
      if (f.percentOfQuota !== undefined) return `ALARM: ${who}: ${f.guide.label} at ${f.percentOfQuota}% of quota`;
      return `ALARM: ${who}: ${f.guide.label} crossed its threshold`;
    case 'OK':
      return f.oldState === 'ALARM' ? `OK: ${who}: ${f.guide.label} recovered` : `OK: ${who}: ${f.guide.label} within limits`;
    case 'INSUFFICIENT_DATA':
      return `INSUFFICIENT_DATA: ${who}: no ${f.guide.label} data`;
  }
}

/** "ALARM since 2022-11-26 10:16 UTC: MSK cluster my-cluster, broker 2" */
export function headline(f: AlarmFacts): string {
  const where = f.cluster ? `MSK cluster ${f.cluster}${f.broker ? `, broker ${f.broker}` : ''}` : `alarm ${f.alarmName}`;
  return `${f.state}${f.since ? ` since ${f.since}` : ''}: ${where}`;
}

/** The value against threshold and quota, in one or two sentences. */
export function detail(f: AlarmFacts): string {
  const v = (n: number) => f.guide.value(n);
  const quota = f.quota !== undefined ? quotaText(f) : undefined;
  const now = f.value !== undefined ? v(f.value) : 'no value reported';
  if (f.controller) return f.state === 'OK' ? `Recovered: ${f.controller}.` : `${f.controller}. ${f.reason}`;
  if (f.state === 'INSUFFICIENT_DATA') {
    return `No data: the alarm cannot evaluate ${f.metricName}, usually a broker being restarted or replaced` +
      (f.metricName === 'ClientConnectionCount'
        ? ' (or no client of that authentication: check the alarm\'s Client Authentication value against the cluster\'s metrics).'
        : f.metricName === 'ConnectionCount' ? '.' : ', or enhanced monitoring below PER_BROKER.');
  }
  if (f.metricName === 'IAMTooManyConnections') {
    const window = f.periodMinutes === 1 ? ' in the last minute' : f.periodMinutes ? ` in the last ${f.periodMinutes} minutes` : '';
    return f.state === 'ALARM'
      ? `${f.value !== undefined ? formatNumber(f.value) : 'Some'} connection attempts refused${window}: ` +
          `the broker is over its new-connection quota${quota ? ` of ${quota}` : ''}.`
      : 'Recovered: no connection attempts refused any more.';
  }
  const ofQuota = f.percentOfQuota !== undefined && quota ? `${f.percentOfQuota}% of the quota of ${quota}` : undefined;
  const alarmAt = f.thresholdPercent !== undefined ? `${formatNumber(f.thresholdPercent)}%, ${v(f.threshold)}` : v(f.threshold);
  const metric = f.counts ? `${f.metricName} (${f.counts})` : f.metricName;
  if (f.state === 'OK') {
    return `Recovered: ${metric} is ${now}${ofQuota ? `, ${ofQuota}` : ''}, below the alarm threshold of ${v(f.threshold)}.`;
  }
  if (!f.known) return `${f.metricName} is ${now} (alarm when ${comparisonSymbol(f.comparison) || `${f.comparison ?? 'crossing'} `}${v(f.threshold)}). ${f.reason}`;
  return `${metric} is ${now}${ofQuota ? `: ${ofQuota}` : ''} (alarm at ${alarmAt}).`;
}

function quotaText(f: AlarmFacts): string {
  const q = f.quota!;
  if (CONNECTION_METRICS.has(f.metricName)) return `${formatNumber(q)} IAM connections per broker`;
  return `${formatNumber(q)} new connections/s per broker`;
}

function footer(f: AlarmFacts): string {
  return [`Alarm ${f.alarmName}`, f.accountId && `account ${f.accountId}`, f.region].filter(Boolean).join(', ');
}

function clusterNameFromArn(arn: string | undefined): string | undefined {
  return arn ? /:cluster\/([^/]+)\//.exec(arn)?.[1] : undefined;
}

/** "2022-11-26T10:16:00.123Z" -> "2022-11-26 10:16 UTC" */
function readableTime(iso: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(iso) ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : iso;
}
