/**
 * The lifecycle kernel: every stateful object (order, fulfillment order, pick list, shipment,
 * webhook delivery, notification, and whatever comes next) changes status through here, never by
 * a hand-written `set({ status })`.
 *
 * A lifecycle is data: `defineLifecycle` names the object's table, its id, status and
 * last-sequence columns (by default the table's `id`, `status` and `lastSequence`), the transition table, the history table (made by `historyTable`, so every
 * timeline has the same shape) and the outbox topic. `transition` / `transitionMany` then, in the
 * caller's transaction:
 *   1. check the transition table (else INVALID_STATE_TRANSITION, nothing written);
 *   2. UPDATE ... SET status = to, last_sequence = last_sequence + 1 WHERE id = ? AND status = <the
 *      status the caller read> — a concurrent change makes the update miss and the call fail with
 *      INVALID_STATE_TRANSITION instead of overwriting it (optimistic, no lock needed);
 *   3. insert the history row with the sequence that UPDATE returned (gapless per object: the
 *      row lock the UPDATE takes orders concurrent writers, and a rolled-back transaction takes
 *      its sequence with it);
 *   4. emit the outbox event (published by the relay after commit).
 * `begin` records the first history row (sequence 1) of objects just inserted in their initial
 * status; insert them with `lastSequence: 1` (the column default of every lifecycle table but
 * orders).
 *
 * How to add a stateful object: a status column and `last_sequence integer not null default 1`
 * on its table, a history table from `historyTable`, a transition table, `defineLifecycle`, and
 * call `begin` where it is created and `transition` wherever it moves. docs/architecture.md has
 * the walk-through.
 */
import { and, eq, inArray, sql, type SQL } from 'drizzle-orm';
import { integer, pgTable, primaryKey, text, uuid, type AnyPgColumn, type PgColumn, type PgTable } from 'drizzle-orm/pg-core';
import type { Executor } from '../db/client.js';
import { tstz } from '../db/columns.js';
import type { DomainEvent, EventWriter } from '../events/outbox.js';
import { BusinessError } from './errors.js';

export type TransitionTable<S extends string> = Readonly<Record<S, readonly S[]>>;

/** Whether the table allows `from` → `to`. */
export const canTransition = <S extends string>(table: TransitionTable<S>, from: S, to: S): boolean => table[from]?.includes(to) ?? false;

/** States with no way out. */
export const terminalStates = <S extends string>(table: TransitionTable<S>): S[] => (Object.keys(table) as S[]).filter((s) => table[s].length === 0);

/**
 * A timeline table: (object id, sequence) primary key, the status entered, the one left, an
 * optional message and when it happened. Every lifecycle's history has this shape.
 */
export function historyTable<S extends string>(name: string, objectIdColumn: string, references: () => AnyPgColumn, statuses: readonly [S, ...S[]]) {
  return pgTable(
    name,
    {
      objectId: uuid(objectIdColumn).notNull().references(references),
      sequence: integer('sequence').notNull(),
      status: text('status', { enum: statuses as unknown as [S, ...S[]] }).notNull(),
      previousStatus: text('previous_status', { enum: statuses as unknown as [S, ...S[]] }),
      message: text('message'),
      occurredAt: tstz('occurred_at').notNull().defaultNow(),
    },
    (t) => [primaryKey({ columns: [t.objectId, t.sequence] })],
  );
}

export type HistoryTable<S extends string> = ReturnType<typeof historyTable<S>>;
export type HistoryRow<S extends string> = HistoryTable<S>['$inferSelect'];
/** A history row to insert (what `beginning` hands back). */
export interface HistoryInsert<S extends string> {
  objectId: string;
  sequence: number;
  status: S;
  previousStatus: S | null;
  message: string | null;
  occurredAt: Date;
}

/** What happened, as the event builder sees it. */
export interface StatusChange<S extends string> {
  sequence: number;
  status: S;
  previousStatus: S | null;
  message: string | null;
  occurredAt: Date;
}

