import { afterEach, describe, expect, test } from '@jest/globals';
import { DescribeTargetGroupsCommand, RegisterTargetsCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { GetHostedZoneCommand } from '@aws-sdk/client-route-53';
import { AccountRateLimiter, fleetShare } from '../../../shared/aws/account-rate';
import { createAwsClients } from '../../../shared/aws/clients';
import { AwsWorld, ConcurrentClock } from '../../world';

// The fleet's coordination (shared/aws/account-rate.ts): each reconcile keeps to its share of the
// account's buckets, so that all of them together stay inside AWS's rates.

/** The most calls in any window of `ms` among sorted send times. */
function busiestWindow(times: number[], ms: number): number {
  let most = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i]! - times[j]! >= ms) j++;
    most = Math.max(most, i - j + 1);
  }
  return most;
}

describe('AccountRateLimiter', () => {
  test('one reconcile of six (maxConcurrentReconciles 5 + the watch): a burst of 40/6 Describe*, then 10/6 a second', () => {
    const clock = new ConcurrentClock();
    const limiter = new AccountRateLimiter(fleetShare(5), clock);
    const start = clock.now();
    const at = Array.from({ length: 100 }, () => start + limiter.reserve('elbv2', 'DescribeTargetHealth'));
    expect(at.filter((t) => t === start)).toHaveLength(6); // floor(40 / 6)
    // After the burst, one call every 600 ms: 100 calls take about (100 - 6.67) / (10 / 6) s.
    expect((at[99]! - start) / 1000).toBeCloseTo((100 - 40 / 6) / (10 / 6), 0);
    expect(busiestWindow(at.slice(10), 6000)).toBeLessThanOrEqual(10 + 1);
  });

  test('a write draws from its category and from the account bucket: registrations wait behind describes', () => {
    const clock = new ConcurrentClock();
    const limiter = new AccountRateLimiter(1, clock);
    for (let i = 0; i < 40; i++) expect(limiter.reserve('elbv2', 'DescribeListeners')).toBe(0);
    // The account bucket (40) is empty: a registration waits a tenth of a second for its token.
    expect(limiter.reserve('elbv2', 'RegisterTargets')).toBeCloseTo(100, 5);
  });

  test('Route 53: five a second for the whole account, its share for one reconcile (never less than one token)', () => {
    const clock = new ConcurrentClock();
    const whole = new AccountRateLimiter(1, clock);
    const at = Array.from({ length: 15 }, () => whole.reserve('route53', 'ChangeResourceRecordSets'));
    expect(at.filter((t) => t === 0)).toHaveLength(5);
    expect(at[14]).toBeCloseTo(2000, 5);
    const share = new AccountRateLimiter(fleetShare(5), clock);
    expect([share.reserve('route53', 'GetChange'), share.reserve('route53', 'GetChange')]).toEqual([0, 1200]);
  });

  test('a share must be a fraction', () => {
    expect(() => new AccountRateLimiter(0, new ConcurrentClock())).toThrow(/share 0 must be more than 0 and at most 1/);
  });
});

describe('six reconciles at once against the account\'s buckets (the world)', () => {
  let world: AwsWorld | undefined;
  afterEach(() => world?.restore());

  async function sixAtOnce(share: number | undefined) {
    const clock = new ConcurrentClock();
    world = AwsWorld.install({ clock, accountThrottles: true, latencyMs: 20 });
    const lb = world.elbv2.addLoadBalancer({ name: 'msk-orders' });
    const zone = world.route53.addHostedZone({ name: 'example.com' });
    const started = clock.now();
    await clock.run(() =>
      Promise.all(
        Array.from({ length: 6 }, async () => {
          // Each reconcile its own clients, as each Lambda instance has.
          const clients = createAwsClients('eu-west-1', share ? { accountRate: { share, clock } } : {});
          for (let round = 0; round < 5; round++) {
            await Promise.all(Array.from({ length: 8 }, () => clients.elbv2.send(new DescribeTargetGroupsCommand({ LoadBalancerArn: lb }))));
            await clients.elbv2.send(new RegisterTargetsCommand({ TargetGroupArn: 'arn:aws:elasticloadbalancing:eu-west-1:123456789012:targetgroup/none/0', Targets: [] })).catch(() => {});
            await clients.route53.send(new GetHostedZoneCommand({ Id: zone }));
          }
        }),
      ),
    );
    return { retries: world.retries!, seconds: (clock.now() - started) / 1000 };
  }

  test('each at its share: no call throttled; without the shares, the same work is throttled and retried', async () => {
    const shared = await sixAtOnce(fleetShare(5));
    expect(shared.retries).toMatchObject({ throttled: 0, retries: 0 });
    world!.restore();
    const alone = await sixAtOnce(undefined);
    expect(alone.retries.throttled).toBeGreaterThan(0);
    expect(alone.retries.retries).toBeGreaterThan(0);
    // 270 ELBv2 calls at 10 a second after a burst of 40: the shares cost no more time than AWS's rate does.
    expect(shared.seconds).toBeLessThan((270 - 40) / 10 + 5);
  });
});
