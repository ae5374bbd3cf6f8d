/**
 * The lifecycle kernel on its own: a test object ("widget") with its own table, history and
 * transition table, on embedded PGlite (and, with DATABASE_URL, a race on PostgreSQL).
 */
import fc from 'fast-check';
import { asc, eq, sql } from 'drizzle-orm';
import { integer, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshPostgresDatabase, realPostgresUrl } from '../../test/harness.js';
import { openDatabase, type Database } from '../db/client.js';
import { newId } from '../db/columns.js';
import { transact } from '../events/outbox.js';
import { outbox } from '../events/outbox.table.js';
import { BusinessError } from './errors.js';
import { begin, canTransition, defineLifecycle, historyTable, terminalStates, transition, transitionMany, type TransitionTable } from './lifecycle.js';

const STATES = ['NEW', 'ACTIVE', 'PAUSED', 'DONE', 'CANCELLED'] as const;
type S = (typeof STATES)[number];
const table: TransitionTable<S> = {
  NEW: ['ACTIVE', 'CANCELLED'],
  ACTIVE: ['PAUSED', 'DONE', 'CANCELLED'],
  PAUSED: ['ACTIVE', 'CANCELLED'],
  DONE: [],
  CANCELLED: [],
};
const widgets = pgTable('lc_widgets', {
  id: uuid('id').primaryKey(),
  state: text('state', { enum: STATES }).notNull(),
  seq: integer('seq').notNull().default(1),
  doneNote: text('done_note'),
});
const widgetHistory = historyTable('lc_widget_history', 'widget_id', () => widgets.id, STATES);
type Widget = typeof widgets.$inferSelect & { status: S };

// The kernel addresses the status column by the definition, whatever the column is called.
const lifecycle = defineLifecycle<S, Widget>({
  noun: 'widget',
  table: widgets,
  columns: { id: widgets.id, status: widgets.state, lastSequence: widgets.seq },
  transitions: table,
  history: widgetHistory,
  topic: 'widget.status_changed',
});

const DDL = [
  sql`create table if not exists lc_widgets (id uuid primary key, state text not null, seq integer not null default 1, done_note text)`,
  sql`create table if not exists lc_widget_history (widget_id uuid not null references lc_widgets(id), sequence integer not null, status text not null, previous_status text, message text, occurred_at timestamptz not null default now(), primary key (widget_id, sequence))`,
];

const ctxOf = (database: Database) => ({ database, relay: { committed() {} } });
const now = () => new Date('2026-12-06T12:00:00Z');

async function create(database: Database, n = 1): Promise<string[]> {
  const ids = Array.from({ length: n }, () => newId());
  await transact(ctxOf(database), async (tx, events) => {
    const rows = await tx.insert(widgets).values(ids.map((id) => ({ id, state: 'NEW' as const }))).returning();
    await begin(tx, events, lifecycle, rows.map((r) => ({ ...r, status: r.state })), { at: now(), message: 'made' });
  });
  return ids;
}

/** Reads the widget's status the way a service would, then asks the kernel to move it. */
async function move(database: Database, id: string, to: S, read?: S): Promise<'ok' | string> {
  try {
    await transact(ctxOf(database), async (tx, events) => {
      const status = read ?? (await tx.select().from(widgets).where(eq(widgets.id, id)))[0]!.state;
      await transition(tx, events, lifecycle, { id, status }, to, { at: now(), set: to === 'DONE' ? { doneNote: 'finished' } : undefined });
    });
    return 'ok';
  } catch (e) {
    if (e instanceof BusinessError) return e.errors[0]!.code;
    throw e;
  }
}

const history = (database: Database, id: string) =>
  database.db.select().from(widgetHistory).where(eq(widgetHistory.objectId, id)).orderBy(asc(widgetHistory.sequence));

