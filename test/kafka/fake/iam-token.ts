// Verifies an MSK IAM OAUTHBEARER token the way MSK does: the token is an unpadded base64url
// SigV4-presigned URL for `kafka-cluster:Connect` on host kafka.<region>.amazonaws.com.
// Written from the SigV4 query-string signing rules, independently of the signer under test.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface IamCredential {
  secretAccessKey: string;
  /** Temporary credentials: the token must carry this X-Amz-Security-Token. */
  sessionToken?: string;
}

/** Access key id -> secret (or secret + session token). */
export type CredentialStore = Readonly<Record<string, string | IamCredential>>;

export type AuthFailureReason =
  | 'malformed'
  | 'wrong-action'
  | 'wrong-region'
  | 'unknown-access-key'
  | 'bad-session-token'
  | 'signature-mismatch'
  | 'expired'
  | 'not-yet-valid';

export type TokenCheck =
  | { ok: true; accessKeyId: string; signedAt: number; expiresAt: number }
  | { ok: false; reason: AuthFailureReason; detail: string };

const SERVICE = 'kafka-cluster';
/** Allowed clock skew for a token dated in the future (SigV4 uses 5 minutes). */
const MAX_SKEW_MS = 5 * 60 * 1000;
const EMPTY_SHA256 = createHash('sha256').update('').digest('hex');

const fail = (reason: AuthFailureReason, detail: string): TokenCheck => ({ ok: false, reason, detail });

/** RFC 3986 encoding, as SigV4 canonicalisation requires (encodeURIComponent leaves !'()* alone). */
function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data, 'utf8').digest();

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, se] = m.map(Number) as [number, number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

function parseQuery(search: string): Map<string, string> | undefined {
  const params = new Map<string, string>();
  for (const pair of search.replace(/^\?/, '').split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = decodeURIComponent(rawKey);
      value = decodeURIComponent(rawValue);
    } catch {
      return undefined;
    }
    if (params.has(key)) return undefined;
    params.set(key, value);
  }
  return params;
}

export function verifyMskIamToken(
  token: string,
  opts: { region: string; credentials: CredentialStore; now: number },
): TokenCheck {
  if (!/^[A-Za-z0-9_-]+$/.test(token)) return fail('malformed', 'token is not unpadded base64url');
  let url: URL;
  try {
    url = new URL(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    return fail('malformed', 'token does not decode to a URL');
  }
  if (url.protocol !== 'https:' || url.pathname !== '/') return fail('malformed', `unexpected URL ${url.protocol}//${url.host}${url.pathname}`);
  const q = parseQuery(url.search);
  if (!q) return fail('malformed', 'query string cannot be parsed (bad escape or repeated key)');

  const required = ['Action', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
  const missing = required.filter((k) => !q.has(k));
  if (missing.length) return fail('malformed', `missing ${missing.join(', ')}`);
  const get = (k: string) => q.get(k) as string;

  if (get('Action') !== 'kafka-cluster:Connect') return fail('wrong-action', `Action is ${get('Action')}`);
  if (get('X-Amz-Algorithm') !== 'AWS4-HMAC-SHA256') return fail('malformed', `algorithm ${get('X-Amz-Algorithm')}`);
  if (get('X-Amz-SignedHeaders') !== 'host') return fail('malformed', `signed headers ${get('X-Amz-SignedHeaders')}`);

  const scope = get('X-Amz-Credential').split('/');
  if (scope.length !== 5 || scope[3] !== SERVICE || scope[4] !== 'aws4_request') {
    return fail('malformed', `credential scope ${get('X-Amz-Credential')}`);
  }
  const [accessKeyId, scopeDate, scopeRegion] = scope as [string, string, string, string, string];
  const expectedHost = `kafka.${opts.region}.amazonaws.com`;
  if (scopeRegion !== opts.region || url.hostname !== expectedHost) {
    return fail('wrong-region', `signed for ${url.hostname} / ${scopeRegion}, cluster is in ${opts.region}`);
  }
  const amzDate = get('X-Amz-Date');
  const signedAt = parseAmzDate(amzDate);
  if (signedAt === undefined || amzDate.slice(0, 8) !== scopeDate) return fail('malformed', `X-Amz-Date ${amzDate}`);
  if (!/^\d{1,6}$/.test(get('X-Amz-Expires'))) return fail('malformed', `X-Amz-Expires ${get('X-Amz-Expires')}`);
  const expiresAt = signedAt + Number(get('X-Amz-Expires')) * 1000;

  const stored = opts.credentials[accessKeyId];
  if (stored === undefined) return fail('unknown-access-key', `no such access key ${accessKeyId}`);
  const cred: IamCredential = typeof stored === 'string' ? { secretAccessKey: stored } : stored;
  if ((cred.sessionToken ?? null) !== (q.get('X-Amz-Security-Token') ?? null)) {
    return fail('bad-session-token', 'session token missing or different');
  }

  // Canonical request of a presigned GET: everything but the signature (and the User-Agent the
  // MSK signer appends after signing) is signed, sorted by encoded key.
  const canonicalQuery = [...q.entries()]
    .filter(([k]) => k !== 'X-Amz-Signature' && k !== 'User-Agent')
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonicalRequest = ['GET', '/', canonicalQuery, `host:${url.host}`, '', 'host', EMPTY_SHA256].join('\n');
  const stringToSign = [
    'AWS4-HMAC-SHA256',
    amzDate,
    `${scopeDate}/${scopeRegion}/${SERVICE}/aws4_request`,
    createHash('sha256').update(canonicalRequest, 'utf8').digest('hex'),
  ].join('\n');
  const key = hmac(hmac(hmac(hmac(`AWS4${cred.secretAccessKey}`, scopeDate), scopeRegion), SERVICE), 'aws4_request');
  const expected = Buffer.from(hmac(key, stringToSign).toString('hex'));
  const given = Buffer.from(get('X-Amz-Signature'));
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return fail('signature-mismatch', 'signature does not match');
  }

  if (opts.now + MAX_SKEW_MS < signedAt) return fail('not-yet-valid', `signed at ${amzDate}, in the future`);
  if (opts.now > expiresAt) return fail('expired', `expired at ${new Date(expiresAt).toISOString()}`);
  return { ok: true, accessKeyId, signedAt, expiresAt };
}
