// The server side of SASL SCRAM-SHA-512 (RFC 5802, RFC 7677 for the hash), as MSK's SASL/SCRAM
// listener runs it (Kafka's ScramSaslServer). Written from the RFC with node:crypto, not from
// kafkajs' client code: a shared misreading would otherwise pass unnoticed.
//
// Like Kafka, the store keeps only what RFC 5802 section 3 says a server keeps (salt, StoredKey,
// ServerKey, iteration count), never the password; credentials are derived once when the test
// configures them (on MSK they come from an AmazonMSK_ secret in Secrets Manager: not modelled).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

export const SCRAM_SHA_512 = 'SCRAM-SHA-512';

/** SCRAM user name -> password, as the test configures them. */
export type ScramCredentialStore = Readonly<Record<string, string>>;

interface ScramCredential {
  salt: Buffer;
  storedKey: Buffer;
  serverKey: Buffer;
  iterations: number;
}

/** Kafka's ScramMechanism minimum (and the kafka-configs default). */
const ITERATIONS = 4096;

const hmac = (key: Buffer, data: string | Buffer) => createHmac('sha512', key).update(data).digest();
const sha512 = (data: Buffer) => createHash('sha512').update(data).digest();

function derive(password: string, salt = randomBytes(32), iterations = ITERATIONS): ScramCredential {
  const salted = pbkdf2Sync(Buffer.from(password, 'utf8'), salt, iterations, 64, 'sha512');
  return { salt, iterations, storedKey: sha512(hmac(salted, 'Client Key')), serverKey: hmac(salted, 'Server Key') };
}

/** The derived credentials of a store (done once per cluster: PBKDF2 with 4096 rounds is not free). */
export function scramCredentials(store: ScramCredentialStore): ReadonlyMap<string, ScramCredential> {
  return new Map(Object.entries(store).map(([user, password]) => [user, derive(password)]));
}

/** RFC 5802 saslname: ',' and '=' travel as '=2C' and '=3D'; any other '=' is an error. */
function decodeSaslName(name: string): string | undefined {
  if (/=(?!2C|3D)/.test(name)) return undefined;
  return name.replace(/=2C/g, ',').replace(/=3D/g, '=');
}

/** `k=v,k=v` attributes of a SCRAM message, in order (values may contain '='). */
function attributes(message: string): [string, string][] | undefined {
  const out: [string, string][] = [];
  for (const part of message.split(',')) {
    const m = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!m) return undefined;
    out.push([m[1] as string, m[2] as string]);
  }
  return out;
}

export type SaslStep =
  | { kind: 'challenge'; bytes: Buffer }
  | { kind: 'done'; bytes: Buffer; principal: string }
  | { kind: 'fail'; reason: string };

/**
 * One SCRAM exchange: client-first -> server-first (challenge), client-final -> server-final.
 * Any failure ends it; the caller answers as Kafka does (one generic message, no detail: Kafka
 * does not tell a client whether the user exists).
 */
export class ScramServer {
  private state: 'first' | 'final' | 'over' = 'first';
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private user = '';
  private credential: ScramCredential | undefined;

  constructor(private readonly credentials: ReadonlyMap<string, ScramCredential>) {}

  step(message: Buffer): SaslStep {
    const text = message.toString('utf8');
    if (this.state === 'first') return this.first(text);
    if (this.state === 'final') return this.final(text);
    return { kind: 'fail', reason: 'exchange already complete' };
  }

  private fail(reason: string): SaslStep {
    this.state = 'over';
    return { kind: 'fail', reason };
  }

  private first(text: string): SaslStep {
    // gs2-header: only 'n,,' (no channel binding), as Kafka's ClientFirstMessage pattern. Kafka also
    // accepts an authzid equal to the user name (a=<user>); not modelled: refused here.
    const m = /^(n),,(.*)$/s.exec(text);
    if (!m) return this.fail(`unsupported gs2 header in client-first message ${JSON.stringify(text.slice(0, 20))}`);
    const bare = m[2] as string;
    const attrs = attributes(bare);
    // n=user,r=nonce[,extensions]: Kafka accepts extensions (e.g. tokenauth) after these two.
    if (!attrs || attrs[0]?.[0] !== 'n' || attrs[1]?.[0] !== 'r' || !attrs[1][1]) return this.fail('malformed client-first message');
    const user = decodeSaslName(attrs[0][1]);
    if (user === undefined) return this.fail('invalid user name encoding');
    const credential = this.credentials.get(user);
    if (!credential) return this.fail(`unknown user ${user}`);
    this.user = user;
    this.credential = credential;
    this.clientFirstBare = bare;
    this.nonce = attrs[1][1] + randomBytes(18).toString('base64url');
    this.serverFirst = `r=${this.nonce},s=${credential.salt.toString('base64')},i=${credential.iterations}`;
    this.state = 'final';
    return { kind: 'challenge', bytes: Buffer.from(this.serverFirst, 'utf8') };
  }

  private final(text: string): SaslStep {
    const credential = this.credential as ScramCredential;
    const attrs = attributes(text);
    const last = attrs?.[attrs.length - 1];
    if (!attrs || attrs[0]?.[0] !== 'c' || attrs[1]?.[0] !== 'r' || last?.[0] !== 'p') return this.fail('malformed client-final message');
    const binding = Buffer.from(attrs[0][1], 'base64').toString('utf8');
    if (binding !== 'n,,') return this.fail(`channel binding ${JSON.stringify(binding)} does not match the gs2 header`);
    // Kafka 3.x (ScramSaslServer, RECEIVE_CLIENT_FINAL_MESSAGE; the CVE-2024-56128 fix in 3.7.2/3.8.1/3.9)
    // checks clientFinalMessage.nonce().endsWith(serverFirstMessage.nonce()), not equality: librdkafka
    // before 2.6.1 sends r=<client nonce><client nonce + server nonce> (confluentinc/librdkafka#4895),
    // and its proof over that message is valid. Only Kafka 4.x compares with equals. Earlier 3.x did not
    // check the nonce at all; the proof below still binds the whole message either way.
    if (!attrs[1][1].endsWith(this.nonce)) return this.fail('nonce in client-final message does not end with the server nonce');
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    // ClientProof = ClientKey XOR HMAC(StoredKey, AuthMessage); the server checks H(ClientKey) == StoredKey.
    const proof = Buffer.from(last[1], 'base64');
    const signature = hmac(credential.storedKey, authMessage);
    if (proof.length !== signature.length) return this.fail('client proof has the wrong length');
    const clientKey = Buffer.from(proof.map((b, i) => b ^ (signature[i] as number)));
    if (!timingSafeEqual(sha512(clientKey), credential.storedKey)) return this.fail('client proof does not match (wrong password)');
    this.state = 'over';
    const serverSignature = hmac(credential.serverKey, authMessage).toString('base64');
    return { kind: 'done', bytes: Buffer.from(`v=${serverSignature}`, 'utf8'), principal: this.user };
  }
}
