/**
 * Customer satisfaction (CSAT): a customer rates a delivered order or a resolved ticket of its own
 * from 1 to 5, with an optional comment; staff read the answers on the order or ticket and a
 * summary over a period. Knows nothing of GraphQL.
 *
 * One answer per order and per ticket: a second answer replaces the first within
 * CSAT_REPLACE_DAYS of the first, later it is refused (CSAT_CLOSED). The replacement is one
 * conditional upsert (`insert … on conflict do update … where created_at > now - window`), so
 * concurrent answers can neither create two rows nor replace a closed one.
 */
import { and, eq, gt, gte, inArray, lt, sql } from 'drizzle-orm';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { orderRowsByIds } from '../orders/order.shipping.js';
import { CSAT_COMMENT_MAX, csatResponses, type CsatRow } from './csat.table.js';
import { SUPPORT_CHANNELS, supportTickets, type SupportChannelValue } from './support.table.js';

export type { CsatRow } from './csat.table.js';

/** How long after the first answer a second one replaces it. */
export const CSAT_REPLACE_DAYS = 7;
const DAY_MS = 86_400_000;

export interface CsatSubmitInput {
  /** Database ids (the resolver decodes the global ids; an undecodable one is given as ''). */
  orderId?: string | null;
  ticketId?: string | null;
  score: number;
  comment?: string | null;
}

/**
 * Records the calling CUSTOMER's answer about its DELIVERED order or its RESOLVED ticket (or one
 * CLOSED after being resolved), or replaces its earlier answer within CSAT_REPLACE_DAYS of it.
 * Errors (nothing written): INVALID (score not 1..5, not exactly one of orderId and ticketId, NUL
 * in the comment), TOO_LONG (comment), NOT_FOUND (unknown, or someone else's: the same answer),
 * ORDER_NOT_DELIVERED, TICKET_NOT_RESOLVED, CSAT_CLOSED.
 */
export async function submitCsat(ctx: ServiceContext, input: CsatSubmitInput): Promise<CsatRow> {
  const p = ctx.principal;
  if (p.kind !== 'CUSTOMER' || !p.customerId) throw new AccessError('FORBIDDEN', 'Forbidden: only the customer rates its order or ticket (a customer token).');
  const customerId = p.customerId;
  const errors = new ErrorList();
  if (!Number.isInteger(input.score) || input.score < 1 || input.score > 5) errors.add('INVALID', `Score is a whole number from 1 to 5 (got ${input.score}).`, ['input', 'score']);
  const hasOrder = input.orderId != null;
  const hasTicket = input.ticketId != null;
  if (hasOrder === hasTicket) errors.add('INVALID', 'Give exactly one of orderId and ticketId.', ['input', hasOrder ? 'ticketId' : 'orderId']);
  const comment = input.comment?.trim() || null;
  // Characters as PostgreSQL's char_length counts them (code points), as the table's check does.
  const length = comment ? [...comment].length : 0;
  if (length > CSAT_COMMENT_MAX) errors.add('TOO_LONG', `Comment is at most ${CSAT_COMMENT_MAX} characters (got ${length}).`, ['input', 'comment']);
  else if (comment?.includes('\u0000')) errors.add('INVALID', 'Comment must not contain NUL characters.', ['input', 'comment']);
  errors.throwIfAny();

  const db = ctx.database.db;
  if (hasOrder) {
    const id = input.orderId!;
    const [order] = id ? await orderRowsByIds(ctx, [id]) : [];
    // Someone else's order looks exactly like an unknown one.
    if (!order || order.customerId !== customerId) throw BusinessError.of('NOT_FOUND', 'No such order.', ['input', 'orderId']);
    if (order.status !== 'DELIVERED') throw BusinessError.of('ORDER_NOT_DELIVERED', `Order ${order.number} is ${order.status}; it can be rated once it is delivered.`, ['input', 'orderId']);
  } else {
    const id = input.ticketId!;
    const [ticket] = id ? await db.select().from(supportTickets).where(eq(supportTickets.id, id)) : [];
    if (!ticket || ticket.customerId !== customerId) throw BusinessError.of('NOT_FOUND', 'No such ticket.', ['input', 'ticketId']);
    // CLOSED keeps resolvedAt when it was RESOLVED before; a reopened ticket has none.
    const resolved = (ticket.status === 'RESOLVED' || ticket.status === 'CLOSED') && ticket.resolvedAt != null;
    if (!resolved) throw BusinessError.of('TICKET_NOT_RESOLVED', `Ticket ${ticket.number} is ${ticket.status}; it can be rated once it is resolved.`, ['input', 'ticketId']);
  }

  const now = ctx.clock.now();
  const windowStart = new Date(now.getTime() - CSAT_REPLACE_DAYS * DAY_MS);
  const [row] = await db
    .insert(csatResponses)
    .values({ orderId: hasOrder ? input.orderId! : null, ticketId: hasTicket ? input.ticketId! : null, customerId, score: input.score, comment, createdAt: now, updatedAt: now })
    .onConflictDoUpdate({
      target: hasOrder ? csatResponses.orderId : csatResponses.ticketId,
      set: { score: sql`excluded.score`, comment: sql`excluded.comment`, updatedAt: sql`excluded.updated_at` },
      // Replace only the same customer's answer, and only within the window of its first answer.
      setWhere: and(eq(csatResponses.customerId, sql`excluded.customer_id`), gt(csatResponses.createdAt, windowStart)),
    })
    .returning();
  if (!row) {
    throw BusinessError.of('CSAT_CLOSED', `This ${hasOrder ? 'order' : 'ticket'} was rated more than ${CSAT_REPLACE_DAYS} days ago; the answer can no longer be changed.`, ['input', hasOrder ? 'orderId' : 'ticketId']);
  }
  return row;
}

