/**
 * Loyalty: the program (one row), its tiers, an account per customer (balance, tier, rolling spend)
 * and the append-only ledger of point transactions. balance = sum of the customer's transactions'
 * points, kept in the account row by the same transaction that appends (loyalty.ledger.ts).
 */
import { sql } from 'drizzle-orm';
import { check, doublePrecision, index, integer, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { customers } from '../customers/customer.table.js';
import { orders } from '../orders/order.table.js';
import { returnRequests } from '../returns/returns.table.js';

/** The store's program: one row, id 'default'. */
export const loyaltyProgram = pgTable(
  'loyalty_program',
  {
    id: text('id').primaryKey().default('default'),
    /** Points per whole currency unit paid, before the tier multiplier. */
    pointsPerCurrencyUnit: doublePrecision('points_per_currency_unit').notNull(),
    /** What one point is worth when redeemed (minor units of `currency`). */
    pointValueMinor: integer('point_value_minor').notNull(),
    currency: text('currency').notNull(),
    expiryDays: integer('expiry_days').notNull(),
    maxRedeemShare: doublePrecision('max_redeem_share').notNull(),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check(
      'loyalty_program_values',
      sql`${t.pointsPerCurrencyUnit} >= 0 and ${t.pointValueMinor} > 0 and ${t.expiryDays} > 0 and ${t.maxRedeemShare} >= 0 and ${t.maxRedeemShare} <= 1`,
    ),
  ],
);

/** Tiers by rolling 365-day paid spend, lowest first (the first has minSpend 0). */
export const loyaltyTiers = pgTable(
  'loyalty_tiers',
  {
    code: text('code').primaryKey(),
    name: text('name').notNull(),
    minSpendMinor: integer('min_spend_minor').notNull(),
    earnMultiplier: doublePrecision('earn_multiplier').notNull(),
    position: integer('position').notNull(),
  },
  (t) => [check('loyalty_tiers_values', sql`${t.minSpendMinor} >= 0 and ${t.earnMultiplier} > 0`)],
);

export const loyaltyAccounts = pgTable(
  'loyalty_accounts',
  {
    customerId: uuid('customer_id')
      .primaryKey()
      .references(() => customers.id),
    /** Sum of the customer's transactions; never negative (the check backs the conditional debits). */
    balance: integer('balance').notNull().default(0),
    /** Points ever earned (EARN and positive ADJUST), before any spending. */
    lifetimePoints: integer('lifetime_points').notNull().default(0),
    tierCode: text('tier_code'),
    /** Paid over the last 365 days when the tier was last computed (program currency, minor units). */
    rollingSpendMinor: integer('rolling_spend_minor').notNull().default(0),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [check('loyalty_accounts_balance_nonneg', sql`${t.balance} >= 0`)],
);

export const LOYALTY_TRANSACTION_KINDS = ['EARN', 'REDEEM', 'EXPIRE', 'REVERSAL', 'ADJUST'] as const;
export type LoyaltyTransactionKindValue = (typeof LOYALTY_TRANSACTION_KINDS)[number];

/**
 * The ledger, append-only. Credits (EARN, positive ADJUST, the REVERSAL that gives back a cancelled
 * order's redeemed points) are lots with `remaining` points and an expiry; debits (REDEEM, EXPIRE,
 * REVERSAL of earned points, negative ADJUST) consume the oldest-expiring lots first, so an expired
 * point is never spent and a spent point never expires. Partial unique indexes make each business
 * fact happen once: one EARN and one REDEEM per order, one REVERSAL per refunded return, one
 * give-back per cancelled order, one ADJUST per idempotency key.
 */
export const loyaltyTransactions = pgTable(
  'loyalty_transactions',
  {
    id: idColumn(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id),
    kind: text('kind', { enum: LOYALTY_TRANSACTION_KINDS }).notNull(),
    /** Signed: positive for credits, negative for debits. */
    points: integer('points').notNull(),
    orderId: uuid('order_id').references(() => orders.id),
    returnRequestId: uuid('return_request_id').references(() => returnRequests.id),
    reason: text('reason'),
    /** Credits: when their remaining points expire. */
    expiresAt: tstz('expires_at'),
    /** Credits: points of this lot not yet spent, expired or reversed. Debits: 0. */
    remaining: integer('remaining').notNull().default(0),
    /** REVERSAL: points that could not be taken back because the balance was short. */
    shortfall: integer('shortfall').notNull().default(0),
    idempotencyKey: text('idempotency_key'),
    createdAt: createdAt(),
  },
  (t) => [
    index('loyalty_transactions_customer_idx').on(t.customerId, t.id),
    index('loyalty_transactions_lots_idx').on(t.customerId, t.expiresAt).where(sql`${t.remaining} > 0`),
    uniqueIndex('loyalty_transactions_earn_uq').on(t.orderId).where(sql`${t.kind} = 'EARN'`),
    uniqueIndex('loyalty_transactions_redeem_uq').on(t.orderId).where(sql`${t.kind} = 'REDEEM'`),
    // Per return: at most one REVERSAL that takes earned points back and one that gives redeemed points back.
    uniqueIndex('loyalty_transactions_return_sign_uq').on(t.returnRequestId, sql`(${t.points} > 0)`).where(sql`${t.kind} = 'REVERSAL' and ${t.returnRequestId} is not null`),
    uniqueIndex('loyalty_transactions_giveback_uq').on(t.orderId).where(sql`${t.kind} = 'REVERSAL' and ${t.returnRequestId} is null`),
    uniqueIndex('loyalty_transactions_adjust_uq').on(t.customerId, t.idempotencyKey).where(sql`${t.kind} = 'ADJUST'`),
    check('loyalty_transactions_remaining', sql`${t.remaining} >= 0 and ${t.shortfall} >= 0`),
  ],
);
