/**
 * Support tickets: opened by a customer (its own) or by a channel gateway that names the sender by
 * e-mail or phone (found or created), replied to by agents (public or internal), by the customer or
 * through its gateway, and moved through their lifecycle by staff. Knows nothing of GraphQL.
 *
 * Who does what:
 * - CUSTOMER token: opens tickets as itself, reads and replies to its own (never internal notes);
 * - PARTNER key with write_support (a channel gateway: e-mail, chat, phone, social, messenger):
 *   opens tickets for the sender it names and relays the customer's replies (authored CUSTOMER);
 * - STAFF with write_support: replies as AGENT (public or internal), changes status, priority,
 *   assignee; read_support reads every ticket.
 */
import { and, asc, eq, gte, inArray, isNotNull, isNull, lt, or, sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../../db/client.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { begin, transition } from '../../shared/lifecycle.js';
import { hasScope, type Principal } from '../../shared/principal.js';
import { withExecutor, type ServiceContext } from '../../shared/service-context.js';
import { customersByIdsUnfiltered, findOrCreateCustomerByContact } from '../customers/customer.service.js';
import { orderIdOfCustomerByNumber } from '../orders/order.service.js';
import { canonicalTag, detectLanguage, languageOf, supportedLanguage } from './language.js';
import { SUPPORT_MESSAGE_ADDED, SUPPORT_TICKET_UPDATED, ticketLifecycle, type TicketMessageRow, type TicketRow } from './support.state.js';
import {
  SUPPORT_CHANNELS,
  supportTicketEvents,
  supportTickets,
  TICKET_PRIORITIES,
  TICKET_STATUSES,
  ticketMessages,
  type SupportChannelValue,
  type TicketAuthorKindValue,
  type TicketPriorityValue,
  type TicketStatusValue,
} from './support.table.js';

export type { TicketMessageRow, TicketRow } from './support.state.js';
export type TicketEventRow = typeof supportTicketEvents.$inferSelect;

/** Limits of what is written (characters). */
export const SUBJECT_MAX = 200;
export const BODY_MAX = 20_000;
const ASSIGNEE_MAX = 100;
const HOUR_MS = 3_600_000;

export interface TicketCreateInput {
  channel: SupportChannelValue;
  subject: string;
  body: string;
  customerEmail?: string | null;
  customerPhone?: string | null;
  orderNumber?: string | null;
  language?: string | null;
  priority?: TicketPriorityValue | null;
}

export interface TicketReplyInput {
  ticketId: string;
  body: string;
  internal?: boolean | null;
}

export interface TicketUpdateInput {
  ticketId: string;
  status?: TicketStatusValue | null;
  priority?: TicketPriorityValue | null;
  assignee?: string | null;
}

export interface TicketFilter {
  status?: TicketStatusValue[] | null;
  channel?: SupportChannelValue[] | null;
  breachedSla?: boolean | null;
}

/** The first-response deadline of a ticket created at `createdAt` with this priority. */
export function slaDueAt(ctx: Pick<ServiceContext, 'config'>, createdAt: Date, priority: TicketPriorityValue): Date {
  return new Date(createdAt.getTime() + ctx.config.SUPPORT_SLA_HOURS[priority] * HOUR_MS);
}

/** Who may read every ticket (staff and keys with read_support). */
const readsAll = (p: Principal): boolean => p.kind !== 'CUSTOMER' && hasScope(p, 'read_support');
/** Staff and keys that may see internal notes: read_support, not a customer, not a channel gateway. */
export const seesInternal = (p: Principal): boolean => p.kind === 'STAFF' && hasScope(p, 'read_support');

/** The text of a subject or body, checked: trimmed, not empty, at most `max` characters; errors at `field`. */
function text(errors: ErrorList, value: string, max: number, field: string[], what: string): string {
  const t = value.trim();
  if (!t) errors.add('INVALID', `${what} must not be empty.`, field);
  else if (t.length > max) errors.add('TOO_LONG', `${what} is at most ${max} characters (got ${t.length}).`, field);
  // NUL cannot be stored in a PostgreSQL text; other control characters are kept as written.
  else if (t.includes('\u0000')) errors.add('INVALID', `${what} must not contain NUL characters.`, field);
  return t;
}

/** The ticket row `id` under a row lock in `tx`, if the caller may see it (else NOT_FOUND: someone else's looks unknown). */
async function lockVisible(ctx: ServiceContext, tx: Executor, id: string): Promise<TicketRow> {
  // '' is what the resolver passes for an id that is not a SupportTicket's: not a uuid, so no query.
  const [row] = id ? await tx.select().from(supportTickets).where(eq(supportTickets.id, id)).for('update') : [];
  const p = ctx.principal;
  // The rule of `visibility` below (write_support implies read_support: gateways and agents read all).
  const visible = row && (readsAll(p) || (p.kind === 'CUSTOMER' && row.customerId === p.customerId));
  if (!visible) throw BusinessError.of('NOT_FOUND', 'No such ticket.', ['input', 'ticketId']);
  return row;
}

/** The outbox events of a new message: always SUPPORT_MESSAGE_ADDED (subscriptions), and SUPPORT_TICKET_UPDATED when it is public (webhooks). */
async function emitMessage(events: EventWriter, ticket: TicketRow, m: TicketMessageRow): Promise<void> {
  const message = { id: m.id, authorKind: m.authorKind, body: m.body, internal: m.internal, channel: m.channel, language: m.language, createdAt: m.createdAt.toISOString() };
  await events.emit({ topic: SUPPORT_MESSAGE_ADDED, payload: { ticketId: ticket.id, customerId: ticket.customerId, message } });
  if (!m.internal) {
    await events.emit({
      topic: SUPPORT_TICKET_UPDATED,
      payload: { kind: 'MESSAGE_ADDED', ticketId: ticket.id, number: ticket.number, customerId: ticket.customerId, channel: ticket.channel, status: ticket.status, language: ticket.language, message },
    });
  }
}

export interface NewTicket {
  channel: SupportChannelValue;
  subject: string;
  /** The first message: the customer's (or, for a handoff, the question the customer asked). */
  body: string;
  customerId: string | null;
  orderId: string | null;
  language: string;
  priority: TicketPriorityValue;
  createdBy: string;
  /** Further messages right after the first (the assistant's answer of a handoff). */
  followUps?: { authorKind: TicketAuthorKindValue; body: string; internal: boolean }[];
}

/**
 * Inserts a ticket (OPEN, numbered, its SLA deadline) with its first messages, its timeline's
 * first row and its events, in the caller's transaction. For services that decided everything
 * already (ticket creation, the assistant's handoff).
 */
export async function insertTicket(ctx: ServiceContext, tx: Executor, events: EventWriter, t: NewTicket): Promise<TicketRow> {
  const at = ctx.clock.now();
  const [{ n }] = (await ctx.database.rows<{ n: string }>(sql`select nextval('support_ticket_number_seq')::text as n`, tx)) as [{ n: string }];
  const [ticket] = await tx
    .insert(supportTickets)
    .values({
      number: `T-${n}`,
      channel: t.channel,
      status: 'OPEN',
      priority: t.priority,
      subject: t.subject,
      language: t.language,
      customerId: t.customerId,
      orderId: t.orderId,
      slaDueAt: slaDueAt(ctx, at, t.priority),
      createdBy: t.createdBy,
      createdAt: at,
      updatedAt: at,
    })
    .returning();
  const messages = await tx
    .insert(ticketMessages)
    .values([
      { ticketId: ticket!.id, authorKind: 'CUSTOMER' as const, body: t.body, internal: false, channel: t.channel, language: t.language, createdAt: at },
      ...(t.followUps ?? []).map((f, i) => ({
        ticketId: ticket!.id,
        authorKind: f.authorKind,
        authorName: f.authorKind === 'ASSISTANT' ? 'assistant' : null,
        body: f.body,
        internal: f.internal,
        channel: t.channel,
        language: t.language,
        // A millisecond apart: the timeline orders by time.
        createdAt: new Date(at.getTime() + i + 1),
      })),
    ])
    .returning();
  await begin(tx, events, ticketLifecycle, [ticket!], { at, message: `Opened via ${t.channel}` });
  for (const m of messages) await emitMessage(events, ticket!, m);
  return ticket!;
}

/**
 * Opens a ticket. A CUSTOMER opens it as itself (customerEmail/customerPhone are ignored) with
 * priority LOW or NORMAL; a key with write_support names the sender by e-mail or phone (found or
 * created). Errors (nothing written): INVALID, TOO_LONG, NOT_FOUND (orderNumber: not an order of
 * this customer), FORBIDDEN.
 */
export async function createTicket(ctx: ServiceContext, input: TicketCreateInput): Promise<TicketRow> {
  const p = ctx.principal;
  const isCustomer = p.kind === 'CUSTOMER' && !!p.customerId;
  if (!isCustomer && !(p.kind !== 'CUSTOMER' && hasScope(p, 'write_support'))) {
    throw new AccessError('FORBIDDEN', 'Forbidden: opening a ticket needs a customer token or scope write_support.');
  }
  const errors = new ErrorList();
  if (!SUPPORT_CHANNELS.includes(input.channel)) errors.add('INVALID', `Unknown channel ${input.channel}.`, ['input', 'channel']);
  const subject = text(errors, input.subject, SUBJECT_MAX, ['input', 'subject'], 'Subject');
  const body = text(errors, input.body, BODY_MAX, ['input', 'body'], 'Message');
  const given = input.language?.trim() ? canonicalTag(input.language) : null;
  if (input.language?.trim() && !given) errors.add('INVALID', 'Language must be a BCP 47 tag, e.g. ru or en.', ['input', 'language']);
  const priority = input.priority ?? 'NORMAL';
  if (!TICKET_PRIORITIES.includes(priority)) errors.add('INVALID', `Unknown priority ${priority}.`, ['input', 'priority']);
  if (isCustomer && (priority === 'HIGH' || priority === 'URGENT')) errors.add('INVALID', 'A customer opens tickets with priority LOW or NORMAL; the store raises it.', ['input', 'priority']);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    const customer = isCustomer
      ? (await customersByIdsUnfiltered(withExecutor(ctx, tx), [p.customerId!]))[0]
      : // A customer new to the store gets the ticket's language as its locale (given, else detected).
        (await findOrCreateCustomerByContact(tx, { email: input.customerEmail, phone: input.customerPhone, locale: given ?? detectLanguage(`${subject}\n${body}`) }, ['input'])).customer;
    if (!customer) throw new AccessError('FORBIDDEN', 'Forbidden: the customer of this token no longer exists.');
    let orderId: string | null = null;
    if (input.orderNumber?.trim()) {
      orderId = await orderIdOfCustomerByNumber(tx, customer.id, input.orderNumber);
      if (!orderId) throw BusinessError.of('NOT_FOUND', `No order ${input.orderNumber.trim()} of this customer.`, ['input', 'orderNumber']);
    }
    return insertTicket(ctx, tx, events, {
      channel: input.channel,
      subject,
      body,
      customerId: customer.id,
      orderId,
      language: languageOf({ given, customerLocale: customer.locale, text: `${subject}\n${body}` }),
      priority,
      createdBy: isCustomer ? 'customer' : (p.name ?? p.kind.toLowerCase()),
    });
  });
}

