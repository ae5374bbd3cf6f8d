/**
 * Allocates backorders when stock arrives: every committed inventory level change wakes it
 * (debounced), and a slow poll covers events missed while the process was down. Any instance may
 * run it; the per-order row lock and the status check keep concurrent runs safe.
 */
import type { Logger } from 'pino';
import type { ServiceContext } from '../../shared/service-context.js';
import { allocateBackorders } from './order.service.js';

export class BackorderAllocator {
  private timer: NodeJS.Timeout | undefined;
  private poll: NodeJS.Timeout | undefined;
  private running: Promise<void> | null = null;
  private pending = new Set<string>();
  private stopped = false;

  constructor(
    private readonly ctx: ServiceContext,
    private readonly log: Logger,
    private readonly pollMs = 30_000,
  ) {}

  /** Listens to level changes from the event stream and starts the fallback poll. */
  start(levelChanges: AsyncIterable<Record<string, unknown>>): void {
    // The fallback poll below covers any gap in the stream, so a failure here is logged, not fatal.
    void (async () => {
      for await (const e of levelChanges) {
        if (this.stopped) return;
        if (typeof e.variantId === 'string') this.wake(e.variantId);
      }
    })().catch((err: unknown) => this.log.error({ err }, 'backorder allocator stopped hearing level changes; the poll still runs'));
    this.poll = setInterval(() => this.wake(null), this.pollMs);
    this.poll.unref();
  }

  /** Schedules a run for a variant (or all, with null) shortly, coalescing bursts. */
  wake(variantId: string | null): void {
    if (this.stopped) return;
    this.pending.add(variantId ?? '*');
    this.timer ??= setTimeout(() => {
      this.timer = undefined;
      void this.run();
    }, 50);
  }

  /** Runs now (tests) and resolves when done. */
  async run(): Promise<void> {
    await this.running;
    if (!this.pending.size) return;
    const all = this.pending.has('*');
    const variantIds = all ? undefined : [...this.pending];
    this.pending.clear();
    this.running = allocateBackorders(this.ctx, { variantIds })
      .then((n) => {
        if (n) this.log.info({ orders: n }, 'backorders allocated');
      })
      .catch((err) => this.log.error({ err }, 'backorder allocation failed'))
      .finally(() => {
        this.running = null;
      });
    await this.running;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.poll) clearInterval(this.poll);
    await this.running;
  }
}
