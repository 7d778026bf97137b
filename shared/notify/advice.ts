// What each metric means to a reader and what to do about it. Kept apart from the
// formatting so the advice can be reviewed (and corrected) on its own.

export interface MetricGuide {
  /** Short noun phrase for titles: "connection count". */
  label: string;
  /** Renders a value with its unit: "2,450 connections", "83.5/s". */
  value(n: number): string;
  /** Next steps while in ALARM. */
  advice: string[];
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

const SYMBOLS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: '≥ ',
  GreaterThanThreshold: '> ',
  LessThanThreshold: '< ',
  LessThanOrEqualToThreshold: '≤ ',
};

/** "≥ " for GreaterThanOrEqualToThreshold; "" for operators without a plain symbol. */
export function comparisonSymbol(operator: string | undefined): string {
  return (operator && SYMBOLS[operator]) || '';
}

const BACKOFF =
  'Make clients back off before reconnecting: Java clients `reconnect.backoff.ms` and `reconnect.backoff.max.ms` ' +
  '(e.g. 1000 and 10000), kafkajs `retry` (`initialRetryTime`, `maxRetryTime`, `retries`), librdkafka `reconnect.backoff.ms`.';
const FEWER_CLIENTS =
  'Create fewer short-lived clients: one long-lived producer/consumer per process, created once ' +
  '(in Lambda outside the handler), with jitter on restarts so a deployment does not reconnect everything at once.';

const CONNECTION_ADVICE = [
  'Clients should reuse connections: share one client (a pool) per process instead of one per request or per invocation.',
  'Look for connection leaks: clients created and never closed, and consumers or producers that restart in a loop.',
  'Add brokers to spread the connections, symmetrically across the Availability Zones (a multiple of the AZ count).',
  'If the load is legitimate, raise the quota: `listener.name.client_iam.max.connections` (AWS warns that high values ' +
    'can make brokers unavailable) or a quota increase through AWS Support.',
];

export const METRIC_GUIDES: Readonly<Record<string, MetricGuide>> = {
  ClientConnectionCount: {
    label: 'client connection count',
    // Which clients is the message's "counts" (the Client Authentication dimension).
    value: (n) => `${formatNumber(n)} connections`,
    advice: CONNECTION_ADVICE,
  },
  ConnectionCount: {
    label: 'connection count',
    value: (n) => `${formatNumber(n)} connections`,
    advice: CONNECTION_ADVICE,
  },
  ConnectionCreationRate: {
    label: 'new-connection rate',
    value: (n) => `${formatNumber(n)}/s`,
    advice: [
      BACKOFF,
      FEWER_CLIENTS,
      'If the rate is legitimate, ask AWS for a connection-rate quota increase (Service Quotas or a support case).',
    ],
  },
  IAMTooManyConnections: {
    label: 'refused connections',
    value: (n) => `${formatNumber(n)} refused`,
    advice: [
      'Clients are already being refused now: connection attempts over the quota fail (clients log "Too many connects").',
      'Find the reconnect storm: a deployment, a crash-looping client, Lambda cold starts each creating a client.',
      BACKOFF,
      FEWER_CLIENTS,
    ],
  },
};

export const GENERIC_GUIDE: MetricGuide = {
  label: 'metric',
  value: (n) => formatNumber(n),
  advice: ['Check the metric and the alarm in the CloudWatch console.'],
};

export function isKnownMetric(metricName: string): boolean {
  return Object.prototype.hasOwnProperty.call(METRIC_GUIDES, metricName);
}

export function guideFor(metricName: string): MetricGuide {
  return isKnownMetric(metricName) ? METRIC_GUIDES[metricName]! : { ...GENERIC_GUIDE, label: metricName };
}
