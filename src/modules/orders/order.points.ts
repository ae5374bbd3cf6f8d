/**
 * The extension points through which loyalty takes part in orders, without orders knowing loyalty
 * (loyalty depends on orders, never the other way round; the composition root wires them):
 * - ORDER_POINTS: orderCreate's `redeemPoints` — priced before the order's transaction (the cap,
 *   the currency), taken inside it after the order row is written (one conditional statement:
 *   INSUFFICIENT_POINTS rolls the whole order back, stock included);
 * - ORDER_STATUS_HOOKS: run in the transaction of every order status change (DELIVERED earns,
 *   CANCELLED gives redeemed points back), so the effect commits with the change or not at all.
 */
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { ExtensionKey } from '../../shared/extensions.js';
import type { Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { OrderRow } from './order.service.js';
import type { OrderStatusValue } from './order.table.js';

export interface OrderPoints {
  /**
   * The discount for redeeming `points` on an order of `subtotal` (before its transaction; reads
   * only). Throws BusinessError at `field`: INVALID (not a positive whole number),
   * REDEEM_LIMIT_EXCEEDED (over the program's share of the subtotal), INVALID_CURRENCY (not the
   * program's currency), FORBIDDEN-like refusals for callers who may not spend the customer's points.
   */
  price(ctx: ServiceContext, input: { points: number; subtotal: Money }, field: string[]): Promise<{ discount: Money }>;
  /** Takes the points from the order's customer inside the order's transaction. Throws INSUFFICIENT_POINTS at `field`. */
  redeem(ctx: ServiceContext, tx: Executor, events: EventWriter, order: OrderRow, points: number, field: string[]): Promise<void>;
}

export const ORDER_POINTS = new ExtensionKey<OrderPoints>('orders.points');

/** Runs inside the transaction that moved `order` (as it is now) from `from` to its status. */
export type OrderStatusHook = (ctx: ServiceContext, tx: Executor, events: EventWriter, order: OrderRow, from: OrderStatusValue) => Promise<void>;

export const ORDER_STATUS_HOOKS = new ExtensionKey<OrderStatusHook[]>('orders.statusHooks');
