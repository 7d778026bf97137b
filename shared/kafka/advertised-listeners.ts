// Parsing and editing of a broker's `advertised.listeners` value (`NAME://host:port,...`).
// Pure. Edits are surgical: replaceListener rewrites one entry and leaves every other byte of the
// value alone, because the other entries (REPLICATION, REPLICATION_SECURE, other client listeners)
// belong to MSK and must survive a round trip exactly.

export type ClientAuthentication = 'iam' | 'scram' | 'tls';

/** The MSK client listener each authentication uses. */
export const CLIENT_LISTENER_BY_AUTH: Readonly<Record<ClientAuthentication, string>> = {
  iam: 'CLIENT_IAM',
  scram: 'CLIENT_SASL_SCRAM',
  tls: 'CLIENT_SECURE',
};

export function clientListenerName(authentication: ClientAuthentication): string {
  return CLIENT_LISTENER_BY_AUTH[authentication];
}

export class AdvertisedListenersError extends Error {
  override name = 'AdvertisedListenersError';
}

export interface ListenerEndpoint {
  /** Listener name as written in the value (Kafka compares names case-insensitively). */
  name: string;
  /** Host name or IP, without brackets; '' means "the broker's default host". */
  host: string;
  port: number;
}

interface Segment {
  /** The comma-separated piece exactly as in the value, surrounding blanks included. */
  raw: string;
  entry?: ListenerEndpoint;
}

// Kafka's EndPoint syntax: NAME://host:port, IPv6 hosts in brackets.
const ENTRY = /^([A-Za-z0-9_.-]+):\/\/(?:\[([0-9A-Fa-f:.%A-Za-z]*:[0-9A-Fa-f:.%A-Za-z]*)\]|([A-Za-z0-9_.-]*)):(\d{1,5})$/;

function parseEntry(text: string, whole: string): ListenerEndpoint {
  const m = ENTRY.exec(text);
  const port = m ? Number(m[4]) : NaN;
  if (!m || port > 65535) {
    throw new AdvertisedListenersError(`cannot parse advertised.listeners entry "${text}" in "${whole}": expected NAME://host:port (IPv6 hosts in brackets)`);
  }
  return { name: m[1] as string, host: (m[2] ?? m[3]) as string, port };
}

function segments(value: string): Segment[] {
  return value.split(',').map((raw) => {
    const text = raw.trim();
    // Kafka skips empty items of a comma-separated list; keep them as they are.
    return text === '' ? { raw } : { raw, entry: parseEntry(text, value) };
  });
}

/** Parses a value; throws AdvertisedListenersError when an entry is malformed or a name repeats. */
export function parseAdvertisedListeners(value: string): ListenerEndpoint[] {
  const entries = segments(value).flatMap((s) => (s.entry ? [s.entry] : []));
  const seen = new Set<string>();
  for (const e of entries) {
    const key = e.name.toUpperCase();
    if (seen.has(key)) throw new AdvertisedListenersError(`advertised.listeners names listener ${e.name} twice: "${value}"`);
    seen.add(key);
  }
  return entries;
}

/** `host:port`, IPv6 literals in brackets. */
export function formatHostPort(host: string, port: number): string {
  return `${host.includes(':') ? `[${host}]` : host}:${port}`;
}

export function renderListener(e: ListenerEndpoint): string {
  return `${e.name}://${formatHostPort(e.host, e.port)}`;
}

export function renderAdvertisedListeners(entries: readonly ListenerEndpoint[]): string {
  return entries.map(renderListener).join(',');
}

export function findListener(value: string, listenerName: string): ListenerEndpoint | undefined {
  return parseAdvertisedListeners(value).find((e) => e.name.toUpperCase() === listenerName.toUpperCase());
}

const HOST = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*$/;

/**
 * Returns `value` with the entry of `listenerName` pointing at host:port. Every other entry, and
 * the separators and blanks around them, is kept byte for byte; the edited entry keeps its name
 * as written. Throws AdvertisedListenersError when the value cannot be parsed or lacks the listener.
 */
export function replaceListener(value: string, listenerName: string, host: string, port: number): string {
  if (!HOST.test(host) && !IPV6.test(host)) throw new AdvertisedListenersError(`"${host}" is not a host name or IP address`);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AdvertisedListenersError(`port ${port} is outside 1-65535`);
  parseAdvertisedListeners(value); // reject malformed values and repeated names before editing
  const segs = segments(value);
  const target = segs.find((s) => s.entry && s.entry.name.toUpperCase() === listenerName.toUpperCase());
  if (!target?.entry) {
    const names = segs.flatMap((s) => (s.entry ? [s.entry.name] : []));
    throw new AdvertisedListenersError(
      `advertised.listeners has no ${listenerName} entry (it has ${names.join(', ') || 'none'}): "${value}". ` +
        'Check that the cluster uses the authentication configured for it.',
    );
  }
  const lead = /^\s*/.exec(target.raw)?.[0] ?? '';
  const trail = /\s*$/.exec(target.raw)?.[0] ?? '';
  const edited = `${lead}${renderListener({ name: target.entry.name, host, port })}${trail}`;
  return segs.map((s) => (s === target ? edited : s.raw)).join(',');
}
