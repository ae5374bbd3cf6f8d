/**
 * The one transaction helper every service uses. It also collects outbox events written
 * in the transaction, so the caller can kick the relay right after commit.
 */
import type { Database, Executor } from './client.js';

export type TxIsolation = 'read committed' | 'repeatable read' | 'serializable';

/**
 * Runs `fn` in a transaction on `database`. If `executor` is already a transaction
 * (a service calling another service), the work joins it instead of nesting.
 * PGlite serialises transactions on its single connection by itself.
 */
export async function inTransaction<T>(
  database: Database,
  fn: (tx: Executor) => Promise<T>,
  opts: { isolation?: TxIsolation } = {},
): Promise<T> {
  return database.db.transaction(async (tx) => fn(tx as unknown as Executor), opts.isolation ? { isolationLevel: opts.isolation } : undefined);
}
