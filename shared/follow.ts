import { DescribeClusterV2Command, type KafkaClient } from '@aws-sdk/client-kafka';
import { realClock, type Clock } from './clock';

export interface FollowOptions {
  pollSeconds: number;
  maxSeconds: number;
}

/**
 * Reads until `done` says so or the time is up (no sleep that would overrun it); returns the
 * last value read and whether it was final.
 */
export async function pollUntil<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  follow: FollowOptions,
  clock: Clock = realClock,
): Promise<{ value: T; finished: boolean }> {
  const deadline = clock.now() + follow.maxSeconds * 1000;
  for (;;) {
    const value = await read();
    if (done(value)) return { value, finished: true };
    if (clock.now() + follow.pollSeconds * 1000 > deadline) return { value, finished: false };
    await clock.sleep(follow.pollSeconds * 1000);
  }
}

const SETTLED = new Set(['ACTIVE', 'FAILED', 'DELETING']);

/**
 * A CloudTrail event only says a change was requested. Polls the cluster until MSK is done
 * (state ACTIVE again) or the time is up; returns the last state seen.
 */
export async function waitUntilActive(kafka: KafkaClient, clusterArn: string, follow: FollowOptions): Promise<string> {
  const read = async () => (await kafka.send(new DescribeClusterV2Command({ ClusterArn: clusterArn }))).ClusterInfo?.State ?? 'UNKNOWN';
  return (await pollUntil(read, (state) => SETTLED.has(state), follow)).value;
}
