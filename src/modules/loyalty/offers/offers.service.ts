/**
 * Customer.personalizedOffers: the recommender of ./recommend.ts over this database's orders.
 *
 * The co-purchase model (baskets of the last MODEL_WINDOW_DAYS days, with each bought variant's
 * category and title) is kept per database (shared/cache.ts refreshingCache): built on first use
 * (two statements), and once MODEL_TTL_MS old, checked in the background against a fingerprint of
 * the orders (created, cancelled, newest; one statement): rebuilt when orders were placed or
 * cancelled since, or when it is a day old (popularity's recency), else kept. A request never waits
 * for a rebuild once warm; a new order shows in other customers' offers within MODEL_TTL_MS plus one
 * build. What a customer bought themselves, and stock, are read fresh on every request (one
 * statement each for a whole batch of customers), so their own recent purchases and sold-out
 * variants are never offered, however old the model.
 */
import type { Database } from '../../../db/client.js';
import { refreshingCache } from '../../../shared/cache.js';
import { AccessError, BusinessError } from '../../../shared/errors.js';
import { hasScope } from '../../../shared/principal.js';
import type { ServiceContext } from '../../../shared/service-context.js';
import { variantCategories } from '../../catalog/catalog.categories.js';
import { availabilityForPreview } from '../../inventory/availability.service.js';
import { basketLinesSince, basketsFingerprint, purchasesOfCustomers } from '../../orders/order.baskets.js';
import { buildModel, recommend, type ItemInfo, type Offer, type OfferModel } from './recommend.js';

const DAY = 86_400_000;
export const MODEL_WINDOW_DAYS = 180;
export const MODEL_TTL_MS = 10 * 60_000;
export const MAX_OFFERS = 50;
/** Ranked candidates whose stock is checked per customer beyond `first` (the rest are rarely reached). */
const STOCK_MARGIN = 40;

interface Built {
  model: OfferModel;
  items: Map<string, ItemInfo>;
  fingerprint: string;
}

/** The clock of whoever first built a database's model (the cache's load gets only the database). */
const clocks = new WeakMap<Database, () => Date>();

const models = refreshingCache<Database, Built>(
  MODEL_TTL_MS,
  async (database) => {
    const now = (clocks.get(database) ?? (() => new Date()))();
    const fingerprint = await basketsFingerprint({ database });
    const lines = await basketLinesSince({ database }, new Date(now.getTime() - MODEL_WINDOW_DAYS * DAY));
    const model = buildModel(lines, now);
    const items = new Map((await variantCategories({ database }, [...model.count.keys()])).map((r) => [r.variantId, { category: r.category, title: r.title }]));
    return { model, items, fingerprint };
  },
  {
    unchanged: async (database, old) => {
      const now = (clocks.get(database) ?? (() => new Date()))();
      return now.getTime() - old.model.builtAt.getTime() < DAY && (await basketsFingerprint({ database })) === old.fingerprint;
    },
  },
);

/** Drops this database's model (the next request rebuilds it); for tests and after bulk imports. */
export function forgetOffersModel(database: Database): void {
  models.clear(database);
}

/** A CUSTOMER its own; staff and keys with read_customers anyone's. */
export function mayReadOffers(ctx: ServiceContext, customerId: string): boolean {
  const p = ctx.principal;
  return p.kind === 'CUSTOMER' ? p.customerId === customerId : hasScope(p, 'read_customers');
}

export function validateFirst(first: number): void {
  if (!Number.isInteger(first) || first < 1 || first > MAX_OFFERS) throw BusinessError.of('INVALID', `first must be 1 to ${MAX_OFFERS}.`, ['first']);
}

/**
 * The `first` best offers of each customer (best first), in stock, none bought by them in the
 * last 30 days. Errors: INVALID (first outside 1..50, a BusinessError); FORBIDDEN (an AccessError)
 * for a customer the caller may not read.
 */
export async function personalizedOffers(ctx: ServiceContext, customerIds: readonly string[], first: number): Promise<Map<string, Offer[]>> {
  validateFirst(first);
  for (const id of customerIds) if (!mayReadOffers(ctx, id)) throw new AccessError('FORBIDDEN', "Forbidden: a customer's offers are theirs, or need read_customers.");
  const out = new Map<string, Offer[]>();
  if (!customerIds.length) return out;
  if (!clocks.has(ctx.database)) clocks.set(ctx.database, () => ctx.clock.now());
  const now = ctx.clock.now();
  const [{ model, items }, purchases] = await Promise.all([
    models.get(ctx.database),
    purchasesOfCustomers(ctx, customerIds, new Date(now.getTime() - MODEL_WINDOW_DAYS * DAY)),
  ]);
  const historyOf = new Map<string, { variantId: string; at: Date }[]>(customerIds.map((id) => [id, []]));
  for (const p of purchases) if (p.customerId) historyOf.get(p.customerId)?.push({ variantId: p.variantId, at: p.at });
  // Rank without stock first, then read the stock of the top of every list at once.
  const ranked = new Map(customerIds.map((id) => [id, recommend({ model, items, history: historyOf.get(id)!, now, first: first + STOCK_MARGIN })]));
  const candidates = [...new Set([...ranked.values()].flat().map((o) => o.variantId))];
  const inStock = new Set((await availabilityForPreview(ctx, candidates)).filter((a) => a.available > 0).map((a) => a.variantId));
  for (const [id, offers] of ranked) out.set(id, offers.filter((o) => inStock.has(o.variantId)).slice(0, first));
  return out;
}
