// Small error classes: `name` set for logs and exit codes, the original error kept in `cause`.

/** The user's config (or CLI input) is wrong; the message says what to fix. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/** The desired state cannot be built (a limit or a clash): nothing was written. */
export class PlanError extends Error {
  override name = 'PlanError';
}

/** The cluster is of a kind this tool cannot manage. */
export class UnsupportedClusterError extends Error {
  override name = 'UnsupportedClusterError';
}

/** An AWS call failed while applying; earlier steps of the run stay done, the next run converges. */
export class ApplyError extends Error {
  override name = 'ApplyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
