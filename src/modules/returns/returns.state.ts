/**
 * The return's lifecycle as data (see src/shared/lifecycle.ts). Every status change of a return
 * goes through the kernel's begin / transition with this definition: a ReturnEvent row (gapless
 * per-return sequence) and a `return.updated` outbox event, in the caller's transaction.
 */
import { defineLifecycle, type TransitionTable } from '../../shared/lifecycle.js';
import { returnEvents, returnRequests, type ReturnStatusValue } from './returns.table.js';

/** Outbox topic of every return change (mapped to the RETURN_UPDATED webhook topic). */
export const RETURN_UPDATED = 'return.updated';

/**
 * REQUESTED waits for a decision (or is approved at once by policy); APPROVED waits for the parcel
 * (a partial receipt stays APPROVED until every unit arrived or staff closes the receipt);
 * RECEIVED → INSPECTED → REFUNDED. A customer may cancel before receipt.
 */
export const returnTransitions: TransitionTable<ReturnStatusValue> = {
  REQUESTED: ['APPROVED', 'REJECTED', 'CANCELLED'],
  APPROVED: ['RECEIVED', 'CANCELLED'],
  RECEIVED: ['INSPECTED'],
  INSPECTED: ['REFUNDED'],
  REJECTED: [],
  REFUNDED: [],
  CANCELLED: [],
};

export type ReturnRow = typeof returnRequests.$inferSelect;

/**
 * The event carries what subscribers, webhooks and e-mails read. The caller adds
 * `warehouseCode` (so partner keys restricted to warehouses get only their returns) and
 * anything else (tracking number of the return parcel) as `payload`.
 */
export const returnLifecycle = defineLifecycle<ReturnStatusValue, ReturnRow>({
  noun: 'return',
  table: returnRequests,
  transitions: returnTransitions,
  history: returnEvents,
  topic: RETURN_UPDATED,
  event: (r, c) => ({
    topic: RETURN_UPDATED,
    payload: {
      returnRequestId: r.id,
      number: r.number,
      orderId: r.orderId,
      customerId: r.customerId,
      sequence: c.sequence,
      status: c.status,
      previousStatus: c.previousStatus,
      message: c.message,
      occurredAt: c.occurredAt.toISOString(),
    },
  }),
});
