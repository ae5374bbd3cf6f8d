/**
 * Prometheus metrics with prom-client, one registry per app (tests run several apps in a process):
 * Node's default metrics, GraphQL operations (count and duration by operation name, type and
 * outcome) on both HTTP paths (Apollo's plugin and the fast path), the database pool, the outbox
 * backlog and relay lag, webhook and notification failures, WebSocket subscribers and rate-limit
 * refusals. Served at GET /metrics (metrics-route.ts); with WORKERS > 1 the primary adds up the
 * workers' registries (metrics-cluster.ts).
 *
 * Label values are bounded: operation names are chosen by clients, so only the first
 * MAX_OPERATION_NAMES distinct names of validated operations get their own series; later names
 * count as `other`, unnamed operations as `anonymous`, requests that never reached a valid
 * operation (parse or validation errors) as `invalid`.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { ExecutionResult, OperationDefinitionNode } from 'graphql';
import type { Logger } from 'pino';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { outboxBacklog, type OutboxBacklog } from '../events/outbox-backlog.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { WsActivity } from './ws.js';

/** Distinct operation names labelled as themselves, per process; a name longer than MAX_NAME_LENGTH is `other` too. */
export const MAX_OPERATION_NAMES = 200;
const MAX_NAME_LENGTH = 100;

export type OperationOutcome = 'ok' | 'error' | 'user_error';
type OperationLabels = 'operation' | 'type' | 'outcome';

/** What the gauges read at scrape time. */
export interface MetricsSources {
  database: Database;
  ws(): WsActivity;
}

/** A job queue's outcome, as DeliveryWorker reports it. */
type DeliveryOutcome = 'succeeded' | 'retrying' | 'failed' | 'dropped';

export class Metrics {
  readonly registry = new Registry();
  private readonly operations: Counter<OperationLabels>;
  private readonly duration: Histogram<OperationLabels>;
  private readonly rateLimited: Counter<'budget'>;
  private readonly deliveryFailures: Counter<'queue' | 'kind'>;
  private readonly slowConsumers: Counter;
  private readonly names = new Set<string>();
  private sources: MetricsSources | null = null;
  /** One outbox query per scrape for its four gauges. */
  private backlog: { at: number; value: Promise<OutboxBacklog | null> } | null = null;

