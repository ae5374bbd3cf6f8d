/**
 * Connection to the database: embedded PGlite (default, persisted in ./.data, or in memory)
 * or PostgreSQL through a postgres.js pool. Both are wrapped by drizzle's PgDatabase so the
 * rest of the code does not know which one it talks to. Raw SQL stays inside `db/`.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import type { Logger as DrizzleLogger } from 'drizzle-orm/logger';
import { sql, type SQL } from 'drizzle-orm';
import { lockDataDir } from './pglite-lock.js';
import { tracedPglite, tracedQuery, type SqlTracer } from './sql-tracing.js';

/** The drizzle database or transaction handle every service receives. */
export type Executor = PgDatabase<PgQueryResultHKT, Record<string, never>>;

export interface Database {
  readonly kind: 'pglite' | 'postgres';
  readonly db: Executor;
  /** Runs raw SQL and returns plain row objects, whatever the driver. */
  rows<T = Record<string, unknown>>(query: SQL, executor?: Executor): Promise<T[]>;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** Connections in use and requests waiting for one, now (metrics; see `PoolMeter`). */
  poolUsage(): PoolUsage;
}

export interface PoolUsage {
  /** Connections the pool may open (PGlite: 1). */
  size: number;
  inUse: number;
  waiting: number;
}

/**
 * Neither driver exposes its pool's state, so the wrapper counts what asks for a connection: each
 * statement on the pool and each open transaction (which holds one connection to its end) from its
 * start until it settles. Up to the pool size that many connections are in use; the rest wait (in
 * postgres.js, queued or pipelined behind another statement; in PGlite, in its one-at-a-time queue).
 */
class PoolMeter {
  demand = 0;
  constructor(readonly size: number) {}
  /** Counts `p` until it settles; returns it unchanged. */
  track<P extends PromiseLike<unknown>>(p: P): P {
    this.demand++;
    const done = () => void this.demand--;
    p.then(done, done);
    return p;
  }
  usage(): PoolUsage {
    const inUse = Math.min(this.demand, this.size);
    return { size: this.size, inUse, waiting: this.demand - inUse };
  }
}

/** Counts SQL statements per async context (a request); used by tests against N+1 and by benchmarks. */
export const statementCounter = new AsyncLocalStorage<{ count: number; statements?: string[] }>();

const countingLogger: DrizzleLogger = {
  logQuery(query: string) {
    const store = statementCounter.getStore();
    if (store) {
      store.count++;
      store.statements?.push(query);
    }
  },
};

const migrationsFolder = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface DbOptions {
  url?: string;
  dataDir: string;
  poolSize: number;
  /** PostgreSQL statement_timeout of the pool's connections, ms; 0 or absent = none. Not applied by PGlite. */
  statementTimeoutMs?: number;
  /** How long a new PostgreSQL connection may take to open, ms (postgres.js connect_timeout); default 10 s. */
  connectTimeoutMs?: number;
  /** Spans of SQL statements (sql-tracing.ts); absent = tracing off, drivers unwrapped. */
  sqlTracer?: SqlTracer;
  /**
   * In-memory PGlite only: a `dumpDataDir()` of a migrated database to start from (tests: PGlite's
   * initdb and the migrations take ~3 s per database, loading a dump ~0.7 s).
   */
  pgliteTemplate?: Blob;
}

/** Opens the configured database and applies pending drizzle-kit migrations. */
export async function openDatabase(opts: DbOptions): Promise<Database> {
  const url = opts.url;
  if (!url || url.startsWith('memory://') || url.startsWith('file:') || url.startsWith('pglite:')) {
    const dataDir = url && !url.startsWith('memory://') ? url.replace(/^(file:|pglite:)(\/\/)?/, '') : url ? undefined : opts.dataDir;
    return openPglite(dataDir, opts.sqlTracer, dataDir ? undefined : opts.pgliteTemplate);
  }
  return openPostgres(url, opts.poolSize, opts.statementTimeoutMs ?? 0, opts.connectTimeoutMs ?? 10_000, opts.sqlTracer);
}

