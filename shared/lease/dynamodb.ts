import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LeaseStore } from './index';

/**
 * Leases as items of a DynamoDB table keyed by `clusterArn`: taken with a conditional PutItem
 * (no item, or an expired one), released with a conditional DeleteItem (still ours). `ttl` lets
 * DynamoDB's TTL sweep leases of holders that died; expiry itself is decided by `expiresAt`.
 */
export function dynamoDbLeaseStore(ddb: DynamoDBClient, table: string, now: () => number = Date.now): LeaseStore {
  return {
    async acquire(clusterArn, holder, ttlMs) {
      const at = now();
      try {
        await ddb.send(
          new PutItemCommand({
            TableName: table,
            Item: {
              clusterArn: { S: clusterArn },
              holder: { S: holder },
              since: { S: new Date(at).toISOString() },
              expiresAt: { N: String(at + ttlMs) },
              ttl: { N: String(Math.ceil((at + ttlMs) / 1000) + 3600) },
            },
            ConditionExpression: 'attribute_not_exists(clusterArn) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': { N: String(at) } },
          }),
        );
        return { ok: true };
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException) && (error as Error).name !== 'ConditionalCheckFailedException') throw error;
        const current = (await ddb.send(new GetItemCommand({ TableName: table, Key: { clusterArn: { S: clusterArn } }, ConsistentRead: true }))).Item;
        // Our own write, whose reply was lost and whose SDK retry was refused: the lease is ours.
        if (current?.holder?.S === holder) return { ok: true };
        return {
          ok: false,
          holder: current?.holder?.S ?? 'an unknown holder',
          since: current?.since?.S ?? 'an unknown time',
          expiresAt: current?.expiresAt?.N ? new Date(Number(current.expiresAt.N)).toISOString() : 'an unknown time',
        };
      }
    },
    async release(clusterArn, holder) {
      try {
        await ddb.send(
          new DeleteItemCommand({
            TableName: table,
            Key: { clusterArn: { S: clusterArn } },
            ConditionExpression: 'holder = :me',
            ExpressionAttributeValues: { ':me': { S: holder } },
          }),
        );
      } catch (error) {
        // Taken over after it expired: the new holder's lease stays.
        if ((error as Error).name !== 'ConditionalCheckFailedException') throw error;
      }
    },
  };
}
