/**
 * A job run every `intervalMs` (0: never) on this instance, for the scheduled passes (replenishment,
 * loyalty expiry). Passes never overlap (concurrent calls share the one in progress), a failing pass
 * is logged and the next interval tries again, and the timer never keeps the process alive.
 */
import type { Logger } from 'pino';

export class IntervalJob {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly intervalMs: number,
    private readonly pass: () => Promise<void>,
  ) {}

  /** Starts the schedule; does nothing when the interval is 0. */
  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass (also what the interval calls); concurrent calls share the pass. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        await this.pass();
      } catch (err) {
        this.log.error({ err }, `${this.name} failed; the next interval tries again`);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Stops the schedule and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