function rowsOfResult<T>(result: unknown): T[] {
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** The Database over a drizzle handle: `rows` the same for both drivers, `ping` and `close` the driver's own. */
function databaseOf(kind: Database['kind'], db: Executor, ping: () => Promise<void>, close: () => Promise<void>, meter: PoolMeter): Database {
  return {
    kind,
    db,
    poolUsage: () => meter.usage(),
    async rows<T>(query: SQL, executor: Executor = db) {
      return rowsOfResult<T>(await executor.execute(query));
    },
    ping,
    close,
  };
}

async function openPglite(dataDir: string | undefined, sqlTracer: SqlTracer | undefined, template: Blob | undefined): Promise<Database> {
  const { PGlite } = await import('@electric-sql/pglite');
  const { drizzle } = await import('drizzle-orm/pglite');
  const { migrate } = await import('drizzle-orm/pglite/migrator');
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  // One process per directory (pglite-lock.ts): refused with DatabaseInUseError before touching any file of it.
  const lock = dataDir ? lockDataDir(dataDir) : null;
  let client: InstanceType<typeof PGlite>;
  try {
    client = dataDir ? new PGlite(path.resolve(dataDir)) : new PGlite(template ? { loadDataDir: template } : {});
    await client.waitReady;
  } catch (err) {
    lock?.release();
    throw err;
  }
  const failed = async (err: unknown): Promise<never> => {
    await client.close().catch(() => {});
    lock?.release();
    throw err;
  };
  // What drizzle calls (PGlite's own internals use private methods, so nothing is counted twice).
  const meter = new PoolMeter(1);
  for (const key of ['query', 'exec', 'transaction'] as const) {
    const method = client[key].bind(client) as (...args: unknown[]) => Promise<unknown>;
    (client as unknown as Record<string, unknown>)[key] = (...args: unknown[]) => meter.track(method(...args));
  }
  const db = drizzle({ client: sqlTracer ? tracedPglite(client, sqlTracer) : client, logger: countingLogger }) as unknown as Executor;
  await migrate(db as never, { migrationsFolder }).catch(failed);
  return databaseOf(
    'pglite',
    db,
    async () => {
      await client.query('select 1');
    },
    async () => {
      try {
        await client.close();
      } finally {
        lock?.release();
      }
    },
    meter,
  );
}

type PostgresClient = import('postgres').Sql;

/**
 * drizzle's postgres.js driver sends every query not built with `.prepare(name)` as an unnamed
 * statement (`prepare: false` overrides the client option), so PostgreSQL parses and plans it
 * again on every call and postgres.js decodes a fresh description each time. This view of the
 * client keeps postgres.js's own per-connection statement cache on (its default), for the pool
 * and for transaction and savepoint connections: a repeated query costs Bind/Execute only.
 * The statement text is drizzle's, with parameters, so the cache is bounded by the query shapes.
 */
function alwaysPrepared<T extends PostgresClient>(client: T, meter?: PoolMeter, sqlTracer?: SqlTracer): T {
  return new Proxy(client, {
    get(target, key, receiver) {
      switch (key) {
        case 'unsafe':
          return (query: string, params?: unknown[], opts?: Record<string, unknown>) => {
            const q = target.unsafe(query, params as never, { ...opts, prepare: true });
            const metered = meter ? lazilyTracked(q, meter) : q;
            return sqlTracer ? tracedQuery(metered, sqlTracer.start(query)) : metered;
          };
        case 'begin':
        case 'savepoint':
          return (...args: unknown[]) => {
            const fn = args.pop() as (c: PostgresClient) => unknown;
            const method = (target as unknown as Record<string, (...a: unknown[]) => unknown>)[key]!;
            const run = method.call(target, ...args, (c: PostgresClient) => fn(alwaysPrepared(c, undefined, sqlTracer))) as Promise<unknown>;
            return meter ? meter.track(run) : run;
          };
        default:
          return Reflect.get(target, key, receiver);
      }
    },
  });
}

/**
 * A postgres.js query runs when first awaited (after `.values()` and the like were set on it), so it
 * is counted from then on, not from its creation.
 */
function lazilyTracked<Q extends PromiseLike<unknown>>(q: Q, meter: PoolMeter): Q {
  const then = q.then;
  let tracked = false;
  (q as { then: unknown }).then = function (this: Q, ...args: Parameters<Q['then']>) {
    if (!tracked) {
      tracked = true;
      meter.track({ then: (ok: () => void, fail: () => void) => then.call(q, ok, fail) } as PromiseLike<unknown>);
    }
    return then.apply(this, args);
  };
  return q;
}

async function openPostgres(url: string, poolSize: number, statementTimeoutMs: number, connectTimeoutMs: number, sqlTracer: SqlTracer | undefined): Promise<Database> {
  const postgres = (await import('postgres')).default;
  const { drizzle } = await import('drizzle-orm/postgres-js');
  const { migrate } = await import('drizzle-orm/postgres-js/migrator');
  // statement_timeout is a startup parameter of every pool connection; the migrator below has none.
  const connection = statementTimeoutMs > 0 ? { statement_timeout: statementTimeoutMs } : undefined;
  // While the database is down, a statement waiting for a connection must fail fast (db/errors.ts:
  // SERVICE_UNAVAILABLE) and the pool must be back as soon as the database is:
  // - connect_timeout (seconds) bounds each connection attempt (an unreachable host);
  // - backoff: postgres.js waits (0.5–1)·min(3^n/100, 20) s before the n-th reconnect of a connection
  //   by default, and statements queued for it wait with no limit meanwhile: after a few failed
  //   attempts, requests hung up to 20 s and recovery lagged as long (test/faults/postgres-outage.test.ts).
  //   Every attempt is cheap when the server refuses at once, so retry after at most 0.5 s.
  const client = postgres(url, {
    max: poolSize,
    prepare: true,
    onnotice: () => {},
    connect_timeout: connectTimeoutMs / 1000,
    backoff: (attempt: number) => Math.min(0.05 * 2 ** attempt, 0.5),
    connection,
  });
  // Several instances may start at once: one migrates, the others wait on an advisory lock
  // held by a dedicated single connection (session-level locks need the same connection).
  const migrator = postgres(url, { max: 1, onnotice: () => {}, connect_timeout: 10 });
  try {
    await migrator`select pg_advisory_lock(727274)`;
    await migrate(drizzle({ client: migrator }), { migrationsFolder });
  } finally {
    await migrator.end({ timeout: 5 });
  }
  const meter = new PoolMeter(poolSize);
  const db = drizzle({ client: alwaysPrepared(client, meter, sqlTracer), logger: countingLogger }) as unknown as Executor;
  return databaseOf(
    'postgres',
    db,
    async () => {
      await client`select 1`;
    },
    () => client.end({ timeout: 5 }),
    meter,
  );
}

export { sql };
