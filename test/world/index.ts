// The embedded AWS world: stateful models of MSK, ELBv2, Route 53, ACM and CloudWatch,
// plugged in under the real SDK v3 clients with aws-sdk-client-mock. Production code keeps
// doing `new XClient({ region })` and `client.send(new XCommand(input))`.
//
// Note: the mock replaces `Client#send`, so the SDK middleware (retries, id normalisation,
// serialisation) does not run. A throttling fault therefore reaches the caller directly,
// exactly once per injected failure, instead of being retried by the SDK. Two exceptions: a lost
// reply ('reply-lost'), where the world replays the SDK's retry itself, and the account's buckets
// (accountThrottles), under which every call goes through the SDK's own retry strategy, its
// delays on the world's clock (sdk-retry.ts).
import { ACMClient } from '@aws-sdk/client-acm';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { EC2Client } from '@aws-sdk/client-ec2';
import { ElasticLoadBalancingV2Client } from '@aws-sdk/client-elastic-load-balancing-v2';
import { KafkaClient } from '@aws-sdk/client-kafka';
import { Route53Client } from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import { AcmModel } from './acm';
import { CloudWatchModel } from './cloudwatch';
import { clone, IdGen, metadata, sleep, type Caller, type Env, type Handlers, type ServiceName } from './common';
import { DEFAULT_BROKER_GROUP_ID, Ec2Model } from './ec2';
import { Elbv2Model } from './elbv2';
import { Faults, isWrite, LostReply, type CallRecord } from './faults';
import { MskModel } from './msk';
import { Route53Model } from './route53';
import { HOME_ACCESS_KEY_ID, StsModel } from './sts';
import { awsTiming, type AwsTiming } from './aws-timing';
import { AccountThrottles } from './throttles';
import { SdkRetry, type RetryCounts, type WorldClock } from './sdk-retry';

export { validationRecord, type CertificateSeed, type PublicDns } from './acm';
export type { WorldAlarm } from './cloudwatch';
export type { Caller, Env, ServiceName } from './common';
export type { LoadBalancerSeed, ListenerSeed, Route, TargetGroupSeed, WorldTarget } from './elbv2';
export type { IngressRule, SecurityGroupSeed } from './ec2';
export { VirtualClock } from './clock';
export { ConcurrentClock } from './concurrent-clock';
export type { RetryCounts, WorldClock } from './sdk-retry';
export { AWS_TIMING, awsTiming, type AwsTiming } from './aws-timing';
export { AccountThrottles, ELBV2_BUCKETS, ROUTE53_BUCKETS, bucketsFor, type BucketSpec } from './throttles';
export { LostReply, SimulatedInterruption, isWrite, type CallRecord, type FaultError, type FaultSpec } from './faults';
export type { BrokerSeed, ClusterSeed, PublicAccessType, WorldBroker, WorldCluster, WorldOperation } from './msk';
export type { HostedZoneSeed, Presence } from './route53';
export type { RoleSeed } from './sts';
export { AcmModel, CloudWatchModel, Ec2Model, Elbv2Model, Faults, MskModel, Route53Model, StsModel };

export interface WorldOptions {
  region?: string;
  accountId?: string;
  /** Every call waits this long before answering (parallelism benchmarks). */
  latencyMs?: number;
  /** A Route 53 change is INSYNC once this much time has passed since it was submitted. */
  insyncAfterMs?: number;
  /** Polls an MSK operation answers "in progress" before it completes (default 1). */
  operationPolls?: number;
  /** Clock used for timestamps, INSYNC, target health and draining (default Date.now). */
  now?: () => number;
  /**
   * World time that also passes the latency and the SDK's retry delays (a ConcurrentClock, for
   * many actors at once); replaces `now`. Without it the latency is real milliseconds.
   */
  clock?: WorldClock;
  /** Seed of the deterministic id generator. */
  seed?: string;
  /** AWS's delays, each defaulting to the documented figure (aws-timing.ts). */
  timing?: Partial<AwsTiming>;
  /**
   * The account's Route 53 and ELBv2 token buckets (throttles.ts), refilled by world time: a call
   * that finds one empty is answered Throttling / Rate exceeded, as AWS does, and the SDK's retry
   * strategy retries it, as the client's config says (sdk-retry.ts). Off by default.
   */
  accountThrottles?: boolean;
}

