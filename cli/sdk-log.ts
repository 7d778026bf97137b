import type { Logger as SdkLogger } from '@aws-sdk/types';
import type { Logger } from '../shared/log';

type SdkCall = {
  clientName?: string;
  commandName?: string;
  input?: unknown;
  error?: { name?: string; message?: string };
  metadata?: { httpStatusCode?: number; requestId?: string; attempts?: number; totalRetryDelay?: number };
};

/**
 * --debug: one log line per AWS call (client, command, input, status, request id, retries),
 * from the SDK's own logger hook. Outputs are left out (ListNodes, DescribeListeners are long);
 * failures are logged here at debug too, the CLI reports them itself.
 */
export function sdkCallLogger(log: Logger): SdkLogger {
  const line = (call: unknown, ok: boolean) => {
    if (!call || typeof call !== 'object') return log.debug({ aws: call }, 'aws');
    const c = call as SdkCall;
    log.debug(
      {
        aws: `${c.clientName ?? ''} ${c.commandName ?? ''}`.trim(),
        input: c.input,
        status: c.metadata?.httpStatusCode,
        requestId: c.metadata?.requestId,
        attempts: c.metadata?.attempts,
        retryDelayMs: c.metadata?.totalRetryDelay,
        ...(ok ? {} : { error: `${c.error?.name ?? 'Error'}: ${c.error?.message ?? ''}` }),
      },
      `${c.commandName ?? 'call'} ${ok ? 'done' : 'failed'}`,
    );
  };
  return {
    debug: (...args: unknown[]) => log.debug({ aws: args }, 'aws sdk'),
    info: (call: unknown) => line(call, true),
    warn: (...args: unknown[]) => log.warn({ aws: args }, 'aws sdk warning'),
    error: (call: unknown) => line(call, false),
  };
}