/**
 * Adds a message. Its author: the CUSTOMER itself, a channel gateway (PARTNER with write_support)
 * relaying the customer, or an AGENT (STAFF with write_support; only agents write internal notes).
 * An agent's first public reply sets firstResponseAt and moves an OPEN ticket to PENDING_CUSTOMER;
 * the customer's message moves a PENDING_CUSTOMER or RESOLVED one back to OPEN. The message's
 * language: the customer's locale for its own messages, else detected (the ticket's when the text
 * has no letters). Errors (nothing written): INVALID, TOO_LONG, NOT_FOUND, FORBIDDEN (internal
 * note by a non-agent), TICKET_CLOSED.
 */
export async function replyToTicket(ctx: ServiceContext, input: TicketReplyInput): Promise<TicketRow> {
  const p = ctx.principal;
  const agent = p.kind === 'STAFF' && hasScope(p, 'write_support');
  const gateway = p.kind === 'PARTNER' && hasScope(p, 'write_support');
  if (!agent && !gateway && !(p.kind === 'CUSTOMER' && p.customerId)) throw new AccessError('FORBIDDEN', 'Forbidden: replying needs the ticket\'s customer or scope write_support.');
  const errors = new ErrorList();
  const body = text(errors, input.body, BODY_MAX, ['input', 'body'], 'Message');
  const internal = input.internal ?? false;
  if (internal && !agent) errors.add('FORBIDDEN', 'Only agents (staff with write_support) write internal notes.', ['input', 'internal']);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    let ticket = await lockVisible(ctx, tx, input.ticketId);
    if (ticket.status === 'CLOSED') throw BusinessError.of('TICKET_CLOSED', `Ticket ${ticket.number} is closed; open a new one.`, ['input', 'ticketId']);
    const at = ctx.clock.now();
    const authorKind: TicketAuthorKindValue = agent ? 'AGENT' : 'CUSTOMER';
    let locale: string | null = null;
    if (authorKind === 'CUSTOMER' && ticket.customerId) {
      locale = (await customersByIdsUnfiltered(withExecutor(ctx, tx), [ticket.customerId]))[0]?.locale ?? null;
    }
    const language = locale ? languageOf({ customerLocale: locale, text: body }) : detectLanguage(body, supportedLanguage(ticket.language) ?? 'en');
    const [message] = await tx
      .insert(ticketMessages)
      .values({ ticketId: ticket.id, authorKind, authorName: authorKind === 'AGENT' || gateway ? (p.name ?? null) : null, body, internal, channel: ticket.channel, language, createdAt: at })
      .returning();
    const firstResponse = authorKind === 'AGENT' && !internal && !ticket.firstResponseAt;
    const set = { updatedAt: at, ...(firstResponse ? { firstResponseAt: at } : {}) };
    let to: TicketStatusValue | null = null;
    if (authorKind === 'AGENT' && !internal && ticket.status === 'OPEN') to = 'PENDING_CUSTOMER';
    if (authorKind === 'CUSTOMER' && (ticket.status === 'PENDING_CUSTOMER' || ticket.status === 'RESOLVED')) to = 'OPEN';
    if (to) {
      ticket = await transition(tx, events, ticketLifecycle, ticket, to, {
        at,
        message: to === 'OPEN' ? 'The customer wrote' : 'An agent replied',
        set: to === 'OPEN' ? { ...set, resolvedAt: null } : set,
      });
    } else {
      [ticket] = (await tx.update(supportTickets).set(set).where(eq(supportTickets.id, ticket.id)).returning()) as [TicketRow];
    }
    await emitMessage(events, ticket, message!);
    return ticket;
  });
}

