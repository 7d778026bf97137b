import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../errors';
import { configSchema, type Config } from './schema';

/** Turns zod issues into one line per bad field, e.g. `clusters[0].brokerPortBase: expected number`. */
export function describeIssues(issues: z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => {
      const path = issue.path
        .map((part, i) => (typeof part === 'number' ? `[${part}]` : `${i === 0 ? '' : '.'}${String(part)}`))
        .join('');
      return `  - ${path || '(top level)'}: ${issue.message}`;
    })
    .join('\n');
}

export function parseConfig(raw: unknown, source = 'config'): Config {
  const result = configSchema.safeParse(raw);
  if (!result.success) {
    throw new ConfigError(`${source} is not valid:\n${describeIssues(result.error.issues)}`);
  }
  return result.data;
}

/** Reads a JSON or YAML config file (YAML is a superset of JSON, so one parser serves both). */
export async function loadConfig(path: string): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read config file ${path}: ${(error as Error).message}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = parseYaml(text);
  } catch (error) {
    throw new ConfigError(`config file ${path} is neither valid JSON nor YAML: ${(error as Error).message}`, { cause: error });
  }
  return parseConfig(raw, `config file ${path}`);
}
