// Small helpers shared by the service models: deterministic ids, AWS-shaped errors, paging.
import { createHash } from 'node:crypto';
import type { AwsTiming } from './aws-timing';

/** Output of a command without the $metadata the dispatcher adds. */
export type Out<T> = Omit<T, '$metadata'>;

/** Who sends a call: the account that answers it (told apart by the signing access key, see sts.ts). */
export interface Caller {
  accountId: string;
  arn: string;
}

/** A model's command table: SDK command class name -> handler of the command's input (and, for account-aware services, its caller). */
export type Handlers = Record<string, (input: any, caller: Caller) => object>;

export type ServiceName = 'kafka' | 'elbv2' | 'route53' | 'acm' | 'cloudwatch' | 'ec2' | 'sts';

/** What every model needs to know about the world it lives in. */
export interface Env {
  region: string;
  accountId: string;
  ids: IdGen;
  /** Milliseconds; Date.now() unless a test swaps it. */
  now(): number;
  /** AWS's delays (registration, stale routing, idle cut, CloudTrail): aws-timing.ts. */
  timing: AwsTiming;
}

/**
 * Deterministic ids: the same world seeded the same way produces the same ARNs, which
 * keeps test failures and demo output reproducible.
 */
export class IdGen {
  private n = 0;
  constructor(private readonly seed = 'aws-world') {}

  /** `len` lower-case hex characters. */
  hex(len: number): string {
    let out = '';
    while (out.length < len) {
      out += createHash('sha256').update(`${this.seed}:${this.n++}`).digest('hex');
    }
    return out.slice(0, len);
  }

  /** Upper-case alphanumerics, as in Route 53 zone and change ids. */
  upper(len: number): string {
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
    const bytes = Buffer.from(this.hex(len * 2), 'hex');
    return [...bytes].map((b) => alphabet[b % alphabet.length]).join('');
  }

  uuid(): string {
    const h = this.hex(32);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

let requestCounter = 0;

/** Response metadata as the SDK reports it for a successful single-attempt call. */
export function metadata(httpStatusCode = 200) {
  return { httpStatusCode, requestId: `world-${++requestCounter}`, attempts: 1, totalRetryDelay: 0 };
}

type ErrorCtor<E> = new (opts: any) => E;

export type Protocol = 'query' | 'rest-xml' | 'rest-json' | 'json';

/**
 * Builds an exception the way the SDK's deserializer does: the service's own class, its
 * `name`, `message`, `$fault`, `$metadata`, and for the XML/query protocols the
 * `Code`/`Type`/`Error` fields the SDK copies from the error body (code that checks
 * `err.Code === 'DuplicateListener'` keeps working).
 */
export function awsError<E extends Error>(
  Ctor: ErrorCtor<E>,
  protocol: Protocol,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  status = 400,
): E {
  return withWireFields(new Ctor({ $metadata: metadata(status), message, ...extra }), protocol, code, message, status);
}

/**
 * An error the service model does not declare (ValidationError, Throttling …): the SDK
 * throws the service's base exception class with `name` set to the wire error code.
 */
export function unmodelledError<E extends Error>(
  Base: ErrorCtor<E>,
  protocol: Protocol,
  code: string,
  message: string,
  status = 400,
): E {
  const fault = status >= 500 ? 'server' : 'client';
  return withWireFields(new Base({ name: code, $fault: fault, $metadata: metadata(status), message }), protocol, code, message, status);
}

function withWireFields<E extends Error>(err: E, protocol: Protocol, code: string, message: string, status: number): E {
  if (protocol === 'query' || protocol === 'rest-xml') {
    const type = status >= 500 ? 'Receiver' : 'Sender';
    Object.assign(err, { Type: type, Code: code, Error: { Type: type, Code: code, Message: message } });
  }
  return err;
}

/** One page of `items` starting at an opaque numeric token. */
export function page<T>(items: T[], token: string | undefined, size: number): { items: T[]; next?: string } {
  const start = token ? Number(Buffer.from(token, 'base64').toString('utf8')) : 0;
  const slice = items.slice(start, start + size);
  const nextIndex = start + size;
  return { items: slice, next: nextIndex < items.length ? Buffer.from(String(nextIndex)).toString('base64') : undefined };
}

/** True when `token` is one `page` could have produced. */
export function validToken(token: string | undefined): boolean {
  if (token === undefined) return true;
  const n = Number(Buffer.from(token, 'base64').toString('utf8'));
  return Number.isInteger(n) && n >= 0;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Tags as ELBv2/CloudWatch lists them, from a plain record. */
export function tagList(tags: Record<string, string>): { Key: string; Value: string }[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

export function tagRecord(tags: { Key?: string; Value?: string }[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags ?? []) if (t.Key !== undefined) out[t.Key] = t.Value ?? '';
  return out;
}

/**
 * Deep copy so callers can never mutate the world's state through a response or an input.
 * Not structuredClone: under jest that builds Dates and Uint8Arrays of Node's own realm,
 * which then fail `instanceof Date` and `expect.any(Date)` inside the test sandbox.
 */
export function clone<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (Object.prototype.toString.call(value) === '[object Date]') return new Date((value as Date).getTime());
  if (ArrayBuffer.isView(value)) return new Uint8Array(value.buffer.slice(value.byteOffset, value.byteOffset + value.byteLength));
  if (Array.isArray(value)) return value.map(copy);
  // Absent members are absent, not `undefined`, in what the SDK returns.
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, copy(v)]));
}
