/**
 * Orders: idempotent intake with atomic allocation over warehouses, the order lifecycle (every
 * change an OrderEvent with a gapless per-order sequence plus an outbox event, in one
 * transaction), cancellation, and reads with visibility rules.
 */
import { createHash } from 'node:crypto';
import { and, asc, count, eq, gte, inArray, lte, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { newId } from '../../db/columns.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { begin, beginning, transition, transitionMany } from '../../shared/lifecycle.js';
import { add, isCurrency, isMinorAmount, linesTotal, money, subtract } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import { searchText } from '../../shared/search-text.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { variantsBySkus } from '../catalog/catalog.service.js';
import { customerById, customerIdsByEmail, findOrCreateCustomer, normalizeEmail, type CustomerRow } from '../customers/customer.service.js';
import { availabilityByVariants, availabilityForPreview } from '../inventory/availability.service.js';
import { levelChangedEvents } from '../inventory/inventory.events.js';
import { unstagePicked } from '../inventory/ledger.service.js';
import { releaseStock, reserveAll } from '../inventory/reservation.service.js';
import { listAllWarehouses, listAllWarehousesCached, validateAddress, type AddressData, type WarehouseRow } from '../warehouse/warehouse.service.js';
import { planAllocation, type WarehouseStock } from './allocation.js';
import { ORDER_POINTS, ORDER_STATUS_HOOKS } from './order.points.js';
import { dropFromPickLists, stagedUnitsOf } from './order.unstage.js';
import { DELIVERY_QUOTES, type RedeemedDelivery } from './order.delivery.js';
import { cancellable, customerCancellable, fulfillmentOrderLifecycle, orderLifecycle, ORDER_STATUS_CHANGED } from './order.state.js';
import {
  fulfillmentLines,
  fulfillmentOrderEvents,
  fulfillmentOrders,
  orderEvents,
  orderLines,
  orders,
  type DeliveryTypeValue,
  type OrderStatusValue,
} from './order.table.js';

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;
export type FulfillmentOrderRow = typeof fulfillmentOrders.$inferSelect;
export type FulfillmentLineRow = typeof fulfillmentLines.$inferSelect;
export type OrderEventRow = typeof orderEvents.$inferSelect;
export type FulfillmentOrderEventRow = typeof fulfillmentOrderEvents.$inferSelect;

export const ORDER_CREATED = 'order.created';
export { ORDER_STATUS_CHANGED };

export interface OrderCreateInput {
  idempotencyKey?: string | null;
  externalId?: string | null;
  channel: string;
  /** The buyer: required for API keys; a CUSTOMER token buys as its own account (an e-mail given must be the account's). */
  customer?: { email: string; name?: string | null; phone?: string | null; locale?: string | null } | null;
  shippingAddress: AddressData;
  lines: { sku: string; quantity: number; unitPrice?: { amountMinor: number; currency: string } | null }[];
  deliveryOptionId?: string | null;
  deliveryType?: DeliveryTypeValue | null;
  currency: string;
  allowBackorder?: boolean | null;
  /** Loyalty points to redeem (ORDER_POINTS). */
  redeemPoints?: number | null;
}

const MAX_LINES = 500;

/** Stable JSON (sorted keys) of the request without its idempotency key: what "the same input" means. */
export function requestHash(input: OrderCreateInput): string {
  // redeemPoints only when given: requests from before it existed hash as they did.
  const { idempotencyKey: _k, redeemPoints, ...others } = input;
  const rest = redeemPoints != null ? { ...others, redeemPoints } : others;
  const canon = (v: unknown): unknown =>
    v === undefined
      ? null
      : Array.isArray(v)
        ? v.map(canon)
        : v && typeof v === 'object' && !(v instanceof Date)
          ? Object.fromEntries(Object.keys(v as object).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])]))
          : v;
  return createHash('sha256').update(JSON.stringify(canon({ ...rest, allowBackorder: rest.allowBackorder ?? false }))).digest('hex');
}

function idempotencyScope(ctx: ServiceContext): string {
  const p = ctx.principal;
  return p.apiKeyId ? `key:${p.apiKeyId}` : p.customerId ? `customer:${p.customerId}` : 'anonymous';
}

/** A reservation lost a race: re-plan with fresh availability. */
class AllocationRace extends Error {}

/**
 * Creates an order and allocates it in one transaction (see the contract's invariants).
 * Errors: INVALID, NOT_FOUND (SKU), INVALID_CURRENCY, INSUFFICIENT_STOCK (naming the SKU),
 * IDEMPOTENCY_KEY_REUSED, DELIVERY_OPTION_INVALID; for a CUSTOMER token CUSTOMER_MISMATCH (an
 * e-mail that is not the account's: a customer orders only for itself).
 */
