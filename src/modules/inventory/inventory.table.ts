import { sql } from 'drizzle-orm';
import { check, index, integer, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { productVariants } from '../catalog/catalog.table.js';
import { binLocations, warehouses } from '../warehouse/warehouse.table.js';

export const MOVEMENT_REASONS = [
  'RECEIPT',
  'PUTAWAY',
  'MOVE',
  'ADJUSTMENT',
  'CYCLE_COUNT',
  'PICK',
  'SHIPMENT',
  'RETURN_RESTOCK',
  'WRITE_OFF',
  'TRANSFER',
  'CHANNEL_SYNC',
] as const;
export type MovementReasonValue = (typeof MOVEMENT_REASONS)[number];

/**
 * Stock per variant and warehouse. `available = on_hand - allocated - unsellable` is never
 * negative: the check constraints back the conditional updates of the service. `unsellable` is the
 * part of on-hand in bins of non-sellable zones (RETURNS: returned units awaiting inspection or
 * kept for repair or the vendor); the ledger keeps it equal to those bins' stock.
 */
export const inventoryLevels = pgTable(
  'inventory_levels',
  {
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    onHand: integer('on_hand').notNull().default(0),
    allocated: integer('allocated').notNull().default(0),
    incoming: integer('incoming').notNull().default(0),
    unsellable: integer('unsellable').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.variantId, t.warehouseId] }),
    index('inventory_levels_warehouse_idx').on(t.warehouseId),
    check('inventory_levels_on_hand_nonneg', sql`${t.onHand} >= 0`),
    check('inventory_levels_allocated_nonneg', sql`${t.allocated} >= 0`),
    check('inventory_levels_no_oversell', sql`${t.allocated} + ${t.unsellable} <= ${t.onHand}`),
    check('inventory_levels_unsellable_nonneg', sql`${t.unsellable} >= 0`),
    check('inventory_levels_incoming_nonneg', sql`${t.incoming} >= 0`),
  ],
);

/** Units of a variant in a bin. */
export const binStock = pgTable(
  'bin_stock',
  {
    binId: uuid('bin_id')
      .notNull()
      .references(() => binLocations.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    quantity: integer('quantity').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.binId, t.variantId] }),
    index('bin_stock_variant_warehouse_idx').on(t.variantId, t.warehouseId),
    check('bin_stock_quantity_nonneg', sql`${t.quantity} >= 0`),
  ],
);

/** The append-only ledger: every change of on-hand, in the same transaction as the change. */
export const inventoryMovements = pgTable(
  'inventory_movements',
  {
    id: idColumn(),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    binId: uuid('bin_id').references(() => binLocations.id),
    quantityDelta: integer('quantity_delta').notNull(),
    reason: text('reason', { enum: MOVEMENT_REASONS }).notNull(),
    reference: text('reference'),
    actor: text('actor'),
    createdAt: createdAt(),
  },
  (t) => [
    index('inventory_movements_variant_warehouse_idx').on(t.variantId, t.warehouseId, t.createdAt),
    index('inventory_movements_warehouse_reason_idx').on(t.warehouseId, t.reason, t.createdAt),
    // The KPI stock read model: a bin's and a day's movements (kpi.stock.ts).
    index('inventory_movements_bin_idx').on(t.binId, t.createdAt),
    index('inventory_movements_created_idx').on(t.createdAt),
  ],
);

/** Stock held outside the WMS (marketplace, point of sale), as last reported by a partner. */
export const channelStock = pgTable(
  'channel_stock',
  {
    channel: text('channel').notNull(),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.channel, t.variantId] }), index('channel_stock_variant_idx').on(t.variantId), check('channel_stock_nonneg', sql`${t.quantity} >= 0`)],
);

/**
 * Expected arrivals (a purchase order or an advance shipping notice, by reference): they make up
 * `incoming` until received. A receipt with the same reference consumes them.
 */
export const inboundLines = pgTable(
  'inbound_lines',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    reference: text('reference').notNull(),
    expected: integer('expected').notNull(),
    received: integer('received').notNull().default(0),
    expectedAt: tstz('expected_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('inbound_lines_ref_idx').on(t.warehouseId, t.reference),
    check('inbound_lines_expected_pos', sql`${t.expected} > 0`),
    check('inbound_lines_received_range', sql`${t.received} >= 0 and ${t.received} <= ${t.expected}`),
  ],
);

export type LevelRow = typeof inventoryLevels.$inferSelect;
export type MovementRow = typeof inventoryMovements.$inferSelect;
export type BinStockRow = typeof binStock.$inferSelect;
export type ChannelStockRow = typeof channelStock.$inferSelect;
