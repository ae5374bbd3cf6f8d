/**
 * Planning: suppliers and what they sell, reorder policies per SKU × warehouse, imported demand
 * history, purchase orders and transfers between warehouses (both lifecycle objects with a
 * timeline), and the number sequences of both.
 */
import { sql } from 'drizzle-orm';
import { boolean, check, date, doublePrecision, index, integer, pgSequence, pgTable, primaryKey, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { historyTable } from '../../shared/lifecycle.js';
import { productVariants } from '../catalog/catalog.table.js';
import { warehouses } from '../warehouse/warehouse.table.js';

export const suppliers = pgTable(
  'suppliers',
  {
    id: idColumn(),
    /** Upper-case code, unique (SupplierProductSetInput.supplierCode). */
    code: text('code').notNull().unique(),
    name: text('name').notNull(),
    /** ISO 4217: what its prices and purchase orders are in. */
    currency: text('currency').notNull(),
    /** The lead time the store was told; received purchase orders refine it (see purchasing). */
    leadTimeDays: integer('lead_time_days').notNull(),
    createdAt: createdAt(),
  },
  (t) => [check('suppliers_lead_time', sql`${t.leadTimeDays} >= 0`)],
);

/** What a supplier sells: cost in the supplier's currency, pack size, minimum order. */
export const supplierProducts = pgTable(
  'supplier_products',
  {
    supplierId: uuid('supplier_id')
      .notNull()
      .references(() => suppliers.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    unitCostMinor: integer('unit_cost_minor').notNull(),
    packSize: integer('pack_size').notNull().default(1),
    minOrderQuantity: integer('min_order_quantity').notNull().default(1),
    /** At most one preferred supplier per variant (a partial unique index). */
    preferred: boolean('preferred').notNull().default(true),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.supplierId, t.variantId] }),
    uniqueIndex('supplier_products_preferred_uq').on(t.variantId).where(sql`${t.preferred}`),
    index('supplier_products_variant_idx').on(t.variantId),
    check('supplier_products_values', sql`${t.unitCostMinor} >= 0 and ${t.packSize} >= 1 and ${t.minOrderQuantity} >= 1`),
  ],
);

/** How a SKU is replenished in a warehouse. The figures (safety stock, reorder point ...) are computed from the forecast when read. */
export const reorderPolicies = pgTable(
  'reorder_policies',
  {
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    serviceLevel: doublePrecision('service_level').notNull(),
    reviewPeriodDays: integer('review_period_days').notNull(),
    /** Cost of placing one order, in `orderingCostCurrency` minor units. */
    orderingCostMinor: integer('ordering_cost_minor'),
    orderingCostCurrency: text('ordering_cost_currency'),
    /** Yearly holding cost as a share of unit cost. */
    holdingCostRate: doublePrecision('holding_cost_rate'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.variantId, t.warehouseId] }),
    index('reorder_policies_warehouse_idx').on(t.warehouseId),
    check('reorder_policies_values', sql`${t.serviceLevel} > 0.5 and ${t.serviceLevel} < 0.999 and ${t.reviewPeriodDays} >= 0`),
  ],
);

/**
 * Weekly sales from before the store used Waybill (demandHistoryImport). A week here counts only
 * where the ledger has no shipment of that variant and warehouse; importing it again replaces it.
 */
