import { sql } from 'drizzle-orm';
import { boolean, check, index, integer, jsonb, pgSequence, pgTable, primaryKey, text, unique, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { DELIVERY_TYPES, type DeliveryTypeValue } from '../../shared/delivery-type.js';
import { historyTable } from '../../shared/lifecycle.js';
import { productVariants } from '../catalog/catalog.table.js';
import { customers } from '../customers/customer.table.js';
import { warehouses, type AddressData } from '../warehouse/warehouse.table.js';

export const ORDER_STATUSES = ['ALLOCATED', 'BACKORDERED', 'PICKING', 'PACKED', 'PARTIALLY_SHIPPED', 'SHIPPED', 'DELIVERED', 'CANCELLED'] as const;
export type OrderStatusValue = (typeof ORDER_STATUSES)[number];
export const FULFILLMENT_STATUSES = ['OPEN', 'PICKING', 'PICKED', 'PACKED', 'SHIPPED', 'CANCELLED'] as const;
export type FulfillmentStatusValue = (typeof FULFILLMENT_STATUSES)[number];
export const PICK_LIST_STATUSES = ['OPEN', 'COMPLETED'] as const;
export type PickListStatusValue = (typeof PICK_LIST_STATUSES)[number];
export { DELIVERY_TYPES, type DeliveryTypeValue };

/** Human order numbers WB-100001, WB-100002, ... */
export const orderNumberSeq = pgSequence('order_number_seq', { startWith: 100001 });

export const orders = pgTable(
  'orders',
  {
    id: idColumn(),
    number: text('number').notNull().unique(),
    externalId: text('external_id'),
    channel: text('channel').notNull(),
    status: text('status', { enum: ORDER_STATUSES }).notNull(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    shippingAddress: jsonb('shipping_address').$type<AddressData>().notNull(),
    deliveryType: text('delivery_type', { enum: DELIVERY_TYPES }).notNull(),
    /** From the redeemed delivery quote: the carrier service, the pickup point and the promised window. */
    carrierServiceCode: text('carrier_service_code'),
    pickupPointId: uuid('pickup_point_id'),
    estimatedDeliveryFrom: tstz('estimated_delivery_from'),
    estimatedDeliveryTo: tstz('estimated_delivery_to'),
    currency: text('currency').notNull(),
    subtotalMinor: integer('subtotal_minor').notNull(),
    shippingMinor: integer('shipping_minor').notNull().default(0),
    totalMinor: integer('total_minor').notNull(),
    /** Loyalty points redeemed at creation, and the discount they gave (total = subtotal + shipping - discount). */
    pointsRedeemed: integer('points_redeemed').notNull().default(0),
    discountMinor: integer('discount_minor').notNull().default(0),
    allowBackorder: boolean('allow_backorder').notNull().default(false),
    /**
     * Warehouses (by code) this order may ever be allocated from: the restriction of the PARTNER key
     * that created it, so backordered lines are filled only there too; null = any warehouse.
     */
    allocationWarehouseCodes: text('allocation_warehouse_codes').array(),
    /** Who may reuse the idempotency key: the API key or customer that sent it. */
    idempotencyScope: text('idempotency_scope'),
    idempotencyKey: text('idempotency_key'),
    requestHash: text('request_hash'),
    /** Last OrderEvent sequence; bumped by the same UPDATE that changes the status. */
    lastSequence: integer('last_sequence').notNull().default(0),
    createdAt: createdAt(),
    shippedAt: tstz('shipped_at'),
    deliveredAt: tstz('delivered_at'),
    cancelledAt: tstz('cancelled_at'),
  },
  (t) => [
    unique('orders_idempotency_uq').on(t.idempotencyScope, t.idempotencyKey),
    index('orders_customer_idx').on(t.customerId),
    index('orders_status_idx').on(t.status),
    // kpis reads the orders placed in a period (a range scan, not the whole table).
    index('orders_created_idx').on(t.createdAt),
  ],
);

export const orderLines = pgTable(
  'order_lines',
  {
    id: idColumn(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    sku: text('sku').notNull(),
    title: text('title').notNull(),
    quantity: integer('quantity').notNull(),
    unitPriceMinor: integer('unit_price_minor').notNull(),
    allocatedQuantity: integer('allocated_quantity').notNull().default(0),
    /** Units allocated when the order was placed (the fill rate's numerator; null on lines older than the column). */
    allocatedAtCreation: integer('allocated_at_creation'),
    shippedQuantity: integer('shipped_quantity').notNull().default(0),
    position: integer('position').notNull(),
  },
  (t) => [
    index('order_lines_order_idx').on(t.orderId),
    check('order_lines_qty', sql`${t.quantity} > 0 and ${t.allocatedQuantity} >= 0 and ${t.allocatedQuantity} <= ${t.quantity}`),
  ],
);

/** The part of an order one warehouse ships. */
export const fulfillmentOrders = pgTable(
  'fulfillment_orders',
  {
    id: idColumn(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    status: text('status', { enum: FULFILLMENT_STATUSES }).notNull(),
    /** The parcel as packed (set by fulfillmentOrderPack). */
    packedWeightGrams: integer('packed_weight_grams'),
    packedLengthMm: integer('packed_length_mm'),
    packedWidthMm: integer('packed_width_mm'),
    packedHeightMm: integer('packed_height_mm'),
    packedAt: tstz('packed_at'),
    /** Last FulfillmentOrderEvent sequence; bumped by the same UPDATE that changes the status. */
    lastSequence: integer('last_sequence').notNull().default(1),
    createdAt: createdAt(),
  },
  (t) => [index('fulfillment_orders_order_idx').on(t.orderId), index('fulfillment_orders_wh_status_idx').on(t.warehouseId, t.status)],
);

export const fulfillmentLines = pgTable(
  'fulfillment_lines',
  {
    id: idColumn(),
    fulfillmentOrderId: uuid('fulfillment_order_id')
      .notNull()
      .references(() => fulfillmentOrders.id),
    orderLineId: uuid('order_line_id')
      .notNull()
      .references(() => orderLines.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    pickedQuantity: integer('picked_quantity').notNull().default(0),
  },
  (t) => [
    index('fulfillment_lines_fo_idx').on(t.fulfillmentOrderId),
    // returnAnalytics follows an order line through all its parcels (shippedLinesQuery by order line).
    index('fulfillment_lines_order_line_idx').on(t.orderLineId),
  ],
);

/** The order timeline: a gapless sequence per order, written with every status change. */
export const orderEvents = historyTable('order_events', 'order_id', () => orders.id, ORDER_STATUSES);

/** The fulfillment order timeline, likewise. */
export const fulfillmentOrderEvents = historyTable('fulfillment_order_events', 'fulfillment_order_id', () => fulfillmentOrders.id, FULFILLMENT_STATUSES);

/** A batch of open fulfillment orders of one warehouse, picked in one walk. */
export const pickLists = pgTable(
  'pick_lists',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    /** OPEN while lines are left to pick, COMPLETED with the last one (then completedAt is set too). */
    status: text('status', { enum: PICK_LIST_STATUSES }).notNull().default('OPEN'),
    /** Last pick list history sequence; bumped by the same UPDATE that changes the status. */
    lastSequence: integer('last_sequence').notNull().default(1),
    completedAt: tstz('completed_at'),
    createdBy: text('created_by'),
    createdAt: createdAt(),
  },
  (t) => [
    index('pick_lists_warehouse_idx').on(t.warehouseId),
    check('pick_lists_completed_status', sql`(${t.status} = 'COMPLETED') = (${t.completedAt} is not null)`),
  ],
);

/** The pick list timeline. */
export const pickListEvents = historyTable('pick_list_events', 'pick_list_id', () => pickLists.id, PICK_LIST_STATUSES);

export const pickListOrders = pgTable(
  'pick_list_orders',
  {
    pickListId: uuid('pick_list_id')
      .notNull()
      .references(() => pickLists.id),
    fulfillmentOrderId: uuid('fulfillment_order_id')
      .notNull()
      .references(() => fulfillmentOrders.id),
  },
  (t) => [primaryKey({ columns: [t.pickListId, t.fulfillmentOrderId] })],
);

/** What to take from which bin, merged per bin and variant, in walking order. */
export const pickListLines = pgTable(
  'pick_list_lines',
  {
    id: idColumn(),
    pickListId: uuid('pick_list_id')
      .notNull()
      .references(() => pickLists.id),
    binId: uuid('bin_id').notNull(),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    pickedQuantity: integer('picked_quantity').notNull().default(0),
    pickSequence: integer('pick_sequence').notNull(),
  },
  (t) => [index('pick_list_lines_list_idx').on(t.pickListId), check('pick_list_lines_picked', sql`${t.pickedQuantity} >= 0 and ${t.pickedQuantity} <= ${t.quantity}`)],
);

export const SCAN_KINDS = ['PICK', 'PACK'] as const;
export type ScanKindValue = (typeof SCAN_KINDS)[number];

/**
 * The scan log of picking and packing (what pickAccuracy and unitsPickedPerHour are computed
 * from): one row per pick scan (pickListScan: accepted ones in the scan's transaction, refused
 * ones in a small insert of their own after the refusal, which changes nothing else) and one per
 * barcode of a pack verification (fulfillmentOrderPack). Append-only; no personal data (the actor
 * is the key's name, as on inventory movements).
 */
export const warehouseScans = pgTable(
  'warehouse_scans',
  {
    id: idColumn(),
    warehouseId: uuid('warehouse_id')
      .notNull()
      .references(() => warehouses.id),
    kind: text('kind', { enum: SCAN_KINDS }).notNull(),
    actor: text('actor').notNull(),
    /** PICK: the pick list scanned on. */
    pickListId: uuid('pick_list_id').references(() => pickLists.id),
    /** PACK: the fulfillment order packed. */
    fulfillmentOrderId: uuid('fulfillment_order_id').references(() => fulfillmentOrders.id),
    /** The variant the item barcode names (null when no variant has it). */
    variantId: uuid('variant_id').references(() => productVariants.id),
    /** PICK: the bin label as scanned. */
    binBarcode: text('bin_barcode'),
    itemBarcode: text('item_barcode').notNull(),
    quantity: integer('quantity').notNull(),
    matched: boolean('matched').notNull(),
    /** Why the scan was refused (WRONG_BIN_SCANNED, WRONG_ITEM_SCANNED, INVALID_BARCODE, OVER_PICK, PACK_MISMATCH); null when matched. */
    errorCode: text('error_code'),
    scannedAt: tstz('scanned_at').notNull().defaultNow(),
  },
  (t) => [
    index('warehouse_scans_wh_time_idx').on(t.warehouseId, t.scannedAt),
    index('warehouse_scans_time_idx').on(t.scannedAt),
    // An actor's scans of a day (the KPI read model's scan rollup, kpi_scan_days).
    index('warehouse_scans_actor_idx').on(t.warehouseId, t.actor, t.scannedAt),
    index('warehouse_scans_pick_list_idx').on(t.pickListId),
    index('warehouse_scans_fo_idx').on(t.fulfillmentOrderId),
    check('warehouse_scans_subject', sql`(${t.kind} = 'PICK') = (${t.pickListId} is not null) and (${t.kind} = 'PACK') = (${t.fulfillmentOrderId} is not null)`),
    check('warehouse_scans_matched', sql`${t.matched} = (${t.errorCode} is null) and ${t.quantity} > 0`),
  ],
);
