/**
 * The only reader of `process.env`: every setting is parsed and validated once,
 * and the result is frozen. A bad value stops start-up with one message naming the variable.
 */
import { z } from 'zod';

const int = (def: number, min = 0) => z.coerce.number().int().min(min).default(def);
const bool = (def: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .optional()
    .transform((v) => (v === undefined ? def : ['true', '1', 'yes'].includes(v)));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).optional(),
  PORT: int(4000).pipe(z.number().max(65535)),
  HOST: z.string().default('0.0.0.0'),
  DATABASE_URL: z
    .string()
    .regex(/^(postgres(ql)?:\/\/|memory:\/\/|file:|pglite:)/, 'must be postgres://…, memory:// or file:<dir>')
    .optional(),
  PGLITE_DATA_DIR: z.string().default('./.data'),
  DB_POOL_SIZE: int(10, 1),
  /**
   * PostgreSQL cancels a statement of the API's pool after this long (statement_timeout), so a
   * runaway query cannot hold a connection; 0 = no limit. Migrations (their own connection) and
   * scripts (seed, imports: they default to 0) are not limited. PGlite has no such timer.
   */
  DB_STATEMENT_TIMEOUT_MS: int(15_000, 0),
  /**
   * How long the PostgreSQL pool waits for a new connection (TCP connect and start-up) before the
   * statement waiting for it fails (SERVICE_UNAVAILABLE): while the database is down or unreachable a
   * request fails within about this long instead of hanging. Minimum 100 ms.
   */
  DB_CONNECT_TIMEOUT_MS: int(5_000, 100),
  /** Server processes sharing the port (node:cluster); more than 1 needs PostgreSQL and Redis. */
  WORKERS: int(1, 1).pipe(z.number().max(64)),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://… or rediss://…').optional(),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INTROSPECTION: bool(true),
  /** The GraphiQL explorer at GET /graphiql and, for browsers, GET /graphql (server/explorer-page.ts); default: on unless NODE_ENV=production. */
  EXPLORER: bool(true),
  MAX_DEPTH: int(12, 1),
  MAX_ALIASES: int(30, 1),
  MAX_DIRECTIVES: int(50, 1),
  MAX_TOKENS: int(5000, 1),
  MAX_COST: int(50000, 1),
  MAX_BODY_BYTES: int(1_048_576, 1024),
  /**
   * A WebSocket whose unsent output (ws bufferedAmount: what the kernel's socket buffer could not take)
   * exceeds this is closed with 1013 "Try Again Later" (server/ws.ts): a slow consumer never makes the
   * server hold events for it without bound.
   */
  WS_MAX_BUFFERED_BYTES: int(1_048_576, 1024),
  RATE_LIMIT_ANON_PER_MIN: int(120, 1),
  RATE_LIMIT_CUSTOMER_PER_MIN: int(1200, 1),
  RATE_LIMIT_PARTNER_PER_MIN: int(6000, 1),
  RATE_LIMIT_BURST: int(600, 1),
  /** Redis key prefix of the shared rate-limit counters; instances sharing a budget use the same one. */
  RATE_LIMIT_KEY_PREFIX: z.string().default('wb:rl'),
  /** 0 = staff keys unthrottled. */
  RATE_LIMIT_STAFF_PER_MIN: int(0, 0),
  CUSTOMER_TOKEN_TTL_HOURS: int(24 * 30, 1),
  OUTBOX_POLL_MS: int(500, 10),
  SHUTDOWN_TIMEOUT_MS: int(8000, 100),
  CORS_ORIGINS: z.string().default('*'),
  /** Adds an `x-sql-statements` response header (tests and benchmarks count SQL per request). */
  EXPOSE_SQL_COUNT: bool(false),
  /**
   * OpenTelemetry tracing (server/tracing.ts): the OTLP/HTTP collector's base URL (spans go to
   * <url>/v1/traces); unset = tracing off (no SDK loaded, no spans).
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.string().url().optional(),
  /** Extra headers of the OTLP export (`key=value,key2=value2`, values URL-encoded), e.g. a collector's token. */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^\s*[^=,\s]+\s*=[^,]*(,\s*[^=,\s]+\s*=[^,]*)*$/, 'must be key=value,key2=value2')
    .optional(),
  /** `service.name` of the exported spans. */
  OTEL_SERVICE_NAME: z.string().min(1).default('waybill'),
  /** Webhook deliveries: attempts before a delivery is FAILED (the first send counts). */
  WEBHOOK_MAX_ATTEMPTS: int(12, 1),
  /**
   * Retry n (n = 0 after the first failure) waits a random time in [0, min(CAP, BASE * 2^n)) ("full
   * jitter"). With the defaults (60 s, 8 h) and 12 attempts the 11 ceilings are 1, 2, 4, … 256 min,
   * then 8 h, 8 h: 511 min + 960 min = 1,471 min ≈ 24.5 h, the longest a delivery can keep retrying;
   * on average half of that (≈ 12 h). A base of 30 s would give only 17 h at most.
   */
  WEBHOOK_BACKOFF_BASE_MS: int(60_000, 1),
  WEBHOOK_BACKOFF_CAP_MS: int(8 * 3_600_000, 1),
  /** Per-attempt HTTP timeout (connect + response). */
  WEBHOOK_TIMEOUT_MS: int(10_000, 1),
  /** How often the dispatcher looks for due deliveries (it is also kicked when new ones are queued). */
  WEBHOOK_POLL_MS: int(1000, 5),
  /** Subscriptions to loopback/private/link-local addresses; default: allowed unless NODE_ENV=production (SSRF guard). */
  WEBHOOK_ALLOW_PRIVATE_URLS: bool(true),
  /** Customer e-mails: smtp://user:pass@host:587 (STARTTLS when offered) or smtps://host:465; unset = messages are logged, not sent. */
  SMTP_URL: z.string().regex(/^smtps?:\/\//, 'must be smtp://… or smtps://…').optional(),
  /** From header of customer e-mails. */
  SMTP_FROM: z.string().min(3).default('Waybill <no-reply@waybill.local>'),
  /** Notifications: attempts before a message is FAILED (the first send counts). */
  NOTIFICATION_MAX_ATTEMPTS: int(8, 1),
  /** Retry n waits a random time in [0, min(CAP, BASE * 2^n)); defaults 30 s and 1 h: the 7 retries of 8 attempts wait at most 30 s + 1 + 2 + … + 32 min ≈ 64 min in all. */
  NOTIFICATION_BACKOFF_BASE_MS: int(30_000, 1),
  NOTIFICATION_BACKOFF_CAP_MS: int(3_600_000, 1),
  /** How often the sender looks for due messages (it is also kicked when messages are queued). */
  NOTIFICATION_POLL_MS: int(1000, 5),
  /** Base URL of this API as customers reach it: tracking links in e-mails are <PUBLIC_URL>/track/<number>. */
  PUBLIC_URL: z.string().url().default('http://localhost:4000'),
  /**
   * HMAC key of return-label links in customer e-mails (<PUBLIC_URL>/labels/<number>.pdf?exp=…&sig=…);
   * set it (the same on every instance) so links survive restarts and open on any instance. Unset: a
   * random key per process (one per `npm start`, shared by its workers), so links stop working after a restart.
   */
  LABEL_LINK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a return-label link stays valid, days. */
  LABEL_LINK_TTL_DAYS: int(30, 1).pipe(z.number().max(365)),
  /** HMAC key of delivery quotes (deliveryOptions ids); instances that share orders must share it. Unset: a random key per process. */
  QUOTE_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  /** How long a delivery option id stays valid (the contract promises at least 30 minutes). */
  QUOTE_TTL_MINUTES: int(60, 30),
  /** Pickup-point options: how far from the destination, and how many per carrier service. */
  PICKUP_OPTIONS_RADIUS_KM: z.coerce.number().positive().max(500).default(15),
  PICKUP_OPTIONS_PER_SERVICE: int(3, 1),
  /**
   * Checkout reads stock availability and today's pickup-point usage from a per-instance cache that
   * committed changes invalidate at once (this instance's at commit, other instances' through the
   * pub/sub); entries are also read again (in the background) after this long, bounding what a lost
   * pub/sub message leaves. 0: no cache.
   */
  CHECKOUT_CACHE_TTL_MS: int(5000, 0).pipe(z.number().max(600_000)),
  /**
   * Automatic replenishment: every this many minutes each warehouse gets a replenishment run (DRAFT
   * transfers and purchase orders for what is at or below its reorder point). 0: off (the default);
   * runs are idempotent while earlier runs' orders are open, so several instances may run it.
   */
  REPLENISHMENT_INTERVAL_MINUTES: int(0, 0).pipe(z.number().max(10_080)),
  /**
   * Loyalty points past their expiry date are written off (EXPIRE) every this many minutes. 0: off;
   * the pass is idempotent and locks per customer, so several instances may run it.
   */
  LOYALTY_EXPIRY_INTERVAL_MINUTES: int(60, 0).pipe(z.number().max(10_080)),
  /**
   * The KPI read model catches up with the writes every this many seconds in the background (and
   * once right after start-up); a kpis read also catches up first. 0: only on read.
   */
  KPI_REFRESH_INTERVAL_SECONDS: int(60, 0).pipe(z.number().max(86_400)),
  /**
   * The store's time zone (IANA name): kpis buckets (hours, days, ISO weeks, months) start at its
   * midnights. Default Europe/Moscow.
   */
  STORE_TIMEZONE: z
    .string()
    .default('Europe/Moscow')
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'must be an IANA time zone such as Europe/Moscow'),
  /** The store's currency (ISO 4217): the money figures of kpis add up amounts in it (others are left out). */
  STORE_CURRENCY: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as RUB').default('RUB'),
  /** Anonymous `tracking` lookups of unknown numbers per client IP per 10 minutes (against enumeration). */
  TRACKING_MISSES_PER_10_MIN: int(30, 1),
  /** GET /export/customers.ndjson reads this many customers per statement (memory per export ≈ one page). */
  EXPORT_PAGE_SIZE: int(1000, 1).pipe(z.number().max(10_000)),
  /**
   * First-response targets of support tickets per priority, hours: `URGENT=1,HIGH=4,NORMAL=24,LOW=72`
   * (any of them; the others keep their defaults). A ticket's slaDueAt = createdAt + its target.
   */
  SUPPORT_SLA_HOURS: z
    .string()
    .default('')
    .transform((s, c) => {
      const out: Record<string, number> = { URGENT: 1, HIGH: 4, NORMAL: 24, LOW: 72 };
      for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
        const m = /^(URGENT|HIGH|NORMAL|LOW)\s*=\s*(\d+(?:\.\d+)?)$/.exec(part);
        if (!m || Number(m[2]) <= 0 || Number(m[2]) > 24 * 90) {
          c.addIssue({ code: 'custom', message: `"${part}" is not PRIORITY=hours (URGENT, HIGH, NORMAL or LOW; 0 < hours <= 2160)` });
          return z.NEVER;
        }
        out[m[1]!] = Number(m[2]);
      }
      return out as Readonly<Record<'URGENT' | 'HIGH' | 'NORMAL' | 'LOW', number>>;
    }),
  /**
   * Who answers assistantAsk: `builtin` (rules and a small intent model in the process, no network).
   * The switch for a future LLM provider; the facts are gathered the same way whoever phrases them.
   */
  ASSISTANT_PROVIDER: z.enum(['builtin']).default('builtin'),
  /**
   * The CSAT survey e-mail goes this many hours after an order's delivery (the carrier's delivery
   * time), unless the customer rated the order by then. 0: no survey e-mails.
   */
  CSAT_SURVEY_DELAY_HOURS: z.coerce.number().min(0).max(24 * 90).default(24),
  /**
   * The storefront's rating page named in the survey e-mail, with `{number}` for the order number
   * (e.g. https://shop.example/account/orders/{number}/rate); the page calls csatSubmit with the
   * customer's token. Default: <PUBLIC_URL>/orders/{number}/rate.
   */
  CSAT_SURVEY_URL: z
    .string()
    .url()
    .refine((u) => u.includes('{number}'), 'must contain {number}')
    .optional(),
  /**
   * Bearer token that GET /metrics (Prometheus) requires; unset: /metrics is open to whoever reaches
   * the port (keep it off the public network then).
   */
  METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  /** The route solver prints its search progress on stderr (tuning). */
  VRP_TRACE: bool(false),
});

