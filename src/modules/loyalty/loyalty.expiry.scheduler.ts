/**
 * The scheduled expiry of loyalty points (LOYALTY_EXPIRY_INTERVAL_MINUTES, default 60; 0 = off):
 * every interval, expirePoints as the system. It is idempotent and each customer's debit runs under
 * the account's row lock, so every instance may run the schedule.
 */
import type { Logger } from 'pino';
import { IntervalJob } from '../../shared/interval-job.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { expirePoints } from './loyalty.earning.js';

export class LoyaltyExpiryScheduler extends IntervalJob {
  constructor(ctx: ServiceContext, log: Logger, intervalMs: number) {
    super('loyalty expiry', log, intervalMs, async () => {
      const r = await expirePoints(ctx);
      if (r.points) log.info(r, 'loyalty points expired');
    });
  }
}
