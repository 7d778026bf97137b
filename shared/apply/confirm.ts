// A write that succeeded but whose reply was lost is retried by the SDK, and the retry can be
// refused *because* the first attempt worked ("already exists", "not found"). Such a refusal is
// only believed to mean "done" after reading the one resource it concerns; the per-service
// checks live in confirm-<service>.ts.
import { logger } from '../log';

/**
 * The SDK's spelling of an AWS error code: `name` (a modelled exception's class name, e.g.
 * ListenerNotFoundException, or the wire code for unmodelled ones), or `Code` (query/XML protocols).
 */
export function refusedWith(error: unknown, ...codes: string[]): boolean {
  const e = error as { name?: string; Code?: string } | undefined;
  return codes.some((code) => e?.name === code || e?.name === `${code}Exception` || e?.Code === code);
}

/**
 * Runs `write`; when it is refused with one of `codes`, `holds` reads the resource: true counts the
 * write as done (one debug line), false lets the refusal stand, as any other error does.
 */
export async function writeOrConfirm(what: string, write: () => Promise<unknown>, codes: string[], holds: () => Promise<boolean>): Promise<void> {
  try {
    await write();
  } catch (error) {
    if (!refusedWith(error, ...codes) || !(await holds())) throw error;
    logConfirmed(what, error);
  }
}

export function logConfirmed(what: string, refusal: unknown): void {
  const code = (refusal as { name?: string })?.name;
  logger.debug({ action: what, refusal: code }, `${what}: refused with ${code}, but it is already in place (a lost reply retried); counted as done`);
}
