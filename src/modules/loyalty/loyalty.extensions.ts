/**
 * What loyalty plugs into orders and returns (their extension points; see order.points.ts and
 * returns.hooks.ts), registered by the composition root.
 */
import type { Extensions } from '../../shared/extensions.js';
import { ORDER_STATUS_HOOKS } from '../orders/order.points.js';
import { RETURN_REFUND_HOOKS } from '../returns/returns.hooks.js';
import { earnOnDelivery, reverseOnRefund } from './loyalty.earning.js';
import { provideRedemption } from './loyalty.redemption.js';

export function provideLoyaltyExtensions(extensions: Extensions): void {
  // Earning: DELIVERED earns once per order; a refunded return takes back its share (loyalty.earning.ts).
  extensions.add(ORDER_STATUS_HOOKS, (ctx, tx, events, order, from) => (order.status === 'DELIVERED' && from !== 'DELIVERED' ? earnOnDelivery(ctx, tx, events, order) : Promise.resolve()));
  extensions.add(RETURN_REFUND_HOOKS, reverseOnRefund);
  // Redemption at orderCreate and the give-back of a cancelled order's points (loyalty.redemption.ts).
  provideRedemption(extensions);
}
