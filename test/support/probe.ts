// The client-continuity probe: what a Kafka client in the VPC experiences, measured on every
// tick. It bootstraps through one listener's bootstrap name (bootstrap.<domain>:9000 for IAM,
// e.g. bootstrap-scram.<domain>:9100 for SCRAM) with kafkajs, authenticating as a client of
// that listener does (the real MSK IAM signer, or kafkajs' built-in SCRAM-SHA-512), TLS verified
// against the embedded ACM CA; reads Metadata, which the broker answers with that listener's
// advertised endpoints, then opens a TLS connection to every
// broker Metadata advertises, by its advertised name, at every address that name resolves to
// (one NLB node per AZ that DNS answers with), and sends ApiVersions there.
import { connect as tlsConnect } from 'node:tls';
import { Kafka, logLevel, type ISocketFactory, type SASLOptions } from 'kafkajs';
import { generateAuthTokenFromCredentialsProvider } from 'aws-msk-iam-sasl-signer-js';
import type { LookupFunction } from 'node:net';
import type { Clock } from '../../shared/clock';
import { probeApiVersions } from '../../shared/probe/api-versions';
import type { ClientNetwork, Resolution } from '../world/network';
import { staticCredentials } from '../kafka/helpers';
import { IdleConnections, type IdleFigures } from './idle-connections';

export interface ProbeFigures {
  rounds: number;
  connections: number;
  failed: number;
  /** Longest time (world clock) an advertised broker stayed unreachable, and which. */
  longestOutageMs: number;
  longestOutageBroker?: string;
  /** The first few failures, for a readable assertion message. */
  samples: string[];
  /** Failed connections by what they went to: `bootstrap`, or a broker's advertised `host:port`. */
  failedBy: Record<string, number>;
  /** Of `failed`, those whose TLS handshake refused the certificate (a name it does not cover, an unknown issuer). */
  tlsFailed?: number;
  /** TLS failures by what they went to, as failedBy. */
  tlsFailedBy?: Record<string, number>;
  /** `host:port` of every broker the last Metadata of the period advertised (empty when none was read). */
  advertised: string[];
  /** The long-lived connections (one per broker), when the probe keeps them: reused after idling, and reset. */
  idle?: IdleFigures;
}

/** How the probe authenticates: as an IAM client (the MSK signer, OAUTHBEARER) or a SCRAM user. */
export type ProbeSasl = { mechanism: 'aws-msk-iam' } | { mechanism: 'scram-sha-512'; username: string; password: string };

export interface ProbeOptions {
  network: ClientNetwork;
  clock: Clock;
  /** The listener's bootstrap name and NLB port, e.g. bootstrap-scram.kafka.example.com:9100. */
  bootstrap: { host: string; port: number };
  /** Default IAM. It must be the mechanism of the listener `bootstrap` leads to, or every round fails. */
  sasl?: ProbeSasl;
  /** The region IAM tokens are signed for. */
  region: string;
  /** Resolves the brokers' AWS names (clients inside the VPC can use them). */
  awsLookup: LookupFunction;
  /** CAs a client trusts besides the embedded ACM's: the brokers' own, for their AWS names. */
  extraCa?: string[];
  /**
   * Real time a connection (TCP + TLS) may take before it counts as failed: how a dropped
   * connection shows. Generous, so a loaded CI machine's slow TLS handshake is not an outage.
   */
  connectTimeoutMs?: number;
  /** Keep one long-lived connection per broker, closed by the client after this idle time (its connections.max.idle.ms). */
  idleClient?: { maxIdleMs: number };
  /**
   * Keep each custom name's answer for its TTL (world clock), as a client's resolver does (a caching
   * stub resolver, the VPC's Route 53 Resolver): after a record changes, this client still goes
   * where the old answer led until it expires. Off, every lookup reads the records as they are now.
   */
  cacheAnswers?: boolean;
}

const CONNECT_TIMEOUT_MS = 1500;

export class ContinuityProbe {
  private figures = blank();
  /** Broker -> world time it became unreachable, while it is. */
  private readonly down = new Map<string, number>();
  /** What the last Metadata advertised (kept across takes). */
  private lastAdvertised: string[] = [];
  private bootstrapTurn = 0;
  private readonly idle?: IdleConnections;
  /** Answers held for their TTL (cacheAnswers): name -> answer and world time it expires. */
  private readonly answers = new Map<string, { resolution: Resolution; until: number }>();

