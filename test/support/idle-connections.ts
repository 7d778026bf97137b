// A client's long-lived connections, one per broker, as Kafka clients keep them: opened once,
// used now and then, and closed by the client itself only after `connections.max.idle.ms`
// (Java's default: 540 s). Through an NLB TLS listener, a connection idle for 350 s has been
// forgotten by the load balancer (aws-timing.ts), so the next request on it is reset: this is
// how the probe shows what that costs a client, and that a client idle limit below 350 s avoids it.
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import type { Clock } from '../../shared/clock';
import { apiVersionsRequest } from '../../shared/probe/api-versions';
import { responsiveTimeout } from '../../shared/probe/responsive-timeout';

/** Java's default connections.max.idle.ms (Kafka client configs): 9 minutes. */
export const JAVA_DEFAULT_MAX_IDLE_MS = 540_000;

export interface IdleFigures {
  /** Requests sent on a connection that had been idle since its last use. */
  reused: number;
  /** Of those, how many were reset (the NLB had cut the connection). */
  reset: number;
  /** Connections the client closed itself first, having been idle longer than its limit. */
  closedByClient: number;
}

interface Held {
  socket: TLSSocket;
  lastUsed: number;
  pending?: { correlationId: number; done: (error?: string) => void };
  received: Buffer;
}

export class IdleConnections {
  private readonly held = new Map<string, Held>();
  private figures = blankIdle();
  private correlation = 1;

  constructor(private readonly options: { clock: Clock; maxIdleMs: number; ca: string[]; timeoutMs?: number }) {}

  take(): IdleFigures {
    const out = this.figures;
    this.figures = blankIdle();
    return out;
  }

  /** One request to `label` (a broker's host:port) over the held connection, or a new one at `address`. */
  async use(label: string, address: string, port: number, servername: string): Promise<void> {
    const now = this.options.clock.now();
    let held = this.held.get(label);
    if (held && now - held.lastUsed >= this.options.maxIdleMs) {
      // The client's own idle limit: it closes the connection before the NLB's cut can bite.
      this.figures.closedByClient++;
      this.drop(label);
      held = undefined;
    }
    if (held) {
      this.figures.reused++;
      const error = await this.request(held);
      if (error) {
        this.figures.reset++;
        this.drop(label);
      } else held.lastUsed = now;
      return;
    }
    const opened = await this.open(address, port, servername);
    if (!opened) return; // reachability is the continuity probe's own figure
    const error = await this.request(opened);
    if (error) return void opened.socket.destroy();
    opened.lastUsed = now;
    this.held.set(label, opened);
  }

  /** Brokers no longer advertised are forgotten, as a client drops them from its metadata. */
  keepOnly(labels: Set<string>): void {
    for (const label of [...this.held.keys()]) if (!labels.has(label)) this.drop(label);
  }

  closeAll(): void {
    for (const label of [...this.held.keys()]) this.drop(label);
  }

  private drop(label: string): void {
    this.held.get(label)?.socket.destroy();
    this.held.delete(label);
  }

  private open(address: string, port: number, servername: string): Promise<Held | undefined> {
    return new Promise((resolve) => {
      const socket = tlsConnect({ host: address, port, servername, ca: this.options.ca, minVersion: 'TLSv1.2' });
      const held: Held = { socket, lastUsed: 0, received: Buffer.alloc(0) };
      const cancelTimeout = responsiveTimeout(this.options.timeoutMs ?? 1500, () => fail());
      const fail = () => {
        cancelTimeout();
        socket.destroy();
        resolve(undefined);
      };
      socket.once('secureConnect', () => {
        cancelTimeout();
        socket.removeListener('error', fail);
        this.watch(held);
        resolve(held);
      });
      socket.once('error', fail);
    });
  }

  /** Reads ApiVersions answers and connection ends for the request in flight. */
  private watch(held: Held): void {
    const settle = (error?: string) => {
      const pending = held.pending;
      held.pending = undefined;
      pending?.done(error);
    };
    held.socket.on('data', (chunk: Buffer) => {
      held.received = Buffer.concat([held.received, chunk]);
      while (held.received.length >= 4 && held.received.length >= 4 + held.received.readInt32BE(0)) {
        const frame = held.received.subarray(4, 4 + held.received.readInt32BE(0));
        held.received = held.received.subarray(4 + frame.length);
        const ok = frame.length >= 6 && frame.readInt32BE(0) === held.pending?.correlationId && frame.readInt16BE(4) === 0;
        settle(ok ? undefined : 'unexpected ApiVersions answer');
      }
    });
    held.socket.on('error', (e: NodeJS.ErrnoException) => settle(e.code ?? e.message));
    held.socket.on('close', () => settle('connection closed'));
  }

  private request(held: Held): Promise<string | undefined> {
    if (held.socket.destroyed) return Promise.resolve('connection closed');
    return new Promise((resolve) => {
      const correlationId = this.correlation++;
      const cancelTimeout = responsiveTimeout(this.options.timeoutMs ?? 1500, () => done('no answer'));
      const done = (error?: string) => {
        cancelTimeout();
        resolve(error);
      };
      held.pending = { correlationId, done };
      held.socket.write(apiVersionsRequest(correlationId));
    });
  }
}

function blankIdle(): IdleFigures {
  return { reused: 0, reset: 0, closedByClient: 0 };
}
