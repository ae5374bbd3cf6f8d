/**
 * The webhook delivery worker. Due deliveries are claimed with `FOR UPDATE SKIP LOCKED` in one
 * short statement that also pushes `next_attempt_at` forward by a lease, so several instances
 * never send the same delivery at the same moment, and a crashed sender's claim simply expires
 * (the delivery is sent again: at least once). The POST happens outside any transaction; its
 * outcome and an attempt row are then written together.
 *
 * Each attempt sends the stored body (built once when the event was queued), signed with the
 * subscription's secret twice: `Waybill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>` with the attempt's own time (receivers reject stale timestamps, so a captured
 * request cannot be replayed later), and the contract's `X-Waybill-Signature: sha256=<hex
 * HMAC-SHA256(secret, body)>` for receivers written against it.
 * 2xx -> SUCCEEDED. Anything else (non-2xx incl. redirects, which are not followed; timeout;
 * network error; a non-public target when those are not allowed, see webhook.url.ts) -> retried
 * after a jittered exponential backoff (shared/backoff.ts), FAILED after `maxAttempts`.
 *
 * The POST goes through node:http(s) rather than fetch because the connection must go to the
 * address the SSRF guard checked: `http.request` takes a `lookup` (guardedLookup) that resolves,
 * checks and hands the socket exactly those addresses; Node's fetch (undici) offers no such hook
 * without the undici package's own Agent.
 */
