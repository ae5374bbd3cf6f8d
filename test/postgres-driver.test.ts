/**
 * postgres.js under pipelining: a transaction keeps its connection to itself, and a statement outside
 * any transaction is never swallowed by one (scripts/patch-dependencies.mjs, edit 2).
 *
 * Unpatched postgres.js 3.4.x sends a transaction's BEGIN without reserving the connection when the
 * connection already has `max_pipeline` statements in flight (or its socket is backed up): the
 * transaction fails with UNSAFE_TRANSACTION and the connection returns to the pool inside PostgreSQL's
 * open transaction, so other callers' autocommit inserts vanish when a later transaction on it rolls
 * back. The pool here is small and `max_pipeline` low so that the boundary is reached on every run;
 * with the defaults the same happened rarely under load (one orderCreate in 300 concurrent ones,
 * src/modules/orders/order-race.test.ts).
 */
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, realPostgresUrl } from './harness.js';

describe.skipIf(!realPostgresUrl)('postgres.js transactions under pipelining (PostgreSQL)', () => {
  let db: Awaited<ReturnType<typeof freshPostgresDatabase>>;
  beforeAll(async () => {
    db = await freshPostgresDatabase(realPostgresUrl!);
    const sql = postgres(db.url, { max: 1, onnotice: () => {} });
    await sql`create table plain_rows (id int primary key)`;
    await sql.end();
  });
  afterAll(async () => {
    await db?.drop();
  });

  /**
   * Rounds of 40 transactions (each reads its transaction id twice, then rolls back) mixed with 120
   * autocommit inserts, all at once on a pool of 3 connections.
   */
  async function burst(maxPipeline: number, firstId: number) {
    const options = { max: 3, max_pipeline: maxPipeline, onnotice: () => {} }; // max_pipeline: an option its types omit
    const sql = postgres(db.url, options);
    const errors: string[] = [];
    const acknowledged: number[] = [];
    let mixed = 0;
    let id = firstId;
    try {
      for (let round = 0; round < 10; round++) {
        const jobs: Promise<unknown>[] = [];
        for (let i = 0; i < 40; i++) {
          jobs.push(
            sql
              .begin(async (tx) => {
                const [a] = await tx`select pg_current_xact_id()::text as x`;
                const [b] = await tx`select pg_current_xact_id()::text as x`;
                if (a!.x !== b!.x) mixed++;
                throw new Error('roll back');
              })
              .catch((e: Error & { code?: string }) => {
                if (e.message !== 'roll back') errors.push(`${e.code}: ${e.message}`);
              }),
          );
          for (let j = 0; j < 3; j++) {
            const n = id++;
            jobs.push(sql`insert into plain_rows values (${n})`.then(() => acknowledged.push(n), (e: Error) => errors.push(e.message)));
          }
        }
        await Promise.all(jobs);
      }
      const kept = await sql<{ id: number }[]>`select id from plain_rows where id >= ${firstId} and id < ${id}`;
      const keptIds = new Set(kept.map((r) => r.id));
      return { errors, mixed, acknowledged: acknowledged.length, lost: acknowledged.filter((n) => !keptIds.has(n)) };
    } finally {
      await sql.end({ timeout: 5 });
    }
  }

  const outcome = (r: Awaited<ReturnType<typeof burst>>) => ({
    failed: r.errors.length,
    firstError: r.errors[0],
    mixed: r.mixed,
    acknowledged: r.acknowledged,
    lost: r.lost.length,
  });

  it('with 2 statements per pipeline: no transaction fails, none is mixed with another, no acknowledged insert is lost', async () => {
    const r = await burst(2, 0);
    expect(outcome(r)).toEqual({ failed: 0, firstError: undefined, mixed: 0, acknowledged: 1200, lost: 0 });
  }, 60_000);

  it('with the default pipeline (100): a transaction whose BEGIN is the 100th statement in flight on its connection keeps it (what a 1,000-order burst hit)', async () => {
    const sql = postgres(db.url, { max: 2, onnotice: () => {} });
    try {
      // Both connections open, each with the insert prepared (a statement's first run on a connection
      // waits for its description and is not pipelined behind).
      await Promise.all([sql`insert into plain_rows values (${-1})`.execute(), sql`insert into plain_rows values (${-2})`.execute()]);
      // Both busy for 0.3 s; the pool pipelines what comes next onto them in turn: 99 inserts each,
      // then the transaction's BEGIN as the 100th statement waiting on the first connection.
      const busy = [sql`select pg_sleep(0.3)`.execute(), sql`select pg_sleep(0.3)`.execute()];
      const inserts = Array.from({ length: 198 }, (_, i) => sql`insert into plain_rows values (${20_000 + i})`.execute());
      const tx = sql
        .begin(async (t) => {
          await t`insert into plain_rows values (${20_999})`;
          throw new Error('roll back');
        })
        .then(
          () => 'committed',
          (e: Error) => e.message,
        );
      const later = Array.from({ length: 100 }, (_, i) => sql`insert into plain_rows values (${20_200 + i})`.execute());
      await Promise.all([...busy, ...inserts, ...later]);
      expect(await tx).toBe('roll back');
      const [row] = await sql<{ n: number }[]>`select count(*)::int as n from plain_rows where id >= 20000 and id < 21000`;
      expect(row!.n).toBe(298);
    } finally {
      await sql.end({ timeout: 5 });
    }
  }, 60_000);

  it('with pipelining off (max_pipeline 0, porsager/postgres#1210): transactions still run', async () => {
    const r = await burst(0, 10_000);
    expect(outcome(r)).toEqual({ failed: 0, firstError: undefined, mixed: 0, acknowledged: 1200, lost: 0 });
  }, 60_000);
});
