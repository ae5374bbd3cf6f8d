/**
 * Customer notifications about orders, their returns and support tickets: durable relay handlers
 * turn committed `order.status_changed`, `return.updated` and `support_ticket.updated` events into
 * rendered PENDING notification rows (in the relay's transaction, so each event yields its message
 * exactly once), the NotificationSender sends them, and reads serve Order.notifications (a
 * return's messages are its order's).
 *
 * Besides the status messages: the CSAT survey of a delivered order, queued with the delivery and
 * due CSAT_SURVEY_DELAY_HOURS after it (the sender drops it if the customer rated the order by
 * then: `reasonNotToSend`), and an agent's public reply on an EMAIL or WEB ticket (other channels
 * get replies through the SUPPORT_TICKET_UPDATED webhook to their gateway).
 *
 * Logs name ids only (order, ticket, event), never an address, a name or a message text.
 */
import { asc, inArray } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import type { EventWriter } from '../../events/outbox.js';
import type { CommittedEvent, OutboxRelay } from '../../events/relay.js';
import { begin } from '../../shared/lifecycle.js';
import { money } from '../../shared/money.js';
import { withExecutor, type ServiceContext } from '../../shared/service-context.js';
import { customersByIdsUnfiltered, isPlaceholderEmail } from '../customers/customer.service.js';
import { linesByOrderIds, ORDER_STATUS_CHANGED } from '../orders/order.service.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { RETURN_UPDATED } from '../returns/returns.state.js';
import { returnLabelUrl } from '../shipments/label-link.js';
import { trackingUrl } from '../shipments/shipment.service.js';
import { ratedOrderIds } from '../support/csat.service.js';
import { SUPPORT_TICKET_UPDATED } from '../support/support.state.js';
import { ticketsByIds } from '../support/ticket.service.js';
import { notificationLifecycle, notifications } from './notification.table.js';
import { renderTemplate, type TemplateName } from './notification.templates.js';

export type NotificationRow = typeof notifications.$inferSelect;

const HOUR_MS = 3_600_000;

/** An address mail can reach: set, and not the placeholder of a customer known only by phone. */
const deliverable = (email: string | null | undefined): email is string => !!email && !isPlaceholderEmail(email);

/** The rating page of an order named in its survey e-mail (CSAT_SURVEY_URL, else <PUBLIC_URL>/orders/{number}/rate). */
export function csatSurveyUrl(config: Pick<ServiceContext['config'], 'PUBLIC_URL' | 'CSAT_SURVEY_URL'>, orderNumber: string): string {
  const pattern = config.CSAT_SURVEY_URL ?? `${config.PUBLIC_URL.replace(/\/+$/, '')}/orders/{number}/rate`;
  return pattern.replaceAll('{number}', encodeURIComponent(orderNumber));
}

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
 * Queues the notification of one status change, rendered now, in the relay's transaction.
 * Returns whether a row was written (false: no template for the status, no customer, or already queued).
 */
export async function queueStatusNotification(ctx: ServiceContext, tx: Executor, out: EventWriter, event: CommittedEvent): Promise<boolean> {
  return (await queueStatusNotifications(ctx, tx, out, [event])) > 0;
}

/**
 * The same for a relay batch of status changes: one read of the customers, one of the order
 * lines, one insert and one start of their lifecycle (history row 1, PENDING, and its event),
 * whatever the number of events. Returns how many rows were written.
 */