/** Answers about these orders (loaders; callers already checked access to the orders). */
export async function csatByOrderIds(ctx: ServiceContext, ids: readonly string[]): Promise<CsatRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(csatResponses).where(inArray(csatResponses.orderId, [...ids]));
}

/** Answers about these tickets (loaders; callers already checked access to the tickets). */
export async function csatByTicketIds(ctx: ServiceContext, ids: readonly string[]): Promise<CsatRow[]> {
  if (!ids.length) return [];
  return ctx.database.db.select().from(csatResponses).where(inArray(csatResponses.ticketId, [...ids]));
}

/** Which of these orders have an answer (the survey e-mail is not sent for them). */
export async function ratedOrderIds(ctx: Pick<ServiceContext, 'database'>, ids: readonly string[]): Promise<Set<string>> {
  if (!ids.length) return new Set();
  const rows = await ctx.database.db.select({ orderId: csatResponses.orderId }).from(csatResponses).where(inArray(csatResponses.orderId, [...ids]));
  return new Set(rows.map((r) => r.orderId!));
}

export interface CsatStats {
  count: number;
  /** Mean score; null without answers. */
  average: number | null;
  /** Answers per score: [ones, twos, threes, fours, fives]. */
  distribution: [number, number, number, number, number];
}

export interface CsatSummary {
  from: Date;
  to: Date;
  all: CsatStats;
  deliveries: CsatStats;
  tickets: CsatStats;
  /** Tickets per channel, only channels with answers, in SUPPORT_CHANNELS order. */
  ticketChannels: (CsatStats & { channel: SupportChannelValue })[];
}

const emptyStats = (): CsatStats => ({ count: 0, average: null, distribution: [0, 0, 0, 0, 0] });
function add(s: CsatStats, score: number, n: number): void {
  s.distribution[score - 1]! += n;
  s.count += n;
}
function finish(s: CsatStats): CsatStats {
  const sum = s.distribution.reduce((acc, n, i) => acc + n * (i + 1), 0);
  return { ...s, average: s.count ? Math.round((sum / s.count) * 100) / 100 : null };
}

/**
 * Answers first given in [from, to): count, mean and distribution of scores, for all, for
 * deliveries, for tickets and per ticket channel, in one statement. Requires read_support.
 */
export async function csatSummary(ctx: ServiceContext, range: { from: Date; to: Date }): Promise<CsatSummary> {
  const p = ctx.principal;
  if (p.kind === 'CUSTOMER' || !hasScope(p, 'read_support')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_support.');
  if (!(range.from < range.to)) throw BusinessError.of('INVALID', '"from" must be before "to".', ['from']);
  const rows = await ctx.database.db
    .select({ channel: supportTickets.channel, score: csatResponses.score, n: sql<number>`count(*)::int` })
    .from(csatResponses)
    .leftJoin(supportTickets, eq(supportTickets.id, csatResponses.ticketId))
    .where(and(gte(csatResponses.createdAt, range.from), lt(csatResponses.createdAt, range.to)))
    .groupBy(supportTickets.channel, csatResponses.score);
  const all = emptyStats();
  const deliveries = emptyStats();
  const tickets = emptyStats();
  const byChannel = new Map<SupportChannelValue, CsatStats>();
  for (const r of rows) {
    const n = Number(r.n);
    add(all, r.score, n);
    if (!r.channel) add(deliveries, r.score, n);
    else {
      add(tickets, r.score, n);
      add(byChannel.get(r.channel) ?? byChannel.set(r.channel, emptyStats()).get(r.channel)!, r.score, n);
    }
  }
  return {
    from: range.from,
    to: range.to,
    all: finish(all),
    deliveries: finish(deliveries),
    tickets: finish(tickets),
    ticketChannels: SUPPORT_CHANNELS.filter((c) => byChannel.has(c)).map((channel) => ({ channel, ...finish(byChannel.get(channel)!) })),
  };
}
