/**
 * Shipping history in bulk for returnAnalytics tests: thousands of shipped units are too many to
 * play through the API, so this inserts the rows directly with drizzle (products and variants,
 * warehouses, carriers with one service, a customer, orders with one line each, a fulfillment
 * order and line, and a shipment), in a few multi-row INSERTs. Returns are inserted with their
 * lines and started through the lifecycle kernel's `begin` (history row 1 and the outbox event),
 * in the status the test asks for, as a return's own services would leave them.
 */
import { eq, inArray } from 'drizzle-orm';
import { newId } from '../../src/db/columns.js';
import { transact } from '../../src/events/outbox.js';
import { begin } from '../../src/shared/lifecycle.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { products, productVariants } from '../../src/modules/catalog/catalog.table.js';
import { carriers, carrierServices } from '../../src/modules/carriers/carrier.table.js';
import { customers } from '../../src/modules/customers/customer.table.js';
import { fulfillmentLines, fulfillmentOrders, orderLines, orders } from '../../src/modules/orders/order.table.js';
import { returnLifecycle, type ReturnRow } from '../../src/modules/returns/returns.state.js';
import { returnLines, returnRequests, type ReturnReasonValue, type ReturnStatusValue } from '../../src/modules/returns/returns.table.js';
import { shipments } from '../../src/modules/shipments/shipment.table.js';
import { warehouses } from '../../src/modules/warehouse/warehouse.table.js';

let seq = 0;
const tag = () => `${process.pid % 10000}A${++seq}`;

export interface ShippedSpec {
  sku: string;
  /** Product category (default 'misc'); null for none. */
  category?: string | null;
  units: number;
  carrierCode?: string;
  warehouseCode?: string;
  shippedAt: Date;
  /** Default OUTBOUND; a RETURN shipment carries units back and must not count as shipped. */
  direction?: 'OUTBOUND' | 'RETURN';
  /** Ship more units of this existing order line (a later parcel of the same line, as a backorder is) instead of a new order. */
  sameLineAs?: ShippedLine;
}

export interface ShippedLine {
  orderId: string;
  orderLineId: string;
  variantId: string;
  sku: string;
  units: number;
}

const CHUNK = 500;
async function insertChunks<T>(rows: readonly T[], insert: (chunk: T[]) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < rows.length; i += CHUNK) await insert(rows.slice(i, i + CHUNK));
}

const address = { name: 'Склад', line1: 'Складская 1', city: 'Москва', postalCode: '109000', countryCode: 'RU' };

/**
 * Inserts one order with one line per spec, shipped (fulfillment order SHIPPED, shipment
 * DELIVERED) at `shippedAt`. Products are created per distinct SKU (tests choose unique SKUs per
 * call); warehouses and carriers by code, reused when they exist. Returns the lines in spec order.
 */