export async function queueStatusNotifications(ctx: ServiceContext, tx: Executor, out: EventWriter, events: readonly CommittedEvent[]): Promise<number> {
  const todo = events.flatMap((event) => {
    const p = event.payload as { orderId?: string; number?: string; customerId?: string; sequence?: number; status?: string; trackingNumbers?: string[] };
    const template = p.status && p.sequence != null ? templateFor(p.status, Number(p.sequence)) : null;
    return template && p.orderId && p.customerId && p.number
      ? [{ event, template, orderId: p.orderId, customerId: p.customerId, number: p.number, trackingNumbers: p.trackingNumbers ?? [] }]
      : [];
  });
  if (!todo.length) return 0;
  const scoped = withExecutor(ctx, tx);
  const customers = new Map((await customersByIdsUnfiltered(scoped, [...new Set(todo.map((t) => t.customerId))])).map((c) => [c.id, c]));
  const withEmail = todo.filter((t) => {
    if (deliverable(customers.get(t.customerId)?.email)) return true;
    ctx.log.warn({ orderId: t.orderId, eventId: t.event.id }, 'notification skipped: the order has no customer e-mail');
    return false;
  });
  if (!withEmail.length) return 0;
  const units = new Map<string, number>();
  for (const l of await linesByOrderIds(scoped, [...new Set(withEmail.map((t) => t.orderId))])) units.set(l.orderId, (units.get(l.orderId) ?? 0) + l.quantity);
  const values: (typeof notifications.$inferInsert)[] = withEmail.map((t) => {
    const customer = customers.get(t.customerId)!;
    const trackingLinks = t.trackingNumbers.map((n) => trackingUrl(ctx.config.PUBLIC_URL, n));
    const rendered = renderTemplate(t.template, customer.locale, { number: t.number, count: units.get(t.orderId) ?? 0, name: customer.name, trackingLinks });
    return {
      orderId: t.orderId,
      eventId: t.event.id,
      template: t.template,
      channel: 'EMAIL' as const,
      locale: rendered.locale,
      recipient: customer.email,
      subject: rendered.subject,
      body: rendered.body,
    };
  });
  // The survey of a delivered order: queued now, due the configured delay after the delivery.
  const delayHours = ctx.config.CSAT_SURVEY_DELAY_HOURS;
  const delivered = withEmail.filter((t) => t.template === 'order_delivered');
  if (delayHours > 0 && delivered.length) {
    const deliveredAt = new Map((await orderRowsByIds(scoped, delivered.map((t) => t.orderId))).map((o) => [o.id, o.deliveredAt]));
    for (const t of delivered) {
      const customer = customers.get(t.customerId)!;
      const rendered = renderTemplate('csat_survey', customer.locale, { number: t.number, count: 0, name: customer.name, link: csatSurveyUrl(ctx.config, t.number) });
      const at = deliveredAt.get(t.orderId) ?? t.event.createdAt;
      values.push({
        orderId: t.orderId,
        eventId: t.event.id,
        template: 'csat_survey',
        channel: 'EMAIL' as const,
        locale: rendered.locale,
        recipient: customer.email,
        subject: rendered.subject,
        body: rendered.body,
        nextAttemptAt: new Date(at.getTime() + delayHours * HOUR_MS),
      });
    }
  }
  return insertQueued(tx, out, values);
}

/** Inserts rendered messages (one per event and template at most) and starts their lifecycle; returns how many were new. */
async function insertQueued(tx: Executor, out: EventWriter, values: (typeof notifications.$inferInsert)[]): Promise<number> {
  const rows = await tx
    .insert(notifications)
    .values(values)
    .onConflictDoNothing({ target: [notifications.eventId, notifications.template] })
    .returning({ id: notifications.id, status: notifications.status, orderId: notifications.orderId, ticketId: notifications.ticketId, template: notifications.template, createdAt: notifications.createdAt });
  // Queued at the relay transaction's time, as created_at says.
  if (rows.length) await begin(tx, out, notificationLifecycle, rows, { at: rows[0]!.createdAt });
  return rows.length;
}

/**
 * Which message a return's status change sends, if any: approved (with the parcel's signed label
 * link (see label-link.ts for its key), its tracking number and tracking page),
 * rejected (with the reason), received and refunded (with the amount). REQUESTED is the
 * customer's own action, answered by the API; INSPECTED is internal (the refund follows);
 * CANCELLED is the customer's own action too, or staff's after talking to the customer.
 */
export function returnTemplateFor(status: string): TemplateName | null {
  switch (status) {
    case 'APPROVED':
      return 'return_approved';
    case 'REJECTED':
      return 'return_rejected';
    case 'RECEIVED':
      return 'return_received';
    case 'REFUNDED':
      return 'return_refunded';
    default:
      return null;
  }
}