import { createHmac } from 'node:crypto';
import { Agent as HttpAgent, request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import type { Logger } from 'pino';
import { and, eq, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { PollingWorker } from '../../events/polling-worker.js';
import { backoffDelay } from '../../shared/backoff.js';
import { webhookAttempts, webhookDeliveries } from './webhook.table.js';
import { guardedLookup, literalTargetProblem, systemResolver, type Resolver } from './webhook.url.js';

export interface DispatcherOptions {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  timeoutMs: number;
  pollMs: number;
  allowPrivateUrls: boolean;
  /** Deliveries claimed (and sent concurrently) per round. */
  batch?: number;
  random?: () => number;
  /** Resolves target host names (tests inject one; default: the system resolver). */
  resolve?: Resolver;
  /** Milliseconds since the epoch, for the signature timestamp (default Date.now). */
  now?: () => number;
}

export const dispatcherOptions = (c: Config): DispatcherOptions => ({
  maxAttempts: c.WEBHOOK_MAX_ATTEMPTS,
  backoffBaseMs: c.WEBHOOK_BACKOFF_BASE_MS,
  backoffCapMs: c.WEBHOOK_BACKOFF_CAP_MS,
  timeoutMs: c.WEBHOOK_TIMEOUT_MS,
  pollMs: c.WEBHOOK_POLL_MS,
  allowPrivateUrls: c.WEBHOOK_ALLOW_PRIVATE_URLS,
});

interface Claimed {
  id: string;
  event_id: string;
  topic: string;
  payload: Record<string, unknown> | string;
  attempts: number;
  url: string;
  secret: string;
  disabled_at: Date | string | null;
}

/** `sha256=<hex>` signature of a body (X-Waybill-Signature, the contract's; no timestamp). */
export const signBody = (secret: string, body: string): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;

/** `t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` (Waybill-Signature). */
export const signTimestamped = (secret: string, body: string, unixSeconds: number): string =>
  `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;

const ERROR_MAX = 500;

function describe(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  if (e?.name === 'TimeoutError' || (e?.cause as Error | undefined)?.name === 'TimeoutError') return 'timeout';
  const cause = e?.cause?.code ?? e?.cause?.message;
  return (cause ? `${e.message}: ${cause}` : String(e?.message ?? err)).slice(0, ERROR_MAX);
}

export class WebhookDispatcher {
  private readonly loop: PollingWorker;
  private readonly shutdown = new AbortController();
  private readonly batch: number;
  /** How long a claim holds a delivery: the request timeout plus a margin for recording the outcome. */
  private readonly leaseMs: number;
  /** Own keep-alive pools: a pooled socket was opened through this dispatcher's guarded lookup. */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  private readonly lookup: LookupFunction;

  constructor(
    private readonly database: Database,
    private readonly log: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    this.batch = opts.batch ?? 16;
    this.leaseMs = opts.timeoutMs + 30_000;
    this.lookup = guardedLookup(opts.resolve ?? systemResolver, opts.allowPrivateUrls);
    this.loop = new PollingWorker('webhook dispatcher', log, opts.pollMs, () => this.drain());
  }

  start(): void {
    this.loop.start();
  }

  /** Looks for due work now (coalesces with a round already running). */
  kick(): void {
    this.loop.kick();
  }

  /** Sends every delivery due now; resolves when none is left (tests, shutdown). */
  async drain(): Promise<void> {
    for (;;) {
      if (this.loop.stopped) return;
      const claimed = await this.claim();
      await Promise.all(claimed.map((d) => this.send(d)));
      if (claimed.length < this.batch) return;
    }
  }

  private async claim(): Promise<Claimed[]> {
    return this.database.rows<Claimed>(sql`
      with due as (
        select id from webhook_deliveries
        where status = 'PENDING' and next_attempt_at <= now()
        order by next_attempt_at
        limit ${this.batch}
        for update skip locked
      )
      update webhook_deliveries d
        set next_attempt_at = now() + ${this.leaseMs / 1000}::double precision * interval '1 second'
      from due, webhook_subscriptions s
      where d.id = due.id and s.id = d.subscription_id
      returning d.id, d.event_id, d.topic, d.payload, d.attempts, s.url, s.secret, s.disabled_at`);
  }

  private async send(d: Claimed): Promise<void> {
    if (d.disabled_at) {
      await this.database.db
        .update(webhookDeliveries)
        .set({ status: 'FAILED', lastError: 'subscription deleted' })
        .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'PENDING')));
      return;
    }
    // jsonb comes back with its canonical key order, so the same row always serialises to the same bytes.
    const body = typeof d.payload === 'string' ? JSON.stringify(JSON.parse(d.payload)) : JSON.stringify(d.payload);
    const attempt = d.attempts + 1;
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const url = new URL(d.url);
      const refused = literalTargetProblem(url, this.opts.allowPrivateUrls);
      if (refused) error = refused;
      else {
        const timestamp = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
        statusCode = await this.post(url, body, {
          'content-type': 'application/json',
          'user-agent': 'Waybill-Webhooks/1',
          'x-waybill-event-id': d.event_id,
          'x-waybill-topic': d.topic,
          'x-waybill-delivery-attempt': String(attempt),
          'waybill-signature': signTimestamped(d.secret, body, timestamp),
          'x-waybill-signature': signBody(d.secret, body),
        });
        if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
      }
    } catch (err) {
      // Shutting down: leave the delivery alone; its lease expires and it is sent again.
      if (this.shutdown.signal.aborted) return;
      error = describe(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const ok = error === null;
    const failed = !ok && attempt >= this.opts.maxAttempts;
    const delayMs = ok || failed ? 0 : backoffDelay(attempt - 1, this.opts.backoffBaseMs, this.opts.backoffCapMs, this.opts.random);
    await this.database.db.transaction(async (tx) => {
      await tx.insert(webhookAttempts).values({ deliveryId: d.id, statusCode, error, durationMs });
      await tx
        .update(webhookDeliveries)
        .set({
          attempts: attempt,
          lastStatusCode: statusCode,
          lastError: error,
          ...(ok
            ? { status: 'SUCCEEDED' as const, deliveredAt: sql`now()` }
            : failed
              ? { status: 'FAILED' as const }
              : { nextAttemptAt: sql`now() + ${delayMs / 1000}::double precision * interval '1 second'` }),
        })
        .where(and(eq(webhookDeliveries.id, d.id), eq(webhookDeliveries.status, 'PENDING')));
    });
    if (!ok) {
      this.log.info({ deliveryId: d.id, attempt, statusCode, error, failed }, 'webhook attempt failed');
      // A retry due before the next poll: wake up for it instead of waiting.
      if (!failed && delayMs < this.opts.pollMs) this.loop.wakeAfter(delayMs + 5);
    }
  }

  /**
   * One POST; resolves with the status code (redirects are not followed). The socket connects
   * only to addresses `this.lookup` checked; a literal IP host was checked by the caller.
   */
  private post(url: URL, body: string, headers: OutgoingHttpHeaders): Promise<number> {
    const https = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          agent: https ? this.agents.https : this.agents.http,
          lookup: this.lookup,
          signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), this.shutdown.signal]),
        },
        (res) => {
          // The response body is not used: drain it so the connection can be reused.
          res.on('error', () => {});
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  }

  /** Stops polling, aborts in-flight requests (their deliveries are retried later) and waits for the round to end. */
  async stop(): Promise<void> {
    this.loop.halt();
    this.shutdown.abort(); // requests in flight are abandoned; their lease expires and they are sent again
    await this.loop.idle();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
