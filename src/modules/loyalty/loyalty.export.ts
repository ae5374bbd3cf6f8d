/**
 * The CRM export (contract 09): one JSON object per customer, oldest first, with the loyalty
 * account (balance, tier, rolling spend, lifetime points) and the order count and last order date,
 * resumable after any line's cursor.
 *
 * Constant memory whatever the number of customers: the lines come from an async generator that
 * reads one keyset page at a time (customers module: the page's customers; orders module: their
 * order figures; this module: their accounts; three short statements, no transaction held across
 * pages, so on PGlite's one connection other requests run between pages) and yields the page as
 * as one array only when the consumer asks for more (src/server/customer-export-route.ts writes
 * them as NDJSON with backpressure). No GraphQL here: the route turns ids into global ids.
 */
import { inArray } from 'drizzle-orm';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { hasScope, isAuthenticated } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customersAfter, type CustomerExportRow } from '../customers/customer.export.js';
import { orderStatsByCustomerIds, type CustomerOrderStats } from '../orders/order.customer-stats.js';
import { getProgram, tierFor, type Program } from './loyalty.program.js';
import { loyaltyAccounts } from './loyalty.table.js';

/** Customers per page (one statement each for customers, order figures and accounts). */
export const EXPORT_PAGE_SIZE = 1000;

/** One customer of the export (the route writes it as one JSON line). */
export interface CustomerExportRecord {
  /** Opaque; `?after=` this resumes strictly after this customer. */
  cursor: string;
  /** Database id. */
  customerId: string;
  email: string;
  name: string | null;
  locale: string;
  createdAt: Date;
  loyalty: {
    balance: number;
    /** Tier code (the program's lowest for a customer without an account). */
    tier: string;
    rollingSpend: { amountMinor: number; currency: string };
    lifetimePoints: number;
  };
  orderCount: number;
  lastOrderAt: Date | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The cursor of a customer's line: base64url of its id (opaque to clients). */
export const exportCursor = (customerId: string): string => Buffer.from(customerId, 'utf8').toString('base64url');

/** The customer id a cursor stands for, or null when it is not one this export wrote. */
export function decodeExportCursor(cursor: string): string | null {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(cursor)) return null;
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  return UUID.test(id) && exportCursor(id) === cursor ? id : null;
}

type AccountFigures = { balance: number; lifetimePoints: number; tierCode: string | null; rollingSpendMinor: number };

function record(program: Program, c: CustomerExportRow, account: AccountFigures | undefined, orders: CustomerOrderStats | undefined): CustomerExportRecord {
  const rollingSpendMinor = account?.rollingSpendMinor ?? 0;
  // The stored tier when the program still has it, else the one the rolling spend reaches.
  const tier = (account?.tierCode && program.tiers.find((t) => t.code === account.tierCode)) || tierFor(program, rollingSpendMinor);
  return {
    cursor: exportCursor(c.id),
    customerId: c.id,
    email: c.email,
    name: c.name,
    locale: c.locale,
    createdAt: c.createdAt,
    loyalty: {
      balance: account?.balance ?? 0,
      tier: tier.code,
      rollingSpend: { amountMinor: rollingSpendMinor, currency: program.currency },
      lifetimePoints: account?.lifetimePoints ?? 0,
    },
    orderCount: orders?.orderCount ?? 0,
    lastOrderAt: orders?.lastOrderAt ?? null,
  };
}

/**
 * Checks the caller and the cursor, then returns the export as pages of records (oldest customer
 * first), read lazily: the next page is queried only when the consumer asks for it. Errors, before anything is read: UNAUTHENTICATED (anonymous),
 * FORBIDDEN (without read_customers; a CUSTOMER token never has it), BusinessError INVALID_CURSOR.
 */
export function customerExport(ctx: ServiceContext, args: { after?: string | null; pageSize?: number }): AsyncGenerator<CustomerExportRecord[], void, undefined> {
  if (!isAuthenticated(ctx.principal)) throw new AccessError('UNAUTHENTICATED', 'Authentication required: an API key with read_customers.');
  if (ctx.principal.kind === 'CUSTOMER' || !hasScope(ctx.principal, 'read_customers')) {
    throw new AccessError('FORBIDDEN', 'Forbidden: the export requires an API key with scope read_customers.');
  }
  let afterId: string | null = null;
  if (args.after != null) {
    afterId = decodeExportCursor(args.after);
    if (!afterId) throw BusinessError.of('INVALID_CURSOR', 'Not a cursor of this export: pass the `cursor` of a line you received.', ['after']);
  }
  const pageSize = args.pageSize ?? EXPORT_PAGE_SIZE;
  return (async function* pages() {
    const program = await getProgram(ctx);
    for (;;) {
      const customers = await customersAfter(ctx, { afterId, limit: pageSize });
      if (!customers.length) return;
      const ids = customers.map((c) => c.id);
      const orders = await orderStatsByCustomerIds(ctx, ids);
      const accounts = await ctx.database.db
        .select({
          customerId: loyaltyAccounts.customerId,
          balance: loyaltyAccounts.balance,
          lifetimePoints: loyaltyAccounts.lifetimePoints,
          tierCode: loyaltyAccounts.tierCode,
          rollingSpendMinor: loyaltyAccounts.rollingSpendMinor,
        })
        .from(loyaltyAccounts)
        .where(inArray(loyaltyAccounts.customerId, ids));
      const byCustomer = new Map(accounts.map((a) => [a.customerId, a]));
      yield customers.map((c) => record(program, c, byCustomer.get(c.id), orders.get(c.id)));
      if (customers.length < pageSize) return;
      afterId = ids[ids.length - 1]!;
    }
  })();
}