export async function shippedHistory(ctx: ServiceContext, specs: readonly ShippedSpec[]): Promise<ShippedLine[]> {
  const db = ctx.database.db;
  const t = tag();
  const [customer] = await db
    .insert(customers)
    .values({ email: `analytics.${t}@example.ru`, name: 'Покупатель', locale: 'ru' })
    .returning({ id: customers.id });

  const variantOf = new Map<string, string>();
  const skus = [...new Map(specs.filter((s) => !s.sameLineAs).map((s) => [s.sku, s])).values()];
  const productRows = skus.map((s) => ({ id: newId(), title: `Товар ${s.sku}`, category: s.category === undefined ? 'misc' : s.category }));
  await insertChunks(productRows, (c) => db.insert(products).values(c));
  const variantRows = skus.map((s, i) => {
    const id = newId();
    variantOf.set(s.sku, id);
    return { id, productId: productRows[i]!.id, sku: s.sku, title: s.sku, priceMinor: 1000_00, currency: 'RUB', weightGrams: 500 };
  });
  await insertChunks(variantRows, (c) => db.insert(productVariants).values(c));

  // Warehouses and carriers by code: existing ones are reused (a later call may ship from the same ones).
  const warehouseOf = new Map<string, string>();
  const warehouseCodes = [...new Set(specs.map((s) => s.warehouseCode ?? `AW${t}`))];
  for (const w of await db.select({ id: warehouses.id, code: warehouses.code }).from(warehouses).where(inArray(warehouses.code, warehouseCodes))) warehouseOf.set(w.code, w.id);
  for (const code of warehouseCodes.filter((c) => !warehouseOf.has(c))) {
    const [w] = await db.insert(warehouses).values({ code, name: `Склад ${code}`, address }).returning({ id: warehouses.id });
    warehouseOf.set(code, w!.id);
  }
  const carrierOf = new Map<string, { carrierId: string; serviceId: string }>();
  const carrierCodes = [...new Set(specs.map((s) => s.carrierCode ?? `AC${t}`))];
  for (const c of await db
    .select({ code: carriers.code, carrierId: carriers.id, serviceId: carrierServices.id })
    .from(carriers)
    .innerJoin(carrierServices, eq(carrierServices.carrierId, carriers.id))
    .where(inArray(carriers.code, carrierCodes)))
    carrierOf.set(c.code, { carrierId: c.carrierId, serviceId: c.serviceId });
  for (const code of carrierCodes.filter((c) => !carrierOf.has(c))) {
    const [c] = await db.insert(carriers).values({ code, name: `Carrier ${code}` }).returning({ id: carriers.id });
    const [svc] = await db
      .insert(carrierServices)
      .values({ carrierId: c!.id, code: `${code}_COURIER`, name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 3, volumetricDivisor: 5000, maxWeightGrams: 30_000, position: 0 })
      .returning({ id: carrierServices.id });
    carrierOf.set(code, { carrierId: c!.id, serviceId: svc!.id });
  }

  const out: ShippedLine[] = [];
  const orderRows: (typeof orders.$inferInsert)[] = [];
  const lineRows: (typeof orderLines.$inferInsert)[] = [];
  const foRows: (typeof fulfillmentOrders.$inferInsert)[] = [];
  const flRows: (typeof fulfillmentLines.$inferInsert)[] = [];
  const shipmentRows: (typeof shipments.$inferInsert)[] = [];
  specs.forEach((s, i) => {
    const orderId = s.sameLineAs?.orderId ?? newId();
    const orderLineId = s.sameLineAs?.orderLineId ?? newId();
    const foId = newId();
    const variantId = s.sameLineAs?.variantId ?? variantOf.get(s.sku)!;
    const total = 1000_00 * s.units;
    const { carrierId, serviceId } = carrierOf.get(s.carrierCode ?? `AC${t}`)!;
    if (!s.sameLineAs) orderRows.push({
      id: orderId,
      number: `WB-A${t}-${i + 1}`,
      channel: 'web',
      status: 'DELIVERED',
      customerId: customer!.id,
      shippingAddress: address,
      deliveryType: 'COURIER',
      currency: 'RUB',
      subtotalMinor: total,
      totalMinor: total,
      createdAt: s.shippedAt,
      shippedAt: s.shippedAt,
      deliveredAt: s.shippedAt,
    });
    if (!s.sameLineAs) lineRows.push({ id: orderLineId, orderId, variantId, sku: s.sku, title: s.sku, quantity: s.units, unitPriceMinor: 1000_00, allocatedQuantity: s.units, shippedQuantity: s.units, position: 0 });
    foRows.push({ id: foId, orderId, warehouseId: warehouseOf.get(s.warehouseCode ?? `AW${t}`)!, status: 'SHIPPED', createdAt: s.shippedAt });
    flRows.push({ fulfillmentOrderId: foId, orderLineId, variantId, quantity: s.units, pickedQuantity: s.units });
    shipmentRows.push({
      orderId,
      fulfillmentOrderId: foId,
      direction: s.direction ?? 'OUTBOUND',
      carrierId,
      serviceId,
      trackingNumber: `A${t.replace(/\D/g, '')}X${i + 1}`,
      status: 'DELIVERED',
      costMinor: 300_00,
      currency: 'RUB',
      weightGrams: 500,
      parcel: { weightGrams: 500, chargeableWeightGrams: 500, lengthMm: 200, widthMm: 150, heightMm: 100 },
      labelFormat: 'PDF',
      labelContent: '',
      createdAt: s.shippedAt,
      deliveredAt: s.shippedAt,
    });
    out.push({ orderId, orderLineId, variantId, sku: s.sku, units: s.units });
  });
  await insertChunks(orderRows, (c) => db.insert(orders).values(c));
  await insertChunks(lineRows, (c) => db.insert(orderLines).values(c));
  await insertChunks(foRows, (c) => db.insert(fulfillmentOrders).values(c));
  await insertChunks(flRows, (c) => db.insert(fulfillmentLines).values(c));
  await insertChunks(shipmentRows, (c) => db.insert(shipments).values(c));
  return out;
}

export interface ReturnSpec {
  line: ShippedLine;
  quantity: number;
  reason: ReturnReasonValue;
  status?: ReturnStatusValue;
  at?: Date;
}

/** Inserts one return per spec (one line each) in the given status (default REQUESTED), started through the kernel's `begin`. */
export async function returnsOf(ctx: ServiceContext, specs: readonly ReturnSpec[]): Promise<string[]> {
  if (!specs.length) return [];
  const t = tag();
  const orderCustomers = new Map(
    (await ctx.database.db.select({ id: orders.id, customerId: orders.customerId }).from(orders).where(inArray(orders.id, [...new Set(specs.map((s) => s.line.orderId))]))).map((o) => [
      o.id,
      o.customerId,
    ]),
  );
  return transact(ctx, async (tx, events) => {
    const ids: string[] = [];
    for (let i = 0; i < specs.length; i += CHUNK) {
      const chunk = specs.slice(i, i + CHUNK);
      const rows = (await tx
        .insert(returnRequests)
        .values(
          chunk.map((s, j) => ({
            number: `RMA-A${t}-${i + j + 1}`,
            orderId: s.line.orderId,
            customerId: orderCustomers.get(s.line.orderId)!,
            status: s.status ?? 'REQUESTED',
            currency: 'RUB',
            requestedBy: 'customer',
            ...(s.at ? { createdAt: s.at } : {}),
          })),
        )
        .returning()) as ReturnRow[];
      await tx.insert(returnLines).values(chunk.map((s, j) => ({ returnRequestId: rows[j]!.id, orderLineId: s.line.orderLineId, variantId: s.line.variantId, quantity: s.quantity, reason: s.reason, position: 0 })));
      await begin(tx, events, returnLifecycle, rows, { at: ctx.clock.now() });
      ids.push(...rows.map((r) => r.id));
    }
    return ids;
  });
}
