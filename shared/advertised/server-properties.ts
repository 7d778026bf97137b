// MSK configurations are Java server.properties text. Edits keep every other line (comments,
// order, spacing) exactly, so a new revision differs from the last only where we meant it to.

export const CUSTOM_ADVERTISED_LISTENERS = 'custom.advertised.listeners';

interface PropertyLine {
  index: number;
  key: string;
  value: string;
}

function findProperty(lines: string[], key: string): PropertyLine | undefined {
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index].trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const match = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (match && match[1] === key) return { index, key, value: match[2] };
  }
  return undefined;
}

export function getProperty(text: string, key: string): string | undefined {
  return findProperty(text.split('\n'), key)?.value;
}

/** Sets `key=value`, replacing the line in place if present, else appending it. */
export function setProperty(text: string, key: string, value: string): string {
  const lines = text.split('\n');
  const found = findProperty(lines, key);
  if (found) {
    lines[found.index] = `${key}=${value}`;
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
