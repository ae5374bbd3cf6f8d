/**
 * Runs once before the suite: under CI, PostgreSQL and Redis must be reachable (tests that need
 * them never skip there); elsewhere it only reports which engines the run uses.
 */
import postgres from 'postgres';
import { Redis } from 'ioredis';

export default async function setup() {
  const ci = !!process.env.CI;
  const pgUrl = process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : ci ? 'postgres://postgres@127.0.0.1:5432/test' : undefined;
  const redisUrl = process.env.REDIS_URL ?? (ci ? 'redis://127.0.0.1:6379' : undefined);
  if (pgUrl) {
    const sql = postgres(pgUrl, { max: 1, connect_timeout: 5, onnotice: () => {} });
    try {
      await sql`select 1`;
    } catch (err) {
      throw new Error(`PostgreSQL at ${pgUrl} is not reachable: ${(err as Error).message}`);
    } finally {
      await sql.end();
    }
  }
  if (redisUrl) {
    const r = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await r.connect();
      await r.ping();
    } catch (err) {
      throw new Error(`Redis at ${redisUrl} is not reachable: ${(err as Error).message}`);
    } finally {
      r.disconnect();
    }
  }
  console.log(`[waybill tests] database: ${process.env.DATABASE_URL?.startsWith('postgres') ? 'PostgreSQL' : 'PGlite (memory)'}; ` +
    `real PostgreSQL tests: ${pgUrl ? 'on' : 'skipped (set DATABASE_URL)'}; Redis tests: ${redisUrl ? 'on' : 'skipped (set REDIS_URL)'}`);
}