interface Model {
  handlers: Handlers;
  throttle(command: string): Error;
  /** The answer to a call over the account's rate, when it differs from throttle(command). */
  rateExceeded?(): Error;
}

type Stub = ReturnType<typeof mockClient>;

export class AwsWorld {
  readonly region: string;
  readonly accountId: string;
  readonly latencyMs: number;
  readonly msk: MskModel;
  readonly elbv2: Elbv2Model;
  readonly route53: Route53Model;
  readonly acm: AcmModel;
  readonly cloudwatch: CloudWatchModel;
  readonly ec2: Ec2Model;
  readonly sts: StsModel;
  readonly faults = new Faults();
  /** The account's API rates, when the world models them (WorldOptions.accountThrottles). */
  readonly throttles?: AccountThrottles;
  /** The SDK's retry under those rates (only with accountThrottles). */
  private readonly retry?: SdkRetry;
  /** AWS's delays this world keeps (registration, stale routing, the TLS idle cut, CloudTrail). */
  readonly timing: AwsTiming;
  /** World time in milliseconds (the virtual clock, when the world has one). */
  readonly now: () => number;
  private readonly clock?: WorldClock;
  /** Every call in arrival order. Cleared in place by resetCalls(). */
  readonly calls: CallRecord[] = [];
  /** The largest number of calls in flight at once since the last resetCalls(). */
  maxInFlight = 0;
  private inFlight = 0;
  private stubs: Stub[] = [];
  private savedEnv?: Record<string, string | undefined>;

  private constructor(options: WorldOptions) {
    this.region = options.region ?? 'eu-west-1';
    this.accountId = options.accountId ?? '123456789012';
    this.latencyMs = options.latencyMs ?? 0;
    this.timing = awsTiming(options.timing);
    this.clock = options.clock;
    this.now = options.clock ? () => options.clock!.now() : options.now ?? Date.now;
    const env: Env = { region: this.region, accountId: this.accountId, ids: new IdGen(options.seed), now: this.now, timing: this.timing };
    this.ec2 = new Ec2Model(env);
    this.elbv2 = new Elbv2Model(env, (arn) => this.acm.usable(arn), this.ec2);
    // ACM's DNS validation reads the world's public zones as resolvers on the internet would.
    this.acm = new AcmModel(env, (arn) => this.elbv2.certificateUsers(arn), (name, type, value) => this.route53.publicPresence(name, type, value));
    // Alias targets: load balancers, and VPC interface endpoints (PrivateLink).
    this.route53 = new Route53Model(env, options.insyncAfterMs ?? 0, {
      findByDnsName: (name) => this.elbv2.findByDnsName(name) ?? this.ec2.endpointAliasTarget(name),
      isCanonicalZone: (zoneId) => this.elbv2.isCanonicalZone(zoneId) || this.ec2.isEndpointZone(zoneId),
    });
    this.sts = new StsModel(env);
    this.msk = new MskModel(env, this.ec2.subnets().map((s) => s.SubnetId!), [DEFAULT_BROKER_GROUP_ID]);
    this.msk.operationPolls = options.operationPolls ?? 1;
    this.cloudwatch = new CloudWatchModel(env);
    if (options.accountThrottles) {
      this.throttles = new AccountThrottles(this.now);
      this.retry = new SdkRetry(this.clock ?? { now: this.now, sleep: (ms) => sleep(ms) });
    }
  }

  /** Attempts, throttled answers, retries and failed calls under the account's buckets (accountThrottles only). */
  get retries(): RetryCounts | undefined {
    return this.retry?.counts;
  }