export type Config = Readonly<
  Omit<z.infer<typeof schema>, 'INTROSPECTION' | 'EXPLORER' | 'EXPOSE_SQL_COUNT' | 'WEBHOOK_ALLOW_PRIVATE_URLS' | 'VRP_TRACE'> & {
    INTROSPECTION: boolean;
    EXPLORER: boolean;
    EXPOSE_SQL_COUNT: boolean;
    WEBHOOK_ALLOW_PRIVATE_URLS: boolean;
    VRP_TRACE: boolean;
    isProduction: boolean;
    isDevelopment: boolean;
  }
>;

export class ConfigError extends Error {}

/** Parses an environment (default: `process.env`) into a frozen config; throws ConfigError naming the bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(cleaned);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0]);
    throw new ConfigError(`Invalid environment variable ${name}=${JSON.stringify(env[name])}: ${issue.message}`);
  }
  const c = parsed.data;
  if (c.WORKERS > 1 && !c.DATABASE_URL?.startsWith('postgres')) {
    throw new ConfigError(`Invalid environment variable WORKERS=${JSON.stringify(env.WORKERS)}: more than one worker needs DATABASE_URL=postgres://… (an embedded PGlite database belongs to one process)`);
  }
  if (c.WORKERS > 1 && !c.REDIS_URL) {
    throw new ConfigError(`Invalid environment variable WORKERS=${JSON.stringify(env.WORKERS)}: more than one worker needs REDIS_URL (events, subscriptions and rate limits are shared through Redis)`);
  }
  // Introspection: on by default in development/test, off in production unless asked for.
  const introspection = env.INTROSPECTION === undefined ? c.NODE_ENV !== 'production' : c.INTROSPECTION;
  // The in-browser explorer: the same default (a production API shows no page unless asked to).
  const explorer = env.EXPLORER === undefined ? c.NODE_ENV !== 'production' : c.EXPLORER;
  // Private webhook targets: allowed in development/test (local receivers), refused in production unless asked for.
  const allowPrivateWebhooks = env.WEBHOOK_ALLOW_PRIVATE_URLS === undefined ? c.NODE_ENV !== 'production' : c.WEBHOOK_ALLOW_PRIVATE_URLS;
  return Object.freeze({
    ...c,
    INTROSPECTION: introspection,
    EXPLORER: explorer,
    WEBHOOK_ALLOW_PRIVATE_URLS: allowPrivateWebhooks,
    isProduction: c.NODE_ENV === 'production',
    isDevelopment: c.NODE_ENV === 'development',
  });
}
