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
