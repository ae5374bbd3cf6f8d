/**
 * SQL statement spans at the driver seam, for both drivers: PGlite's `query` (also inside its
 * transactions) and postgres.js's `unsafe` (also on transaction and savepoint connections), which
 * is every statement drizzle sends. The span itself is made by the `SqlTracer` the server hands in
 * (server/tracing.ts, OpenTelemetry); this file knows no tracing library. Without a tracer the
 * drivers are not wrapped at all (tracing off costs nothing here).
 *
 * The statement text is drizzle's parameterised SQL (`$1`, `$2`): parameter values never reach a span.
 */

/** One statement's span; `end(error)` records a failure. */
export interface SqlSpan {
  end(error?: unknown): void;
}

export interface SqlTracer {
  /** Starts a span for this statement when a traced operation is active, else null (nothing to do). */
  start(text: string): SqlSpan | null;
}

/** Ends `span` when `promise` settles; returns a promise of the same outcome. */
function settle<T>(promise: PromiseLike<T>, span: SqlSpan): Promise<T> {
  return Promise.resolve(promise).then(
    (v) => {
      span.end();
      return v;
    },
    (e: unknown) => {
      span.end(e);
      throw e;
    },
  );
}

/** Methods of the target called on the target (PGlite keeps private fields). */
function passThrough(target: object, key: string | symbol): unknown {
  const v = Reflect.get(target, key, target) as unknown;
  return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
}

interface PgliteLike {
  query(text: string, params?: unknown[], opts?: unknown): Promise<unknown>;
  transaction(fn: (tx: PgliteLike) => Promise<unknown>): Promise<unknown>;
}

/** A PGlite client (or transaction) whose `query` calls are traced. */
export function tracedPglite<T extends object>(client: T, tracer: SqlTracer): T {
  return new Proxy(client, {
    get(target, key) {
      const c = target as unknown as PgliteLike;
      if (key === 'query') {
        return (text: string, params?: unknown[], opts?: unknown) => {
          const span = tracer.start(text);
          return span ? settle(c.query(text, params, opts), span) : c.query(text, params, opts);
        };
      }
      if (key === 'transaction') {
        return (fn: (tx: PgliteLike) => Promise<unknown>) => c.transaction((tx) => fn(tracedPglite(tx, tracer)));
      }
      return passThrough(target, key);
    },
  });
}

/** postgres.js's pending query: lazy (runs when awaited), `values()` switches it to array rows and returns itself. */
interface PendingQueryLike extends PromiseLike<unknown> {
  values(): PendingQueryLike;
}

/**
 * A postgres.js query whose settlement ends `span`. Only its public surface is used: drizzle calls
 * `values()` (or not) and awaits it; the query still starts when awaited, as before.
 */
export function tracedQuery<Q extends object>(query: Q, span: SqlSpan | null): Q {
  if (!span) return query;
  let ended: Promise<unknown> | undefined;
  const proxy: Q = new Proxy(query, {
    get(target, key) {
      const q = target as unknown as PendingQueryLike;
      if (key === 'values') {
        return () => {
          q.values();
          return proxy;
        };
      }
      if (key === 'then') {
        return (onFulfilled?: (v: unknown) => unknown, onRejected?: (e: unknown) => unknown) => {
          ended ??= settle(q, span);
          return ended.then(onFulfilled, onRejected);
        };
      }
      return passThrough(target, key);
    },
  });
  return proxy;
}
