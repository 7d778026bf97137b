// The data path a Kafka client takes, made of real sockets on loopback: each NLB node (one per
// AZ) is a loopback address with a real TCP server per listener port. A connection is admitted
// or silently dropped by the load balancer's security groups, TLS is terminated with a
// certificate for the names the listener's ACM certificate covers (issued by a test CA), and
// the plaintext is forwarded, re-encrypted, to the target the ELBv2 model picks for that node
// (cross-zone, health, draining), which a backend lookup maps to a real socket (a fake broker).
// Names resolve through the world's Route 53 records and NLB DNS rules; nothing touches the
// machine's resolver.
import { createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext, TLSSocket, type SecureContext } from 'node:tls';
import type { AwsWorld } from './index';
import { decodeName } from './route53';
import { TestCa } from './test-ca';

export interface Backend {
  host: string;
  port: number;
}

/**
 * The client listener an MSK broker serves on each of its ports: the NLB's target ports (MSK
 * developer guide, "Port information"). The world's own copy, not the tool's table, so a wrong
 * port in the tool shows up as a target nothing answers on.
 */
export const MSK_BROKER_PORTS: Readonly<Record<number, string>> = {
  9098: 'CLIENT_IAM',
  9096: 'CLIENT_SASL_SCRAM',
  9094: 'CLIENT_SECURE',
  9198: 'CLIENT_IAM_PUBLIC',
  9196: 'CLIENT_SASL_SCRAM_PUBLIC',
  9194: 'CLIENT_SECURE_PUBLIC',
};

/** Where a broker really runs: one host, a socket per client listener it serves. */
export interface BrokerSockets {
  host: string;
  ports: Readonly<Partial<Record<string, number>>>;
}

/**
 * A `backend` for brokers with a socket per listener: the target port names the listener (9096
 * SCRAM, 9098 IAM, …) and the broker with that VPC address answers on that listener's socket.
 * A port whose listener the broker does not serve answers nowhere, as on MSK with that access
 * method disabled.
 */
export function brokerListenerBackend(brokerAt: (ip: string) => BrokerSockets | undefined): (ip: string, port: number) => Backend | undefined {
  return (ip, port) => {
    const listener = MSK_BROKER_PORTS[port];
    const broker = listener ? brokerAt(ip) : undefined;
    const socket = listener ? broker?.ports[listener] : undefined;
    return broker && socket !== undefined ? { host: broker.host, port: socket } : undefined;
  };
}

export interface ClientNetworkOptions {
  world: AwsWorld;
  lbArn: string;
  /**
   * Further NLBs the clients reach (brokers spread over several, or a cluster moving to another),
   * read on every change: each gets node addresses of its own.
   */
  moreLoadBalancers?: () => string[];
  /** Where a VPC address really answers (a fake broker), or undefined when nothing does. */
  backend: (ip: string, port: number) => Backend | undefined;
  /** The client's address as the security groups see it (default: inside the VPC). */
  clientIp?: string;
}

export type Resolution = { ok: true; addresses: string[]; ttl: number } | { ok: false; error: string };

let blocks = 0;

/** A fresh 127.x.y.0/24-style block per network, so parallel test files never share a port. */
function nodeBlock(): string {
  const worker = Number(process.env.JEST_WORKER_ID ?? 0);
  const n = blocks++;
  return `127.${100 + (worker % 100)}.${(process.pid + n) % 250}`;
}

let sharedCa: TestCa | undefined;
/** One CA per process: issuing is the slow part (RSA keys), and its trust is all a client needs. */
export function testCa(): TestCa {
  return (sharedCa ??= new TestCa());
}

export class ClientNetwork {
  readonly ca = testCa();
  readonly clientIp: string;
  /** A loopback block per NLB, first come first served. */
  private readonly blocks = new Map<string, string>();
  private readonly servers = new Map<string, Server>();
  private readonly sockets = new Set<Socket>();
  private readonly contexts = new Map<string, SecureContext>();
  /** Connections reset because they sent data after the TLS idle timeout. */
  idleCuts = 0;

  constructor(private readonly options: ClientNetworkOptions) {
    this.clientIp = options.clientIp ?? '10.0.200.10';
    const { elbv2 } = options.world;
    // Health checks come from the NLB's nodes: a target answers only when every node of an NLB gets through.
    elbv2.reachable = (ip, port) => this.loadBalancers.some((lb) => this.zonesOf(lb).every((zone) => this.target(ip, port, zone, lb) !== undefined));
    elbv2.onListenersChanged = () => this.sync();
    this.sync();
  }

  get zones(): string[] {
    return this.zonesOf(this.options.lbArn);
  }

