/**
 * The scheduled expiry of loyalty points (LOYALTY_EXPIRY_INTERVAL_MINUTES, default 60; 0 = off):
 * every interval, expirePoints as the system. It is idempotent and each customer's debit runs under
 * the account's row lock, so every instance may run the schedule. A failing pass is logged and the
 * next interval tries again; it never stops the process.
 */
import type { Logger } from 'pino';
import type { ServiceContext } from '../../shared/service-context.js';
import { expirePoints } from './loyalty.earning.js';

export class LoyaltyExpiryScheduler {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly log: Logger,
    private readonly intervalMs: number,
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
        const r = await expirePoints(this.ctx);
        if (r.points) this.log.info(r, 'loyalty points expired');
      } catch (err) {
        this.log.error({ err }, 'loyalty expiry failed; the next interval tries again');
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
