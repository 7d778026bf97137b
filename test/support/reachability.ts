// Time to reachable: for a broker that joins or whose IP changes, how long from the moment AWS
// shows its IP (ListNodes) — and from the moment it appears in Kafka metadata — until a client
// gets through its custom name, split into the controller's share (until its target is
// registered) and AWS's (registration, health checks). Sampled every 10 s of world time.

import { TAG_ROLE } from '../../shared/naming';
import { probeApiVersions } from '../../shared/probe/api-versions';
import type { KafkaScenario } from './kafka-scenario';
import { resolveListeners } from '../../shared/listeners';

export interface BrokerTimeline {
  what: string;
  brokerId: number;
  ip: string;
  /** The IP is in ListNodes. */
  ipSeenAt: number;
  /** The broker is in Kafka metadata (clients may be sent to it). */
  inMetadataAt: number;
  /** The tool registered the IP in the broker's own target group. */
  registeredAt?: number;
  /** The NLB first reported that target healthy (AWS's registration and health checks done). */
  healthyAt?: number;
  /** First moment every address of its custom name answered (TLS + ApiVersions). */
  reachableAt?: number;
}

export const REACHABILITY_SAMPLE_MS = 10_000;

export class Reachability {
  readonly timelines: BrokerTimeline[] = [];
  private stop?: () => void;

  constructor(private readonly s: KafkaScenario) {}

  start(): void {
    this.stop = this.s.clock.every(REACHABILITY_SAMPLE_MS, () => this.sample());
  }

  end(): void {
    this.stop?.();
  }

  /** Follow broker `id` at `ip` from now on (its IP just appeared, or it joins metadata now unless told otherwise). */
  track(what: string, brokerId: number, ip: string, inMetadataAt = this.s.clock.now()): void {
    this.timelines.push({ what, brokerId, ip, ipSeenAt: this.s.clock.now(), inMetadataAt });
  }

  private async sample(): Promise<void> {
    const now = this.s.clock.now();
    const listener = resolveListeners(this.s.config).find((l) => l.endpoints === 'bootstrap-and-brokers');
    if (!listener) return;
    for (const t of this.timelines.filter((x) => x.reachableAt === undefined)) {
      t.registeredAt ??= this.target(t)?.registeredAt;
      if (t.healthyAt === undefined && this.target(t) && this.healthy(t)) t.healthyAt = now;
      const host = `${listener.brokerHostTemplate.replace('{id}', String(t.brokerId))}.${listener.domain}`;
      const resolved = this.s.network.resolve(host);
      if (!resolved.ok || t.registeredAt === undefined) continue;
      const results = await Promise.all(
        resolved.addresses.map((address) => probeApiVersions({ host: address, port: listener.brokerPortBase + t.brokerId, servername: host, ca: [this.s.network.ca.pem], timeoutMs: 1500 })),
      );
      if (results.every((r) => r.ok)) t.reachableAt = now;
    }
  }

  /** The IP's target in the broker's own target group (the tool's tag says whose). */
  private target(t: BrokerTimeline) {
    const { elbv2 } = this.s.world;
    return this.ownGroups(t).flatMap((g) => elbv2.targets(g)).find((x) => x.id === t.ip && x.state === 'registered');
  }

  /** As the NLB reports it (DescribeTargetHealth). */
  private healthy(t: BrokerTimeline): boolean {
    return this.ownGroups(t).some((g) => this.s.world.elbv2.targetHealth(g, t.ip) === 'healthy');
  }

  private ownGroups(t: BrokerTimeline): string[] {
    return this.s.world.elbv2.targetGroups().filter((g) => g.tags[TAG_ROLE] === `broker-${t.brokerId}`).map((g) => g.TargetGroupArn!);
  }
}

const seconds = (ms: number) => `${Math.round(ms / 1000)} s`;

/** One line per broker: from IP seen and from metadata to reachable, the controller's share and AWS's. */
export function formatTimeline(t: BrokerTimeline): string {
  if (t.reachableAt === undefined) {
    return `${t.what}: not reachable by its name by the end${t.registeredAt === undefined ? ' (never registered)' : ` (registered ${seconds(t.registeredAt - t.ipSeenAt)} after its IP was seen)`}`;
  }
  const { controller, aws } = shares(t);
  return `${t.what}: reachable ${seconds(t.reachableAt - t.ipSeenAt)} after its IP was in ListNodes, ${seconds(t.reachableAt - t.inMetadataAt)} after it was in Kafka metadata; controller ${seconds(controller)} (detection + reconcile, and publishing the name once healthy), AWS ${seconds(aws)} (registration + health checks)`;
}

/** Whose time it was: the controller's until the target is registered and after it is healthy (publishing the name), AWS's in between. */
export function shares(t: BrokerTimeline): { controller: number; aws: number } {
  const reachable = t.reachableAt ?? NaN;
  const registered = t.registeredAt ?? reachable;
  const healthy = t.healthyAt ?? reachable;
  return { controller: registered - t.ipSeenAt + Math.max(0, reachable - healthy), aws: Math.min(healthy, reachable) - registered };
}
