/**
 * The KPI read model (see kpi.facts.ts): one narrow row per order and per outbound shipment of a
 * non-cancelled order, and their per-local-day rollups, kept exact by refreshing the orders marked
 * in kpi_dirty_orders (by triggers on the tables the figures read, in the writer's transaction)
 * before every read.
 */
import { sql } from 'drizzle-orm';
import { bigint, date, doublePrecision, index, integer, pgTable, primaryKey, smallint, text, uuid } from 'drizzle-orm/pg-core';
import { tstz } from '../../db/columns.js';

/** Orders whose figures changed since the read model last caught up (append-only; drained by the next kpis read). */
export const kpiDirtyOrders = pgTable('kpi_dirty_orders', { orderId: uuid('order_id').notNull() });

/** What the rollups were built for: the day boundaries are the store time zone's. One row, id 'default'. */
export const kpiState = pgTable('kpi_state', {
  id: text('id').primaryKey(),
  timeZone: text('time_zone').notNull(),
  builtAt: tstz('built_at').notNull().defaultNow(),
});

export const kpiOrderFacts = pgTable(
  'kpi_order_facts',
  {
    orderId: uuid('order_id').primaryKey(),
    placedAt: tstz('placed_at').notNull(),
    channel: text('channel').notNull(),
    currency: text('currency').notNull(),
    /** Sorted ids of the order's fulfillment orders' warehouses and of its outbound shipments' carriers. */
    warehouseIds: uuid('warehouse_ids').array().notNull(),
    carrierIds: uuid('carrier_ids').array().notNull(),
    units: integer('units').notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    atOnce: integer('at_once').notNull(),
    atOnceKnown: integer('at_once_known').notNull(),
    backordered: integer('backordered').notNull(),
    shippedUnits: integer('shipped_units').notNull(),
    returnedUnits: integer('returned_units').notNull(),
    shipHours: doublePrecision('ship_hours'),
    deliverHours: doublePrecision('deliver_hours'),
  },
  (t) => [
    index('kpi_order_facts_placed_idx').on(t.placedAt),
    // The exact values of one duration bin (see kpiDailyDurations) in a time range, by index-only scan.
    index('kpi_order_facts_ship_bin_idx').on(sql`(floor(${t.shipHours})::int)`, t.placedAt, t.shipHours),
    index('kpi_order_facts_deliver_bin_idx').on(sql`(floor(${t.deliverHours})::int)`, t.placedAt, t.deliverHours),
  ],
);

export const kpiShipmentFacts = pgTable(
  'kpi_shipment_facts',
  {
    shipmentId: uuid('shipment_id').primaryKey(),
    orderId: uuid('order_id').notNull(),
    placedAt: tstz('placed_at').notNull(),
    channel: text('channel').notNull(),
    orderWarehouseIds: uuid('order_warehouse_ids').array().notNull(),
    orderCarrierIds: uuid('order_carrier_ids').array().notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    carrierId: uuid('carrier_id').notNull(),
    currency: text('currency').notNull(),
    costMinor: bigint('cost_minor', { mode: 'number' }).notNull(),
    deliveredWithEstimate: integer('delivered_with_estimate').notNull(),
    onTime: integer('on_time').notNull(),
  },
  (t) => [index('kpi_shipment_facts_order_idx').on(t.orderId), index('kpi_shipment_facts_placed_idx').on(t.placedAt)],
);

/** kpi_order_facts summed per local day (kpi_state.time_zone) and dimensions. */
export const kpiDailyOrders = pgTable(
  'kpi_daily_orders',
  {
    day: date('day', { mode: 'string' }).notNull(),
    channel: text('channel').notNull(),
    currency: text('currency').notNull(),
    warehouseIds: uuid('warehouse_ids').array().notNull(),
    carrierIds: uuid('carrier_ids').array().notNull(),
    orders: integer('orders').notNull(),
    units: bigint('units', { mode: 'number' }).notNull(),
    totalMinor: bigint('total_minor', { mode: 'number' }).notNull(),
    atOnce: bigint('at_once', { mode: 'number' }).notNull(),
    atOnceKnown: bigint('at_once_known', { mode: 'number' }).notNull(),
    backordered: integer('backordered').notNull(),
    shippedUnits: bigint('shipped_units', { mode: 'number' }).notNull(),
    returnedUnits: bigint('returned_units', { mode: 'number' }).notNull(),
    shipN: integer('ship_n').notNull(),
    shipSum: doublePrecision('ship_sum').notNull(),
    deliverN: integer('deliver_n').notNull(),
    deliverSum: doublePrecision('deliver_sum').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.channel, t.currency, t.warehouseIds, t.carrierIds] })],
);