export interface LifecycleDefinition<S extends string, Row extends { id: string; status: S }> {
  /** The object's name in errors ("An order cannot go from ..."). */
  readonly noun: string;
  readonly table: PgTable;
  readonly columns: { readonly id: PgColumn; readonly status: PgColumn; readonly lastSequence: PgColumn };
  readonly transitions: TransitionTable<S>;
  readonly history: HistoryTable<S>;
  /** The outbox event of a change; null for none. Default: `{ topic, payload: { id, ...change } }`. */
  readonly topic: string;
  readonly event?: (row: Row, change: StatusChange<S>) => DomainEvent | null;
}

/** A table whose lifecycle columns are under the keys `id`, `status` and `lastSequence`. */
export type LifecycleTable = PgTable & { readonly id: PgColumn; readonly status: PgColumn; readonly lastSequence: PgColumn };

/**
 * `columns` may be left out when the table has them under the keys `id`, `status` and
 * `lastSequence` (every lifecycle table but one that names them otherwise).
 */
export function defineLifecycle<S extends string, Row extends { id: string; status: S }>(
  def: Omit<LifecycleDefinition<S, Row>, 'table' | 'columns'> & { readonly table: LifecycleTable },
): LifecycleDefinition<S, Row>;
export function defineLifecycle<S extends string, Row extends { id: string; status: S }>(def: LifecycleDefinition<S, Row>): LifecycleDefinition<S, Row>;
export function defineLifecycle<S extends string, Row extends { id: string; status: S }>(
  def: Omit<LifecycleDefinition<S, Row>, 'columns'> & { readonly columns?: LifecycleDefinition<S, Row>['columns'] },
): LifecycleDefinition<S, Row> {
  if (def.columns) return def as LifecycleDefinition<S, Row>;
  const table = def.table as LifecycleTable;
  return { ...def, columns: { id: table.id, status: table.status, lastSequence: table.lastSequence } };
}

export interface TransitionOptions {
  message?: string | null;
  /** When it happened: the service's `ctx.clock.now()`, or a reported time (a carrier's delivery scan). */
  at: Date;
  /** Further columns to set in the same UPDATE (e.g. cancelledAt). */
  set?: Record<string, unknown>;
  /** Further event payload fields. */
  payload?: Record<string, unknown>;
  /**
   * Leave out, instead of failing the call, the objects that are no longer in the status given (a
   * background worker recording an outcome that lost a race with a cancel). The rows returned are
   * then only those that moved.
   */
  skipMoved?: boolean;
}

function eventOf<S extends string, Row extends { id: string; status: S }>(def: LifecycleDefinition<S, Row>, row: Row, change: StatusChange<S>): DomainEvent | null {
  if (def.event) return def.event(row, change);
  return { topic: def.topic, payload: { id: row.id, sequence: change.sequence, status: change.status, previousStatus: change.previousStatus, message: change.message, occurredAt: change.occurredAt.toISOString() } };
}

function refuse(def: { noun: string }, from: string, to: string): never {
  throw BusinessError.of('INVALID_STATE_TRANSITION', `${capitalise(/^[aeiou]/i.test(def.noun) ? 'an' : 'a')} ${def.noun} cannot go from ${from} to ${to}.`, ['input']);
}
const capitalise = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * Moves one object from the status the caller read to `to`. Returns the updated row.
 * Errors: INVALID_STATE_TRANSITION (table forbids it, or the object moved meanwhile).
 */
export async function transition<S extends string, Row extends { id: string; status: S }>(
  tx: Executor,
  events: EventWriter,
  def: LifecycleDefinition<S, Row>,
  object: { id: string; status: S },
  to: S,
  opts: Omit<TransitionOptions, 'skipMoved'>,
): Promise<Row> {
  const [row] = await transitionMany(tx, events, def, [object], to, opts);
  return row!;
}

/**
 * Moves several objects to `to` in one UPDATE per distinct current status, one history insert
 * and one outbox insert. All or nothing: if any of them moved meanwhile, it throws (the caller's
 * transaction rolls back), unless `skipMoved`. Returns the updated rows in the order given.
 */
