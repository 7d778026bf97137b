// MSK configurations are Java server.properties text. Edits keep every other line (comments,
// order, spacing) exactly, so a new revision differs from the last only where we meant it to.
// (Line continuations with a trailing backslash are not supported: MSK's console and API
// examples never use them, and a continued line is read as its first physical line.)

export const CUSTOM_ADVERTISED_LISTENERS = 'custom.advertised.listeners';

/** The client listener names MSK accepts in custom.advertised.listeners. */
export const MSK_CLIENT_LISTENERS = ['CLIENT', 'CLIENT_SECURE', 'CLIENT_SASL_SCRAM', 'CLIENT_IAM'].flatMap((n) => [n, `${n}_PUBLIC`]);

interface PropertyLine {
  index: number;
  key: string;
  value: string;
}

function propertyLines(lines: string[]): PropertyLine[] {
  const found: PropertyLine[] = [];
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match) found.push({ index, key: match[1], value: match[2] });
  }
  return found;
}

function findProperty(lines: string[], key: string): PropertyLine | undefined {
  return propertyLines(lines).find((p) => p.key === key);
}

export function getProperty(text: string, key: string): string | undefined {
  return findProperty(text.split('\n'), key)?.value;
}

/** Every property as key -> value (a repeated key: the last one wins, as java.util.Properties reads it). */
export function parseProperties(text: string): Map<string, string> {
  return new Map(propertyLines(text.split('\n')).map((p) => [p.key, p.value]));
}

/** Keys whose values differ between two texts (added, removed or changed), sorted; comments and spacing do not count. */
export function differingProperties(a: string, b: string): string[] {
  const left = parseProperties(a);
  const right = parseProperties(b);
  const keys = new Set([...left.keys(), ...right.keys()]);
  return [...keys].filter((k) => left.get(k) !== right.get(k)).sort();
}

/**
 * Sets `key=value`: in place if present (the line keeps its own key, separator and trailing
 * blanks; only the value changes), else appended.
 */
export function setProperty(text: string, key: string, value: string): string {
  const lines = text.split('\n');
  const found = findProperty(lines, key);
  if (found) {
    const parts = /^(\s*[^=:\s]+\s*[=:\s]\s*)(.*?)(\s*)$/.exec(lines[found.index]);
    lines[found.index] = parts ? `${parts[1]}${value}${parts[3]}` : `${key}=${value}`;
    return lines.join('\n');
  }
  const body = text.replace(/\n*$/, '');
  return `${body ? `${body}\n` : ''}${key}=${value}\n`;
}

export function removeProperty(text: string, key: string): string {
  const lines = text.split('\n');
  const found = findProperty(lines, key);
  if (!found) return text;
  lines.splice(found.index, 1);
  return lines.join('\n');
}

/** MSK's template: MSK substitutes {broker_id} and evaluates `<base>+{broker_id}` per broker. */
export function advertisedListenersTemplate(listenerName: string, hostTemplate: string, domain: string, portBase: number): string {
  const host = `${hostTemplate.replace('{id}', '{broker_id}')}.${domain}`;
  return `${listenerName}://${host}:${portBase}+{broker_id}`;
}

// ---------------------------------------------------------------- custom.advertised.listeners entries
// One entry per client listener, comma-separated: `CLIENT_IAM://b-{broker_id}.x:9000+{broker_id},CLIENT_SASL_SCRAM://…`.
// The tool edits only the entries of the listeners it maps; every other entry (another team's
// listener, a _PUBLIC variant) and the separators around it stay byte for byte.

export class CustomListenersError extends Error {
  override name = 'CustomListenersError';
}

/** An entry the tool wants: listener name and its whole `NAME://host:base+{broker_id}` text. */
export interface WantedEntry {
  listenerName: string;
  entry: string;
}

interface EntrySegment {
  raw: string;
  /** Upper-cased listener name; absent for an empty item. */
  name?: string;
}

function entrySegments(value: string): EntrySegment[] {
  if (value === '') return [];
  return value.split(',').map((raw) => {
    const text = raw.trim();
    if (text === '') return { raw };
    const match = /^([A-Za-z0-9_]+):\/\//.exec(text);
    if (!match) throw new CustomListenersError(`cannot parse ${CUSTOM_ADVERTISED_LISTENERS} entry "${text}" in "${value}": expected NAME://host:port`);
    return { raw, name: match[1].toUpperCase() };
  });
}

/** The entries of `names` in a value, by upper-cased listener name, exactly as written (trimmed). */
export function customEntries(value: string | undefined, names: readonly string[]): Map<string, string> {
  const wanted = new Set(names.map((n) => n.toUpperCase()));
  const out = new Map<string, string>();
  for (const s of entrySegments(value ?? '')) if (s.name && wanted.has(s.name)) out.set(s.name, s.raw.trim());
  return out;
}

/**
 * The value with each wanted entry in place (replacing that listener's entry where it is, else
 * appended), every other entry and separator kept byte for byte. Throws CustomListenersError on a
 * malformed value, a repeated listener, or a listener name MSK does not accept.
 */
export function mergeCustomEntries(value: string | undefined, wanted: readonly WantedEntry[]): string {
  for (const w of wanted) {
    if (!MSK_CLIENT_LISTENERS.includes(w.listenerName.toUpperCase())) {
      throw new CustomListenersError(`${w.listenerName} is not a listener MSK accepts in ${CUSTOM_ADVERTISED_LISTENERS} (valid: ${MSK_CLIENT_LISTENERS.join(', ')})`);
    }
  }
  const segs = entrySegments(value ?? '');
  const names = segs.flatMap((s) => (s.name ? [s.name] : []));
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated) throw new CustomListenersError(`${CUSTOM_ADVERTISED_LISTENERS} names listener ${repeated} twice: "${value}"`);
  // A value that is only blanks or empty items has nothing worth keeping.
  const out = names.length ? segs.map((s) => s.raw) : [];
  for (const w of wanted) {
    const index = names.length ? segs.findIndex((s) => s.name === w.listenerName.toUpperCase()) : -1;
    if (index < 0) {
      out.push(w.entry);
      continue;
    }
    const raw = segs[index].raw;
    const lead = /^\s*/.exec(raw)?.[0] ?? '';
    const trail = /\s*$/.exec(raw)?.[0] ?? '';
    out[index] = `${lead}${w.entry}${trail}`;
  }
  return out.join(',');
}

/** The value without the entries of `names` (undefined when nothing is left), others byte for byte. */
export function removeCustomEntries(value: string | undefined, names: readonly string[]): string | undefined {
  const drop = new Set(names.map((n) => n.toUpperCase()));
  const kept = entrySegments(value ?? '').filter((s) => !(s.name && drop.has(s.name)));
  if (!kept.some((s) => s.name)) return undefined;
  return kept.map((s) => s.raw).join(',');
}
