/**
 * Many customers fast, for the CRM export's benchmark and its disconnect test: multi-row INSERTs
 * straight into the customers table (ids from the same UUIDv7 generator as the app, e-mails
 * `<prefix>.<n>@example.com`). The customers service has no batch API and creates one customer per
 * transaction with its `customer.created` outbox event, which would take minutes for 100,000; this
 * path writes no events and no passwords, so it is for benchmarks and tests only, never the app.
 */
import { customers } from '../../src/modules/customers/customer.table.js';
import { newId } from '../../src/db/columns.js';
import type { Executor } from '../../src/db/client.js';

const LOCALES = ['ru', 'en', 'ru-RU', 'en-GB', 'de'];

/** Inserts `count` customers in statements of `batch` rows; returns their ids in creation (= id) order. */
export async function insertCustomersBulk(db: Executor, count: number, opts: { prefix?: string; batch?: number } = {}): Promise<string[]> {
  const prefix = opts.prefix ?? 'bulk';
  const batch = opts.batch ?? 2000;
  const ids: string[] = [];
  for (let start = 0; start < count; start += batch) {
    const rows = [];
    for (let n = start; n < Math.min(count, start + batch); n++) {
      const id = newId();
      ids.push(id);
      rows.push({ id, email: `${prefix}.${n}@example.com`, name: `Покупатель ${n}`, locale: LOCALES[n % LOCALES.length]! });
    }
    await db.insert(customers).values(rows);
  }
  return ids;
}
