// Where the admin connects for each broker: its AWS-native endpoint, never the advertised name
// (which may be a broken custom name). Pure.
import type { NodeInfo } from '@aws-sdk/client-kafka';
import type { Broker } from '../types';
import type { ClientAuthentication } from './advertised-listeners';

export interface BrokerEndpoint {
  id: number;
  host: string;
  port: number;
}

/** MSK's client ports by authentication. */
export const STANDARD_PORTS: Readonly<Record<ClientAuthentication, number>> = { iam: 9098, scram: 9096, tls: 9094 };

function normaliseHost(h: string): string {
  return h.trim().replace(/^\[|\]$/g, '').replace(/\.$/, '').toLowerCase();
}

/** Parses a GetBootstrapBrokers string (`host:port,host:port`, IPv6 in brackets) into host -> port. */
export function bootstrapPorts(bootstrapBrokers: string): Map<string, number> {
  const ports = new Map<string, number>();
  for (const item of bootstrapBrokers.split(',')) {
    const m = /^\s*(\[[^\]]+\]|[^:\s]+):(\d+)\s*$/.exec(item);
    if (m) ports.set(normaliseHost(m[1] as string), Number(m[2]));
  }
  return ports;
}

type NodeLike = NodeInfo | Broker;

function idAndHost(node: NodeLike): { id?: number; host?: string } {
  if ('BrokerNodeInfo' in node || 'NodeType' in node || 'NodeARN' in node) {
    const info = (node as NodeInfo).BrokerNodeInfo;
    return { id: info?.BrokerId, host: info?.Endpoints?.[0] };
  }
  const b = node as Broker;
  return { id: b.id, host: b.endpoint };
}

/**
 * One endpoint per broker, sorted by id: host from the node's MSK endpoint (ListNodes
 * BrokerNodeInfo.Endpoints, or Broker.endpoint), port from the bootstrap string entry with that
 * host, else the standard port of the authentication. Nodes without an id or endpoint (not
 * created yet, or not brokers) are left out: there is nothing to connect to.
 */
export function brokerEndpoints(
  nodes: readonly NodeLike[],
  bootstrapBrokers: string,
  authentication: ClientAuthentication = 'iam',
): BrokerEndpoint[] {
  const ports = bootstrapPorts(bootstrapBrokers);
  const out = new Map<number, BrokerEndpoint>();
  for (const node of nodes) {
    const { id, host } = idAndHost(node);
    if (id === undefined || !Number.isInteger(id) || !host) continue;
    const clean = normaliseHost(host);
    out.set(id, { id, host: clean, port: ports.get(clean) ?? STANDARD_PORTS[authentication] });
  }
  return [...out.values()].sort((a, b) => a.id - b.id);
}