/** What a `return.updated` event carries (returns.state.ts, plus what the callers add). */
interface ReturnUpdatedPayload {
  returnRequestId?: string;
  number?: string;
  orderId?: string;
  customerId?: string;
  status?: string;
  message?: string | null;
  rejectionReason?: string | null;
  trackingNumber?: string | null;
  refundAmountMinor?: number | null;
  currency?: string | null;
}

/**
 * Queues the customer's e-mail of a batch of return status changes, rendered now in the
 * customer's locale, in the relay's transaction: one read of the customers, one of the orders,
 * one insert, whatever the number of events. The message is the order's (notifications rows
 * belong to an order). Returns how many rows were written; an event handled again writes none.
 */
export async function queueReturnNotifications(ctx: ServiceContext, tx: Executor, out: EventWriter, events: readonly CommittedEvent[]): Promise<number> {
  const todo = events.flatMap((event) => {
    const p = event.payload as ReturnUpdatedPayload;
    const template = p.status ? returnTemplateFor(p.status) : null;
    if (!template || !p.orderId || !p.customerId || !p.number) return [];
    if (template === 'return_refunded' && (p.refundAmountMinor == null || !p.currency)) {
      ctx.log.warn({ returnRequestId: p.returnRequestId, eventId: event.id }, 'return_refunded skipped: the event carries no refund amount');
      return [];
    }
    return [{ event, template, p: { ...p, orderId: p.orderId, customerId: p.customerId, number: p.number } }];
  });
  if (!todo.length) return 0;
  const scoped = withExecutor(ctx, tx);
  const [customerRows, orderRows] = await Promise.all([
    customersByIdsUnfiltered(scoped, [...new Set(todo.map((t) => t.p.customerId))]),
    orderRowsByIds(scoped, [...new Set(todo.map((t) => t.p.orderId))]),
  ]);
  const customers = new Map(customerRows.map((c) => [c.id, c]));
  const orderNumbers = new Map(orderRows.map((o) => [o.id, o.number]));
  const values = todo.flatMap(({ event, template, p }) => {
    const customer = customers.get(p.customerId);
    if (!customer || !deliverable(customer.email)) {
      ctx.log.warn({ returnRequestId: p.returnRequestId, eventId: event.id }, 'notification skipped: the return has no customer e-mail');
      return [];
    }
    const rendered = renderTemplate(template, customer.locale, {
      number: p.number,
      count: 0,
      name: customer.name,
      orderNumber: orderNumbers.get(p.orderId) ?? null,
      trackingNumber: p.trackingNumber ?? null,
      labelLink: p.trackingNumber ? returnLabelUrl(ctx.config, p.trackingNumber, event.createdAt) : null,
      trackingLinks: p.trackingNumber ? [trackingUrl(ctx.config.PUBLIC_URL, p.trackingNumber)] : [],
      reason: p.rejectionReason ?? p.message ?? null,
      amount: template === 'return_refunded' ? money(Number(p.refundAmountMinor), p.currency!) : null,
    });
    return [{ orderId: p.orderId, eventId: event.id, template, channel: 'EMAIL' as const, locale: rendered.locale, recipient: customer.email, subject: rendered.subject, body: rendered.body }];
  });
  return values.length ? insertQueued(tx, out, values) : 0;
}

/** What a `support_ticket.updated` event of a new public message carries (ticket.service.ts emitMessage). */
interface TicketMessagePayload {
  kind?: string;
  ticketId?: string;
  number?: string;
  customerId?: string | null;
  channel?: string;
  language?: string;
  message?: { id?: string; authorKind?: string; body?: string; internal?: boolean };
}

/** Channels whose customers get agents' replies by e-mail; the others' gateways get them through the webhook. */
const EMAILED_CHANNELS = new Set(['EMAIL', 'WEB']);

