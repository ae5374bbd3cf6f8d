/**
 * Issue 17, tickets, end to end over HTTP and graphql-ws: a customer's ticket about its own order
 * in its language, the agent's first response and the status it drives, internal notes that never
 * reach the customer (HTTP, WebSocket, webhook), channel gateways that name the sender by phone or
 * e-mail (found or created), SLA deadlines per priority and the breachedSla filter, bad input that
 * writes nothing, who reads what, and list queries in constant statements.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGlobalId } from '../../src/graphql/relay.js';
import { deliveredOrder } from '../factories/returns.js';
import { webhookReceiver, type WebhookReceiver } from '../factories/webhooks.js';
import {
  SupportTApiKeyCreateDocument,
  SupportTCreateDocument,
  SupportTCustomerCreateDocument,
  SupportTListDocument,
  SupportTNodeDocument,
  SupportTOneDocument,
  SupportTReplyDocument,
  SupportTTokenDocument,
  SupportTUpdateDocument,
  SupportTWebhookCreateDocument,
  type SupportTicketCreateInput,
} from '../generated/graphql.js';
import { collect, settle, startApp, waitFor, type TestApp } from '../harness.js';

const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery staple';

describe('support tickets', () => {
  let t: TestApp;
  let hooks: WebhookReceiver;
  let gateway: string;

  beforeAll(async () => {
    hooks = await webhookReceiver();
    // URGENT tickets are due after about a second here, so the breachedSla filter can be seen to work.
    t = await startApp({ env: { SUPPORT_SLA_HOURS: 'URGENT=0.0003,HIGH=4', WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100' } });
    gateway = (await t.admin(SupportTApiKeyCreateDocument, { input: { name: 'chat-gateway', kind: 'PARTNER', scopes: ['write_support'] } })).apiKeyCreate.secret!;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
    await hooks?.close();
  });

  const open = (input: SupportTicketCreateInput, token: string | null) => t.gql(SupportTCreateDocument, { input }, { token });
  const reply = (ticketId: string, body: string, token: string | null, internal = false) => t.gql(SupportTReplyDocument, { input: { ticketId, body, internal } }, { token });
  const total = async () => (await t.admin(SupportTListDocument, { first: 1 })).supportTickets.totalCount;

  it('a customer asks about its own order in Russian; the agent answers; the customer writes back; internal notes never reach the customer', async () => {
    expect((await t.admin(SupportTWebhookCreateDocument, { input: { topic: 'SUPPORT_TICKET_UPDATED', url: hooks.url } })).webhookSubscriptionCreate.userErrors).toEqual([]);
    const o = await deliveredOrder(t, { deliveredAt: null });
    const created = await open({ channel: 'CHAT', subject: 'Где мой заказ?', body: `Здравствуйте! Заказ ${o.orderNumber} ещё не пришёл, подскажите, когда ждать?`, orderNumber: o.orderNumber.toLowerCase() }, o.customerToken);
    expect(created.data!.supportTicketCreate.userErrors).toEqual([]);
    const ticket = created.data!.supportTicketCreate.ticket!;
    expect(ticket).toMatchObject({ channel: 'CHAT', status: 'OPEN', priority: 'NORMAL', language: 'ru', order: { id: o.orderId, number: o.orderNumber }, firstResponseAt: null, customer: { email: o.customerEmail.toLowerCase() } });
    expect(ticket.number).toMatch(/^T-\d{6}$/);
    expect(new Date(ticket.slaDueAt as string).getTime() - new Date(ticket.createdAt as string).getTime()).toBe(24 * HOUR);
    expect(ticket.messages).toEqual([expect.objectContaining({ authorKind: 'CUSTOMER', internal: false, channel: 'CHAT', language: 'ru' })]);

    const customerLive = collect<{ supportTicketMessageAdded: { message: { authorKind: string; body: string; internal: boolean }; ticket: { status: string } } }>(
      t.ws(o.customerToken),
      `subscription($id: ID!) { supportTicketMessageAdded(ticketId: $id) { message { authorKind body internal } ticket { status } } }`,
      { id: ticket.id },
    );
    const staffLive = collect<{ supportTicketMessageAdded: { message: { body: string; internal: boolean } } }>(t.ws(), `subscription($id: ID!) { supportTicketMessageAdded(ticketId: $id) { message { body internal } } }`, { id: ticket.id });
    await settle(300);

    const note = await reply(ticket.id, 'Клиент VIP, проверить склад в Казани', t.adminKey, true);
    expect(note.data!.supportTicketReply.ticket).toMatchObject({ status: 'OPEN', firstResponseAt: null });
    const answer = await reply(ticket.id, 'Добрый день! Заказ передан курьеру, доставка завтра.', t.adminKey);
    const answered = answer.data!.supportTicketReply.ticket!;
    expect(answered.status).toBe('PENDING_CUSTOMER');
    expect(answered.firstResponseAt).not.toBeNull();
    const again = await reply(ticket.id, 'Спасибо! А можно к 18:00?', o.customerToken);
    expect(again.data!.supportTicketReply.ticket!.status).toBe('OPEN');
    // A later agent reply is not the first response.
    const later = await reply(ticket.id, 'Передали курьеру вашу просьбу.', t.adminKey);
    expect(later.data!.supportTicketReply.ticket!.firstResponseAt).toBe(answered.firstResponseAt);

    const mine = (await t.gql(SupportTOneDocument, { id: ticket.id }, { token: o.customerToken })).data!.supportTicket!;
    expect(mine.messages.map((m) => m.authorKind)).toEqual(['CUSTOMER', 'AGENT', 'CUSTOMER', 'AGENT']);
    expect(mine.messages.some((m) => m.internal || m.body.includes('VIP'))).toBe(false);
    const staffView = (await t.admin(SupportTOneDocument, { id: ticket.id })).supportTicket!;
    expect(staffView.messages.map((m) => m.internal)).toEqual([false, true, false, false, false]);

    const heard = await customerLive.next(3);
    expect(heard.map((h) => h.data!.supportTicketMessageAdded.message.authorKind)).toEqual(['AGENT', 'CUSTOMER', 'AGENT']);
    expect(heard.every((h) => !h.data!.supportTicketMessageAdded.message.internal)).toBe(true);
    expect((await staffLive.next(4)).map((h) => h.data!.supportTicketMessageAdded.message.internal)).toEqual([true, false, false, false]);

    // The gateway's webhook: the ticket opened, its status changes and public messages; never the note.
    await waitFor('webhook messages', () => hooks.of((b) => b.data.number === ticket.number).length, (n) => n >= 8);
    const ofTicket = hooks.of((b) => b.data.number === ticket.number);
    expect(ofTicket.every((b) => b.topic === 'SUPPORT_TICKET_UPDATED')).toBe(true);
    expect(JSON.stringify(ofTicket)).not.toContain('VIP');
    expect(ofTicket.filter((b) => b.data.kind === 'STATUS_CHANGED').map((b) => b.data.status)).toEqual(['OPEN', 'PENDING_CUSTOMER', 'OPEN', 'PENDING_CUSTOMER']);
    expect(ofTicket.filter((b) => b.data.kind === 'MESSAGE_ADDED').map((b) => (b.data.message as { authorKind: string }).authorKind)).toEqual(['CUSTOMER', 'AGENT', 'CUSTOMER', 'AGENT']);
    customerLive.dispose();
    staffLive.dispose();
  });

  it('a channel gateway names the sender by phone or e-mail (found or created); the language of a new customer is detected; SLA follows the priority', async () => {
    const first = await open({ channel: 'PHONE', subject: 'Звонок: не пришла посылка', body: 'Клиентка звонила, посылка не пришла уже неделю', customerPhone: '8 (900) 123-45-67', priority: 'HIGH' }, gateway);
    expect(first.data!.supportTicketCreate.userErrors).toEqual([]);
    const a = first.data!.supportTicketCreate.ticket!;
    expect(a).toMatchObject({ channel: 'PHONE', priority: 'HIGH', language: 'ru', customer: { phone: '+79001234567' } });
    expect(new Date(a.slaDueAt as string).getTime() - new Date(a.createdAt as string).getTime()).toBe(4 * HOUR);
    // The same number written another way: the same customer.
    const second = (await open({ channel: 'MESSENGER', subject: 'Follow-up', body: 'Any news about my parcel?', customerPhone: '+7 900 123 45 67' }, gateway)).data!.supportTicketCreate.ticket!;
    expect(second.customer!.id).toBe(a.customer!.id);
    expect(second.language).toBe('ru'); // the customer's locale (set from the first ticket) beats detection

    const byMail = (await open({ channel: 'EMAIL', subject: 'Invoice', body: 'Please send me the invoice for my last order.', customerEmail: `New.Buyer.${randomUUID().slice(0, 8)}@Example.com` }, gateway)).data!.supportTicketCreate.ticket!;
    expect(byMail.language).toBe('en');
    expect(byMail.customer!.email).toBe(byMail.customer!.email.toLowerCase());

    // The gateway relays the customer's replies; it writes no internal notes.
    expect((await reply(a.id, 'Клиентка перезвонила: посылку получила', gateway)).data!.supportTicketReply.ticket!.messages.at(-1)!.authorKind).toBe('CUSTOMER');
    expect((await reply(a.id, 'note', gateway, true)).data!.supportTicketReply.userErrors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    // A channel gateway without read_orders does not see orders through tickets.
    const o = await deliveredOrder(t, { deliveredAt: null });
    const linked = (await open({ channel: 'EMAIL', subject: 'Q', body: 'Where is it?', customerEmail: o.customerEmail, orderNumber: o.orderNumber }, gateway)).data!.supportTicketCreate.ticket!;
    expect(linked.order).toBeNull();
    expect((await t.admin(SupportTOneDocument, { id: linked.id })).supportTicket!.order!.number).toBe(o.orderNumber);
  });

  it('bad input gets its code and writes nothing; HTML is kept as plain text', async () => {
    const o = await deliveredOrder(t, { deliveredAt: null });
    const other = await deliveredOrder(t, { deliveredAt: null });
    const before = await total();
    const cases: [SupportTicketCreateInput, string | null, string[]][] = [
      [{ channel: 'CHAT', subject: 'Hi', body: '   ' }, o.customerToken, ['INVALID']],
      [{ channel: 'CHAT', subject: 'Hi', body: 'x'.repeat(100_000) }, o.customerToken, ['TOO_LONG']],
      [{ channel: 'CHAT', subject: 's'.repeat(201), body: 'x' }, o.customerToken, ['TOO_LONG']],
      [{ channel: 'CHAT', subject: 'Hi', body: 'x', orderNumber: other.orderNumber }, o.customerToken, ['NOT_FOUND']],
      [{ channel: 'CHAT', subject: 'Hi', body: 'x', orderNumber: 'WB-999999999' }, o.customerToken, ['NOT_FOUND']],
      [{ channel: 'CHAT', subject: 'Hi', body: 'x', priority: 'URGENT' }, o.customerToken, ['INVALID']],
      [{ channel: 'CHAT', subject: 'Hi', body: 'x', language: 'not a tag!' }, o.customerToken, ['INVALID']],
      [{ channel: 'EMAIL', subject: 'Hi', body: 'x', customerEmail: 'not-an-email' }, gateway, ['INVALID']],
      [{ channel: 'PHONE', subject: 'Hi', body: 'x', customerPhone: '12345' }, gateway, ['INVALID']],
      [{ channel: 'PHONE', subject: 'Hi', body: 'x' }, gateway, ['INVALID']],
      [{ channel: 'EMAIL', subject: 'Hi', body: 'x', customerEmail: other.customerEmail, orderNumber: o.orderNumber }, gateway, ['NOT_FOUND']],
    ];
    for (const [input, token, codes] of cases) {
      const r = await open(input, token);
      expect([JSON.stringify(input).slice(0, 120), r.data!.supportTicketCreate.userErrors.map((e) => e.code)]).toEqual([JSON.stringify(input).slice(0, 120), codes]);
    }
    const anonymous = await open({ channel: 'WEB', subject: 'Hi', body: 'x', customerEmail: o.customerEmail }, null);
    expect(anonymous.errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    expect(await total()).toBe(before);

    const html = '<script>alert("x")</script><b>жирный</b> & co';
    const ticket = (await open({ channel: 'WEB', subject: '<img src=x onerror=alert(1)>', body: html }, o.customerToken)).data!.supportTicketCreate.ticket!;
    expect([ticket.subject, ticket.messages[0]!.body]).toEqual(['<img src=x onerror=alert(1)>', html]);

    // Someone else's ticket looks unknown; an unknown id too.
    expect((await reply(ticket.id, 'hi', other.customerToken)).data!.supportTicketReply.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await reply(toGlobalId('SupportTicket', randomUUID()), 'hi', t.adminKey)).data!.supportTicketReply.userErrors.map((e) => e.code)).toEqual(['NOT_FOUND']);
    expect((await reply(ticket.id, 'psst', o.customerToken, true)).data!.supportTicketReply.userErrors.map((e) => e.code)).toEqual(['FORBIDDEN']);
    expect((await t.gql(SupportTOneDocument, { id: ticket.id }, { token: other.customerToken })).data!.supportTicket).toBeNull();
    expect((await t.gql(SupportTNodeDocument, { id: ticket.id }, { token: other.customerToken })).data!.node).toBeNull();
    expect((await t.gql(SupportTNodeDocument, { id: ticket.id }, { token: o.customerToken })).data!.node).toMatchObject({ number: ticket.number });
    // Customers may not change tickets.
    expect((await t.gql(SupportTUpdateDocument, { input: { ticketId: ticket.id, status: 'CLOSED' } }, { token: o.customerToken })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    // Closed is final: replies are refused, the status cannot go back, and nothing is written.
    const closed = (await t.admin(SupportTUpdateDocument, { input: { ticketId: ticket.id, status: 'CLOSED', assignee: 'anna' } })).supportTicketUpdate.ticket!;
    expect(closed).toMatchObject({ status: 'CLOSED', assignee: 'anna' });
    expect((await reply(ticket.id, 'one more thing', o.customerToken)).data!.supportTicketReply.userErrors.map((e) => e.code)).toEqual(['TICKET_CLOSED']);
    expect((await t.admin(SupportTUpdateDocument, { input: { ticketId: ticket.id, status: 'OPEN', assignee: 'boris' } })).supportTicketUpdate.userErrors.map((e) => e.code)).toEqual(['INVALID_STATE_TRANSITION']);
    const after = (await t.admin(SupportTOneDocument, { id: ticket.id })).supportTicket!;
    expect([after.status, after.assignee, after.messages.length]).toEqual(['CLOSED', 'anna', 1]);
  });

  it('who lists what; filters by status, channel and breached SLA; resolving sets resolvedAt; lists run in constant statements', async () => {
    const o = await deliveredOrder(t, { deliveredAt: null });
    const other = await deliveredOrder(t, { deliveredAt: null });
    const mineA = (await open({ channel: 'CHAT', subject: 'A', body: 'first question', orderNumber: o.orderNumber }, o.customerToken)).data!.supportTicketCreate.ticket!;
    const mineB = (await open({ channel: 'WEB', subject: 'B', body: 'second question' }, o.customerToken)).data!.supportTicketCreate.ticket!;
    (await open({ channel: 'CHAT', subject: 'C', body: 'someone else' }, other.customerToken)).data!.supportTicketCreate.ticket!;

    const own = (await t.gql(SupportTListDocument, { first: 50 }, { token: o.customerToken })).data!.supportTickets;
    expect(own.nodes.map((n) => n.id)).toEqual([mineB.id, mineA.id]);
    expect(own.totalCount).toBe(2);
    expect((await t.gql(SupportTListDocument, { first: 5 }, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const noScope = (await t.admin(SupportTApiKeyCreateDocument, { input: { name: 'erp', kind: 'PARTNER', scopes: ['read_orders'] } })).apiKeyCreate.secret!;
    expect((await t.gql(SupportTListDocument, { first: 5 }, { token: noScope })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const chatOfO = (await t.gql(SupportTListDocument, { first: 50, filter: { channel: ['CHAT'] } }, { token: o.customerToken })).data!.supportTickets.nodes;
    expect(chatOfO.map((n) => n.id)).toEqual([mineA.id]);

    // URGENT is due after about a second here: unanswered, it shows up as breached; answered, it does not.
    const urgent = (await open({ channel: 'PHONE', subject: 'Urgent', body: 'The courier is at the door with the wrong parcel', customerEmail: o.customerEmail, priority: 'URGENT' }, gateway)).data!.supportTicketCreate.ticket!;
    const answeredUrgent = (await open({ channel: 'PHONE', subject: 'Urgent 2', body: 'Another urgent one', customerEmail: o.customerEmail, priority: 'URGENT' }, gateway)).data!.supportTicketCreate.ticket!;
    await reply(answeredUrgent.id, 'On it', t.adminKey);
    await settle(1300);
    const breached = (await t.admin(SupportTListDocument, { first: 50, filter: { breachedSla: true } })).supportTickets.nodes.map((n) => n.id);
    expect(breached).toContain(urgent.id);
    expect(breached).not.toContain(answeredUrgent.id);
    expect(breached).not.toContain(mineA.id);
    const notBreached = (await t.admin(SupportTListDocument, { first: 50, filter: { breachedSla: false } })).supportTickets.nodes.map((n) => n.id);
    expect(notBreached).toContain(answeredUrgent.id);
    expect(notBreached).not.toContain(urgent.id);
    // Raising the priority moves the deadline: createdAt + the new target.
    const raised = (await t.admin(SupportTUpdateDocument, { input: { ticketId: mineB.id, priority: 'HIGH' } })).supportTicketUpdate.ticket!;
    expect(new Date(raised.slaDueAt as string).getTime() - new Date(raised.createdAt as string).getTime()).toBe(4 * HOUR);

    const resolved = (await t.admin(SupportTUpdateDocument, { input: { ticketId: mineA.id, status: 'RESOLVED' } })).supportTicketUpdate.ticket!;
    expect(resolved.resolvedAt).not.toBeNull();
    expect((await t.admin(SupportTListDocument, { first: 50, filter: { status: ['RESOLVED'] } })).supportTickets.nodes.map((n) => n.id)).toContain(mineA.id);
    // The customer writes again: reopened, resolvedAt cleared.
    expect((await reply(mineA.id, 'It happened again', o.customerToken)).data!.supportTicketReply.ticket).toMatchObject({ status: 'OPEN', resolvedAt: null });

    const statements = async (first: number) => {
      const r = await t.gql(SupportTListDocument, { first });
      expect(r.errors).toBeUndefined();
      return { n: r.data!.supportTickets.nodes.length, statements: Number(r.headers.get('x-sql-statements')) };
    };
    // The newest five hold a ticket with an order and ones without (mineA is the fifth newest).
    const few = await statements(5);
    const many = await statements(20);
    expect(many.n).toBeGreaterThan(few.n);
    expect(many.statements).toBe(few.statements);
  });
});