export async function transitionMany<S extends string, Row extends { id: string; status: S }>(
  tx: Executor,
  events: EventWriter,
  def: LifecycleDefinition<S, Row>,
  objects: readonly { id: string; status: S }[],
  to: S,
  opts: TransitionOptions,
): Promise<Row[]> {
  if (!objects.length) return [];
  for (const o of objects) if (!canTransition(def.transitions, o.status, to)) refuse(def, o.status, to);
  const at = opts.at;
  const byFrom = new Map<S, string[]>();
  for (const o of objects) byFrom.set(o.status, [...(byFrom.get(o.status) ?? []), o.id]);
  const updated = new Map<string, { row: Row; from: S }>();
  const { id, status, lastSequence } = def.columns;
  for (const [from, ids] of byFrom) {
    const where: SQL | undefined = and(ids.length === 1 ? eq(id, ids[0]!) : inArray(id, ids), eq(status, from));
    const rows = (await tx
      .update(def.table)
      .set({ ...opts.set, [keyOf(def.table, status)]: to, [keyOf(def.table, lastSequence)]: sql`${lastSequence} + 1` })
      .where(where)
      .returning()) as unknown as (Row & Record<string, unknown>)[];
    if (rows.length !== ids.length && !opts.skipMoved) {
      throw BusinessError.of('INVALID_STATE_TRANSITION', `The ${def.noun} changed meanwhile; reload it.`, ['input']);
    }
    for (const r of rows) updated.set(r.id, { row: r, from });
  }
  const seqKey = keyOf(def.table, lastSequence);
  const ordered = objects.flatMap((o) => updated.get(o.id) ?? []);
  if (!ordered.length) return [];
  const message = opts.message ?? null;
  await tx.insert(def.history).values(
    ordered.map(({ row, from }) => ({ objectId: row.id, sequence: (row as Record<string, unknown>)[seqKey] as number, status: to, previousStatus: from, message, occurredAt: at })) as never,
  );
  const out: DomainEvent[] = [];
  for (const { row, from } of ordered) {
    const e = eventOf(def, row, { sequence: (row as Record<string, unknown>)[seqKey] as number, status: to, previousStatus: from, message, occurredAt: at });
    if (e) out.push(opts.payload ? { ...e, payload: { ...e.payload, ...opts.payload } } : e);
  }
  await events.emit(...out);
  return ordered.map((u) => u.row);
}

/**
 * Records the start of objects just inserted (in their initial status, with lastSequence 1):
 * history row 1 and the outbox event, in the caller's transaction.
 */
export async function begin<S extends string, Row extends { id: string; status: S }>(
  tx: Executor,
  events: EventWriter,
  def: LifecycleDefinition<S, Row>,
  rows: readonly Row[],
  opts: Omit<TransitionOptions, 'set' | 'skipMoved'>,
): Promise<void> {
  if (!rows.length) return;
  const start = beginning(def, rows, opts);
  await tx.insert(def.history).values(start.history as never);
  await events.emit(...start.events);
}

/**
 * What `begin` writes, not yet written: the history rows (sequence 1) and the outbox events of
 * objects just created, for a caller that folds them into one of its own statements (a
 * data-modifying CTE with the INSERT of the objects, saving round trips). The caller must insert
 * both in the same transaction: `tx.insert(def.history).values(history)` and `events.insertOf(...events)`.
 */
export function beginning<S extends string, Row extends { id: string; status: S }>(
  def: LifecycleDefinition<S, Row>,
  rows: readonly Row[],
  opts: Omit<TransitionOptions, 'set'>,
): { history: HistoryInsert<S>[]; events: DomainEvent[] } {
  const at = opts.at;
  const message = opts.message ?? null;
  const history = rows.map((r): HistoryInsert<S> => ({ objectId: r.id, sequence: 1, status: r.status, previousStatus: null, message, occurredAt: at }));
  const out: DomainEvent[] = [];
  for (const r of rows) {
    const e = eventOf(def, r, { sequence: 1, status: r.status, previousStatus: null, message, occurredAt: at });
    if (e) out.push(opts.payload ? { ...e, payload: { ...e.payload, ...opts.payload } } : e);
  }
  return { history, events: out };
}

/** The TypeScript key under which a table holds a column (drizzle's set() and returning() use keys, not SQL names). */
function keyOf(table: PgTable, column: PgColumn): string {
  const cols = (table as unknown as Record<symbol, Record<string, PgColumn>>)[Symbol.for('drizzle:Columns')];
  if (cols) for (const [k, c] of Object.entries(cols)) if (c === column) return k;
  for (const [k, c] of Object.entries(table as unknown as Record<string, unknown>)) if (c === column) return k;
  throw new Error(`lifecycle: column ${column.name} is not in its table`);
}
