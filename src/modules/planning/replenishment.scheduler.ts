/**
 * The scheduled replenishment run (REPLENISHMENT_INTERVAL_MINUTES, off by default): every interval,
 * a run for each warehouse as the system. A run is idempotent while the previous run's orders are
 * open and serialised per warehouse by an advisory lock, so every instance may run the schedule.
 * One warehouse's failure is logged and does not stop the others.
 */
import type { Logger } from 'pino';
import { IntervalJob } from '../../shared/interval-job.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { listAllWarehouses } from '../warehouse/warehouse.service.js';
import { runReplenishment } from './replenishment.service.js';

export class ReplenishmentScheduler extends IntervalJob {
  constructor(ctx: ServiceContext, log: Logger, intervalMs: number) {
    super('replenishment schedule', log, intervalMs, async () => {
      for (const w of await listAllWarehouses(ctx)) {
        try {
          const r = await runReplenishment(ctx, { warehouseCode: w.code });
          if (r.purchaseOrders.length || r.transferOrders.length) {
            log.info({ warehouse: w.code, purchaseOrders: r.purchaseOrders.map((p) => p.number), transfers: r.transferOrders.map((t) => t.number) }, 'replenishment run drafted orders');
          }
        } catch (err) {
          log.error({ err, warehouse: w.code }, 'replenishment run failed; the next interval tries again');
        }
      }
    });
  }
}