/**
 * Staff (write_support) change status (along the transition table: INVALID_STATE_TRANSITION
 * otherwise), priority (the SLA deadline follows: createdAt + the new priority's target) and
 * assignee ("" clears it). Errors (nothing written): INVALID, NOT_FOUND, INVALID_STATE_TRANSITION.
 */
export async function updateTicket(ctx: ServiceContext, input: TicketUpdateInput): Promise<TicketRow> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER' || !hasScope(p, 'write_support')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope write_support.');
  const errors = new ErrorList();
  if (input.status != null && !TICKET_STATUSES.includes(input.status)) errors.add('INVALID', `Unknown status ${input.status}.`, ['input', 'status']);
  if (input.priority != null && !TICKET_PRIORITIES.includes(input.priority)) errors.add('INVALID', `Unknown priority ${input.priority}.`, ['input', 'priority']);
  const assignee = input.assignee == null ? undefined : input.assignee.trim() || null;
  if (assignee && assignee.length > ASSIGNEE_MAX) errors.add('TOO_LONG', `Assignee is at most ${ASSIGNEE_MAX} characters.`, ['input', 'assignee']);
  errors.throwIfAny();
  return transact(ctx, async (tx, events) => {
    let ticket = await lockVisible(ctx, tx, input.ticketId);
    const at = ctx.clock.now();
    const fields: Partial<typeof supportTickets.$inferInsert> = { updatedAt: at };
    const changed: string[] = [];
    if (input.priority && input.priority !== ticket.priority) {
      fields.priority = input.priority;
      fields.slaDueAt = slaDueAt(ctx, ticket.createdAt, input.priority);
      changed.push('priority');
    }
    if (assignee !== undefined && assignee !== ticket.assignee) {
      fields.assignee = assignee;
      changed.push('assignee');
    }
    if (input.status && input.status !== ticket.status) {
      const to = input.status;
      const resolved = to === 'RESOLVED' ? { resolvedAt: at } : to === 'OPEN' ? { resolvedAt: null } : {};
      ticket = await transition(tx, events, ticketLifecycle, ticket, to, { at, message: `Set to ${to}${p.name ? ` by ${p.name}` : ''}`, set: { ...fields, ...resolved } });
    } else if (changed.length) {
      [ticket] = (await tx.update(supportTickets).set(fields).where(eq(supportTickets.id, ticket.id)).returning()) as [TicketRow];
    }
    if (changed.length) {
      await events.emit({
        topic: SUPPORT_TICKET_UPDATED,
        payload: { kind: 'FIELDS_CHANGED', ticketId: ticket.id, number: ticket.number, customerId: ticket.customerId, channel: ticket.channel, status: ticket.status, priority: ticket.priority, assignee: ticket.assignee, slaDueAt: ticket.slaDueAt.toISOString(), changed },
      });
    }
    return ticket;
  });
}

