/**
 * The demo store's customer service over the order history: tickets about demo orders (and a few
 * about nothing in particular) opened by their customers, answered by an agent within the SLA or
 * late or not at all, most of the answered ones resolved; and CSAT answers about delivered orders
 * and resolved tickets, a few of them changed a day later (the answer counted is the last one).
 * Everything goes through the support services at its own time on the ManualClock, which ends where
 * it started. Deterministic; nothing is created when the store already has a ticket or a CSAT answer.
 */
import { sql } from 'drizzle-orm';
import { listOrders, type OrderRow } from '../src/modules/orders/order.service.js';
import { submitCsat } from '../src/modules/support/csat.service.js';
import { createTicket, replyToTicket, updateTicket } from '../src/modules/support/ticket.service.js';
import { ManualClock } from '../src/shared/clock.js';
import { BusinessError } from '../src/shared/errors.js';
import { CUSTOMER_SCOPES, type Principal } from '../src/shared/principal.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { prng } from './lib/prng.js';

const HOUR = 3_600_000;
const SEED = 0x5eed5a7;

export interface SupportSeedResult {
  skipped: boolean;
  tickets: number;
  answeredInSla: number;
  answeredLate: number;
  unanswered: number;
  resolved: number;
  csat: { orders: number; tickets: number; changed: number };
  failures: string[];
}

/** Scores 1..5 as demo customers give them: mostly content, a tail of unhappy ones. */
const SCORES = [0.05, 0.07, 0.13, 0.32, 0.43];
function score(x: number, shift = 0): number {
  let acc = 0;
  for (let s = 0; s < 5; s++) {
    acc += SCORES[s]!;
    if (x < acc) return Math.min(5, Math.max(1, s + 1 + shift));
  }
  return 5;
}

const SUBJECTS = [
  ['Где мой заказ?', 'Подскажите, пожалуйста, когда приедет заказ.'],
  ['Wrong size', 'I would like to know how to exchange an item for another size.'],
  ['Повреждённая упаковка', 'Коробка пришла помятой, товар вроде цел.'],
  ['Change delivery address', 'Can you deliver to my office instead?'],
  ['Вопрос по оплате', 'Списали деньги дважды?'],
] as const;

type Step =
  | { at: number; kind: 'open'; n: number; order: OrderRow | null; customerId: string; subject: number }
  | { at: number; kind: 'reply'; n: number }
  | { at: number; kind: 'resolve'; n: number }
  | { at: number; kind: 'csat-ticket'; n: number; customerId: string; score: number }
  | { at: number; kind: 'csat-order'; orderId: string; customerId: string; score: number };

async function allDemoOrders(ctx: ServiceContext, prefix: string): Promise<OrderRow[]> {
  const out: OrderRow[] = [];
  for (let afterId: string | null = null; ; ) {
    const page = await listOrders(ctx, { first: 100, afterId });
    out.push(...page.items.filter((o) => o.externalId?.startsWith(prefix)));
    if (!page.hasNextPage || !page.items.length) return out;
    afterId = page.items[page.items.length - 1]!.id;
  }
}

