/**
 * The customers module's port for bulk reads in creation order (the CRM export,
 * loyalty.export.ts): keyset pages by id. Ids are UUIDv7, so id order is creation order and a
 * page is one index range scan, however deep into the table it starts.
 */
import { asc, gt } from 'drizzle-orm';
import { AccessError } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customers } from './customer.table.js';

/** What a bulk reader gets of a customer (never the password hash). */
export interface CustomerExportRow {
  id: string;
  email: string;
  name: string | null;
  locale: string;
  createdAt: Date;
}

/**
 * At most `limit` customers with an id greater than `afterId` (from the first when null), oldest
 * first, in one statement. Staff or partners with read_customers only (FORBIDDEN otherwise).
 */
export async function customersAfter(ctx: ServiceContext, args: { afterId: string | null; limit: number }): Promise<CustomerExportRow[]> {
  if (!hasScope(ctx.principal, 'read_customers')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_customers.');
  return ctx.database.db
    .select({ id: customers.id, email: customers.email, name: customers.name, locale: customers.locale, createdAt: customers.createdAt })
    .from(customers)
    .where(args.afterId ? gt(customers.id, args.afterId) : undefined)
    .orderBy(asc(customers.id))
    .limit(args.limit);
}
