/**
 * The extension point through which other modules follow refunds without returns knowing them
 * (loyalty reverses the points the refunded goods earned). Hooks run inside the refund's
 * transaction, after the return moved to REFUNDED: their writes commit with the refund or not at all.
 */
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import { ExtensionKey } from '../../shared/extensions.js';
import type { Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import type { OrderRow } from '../orders/order.service.js';
import type { ReturnRow } from './returns.state.js';

export interface RefundedReturn {
  /** The return, now REFUNDED. */
  returnRequest: ReturnRow;
  order: OrderRow;
  /** Σ unit price × inspected units of this return (the goods, before any restocking fee; no shipping). */
  goods: Money;
  /** What the customer gets back in all. */
  amount: Money;
  /** The part of amount the order's points discount paid for (see `discountShare`): given back as points, not paid out. */
  discount: Money;
  /** The order's discount settled by its refunds so far, this one included (all of it once every unit came back). */
  discountSoFar: Money;
}

export type ReturnRefundHook = (ctx: ServiceContext, tx: Executor, events: EventWriter, refunded: RefundedReturn) => Promise<void>;

export const RETURN_REFUND_HOOKS = new ExtensionKey<ReturnRefundHook[]>('returns.refundHooks');
