import type { z } from 'zod';
import { ConfigError } from '../errors';
import { configSchema, type Config } from './schema';

// Validation without file reading or YAML: the Lambda bundles import this, not load.ts.

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
