import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ConfigError, errorMessage } from '../errors';
import { parseConfig } from './parse';
import type { Config } from './schema';

// The deployed config is a file inside the resync function's package (packaging validates it and
// writes it next to the bundle): an environment variable holds 4 KB for all variables together,
// about four clusters. The variable only names the file.

export const CONFIG_FILE_VARIABLE = 'MSK_CUSTOM_DOMAIN_CONFIG_FILE';

/** Reads and validates the packaged config; relative paths start at the function's root (LAMBDA_TASK_ROOT). */
export function readDeployedConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const file = env[CONFIG_FILE_VARIABLE];
  if (!file) throw new ConfigError(`${CONFIG_FILE_VARIABLE} is not set: deploy with --param config=<file>`);
  const full = path.resolve(env.LAMBDA_TASK_ROOT ?? process.cwd(), file);
  let text: string;
  try {
    text = readFileSync(full, 'utf8');
  } catch (error) {
    throw new ConfigError(`cannot read the deployed config ${full}: ${errorMessage(error)}`, { cause: error });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(`the deployed config ${file} is not JSON: ${errorMessage(error)}`, { cause: error });
  }
  const config = parseConfig(raw, `the deployed config ${file}`);
  // The stack's own alarm topic is the default destination; a cluster may name another.
  const topic = env.ALARM_TOPIC_ARN;
  if (topic && !/^arn:aws[a-z-]*:sns:/.test(topic)) throw new ConfigError(`ALARM_TOPIC_ARN must be an SNS topic ARN, got ${topic}`);
  if (topic) for (const cluster of config.clusters) cluster.alarms.snsTopicArn ??= topic;
  return config;
}