/** Tickets and CSAT answers over the demo orders with `prefix` (see the module doc). */
export async function seedSupportHistory(ctx: ServiceContext, opts: { prefix: string; clock?: ManualClock }): Promise<SupportSeedResult> {
  const out: SupportSeedResult = { skipped: false, tickets: 0, answeredInSla: 0, answeredLate: 0, unanswered: 0, resolved: 0, csat: { orders: 0, tickets: 0, changed: 0 }, failures: [] };
  const clock = opts.clock ?? (ctx.clock instanceof ManualClock ? ctx.clock : null);
  if (!clock) throw new Error('seedSupportHistory needs a ManualClock (pass opts.clock, or build the app with one)');
  const [present] = await ctx.database.rows<{ n: number }>(
    sql`select ((select count(*) from support_tickets) + (select count(*) from csat_responses))::int as n`,
  );
  if (Number(present?.n ?? 0) > 0) return { ...out, skipped: true };
  const orders = (await allDemoOrders(ctx, opts.prefix)).sort((a, b) => (a.externalId! < b.externalId! ? -1 : 1));
  if (!orders.length) return out;
  const end = clock.now().getTime();
  const sla = ctx.config.SUPPORT_SLA_HOURS.NORMAL * HOUR;
  const r = prng(SEED);
  const steps: Step[] = [];
  let n = 0;
  const ticket = (order: OrderRow | null, customerId: string, at: number) => {
    const id = n++;
    steps.push({ at, kind: 'open', n: id, order, customerId, subject: Math.floor(r.next() * SUBJECTS.length) });
    const x = r.next();
    // 70% answered within the SLA, 22% late, 8% never (open: overdue, or still within its SLA when recent).
    const reply = x < 0.7 ? at + sla * (0.05 + 0.9 * r.next()) : x < 0.92 ? at + sla * (1.1 + 2 * r.next()) : null;
    if (reply == null || reply > end) return;
    steps.push({ at: reply, kind: 'reply', n: id });
    if (r.next() >= 0.75) return;
    const resolved = reply + (1 + 20 * r.next()) * HOUR;
    if (resolved > end) return;
    steps.push({ at: resolved, kind: 'resolve', n: id });
    if (r.next() >= 0.6) return;
    const rated = resolved + (0.5 + 30 * r.next()) * HOUR;
    // A late answer leaves customers a little less happy.
    if (rated <= end) steps.push({ at: rated, kind: 'csat-ticket', n: id, customerId, score: score(r.next(), reply - at > sla ? -1 : 0) });
  };
  for (const o of orders) {
    const placed = o.createdAt.getTime();
    if (r.next() < 0.18) ticket(o, o.customerId, placed + (1 + 240 * r.next()) * HOUR);
    if (o.status === 'DELIVERED' && o.deliveredAt && r.next() < 0.45) {
      const at = o.deliveredAt.getTime() + (2 + 70 * r.next()) * HOUR;
      if (at > end) continue;
      const first = score(r.next());
      steps.push({ at, kind: 'csat-order', orderId: o.id, customerId: o.customerId, score: first });
      // Some change their mind the next day (within the 7-day window): the last answer counts.
      const again = at + (20 + 10 * r.next()) * HOUR;
      if (r.next() < 0.08 && again <= end) steps.push({ at: again, kind: 'csat-order', orderId: o.id, customerId: o.customerId, score: first >= 4 ? first - 2 : first + 1 });
    }
  }
  // A few questions about nothing ordered (no order: counted only in unfiltered KPIs).
  const buyers = [...new Set(orders.map((o) => o.customerId))];
  const first = orders[0]!.createdAt.getTime();
  for (let i = 0; i < Math.max(3, Math.round(orders.length / 40)); i++) ticket(null, r.pick(buyers), first + r.next() * (end - first));
  steps.sort((a, b) => a.at - b.at);

  const ids = new Map<number, string>();
  const late = new Set<number>();
  const as = (customerId: string): ServiceContext => ({ ...ctx, principal: Object.freeze({ kind: 'CUSTOMER', name: null, scopes: CUSTOMER_SCOPES, customerId }) as Principal });
  const rated = new Set<string>();
  try {
    for (const s of steps) {
      if (s.kind !== 'open' && s.kind !== 'csat-order' && !ids.has(s.n)) continue;
      clock.set(new Date(s.at));
      try {
        if (s.kind === 'open') {
          const [subject, body] = SUBJECTS[s.subject]!;
          const t = await createTicket(as(s.customerId), { channel: s.order ? 'WEB' : 'EMAIL', subject, body, orderNumber: s.order?.number ?? null });
          ids.set(s.n, t.id);
          out.tickets++;
        } else if (s.kind === 'reply') {
          const t = await replyToTicket(ctx, { ticketId: ids.get(s.n)!, body: 'Здравствуйте! Разобрались: всё в порядке, подробности в письме.' });
          if (t.firstResponseAt && t.firstResponseAt > t.slaDueAt) late.add(s.n);
        } else if (s.kind === 'resolve') {
          await updateTicket(ctx, { ticketId: ids.get(s.n)!, status: 'RESOLVED' });
          out.resolved++;
        } else if (s.kind === 'csat-ticket') {
          await submitCsat(as(s.customerId), { ticketId: ids.get(s.n)!, score: s.score });
          out.csat.tickets++;
        } else {
          await submitCsat(as(s.customerId), { orderId: s.orderId, score: s.score });
          if (rated.has(s.orderId)) out.csat.changed++;
          else out.csat.orders++;
          rated.add(s.orderId);
        }
      } catch (err) {
        if (!(err instanceof BusinessError)) throw err;
        out.failures.push(`${s.kind}: ${err.message}`);
      }
    }
  } finally {
    clock.set(new Date(end));
  }
  const replied = new Set(steps.filter((s) => s.kind === 'reply' && ids.has(s.n)).map((s) => (s as { n: number }).n));
  out.answeredLate = late.size;
  out.answeredInSla = replied.size - late.size;
  out.unanswered = out.tickets - replied.size;
  return out;
}
