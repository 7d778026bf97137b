import pino from 'pino';

/** Structured JSON logs (one object per line), which CloudWatch Logs Insights can query by field. */
export const logger = pino({
  level: process.env.LOG_LEVEL ?? 'info',
  base: { service: 'msk-custom-domain-sync' },
  timestamp: pino.stdTimeFunctions.isoTime,
});

export type Logger = pino.Logger;
