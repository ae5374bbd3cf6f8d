/**
 * Issue 17, the assistant end to end over HTTP: "where is my order" answered with the real status
 * and parcel in the question's language, only for orders the caller may read (anonymous callers
 * and other customers get general answers, never the order's details), the return policy's real
 * numbers, delivery prices for a city from the rate cards, the caller's own points, knowledge base
 * answers with their sources, a handoff ticket when asked for a person, and bad input.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { AsstAdjustDocument, AsstArticleUpsertDocument, AsstAskDocument, AsstTicketsDocument, AsstViewerDocument, type AssistantAskInput } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

describe('assistantAsk', () => {
  let t: TestApp;
  let mine: DeliveredOrder;
  let theirs: DeliveredOrder;

  beforeAll(async () => {
    t = await startApp();
    mine = await deliveredOrder(t);
    theirs = await deliveredOrder(t);
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const ask = async (input: AssistantAskInput, token: string | null) => {
    const r = await t.gql(AsstAskDocument, { input }, { token });
    expect(r.errors).toBeUndefined();
    return r.data!.assistantAsk;
  };

  it('answers "where is my order" for the customer\'s own order, in Russian, with its status and parcel', async () => {
    const a = await ask({ question: `Здравствуйте! Где мой заказ ${mine.orderNumber}?` }, mine.customerToken);
    expect(a.language).toBe('ru');
    expect(['ORDER_STATUS', 'TRACKING']).toContain(a.intent);
    expect(a.order).toEqual({ id: mine.orderId, number: mine.orderNumber });
    expect(a.answer).toContain(mine.orderNumber);
    expect(a.answer).toMatch(/доставлен/);
    // Without a number: its latest order. In English when asked in English.
    const latest = await ask({ question: 'where is my parcel?' }, mine.customerToken);
    expect(latest.language).toBe('en');
    expect(latest.order?.number).toBe(mine.orderNumber);
    expect(latest.answer).toContain(mine.trackingNumber);
  });

  it("never tells an anonymous caller or another customer anything about someone's order", async () => {
    for (const [token, who] of [[null, 'anonymous'], [theirs.customerToken, 'another customer']] as const) {
      const a = await ask({ question: `Where is my order ${mine.orderNumber}?`, locale: 'en' }, token);
      expect([who, a.order]).toEqual([who, null]);
      expect(a.answer).not.toContain(mine.trackingNumber);
      expect(a.answer).not.toMatch(/delivered/i);
      const byInput = await ask({ question: 'где мой заказ?', orderNumber: mine.orderNumber }, token);
      expect([who, byInput.order]).toEqual([who, null]);
      expect(byInput.answer).not.toContain(mine.trackingNumber);
      expect(byInput.answer).not.toMatch(/доставлен/);
    }
  });

  it('quotes the live return policy, delivery prices for the named city and the customer\'s own points', async () => {
    const policy = await ask({ question: 'How many days do I have to return shoes?' }, null);
    expect(policy.intent).toBe('RETURN_POLICY');
    expect(policy.answer).toMatch(/14/);

    const delivery = await ask({ question: 'Сколько стоит доставка в Казань?' }, null);
    expect(delivery.intent).toBe('DELIVERY_OPTIONS');
    // The factory's carriers price 300 ₽ a parcel in Russia.
    expect(delivery.answer).toMatch(/Returns Express/);
    expect(delivery.answer).toMatch(/300/);

    const viewer = await t.gql(AsstViewerDocument, {}, { token: mine.customerToken });
    expect((await t.admin(AsstAdjustDocument, { input: { customerId: viewer.data!.viewer.customer!.id, points: 1234, reason: 'goodwill', idempotencyKey: randomUUID() } })).loyaltyAdjust.userErrors).toEqual([]);
    const balance = (await t.gql(AsstViewerDocument, {}, { token: mine.customerToken })).data!.viewer.customer!.loyalty.balance;
    expect(balance).toBeGreaterThan(1234); // the goodwill and what the delivered order earned
    const points = await ask({ question: 'сколько у меня баллов?' }, mine.customerToken);
    expect(points.intent).toBe('LOYALTY_BALANCE');
    expect(points.answer.replace(/\s/g, '')).toContain(String(balance));
    // Anonymous: how the program works, no one's balance.
    const anon = await ask({ question: 'сколько у меня баллов?' }, null);
    expect(anon.answer.replace(/\s/g, '')).not.toContain(String(balance));
  });

  it('answers a general question from the knowledge base with its source, in the question\'s language', async () => {
    const r = await t.admin(AsstArticleUpsertDocument, {
      input: { slug: 'payment-methods', locale: 'ru', title: 'Способы оплаты', body: 'Оплатить заказ можно картой МИР, Visa или Mastercard на сайте, через СБП или наличными курьеру.', tags: ['оплата', 'карта', 'СБП'] },
    });
    expect(r.knowledgeArticleUpsert.userErrors).toEqual([]);
    const a = await ask({ question: 'Какие способы оплаты у вас есть? Можно картой?' }, null);
    expect(a.intent).toBe('FAQ');
    expect(a.sources.map((s) => s.slug)).toContain('payment-methods');
    expect(a.answer).toMatch(/СБП/);
  });

  it('hands off to a person when asked to, opening a ticket with the question for the customer', async () => {
    const a = await ask({ question: 'Позовите, пожалуйста, живого оператора' }, mine.customerToken);
    expect(a.intent).toBe('HANDOFF');
    expect(a.handoffTicket).toMatchObject({ status: 'OPEN', channel: 'CHAT' });
    expect(a.answer).toContain(a.handoffTicket!.number);
    // The customer sees its question; the assistant's note is internal.
    expect(a.handoffTicket!.messages).toEqual([{ authorKind: 'CUSTOMER', body: 'Позовите, пожалуйста, живого оператора', internal: false }]);
    const agents = await t.admin(AsstTicketsDocument, { first: 50 });
    expect(agents.supportTickets.nodes.map((n) => n.number)).toContain(a.handoffTicket!.number);
    const own = await t.gql(AsstTicketsDocument, { first: 50 }, { token: mine.customerToken });
    expect(own.data!.supportTickets.nodes.map((n) => n.number)).toContain(a.handoffTicket!.number);
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const before = (await t.admin(AsstTicketsDocument, { first: 50 })).supportTickets.nodes.length;
    for (const input of [{ question: '   ' }, { question: 'x'.repeat(2001) }, { question: 'где заказ', locale: 'not a tag!' }]) {
      const r = await t.gql(AsstAskDocument, { input }, { token: null });
      expect(r.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    }
    expect((await t.admin(AsstTicketsDocument, { first: 50 })).supportTickets.nodes.length).toBe(before);
  });
});
