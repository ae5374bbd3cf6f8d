/**
 * Keeps the KPI read model caught up in the background (KPI_REFRESH_INTERVAL_SECONDS, default 60;
 * 0 = off): every interval, refreshKpiFacts as the system. A kpis read still drains whatever was
 * written since (read-your-writes), but finds at most one interval's backlog; and the server's
 * entry point runs one pass right after start-up, so the full build after a migration (minutes on a
 * million orders) happens there rather than in the first kpis request. Refreshers serialise on the
 * read model's state row, so every instance may run the schedule.
 */
import type { Logger } from 'pino';
import { IntervalJob } from '../../shared/interval-job.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { refreshKpiFacts } from './kpi.facts.js';

export class KpiRefreshScheduler extends IntervalJob {
  constructor(ctx: ServiceContext, log: Logger, intervalMs: number) {
    super('kpi read model refresh', log, intervalMs, async () => {
      const t0 = performance.now();
      const rebuilt = await refreshKpiFacts(ctx);
      if (rebuilt) log.info({ ms: Math.round(performance.now() - t0) }, 'kpi read model built');
    });
  }
}
