import { MetricUnit } from '@aws-lambda-powertools/metrics';

// One reconcile's outcome as CloudWatch metrics (Embedded Metric Format through Powertools Metrics):
// the stack's "not converged" alarms watch `Converged` per cluster.

export const METRICS_NAMESPACE = 'MskCustomDomainSync';
export const METRICS_SERVICE = 'msk-custom-domain-sync';

/** The part of Powertools' Metrics this module uses. */
export interface MetricsSink {
  addDimension(name: string, value: string): unknown;
  addMetric(name: string, unit: (typeof MetricUnit)[keyof typeof MetricUnit], value: number): unknown;
  publishStoredMetrics(): unknown;
}

export interface ReconcileOutcomeMetrics {
  clusterArn: string;
  /** Nothing left to do: no conflict, nothing held back or still running, brokers advertise what they should. */
  converged: boolean;
  failed: boolean;
  conflicts: number;
  /** Changes held back by a guard (a rolling restart not allowed). */
  heldBack: number;
  /** Applied actions by plan action type, e.g. { 'create-listener': 2 }. */
  changesByKind: Record<string, number>;
  durationMs: number;
}

/** Emits one EMF document for one cluster's reconcile (dimensions: service, ClusterArn). */
export function publishReconcileMetrics(sink: MetricsSink, outcome: ReconcileOutcomeMetrics): void {
  sink.addDimension('ClusterArn', outcome.clusterArn);
  sink.addMetric('Converged', MetricUnit.Count, outcome.converged ? 1 : 0);
  sink.addMetric('Failed', MetricUnit.Count, outcome.failed ? 1 : 0);
  sink.addMetric('Conflicts', MetricUnit.Count, outcome.conflicts);
  sink.addMetric('HeldBack', MetricUnit.Count, outcome.heldBack);
  sink.addMetric('ChangesApplied', MetricUnit.Count, Object.values(outcome.changesByKind).reduce((a, b) => a + b, 0));
  for (const [kind, count] of Object.entries(outcome.changesByKind)) sink.addMetric(`ChangesApplied.${kind}`, MetricUnit.Count, count);
  sink.addMetric('DurationMs', MetricUnit.Milliseconds, Math.round(outcome.durationMs));
  sink.publishStoredMetrics();
}
