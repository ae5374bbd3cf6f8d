/**
 * Queries on hot read paths, built once per executor as drizzle prepared queries: drizzle then
 * skips building the SQL text on every call (a third of the CPU of a `productVariant(sku)`
 * request, a tenth of a checkout answer's). Write keys as `= any(${sql.placeholder('ids')})`: one
 * array parameter keeps a single statement text whatever the number of keys, so PostgreSQL's
 * per-connection statement cache holds one entry.
 *
 * Keyed by the executor: the database's own handle keeps its set for the life of the process; a
 * transaction handle gets a set of its own that goes with it (no gain there, and no harm).
 */
import { perObject } from '../shared/cache.js';
import type { Executor } from './client.js';

export const preparedQueries = <T extends object>(build: (db: Executor) => T): ((db: Executor) => T) => perObject(build);