  constructor(private readonly log: Logger) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    this.operations = new Counter({
      name: 'waybill_graphql_operations_total',
      help: 'GraphQL operations answered over HTTP, by operation name (bounded: see `other`), type and outcome (ok, error: the response has errors, user_error: a mutation answered userErrors).',
      labelNames: ['operation', 'type', 'outcome'],
      registers,
    });
    this.duration = new Histogram({
      name: 'waybill_graphql_operation_duration_seconds',
      help: 'Time from the start of a GraphQL operation (Apollo: the request; fast path: the execution) to its result, seconds.',
      labelNames: ['operation', 'type', 'outcome'],
      buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.slowConsumers = new Counter({
      name: 'waybill_websocket_slow_consumer_closes_total',
      help: 'WebSockets closed with 1013 because more than WS_MAX_BUFFERED_BYTES of output waited for them.',
      registers,
    });
    this.rateLimited = new Counter({
      name: 'waybill_rate_limit_rejections_total',
      help: 'Requests and WebSocket operations refused by a rate limit, by budget (anon, customer, partner, staff, or a window such as tracking-miss).',
      labelNames: ['budget'],
      registers,
    });
    this.deliveryFailures = new Counter({
      name: 'waybill_delivery_failures_total',
      help: 'Failed outgoing deliveries by queue (webhook, notification) and kind: attempt (a failed attempt, retried later), final (the last attempt failed: the delivery is FAILED), dropped (FAILED without an attempt: its subscription is gone, or the message is no longer due).',
      labelNames: ['queue', 'kind'],
      registers,
    });
    const self = this;
    const gauge = (name: string, help: string, read: (s: MetricsSources) => number | Promise<number>, aggregator: 'sum' | 'max' = 'sum') =>
      new Gauge({
        name,
        help,
        registers,
        aggregator,
        async collect() {
          if (self.sources) this.set(await read(self.sources));
        },
      });
    gauge('waybill_db_pool_size', 'Connections the database pool may open (PGlite: 1).', (s) => s.database.poolUsage().size);
    gauge('waybill_db_pool_in_use', 'Database connections in use by a statement or an open transaction.', (s) => s.database.poolUsage().inUse);
    gauge('waybill_db_pool_waiting', 'Statements and transactions waiting for a database connection.', (s) => s.database.poolUsage().waiting);
    gauge('waybill_websocket_connections', 'Open graphql-ws connections (acknowledged).', (s) => s.ws().connections);
    gauge('waybill_websocket_subscriptions', 'Active GraphQL subscriptions over WebSocket.', (s) => s.ws().subscriptions);
    // The outbox is one table for all instances: workers' values are the same, so the cluster takes the max, not the sum.
    const outbox = (pick: (b: OutboxBacklog) => number) => async (s: MetricsSources) => {
      const b = await this.outboxBacklog(s.database);
      return b ? pick(b) : Number.NaN;
    };
    gauge('waybill_outbox_unpublished_events', 'Committed events not yet published to the pub/sub.', outbox((b) => b.unpublished), 'max');
    gauge('waybill_outbox_unhandled_events', 'Committed events whose durable handlers (webhooks, notifications) have not run yet.', outbox((b) => b.unhandled), 'max');
    gauge('waybill_outbox_relay_lag_seconds', 'Age of the oldest unpublished event (0 when there is none), seconds.', outbox((b) => b.oldestUnpublishedSeconds), 'max');
    gauge('waybill_outbox_unhandled_lag_seconds', 'Age of the oldest unhandled event (0 when there is none), seconds.', outbox((b) => b.oldestUnhandledSeconds), 'max');
  }

  /** Where the gauges read from (set once the app has built them). */
  observe(sources: MetricsSources): void {
    this.sources = sources;
  }

  /** The exposition text of this process's registry. */
  async exposition(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  /** Counts every HTTP request Apollo answers (those of the fast path are counted by `fastPathObserver`). */
  apolloPlugin(): ApolloServerPlugin<GraphQLContext> {
    const record = this.record.bind(this);
    return {
      async requestDidStart() {
        const startedAt = process.hrtime.bigint();
        return {
          async willSendResponse({ operation, response, errors }) {
            const body = response.body;
            record(operation, body.kind === 'single' ? body.singleResult : { errors }, startedAt);
          },
        };
      },
    };
  }

  /** FastPath's `observe` option. */
  readonly fastPathObserver = (operation: OperationDefinitionNode, result: ExecutionResult, startedAt: bigint): void => {
    this.record(operation, result, startedAt);
  };

  /** ws.ts's `onSlowConsumer`. */
  readonly slowConsumerClosed = (): void => {
    this.slowConsumers.inc();
  };

  /** RateLimits' `onReject`. */
  readonly rateLimitRejected = (budget: string): void => {
    this.rateLimited.inc({ budget });
  };

  /** A DeliveryWorker's `onOutcome` for this queue. */
  deliveryOutcome(queue: 'webhook' | 'notification'): (outcome: DeliveryOutcome) => void {
    const attempt = this.deliveryFailures.labels({ queue, kind: 'attempt' });
    const final = this.deliveryFailures.labels({ queue, kind: 'final' });
    const dropped = this.deliveryFailures.labels({ queue, kind: 'dropped' });
    // Zero from the start, so that a rate over the counter exists before the first failure.
    attempt.inc(0);
    final.inc(0);
    dropped.inc(0);
    return (outcome) => {
      if (outcome === 'retrying') attempt.inc();
      else if (outcome === 'failed') final.inc();
      else if (outcome === 'dropped') dropped.inc();
    };
  }

  private record(operation: OperationDefinitionNode | undefined, result: { data?: unknown; errors?: readonly unknown[] | undefined }, startedAt: bigint): void {
    const labels = { operation: this.operationLabel(operation), type: operation?.operation ?? 'none', outcome: outcomeOf(result) };
    this.operations.inc(labels);
    this.duration.observe(labels, Number(process.hrtime.bigint() - startedAt) / 1e9);
  }

  private operationLabel(operation: OperationDefinitionNode | undefined): string {
    if (!operation) return 'invalid';
    const name = operation.name?.value;
    if (!name) return 'anonymous';
    if (this.names.has(name)) return name;
    if (this.names.size >= MAX_OPERATION_NAMES || name.length > MAX_NAME_LENGTH) return 'other';
    this.names.add(name);
    return name;
  }

  private outboxBacklog(database: Database): Promise<OutboxBacklog | null> {
    const now = Date.now();
    if (!this.backlog || now - this.backlog.at > 1000) {
      this.backlog = {
        at: now,
        value: outboxBacklog(database).catch((err: unknown) => {
          this.log.warn({ err }, 'metrics: reading the outbox backlog failed');
          return null;
        }),
      };
    }
    return this.backlog.value;
  }
}

/** error: the response carries errors; user_error: no errors, but a root field answered non-empty `userErrors`; else ok. */
export function outcomeOf(result: { data?: unknown; errors?: readonly unknown[] | undefined }): OperationOutcome {
  if (result.errors?.length) return 'error';
  const data = result.data;
  if (data && typeof data === 'object') {
    for (const value of Object.values(data)) {
      const userErrors = value && typeof value === 'object' ? (value as { userErrors?: unknown }).userErrors : undefined;
      if (Array.isArray(userErrors) && userErrors.length) return 'user_error';
    }
  }
  return 'ok';
}
