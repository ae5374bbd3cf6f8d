/**
 * The shared job worker on its own (webhook deliveries and notifications both run on it): a test
 * job table with its own lifecycle and a fake queue whose attempts the test scripts. Claim, lease,
 * backoff, giving up, dropping and the status timeline on embedded PGlite; on PostgreSQL, two
 * workers racing for the same due rows.
 */
import pino from 'pino';
import { asc, eq, sql } from 'drizzle-orm';
import { integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, realPostgresUrl } from '../../test/harness.js';
import { openDatabase, type Database, type Executor } from '../db/client.js';
import { newId } from '../db/columns.js';
import { backoffCeiling } from '../shared/backoff.js';
import { begin, transition } from '../shared/lifecycle.js';
import { DeliveryWorker, jobLifecycle, type ClaimedJob, type Outcome, type WorkerOptions } from './delivery-worker.js';
import { transact } from './outbox.js';
import { outbox } from './outbox.table.js';

const STATUSES = ['WAITING', 'DONE', 'GAVE_UP'] as const;
type S = (typeof STATUSES)[number];
const jobs = pgTable('dw_jobs', {
  id: uuid('id').primaryKey(),
  kind: text('kind').notNull(),
  status: text('status', { enum: STATUSES }).notNull(),
  lastSequence: integer('last_sequence').notNull().default(1),
  attempts: integer('attempts').notNull().default(0),
  nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  lastError: text('last_error'),
  note: text('note'),
  doneAt: timestamp('done_at', { withTimezone: true, mode: 'date' }),
});
type Row = { id: string; status: S; kind: string };
const lifecycle = jobLifecycle<S, Row>('job', jobs, STATUSES, { history: ['dw_job_history', 'job_id'], topic: 'job.status_changed', fields: ['kind'] });
const jobHistory = lifecycle.history;
const DDL = [
  sql`create table if not exists dw_jobs (id uuid primary key, kind text not null, status text not null, last_sequence integer not null default 1, attempts integer not null default 0,
      next_attempt_at timestamptz not null default now(), last_error text, note text, done_at timestamptz)`,
  sql`create table if not exists dw_job_history (job_id uuid not null references dw_jobs(id), sequence integer not null, status text not null, previous_status text, message text,
      occurred_at timestamptz not null default now(), primary key (job_id, sequence))`,
  sql`create table if not exists dw_job_attempts (job_id uuid not null, attempt integer not null, worker text not null)`,
];

interface Job extends ClaimedJob {
  kind: string;
}
/** What the fake queue answers for a job (by its kind); `attempted` lists what it was asked. */
type Script = (job: Job, attempt: number, signal: AbortSignal) => Promise<Outcome> | Outcome;

const silent = pino({ level: 'silent' });
const BASE = 60_000;
const CAP = 3_600_000;

function workerOf(database: Database, script: Script, opts: Partial<WorkerOptions> & { name?: string; leaseMs?: number } = {}) {
  const attempted: { id: string; attempt: number }[] = [];
  const worker = new DeliveryWorker<S, Row, Job>(
    database,
    silent,
    {
      name: 'test worker',
      noun: 'job',
      idField: 'jobId',
      lifecycle,
      doneAtKey: 'doneAt',
      claim: { due: sql`kind <> 'ignored'`, columns: sql`dw_jobs.kind` },
      attempt: async (job, attempt, signal) => {
        attempted.push({ id: job.id, attempt });
        return script(job, attempt, signal);
      },
    },
    { maxAttempts: 3, backoffBaseMs: BASE, backoffCapMs: CAP, pollMs: 60_000, random: () => 0.5, leaseMs: 30_000, ...opts },
  );
  return { worker, attempted };
}

const ctxOf = (database: Database) => ({ database, relay: { committed() {} } });

async function create(database: Database, n: number, kind = 'mail'): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await transact(ctxOf(database), async (tx, events) => {
    const rows = await tx.insert(jobs).values(ids.map((id) => ({ id, kind, status: 'WAITING' as const }))).returning();
    await begin(tx, events, lifecycle, rows, { at: new Date() });
  });
  return ids;
}