  /** Every NLB the clients reach: the scenario's own, then the further ones that exist. */
  get loadBalancers(): string[] {
    const { elbv2 } = this.options.world;
    return [...new Set([this.options.lbArn, ...(this.options.moreLoadBalancers?.() ?? [])])].filter((arn) => elbv2.loadBalancer(arn));
  }

  private zonesOf(lbArn: string): string[] {
    return this.options.world.elbv2.nodeZones(lbArn);
  }

  private blockOf(lbArn: string): string {
    let block = this.blocks.get(lbArn);
    if (!block) this.blocks.set(lbArn, (block = nodeBlock()));
    return block;
  }

  /** The loopback address standing for the node in `zone` of the NLB (default the scenario's own). */
  nodeAddress(zone: string, lbArn = this.options.lbArn): string {
    return `${this.blockOf(lbArn)}.${this.zonesOf(lbArn).indexOf(zone) + 1}`;
  }

  zoneOf(address: string): string | undefined {
    for (const lb of this.loadBalancers) {
      const zone = this.zonesOf(lb).find((z) => this.nodeAddress(z, lb) === address);
      if (zone) return zone;
    }
    return undefined;
  }

  /** A name as a client resolves it: Route 53 records, alias A records to the NLB (or a VPC endpoint before it) as NLB DNS answers. */
  resolve(name: string): Resolution {
    const wanted = decodeName(name);
    const { route53, elbv2 } = this.options.world;
    for (const zoneId of route53.zoneIds()) {
      const records = route53.records(zoneId).filter((r) => decodeName(r.Name!) === wanted);
      const a = records.find((r) => r.Type === 'A');
      const cname = records.find((r) => r.Type === 'CNAME');
      const target = a?.AliasTarget?.DNSName ?? cname?.ResourceRecords?.[0]?.Value;
      if (!target) continue;
      // Through a VPC endpoint the client reaches the endpoint's addresses in its own VPC, which
      // PrivateLink forwards to the service's NLB: modelled as that NLB's nodes.
      const lb = elbv2.findByDnsName(target) ?? this.options.world.ec2.loadBalancersBehind(target).map((arn) => elbv2.loadBalancer(arn)).find((l) => l);
      if (!lb) return { ok: false, error: `${name} points at ${target}, which is neither a load balancer nor an available VPC endpoint of this world` };
      const ttl = a?.AliasTarget ? 60 : cname?.TTL ?? 60;
      return { ok: true, addresses: elbv2.dnsZones(lb.LoadBalancerArn!).map((z) => this.nodeAddress(z, lb.LoadBalancerArn!)), ttl };
    }
    return { ok: false, error: `getaddrinfo ENOTFOUND ${name}` };
  }

  async stop(): Promise<void> {
    const { elbv2 } = this.options.world;
    elbv2.onListenersChanged = undefined;
    elbv2.reachable = undefined;
    for (const s of this.sockets) s.destroy();
    await Promise.all([...this.servers.values()].map((server) => new Promise<void>((resolve) => server.close(() => resolve()))));
    this.servers.clear();
  }

  /** One server per (NLB, node, listener port): listening synchronously, so a listener is usable as soon as the API says so. */
  private sync(): void {
    const { elbv2 } = this.options.world;
    const wanted = new Set(
      this.loadBalancers.flatMap((lb) => {
        const ports = elbv2.listeners(lb).map((l) => l.Port!);
        // Issue each listener's certificate now, not on its first connection: making an RSA key blocks
        // the event loop for a moment, which would time out the client connections waiting on it.
        for (const port of ports) this.contextFor(lb, port);
        return this.zonesOf(lb).flatMap((zone) => ports.map((port) => `${lb}|${zone}|${port}`));
      }),
    );
    for (const [key, server] of this.servers) {
      if (!wanted.has(key)) {
        server.close();
        this.servers.delete(key);
      }
    }
    for (const key of wanted) {
      if (this.servers.has(key)) continue;
      const [lb, zone, port] = key.split('|');
      const server = createServer((socket) => this.accept(lb, zone, Number(port), socket));
      server.on('error', (e) => console.error(`embedded NLB node ${zone} :${port}: ${e.message}`));
      server.listen({ host: this.nodeAddress(zone, lb), port: Number(port) });
      this.servers.set(key, server);
    }
  }

  private track(socket: Socket): void {
    this.sockets.add(socket);
    socket.on('close', () => this.sockets.delete(socket));
    socket.on('error', () => undefined);
  }