export const demandHistory = pgTable(
  'demand_history',
  {
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    /** Monday of the ISO week, in the warehouse's time zone. */
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    units: integer('units').notNull(),
    importedAt: tstz('imported_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.variantId, t.warehouseId, t.weekStart] }), check('demand_history_units', sql`${t.units} >= 0`)],
);

/**
 * The forecast planning made for a week before it started: whenever a forecast is computed
 * (demandForecast, reorder policies, a replenishment run, scheduled or not), its first forecast
 * week (the week after the current one: one week ahead) is kept here, the latest forecast made
 * before that week started winning. The metrics module's forecastMape reads it against what shipped.
 */
export const forecastSnapshots = pgTable(
  'forecast_snapshots',
  {
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    /** Monday of the forecast ISO week, in the warehouse's time zone. */
    weekStart: date('week_start', { mode: 'string' }).notNull(),
    /** The forecast mean of units shipped that week. */
    units: doublePrecision('units').notNull(),
    /** When the forecast was made (always before weekStart). */
    madeAt: tstz('made_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.variantId, t.warehouseId, t.weekStart] }), index('forecast_snapshots_week_idx').on(t.weekStart)],
);

export const PURCHASE_ORDER_STATUSES = ['DRAFT', 'SENT', 'PARTIALLY_RECEIVED', 'RECEIVED', 'CANCELLED'] as const;
export type PurchaseOrderStatusValue = (typeof PURCHASE_ORDER_STATUSES)[number];

export const TRANSFER_STATUSES = ['DRAFT', 'IN_TRANSIT', 'RECEIVED', 'CANCELLED'] as const;
export type TransferStatusValue = (typeof TRANSFER_STATUSES)[number];

/** Who made an order: by hand (an API call) or a replenishment run. */
export const PLANNING_SOURCES = ['MANUAL', 'REPLENISHMENT'] as const;
export type PlanningSourceValue = (typeof PLANNING_SOURCES)[number];

/** Human numbers PO-100001, TR-100001, ... */
export const purchaseOrderNumberSeq = pgSequence('purchase_order_number_seq', { startWith: 100001 });
export const transferNumberSeq = pgSequence('transfer_number_seq', { startWith: 100001 });

export const purchaseOrders = pgTable(
  'purchase_orders',
  {
    id: idColumn(),
    number: text('number').notNull().unique(),
    supplierId: uuid('supplier_id')
      .notNull()
      .references(() => suppliers.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    status: text('status', { enum: PURCHASE_ORDER_STATUSES }).notNull(),
    /** The lifecycle kernel's per-order sequence: the last row of purchase_order_events. */
    lastSequence: integer('last_sequence').notNull().default(1),
    currency: text('currency').notNull(),
    source: text('source', { enum: PLANNING_SOURCES }).notNull().default('MANUAL'),
    expectedAt: tstz('expected_at'),
    sentAt: tstz('sent_at'),
    /** When the last unit arrived (status RECEIVED): with sentAt, one observation of the supplier's lead time. */
    receivedAt: tstz('received_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('purchase_orders_status_idx').on(t.status),
    index('purchase_orders_supplier_idx').on(t.supplierId, t.status),
    index('purchase_orders_warehouse_idx').on(t.warehouseId, t.status),
  ],
);

export const purchaseOrderLines = pgTable(
  'purchase_order_lines',
  {
    id: idColumn(),
    purchaseOrderId: uuid('purchase_order_id')
      .notNull()
      .references(() => purchaseOrders.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    receivedQuantity: integer('received_quantity').notNull().default(0),
    unitCostMinor: integer('unit_cost_minor').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [
    uniqueIndex('purchase_order_lines_variant_uq').on(t.purchaseOrderId, t.variantId),
    index('purchase_order_lines_variant_idx').on(t.variantId),
    check('purchase_order_lines_qty', sql`${t.quantity} > 0 and ${t.receivedQuantity} >= 0 and ${t.receivedQuantity} <= ${t.quantity} and ${t.unitCostMinor} >= 0`),
  ],
);

export const purchaseOrderEvents = historyTable('purchase_order_events', 'purchase_order_id', () => purchaseOrders.id, PURCHASE_ORDER_STATUSES);

export const transferOrders = pgTable(
  'transfer_orders',
  {
    id: idColumn(),
    number: text('number').notNull().unique(),
    fromWarehouseId: uuid('from_warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    toWarehouseId: uuid('to_warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    status: text('status', { enum: TRANSFER_STATUSES }).notNull(),
    lastSequence: integer('last_sequence').notNull().default(1),
    source: text('source', { enum: PLANNING_SOURCES }).notNull().default('MANUAL'),
    shippedAt: tstz('shipped_at'),
    receivedAt: tstz('received_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('transfer_orders_from_idx').on(t.fromWarehouseId, t.status),
    index('transfer_orders_to_idx').on(t.toWarehouseId, t.status),
    check('transfer_orders_distinct', sql`${t.fromWarehouseId} <> ${t.toWarehouseId}`),
  ],
);

export const transferLines = pgTable(
  'transfer_lines',
  {
    id: idColumn(),
    transferOrderId: uuid('transfer_order_id')
      .notNull()
      .references(() => transferOrders.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    receivedQuantity: integer('received_quantity').notNull().default(0),
    position: integer('position').notNull(),
  },
  (t) => [
    uniqueIndex('transfer_lines_variant_uq').on(t.transferOrderId, t.variantId),
    index('transfer_lines_variant_idx').on(t.variantId),
    check('transfer_lines_qty', sql`${t.quantity} > 0 and ${t.receivedQuantity} >= 0 and ${t.receivedQuantity} <= ${t.quantity}`),
  ],
);

export const transferEvents = historyTable('transfer_events', 'transfer_order_id', () => transferOrders.id, TRANSFER_STATUSES);