export async function createOrder(ctx: ServiceContext, input: OrderCreateInput): Promise<{ order: OrderRow; created: boolean }> {
  const e = new ErrorList();
  const key = input.idempotencyKey?.trim() || null;
  if (key && key.length > 200) e.add('INVALID', 'idempotencyKey is at most 200 characters.', ['input', 'idempotencyKey']);
  if (!/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(input.channel)) e.add('INVALID', 'Channel is 1 to 64 letters, digits, "_", ".", ":" or "-".', ['input', 'channel']);
  if (!isCurrency(input.currency)) e.add('INVALID_CURRENCY', `Unknown ISO 4217 currency "${input.currency}".`, ['input', 'currency']);
  validateAddress(e, input.shippingAddress, ['input', 'shippingAddress']);
  if (input.deliveryOptionId == null && input.deliveryType == null) e.add('INVALID', 'Give deliveryType (or a deliveryOptionId).', ['input', 'deliveryType']);
  if (!input.lines.length) e.add('INVALID', 'An order needs at least one line.', ['input', 'lines']);
  if (input.lines.length > MAX_LINES) e.add('INVALID', `At most ${MAX_LINES} lines.`, ['input', 'lines']);
  const asCustomer = ctx.principal.kind === 'CUSTOMER' ? ctx.principal.customerId ?? null : null;
  if (!asCustomer && !input.customer) e.add('INVALID', 'Give the buyer (customer.email).', ['input', 'customer']);
  input.lines.forEach((l, i) => {
    if (!Number.isInteger(l.quantity) || l.quantity < 1 || l.quantity > 10_000) e.add('INVALID', 'Quantity must be 1 to 10,000.', ['input', 'lines', i, 'quantity']);
    if (l.unitPrice) {
      if (!isMinorAmount(l.unitPrice.amountMinor) || l.unitPrice.amountMinor < 0) e.add('INVALID', 'Price must be a non-negative amount in minor units.', ['input', 'lines', i, 'unitPrice', 'amountMinor']);
      if (l.unitPrice.currency !== input.currency) e.add('INVALID_CURRENCY', `Line price must be in the order currency ${input.currency}.`, ['input', 'lines', i, 'unitPrice', 'currency']);
    }
  });
  e.throwIfAny();
  // Independent reads, sent together (two pool connections on PostgreSQL).
  const [variantRows, allWarehouses, account] = await Promise.all([
    variantsBySkus(ctx, [...new Set(input.lines.map((l) => l.sku))]),
    listAllWarehouses(ctx),
    asCustomer ? customerById(ctx.database.db, asCustomer) : null,
  ]);
  if (asCustomer) checkOwnBuyer(e, account, input.customer);
  const variants = new Map(variantRows.map((v) => [v.sku, v]));
  input.lines.forEach((l, i) => {
    const v = variants.get(l.sku);
    if (!v) e.add('NOT_FOUND', `Unknown SKU ${l.sku}.`, ['input', 'lines', i, 'sku']);
    else if (!l.unitPrice && v.currency !== input.currency) e.add('INVALID_CURRENCY', `SKU ${l.sku} is priced in ${v.currency}; give unitPrice in ${input.currency}.`, ['input', 'lines', i, 'unitPrice']);
  });
  e.throwIfAny();
  const delivery = input.deliveryOptionId != null ? redeemableDelivery(ctx, input) : null;

  const hash = requestHash(input);
  const scope = idempotencyScope(ctx);
  // A PARTNER key restricted to warehouses allocates only there (else INSUFFICIENT_STOCK or a backorder, as usual).
  const warehouses = allocatableWarehouses(allWarehouses, ctx.principal.warehouseCodes);
  const lines = input.lines.map((l, i) => {
    const v = variants.get(l.sku)!;
    return { ...l, index: i, variant: v, unitPriceMinor: l.unitPrice?.amountMinor ?? v.priceMinor };
  });
  const subtotal = linesTotal(lines.map((l) => ({ unitPrice: money(l.unitPriceMinor, input.currency), quantity: l.quantity })), input.currency);
  if (!subtotal || subtotal.amountMinor > 2_000_000_000) throw BusinessError.of('INVALID', 'Order total is too large.', ['input', 'lines']);
  const redeemPoints = input.redeemPoints ?? 0;
  const pointsField = ['input', 'redeemPoints'];
  let discount = money(0, input.currency);
  if (input.redeemPoints != null) {
    const points = ctx.extensions.get(ORDER_POINTS);
    if (!points) throw BusinessError.of('INVALID', 'Loyalty points are not available on this server.', pointsField);
    discount = (await points.price(ctx, { points: input.redeemPoints, subtotal }, pointsField)).discount;
  }
  const need = lines.map((l) => ({ variantId: l.variant.id, quantity: l.quantity }));
  const variantIds = [...new Set(need.map((n) => n.variantId))];
  const destination = { location: input.shippingAddress.location ?? null, region: input.shippingAddress.region ?? null, countryCode: input.shippingAddress.countryCode };

  // Round trips inside the transaction are what the order's stock row locks wait on, so the
  // independent reads go out together (postgres.js pipelines them on the transaction's
  // connection) and the writes after the reservation are one statement.
  return transact(ctx, async (tx, events) => {
    if (key) {
      // Same-key requests queue here; the first creates, the rest find its order.
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`order-idem:${scope}:${key}`}, 0))`);
      const [existing] = await tx.select().from(orders).where(and(eq(orders.idempotencyScope, scope), eq(orders.idempotencyKey, key)));
      if (existing) {
        if (existing.requestHash !== hash) {
          throw BusinessError.of('IDEMPOTENCY_KEY_REUSED', 'This idempotencyKey was used with a different input.', ['input', 'idempotencyKey']);
        }
        return { order: existing, created: false };
      }
    }
    const [{ customer }, firstAvail] = await Promise.all([
      account ? { customer: account } : findOrCreateCustomer(tx, input.customer!, ['input', 'customer']),
      availabilityByVariants(tx, variantIds),
    ]);
    // Drawn together with the first reservation, so an order refused for stock does not use up a number.
    let n: string | null = null;
    const drawNumber = async () => {
      n ??= (await ctx.database.rows<{ n: string }>(sql`select nextval('order_number_seq')::text as n`, tx))[0]!.n;
    };

    // Plan, then reserve every part in one all-or-nothing statement; a lost race changed nothing,
    // so re-plan with fresh availability (no savepoint needed).
    let plan: ReturnType<typeof planAllocation> | null = null;
    let avail = firstAvail;
    for (let attempt = 0; attempt < 20 && !plan; attempt++) {
      if (attempt > 0) avail = await availabilityByVariants(tx, variantIds);
      const p = planAllocation(need, stockOf(warehouses, avail), destination);
      if (p.short.length && !input.allowBackorder) {
        const errs = new ErrorList();
        for (const s of p.short) {
          const line = lines.find((l) => l.variant.id === s.variantId)!;
          errs.add('INSUFFICIENT_STOCK', `Not enough stock of ${line.sku}: ${s.quantity} short.`, ['input', 'lines', line.index, 'quantity']);
        }
        errs.throwIfAny();
      }
      const reservations = p.parts.flatMap((part) => part.lines.map((l) => ({ warehouseId: part.warehouseId, ...l })));
      const [reserved] = await Promise.all([reserveAll(ctx, tx, reservations), drawNumber()]);
      if (reserved) plan = p;
    }
    if (!plan) throw BusinessError.of('INSUFFICIENT_STOCK', 'Stock changed too fast to allocate; try again.', ['input', 'lines']);

    if (delivery) await ctx.extensions.get(DELIVERY_QUOTES)!.commit(ctx, tx, events, delivery, ['input', 'deliveryOptionId']);
    const status: OrderStatusValue = plan.short.length ? 'BACKORDERED' : 'ALLOCATED';
    const number = `WB-${n}`;
    const orderId = newId();
    // Allocated units per variant, handed to the order lines in their order.
    const allocated = new Map<string, number>();
    for (const p of plan.parts) for (const l of p.lines) allocated.set(l.variantId, (allocated.get(l.variantId) ?? 0) + l.quantity);
    const lineRows = lines.map((l) => {
      const left = allocated.get(l.variant.id) ?? 0;
      const take = Math.min(left, l.quantity);
      allocated.set(l.variant.id, left - take);
      return { id: newId(), orderId, variantId: l.variant.id, sku: l.sku, title: `${l.variant.title}`, quantity: l.quantity, unitPriceMinor: l.unitPriceMinor, allocatedQuantity: take, allocatedAtCreation: take, position: l.index };
    });
    const foRows: (typeof fulfillmentOrders.$inferInsert)[] = [];
    const flRows: (typeof fulfillmentLines.$inferInsert)[] = [];
    const stockEvents: ReturnType<typeof levelChangedEvents> = [];
    const fulfilled = new Map<string, number>();
    for (const part of plan.parts) {
      const foId = newId();
      foRows.push({ id: foId, orderId, warehouseId: part.warehouseId, status: 'OPEN', lastSequence: 1 });
      for (const pl of part.lines) {
        let left = pl.quantity;
        for (const ol of lineRows) {
          if (ol.variantId !== pl.variantId) continue;
          const take = Math.min(left, ol.allocatedQuantity - (fulfilled.get(ol.id) ?? 0));
          if (take <= 0) continue;
          flRows.push({ fulfillmentOrderId: foId, orderLineId: ol.id, variantId: pl.variantId, quantity: take });
          fulfilled.set(ol.id, (fulfilled.get(ol.id) ?? 0) + take);
          left -= take;
        }
      }
      stockEvents.push(...levelChangedEvents(warehouses.find((w) => w.id === part.warehouseId)!, part.lines.map((l) => l.variantId)));
    }
    const codes = plan.parts.map((part) => warehouses.find((w) => w.id === part.warehouseId)!.code);
    const now = ctx.clock.now();
    // The lifecycles' first history rows and events (the kernel's begin), written below with the rest.
    // The event builders read only id, number, customerId / orderId, warehouseId and status of the rows.
    // The order's first event has always carried message null (its history row the message).
    const orderStart = beginning(orderLifecycle, [{ id: orderId, number, customerId: customer.id, status } as OrderRow], {
      at: now,
      message: status === 'BACKORDERED' ? 'Some lines wait for stock' : 'Stock reserved',
      payload: { message: null, warehouseCodes: codes },
    });
    const codeOf = (warehouseId: string) => warehouses.find((w) => w.id === warehouseId)!.code;
    const foStarts = foRows.map((f) => beginning(fulfillmentOrderLifecycle, [f as FulfillmentOrderRow], { at: now, message: `Stock reserved in ${codeOf(f.warehouseId)}` }));
    // The lines, fulfillment orders and lines, the first history rows and the outbox rows ride along
    // with the order INSERT as data-modifying CTEs: one statement, checked (foreign keys) at its end.
    const ctes = [
      tx.$with('wb_lines', {}).as(tx.insert(orderLines).values(lineRows).getSQL()),
      ...(foRows.length ? [tx.$with('wb_fos', {}).as(tx.insert(fulfillmentOrders).values(foRows).getSQL())] : []),
      ...(foRows.length ? [tx.$with('wb_fo_events', {}).as(tx.insert(fulfillmentOrderEvents).values(foStarts.flatMap((f) => f.history)).getSQL())] : []),
      ...(flRows.length ? [tx.$with('wb_fls', {}).as(tx.insert(fulfillmentLines).values(flRows).getSQL())] : []),
      tx.$with('wb_events', {}).as(tx.insert(orderEvents).values(orderStart.history).getSQL()),
      tx.$with('wb_outbox', {}).as(
        events
          .insertOf(
            ...stockEvents,
            { topic: ORDER_CREATED, payload: { orderId, number, customerId: customer.id, channel: input.channel, warehouseCodes: codes } },
            ...orderStart.events,
            ...foStarts.flatMap((f) => f.events),
          )
          .getSQL(),
      ),
    ];
    const [order] = await tx
      .with(...ctes)
      .insert(orders)
      .values({
        id: orderId,
        number,
        externalId: input.externalId ?? null,
        channel: input.channel,
        status,
        customerId: customer.id,
        shippingAddress: input.shippingAddress,
        deliveryType: delivery?.deliveryType ?? input.deliveryType!,
        carrierServiceCode: delivery?.carrierServiceCode ?? null,
        pickupPointId: delivery?.pickupPointId ?? null,
        estimatedDeliveryFrom: delivery?.estimatedDeliveryFrom ?? null,
        estimatedDeliveryTo: delivery?.estimatedDeliveryTo ?? null,
        currency: input.currency,
        subtotalMinor: subtotal.amountMinor,
        shippingMinor: delivery?.shippingMinor ?? 0,
        totalMinor: subtract(add(subtotal, money(delivery?.shippingMinor ?? 0, input.currency)), discount).amountMinor,
        pointsRedeemed: redeemPoints,
        discountMinor: discount.amountMinor,
        allocationWarehouseCodes: ctx.principal.warehouseCodes ? [...ctx.principal.warehouseCodes] : null,
        allowBackorder: input.allowBackorder ?? false,
        idempotencyScope: key ? scope : null,
        idempotencyKey: key,
        requestHash: key ? hash : null,
        lastSequence: 1,
      })
      .returning();
    // After the order row exists (the ledger references it); refusing here rolls back everything above.
    if (redeemPoints > 0) await ctx.extensions.get(ORDER_POINTS)!.redeem(ctx, tx, events, order!, redeemPoints, pointsField);
    return { order: order!, created: true };
  });
}

/**
 * A CUSTOMER token buys as its own account: the customer fields come from the account, and an
 * e-mail in the input must be the account's (CUSTOMER_MISMATCH otherwise: no ordering in another
 * shopper's name, no spending another shopper's points).
 */
function checkOwnBuyer(e: ErrorList, account: CustomerRow | null, given: OrderCreateInput['customer']): void {
  // A token of a customer that no longer exists does not authenticate; kept for the type.
  if (!account) return e.add('NOT_FOUND', 'The customer of this token does not exist.', ['input', 'customer']);
  if (given && normalizeEmail(given.email) !== account.email) {
    e.add('CUSTOMER_MISMATCH', "A customer token orders for its own account only: leave customer out or give the account's e-mail.", ['input', 'customer', 'email']);
  }
}

/** Verifies the order's delivery quote (before its transaction); the quote fixes type, service, pickup point and price. */
function redeemableDelivery(ctx: ServiceContext, input: OrderCreateInput): RedeemedDelivery {
  const path = ['input', 'deliveryOptionId'];
  const quotes = ctx.extensions.get(DELIVERY_QUOTES);
  if (!quotes) throw BusinessError.of('DELIVERY_OPTION_INVALID', 'Delivery options are not configured on this server; pass deliveryType instead.', path);
  const d = quotes.verify(ctx, input.deliveryOptionId!, { lines: input.lines, destination: input.shippingAddress, currency: input.currency }, path);
  if (input.deliveryType != null && input.deliveryType !== d.deliveryType) {
    throw BusinessError.of('INVALID', `The delivery option is ${d.deliveryType}, not ${input.deliveryType}; leave deliveryType out.`, ['input', 'deliveryType']);
  }
  return d;
}

/**
 * Moves an order to `to` through the lifecycle kernel (transition table, conditional UPDATE,
 * OrderEvent with the next sequence, outbox event). Errors: INVALID_STATE_TRANSITION.
 */
export async function transitionOrder(
  ctx: ServiceContext,
  tx: Executor,
  events: EventWriter,
  order: Pick<OrderRow, 'id' | 'status'>,
  to: OrderStatusValue,
  message: string | null = null,
  /** Codes of the warehouses the order ships from (for the event). */
  warehouseCodes: string[] = [],
  /** `at`: when it happened (default now; a carrier's delivery time for DELIVERED); `payload`: extra event fields (tracking numbers). */
  opts: { at?: Date; payload?: Record<string, unknown> } = {},
): Promise<OrderRow> {
  const at = opts.at ?? ctx.clock.now();
  const moved = await transition(tx, events, orderLifecycle, order, to, {
    at,
    message,
    set: to === 'CANCELLED' ? { cancelledAt: at } : to === 'SHIPPED' ? { shippedAt: at } : to === 'DELIVERED' ? { deliveredAt: at } : undefined,
    payload: { warehouseCodes, ...opts.payload },
  });
  for (const hook of ctx.extensions.list(ORDER_STATUS_HOOKS)) await hook(ctx, tx, events, moved, order.status);
  return moved;
}

/**
 * Allocates backordered orders, oldest first, from stock that arrived: each order in its own
 * transaction (row lock on the order, conditional reservations), partially if need be; an order
 * whose every line is allocated becomes ALLOCATED. Safe to run any number of times, on any
 * instance. Returns how many orders became fully allocated.
 */
export async function allocateBackorders(ctx: ServiceContext, opts: { variantIds?: string[]; limit?: number } = {}): Promise<number> {
  const db = ctx.database.db;
  const candidates = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.status, 'BACKORDERED'),
        opts.variantIds?.length
          ? sql`exists (select 1 from ${orderLines} where ${orderLines.orderId} = ${orders.id} and ${orderLines.allocatedQuantity} < ${orderLines.quantity} and ${inArray(orderLines.variantId, opts.variantIds)})`
          : undefined,
      ),
    )
    .orderBy(asc(orders.id))
    .limit(opts.limit ?? 200);
  if (!candidates.length) return 0;
  const allWarehouses = await listAllWarehouses(ctx);
  let completed = 0;
  for (const { id } of candidates) {
    const done = await transact(ctx, async (tx, events) => {
      const [order] = await tx.select().from(orders).where(and(eq(orders.id, id), eq(orders.status, 'BACKORDERED'))).for('update');
      if (!order) return false;
      const lines = (await tx.select().from(orderLines).where(eq(orderLines.orderId, id)).orderBy(asc(orderLines.position))).filter((l) => l.allocatedQuantity < l.quantity);
      const warehouses = allocatableWarehouses(allWarehouses, order.allocationWarehouseCodes);
      const need = lines.map((l) => ({ variantId: l.variantId, quantity: l.quantity - l.allocatedQuantity }));
      const avail = await availabilityByVariants(tx, [...new Set(need.map((n) => n.variantId))]);
      if (!avail.length) return false;
      const plan = planAllocation(need, stockOf(warehouses, avail), {
        location: order.shippingAddress.location ?? null,
        region: order.shippingAddress.region ?? null,
        countryCode: order.shippingAddress.countryCode,
      });
      if (!plan.parts.length) return false;
      for (const part of plan.parts) {
        // Stock read a moment ago may be gone: skip this order for now rather than fail the batch.
        if (!(await reserveAll(ctx, tx, part.lines.map((l) => ({ warehouseId: part.warehouseId, ...l }))))) throw new AllocationRace();
        const [fo] = await tx.insert(fulfillmentOrders).values({ orderId: id, warehouseId: part.warehouseId, status: 'OPEN', lastSequence: 1 }).returning();
        await begin(tx, events, fulfillmentOrderLifecycle, [fo!], { at: ctx.clock.now(), message: `Backordered stock reserved in ${warehouses.find((w) => w.id === part.warehouseId)!.code}` });
        const fl: (typeof fulfillmentLines.$inferInsert)[] = [];
        for (const pl of part.lines) {
          let left = pl.quantity;
          for (const ol of lines.filter((r) => r.variantId === pl.variantId)) {
            const take = Math.min(left, ol.quantity - ol.allocatedQuantity);
            if (take <= 0) continue;
            ol.allocatedQuantity += take;
            left -= take;
            fl.push({ fulfillmentOrderId: fo!.id, orderLineId: ol.id, variantId: pl.variantId, quantity: take });
            await tx.update(orderLines).set({ allocatedQuantity: ol.allocatedQuantity }).where(eq(orderLines.id, ol.id));
          }
        }
        await tx.insert(fulfillmentLines).values(fl);
        await events.emit(...levelChangedEvents(warehouses.find((w) => w.id === part.warehouseId)!, part.lines.map((l) => l.variantId)));
      }
      if (plan.short.length) return false;
      const fos = await tx.select({ warehouseId: fulfillmentOrders.warehouseId }).from(fulfillmentOrders).where(eq(fulfillmentOrders.orderId, id));
      const codes = [...new Set(fos.map((f) => warehouses.find((w) => w.id === f.warehouseId)?.code).filter((c): c is string => !!c))];
      await transitionOrder(ctx, tx, events, order, 'ALLOCATED', 'Backordered lines allocated', codes);
      return true;
    }).catch((err) => {
      if (err instanceof AllocationRace) return false;
      throw err;
    });
    if (done) completed++;
  }
  return completed;
}

/**
 * Where an order of these lines to this destination would ship from now, read-only (the order
 * re-plans in its own transaction): the allocation plan, with lines no warehouse can supply added
 * to the nearest warehouse's part (they would ship from there once backordered stock arrives).
 * The warehouse list comes from listAllWarehousesCached (a few seconds old at most), availability
 * from availabilityForPreview (this instance's cache, invalidated by every committed level change).
 */
export async function previewAllocation(
  ctx: ServiceContext,
  need: { variantId: string; quantity: number }[],
  dest: { location?: { lat: number; lng: number } | null; region?: string | null; countryCode: string },
): Promise<{ warehouse: WarehouseRow; lines: { variantId: string; quantity: number }[] }[]> {
  // Both reads at once (one round trip; the warehouses usually come from the short cache).
  const [all, avail] = await Promise.all([listAllWarehousesCached(ctx), availabilityForPreview(ctx, [...new Set(need.map((n) => n.variantId))])]);
  // A PARTNER key restricted to warehouses is quoted as its orders would allocate: from those only.
  const warehouses = allocatableWarehouses(all, ctx.principal.warehouseCodes);
  if (!warehouses.length) return [];
  const destination = { location: dest.location ?? null, region: dest.region ?? null, countryCode: dest.countryCode };
  const plan = planAllocation(need, stockOf(warehouses, avail), destination);
  const parts = plan.parts.map((p) => ({ warehouse: warehouses.find((w) => w.id === p.warehouseId)!, lines: [...p.lines] }));
  if (plan.short.length) {
    // The nearest warehouse: the single part of a plan where every warehouse has everything.
    const unlimited = stockOf(warehouses, []).map((w) => ({ ...w, available: new Map(need.map((n) => [n.variantId, Number.MAX_SAFE_INTEGER])) }));
    const nearestId = planAllocation(need, unlimited, destination).parts[0]!.warehouseId;
    let part = parts.find((p) => p.warehouse.id === nearestId);
    if (!part) parts.push((part = { warehouse: warehouses.find((w) => w.id === nearestId)!, lines: [] }));
    part.lines.push(...plan.short);
  }
  return parts;
}

/** Active warehouses an order may allocate from: all, or only those of a restricting PARTNER key (by code). */
export function allocatableWarehouses(all: readonly WarehouseRow[], codes: readonly string[] | null | undefined): WarehouseRow[] {
  return all.filter((w) => w.isActive && (!codes || codes.includes(w.code)));
}

function stockOf(warehouses: WarehouseRow[], avail: { variantId: string; warehouseId: string; available: number }[]): WarehouseStock[] {
  return warehouses.map((w) => ({
    warehouseId: w.id,
    location: w.lat != null && w.lng != null ? { lat: w.lat, lng: w.lng } : null,
    region: w.address.region ?? null,
    countryCode: w.address.countryCode,
    available: new Map(avail.filter((a) => a.warehouseId === w.id).map((a) => [a.variantId, a.available])),
  }));
}

/**
 * Cancels an order and releases every allocation not shipped. Errors: NOT_FOUND, INVALID_STATE_TRANSITION;
 * FORBIDDEN for a key restricted to warehouses when the order has open parts in other warehouses.
 * A CUSTOMER token cancels only its own orders (others' are NOT_FOUND, as if they did not exist) and
 * only before the warehouse starts on them (ALLOCATED, BACKORDERED; later INVALID_STATE_TRANSITION).
 */
export async function cancelOrder(ctx: ServiceContext, input: { orderId: string; reason?: string | null }): Promise<OrderRow> {
  // Read outside the transaction: PGlite has one connection, and a query beside an open transaction would wait for it.
  const [visible] = await ordersByIds(ctx, [input.orderId]);
  if (!visible) throw BusinessError.of('NOT_FOUND', 'No such order.', ['input', 'id']);
  const whs = new Map((await listAllWarehouses(ctx)).map((w) => [w.id, w]));
  return transact(ctx, async (tx, events) => {
    const [order] = await tx.select().from(orders).where(eq(orders.id, input.orderId)).for('update');
    if (!order) throw BusinessError.of('NOT_FOUND', 'No such order.', ['input', 'id']);
    if (!cancellable(order.status)) throw BusinessError.of('INVALID_STATE_TRANSITION', `An order in status ${order.status} cannot be cancelled.`, ['input', 'id']);
    if (ctx.principal.kind === 'CUSTOMER' && !customerCancellable(order.status)) {
      throw BusinessError.of('INVALID_STATE_TRANSITION', `An order in status ${order.status} is already being prepared; ask the store to cancel it.`, ['input', 'id']);
    }
    // Locked: a part moving on meanwhile (picked, packed) waits for the cancellation rather than failing it.
    const fos = await tx.select().from(fulfillmentOrders).where(eq(fulfillmentOrders.orderId, order.id)).for('update');
    const open = fos.filter((f) => f.status !== 'SHIPPED' && f.status !== 'CANCELLED');
    const only = ctx.principal.warehouseCodes;
    if (only && open.some((f) => !only.includes(whs.get(f.warehouseId)?.code ?? ''))) {
      // Cancelling would release reservations in warehouses this key may not touch.
      throw BusinessError.of('FORBIDDEN', 'This order also has open parts outside the warehouses of this key; a key without that restriction must cancel it.', ['input', 'id']);
    }
    if (open.length) {
      const fls = await tx.select().from(fulfillmentLines).where(inArray(fulfillmentLines.fulfillmentOrderId, open.map((f) => f.id)));
      const byFo = new Map<string, FulfillmentLineRow[]>();
      for (const l of fls) byFo.set(l.fulfillmentOrderId, [...(byFo.get(l.fulfillmentOrderId) ?? []), l]);
      const releases = open
        .flatMap((f) => (byFo.get(f.id) ?? []).map((l) => ({ warehouseId: f.warehouseId, variantId: l.variantId, quantity: l.quantity })))
        .sort((a, b) => a.warehouseId.localeCompare(b.warehouseId) || a.variantId.localeCompare(b.variantId));
      for (const r of releases) await releaseStock(tx, r.variantId, r.warehouseId, r.quantity);
      // Units already picked for these parts leave the staging for the bins they came from (order.unstage.ts).
      for (const [warehouseId, units] of await stagedUnitsOf(tx, open, fls)) await unstagePicked(ctx, tx, events, whs.get(warehouseId)!, units, `cancel:${order.number}`);
      await dropFromPickLists(tx, events, fls, ctx.clock.now());
      await transitionMany(tx, events, fulfillmentOrderLifecycle, open, 'CANCELLED', { at: ctx.clock.now(), message: `Order cancelled${input.reason ? `: ${input.reason}` : ''}`.slice(0, 500) });
      await tx.update(orderLines).set({ allocatedQuantity: sql`${orderLines.shippedQuantity}` }).where(eq(orderLines.orderId, order.id));
      for (const f of open) await events.emit(...levelChangedEvents(whs.get(f.warehouseId)!, (byFo.get(f.id) ?? []).map((l) => l.variantId)));
    }
    const codes = [...new Set(fos.map((f) => whs.get(f.warehouseId)?.code).filter((c): c is string => !!c))];
    return transitionOrder(ctx, tx, events, order, 'CANCELLED', input.reason?.slice(0, 500) ?? 'Cancelled', codes);
  });
}

/**
 * Who may read an order: read_orders staff; its own customer; a PARTNER restricted to
 * warehouses only when one of its fulfillment orders is in them.
 */
export async function mayViewOrder(ctx: ServiceContext, order: Pick<OrderRow, 'id' | 'customerId'>, tx: Executor = ctx.database.db): Promise<boolean> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER') return p.customerId === order.customerId;
  if (!hasScope(p, 'read_orders')) return false;
  if (!p.warehouseCodes) return true;
  const codes = await visibleWarehouseIds(ctx);
  const [row] = await tx
    .select({ n: count() })
    .from(fulfillmentOrders)
    .where(and(eq(fulfillmentOrders.orderId, order.id), codes.length ? inArray(fulfillmentOrders.warehouseId, codes) : sql`false`));
  return Number(row?.n ?? 0) > 0;
}

async function visibleWarehouseIds(ctx: ServiceContext): Promise<string[]> {
  const codes = ctx.principal.warehouseCodes;
  return (await listAllWarehouses(ctx)).filter((w) => !codes || codes.includes(w.code)).map((w) => w.id);
}

/** Orders by id that the caller may see; one query for the rows and at most one for a partner's warehouses. */
export async function ordersByIds(ctx: ServiceContext, ids: readonly string[]): Promise<OrderRow[]> {
  const rows = await ctx.database.db.select().from(orders).where(inArray(orders.id, [...ids]));
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER') return rows.filter((r) => r.customerId === p.customerId);
  if (!hasScope(p, 'read_orders')) return [];
  if (!p.warehouseCodes || !rows.length) return rows;
  const whIds = await visibleWarehouseIds(ctx);
  if (!whIds.length) return [];
  const shipping = await ctx.database.db
    .selectDistinct({ orderId: fulfillmentOrders.orderId })
    .from(fulfillmentOrders)
    .where(and(inArray(fulfillmentOrders.orderId, rows.map((r) => r.id)), inArray(fulfillmentOrders.warehouseId, whIds)));
  const allowed = new Set(shipping.map((s) => s.orderId));
  return rows.filter((r) => allowed.has(r.id));
}

export async function orderByNumber(ctx: ServiceContext, number: string): Promise<OrderRow | null> {
  const [row] = await ctx.database.db.select().from(orders).where(eq(orders.number, number.trim().toUpperCase()));
  return row && (await mayViewOrder(ctx, row)) ? row : null;
}

/**
 * The order someone names: by its number (WB-100123), else by its sales channel's own id (a
 * marketplace's or an import's external id); the caller's visibility applies; null when none.
 */
export async function orderByReference(ctx: ServiceContext, reference: string): Promise<OrderRow | null> {
  const byNumber = await orderByNumber(ctx, reference);
  if (byNumber) return byNumber;
  const ref = reference.trim();
  if (!ref || ref.length > 100) return null;
  const rows = await ctx.database.db.select().from(orders).where(eq(orders.externalId, ref)).limit(10);
  for (const r of rows) if (await mayViewOrder(ctx, r)) return r;
  return null;
}

/**
 * The id of the order with this number if it belongs to this customer, else null (unknown and
 * someone else's look the same), in the caller's transaction. For services that name an order on
 * the customer's behalf (a support ticket), whatever the caller's own order scopes.
 */
export async function orderIdOfCustomerByNumber(executor: Executor, customerId: string, number: string): Promise<string | null> {
  const [row] = await executor
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.number, number.trim().toUpperCase()), eq(orders.customerId, customerId)));
  return row?.id ?? null;
}

export interface OrderFilter {
  status?: OrderStatusValue[] | null;
  channel?: string | null;
  createdFrom?: Date | null;
  createdTo?: Date | null;
  customerEmail?: string | null;
}

/** Orders newest first, filtered (`customerId`: one customer's, for Customer.orders), limited to what the caller may see. */
export async function listOrders(ctx: ServiceContext, args: PageArgs & { filter?: OrderFilter | null; customerId?: string }): Promise<Page<OrderRow>> {
  const p = ctx.principal;
  const conds: SQL[] = [];
  const f = args.filter ?? {};
  const channel = searchText(f.channel, 'filter.channel');
  const customerEmail = searchText(f.customerEmail, 'filter.customerEmail');
  if (f.status?.length) conds.push(inArray(orders.status, f.status));
  if (channel) conds.push(eq(orders.channel, channel));
  if (f.createdFrom) conds.push(gte(orders.createdAt, f.createdFrom));
  if (f.createdTo) conds.push(lte(orders.createdAt, f.createdTo));
  if (customerEmail) conds.push(inArray(orders.customerId, customerIdsByEmail(ctx.database.db, customerEmail)));
  if (args.customerId) conds.push(eq(orders.customerId, args.customerId));
  if (p.kind === 'CUSTOMER') conds.push(eq(orders.customerId, p.customerId!));
  else if (!hasScope(p, 'read_orders')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_orders.');
  else if (p.warehouseCodes) {
    const ids = await visibleWarehouseIds(ctx);
    conds.push(ids.length ? sql`exists (select 1 from ${fulfillmentOrders} where ${fulfillmentOrders.orderId} = ${orders.id} and ${inArray(fulfillmentOrders.warehouseId, ids)})` : sql`false`);
  }
  const filter = conds.length ? and(...conds) : undefined;
  const plan = planPage(args, orders.id, filter);
  const db = ctx.database.db;
  const rows = await db.select().from(orders).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(orders, filter));
}

export async function linesByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<OrderLineRow[]> {
  return ctx.database.db.select().from(orderLines).where(inArray(orderLines.orderId, [...ids])).orderBy(asc(orderLines.position));
}

export async function fulfillmentOrdersByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<FulfillmentOrderRow[]> {
  return ctx.database.db.select().from(fulfillmentOrders).where(inArray(fulfillmentOrders.orderId, [...ids])).orderBy(asc(fulfillmentOrders.id));
}

/** Unfiltered by the principal; `executor`: the caller's transaction (a read inside it on embedded PGlite must use it). */
export async function fulfillmentOrdersByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[], executor: Executor = ctx.database.db): Promise<FulfillmentOrderRow[]> {
  return executor.select().from(fulfillmentOrders).where(inArray(fulfillmentOrders.id, [...ids]));
}

export async function fulfillmentLinesByFoIds(ctx: ServiceContext, ids: readonly string[]): Promise<FulfillmentLineRow[]> {
  return ctx.database.db.select().from(fulfillmentLines).where(inArray(fulfillmentLines.fulfillmentOrderId, [...ids])).orderBy(asc(fulfillmentLines.id));
}

export async function eventsByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<OrderEventRow[]> {
  return ctx.database.db.select().from(orderEvents).where(inArray(orderEvents.objectId, [...ids])).orderBy(asc(orderEvents.objectId), asc(orderEvents.sequence));
}

export async function eventsByFulfillmentOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<FulfillmentOrderEventRow[]> {
  return ctx.database.db
    .select()
    .from(fulfillmentOrderEvents)
    .where(inArray(fulfillmentOrderEvents.objectId, [...ids]))
    .orderBy(asc(fulfillmentOrderEvents.objectId), asc(fulfillmentOrderEvents.sequence));
}

/** Events of one order after a sequence (replay for subscriptions). */
export async function eventsAfter(ctx: ServiceContext, orderId: string, afterSequence: number): Promise<OrderEventRow[]> {
  return ctx.database.db
    .select()
    .from(orderEvents)
    .where(and(eq(orderEvents.objectId, orderId), sql`${orderEvents.sequence} > ${afterSequence}`))
    .orderBy(asc(orderEvents.sequence));
}

export type { WarehouseRow };

/** Orders per status whose external id starts with `prefix` (the demo seed's history: DEMO-…). Staff with read_orders only. */
export async function orderCountsByExternalIdPrefix(ctx: ServiceContext, prefix: string): Promise<Record<string, number>> {
  if (!hasScope(ctx.principal, 'read_orders')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_orders.');
  const pattern = `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const rows = await ctx.database.db
    .select({ status: orders.status, n: count() })
    .from(orders)
    .where(sql`${orders.externalId} like ${pattern}`)
    .groupBy(orders.status)
    .orderBy(asc(orders.status));
  return Object.fromEntries(rows.map((r) => [r.status, Number(r.n)]));
}