const jobById = async (database: Database, id: string) => (await database.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
const historyOf = async (database: Database, id: string) =>
  (await database.db.select().from(jobHistory).where(eq(jobHistory.objectId, id)).orderBy(asc(jobHistory.sequence))).map((h) => [h.sequence, h.status, h.previousStatus, h.message]);
/** Seconds from now until the job's next attempt, by the database's clock. */
const dueIn = async (database: Database, id: string) =>
  (await database.rows<{ s: number }>(sql`select extract(epoch from next_attempt_at - now())::float8 as s from dw_jobs where id = ${id}::uuid`))[0]!.s;
const makeDue = (database: Database, id: string) => database.db.update(jobs).set({ nextAttemptAt: sql`now()` }).where(eq(jobs.id, id));

/** A database with the test tables: embedded, or a fresh one on the real PostgreSQL. */
async function scratch(onPostgres: boolean): Promise<{ database: Database; close(): Promise<void> }> {
  const fresh = onPostgres ? await freshPostgresDatabase(realPostgresUrl!) : null;
  const database = await openDatabase({ dataDir: '', url: fresh?.url ?? 'memory://', poolSize: fresh ? 10 : 1 });
  for (const ddl of DDL) await database.db.execute(ddl);
  return {
    database,
    async close() {
      await database.close();
      await fresh?.drop();
    },
  };
}

describe('delivery worker (PGlite)', () => {
  let db: Awaited<ReturnType<typeof scratch>> | undefined;
  let database: Database;
  beforeAll(async () => {
    db = await scratch(false);
    database = db.database;
  });
  // Each test works on its own jobs: what an earlier one left waiting is out of the way.
  beforeEach(async () => {
    await database.db.update(jobs).set({ kind: 'ignored' });
  });
  afterAll(async () => db?.close());

  it('claims only due waiting rows of the queue, and holds them for the lease', async () => {
    const [due] = await create(database, 1);
    const [later] = await create(database, 1);
    const [other] = await create(database, 1, 'ignored');
    await database.db.update(jobs).set({ nextAttemptAt: sql`now() + interval '1 hour'` }).where(eq(jobs.id, later!));
    // An attempt that never ends while the test looks: the claim is what it is.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const { worker, attempted } = workerOf(database, async () => {
      await held;
      return { kind: 'succeeded' };
    });
    const round = worker.drain();
    for (let i = 0; i < 200 && attempted.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(attempted).toEqual([{ id: due, attempt: 1 }]);
    // Claimed: pushed forward by the 30 s lease, still WAITING (a claim is not a status change).
    const claimed = await jobById(database, due!);
    expect(claimed.status).toBe('WAITING');
    expect(await dueIn(database, due!)).toBeGreaterThan(25);
    expect(await dueIn(database, due!)).toBeLessThanOrEqual(30);
    // A second worker finds nothing due meanwhile.
    const second = workerOf(database, () => ({ kind: 'succeeded' }));
    await second.worker.drain();
    expect(second.attempted).toEqual([]);
    release();
    await round;
    expect((await jobById(database, other!)).attempts).toBe(0);
    expect((await jobById(database, later!)).attempts).toBe(0);
  });

  it('success: DONE with the attempt counted, the error cleared, the done time, the record of the attempt, one history row and one event', async () => {
    const before = (await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox).where(eq(outbox.topic, 'job.status_changed')))[0]!.n;
    const [id] = await create(database, 1);
    const recorded: string[] = [];
    const { worker } = workerOf(database, () => ({ kind: 'succeeded', set: { note: 'ok' }, record: async () => void recorded.push(id!) }));
    await worker.drain();
    const job = await jobById(database, id!);
    expect(job).toMatchObject({ status: 'DONE', attempts: 1, lastError: null, note: 'ok', lastSequence: 2 });
    expect(job.doneAt).toBeInstanceOf(Date);
    expect(recorded).toEqual([id]);
    expect(await historyOf(database, id!)).toEqual([
      [1, 'WAITING', null, null],
      [2, 'DONE', 'WAITING', null],
    ]);
    const events = await database.db.select().from(outbox).where(eq(outbox.topic, 'job.status_changed')).orderBy(asc(outbox.id));
    expect(events.length - before).toBe(2); // begin + DONE
    expect(events.at(-1)!.payload).toMatchObject({ id, kind: 'mail', status: 'DONE', previousStatus: 'WAITING', sequence: 2, message: null });
  });

  it('failure: retried after the backoff (still WAITING, no history row), and given up after maxAttempts with the last error', async () => {
    const [id] = await create(database, 1);
    const { worker, attempted } = workerOf(database, (_job, attempt) => ({ kind: 'failed', error: `refused ${attempt}`, set: { note: `n${attempt}` } }));
    for (let n = 1; n <= 2; n++) {
      await worker.drain();
      const job = await jobById(database, id!);
      expect(job).toMatchObject({ status: 'WAITING', attempts: n, lastError: `refused ${n}`, note: `n${n}`, lastSequence: 1 });
      // Retry n waits backoffDelay(n - 1) = half the ceiling with random() = 0.5: 30 s, then 60 s.
      const expected = (backoffCeiling(n - 1, BASE, CAP) * 0.5) / 1000;
      expect(await dueIn(database, id!)).toBeGreaterThan(expected - 3);
      expect(await dueIn(database, id!)).toBeLessThanOrEqual(expected);
      // Not due yet: another round does not attempt it.
      await worker.drain();
      expect(attempted).toHaveLength(n);
      await makeDue(database, id!);
    }
    await worker.drain();
    expect(await jobById(database, id!)).toMatchObject({ status: 'GAVE_UP', attempts: 3, lastError: 'refused 3', lastSequence: 2 });
    expect(await historyOf(database, id!)).toEqual([
      [1, 'WAITING', null, null],
      [2, 'GAVE_UP', 'WAITING', 'refused 3'],
    ]);
    // Given up: never attempted again, even when its time comes.
    await makeDue(database, id!);
    await worker.drain();
    expect(attempted.map((a) => a.attempt)).toEqual([1, 2, 3]);
  });

  it('a dropped job fails at once, without counting an attempt', async () => {
    const [id] = await create(database, 1);
    const { worker } = workerOf(database, () => ({ kind: 'dropped', error: 'gone' }));
    await worker.drain();
    expect(await jobById(database, id!)).toMatchObject({ status: 'GAVE_UP', attempts: 0, lastError: 'gone' });
    expect(await historyOf(database, id!)).toEqual([
      [1, 'WAITING', null, null],
      [2, 'GAVE_UP', 'WAITING', 'gone'],
    ]);
  });

  it('a job that left WAITING during its attempt keeps that status; the attempt is still recorded', async () => {
    const [id] = await create(database, 1);
    const recorded: string[] = [];
    const { worker } = workerOf(database, async () => {
      // Meanwhile someone else gives it up (a deleted subscription, say).
      await transact(ctxOf(database), (tx, events) => transition(tx, events, lifecycle, { id: id!, status: 'WAITING' }, 'GAVE_UP', { at: new Date(), message: 'cancelled' }));
      return {
        kind: 'succeeded',
        record: async (tx: Executor) => {
          await tx.execute(sql`insert into dw_job_attempts (job_id, attempt, worker) values (${id!}::uuid, 1, 'late')`);
          recorded.push(id!);
        },
      };
    });
    await worker.drain();
    expect(await jobById(database, id!)).toMatchObject({ status: 'GAVE_UP', attempts: 0 });
    expect(recorded).toEqual([id]);
    expect(await database.rows(sql`select worker from dw_job_attempts where job_id = ${id!}::uuid`)).toEqual([{ worker: 'late' }]);
    expect(await historyOf(database, id!)).toEqual([
      [1, 'WAITING', null, null],
      [2, 'GAVE_UP', 'WAITING', 'cancelled'],
    ]);
  });

  it('a failure while the worker stops is not recorded: the job waits for its lease and is attempted again', async () => {
    const [id] = await create(database, 1);
    let started!: () => void;
    const inFlight = new Promise<void>((r) => (started = r));
    const { worker } = workerOf(database, (_job, _n, signal) => {
      started();
      return new Promise<Outcome>((resolve) => signal.addEventListener('abort', () => resolve({ kind: 'failed', error: 'aborted' })));
    });
    const round = worker.drain();
    await inFlight;
    await worker.stop();
    await round;
    expect(await jobById(database, id!)).toMatchObject({ status: 'WAITING', attempts: 0, lastError: null });
    expect(await dueIn(database, id!)).toBeGreaterThan(25); // still under the lease
    await makeDue(database, id!);
    const next = workerOf(database, () => ({ kind: 'succeeded' }));
    await next.worker.drain();
    expect(next.attempted).toEqual([{ id, attempt: 1 }]);
  });
});

