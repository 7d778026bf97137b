import pino from 'pino';

/** Where log lines go: stdout in Lambda (CloudWatch Logs); the CLI sends them to stderr, beside its errors. */
let sink: { write(line: string): unknown } = process.stdout;

/** The level without --debug / --quiet: LOG_LEVEL, else info. */
export const DEFAULT_LOG_LEVEL = process.env.LOG_LEVEL ?? 'info';

/** Structured JSON logs (one object per line), which CloudWatch Logs Insights can query by field. */
export const logger = pino(
  {
    level: DEFAULT_LOG_LEVEL,
    base: { service: 'msk-custom-domain-sync' },
    timestamp: pino.stdTimeFunctions.isoTime,
  },
  // A stream of our own (not a file descriptor) so the CLI can redirect it after import.
  { write: (line: string) => sink.write(line) },
);

/** Sends every later log line to `stream` (the CLI: stderr, so stdout stays the command's output, e.g. JSON). */
export function logTo(stream: { write(line: string): unknown }): void {
  sink = stream;
}

export type Logger = pino.Logger;