/** How many fulfillment orders of a warehouse are in `status`. */
export async function countFulfillmentOrders(ctx: ServiceContext, warehouseId: string, status: FulfillmentOrderRow['status']): Promise<number> {
  return ctx.database.db.$count(fulfillmentOrders, and(eq(fulfillmentOrders.warehouseId, warehouseId), eq(fulfillmentOrders.status, status)));
}

/** Order lines by id, without visibility rules (for services that check access to the owning object themselves). */
export async function orderLinesByIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<OrderLineRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(orderLines).where(inArray(orderLines.id, [...ids]));
}

/** A subquery of the id of the order with this number (e.g. WB-100001), for another module's filter; unfiltered. */
export function orderIdsByNumber(db: Executor, number: string) {
  return db.select({ id: orders.id }).from(orders).where(eq(orders.number, number.trim().toUpperCase()));
}

/**
 * Port for analytics composed into one statement: a subquery of every fulfillment line with its
 * fulfillment order's warehouse, columns `fulfillment_line_id, fulfillment_order_id,
 * order_line_id, variant_id, units, warehouse_id`. Join it on `fulfillment_order_id` (indexed).
 */
export function fulfilledLinesQuery(): SQL {
  return sql`select ${fulfillmentLines.id} as fulfillment_line_id, ${fulfillmentLines.fulfillmentOrderId} as fulfillment_order_id,
      ${fulfillmentLines.orderLineId} as order_line_id, ${fulfillmentLines.variantId} as variant_id, ${fulfillmentLines.quantity} as units,
      ${fulfillmentOrders.warehouseId} as warehouse_id
    from ${fulfillmentLines} join ${fulfillmentOrders} on ${fulfillmentOrders.id} = ${fulfillmentLines.fulfillmentOrderId}`;
}