describe('lifecycle kernel (PGlite)', () => {
  let database: Database;
  beforeAll(async () => {
    database = await openDatabase({ dataDir: '', url: 'memory://', poolSize: 1 });
    for (const ddl of DDL) await database.db.execute(ddl);
  });
  afterAll(async () => database?.close());

  it('columns left out: the table\'s id, status and lastSequence (a table naming them otherwise gives its own)', () => {
    const plain = pgTable('lc_plain', { id: uuid('id').primaryKey(), status: text('status', { enum: STATES }).notNull(), lastSequence: integer('last_sequence').notNull() });
    const plainHistory = historyTable('lc_plain_history', 'plain_id', () => plain.id, STATES);
    const def = defineLifecycle<S, typeof plain.$inferSelect>({ noun: 'plain', table: plain, transitions: table, history: plainHistory, topic: 'plain.status_changed' });
    expect(def.columns).toEqual({ id: plain.id, status: plain.status, lastSequence: plain.lastSequence });
    expect(def.columns.status).toBe(plain.status);
    expect(lifecycle.columns.status).toBe(widgets.state);
  });

  it('tables: canTransition and terminal states read the table', () => {
    expect(canTransition(table, 'NEW', 'ACTIVE')).toBe(true);
    expect(canTransition(table, 'DONE', 'ACTIVE')).toBe(false);
    expect(canTransition(table, 'NEW', 'DONE')).toBe(false);
    expect(terminalStates(table).sort()).toEqual(['CANCELLED', 'DONE']);
  });

  it.each([
    ['NEW', 'ACTIVE', 'ok'],
    ['NEW', 'DONE', 'INVALID_STATE_TRANSITION'],
    ['ACTIVE', 'PAUSED', 'ok'],
    ['DONE', 'CANCELLED', 'INVALID_STATE_TRANSITION'],
    ['CANCELLED', 'NEW', 'INVALID_STATE_TRANSITION'],
    ['PAUSED', 'ACTIVE', 'ok'],
  ] as [S, S, string][])('%s -> %s: %s', async (from, to, expected) => {
    const [id] = await create(database);
    await database.db.update(widgets).set({ state: from }).where(eq(widgets.id, id!));
    const outboxBefore = (await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]!.n;
    expect(await move(database, id!, to)).toBe(expected);
    const [w] = await database.db.select().from(widgets).where(eq(widgets.id, id!));
    const h = await history(database, id!);
    const outboxAfter = (await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]!.n;
    if (expected === 'ok') {
      expect(w!.state).toBe(to);
      expect(w!.seq).toBe(2);
      expect(h.map((x) => [x.sequence, x.status, x.previousStatus])).toEqual([
        [1, 'NEW', null],
        [2, to, from],
      ]);
      expect(outboxAfter - outboxBefore).toBe(1);
    } else {
      // Refused: nothing written.
      expect(w!.state).toBe(from);
      expect(w!.seq).toBe(1);
      expect(h).toHaveLength(1);
      expect(outboxAfter).toBe(outboxBefore);
    }
  });

  it('a stale read is refused, not overwritten', async () => {
    const [id] = await create(database);
    await move(database, id!, 'ACTIVE');
    const r = await transact(ctxOf(database), (tx, events) => transition(tx, events, lifecycle, { id: id!, status: 'NEW' }, 'CANCELLED', { at: now() })).catch((e: BusinessError) => e.errors[0]!.code);
    expect(r).toBe('INVALID_STATE_TRANSITION');
    const [w] = await database.db.select().from(widgets).where(eq(widgets.id, id!));
    expect(w!.state).toBe('ACTIVE');
  });

  it('transitionMany moves all or none, with one history row and one event each; extra columns in the same update', async () => {
    const ids = await create(database, 3);
    const before = (await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]!.n;
    await transact(ctxOf(database), (tx, events) => transitionMany(tx, events, lifecycle, ids.map((id) => ({ id, status: 'NEW' as S })), 'ACTIVE', { at: now(), message: 'go' }));
    for (const id of ids) expect((await history(database, id)).map((h) => h.status)).toEqual(['NEW', 'ACTIVE']);
    const events = await database.db.select().from(outbox).orderBy(asc(outbox.id));
    expect(events.length - before).toBe(3);
    expect(events.at(-1)!.payload).toMatchObject({ status: 'ACTIVE', previousStatus: 'NEW', sequence: 2, message: 'go' });
    // One of them moves on; a batch that still thinks it ACTIVE fails as a whole.
    await move(database, ids[0]!, 'PAUSED');
    const r = await transact(ctxOf(database), (tx, events) => transitionMany(tx, events, lifecycle, ids.map((id) => ({ id, status: 'ACTIVE' as S })), 'DONE', { at: now() })).catch((e: BusinessError) => e.errors[0]!.code);
    expect(r).toBe('INVALID_STATE_TRANSITION');
    for (const id of ids.slice(1)) {
      const [w] = await database.db.select().from(widgets).where(eq(widgets.id, id));
      expect(w!.state).toBe('ACTIVE');
      expect(w!.doneNote).toBeNull();
    }
    expect(await move(database, ids[1]!, 'DONE')).toBe('ok');
    expect((await database.db.select().from(widgets).where(eq(widgets.id, ids[1]!)))[0]!.doneNote).toBe('finished');
  });

  it('skipMoved: objects that moved meanwhile are left out (no history row, no event) and the rest move', async () => {
    const ids = await create(database, 3);
    await move(database, ids[1]!, 'CANCELLED');
    const before = (await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]!.n;
    const moved = await transact(ctxOf(database), (tx, events) =>
      transitionMany(tx, events, lifecycle, ids.map((id) => ({ id, status: 'NEW' as S })), 'ACTIVE', { at: now(), skipMoved: true }),
    );
    expect(moved.map((w) => w.id)).toEqual([ids[0], ids[2]]);
    expect((await history(database, ids[1]!)).map((h) => h.status)).toEqual(['NEW', 'CANCELLED']);
    for (const id of [ids[0]!, ids[2]!]) expect((await history(database, id)).map((h) => [h.sequence, h.status])).toEqual([[1, 'NEW'], [2, 'ACTIVE']]);
    expect((await database.db.select({ n: sql<number>`count(*)::int` }).from(outbox))[0]!.n - before).toBe(2);
    // None left to move: nothing written at all.
    const none = await transact(ctxOf(database), (tx, events) => transitionMany(tx, events, lifecycle, [{ id: ids[1]!, status: 'NEW' as S }], 'ACTIVE', { at: now(), skipMoved: true }));
    expect(none).toEqual([]);
    expect((await history(database, ids[1]!)).length).toBe(2);
  });

  it('property: random requests never reach a state the table forbids, and the history is gapless and replays to the status', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom(...STATES), { minLength: 1, maxLength: 12 }), async (requests) => {
        const [id] = await create(database);
        let expected: S = 'NEW';
        for (const to of requests) {
          const r = await move(database, id!, to);
          const allowed = canTransition(table, expected, to);
          expect(r).toBe(allowed ? 'ok' : 'INVALID_STATE_TRANSITION');
          if (allowed) expected = to;
        }
        const [w] = await database.db.select().from(widgets).where(eq(widgets.id, id!));
        const h = await history(database, id!);
        expect(w!.state).toBe(expected);
        expect(h.map((x) => x.sequence)).toEqual(h.map((_, i) => i + 1));
        expect(w!.seq).toBe(h.length);
        for (let i = 1; i < h.length; i++) {
          expect(h[i]!.previousStatus).toBe(h[i - 1]!.status);
          expect(canTransition(table, h[i - 1]!.status, h[i]!.status)).toBe(true);
        }
        expect(h.at(-1)!.status).toBe(expected);
      }),
      { numRuns: 60 },
    );
  });
});