/** The condition that limits tickets to what the caller may read; null: nothing (FORBIDDEN). */
function visibility(ctx: ServiceContext): SQL | undefined | null {
  const p = ctx.principal;
  if (readsAll(p)) return undefined;
  if (p.kind === 'CUSTOMER' && p.customerId) return eq(supportTickets.customerId, p.customerId);
  return null;
}

/** Tickets newest first, filtered, limited to what the caller may read (a CUSTOMER its own; read_support all). */
export async function listTickets(ctx: ServiceContext, args: PageArgs & { filter?: TicketFilter | null }): Promise<Page<TicketRow>> {
  const cond = visibility(ctx);
  if (cond === null) throw new AccessError('FORBIDDEN', 'Forbidden: requires a customer token or scope read_support.');
  const f = args.filter ?? {};
  const conds: (SQL | undefined)[] = [cond];
  if (f.status?.length) conds.push(inArray(supportTickets.status, f.status));
  if (f.channel?.length) conds.push(inArray(supportTickets.channel, f.channel));
  const now = ctx.clock.now();
  const breached = and(isNull(supportTickets.firstResponseAt), lt(supportTickets.slaDueAt, now));
  if (f.breachedSla === true) conds.push(breached);
  if (f.breachedSla === false) conds.push(or(isNotNull(supportTickets.firstResponseAt), gte(supportTickets.slaDueAt, now)));
  const filter = and(...conds);
  const db = ctx.database.db;
  const plan = planPage(args, supportTickets.id, filter);
  const rows = await db.select().from(supportTickets).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => db.$count(supportTickets, filter));
}

/** Tickets by id that the caller may read (others left out). */
export async function ticketsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<TicketRow[]> {
  const cond = visibility(ctx);
  if (cond === null || !ids.length) return [];
  return ctx.database.db.select().from(supportTickets).where(and(inArray(supportTickets.id, [...ids]), cond));
}

/** Messages of tickets the caller already reads, oldest first; internal notes only for `seesInternal` callers. */
export async function messagesByTicketIds(ctx: ServiceContext, ids: readonly string[]): Promise<TicketMessageRow[]> {
  if (!ids.length) return [];
  const internal = seesInternal(ctx.principal) ? undefined : eq(ticketMessages.internal, false);
  return ctx.database.db
    .select()
    .from(ticketMessages)
    .where(and(inArray(ticketMessages.ticketId, [...ids]), internal))
    .orderBy(asc(ticketMessages.ticketId), asc(ticketMessages.createdAt), asc(ticketMessages.id));
}
