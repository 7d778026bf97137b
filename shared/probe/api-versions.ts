// The smallest proof that a Kafka broker answers behind a name: a TLS connection with SNI,
// the certificate verified for that name, and a Kafka ApiVersions request answered without
// error. ApiVersions is the one request a broker must answer before authentication, so no
// credentials are needed. Used by `check --probe` and by the client-continuity probe in tests.
import { connect, type ConnectionOptions } from 'node:tls';
import { responsiveTimeout } from './responsive-timeout';

export interface ApiVersionsProbe {
  /** Where to connect (an address the name resolved to, or the name itself). */
  host: string;
  port: number;
  /** The name the certificate must be valid for, sent as SNI. */
  servername: string;
  /** Trusted CAs (default: the system's). */
  ca?: ConnectionOptions['ca'];
  timeoutMs?: number;
}

export type ProbeResult = { ok: true; ms: number } | { ok: false; ms: number; error: string };

const API_VERSIONS = 18;
const CLIENT_ID = 'msk-custom-domain-check';

/** ApiVersions v0: INT32 size | INT16 api key | INT16 version | INT32 correlation id | STRING client id. */
export function apiVersionsRequest(correlationId: number): Buffer {
  const client = Buffer.from(CLIENT_ID, 'utf8');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + client.length);
  body.writeInt16BE(API_VERSIONS, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(client.length, 8);
  client.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

export async function probeApiVersions(probe: ApiVersionsProbe): Promise<ProbeResult> {
  const started = Date.now();
  const correlationId = Math.floor(Math.random() * 0x7fffffff);
  return new Promise<ProbeResult>((resolve) => {
    let settled = false;
    let received = Buffer.alloc(0);
    const finish = (result: { ok: true } | { ok: false; error: string }) => {
      if (settled) return;
      settled = true;
      cancelTimeout();
      socket.destroy();
      resolve({ ...result, ms: Date.now() - started });
    };
    const socket = connect({ host: probe.host, port: probe.port, servername: probe.servername, ca: probe.ca, rejectUnauthorized: true, minVersion: 'TLSv1.2' }, () => {
      socket.write(apiVersionsRequest(correlationId));
    });
    const timeoutMs = probe.timeoutMs ?? 5000;
    const cancelTimeout = responsiveTimeout(timeoutMs, () => finish({ ok: false, error: `no answer within ${timeoutMs} ms` }));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 4 || received.length < 4 + received.readInt32BE(0)) return;
      if (received.length < 10) return finish({ ok: false, error: 'short ApiVersions response' });
      if (received.readInt32BE(4) !== correlationId) return finish({ ok: false, error: 'ApiVersions response with another correlation id' });
      const errorCode = received.readInt16BE(8);
      finish(errorCode === 0 ? { ok: true } : { ok: false, error: `ApiVersions error code ${errorCode}` });
    });
    socket.on('error', (e: NodeJS.ErrnoException) => finish({ ok: false, error: e.code ? `${e.code}: ${e.message}` : e.message }));
    socket.on('close', () => finish({ ok: false, error: 'connection closed before an ApiVersions answer' }));
  });
}