describe.runIf(realPostgresUrl)('lifecycle kernel (PostgreSQL race)', () => {
  let database: Database;
  let drop: () => Promise<void>;
  beforeAll(async () => {
    const fresh = await freshPostgresDatabase(realPostgresUrl!);
    drop = fresh.drop;
    database = await openDatabase({ dataDir: '', url: fresh.url, poolSize: 10 });
    for (const ddl of DDL) await database.db.execute(ddl);
  });
  afterAll(async () => {
    await database?.close();
    await drop?.();
  });

  it('20 concurrent moves by callers that all read ACTIVE: exactly one wins, the history stays gapless', async () => {
    for (let round = 0; round < 5; round++) {
      const [id] = await create(database);
      await move(database, id!, 'ACTIVE');
      const targets: S[] = Array.from({ length: 20 }, (_, i) => (['PAUSED', 'DONE', 'CANCELLED'] as S[])[i % 3]!);
      const results = await Promise.all(targets.map((to) => move(database, id!, to, 'ACTIVE')));
      expect(results.filter((r) => r === 'ok')).toHaveLength(1);
      expect(results.filter((r) => r !== 'ok').every((r) => r === 'INVALID_STATE_TRANSITION')).toBe(true);
      const h = await history(database, id!);
      expect(h.map((x) => x.sequence)).toEqual([1, 2, 3]);
    }
  });
});
