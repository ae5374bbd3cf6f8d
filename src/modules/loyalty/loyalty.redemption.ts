/**
 * Redemption at checkout and its give-back on cancel: loyalty's implementation of orders'
 * ORDER_POINTS extension point and an ORDER_STATUS_HOOKS hook (see order.points.ts).
 *
 * - `priceRedemption` (before the order's transaction, reads only the cached program): the points
 *   are a whole number >= 0 (0 = no redemption), the order is in the program's currency, the
 *   discount (points × pointValue) is at most floor(maxRedeemShare × subtotal), and the caller may
 *   spend the customer's points.
 * - `redeemOrderPoints` (inside the order's transaction, after the order row): one conditional
 *   debit (loyalty.ledger.ts); INSUFFICIENT_POINTS rolls the whole order back, stock included. The
 *   partial unique index loyalty_transactions_redeem_uq makes it once per order.
 * - `giveBackOnCancel`: when an order that redeemed points becomes CANCELLED, a REVERSAL credit of
 *   those points in the cancel's transaction (once: loyalty_transactions_giveback_uq). Orders are
 *   cancelled only whole and only before any part shipped (order.state.ts), so it is all of them.
 *
 * Who may spend a customer's points (decided here, the contract is silent):
 * - a CUSTOMER token: its own points only (orderCreate makes the token's customer the buyer and
 *   refuses another e-mail with CUSTOMER_MISMATCH; the check in the transaction stays as a second guard);
 * - a STAFF or PARTNER key with write_customers or write_loyalty: a storefront server spending its
 *   shopper's points. write_orders alone is not enough: it would let any order-writing key (a
 *   marketplace feed, a 3PL) spend anyone's points by knowing an e-mail;
 * - anyone else: FORBIDDEN at the field, before anything is written.
 */
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { BusinessError } from '../../shared/errors.js';
import type { Extensions } from '../../shared/extensions.js';
import { money, multiply, type Money } from '../../shared/money.js';
import { hasScope, type Principal } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { ORDER_POINTS, ORDER_STATUS_HOOKS, type OrderPoints, type OrderStatusHook } from '../orders/order.points.js';
import type { OrderRow } from '../orders/order.service.js';
import { lockAccount } from './loyalty.accounts.js';
import { expireDueLots } from './loyalty.earning.js';
import { credit, debit } from './loyalty.ledger.js';
import { getProgram, lotExpiry } from './loyalty.program.js';


/** Whether this caller may spend some customer's points at all (a CUSTOMER: only its own, checked at redeem). */
export function maySpendPoints(p: Principal): boolean {
  if (p.kind === 'CUSTOMER') return !!p.customerId;
  if (p.kind !== 'STAFF' && p.kind !== 'PARTNER') return false;
  return hasScope(p, 'write_customers') || hasScope(p, 'write_loyalty');
}

/**
 * The most discount points may give on a subtotal: floor(share × subtotal), exactly (the share
 * taken to millionths, integer arithmetic: 0.29 × 100.00 is 29.00, not 28.99).
 */
export function redeemCap(subtotal: Money, maxRedeemShare: number): Money {
  const millionths = BigInt(Math.round(Math.min(Math.max(maxRedeemShare, 0), 1) * 1_000_000));
  return money(Number((BigInt(subtotal.amountMinor) * millionths) / 1_000_000n), subtotal.currency);
}

/** ORDER_POINTS.price: the discount for redeeming `points` on an order of `subtotal`. */
export async function priceRedemption(ctx: ServiceContext, input: { points: number; subtotal: Money }, field: string[]): Promise<{ discount: Money }> {
  const { points, subtotal } = input;
  if (!Number.isSafeInteger(points) || points < 0) throw BusinessError.of('INVALID', 'Points to redeem must be a whole number, 0 or more.', field);
  if (points === 0) return { discount: money(0, subtotal.currency) };
  if (!maySpendPoints(ctx.principal)) {
    throw BusinessError.of('FORBIDDEN', "Spending a customer's points needs a customer's own token or a key with write_customers (or write_loyalty).", field);
  }
  const program = await getProgram(ctx);
  if (subtotal.currency !== program.currency) {
    throw BusinessError.of('INVALID_CURRENCY', `Points are redeemed only on orders in ${program.currency}, not ${subtotal.currency}.`, field);
  }
  const cap = redeemCap(subtotal, program.maxRedeemShare);
  // Compared in points first: points × pointValue of an absurd request could pass the safe integers.
  const most = Math.floor(cap.amountMinor / program.pointValue.amountMinor);
  if (points > most) {
    const percent = Math.round(program.maxRedeemShare * 10_000) / 100;
    throw BusinessError.of('REDEEM_LIMIT_EXCEEDED', `At most ${most} points can be redeemed on this order (${percent}% of its subtotal).`, field);
  }
  return { discount: multiply(program.pointValue, points) };
}

/** ORDER_POINTS.redeem: takes the points from the order's customer in the order's transaction. */
export async function redeemOrderPoints(ctx: ServiceContext, tx: Executor, events: EventWriter, order: OrderRow, points: number, field: string[]): Promise<void> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER' && p.customerId !== order.customerId) {
    // Thrown inside the order's transaction: the order and its stock roll back with it.
    throw BusinessError.of('FORBIDDEN', 'A customer may redeem only its own points: order for your own e-mail.', field);
  }
  // Points past their expiry still count in the balance until the expiry pass writes them off:
  // write this customer's off first (under the account's row lock), so an expired point is never spent.
  await lockAccount(tx, order.customerId);
  await expireDueLots(ctx, tx, events, order.customerId);
  await debit(ctx, tx, events, { customerId: order.customerId, kind: 'REDEEM', points, orderId: order.id, field });
}

/** ORDER_STATUS_HOOKS: a cancelled order's redeemed points come back, as a new lot (expiring expiryDays from now). */
export const giveBackOnCancel: OrderStatusHook = async (ctx, tx, events, order) => {
  // No query on any other change: this runs after every order status change.
  if (order.status !== 'CANCELLED' || order.pointsRedeemed <= 0) return;
  const program = await getProgram(ctx, tx);
  await credit(ctx, tx, events, {
    customerId: order.customerId,
    kind: 'REVERSAL',
    points: order.pointsRedeemed,
    orderId: order.id,
    reason: 'Order cancelled: redeemed points returned',
    lifetime: false,
    expiresAt: lotExpiry(program, ctx.clock.now()),
  });
};

export const orderPoints: OrderPoints = { price: priceRedemption, redeem: redeemOrderPoints };

/** Registers redemption and the cancel give-back (called by provideLoyaltyExtensions). */
export function provideRedemption(extensions: Extensions): void {
  extensions.provide(ORDER_POINTS, orderPoints);
  extensions.add(ORDER_STATUS_HOOKS, giveBackOnCancel);
}
