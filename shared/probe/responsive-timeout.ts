// A timeout that measures the peer's silence, not this process's stalls. A plain setTimeout
// armed for 1.5 s fires first after a 2 s pause of the event loop (a loaded CI machine, a GC
// pause, a synchronous step elsewhere): Node runs expired timers before it polls the sockets, so
// an answer already waiting would be reported as "no answer". Here time is counted in short
// ticks, and a tick that comes late counts only its own period.

const TICK_MS = 100;
/** The most one tick may count: anything beyond it was this process standing still. */
const MAX_TICK_MS = 2 * TICK_MS;

/** Calls `onTimeout` once `ms` of responsive time has passed; returns the function that cancels it. */
export function responsiveTimeout(ms: number, onTimeout: () => void): () => void {
  let counted = 0;
  let last = performance.now();
  const timer = setInterval(() => {
    const now = performance.now();
    counted += Math.min(now - last, MAX_TICK_MS);
    last = now;
    if (counted < ms) return;
    clearInterval(timer);
    onTimeout();
  }, TICK_MS);
  return () => clearInterval(timer);
}
