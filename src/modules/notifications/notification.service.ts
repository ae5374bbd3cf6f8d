/**
 * Customer notifications about orders: a durable relay handler turns committed
 * `order.status_changed` events into rendered PENDING notification rows (in the relay's
 * transaction, so each event yields its message exactly once), the NotificationSender sends them,
 * and reads serve Order.notifications.
 */
import { asc, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { CommittedEvent, OutboxRelay } from '../../events/relay.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customersByIdsUnfiltered } from '../customers/customer.service.js';
import { linesByOrderIds, ORDER_STATUS_CHANGED } from '../orders/order.service.js';
import { notifications } from './notification.table.js';
import { renderTemplate, type TemplateName } from './notification.templates.js';

export type NotificationRow = typeof notifications.$inferSelect;

/** Which message a status change sends, if any. Only the first status of an order confirms it (a backorder allocated later does not). */
export function templateFor(status: string, sequence: number): TemplateName | null {
  switch (status) {
    case 'ALLOCATED':
    case 'BACKORDERED':
      return sequence === 1 ? 'order_confirmed' : null;
    case 'PICKING':
      return 'order_processing';
    case 'SHIPPED':
    case 'PARTIALLY_SHIPPED':
      return 'order_shipped';
    case 'DELIVERED':
      return 'order_delivered';
    case 'CANCELLED':
      return 'order_cancelled';
    default:
      return null;
  }
}

/**
 * A service context whose database handle is `tx`, so other modules' service reads join the
 * relay's open transaction (PGlite has one connection: a read beside it would wait forever).
 */
function withExecutor(ctx: ServiceContext, tx: Executor): ServiceContext {
  return { ...ctx, database: { ...ctx.database, db: tx, rows: (q, e = tx) => ctx.database.rows(q, e) } };
}

/**
 * Queues the notification of one status change, rendered now, in the relay's transaction.
 * Returns whether a row was written (false: no template for the status, no customer, or already queued).
 */
export async function queueStatusNotification(ctx: ServiceContext, tx: Executor, event: CommittedEvent): Promise<boolean> {
  const p = event.payload as { orderId?: string; number?: string; customerId?: string; sequence?: number; status?: string; trackingNumbers?: string[] };
  const template = p.status && p.sequence != null ? templateFor(p.status, Number(p.sequence)) : null;
  if (!template || !p.orderId || !p.customerId || !p.number) return false;
  const scoped = withExecutor(ctx, tx);
  const [customer] = await customersByIdsUnfiltered(scoped, [p.customerId]);
  if (!customer?.email) {
    ctx.log.warn({ orderId: p.orderId, eventId: event.id }, 'notification skipped: the order has no customer e-mail');
    return false;
  }
  const count = (await linesByOrderIds(scoped, [p.orderId])).reduce((s, l) => s + l.quantity, 0);
  const base = ctx.config.PUBLIC_URL.replace(/\/$/, '');
  const trackingLinks = (p.trackingNumbers ?? []).map((n) => `${base}/track/${encodeURIComponent(n)}`);
  const rendered = renderTemplate(template, customer.locale, { number: p.number, count, name: customer.name, trackingLinks });
  const rows = await tx
    .insert(notifications)
    .values({
      orderId: p.orderId,
      eventId: event.id,
      template,
      channel: 'EMAIL',
      locale: rendered.locale,
      recipient: customer.email,
      subject: rendered.subject,
      body: rendered.body,
    })
    .onConflictDoNothing({ target: [notifications.eventId, notifications.template] })
    .returning({ id: notifications.id });
  return rows.length > 0;
}

/**
 * Registers the durable handler (call before `relay.start()`). `onQueued` runs once the relay's
 * transaction committed, so the sender it wakes sees the new rows.
 */
export function registerNotificationHandlers(relay: Pick<OutboxRelay, 'onCommitted'>, ctx: ServiceContext, opts: { onQueued?: () => void } = {}): void {
  relay.onCommitted(ORDER_STATUS_CHANGED, async (tx, event, afterCommit) => {
    if ((await queueStatusNotification(ctx, tx, event)) && opts.onQueued) afterCommit(opts.onQueued);
  });
}

/** Notifications of orders, oldest first (loaders; callers already checked access to the order). */
export async function notificationsByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<NotificationRow[]> {
  return ctx.database.db.select().from(notifications).where(inArray(notifications.orderId, [...ids])).orderBy(asc(notifications.createdAt), asc(notifications.id));
}