/**
 * Histograms of the two durations per local day (all dimensions together): how many fact rows have
 * `floor(hours)` = bin. kind 0: ship_hours, 1: deliver_hours. A report finds in them which bin
 * holds the ranks percentile_cont interpolates between, then reads only that bin's exact values
 * from kpi_order_facts (kpi_order_facts_*_bin_idx).
 */
export const kpiDailyDurations = pgTable(
  'kpi_daily_durations',
  {
    day: date('day', { mode: 'string' }).notNull(),
    kind: smallint('kind').notNull(),
    bin: integer('bin').notNull(),
    n: integer('n').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.kind, t.bin] })],
);

/**
 * Units picked for an order in one warehouse (its fulfillment orders' lines' pickedQuantity there),
 * with the order's dimensions: warehousingCostPerOrder's per-unit term, by warehouse.
 */
export const kpiPickFacts = pgTable(
  'kpi_pick_facts',
  {
    orderId: uuid('order_id').notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    placedAt: tstz('placed_at').notNull(),
    channel: text('channel').notNull(),
    orderWarehouseIds: uuid('order_warehouse_ids').array().notNull(),
    orderCarrierIds: uuid('order_carrier_ids').array().notNull(),
    pickedUnits: integer('picked_units').notNull(),
  },
  (t) => [primaryKey({ columns: [t.orderId, t.warehouseId] }), index('kpi_pick_facts_placed_idx').on(t.placedAt)],
);

/** kpi_pick_facts summed per local day and dimensions; `facts`: how many fact rows (0: the row is removed). */
export const kpiDailyPicks = pgTable(
  'kpi_daily_picks',
  {
    day: date('day', { mode: 'string' }).notNull(),
    channel: text('channel').notNull(),
    orderWarehouseIds: uuid('order_warehouse_ids').array().notNull(),
    orderCarrierIds: uuid('order_carrier_ids').array().notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    facts: integer('facts').notNull(),
    pickedUnits: bigint('picked_units', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.channel, t.orderWarehouseIds, t.orderCarrierIds, t.warehouseId] })],
);

/**
 * Scans per local day, warehouse, actor and kind (pickAccuracy, unitsPickedPerHour): counts, units
 * of accepted pick scans, the day's first and last scan and, for PICK, the sum of the gaps under
 * 15 minutes between the actor's consecutive pick scans of that day. A report chains the days (and
 * the partial days at its ends, read from warehouse_scans) per actor and warehouse to add the gaps
 * across midnight, so picker-hours stay exact (kpi.warehouse.ts).
 */
export const kpiScanDays = pgTable(
  'kpi_scan_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    actor: text('actor').notNull(),
    kind: text('kind').notNull(),
    scans: integer('scans').notNull(),
    matched: integer('matched').notNull(),
    units: bigint('units', { mode: 'number' }).notNull(),
    firstAt: tstz('first_at').notNull(),
    lastAt: tstz('last_at').notNull(),
    gapSeconds: doublePrecision('gap_seconds').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.warehouseId, t.actor, t.kind] })],
);

/** Scans written since kpi_scan_days last caught up: their (warehouse, actor, instant) (append-only; drained by the next kpis read). */
export const kpiDirtyScans = pgTable('kpi_dirty_scans', {
  warehouseId: uuid('warehouse_id').notNull(),
  actor: text('actor').notNull(),
  scannedAt: tstz('scanned_at').notNull(),
});

/** kpi_shipment_facts summed per local day and dimensions. */
export const kpiDailyShipments = pgTable(
  'kpi_daily_shipments',
  {
    day: date('day', { mode: 'string' }).notNull(),
    channel: text('channel').notNull(),
    currency: text('currency').notNull(),
    orderWarehouseIds: uuid('order_warehouse_ids').array().notNull(),
    orderCarrierIds: uuid('order_carrier_ids').array().notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    carrierId: uuid('carrier_id').notNull(),
    shipments: integer('shipments').notNull(),
    costMinor: bigint('cost_minor', { mode: 'number' }).notNull(),
    deliveredWithEstimate: integer('delivered_with_estimate').notNull(),
    onTime: integer('on_time').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.channel, t.currency, t.orderWarehouseIds, t.orderCarrierIds, t.warehouseId, t.carrierId] })],
);

