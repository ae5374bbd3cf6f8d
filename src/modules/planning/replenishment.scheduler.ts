/**
 * The scheduled replenishment run (REPLENISHMENT_INTERVAL_MINUTES, off by default): every interval,
 * a run for each warehouse as the system. A run is idempotent while the previous run's orders are
 * open and serialised per warehouse by an advisory lock, so every instance may run the schedule.
 * A failing run is logged and the next interval tries again; it never stops the process.
 */
import type { Logger } from 'pino';
import type { ServiceContext } from '../../shared/service-context.js';
import { listAllWarehouses } from '../warehouse/warehouse.service.js';
import { runReplenishment } from './replenishment.service.js';

export class ReplenishmentScheduler {
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

  /** One pass over every warehouse (also what the interval calls); concurrent calls share the pass. */
  runOnce(): Promise<void> {
    this.running ??= (async () => {
      try {
        for (const w of await listAllWarehouses(this.ctx)) {
          try {
            const r = await runReplenishment(this.ctx, { warehouseCode: w.code });
            if (r.purchaseOrders.length || r.transferOrders.length) {
              this.log.info({ warehouse: w.code, purchaseOrders: r.purchaseOrders.map((p) => p.number), transfers: r.transferOrders.map((t) => t.number) }, 'replenishment run drafted orders');
            }
          } catch (err) {
            this.log.error({ err, warehouse: w.code }, 'replenishment run failed; the next interval tries again');
          }
        }
      } catch (err) {
        this.log.error({ err }, 'replenishment schedule could not list warehouses');
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
