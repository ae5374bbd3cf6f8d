/**
 * Retry schedule of durable jobs (webhook deliveries, notifications): exponential backoff with "full jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): retry n waits a uniformly random time in
 * [0, min(cap, base * 2^n)). Jitter spreads the retries of many deliveries that failed together
 * (a receiver's outage) instead of hammering it in lock-step when it comes back.
 *
 * Computed here rather than with a retry library (`exponential-backoff`, `p-retry`, `async-retry`):
 * those wrap an in-process loop that sleeps between calls, whereas our retries are durable rows
 * whose next time is written to the database and picked up by any instance, possibly after a
 * restart. All we need is the delay, a one-line formula.
 */

/** Upper bound of the wait before retry `n` (n = 0 after the first failed attempt). */
export function backoffCeiling(n: number, baseMs: number, capMs: number): number {
  // 2^n overflows nothing in practice, but keep the exponent small so huge n stays finite.
  return Math.min(capMs, baseMs * 2 ** Math.min(n, 52));
}

/** The wait before retry `n`: uniform in [0, ceiling). `random` is injectable for tests. */
export function backoffDelay(n: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  return Math.floor(backoffCeiling(n, baseMs, capMs) * random());
}