  constructor(private readonly options: ProbeOptions) {
    if (options.idleClient) {
      this.idle = new IdleConnections({ clock: options.clock, maxIdleMs: options.idleClient.maxIdleMs, ca: this.trust(), timeoutMs: options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS });
    }
  }

  /**
   * One request per advertised broker over the connection the client keeps to it (see
   * IdleConnections): run less often than the NLB's idle timeout to show its cut.
   */
  async useIdleConnections(): Promise<void> {
    if (!this.idle) return;
    const advertised = this.lastAdvertised;
    this.idle.keepOnly(new Set(advertised));
    for (const label of advertised) {
      const at = label.lastIndexOf(':');
      const [host, port] = [label.slice(0, at), Number(label.slice(at + 1))];
      const addresses = await this.addressesOf(host);
      if (addresses.ok) await this.idle.use(label, addresses.list[0], port, host);
    }
  }

  stop(): void {
    this.idle?.closeAll();
  }

  /** Figures since the last take, and a fresh count (outages still open are measured up to now). */
  take(): ProbeFigures {
    const now = this.options.clock.now();
    for (const [broker, since] of this.down) this.noteOutage(broker, now - since);
    const out = this.idle ? { ...this.figures, idle: this.idle.take() } : this.figures;
    this.figures = blank();
    for (const broker of this.down.keys()) this.down.set(broker, now);
    return out;
  }

  async tick(): Promise<void> {
    this.figures.rounds++;
    const brokers = await this.metadata();
    if (!brokers) return;
    this.figures.advertised = brokers.map((b) => `${b.host}:${b.port}`);
    this.lastAdvertised = this.figures.advertised;
    // A broker Metadata no longer advertises is no longer anyone's to reach.
    const advertised = new Set(this.figures.advertised);
    for (const [label, since] of this.down) {
      if (advertised.has(label)) continue;
      this.noteOutage(label, this.options.clock.now() - since);
      this.down.delete(label);
    }
    for (const broker of brokers) {
      const label = `${broker.host}:${broker.port}`;
      const results = await this.connectEveryAddress(broker.host, broker.port);
      const failures = results.filter((r) => !r.ok);
      if (failures.length) {
        this.fail(`${label}: ${failures.map((f) => f.error).join('; ')}`, label);
        if (!this.down.has(label)) this.down.set(label, this.options.clock.now());
      } else if (this.down.has(label)) {
        this.noteOutage(label, this.options.clock.now() - this.down.get(label)!);
        this.down.delete(label);
      }
    }
  }

