/**
 * The webhook delivery queue. Claiming due deliveries, the lease, retries with backoff, giving up
 * after `maxAttempts` and the status changes are the shared job worker's (events/delivery-worker.ts);
 * what is the webhooks' own is here: the claim reads the subscription's URL and secret with the
 * delivery, and one attempt is a signed POST to an address the SSRF guard checked, recorded as a
 * webhook_attempts row in the transaction that records its outcome.
 *
 * Each attempt sends the stored body (built once when the event was queued), signed with the
 * subscription's secret twice: `Waybill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
 * "<t>.<body>")>` with the attempt's own time (receivers reject stale timestamps, so a captured
 * request cannot be replayed later), and the contract's `X-Waybill-Signature: sha256=<hex
 * HMAC-SHA256(secret, body)>` for receivers written against it.
 * 2xx -> SUCCEEDED. Anything else (non-2xx incl. redirects, which are not followed; timeout;
 * network error; a non-public target when those are not allowed, see webhook.url.ts) -> retried
 * after a jittered exponential backoff, FAILED after `maxAttempts`. A delivery whose subscription
 * was deleted meanwhile is FAILED without an attempt.
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
import { sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database, Executor } from '../../db/client.js';
import { DeliveryQueue, DeliveryWorker, type Outcome, type WorkerOptions } from '../../events/delivery-worker.js';
import { webhookAttempts, webhookDeliveryLifecycle, type DeliveryLifecycleRow, type DeliveryStatusValue } from './webhook.table.js';
import { guardedLookup, literalTargetProblem, systemResolver, type Resolver } from './webhook.url.js';

export interface DispatcherOptions extends WorkerOptions {
  timeoutMs: number;
  allowPrivateUrls: boolean;
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

export class WebhookDispatcher extends DeliveryQueue<DeliveryStatusValue, DeliveryLifecycleRow, Claimed> {
  protected readonly worker: DeliveryWorker<DeliveryStatusValue, DeliveryLifecycleRow, Claimed>;
  /** Own keep-alive pools: a pooled socket was opened through this dispatcher's guarded lookup. */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  private readonly lookup: LookupFunction;

  constructor(
    database: Database,
    log: Logger,
    private readonly opts: DispatcherOptions,
  ) {
    super();
    this.lookup = guardedLookup(opts.resolve ?? systemResolver, opts.allowPrivateUrls);
    this.worker = new DeliveryWorker(
      database,
      log,
      {
        name: 'webhook dispatcher',
        noun: 'webhook',
        idField: 'deliveryId',
        lifecycle: webhookDeliveryLifecycle,
        doneAtKey: 'deliveredAt',
        claim: {
          from: sql`webhook_subscriptions s`,
          join: sql`s.id = webhook_deliveries.subscription_id`,
          columns: sql`webhook_deliveries.event_id, webhook_deliveries.topic, webhook_deliveries.payload, s.url, s.secret, s.disabled_at`,
        },
        attempt: (d, attempt, signal) => this.send(d, attempt, signal),
      },
      // A claim holds a delivery for the request timeout plus a margin for recording the outcome.
      { ...opts, leaseMs: opts.timeoutMs + 30_000 },
    );
  }

  /** One attempt of a claimed delivery. */
  private async send(d: Claimed, attempt: number, signal: AbortSignal): Promise<Outcome> {
    if (d.disabled_at) return { kind: 'dropped', error: 'subscription deleted' };
    // jsonb comes back with its canonical key order, so the same row always serialises to the same bytes.
    const body = typeof d.payload === 'string' ? JSON.stringify(JSON.parse(d.payload)) : JSON.stringify(d.payload);
    const started = performance.now();
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      const url = new URL(d.url);
      const refused = literalTargetProblem(url, this.opts.allowPrivateUrls);
      if (refused) error = refused;
      else {
        const timestamp = Math.floor((this.opts.now?.() ?? Date.now()) / 1000);
        statusCode = await this.post(
          url,
          body,
          {
            'content-type': 'application/json',
            'user-agent': 'Waybill-Webhooks/1',
            'x-waybill-event-id': d.event_id,
            'x-waybill-topic': d.topic,
            'x-waybill-delivery-attempt': String(attempt),
            'waybill-signature': signTimestamped(d.secret, body, timestamp),
            'x-waybill-signature': signBody(d.secret, body),
          },
          signal,
        );
        if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
      }
    } catch (err) {
      error = describe(err);
    }
    const durationMs = Math.round(performance.now() - started);
    const record = async (tx: Executor) => {
      await tx.insert(webhookAttempts).values({ deliveryId: d.id, statusCode, error, durationMs });
    };
    const set = { lastStatusCode: statusCode };
    return error === null ? { kind: 'succeeded', set, record } : { kind: 'failed', error, set, record, log: { statusCode } };
  }

  /**
   * One POST; resolves with the status code (redirects are not followed). The socket connects
   * only to addresses `this.lookup` checked; a literal IP host was checked by the caller.
   */
  private post(url: URL, body: string, headers: OutgoingHttpHeaders, signal: AbortSignal): Promise<number> {
    const https = url.protocol === 'https:';
    return new Promise<number>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)(
        url,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
          agent: https ? this.agents.https : this.agents.http,
          lookup: this.lookup,
          signal: AbortSignal.any([AbortSignal.timeout(this.opts.timeoutMs), signal]),
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
  override async stop(): Promise<void> {
    await super.stop(); // requests in flight are abandoned; their lease expires and they are sent again
    this.agents.http.destroy();
    this.agents.https.destroy();
  }
}
