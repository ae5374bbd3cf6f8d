/**
 * Issue 17, CSAT and support e-mails, end to end over HTTP: a customer rates its delivered order
 * and its resolved ticket (a second answer replaces the first within 7 days, later CSAT_CLOSED, on
 * a ManualClock), every bad input answered with a userError and nothing written, Order.csat for the
 * owner and staff in constant statements per list, the staff summary; the survey e-mail queued on
 * delivery, due after the configured delay and not sent once the customer rated the order; an
 * agent's public reply e-mailed verbatim for an EMAIL ticket, not for a CHAT ticket, an internal
 * note or a customer known only by phone; logs without addresses or message texts.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOfType, toGlobalId } from '../../src/graphql/relay.js';
import { ManualClock } from '../../src/shared/clock.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import {
  CsatNotificationsDocument,
  CsatOrderDocument,
  CsatOrdersDocument,
  CsatSubmitDocument,
  CsatSummaryDocument,
  CsatTicketDocument,
  SupportTApiKeyCreateDocument,
  SupportTCreateDocument,
  SupportTReplyDocument,
  SupportTUpdateDocument,
  type CsatSubmitInput,
} from '../generated/graphql.js';
import { settle, startApp, waitFor, type TestApp } from '../harness.js';

const DAY = 86_400_000;
const HOUR = 3_600_000;

describe('csatSubmit, Order.csat and csatSummary', () => {
  const start = new Date();
  const clock = new ManualClock(start);
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ clock, env: { CSAT_SURVEY_DELAY_HOURS: '0' } });
  }, 60_000);
  afterAll(() => t?.close());

  const submit = (input: CsatSubmitInput, token: string | null) => t.gql(CsatSubmitDocument, { input }, { token });
  const rows = async () => (await t.app.database.rows<{ n: number }>(sql`select count(*)::int as n from csat_responses`))[0]!.n;
  let rated: DeliveredOrder;

  it('the customer rates its delivered order; a second answer within 7 days replaces it; after 7 days CSAT_CLOSED', async () => {
    rated = await deliveredOrder(t);
    const comment = `  <script>alert('x')</script> {count, plural, one {#} other {#}} it's fine  `;
    const first = (await submit({ orderId: rated.orderId, score: 4, comment }, rated.customerToken)).data!.csatSubmit;
    expect(first.userErrors).toEqual([]);
    expect(first.csat).toMatchObject({ score: 4, comment: comment.trim(), order: { id: rated.orderId, number: rated.orderNumber }, ticket: null });
    expect(first.csat!.createdAt).toBe(start.toISOString());

    clock.advance(6 * DAY + 23 * HOUR);
    const second = (await submit({ orderId: rated.orderId, score: 2, comment: '' }, rated.customerToken)).data!.csatSubmit;
    expect(second.userErrors).toEqual([]);
    expect(second.csat).toMatchObject({ score: 2, comment: null, createdAt: start.toISOString(), updatedAt: clock.now().toISOString() });

    const mine = (await t.gql(CsatOrderDocument, { id: rated.orderId }, { token: rated.customerToken })).data!.order!;
    const staff = (await t.admin(CsatOrderDocument, { id: rated.orderId })).order!;
    expect(mine.csat).toMatchObject({ score: 2, comment: null, order: { id: rated.orderId } });
    expect(staff.csat).toEqual(mine.csat);

    clock.advance(2 * HOUR);
    const closed = (await submit({ orderId: rated.orderId, score: 5, comment: 'changed my mind' }, rated.customerToken)).data!.csatSubmit;
    expect(closed).toEqual({ csat: null, userErrors: [expect.objectContaining({ code: 'CSAT_CLOSED', field: ['input', 'orderId'] })] });
    expect((await t.admin(CsatOrderDocument, { id: rated.orderId })).order!.csat).toMatchObject({ score: 2, comment: null });
    expect(await rows()).toBe(1);
  });

  let ticketOwner: DeliveredOrder;
  it('a ticket is rated once resolved (or closed after being resolved), not while open or when closed unresolved', async () => {
    ticketOwner = await deliveredOrder(t, { deliveredAt: null });
    const open = async (subject: string) =>
      (await t.gql(SupportTCreateDocument, { input: { channel: 'WEB', subject, body: 'My parcel is late, please help.' } }, { token: ticketOwner.customerToken })).data!.supportTicketCreate.ticket!;
    const ticket = await open('Late parcel');
    const notYet = (await submit({ ticketId: ticket.id, score: 5 }, ticketOwner.customerToken)).data!.csatSubmit;
    expect(notYet.userErrors).toEqual([expect.objectContaining({ code: 'TICKET_NOT_RESOLVED', field: ['input', 'ticketId'] })]);

    expect((await t.admin(SupportTUpdateDocument, { input: { ticketId: ticket.id, status: 'RESOLVED' } })).supportTicketUpdate.userErrors).toEqual([]);
    expect((await t.admin(SupportTUpdateDocument, { input: { ticketId: ticket.id, status: 'CLOSED' } })).supportTicketUpdate.userErrors).toEqual([]);
    const done = (await submit({ ticketId: ticket.id, score: 5, comment: 'Quick and kind.' }, ticketOwner.customerToken)).data!.csatSubmit;
    expect(done.userErrors).toEqual([]);
    expect(done.csat).toMatchObject({ score: 5, comment: 'Quick and kind.', order: null, ticket: { id: ticket.id, status: 'CLOSED' } });
    expect((await t.gql(CsatTicketDocument, { id: ticket.id }, { token: ticketOwner.customerToken })).data!.supportTicket!.csat).toMatchObject({ score: 5, ticket: { id: ticket.id } });

    const unresolved = await open('Wrong size');
    expect((await t.admin(SupportTUpdateDocument, { input: { ticketId: unresolved.id, status: 'CLOSED' } })).supportTicketUpdate.userErrors).toEqual([]);
    const refused = (await submit({ ticketId: unresolved.id, score: 1 }, ticketOwner.customerToken)).data!.csatSubmit;
    expect(refused.userErrors).toEqual([expect.objectContaining({ code: 'TICKET_NOT_RESOLVED' })]);
    expect(await rows()).toBe(2);
  });

  it('bad input is a userError and writes nothing; only a customer token rates', async () => {
    const before = await rows();
    const token = ticketOwner.customerToken;
    const codes = async (input: CsatSubmitInput, tk: string | null = token) => {
      const r = (await submit(input, tk)).data!.csatSubmit;
      expect(r.csat).toBeNull();
      return r.userErrors.map((e) => [e.code, e.field]);
    };
    // ticketOwner's order is shipped, not delivered.
    expect(await codes({ orderId: ticketOwner.orderId, score: 5 })).toEqual([['ORDER_NOT_DELIVERED', ['input', 'orderId']]]);
    expect(await codes({ orderId: rated.orderId, score: 0 })).toEqual([['INVALID', ['input', 'score']]]);
    expect(await codes({ orderId: rated.orderId, score: 6 })).toEqual([['INVALID', ['input', 'score']]]);
    expect(await codes({ score: 3 })).toEqual([['INVALID', ['input', 'orderId']]]);
    expect(await codes({ orderId: ticketOwner.orderId, ticketId: toGlobalId('SupportTicket', randomUUID()), score: 3 })).toEqual([['INVALID', ['input', 'ticketId']]]);
    expect(await codes({ orderId: ticketOwner.orderId, score: 3, comment: 'x'.repeat(2001) })).toEqual([['TOO_LONG', ['input', 'comment']]]);
    // Someone else's order, an unknown one and a malformed id look the same.
    const someoneElses = (await submit({ orderId: rated.orderId, score: 5 }, token)).data!.csatSubmit.userErrors;
    const unknown = (await submit({ orderId: toGlobalId('Order', randomUUID()), score: 5 }, token)).data!.csatSubmit.userErrors;
    const malformed = (await submit({ orderId: 'not-an-id', score: 5 }, token)).data!.csatSubmit.userErrors;
    expect(someoneElses).toEqual([{ code: 'NOT_FOUND', field: ['input', 'orderId'], message: 'No such order.' }]);
    expect(unknown).toEqual(someoneElses);
    expect(malformed).toEqual(someoneElses);
    expect(await codes({ ticketId: toGlobalId('SupportTicket', randomUUID()), score: 5 }, rated.customerToken)).toEqual([['NOT_FOUND', ['input', 'ticketId']]]);
    // A staff key or an anonymous caller cannot answer for a customer.
    const staff = await t.gql(CsatSubmitDocument, { input: { orderId: rated.orderId, score: 5 } });
    expect(staff.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const anonymous = await t.gql(CsatSubmitDocument, { input: { orderId: rated.orderId, score: 5 } }, { token: null });
    expect(anonymous.errors?.[0]?.extensions?.code).toMatch(/UNAUTHENTICATED|FORBIDDEN/);
    expect(await rows()).toBe(before);
  });

  it('Order.csat in a list of orders costs constant statements; staff get a summary per kind and channel', async () => {
    const more = [await deliveredOrder(t), await deliveredOrder(t)];
    for (const [i, o] of more.entries()) {
      expect((await submit({ orderId: o.orderId, score: [5, 3][i]! }, o.customerToken)).data!.csatSubmit.userErrors).toEqual([]);
    }
    const list = async (first: number) => {
      const r = await t.gql(CsatOrdersDocument, { first });
      return { nodes: r.data!.orders.nodes, statements: Number(r.headers.get('x-sql-statements')) };
    };
    const one = await list(1);
    const all = await list(10);
    expect(all.nodes.length).toBeGreaterThanOrEqual(4);
    expect(all.nodes.filter((n) => n.csat).map((n) => n.csat!.score).sort()).toEqual([2, 3, 5]);
    expect(all.nodes.filter((n) => n.csat).every((n) => n.csat!.order!.id === n.id)).toBe(true);
    expect(all.statements).toBe(one.statements);
    // A customer's list shows its own order and answer only.
    const own = (await t.gql(CsatOrdersDocument, { first: 10 }, { token: more[0]!.customerToken })).data!.orders.nodes;
    expect(own.map((n) => [n.id, n.csat?.score])).toEqual([[more[0]!.orderId, 5]]);

    const range = { from: new Date(start.getTime() - HOUR).toISOString(), to: new Date(clock.now().getTime() + HOUR).toISOString() };
    const s = (await t.admin(CsatSummaryDocument, range)).csatSummary;
    expect(s.deliveries).toEqual({ count: 3, average: 3.33, distribution: [0, 1, 1, 0, 1] });
    expect(s.tickets).toEqual({ count: 1, average: 5, distribution: [0, 0, 0, 0, 1] });
    expect(s.all).toEqual({ count: 4, average: 3.75, distribution: [0, 1, 1, 0, 2] });
    expect(s.ticketChannels).toEqual([{ channel: 'WEB', count: 1, average: 5, distribution: [0, 0, 0, 0, 1] }]);
    // The period counts answers by their first time: none before the first answer.
    const empty = (await t.admin(CsatSummaryDocument, { from: new Date(start.getTime() - DAY).toISOString(), to: new Date(start.getTime() - HOUR).toISOString() })).csatSummary;
    expect(empty.all).toEqual({ count: 0, average: null, distribution: [0, 0, 0, 0, 0] });
    const customer = await t.gql(CsatSummaryDocument, range, { token: more[0]!.customerToken });
    expect(customer.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });

  it('concurrent first answers about one order make one row (one conditional upsert, no read-modify-write)', async () => {
    const o = await deliveredOrder(t);
    const answers = await Promise.all([1, 2, 3, 4, 5, 4, 3, 2].map((score) => submit({ orderId: o.orderId, score }, o.customerToken)));
    expect(answers.flatMap((a) => a.data!.csatSubmit.userErrors)).toEqual([]);
    const stored = await t.app.database.rows<{ score: number }>(sql`select score from csat_responses where order_id = ${idOfType(o.orderId, 'Order')!}`);
    expect(stored).toHaveLength(1);
    expect(answers.map((a) => a.data!.csatSubmit.csat!.score)).toContain(stored[0]!.score);
  });
});

describe('survey and reply e-mails', () => {
  let t: TestApp;
  const lines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _enc, cb) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  beforeAll(async () => {
    t = await startApp({ env: { PUBLIC_URL: 'https://shop.example', NOTIFICATION_POLL_MS: '60000' }, log: pino({ level: 'debug', base: null }, capture) });
  }, 60_000);
  afterAll(() => t?.close());

  interface Row {
    id: string;
    template: string;
    status: string;
    locale: string;
    recipient: string;
    subject: string;
    body: string;
    next_attempt_at: Date | string;
    last_error: string | null;
    sent_at: Date | string | null;
  }
  const select = sql`select id, template, status, locale, recipient, subject, body, next_attempt_at, last_error, sent_at from notifications`;
  const surveyOf = (o: DeliveredOrder) =>
    waitFor(
      'the survey',
      async () => (await t.app.database.rows<Row>(sql`${select} where order_id = ${idOfType(o.orderId, 'Order')!} and template = 'csat_survey'`))[0],
      (r) => !!r,
    ).then((r) => r!);

  it('queues the survey on delivery in the customer\'s language with the rating link; sends it when due', async () => {
    const deliveredAt = new Date(Date.now() - 25 * HOUR);
    const o = await deliveredOrder(t, { deliveredAt });
    const survey = await surveyOf(o);
    // Due an hour ago: the sender, woken by the queueing, may have sent it already.
    expect(survey).toMatchObject({ locale: 'ru', recipient: o.customerEmail.toLowerCase(), subject: `Как вам доставка заказа ${o.orderNumber}?` });
    expect(survey.body).toContain(`Оцените, пожалуйста, доставку от 1 до 5`);
    expect(survey.body).toContain(`https://shop.example/orders/${o.orderNumber}/rate`);
    await t.app.notifications.drain();
    const sent = (await t.gql(CsatNotificationsDocument, { id: o.orderId })).data!.order!.notifications;
    expect(sent.find((n) => n.template === 'csat_survey')).toMatchObject({ status: 'SENT', sentAt: expect.any(String) });
    expect(sent.find((n) => n.template === 'order_delivered')).toMatchObject({ status: 'SENT' });
  });

  it('queues it due CSAT_SURVEY_DELAY_HOURS (default 24) after the delivery; does not send it before, nor once the customer rated the order', async () => {
    const deliveredAt = new Date(Date.now() - HOUR);
    const o = await deliveredOrder(t, { deliveredAt });
    const survey = await surveyOf(o);
    expect(new Date(survey.next_attempt_at).getTime()).toBe(deliveredAt.getTime() + 24 * HOUR);
    await t.app.notifications.drain();
    expect((await surveyOf(o)).status).toBe('PENDING');
    expect((await t.gql(CsatSubmitDocument, { input: { orderId: o.orderId, score: 5 } }, { token: o.customerToken })).data!.csatSubmit.userErrors).toEqual([]);
    // The day passes.
    await t.app.database.rows(sql`update notifications set next_attempt_at = now() where id = ${survey.id}`);
    await t.app.notifications.drain();
    const after = await surveyOf(o);
    expect(after).toMatchObject({ status: 'FAILED', sent_at: null, last_error: 'Not sent: the customer rated the order before the survey was due.' });
    expect(lines.some((l) => l.includes(survey.id) && l.includes('logged, not sent'))).toBe(false);
  });

  it("e-mails an agent's public reply on an EMAIL ticket verbatim in the ticket's language; not a CHAT ticket, an internal note or a phone-only customer", async () => {
    const gateway = (await t.admin(SupportTApiKeyCreateDocument, { input: { name: 'mail-gateway', kind: 'PARTNER', scopes: ['write_support'] } })).apiKeyCreate.secret!;
    const email = `anna.${randomUUID().slice(0, 8)}@example.com`;
    const open = async (channel: 'EMAIL' | 'CHAT' | 'WEB', sender: { customerEmail?: string; customerPhone?: string }, subject: string) => {
      const r = await t.gql(SupportTCreateDocument, { input: { channel, subject, body: 'Where is my parcel? It was due yesterday.', language: 'en', ...sender } }, { token: gateway });
      expect(r.data!.supportTicketCreate.userErrors).toEqual([]);
      return r.data!.supportTicketCreate.ticket!;
    };
    const reply = async (ticketId: string, body: string, internal = false) =>
      expect((await t.admin(SupportTReplyDocument, { input: { ticketId, body, internal } })).supportTicketReply.userErrors).toEqual([]);
    const repliesOf = (ticketId: string) => t.app.database.rows<Row>(sql`${select} where ticket_id = ${idOfType(ticketId, 'SupportTicket')!} order by created_at`);

    const chat = await open('CHAT', { customerEmail: email }, 'Chat question');
    const phoneOnly = await open('WEB', { customerPhone: `+7 900 ${String(Date.now() % 1000).padStart(3, '0')}-12-34` }, 'Call me');
    const mail = await open('EMAIL', { customerEmail: email }, "Parcel {late} & 'lost'");
    await reply(chat.id, 'Your parcel is on its way.');
    await reply(phoneOnly.id, 'We will call you back.');
    await reply(mail.id, 'Internal: customer is VIP, check the Kazan warehouse', true);
    const text = `Hello! Use code {SAVE10} — it's "free" <script>alert('x')</script> & {count, plural, one {#} other {#}} it''s '{done}'`;
    await reply(mail.id, text);

    // The relay handles events in order: once the EMAIL reply's row is there, the others were handled too.
    const [row] = await waitFor('the reply e-mail', () => repliesOf(mail.id), (r) => r.length > 0);
    expect(await repliesOf(mail.id)).toHaveLength(1);
    expect(row).toMatchObject({ template: 'support_reply', locale: 'en', recipient: email, subject: `Re: Parcel {late} & 'lost' [${mail.number}]` });
    expect(row!.body).toContain(`\n\n${text}\n\n`);
    expect(row!.body).not.toContain('VIP');
    expect(await repliesOf(chat.id)).toEqual([]);
    expect(await repliesOf(phoneOnly.id)).toEqual([]);

    await t.app.notifications.drain();
    expect((await repliesOf(mail.id))[0]).toMatchObject({ status: 'SENT', last_error: null });
    // Logs name notifications by id: no address, subject or text of the customer's or the agent's.
    await settle(100);
    const logged = lines.join('\n');
    expect(logged).toContain(row!.id);
    for (const secret of [email, 'SAVE10', 'Parcel {late}', 'VIP']) expect(logged).not.toContain(secret);
  });
});
