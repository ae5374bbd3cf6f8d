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
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'must be redis://… or rediss://…').optional(),
  ADMIN_API_KEY: z.string().min(24, 'must be at least 24 characters').optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  INTROSPECTION: bool(true),
  MAX_DEPTH: int(12, 1),
  MAX_ALIASES: int(30, 1),
  MAX_DIRECTIVES: int(50, 1),
  MAX_TOKENS: int(5000, 1),
  MAX_COST: int(50000, 1),
  MAX_BODY_BYTES: int(1_048_576, 1024),
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
});

export type Config = Readonly<
  Omit<z.infer<typeof schema>, 'INTROSPECTION' | 'EXPOSE_SQL_COUNT'> & {
    INTROSPECTION: boolean;
    EXPOSE_SQL_COUNT: boolean;
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
  // Introspection: on by default in development/test, off in production unless asked for.
  const introspection = env.INTROSPECTION === undefined ? c.NODE_ENV !== 'production' : c.INTROSPECTION;
  return Object.freeze({
    ...c,
    INTROSPECTION: introspection,
    isProduction: c.NODE_ENV === 'production',
    isDevelopment: c.NODE_ENV === 'development',
  });
}
