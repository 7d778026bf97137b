import { afterEach, expect, test } from '@jest/globals';
import { ElasticLoadBalancingV2Client, ModifyListenerCommand } from '@aws-sdk/client-elastic-load-balancing-v2';
import { connect, type TLSSocket } from 'node:tls';
import { createKafkaScenario, type KafkaScenario } from '../support/kafka-scenario';

// The world's NLB terminates TLS with the certificate its listener presents at the moment a
// connection arrives: a ModifyListener certificate change reaches NEW connections only, and an
// established connection keeps its session and keeps working.

let s: KafkaScenario | undefined;
afterEach(async () => s?.stop());

/** ApiVersions v0: the smallest request a broker answers. */
function apiVersionsRequest(correlationId: number): Buffer {
  const clientId = Buffer.from('swap-test');
  const body = Buffer.alloc(2 + 2 + 4 + 2 + clientId.length);
  body.writeInt16BE(18, 0);
  body.writeInt16BE(0, 2);
  body.writeInt32BE(correlationId, 4);
  body.writeInt16BE(clientId.length, 8);
  clientId.copy(body, 10);
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length, 0);
  return Buffer.concat([size, body]);
}

function answers(socket: TLSSocket, correlationId: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), 3000);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      resolve(chunk.length >= 8 && chunk.readInt32BE(4) === correlationId);
    });
    socket.once('close', () => resolve(false));
    socket.write(apiVersionsRequest(correlationId));
  });
}

function open(sc: KafkaScenario, host: string, port: number, verify: boolean): Promise<TLSSocket> {
  const resolved = sc.network.resolve(host);
  if (!resolved.ok) throw new Error(resolved.error);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: resolved.addresses[0], port, servername: host, ca: [sc.network.ca.pem], rejectUnauthorized: verify }, () => resolve(socket));
    socket.once('error', reject);
  });
}

test('a certificate swap reaches new connections only; an established one keeps its session and is answered', async () => {
  s = await createKafkaScenario({ brokerIds: [1, 2, 3], config: { advertisedListeners: 'none' } });
  await s.reconcile();
  await s.pass(120_000);
  const host = 'bootstrap.kafka.example.com';
  const before = await open(s, host, 9000, true);
  expect(before.getPeerCertificate().subjectaltname).toContain("DNS:*.kafka.example.com");
  expect(await answers(before, 1)).toBe(true);

  const other = s.world.acm.addCertificate({ domainName: 'other.example.com' });
  const listener = s.world.elbv2.listeners(s.lbArn).find((l) => l.Port === 9000)!;
  await new ElasticLoadBalancingV2Client({ region: 'eu-west-1' }).send(new ModifyListenerCommand({ ListenerArn: listener.ListenerArn, Certificates: [{ CertificateArn: other }] }));

  // The established connection: same session, still answered.
  expect(await answers(before, 2)).toBe(true);
  // A new one gets the new certificate, which does not name the host: a verifying client fails.
  const after = await open(s, host, 9000, false);
  expect(after.getPeerCertificate().subjectaltname).toBe('DNS:other.example.com');
  after.destroy();
  await expect(open(s, host, 9000, true)).rejects.toThrow(/altnames|Hostname/);
  before.destroy();
}, 60_000);
