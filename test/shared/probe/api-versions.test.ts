// The probe's timeout measures the broker's silence, not the prober's own stalls.
import { afterEach, expect, test } from '@jest/globals';
import { createServer as createTlsServer, type Server } from 'node:tls';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { probeApiVersions } from '../../../shared/probe/api-versions';
import { TestCa } from '../../world/test-ca';

const servers: (Server | TcpServer)[] = [];
const held: Socket[] = [];
afterEach(() => {
  for (const s of held.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

const ca = new TestCa();
const NAME = 'b-1.kafka.example.com';

/** A broker that answers ApiVersions with error code 0 at once. */
async function answeringBroker(): Promise<number> {
  const leaf = ca.issue([NAME]);
  const server = createTlsServer({ key: leaf.key, cert: leaf.cert }, (socket) => {
    socket.on('data', (request: Buffer) => {
      const answer = Buffer.alloc(10);
      answer.writeInt32BE(6, 0);
      request.copy(answer, 4, 8, 12); // the correlation id
      answer.writeInt16BE(0, 8);
      socket.write(answer);
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Accepts the TCP connection and never says a word (a dropping security group looks the same to TLS). */
async function silentPeer(): Promise<number> {
  const server = createTcpServer((socket) => void held.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

/** Holds the event loop, as a loaded machine or a long GC pause does. */
const stall = (ms: number) => {
  const until = Date.now() + ms;
  while (Date.now() < until) { /* busy */ }
};

test('a prober whose event loop stood still longer than the timeout still reads the answer that was waiting', async () => {
  const port = await answeringBroker();
  const result = probeApiVersions({ host: '127.0.0.1', port, servername: NAME, ca: [ca.pem], timeoutMs: 300 });
  stall(800); // before the connection even started: every step of it comes after the pause
  expect(await result).toMatchObject({ ok: true });
});

test('a peer that never answers is reported after about the timeout', async () => {
  const port = await silentPeer();
  const result = await probeApiVersions({ host: '127.0.0.1', port, servername: NAME, ca: [ca.pem], timeoutMs: 300 });
  expect(result).toMatchObject({ ok: false, error: 'no answer within 300 ms' });
  expect(result.ms).toBeGreaterThanOrEqual(300);
  expect(result.ms).toBeLessThan(2000);
});
