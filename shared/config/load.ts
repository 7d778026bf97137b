import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from '../errors';
import { parseConfig } from './parse';
import type { Config } from './schema';

export { describeIssues, parseConfig } from './parse';

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
