/**
 * The scheduling shared by the background workers (outbox relay, webhook dispatcher, notification
 * sender): run `work` on a poll interval and whenever kicked, never twice at once (a kick during a
 * run schedules one more run), optional one-off wake-ups, and a stop that waits for the run.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';

export class PollingWorker {
  private timer: NodeJS.Timeout | undefined;
  private readonly wakeups = new Set<NodeJS.Timeout>();
  private running: Promise<void> | null = null;
  private again = false;
  private halted = false;
  /**
   * Runs in the async context the worker was created in, not the kicker's: a run kicked by a
   * request is not part of that request (its per-request SQL statement count, for one).
   */
  private readonly inOwnContext = AsyncLocalStorage.snapshot();

  constructor(
    private readonly name: string,
    private readonly log: Logger,
    private readonly pollMs: number,
    private readonly work: () => Promise<void>,
  ) {}

  get stopped(): boolean {
    return this.halted;
  }

  /** Polls every `pollMs` and runs once now. */
  start(): void {
    this.timer = setInterval(() => this.kick(), this.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Runs soon; coalesces with a run already going. */
  kick(): void {
    if (this.halted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.inOwnContext(() => this.work())
      .catch((err) => this.log.error({ err }, `${this.name} failed`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Kicks once after `ms` (a retry due before the next poll). */
  wakeAfter(ms: number): void {
    if (this.halted) return;
    const t = setTimeout(() => {
      this.wakeups.delete(t);
      this.kick();
    }, ms);
    t.unref();
    this.wakeups.add(t);
  }

  /** No new runs from now on. */
  halt(): void {
    this.halted = true;
    if (this.timer) clearInterval(this.timer);
    for (const t of this.wakeups) clearTimeout(t);
    this.wakeups.clear();
  }

  /** Resolves when the current run (if any) is over. */
  async idle(): Promise<void> {
    await this.running;
  }

  async stop(): Promise<void> {
    this.halt();
    await this.idle();
  }
}