  private accept(lbArn: string, zone: string, port: number, socket: Socket): void {
    this.track(socket);
    // A forwarding hop: small Kafka frames must not wait for Nagle and delayed ACKs.
    socket.setNoDelay(true);
    const { world } = this.options;
    const groups = world.elbv2.securityGroupsOf(lbArn);
    // Not admitted: packets are dropped, so the client sees nothing at all until it gives up.
    if (groups.length && !world.ec2.admits(groups, { ip: this.clientIp }, port)) return;
    const route = world.elbv2.route(lbArn, port, zone);
    if (!route.ok) return void socket.resetAndDestroy();
    const context = this.contextFor(lbArn, port);
    if (!context) return void socket.resetAndDestroy();
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
    this.track(tls);
    tls.once('secure', () => {
      const backend = this.target(route.target.ip, route.target.port, zone, lbArn);
      if (!backend) return void socket.resetAndDestroy();
      // NLB TLS target groups re-encrypt to the target and do not verify its certificate.
      const upstream = tlsConnect({ host: backend.host, port: backend.port, rejectUnauthorized: false });
      upstream.setNoDelay(true);
      this.track(upstream);
      upstream.on('error', () => tls.destroy());
      tls.on('error', () => upstream.destroy());
      tls.on('close', () => upstream.destroy());
      upstream.on('close', () => tls.destroy());
      this.forwardWithIdleCut(socket, tls, upstream);
    });
  }

  /**
   * Bytes both ways, under the TLS listener's fixed idle timeout (350 s, aws-timing.ts): once a
   * connection has carried nothing for that long in world time, the NLB has forgotten it, and
   * whichever side sends next gets a TCP RST ("If a client or a target sends data after the idle
   * timeout period elapses, it receives a TCP RST packet", NLB guide).
   */
  private forwardWithIdleCut(client: Socket, tls: TLSSocket, upstream: TLSSocket): void {
    const { world } = this.options;
    let last = world.now();
    const forward = (from: TLSSocket, to: TLSSocket) =>
      from.on('data', (chunk: Buffer) => {
        if (world.now() - last >= world.timing.tlsIdleTimeoutMs) {
          this.idleCuts++;
          client.resetAndDestroy();
          upstream.destroy();
          return;
        }
        last = world.now();
        to.write(chunk);
      });
    forward(tls, upstream);
    forward(upstream, tls);
  }

  /**
   * Where a connection from the node in `zone` to a target really lands, or undefined when nothing
   * answers: a broker serves the public listeners (91xx) only with the cluster's public access on,
   * and its security groups must admit the node, whose source address is its own private IP (client
   * IP preservation is off for IP targets) and which carries the NLB's security groups.
   */
  private target(ip: string, port: number, zone: string, lbArn: string): Backend | undefined {
    const { world } = this.options;
    const broker = world.msk.brokerAt(ip);
    if (broker) {
      if (MSK_BROKER_PORTS[port]?.endsWith('_PUBLIC') && broker.publicAccess !== 'SERVICE_PROVIDED_EIPS') return undefined;
      const node = { ip: this.nodePrivateIp(zone, lbArn), groupIds: world.elbv2.securityGroupsOf(lbArn) };
      if (!world.ec2.admits(broker.securityGroups, node, port)) return undefined;
    }
    return this.options.backend(ip, port);
  }

  /** The VPC address of the node in `zone`: one in the subnet the NLB has there (the subnet's .5, modelled). */
  nodePrivateIp(zone: string, lbArn = this.options.lbArn): string {
    const { world } = this.options;
    const lb = world.elbv2.loadBalancer(lbArn);
    const subnetId = lb?.AvailabilityZones?.find((z) => z.ZoneName === zone)?.SubnetId;
    const cidr = world.ec2.subnets(lb?.VpcId).find((s) => s.SubnetId === subnetId)?.CidrBlock;
    if (!cidr) throw new Error(`AwsWorld: the load balancer has no subnet in ${zone}`);
    const [a, b, c] = cidr.split('/')[0].split('.');
    return `${a}.${b}.${c}.5`;
  }

  /** The listener's certificate as the test CA issues it for the names of its ACM certificate. */
  private contextFor(lbArn: string, port: number): SecureContext | undefined {
    const { world } = this.options;
    const listener = world.elbv2.listeners(lbArn).find((l) => l.Port === port);
    const arn = listener?.Certificates?.[0]?.CertificateArn;
    const acm = arn ? world.acm.certificate(arn) : undefined;
    if (!arn || !acm) return undefined;
    const names = [acm.DomainName!, ...(acm.SubjectAlternativeNames ?? []).filter((n) => n !== acm.DomainName)];
    const id = names.join(',');
    let context = this.contexts.get(id);
    if (!context) {
      const { key, cert } = this.ca.issue(names);
      context = createSecureContext({ key, cert, minVersion: 'TLSv1.2' });
      this.contexts.set(id, context);
    }
    return context;
  }
}
