import { DescribeClusterV2Command, type KafkaClient } from '@aws-sdk/client-kafka';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  pollSeconds: number;
  maxSeconds: number;
}

/**
 * A CloudTrail event only says a change was requested. Polls the cluster until MSK is done
 * (state ACTIVE again) or the time is up; returns the last state seen.
 */
export async function waitUntilActive(kafka: KafkaClient, clusterArn: string, follow: FollowOptions): Promise<string> {
  const deadline = Date.now() + follow.maxSeconds * 1000;
  for (;;) {
    const out = await kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }));
    const state = out.ClusterInfo?.State ?? 'UNKNOWN';
    if (state === 'ACTIVE' || state === 'FAILED' || state === 'DELETING') return state;
    if (Date.now() + follow.pollSeconds * 1000 > deadline) return state;
    await sleep(follow.pollSeconds * 1000);
  }
}
