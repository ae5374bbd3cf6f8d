/**
 * Returns (RMA): the request, its lines, what inspection decided per line, the claims that keep
 * returned quantities within what shipped, the store's return policy, and the timeline.
 */
import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgSequence, pgTable, primaryKey, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { historyTable } from '../../shared/lifecycle.js';
import { productVariants } from '../catalog/catalog.table.js';
import { customers } from '../customers/customer.table.js';
import { orderLines, orders } from '../orders/order.table.js';
import { shipments } from '../shipments/shipment.table.js';
import { warehouses } from '../warehouse/warehouse.table.js';

export const RETURN_STATUSES = ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED'] as const;
export type ReturnStatusValue = (typeof RETURN_STATUSES)[number];

export const RETURN_REASONS = [
  'DAMAGED',
  'DEFECTIVE',
  'WRONG_ITEM',
  'NOT_AS_DESCRIBED',
  'LATE_DELIVERY',
  'SIZE_TOO_SMALL',
  'SIZE_TOO_LARGE',
  'CHANGED_MIND',
  'OTHER',
] as const;
export type ReturnReasonValue = (typeof RETURN_REASONS)[number];

/** Reasons that are the seller's fault: no restocking fee, auto-approved, shipping refunded when the whole order comes back. */
export const SELLER_FAULT_REASONS: readonly ReturnReasonValue[] = Object.freeze(['DAMAGED', 'DEFECTIVE', 'WRONG_ITEM', 'NOT_AS_DESCRIBED', 'LATE_DELIVERY']);
export const isSellerFault = (r: ReturnReasonValue): boolean => SELLER_FAULT_REASONS.includes(r);

export const RETURN_DISPOSITIONS = ['RESTOCK', 'REFURBISH', 'WRITE_OFF', 'RETURN_TO_VENDOR'] as const;
export type ReturnDispositionValue = (typeof RETURN_DISPOSITIONS)[number];

/** Human return numbers RMA-100001, RMA-100002, ... */
export const returnNumberSeq = pgSequence('return_number_seq', { startWith: 100001 });

export const returnRequests = pgTable(
  'return_requests',
  {
    id: idColumn(),
    number: text('number').notNull().unique(),
    orderId: uuid('order_id')
      .notNull()
      .references(() => orders.id),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    /** Where the parcel goes back to: the warehouse that shipped the lines (or the nearest with a RETURNS zone). */
    warehouseId: uuid('warehouse_id').references(() => warehouses.id),
    status: text('status', { enum: RETURN_STATUSES }).notNull(),
    /** The lifecycle kernel's per-return sequence: the last row of return_events. */
    lastSequence: integer('last_sequence').notNull().default(1),
    rejectionReason: text('rejection_reason'),
    /** The parcel the customer sends back (created on approval). */
    returnShipmentId: uuid('return_shipment_id').references(() => shipments.id),
    /** Who asked: 'customer' or the API key's name. */
    requestedBy: text('requested_by'),
    currency: text('currency').notNull(),
    /** Filled by returnRefund (integer minor units of `currency`). */
    refundAmountMinor: integer('refund_amount_minor'),
    refundShippingMinor: integer('refund_shipping_minor'),
    refundRestockingFeeMinor: integer('refund_restocking_fee_minor'),
    /** The part of the refund settled by the order's points discount (given back as points, not paid). */
    refundDiscountMinor: integer('refund_discount_minor'),
    refundExternalReference: text('refund_external_reference'),
    refundedAt: tstz('refunded_at'),
    receivedAt: tstz('received_at'),
    inspectedAt: tstz('inspected_at'),
    createdAt: createdAt(),
  },
  (t) => [
    index('return_requests_order_idx').on(t.orderId),
    index('return_requests_customer_idx').on(t.customerId),
    index('return_requests_status_idx').on(t.status),
    index('return_requests_created_idx').on(t.createdAt),
  ],
);

export const returnLines = pgTable(
  'return_lines',
  {
    id: idColumn(),
    returnRequestId: uuid('return_request_id')
      .notNull()
      .references(() => returnRequests.id),
    orderLineId: uuid('order_line_id')
      .notNull()
      .references(() => orderLines.id),
    variantId: uuid('variant_id')
      .notNull()
      .references(() => productVariants.id),
    quantity: integer('quantity').notNull(),
    reason: text('reason', { enum: RETURN_REASONS }).notNull(),
    comment: text('comment'),
    receivedQuantity: integer('received_quantity').notNull().default(0),
    /** Units that never arrived, recorded when staff closed a partial receipt. */
    missingQuantity: integer('missing_quantity').notNull().default(0),
    position: integer('position').notNull(),
  },
  (t) => [
    index('return_lines_return_idx').on(t.returnRequestId),
    index('return_lines_order_line_idx').on(t.orderLineId),
    check(
      'return_lines_qty',
      sql`${t.quantity} > 0 and ${t.receivedQuantity} >= 0 and ${t.missingQuantity} >= 0 and ${t.receivedQuantity} + ${t.missingQuantity} <= ${t.quantity}`,
    ),
  ],
);

/** What inspection decided for the received units of a line, per disposition. */
export const returnLineDispositions = pgTable(
  'return_line_dispositions',
  {
    returnLineId: uuid('return_line_id')
      .notNull()
      .references(() => returnLines.id),
    disposition: text('disposition', { enum: RETURN_DISPOSITIONS }).notNull(),
    quantity: integer('quantity').notNull(),
  },
  (t) => [primaryKey({ columns: [t.returnLineId, t.disposition] }), check('return_line_dispositions_qty', sql`${t.quantity} > 0`)],
);

/**
 * Units of an order line in returns that are not REJECTED or CANCELLED: raised by a conditional
 * upsert (`claimed + n <= shipped`) when a return is requested, lowered when one is rejected or
 * cancelled. The single-statement check is what makes the contract's quantity invariant hold
 * under concurrent requests (no read-modify-write in application code).
 */
export const returnClaims = pgTable(
  'return_claims',
  {
    orderLineId: uuid('order_line_id')
      .primaryKey()
      .references(() => orderLines.id),
    claimed: integer('claimed').notNull(),
  },
  (t) => [check('return_claims_claimed', sql`${t.claimed} >= 0`)],
);

/** The return timeline: a gapless sequence per return, written with every status change. */
export const returnEvents = historyTable('return_events', 'return_request_id', () => returnRequests.id, RETURN_STATUSES);

/** The store's return policy: one row, id 'default' (absent = the defaults below). */
export const returnPolicies = pgTable(
  'return_policies',
  {
    id: text('id').primaryKey(),
    windowDays: integer('window_days').notNull().default(14),
    restockingFeePercent: doublePrecision('restocking_fee_percent').notNull().default(0),
    nonReturnableCategories: text('non_returnable_categories').array().notNull().default(sql`'{}'::text[]`),
    autoApproveMaxMinor: integer('auto_approve_max_minor'),
    autoApproveCurrency: text('auto_approve_currency'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('return_policies_window', sql`${t.windowDays} between 0 and 365`),
    check('return_policies_fee', sql`${t.restockingFeePercent} between 0 and 100`),
    check('return_policies_auto', sql`(${t.autoApproveMaxMinor} is null) = (${t.autoApproveCurrency} is null)`),
  ],
);