  /** Metadata through bootstrap.<domain>, as an application's first request. */
  private async metadata(): Promise<{ nodeId: number; host: string; port: number }[] | undefined> {
    this.figures.connections++;
    const admin = this.kafka().admin();
    try {
      await admin.connect();
      return (await admin.describeCluster()).brokers;
    } catch (e) {
      this.fail(`bootstrap ${this.options.bootstrap.host}:${this.options.bootstrap.port}: ${(e as Error).message}`, 'bootstrap');
      return undefined;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
  }

  private async connectEveryAddress(host: string, port: number): Promise<{ ok: boolean; error?: string }[]> {
    const addresses = await this.addressesOf(host);
    if (!addresses.ok) {
      this.figures.connections++;
      return [{ ok: false, error: addresses.error }];
    }
    return Promise.all(
      addresses.list.map(async (address) => {
        this.figures.connections++;
        const zone = this.options.network.zoneOf(address);
        const result = await probeApiVersions({ host: address, port, servername: host, ca: this.trust(), timeoutMs: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS });
        return result.ok ? { ok: true } : { ok: false, error: `${zone ?? address}: ${result.error}` };
      }),
    );
  }

  /** Custom names through the world's DNS; AWS names through the fake cluster's lookup. */
  private addressesOf(host: string): Promise<{ ok: true; list: string[] } | { ok: false; error: string }> {
    const resolved = this.resolve(host);
    if (resolved.ok) return Promise.resolve({ ok: true, list: resolved.addresses });
    return new Promise((resolve) => {
      this.options.awsLookup(host, {}, (error, address) => resolve(error ? { ok: false, error: resolved.error } : { ok: true, list: [address as string] }));
    });
  }

  /** A custom name through the world's DNS, or the answer held for its TTL (cacheAnswers; failures are not held). */
  private resolve(host: string): Resolution {
    if (!this.options.cacheAnswers) return this.options.network.resolve(host);
    const now = this.options.clock.now();
    const held = this.answers.get(host);
    if (held && now < held.until) return held.resolution;
    const resolution = this.options.network.resolve(host);
    if (resolution.ok) this.answers.set(host, { resolution, until: now + resolution.ttl * 1000 });
    else this.answers.delete(host);
    return resolution;
  }

  /** A plain kafkajs client whose sockets resolve names the way a client in the VPC would. */
  private kafka(): Kafka {
    const { bootstrap } = this.options;
    const socketFactory: ISocketFactory = ({ host, port, onConnect }) => {
      const resolved = this.resolve(host);
      const addresses = resolved.ok ? resolved.addresses : [host];
      // Clients pick one of the addresses DNS returns: rotate, so every node is used over time.
      const address = addresses[this.bootstrapTurn++ % addresses.length];
      return tlsConnect({ host: address, port, servername: host, ca: this.trust(), lookup: this.options.awsLookup }, onConnect);
    };
    return new Kafka({
      clientId: 'continuity-probe',
      brokers: [`${bootstrap.host}:${bootstrap.port}`],
      ssl: true,
      sasl: this.saslOptions(),
      socketFactory,
      connectionTimeout: this.options.connectTimeoutMs ?? CONNECT_TIMEOUT_MS,
      authenticationTimeout: 2000,
      requestTimeout: 2000,
      retry: { retries: 0 },
      logLevel: logLevel.NOTHING,
    });
  }

  /** A fresh object per client: kafkajs keeps its authenticator (and so the password) on the one it is given. */
  private saslOptions(): SASLOptions {
    const sasl = this.options.sasl ?? { mechanism: 'aws-msk-iam' };
    if (sasl.mechanism === 'scram-sha-512') return { mechanism: 'scram-sha-512', username: sasl.username, password: sasl.password };
    const { region } = this.options;
    return {
      mechanism: 'oauthbearer',
      oauthBearerProvider: async () => ({ value: (await generateAuthTokenFromCredentialsProvider({ region, awsCredentialsProvider: staticCredentials() })).token }),
    };
  }

  private trust(): string[] {
    return [this.options.network.ca.pem, ...(this.options.extraCa ?? [])];
  }

  private fail(sample: string, what: string): void {
    this.figures.failed++;
    this.figures.failedBy[what] = (this.figures.failedBy[what] ?? 0) + 1;
    // Node's wording when the certificate is refused: "Hostname/IP does not match certificate's altnames", "unable to verify …".
    if (/altnames|certificate|unable to verify/i.test(sample)) {
      this.figures.tlsFailed = (this.figures.tlsFailed ?? 0) + 1;
      (this.figures.tlsFailedBy ??= {})[what] = (this.figures.tlsFailedBy[what] ?? 0) + 1;
    }
    if (this.figures.samples.length < 5) this.figures.samples.push(sample);
  }

  private noteOutage(broker: string, ms: number): void {
    if (ms >= this.figures.longestOutageMs && ms > 0) {
      this.figures.longestOutageMs = ms;
      this.figures.longestOutageBroker = broker;
    }
  }
}

function blank(): ProbeFigures {
  return { rounds: 0, connections: 0, failed: 0, longestOutageMs: 0, samples: [], advertised: [], failedBy: {} };
}

export function formatProbe(f: ProbeFigures): string {
  const outage = f.longestOutageMs ? `; longest outage ${Math.round(f.longestOutageMs / 1000)} s (${f.longestOutageBroker})` : '';
  const idle = f.idle && (f.idle.reused || f.idle.closedByClient) ? `; idle connections: ${f.idle.reused} reused, ${f.idle.reset} reset by the NLB, ${f.idle.closedByClient} closed by the client first` : '';
  return `client probe: ${f.rounds} rounds, ${f.connections} connections, ${f.failed} failed${outage}${idle}`;
}