/*
 * The stock part of the read model (kpi.stock.ts): the inventory ledger per local day, so the stock
 * figures (warehousingCostPerOrder's bin-days, stockoutRate, inventoryTurnover, daysOfSupply) read a
 * few rows per warehouse and day instead of walking every movement ever written.
 */

/** Movements written since the stock tables last caught up: their pair, bin and instant (append-only; drained by the next refresh). */
export const kpiDirtyStock = pgTable('kpi_dirty_stock', {
  variantId: uuid('variant_id').notNull(),
  warehouseId: uuid('warehouse_id').notNull(),
  binId: uuid('bin_id'),
  createdAt: tstz('created_at').notNull(),
});

/** A supplier product or supplier currency changed: the stock value rollup is recomputed with the new costs. */
export const kpiDirtyCosts = pgTable('kpi_dirty_costs', { markedAt: tstz('marked_at').notNull().defaultNow() });

/** Per (variant, warehouse) and local day with movements: their net, units shipped (SHIPMENT), the ledger on-hand at the day's end. */
export const kpiStockDays = pgTable(
  'kpi_stock_days',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    variantId: uuid('variant_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    net: bigint('net', { mode: 'number' }).notNull(),
    shipped: bigint('shipped', { mode: 'number' }).notNull(),
    endQuantity: bigint('end_quantity', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.warehouseId, t.variantId, t.day] }), index('kpi_stock_days_day_idx').on(t.warehouseId, t.day)],
);

/** The first instant each (variant, warehouse) had ledger on-hand above 0: stockoutRate's pairs. */
export const kpiStockPairs = pgTable(
  'kpi_stock_pairs',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    variantId: uuid('variant_id').notNull(),
    firstStockedAt: tstz('first_stocked_at').notNull(),
  },
  (t) => [primaryKey({ columns: [t.warehouseId, t.variantId] })],
);

/**
 * The intervals [from, to) during which a (variant, warehouse) stocked before had ledger on-hand
 * at or below 0: one per instant with movements (to: the pair's next instant, null while it lasts).
 */
export const kpiStockoutSpans = pgTable(
  'kpi_stockout_spans',
  {
    warehouseId: uuid('warehouse_id').notNull(),
    variantId: uuid('variant_id').notNull(),
    fromAt: tstz('from_at').notNull(),
    toAt: tstz('to_at'),
  },
  (t) => [primaryKey({ columns: [t.warehouseId, t.variantId, t.fromAt] }), index('kpi_stockout_spans_from_idx').on(t.fromAt)],
);

/** Per bin and local day with movements: the bin's ledger quantity at the day's end and ev, +1 / -1 when it started / stopped holding stock that day. */
export const kpiBinDays = pgTable(
  'kpi_bin_days',
  {
    binId: uuid('bin_id').notNull(),
    day: date('day', { mode: 'string' }).notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    endQuantity: bigint('end_quantity', { mode: 'number' }).notNull(),
    ev: smallint('ev').notNull(),
  },
  (t) => [primaryKey({ columns: [t.binId, t.day] }), index('kpi_bin_days_day_idx').on(t.warehouseId, t.day)],
);

/** kpi_stock_days and kpi_bin_days summed per local day and warehouse: net units, units shipped, bins starting minus bins stopping to hold stock. */
export const kpiStockWarehouseDays = pgTable(
  'kpi_stock_warehouse_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    net: bigint('net', { mode: 'number' }).notNull(),
    shipped: bigint('shipped', { mode: 'number' }).notNull(),
    binEv: integer('bin_ev').notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.warehouseId] })],
);

/** kpi_stock_days valued at each variant's preferred supplier cost, per local day, warehouse and the supplier's currency (minor units). */
export const kpiStockValueDays = pgTable(
  'kpi_stock_value_days',
  {
    day: date('day', { mode: 'string' }).notNull(),
    warehouseId: uuid('warehouse_id').notNull(),
    currency: text('currency').notNull(),
    netValue: bigint('net_value', { mode: 'number' }).notNull(),
    cogs: bigint('cogs', { mode: 'number' }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.warehouseId, t.currency] })],
);