  /** Creates a world and routes every instance of the seven SDK clients into it. */
  static install(options: WorldOptions = {}): AwsWorld {
    const world = new AwsWorld(options);
    world.route(mockClient(KafkaClient), 'kafka', world.msk);
    world.route(mockClient(ElasticLoadBalancingV2Client), 'elbv2', world.elbv2);
    world.route(mockClient(Route53Client), 'route53', world.route53);
    world.route(mockClient(ACMClient), 'acm', world.acm);
    world.route(mockClient(CloudWatchClient), 'cloudwatch', world.cloudwatch);
    world.route(mockClient(EC2Client), 'ec2', world.ec2);
    world.route(mockClient(STSClient), 'sts', world.sts);
    // The home account's credentials, as the function has them: calls signed with keys STS
    // issued are told apart from these (sts.ts).
    world.savedEnv = { AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN: process.env.AWS_SESSION_TOKEN };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: HOME_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY: 'world-home-secret' });
    delete process.env.AWS_SESSION_TOKEN;
    return world;
  }

  /** Puts the real `send` back on the clients and the environment as it was (call in afterEach). */
  restore(): void {
    for (const stub of this.stubs) stub.restore();
    this.stubs = [];
    this.retry?.restore();
    for (const [key, value] of Object.entries(this.savedEnv ?? {})) {
      if (value === undefined) delete process.env[key];
      else process.env[key] = value;
    }
    this.savedEnv = undefined;
  }

  reads(): CallRecord[] {
    return this.calls.filter((c) => !c.write);
  }

  writes(): CallRecord[] {
    return this.calls.filter((c) => c.write);
  }

  resetCalls(): void {
    this.calls.length = 0;
    this.maxInFlight = this.inFlight;
  }

  private route(stub: Stub, service: ServiceName, model: Model): void {
    this.stubs.push(stub);
    const send = stub.send as unknown as { callsFake(fn: (this: SdkClient, command: SdkCommand) => Promise<unknown>): void };
    const world = this;
    // sinon calls the fake with the client as `this`: its credentials say which account calls.
    send.callsFake(async function (command) {
      const caller = ACCOUNT_AWARE.includes(service) ? await world.callerOf(this) : world.sts.home;
      if (world.retry) return world.retry.send(this, () => world.dispatch(service, model, command, caller));
      return world.dispatch(service, model, command, caller);
    });
  }

  /**
   * The identity behind a client's credentials, resolved the way the SDK's signer does. A provider
   * that fails (a role that cannot be assumed) fails the call before anything is sent, as for real.
   */
  private async callerOf(client: SdkClient): Promise<Caller> {
    const credentials = await client.config.credentials();
    return this.sts.callerOf(credentials.accessKeyId);
  }

  /**
   * One API call: recorded, faults decided at arrival (deterministic under parallelism),
   * the simulated latency awaited, then answered by the model with a deep copy.
   */
  private async dispatch(service: ServiceName, model: Model, command: SdkCommand, caller: Caller, retry?: { answer?: Error }): Promise<unknown> {
    const name = command.constructor.name;
    const call: CallRecord = { service, command: name, input: clone(command.input), write: isWrite(name), failed: false, startedAt: Date.now() };
    this.calls.push(call);
    // The account's buckets are drawn at arrival, by every attempt (a retry is a request too).
    const overRate = this.throttles?.take(service, name) ? (model.rateExceeded?.() ?? model.throttle(name)) : undefined;
    const fault = overRate ?? this.faults.check(call, () => model.throttle(name));
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    let lost: LostReply | undefined;
    try {
      if (this.latencyMs > 0) await (this.clock ? this.clock.sleep(this.latencyMs) : sleep(this.latencyMs));
      if (retry?.answer) throw retry.answer;
      if (fault && !(fault instanceof LostReply)) throw fault;
      const handler = model.handlers[name];
      if (!handler) throw new Error(`AwsWorld: ${service} ${name} is not modelled`);
      const output = handler(clone(command.input ?? {}), caller);
      if (fault instanceof LostReply) {
        lost = fault;
        throw fault;
      }
      return { ...clone(output), $metadata: { ...metadata(), attempts: retry ? 2 : 1 } };
    } catch (error) {
      call.failed = true;
      call.error = error instanceof LostReply ? error.code : (error as Error).name;
      if (!lost) throw error;
    } finally {
      this.inFlight--;
      call.endedAt = Date.now();
    }
    // The change was made and only its answer was lost. aws-sdk-client-mock replaces the SDK's
    // retry middleware, so do what it does with ECONNRESET: send the same request once more,
    // and let the caller see whatever that second attempt is answered.
    return this.dispatch(service, model, command, caller, { answer: lost.retryError });
  }
}

/** Services whose answers depend on the calling account (only these resolve credentials). */
const ACCOUNT_AWARE: ServiceName[] = ['route53', 'sts'];

interface SdkClient {
  config: { credentials(): Promise<{ accessKeyId: string }> };
}

interface SdkCommand {
  input: unknown;
  constructor: { name: string };
}
