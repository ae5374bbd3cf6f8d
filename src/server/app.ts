/**
 * The composition root: config -> database -> pub/sub -> relay -> schema -> HTTP + WebSocket.
 * `createApp` is used by main.ts, the tests (several apps per process) and the benchmarks.
 */
import cluster from 'node:cluster';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { GraphQLError, GraphQLSchema } from 'graphql';
import type { Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import { WebSocketServer } from 'ws';
import type { Config } from '../config.js';
import { openDatabase, type Database } from '../db/client.js';
import { createAppPubSub, type PubSubHandle } from '../events/pubsub.js';
import { OutboxRelay } from '../events/relay.js';
import type { GraphQLContext } from '../graphql/context.js';
import { systemClock, type Clock } from '../shared/clock.js';
import { ANONYMOUS, type Principal } from '../shared/principal.js';
import { Extensions } from '../shared/extensions.js';
import { provideCarrierExtensions } from '../modules/carriers/carrier.extensions.js';
import { provideShipmentExtensions } from '../modules/shipments/shipment.extensions.js';
import { provideLoyaltyExtensions } from '../modules/loyalty/loyalty.extensions.js';
import { TRACKING_GUARD } from '../modules/tracking/tracking.extensions.js';
import { Authenticator, ensureAdminKey } from '../modules/auth/auth.service.js';
import { watchAvailability } from '../modules/inventory/availability.service.js';
import { LEVEL_CHANGED } from '../modules/inventory/inventory.events.js';
import { watchPickupUsage } from '../modules/carriers/pickup.service.js';
import { BackorderAllocator } from '../modules/orders/order.backorders.js';
import { ReplenishmentScheduler } from '../modules/planning/replenishment.scheduler.js';
import { LoyaltyExpiryScheduler } from '../modules/loyalty/loyalty.expiry.scheduler.js';
import { KpiRefreshScheduler } from '../modules/metrics/kpi.refresh.scheduler.js';
import { watchLoyaltyProgram } from '../modules/loyalty/loyalty.program-update.js';
import { mailTransport, NotificationSender, senderOptions } from '../modules/notifications/notification.sender.js';
import { reasonNotToSend, registerNotificationHandlers } from '../modules/notifications/notification.service.js';
import { dispatcherOptions, WebhookDispatcher } from '../modules/webhooks/webhook.dispatcher.js';
import { registerWebhookHandlers } from '../modules/webhooks/webhook.service.js';
import { createApollo } from './apollo.js';
import { buildContext } from './context.js';
import { documentRules } from './document-rules.js';
import { HttpDrain } from './drain.js';
import { FastPath } from './fast-path.js';
import { createRequestHandler } from './http.js';
import { createJitExecutor, type JitExecutor } from './jit-executor.js';
import { createLogger } from './logger.js';
import { logSerializers } from './log-redaction.js';
import { makeFormatError } from './plugins/errors.js';
import { RateLimits } from './plugins/rate-limit.js';
import { createSchema } from './schema.js';
import { customerExportRoute } from './customer-export-route.js';
import { labelRoute } from './label-route.js';
import { explorerPage } from './explorer-page.js';
import { opsPageRoute } from './ops-page.js';
import { trackPageRoute } from './track-page.js';
import { attachGraphQLWs } from './ws.js';
import { Metrics } from './metrics.js';
import { clusterExposition, joinClusterMetrics } from './metrics-cluster.js';
import { metricsRoute } from './metrics-route.js';

export interface App {
  readonly config: Config;
  readonly database: Database;
  readonly pubSub: PubSubHandle;
  readonly relay: OutboxRelay;
  readonly webhooks: WebhookDispatcher;
  readonly notifications: NotificationSender;
  /** The scheduled replenishment run (started only when REPLENISHMENT_INTERVAL_MINUTES > 0; runOnce works regardless). */
  readonly replenishment: ReplenishmentScheduler;
  /** The scheduled expiry of loyalty points (LOYALTY_EXPIRY_INTERVAL_MINUTES; runOnce works regardless). */
  readonly loyaltyExpiry: LoyaltyExpiryScheduler;
  /** The KPI read model's background catch-up (KPI_REFRESH_INTERVAL_SECONDS; runOnce works regardless). */
  readonly kpiRefresh: KpiRefreshScheduler;
  readonly schema: GraphQLSchema;
  readonly authenticator: Authenticator;
  readonly log: Logger;
  readonly clock: Clock;
  /** Apollo's executor: graphql-jit for queries, graphql-js otherwise (its stats tell which ran). */
  readonly executor: JitExecutor;
  /** The HTTP fast path for known documents (its stats tell how many requests it answered). */
  readonly fastPath: FastPath;
  readonly server: Server;
  /** Prometheus metrics of this process (GET /metrics). */
  readonly metrics: Metrics;
  /** http://host:port/graphql once listening. */
  url: string;
  listen(port?: number, host?: string): Promise<string>;
  /** Graceful stop: no new connections, in-flight requests finish, sockets, pool and Redis closed. */
  close(): Promise<void>;
  /** A context as a request with this principal would get (scripts, tests). */
  context(principal: Principal): GraphQLContext;
}

export interface AppOptions {
  clock?: Clock;
  log?: Logger;
  database?: Database;
  /** Tracing on with spans going here instead of OTLP (tests: an InMemorySpanExporter); see tracing.ts. */
  spanExporter?: SpanExporter;
  /** An in-memory PGlite starts from this dump of a migrated database (tests; see DbOptions). */
  pgliteTemplate?: Blob;
}

export async function createApp(config: Config, opts: AppOptions = {}): Promise<App> {
  // A logger handed in (tests, scripts) also logs errors without SQL parameters (log-redaction.ts).
  const log = (opts.log ?? createLogger(config)).child({}, { serializers: logSerializers });
  const clock = opts.clock ?? systemClock;
  const metrics = new Metrics(log);
  // A cluster worker's registry is the one the primary adds up with the others (metrics-cluster.ts).
  if (config.WORKERS > 1 && cluster.isWorker) joinClusterMetrics(metrics.registry);
  // Tracing only when configured: otherwise its module (and OpenTelemetry) is never loaded.
  const tracing =
    config.OTEL_EXPORTER_OTLP_ENDPOINT || opts.spanExporter ? (await import('./tracing.js')).startTracing(config, { exporter: opts.spanExporter }) : undefined;
  const database =
    opts.database ??
    (await openDatabase({
      url: config.DATABASE_URL,
      dataDir: config.PGLITE_DATA_DIR,
      poolSize: config.DB_POOL_SIZE,
      statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
      connectTimeoutMs: config.DB_CONNECT_TIMEOUT_MS,
      sqlTracer: tracing?.sql,
      pgliteTemplate: opts.pgliteTemplate,
    }));
  const pubSub = await createAppPubSub(config.REDIS_URL, { log });
  const relay = new OutboxRelay(database, pubSub, log, { pollMs: config.OUTBOX_POLL_MS });
  // Checkout's caches of stock availability and pickup usage drop what committed changes made stale.
  watchAvailability(relay, database);
  watchPickupUsage(relay, database);
  // The cached loyalty program is dropped by every committed update (from any instance).
  watchLoyaltyProgram(relay, database);
  const webhooks = new WebhookDispatcher(database, log, { ...dispatcherOptions(config), relay, clock, onOutcome: metrics.deliveryOutcome('webhook') });
  registerWebhookHandlers(relay, { onQueued: () => webhooks.kick() });
  const extensions = new Extensions();
  provideCarrierExtensions(extensions);
  provideShipmentExtensions(extensions);
  provideLoyaltyExtensions(extensions);
  const authenticator = new Authenticator(database, clock);
  authenticator.watchRevocations(relay);
  const events = { subscribe: (topic: string) => pubSub.pubSub.subscribe(topic) as AsyncIterable<Record<string, unknown>> };
  const deps = { config, database, clock, relay, log, events, extensions };
  if (config.ADMIN_API_KEY) await ensureAdminKey(deps, config.ADMIN_API_KEY);
  // Customer e-mails: rendered into rows by a durable relay handler, sent by the sender.
  const notifyCtx = buildContext(deps, { kind: 'STAFF', name: 'system', scopes: ['admin'] }, 'notifications').services;
  const notifications = new NotificationSender(database, mailTransport(config, log), log, { ...senderOptions(config), relay, clock, onOutcome: metrics.deliveryOutcome('notification'), reasonNotToSend: (n) => reasonNotToSend(notifyCtx, n) });
  registerNotificationHandlers(relay, notifyCtx, {
    onQueued: () => notifications.kick(),
  });

  const schema = await createSchema(pubSub.pubSub);
  const rateLimits = new RateLimits(config, pubSub.redis, metrics.rateLimitRejected);
  extensions.provide(TRACKING_GUARD, { consumeMiss: (ip) => rateLimits.consumeWindow('tracking-miss', ip, config.TRACKING_MISSES_PER_10_MIN, 600) });
  const authenticate = (h: string | undefined) => authenticator.authenticate(h);
  const rateLimit = (p: Principal, ip: string) => rateLimits.consume(p, ip);
  const context = (p: Principal, requestId: string, clientIp?: string) => buildContext(deps, p, requestId, clientIp);

  const server = createServer({ keepAliveTimeout: 65_000 });
  // Graceful stop for keep-alive clients (drain.ts): created before any other listener of the server.
  const drain = new HttpDrain(server, { graceMs: config.SHUTDOWN_TIMEOUT_MS, log });
  // No permessage-deflate (ws's default, said here on purpose): a zlib context per socket costs
  // tens of KiB each, which 10,000 subscribers cannot afford, for small JSON messages.
  const wss = new WebSocketServer({ server, path: '/graphql', maxPayload: config.MAX_BODY_BYTES, perMessageDeflate: false });
  const formatError = makeFormatError(log, config.isDevelopment);
  // One set of document rules (limits, introspection, suggestions) for HTTP, its fast path and the WebSocket.
  const rules = documentRules(config);
  const wsServer = attachGraphQLWs(wss, {
    schema,
    rules,
    authenticate,
    context,
    rateLimit,
    formatError: (e: GraphQLError) => formatError(e.toJSON(), e),
    maxBufferedBytes: config.WS_MAX_BUFFERED_BYTES,
    onSlowConsumer: metrics.slowConsumerClosed,
    onInternalError: (err) => log.error({ err }, 'websocket message failed'),
  });
  metrics.observe({ database, ws: wsServer.activity });
  // graphql-jit runs the queries Apollo has parsed and validated (jit-executor.ts).
  const executor = createJitExecutor(schema, { includeStacktrace: config.isDevelopment, around: tracing?.operation });
  // Known documents skip Apollo's per-request pipeline to the same executor (fast-path.ts); Apollo fills its cache.
  const fastPath = new FastPath({ executor, formatError, rules, includeStacktrace: config.isDevelopment, observe: metrics.fastPathObserver });
  const apollo = createApollo(executor, config, log, rules, [
    fastPath.plugin(),
    metrics.apolloPlugin(),
    {
      async serverWillStart() {
        return {
          // Apollo still executes operations while it drains: in-flight HTTP requests finish here.
          async drainServer() {
            await Promise.all([drain.stop(), wsServer.dispose()]);
          },
        };
      },
    },
  ]);
  await apollo.start();
  // GraphiQL at /graphiql and for browsers at GET /graphql (off in production unless EXPLORER).
  const explorer = config.EXPLORER ? explorerPage({ log }) : undefined;
  const handler = createRequestHandler({
    config,
    log,
    apollo,
    authenticate,
    context,
    rateLimit,
    routes: [
      trackPageRoute({ schema, context, rateLimit }),
      opsPageRoute({ log }),
      ...(explorer ? [explorer.route] : []),
      labelRoute(() => buildContext(deps, ANONYMOUS, 'label').services),
      customerExportRoute({ authenticate, context, rateLimit, log, pageSize: config.EXPORT_PAGE_SIZE }),
      metricsRoute({ token: config.METRICS_TOKEN, log, exposition: config.WORKERS > 1 && cluster.isWorker ? clusterExposition : () => metrics.exposition() }),
    ],
    fastPath,
    tracing,
    graphqlPage: explorer?.graphqlGet,
    async ready() {
      // Load balancers stop sending new requests here while the open connections are drained.
      if (drain.stopping) return { ok: false, checks: { server: 'stopping' } };
      const checks: Record<string, string> = {};
      const probe = async (name: string, fn: () => Promise<void>) => {
        try {
          await Promise.race([fn(), new Promise((_, rej) => setTimeout(() => rej(new Error('timeout')), 2000).unref())]);
          checks[name] = 'ok';
        } catch (e) {
          checks[name] = `failed: ${(e as Error).message}`;
        }
      };
      await Promise.all([probe('database', () => database.ping()), probe('pubsub', () => pubSub.ping())]);
      return { ok: Object.values(checks).every((v) => v === 'ok'), checks };
    },
  });
  server.on('request', drain.handler((req, res) => void handler(req, res)));
  relay.start();
  // Backorders are allocated, oldest first, when stock arrives.
  const backorders = new BackorderAllocator(buildContext(deps, { kind: 'STAFF', name: 'system', scopes: ['admin'] }, 'backorders').services, log);
  backorders.start(events.subscribe(LEVEL_CHANGED));
  // Automatic replenishment, when configured (off by default).
  const replenishment = new ReplenishmentScheduler(
    buildContext(deps, { kind: 'STAFF', name: 'replenishment', scopes: ['admin'] }, 'replenishment').services,
    log,
    config.REPLENISHMENT_INTERVAL_MINUTES * 60_000,
  );
  replenishment.start();
  // Expiry of loyalty points past their date (hourly by default).
  const loyaltyExpiry = new LoyaltyExpiryScheduler(
    buildContext(deps, { kind: 'STAFF', name: 'loyalty-expiry', scopes: ['admin'] }, 'loyalty-expiry').services,
    log,
    config.LOYALTY_EXPIRY_INTERVAL_MINUTES * 60_000,
  );
  loyaltyExpiry.start();
  const kpiRefresh = new KpiRefreshScheduler(
    buildContext(deps, { kind: 'STAFF', name: 'kpi-refresh', scopes: ['admin'] }, 'kpi-refresh').services,
    log,
    config.KPI_REFRESH_INTERVAL_SECONDS * 1000,
  );
  kpiRefresh.start();
  webhooks.start();
  notifications.start();

  let closed: Promise<void> | null = null;
  const app: App = {
    config,
    database,
    pubSub,
    relay,
    webhooks,
    notifications,
    replenishment,
    loyaltyExpiry,
    kpiRefresh,
    schema,
    authenticator,
    log,
    clock,
    executor,
    fastPath,
    server,
    metrics,
    url: '',
    async listen(port = config.PORT, host = config.HOST) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve());
      });
      const addr = server.address() as AddressInfo;
      app.url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${addr.port}/graphql`;
      return app.url;
    },
    close() {
      closed ??= (async () => {
        const deadline = Date.now() + config.SHUTDOWN_TIMEOUT_MS;
        fastPath.enabled = false; // from here on Apollo answers every request
        // The HTTP drain starts now (synchronously: from here on every response says `connection: close`);
        // apollo.stop() waits for it and disposes the WebSocket server.
        const httpDrained = drain.stop();
        await apollo.stop();
        await httpDrained;
        wss.close();
        await backorders.stop();
        await replenishment.stop();
        await loyaltyExpiry.stop();
        await kpiRefresh.stop();
        await relay.stop();
        await webhooks.stop(); // after the relay (it may still queue deliveries), before the database closes
        await notifications.stop(); // likewise: after the relay, before the database closes
        await pubSub.close();
        if (!opts.database) await database.close();
        // The spans of the last requests, within what is left of the grace period (at least 250 ms).
        await tracing?.shutdown(Math.max(250, deadline - Date.now()));
      })();
      return closed;
    },
    context: (p) => context(p, 'internal'),
  };
  return app;
}