/**
 * Queues the e-mail of agents' public replies on EMAIL and WEB tickets to the ticket's customer,
 * in the ticket's language, with the reply verbatim (passed to the template as an argument: plain
 * text, never interpreted), in the relay's transaction: one read of the customers, one of the
 * tickets, one insert per batch. No message to a placeholder address (a customer known only by
 * phone), for internal notes (never on this topic anyway) or for the customer's own messages.
 * Returns how many rows were written; an event handled again writes none.
 */
export async function queueTicketReplyNotifications(ctx: ServiceContext, tx: Executor, out: EventWriter, events: readonly CommittedEvent[]): Promise<number> {
  const todo = events.flatMap((event) => {
    const p = event.payload as TicketMessagePayload;
    const m = p.message;
    if (p.kind !== 'MESSAGE_ADDED' || !m || m.authorKind !== 'AGENT' || m.internal !== false || !m.body) return [];
    if (!p.channel || !EMAILED_CHANNELS.has(p.channel) || !p.ticketId || !p.customerId || !p.number) return [];
    return [{ event, ticketId: p.ticketId, customerId: p.customerId, number: p.number, language: p.language ?? null, body: m.body }];
  });
  if (!todo.length) return 0;
  const scoped = withExecutor(ctx, tx);
  const [customerRows, ticketRows] = await Promise.all([
    customersByIdsUnfiltered(scoped, [...new Set(todo.map((t) => t.customerId))]),
    ticketsByIds(scoped, [...new Set(todo.map((t) => t.ticketId))]),
  ]);
  const customers = new Map(customerRows.map((c) => [c.id, c]));
  const subjects = new Map(ticketRows.map((r) => [r.id, r.subject]));
  const values = todo.flatMap((t) => {
    const customer = customers.get(t.customerId);
    if (!customer || !deliverable(customer.email)) {
      ctx.log.info({ ticketId: t.ticketId, eventId: t.event.id }, 'reply e-mail skipped: the customer has no e-mail address');
      return [];
    }
    const rendered = renderTemplate('support_reply', t.language ?? customer.locale, { number: t.number, count: 0, name: customer.name, subject: subjects.get(t.ticketId) ?? t.number, reply: t.body });
    return [{ ticketId: t.ticketId, eventId: t.event.id, template: 'support_reply', channel: 'EMAIL' as const, locale: rendered.locale, recipient: customer.email, subject: rendered.subject, body: rendered.body }];
  });
  return values.length ? insertQueued(tx, out, values) : 0;
}

/**
 * Why a claimed message should not be sent after all (null: send it). A CSAT survey is not sent
 * when the customer rated the order before it was due. For the NotificationSender.
 */
export async function reasonNotToSend(ctx: Pick<ServiceContext, 'database'>, n: { template: string; orderId: string | null }): Promise<string | null> {
  if (n.template === 'csat_survey' && n.orderId && (await ratedOrderIds(ctx, [n.orderId])).has(n.orderId)) {
    return 'Not sent: the customer rated the order before the survey was due.';
  }
  return null;
}

/**
 * Registers the durable handler (call before `relay.start()`). `onQueued` runs once the relay's
 * transaction committed, so the sender it wakes sees the new rows.
 */
export function registerNotificationHandlers(relay: Pick<OutboxRelay, 'onCommittedBatch'>, ctx: ServiceContext, opts: { onQueued?: () => void } = {}): void {
  const queues = [
    [ORDER_STATUS_CHANGED, queueStatusNotifications],
    [RETURN_UPDATED, queueReturnNotifications],
    [SUPPORT_TICKET_UPDATED, queueTicketReplyNotifications],
  ] as const;
  for (const [topic, queue] of queues) {
    relay.onCommittedBatch([topic], async (tx, events, afterCommit, writer) => {
      const queued = await queue(ctx, tx, writer, events);
      if (queued > 0 && opts.onQueued) afterCommit(opts.onQueued);
    });
  }
}

/** Notifications of orders, oldest first (loaders; callers already checked access to the order). */
export async function notificationsByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<NotificationRow[]> {
  return ctx.database.db.select().from(notifications).where(inArray(notifications.orderId, [...ids])).orderBy(asc(notifications.createdAt), asc(notifications.id));
}
