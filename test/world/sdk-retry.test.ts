import { afterEach, expect, test } from '@jest/globals';
import { DescribeLoadBalancersCommand, ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { ListResourceRecordSetsCommand, Route53Client } from '@aws-sdk/client-route-53';
import { AwsWorld, ConcurrentClock } from './index';

// Under the account's buckets (accountThrottles) a throttled call is retried by the SDK's own
// strategy, as the deployed client is configured (adaptive, 8 attempts), its delays in world time.

let world: AwsWorld | undefined;
afterEach(() => world?.restore());

const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);

test('a burst over the ELBv2 Describe* bucket is slowed down, not failed: every call answers, in world time', async () => {
  const clock = new ConcurrentClock();
  world = AwsWorld.install({ clock, accountThrottles: true, latencyMs: 20 });
  const client = new ElasticLoadBalancingV2Client({ region: 'eu-west-1', maxAttempts: 8, retryMode: 'adaptive' });
  const started = clock.now();
  const realStart = Date.now();
  const results = await clock.run(() => Promise.all(Array.from({ length: 80 }, () => outcome(client.send(new DescribeLoadBalancersCommand({}))))));
  expect(results.filter((r) => r !== 'ok')).toEqual([]);
  const counts = world.retries!;
  // 40 in the bucket at once; the other 40 needed the refill of 10 a second.
  expect(counts.throttled).toBeGreaterThanOrEqual(40);
  expect(counts.retries).toBe(counts.throttled);
  expect(counts.failed).toBe(0);
  expect(counts.attempts).toBe(80 + counts.retries);
  expect(clock.now() - started).toBeGreaterThanOrEqual(4000);
  // World time, not real time: seconds of backoff cost (far) less than a second here.
  expect(Date.now() - realStart).toBeLessThan(Math.max(2000, (clock.now() - started) / 2));
});

test('the SDK gives up after the client\'s maxAttempts: the caller sees Throttling, counted as a failed call', async () => {
  const clock = new ConcurrentClock();
  world = AwsWorld.install({ clock, accountThrottles: true });
  world.faults.add({ command: 'ListResourceRecordSetsCommand', times: Infinity });
  const zone = world.route53.addHostedZone({ name: 'example.com' });
  const client = new Route53Client({ region: 'eu-west-1', maxAttempts: 3 });
  const error = await clock.run(() => client.send(new ListResourceRecordSetsCommand({ HostedZoneId: zone }))).catch((e) => e);
  expect(error).toMatchObject({ name: 'Throttling', $metadata: { attempts: 3 } });
  expect(world.retries).toMatchObject({ attempts: 3, throttled: 3, retries: 2, failed: 1, failedThrottled: 1 });
});

test('an error that is not retryable reaches the caller at once', async () => {
  const clock = new ConcurrentClock();
  world = AwsWorld.install({ clock, accountThrottles: true });
  const client = new Route53Client({ region: 'eu-west-1', maxAttempts: 8 });
  const error = await clock.run(() => client.send(new ListResourceRecordSetsCommand({ HostedZoneId: 'ZNOSUCHZONE' }))).catch((e) => e);
  expect(error.name).toBe('NoSuchHostedZone');
  expect(world.retries).toMatchObject({ attempts: 1, retries: 0, failed: 1, failedThrottled: 0 });
});
