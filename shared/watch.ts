import { GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { KafkaClient } from '@aws-sdk/client-kafka';
import { listBrokers } from './observe/msk';
import type { Broker } from './types';

// MSK heals a broker without any event: healing is not an API call, so nothing reaches CloudTrail
// or EventBridge, and whether the replacement keeps its client IP is not documented (ListNodes
// reports ClientVpcIpAddress and AttachedENIId). The schedule would notice within its interval (5
// minutes), and target registration then takes minutes more. The watch notices within a minute:
// every minute (serverless.yml, watchRate) one ListNodes per cluster, compared with what it saw
// last time; only a difference starts a full reconcile. One MSK call and one small DynamoDB read a
// minute per cluster, nothing on ELBv2 or Route 53, whose per-account rates reconciles share.

/** The brokers' ids and client IPs, sorted: what a reconcile depends on among what ListNodes says. */
export function nodesFingerprint(brokers: Pick<Broker, 'id' | 'clientIp'>[]): string {
  return [...brokers]
    .sort((a, b) => a.id - b.id)
    .map((b) => `${b.id}=${b.clientIp ?? '?'}`)
    .join(',');
}

/** "broker 2: 10.0.2.12 -> 10.0.2.112; broker 4 joined" (or "first look" when nothing was seen before). */
export function describeNodesChange(was: string | undefined, now: string): string {
  if (was === undefined) return 'first look at the brokers';
  const parse = (f: string) => new Map(f ? f.split(',').map((p) => p.split('=') as [string, string]) : []);
  const [before, after] = [parse(was), parse(now)];
  const changes: string[] = [];
  for (const [id, ip] of after) {
    if (!before.has(id)) changes.push(`broker ${id} joined (${ip})`);
    else if (before.get(id) !== ip) changes.push(`broker ${id}: ${before.get(id)} -> ${ip}`);
  }
  for (const id of before.keys()) if (!after.has(id)) changes.push(`broker ${id} left`);
  return changes.join('; ');
}

/** Where the watch keeps what it saw last, per cluster. */
export interface WatchStore {
  get(clusterArn: string): Promise<string | undefined>;
  put(clusterArn: string, fingerprint: string): Promise<void>;
}

/** In the stack's lease table, under `watch#<cluster ARN>` (its key attribute is clusterArn). */
export function dynamoDbWatchStore(ddb: DynamoDBClient, table: string): WatchStore {
  const key = (clusterArn: string) => ({ clusterArn: { S: `watch#${clusterArn}` } });
  return {
    async get(clusterArn) {
      const out = await ddb.send(new GetItemCommand({ TableName: table, Key: key(clusterArn), ConsistentRead: true }));
      return out.Item?.nodes?.S;
    },
    async put(clusterArn, fingerprint) {
      await ddb.send(new PutItemCommand({ TableName: table, Item: { ...key(clusterArn), nodes: { S: fingerprint } } }));
    },
  };
}

/** For a run without the stack's table (locally): remembered as long as the process lives. */
export function memoryWatchStore(): WatchStore {
  const seen = new Map<string, string>();
  return {
    get: async (clusterArn) => seen.get(clusterArn),
    put: async (clusterArn, fingerprint) => void seen.set(clusterArn, fingerprint),
  };
}

export interface WatchLook {
  fingerprint: string;
  /** Set when the brokers differ from the last look: what changed. */
  change?: string;
}

/** One look: ListNodes, compared with the last one stored (stored again only by the caller, once handled). */
export async function lookAtNodes(kafka: KafkaClient, clusterArn: string, store: WatchStore): Promise<WatchLook> {
  const [brokers, was] = await Promise.all([listBrokers(kafka, clusterArn), store.get(clusterArn)]);
  const fingerprint = nodesFingerprint(brokers);
  return fingerprint === was ? { fingerprint } : { fingerprint, change: describeNodesChange(was, fingerprint) };
}