describe.runIf(realPostgresUrl)('delivery worker (PostgreSQL race)', () => {
  let db: Awaited<ReturnType<typeof scratch>> | undefined;
  let database: Database;
  beforeAll(async () => {
    db = await scratch(true);
    database = db.database;
  });
  afterAll(async () => db?.close());

  it('two workers racing for the same due rows attempt each once, and every job ends DONE with a gapless history', async () => {
    const ids = await create(database, 120);
    const attemptsBy = (name: string): Script => async (job, attempt) => {
      // Each "send" takes a moment, so the two workers' rounds overlap.
      await new Promise((r) => setTimeout(r, 5));
      await database.db.execute(sql`insert into dw_job_attempts (job_id, attempt, worker) values (${job.id}::uuid, ${attempt}, ${name})`);
      return { kind: 'succeeded' };
    };
    const a = workerOf(database, attemptsBy('a'), { batch: 8 });
    const b = workerOf(database, attemptsBy('b'), { batch: 8 });
    await Promise.all([a.worker.drain(), b.worker.drain(), a.worker.drain(), b.worker.drain()]);
    const sent = await database.rows<{ job_id: string; n: number }>(sql`select job_id, count(*)::int as n from dw_job_attempts group by job_id`);
    expect(sent).toHaveLength(ids.length);
    expect(sent.every((s) => s.n === 1)).toBe(true);
    // Both took part (the rows were shared, not taken by one), and nothing is left waiting.
    expect(a.attempted.length).toBeGreaterThan(0);
    expect(b.attempted.length).toBeGreaterThan(0);
    expect(a.attempted.length + b.attempted.length).toBe(ids.length);
    const statuses = await database.rows<{ status: string; n: number }>(sql`select status, count(*)::int as n from dw_jobs group by status`);
    expect(statuses).toEqual([{ status: 'DONE', n: ids.length }]);
    const gaps = await database.rows<{ n: number }>(
      sql`select count(*)::int as n from dw_jobs j where j.last_sequence <> 2 or (select array_agg(sequence order by sequence) from dw_job_history h where h.job_id = j.id) <> array[1, 2]`,
    );
    expect(gaps[0]!.n).toBe(0);
  });
});
