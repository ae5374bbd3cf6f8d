/**
 * Issue 17, item 5: a subset of the assistant's evaluation set (test/fixtures/assistant/eval.json)
 * run end to end through assistantAsk over HTTP, on a small store built with the factories instead
 * of the demo seed (which takes minutes; `npm run bench:assistant` runs the whole set on it).
 *
 * Each item is asked as the set says — by the owner of the order (here: the factory's delivered
 * order, which stands in for the item's DEMO-/WB- order), by an anonymous caller, or
 * (`askedBy: "OTHER"`) by another signed-in customer — and scored like the bench: the expected
 * intent, the expected facts (`scoreAnswer`, placeholders resolved against the factory's data),
 * FAQ answers by their source article (`scoreFaqSource`), and for anonymous and other-customer
 * items no detail of the order in the answer (`leaks`).
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedKnowledge } from '../../scripts/seed-knowledge.js';
import { leaks, scoreAnswer, scoreFaqSource, type EvalItem } from '../../src/modules/support/assistant/evaluation.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { AsstAskDocument, AsstEvalLoyaltyDocument, type AsstAskMutation } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

const EVAL = new Map((JSON.parse(readFileSync(new URL('../fixtures/assistant/eval.json', import.meta.url), 'utf8')) as EvalItem[]).map((e) => [e.id, e]));

/**
 * The subset: every intent in both languages, with and without an order number in the text or in
 * the widget's input, and the leak cases. Delivery facts differ from the set's (this store's only
 * carriers are the factory's, 300.00 RUB a parcel in Russia).
 */
const SUBSET: { id: string; facts?: string[]; askedBy?: 'OTHER' }[] = [
  { id: 'ru-001' },
  { id: 'en-006' },
  { id: 'en-003' },
  { id: 'ru-020' },
  { id: 'en-020' },
  { id: 'en-021' },
  { id: 'ru-034' },
  { id: 'en-035' },
  { id: 'en-044' },
  { id: 'ru-054', facts: ['Returns Express', '300'] },
  { id: 'en-055', facts: ['Returns Express', '300'] },
  { id: 'ru-066' },
  { id: 'en-064' },
  { id: 'ru-073' },
  { id: 'en-075' },
  { id: 'en-082' },
  { id: 'ru-084' },
  // Leak checks: anonymous callers, and another customer asking about this customer's order.
  { id: 'en-011' },
  { id: 'ru-012' },
  { id: 'en-069' },
  { id: 'en-092' },
  { id: 'ru-096' },
  { id: 'en-098' },
  { id: 'ru-099' },
  // Someone else's parcel by its tracking number (the set cannot name one: the seed's are random).
  { id: 'ru-021', askedBy: 'OTHER' },
];

const ORDER_REF = /\b(?:DEMO-\d{6}|WB-\d{6})\b/g;
const TRACKING_REF = /\b[A-Z]{2}\d{9}RU\b/g;
const ORDER_DELIVERED = { ru: 'доставлен', en: 'delivered' };
const PARCEL_DELIVERED = { ru: 'доставлена', en: 'delivered' };

describe('assistant evaluation subset over HTTP', () => {
  let t: TestApp;
  let mine: DeliveredOrder;
  let theirs: DeliveredOrder;
  let points: { balance: number; tier: string };

  beforeAll(async () => {
    t = await startApp();
    mine = await deliveredOrder(t);
    // A later order of the same customer, shipped and not delivered: questions about `mine` by
    // number or tracking number must be answered about it, not about the latest order.
    await deliveredOrder(t, { customer: { email: mine.customerEmail, password: 'correct horse battery staple' }, deliveredAt: null });
    theirs = await deliveredOrder(t);
    // The help centre as the demo store has it (25 articles a language), quoting this store's policy.
    await seedKnowledge(t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services);
    const viewer = await t.gql(AsstEvalLoyaltyDocument, {}, { token: mine.customerToken });
    const loyalty = viewer.data!.viewer.customer!.loyalty;
    points = { balance: loyalty.balance, tier: loyalty.tier.name };
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  it('keeps the subset in the evaluation set, covering every intent and both kinds of leak check', () => {
    const items = SUBSET.map((s) => EVAL.get(s.id));
    expect(items.filter((i) => !i).length).toBe(0);
    expect(new Set(items.map((i) => i!.intent)).size).toBe(8);
    expect(items.filter((i) => i!.caller === 'ANONYMOUS').length).toBeGreaterThanOrEqual(3);
    expect(items.filter((i) => i!.askedBy === 'OTHER').length).toBeGreaterThanOrEqual(4);
  });

  it.each(SUBSET.map((s) => ({ ...s, name: s.askedBy ? `${s.id}, asked by another customer` : s.id })))('$name', async ({ id, facts, askedBy }) => {
    const item: EvalItem = { ...EVAL.get(id)!, ...(facts ? { facts } : {}), ...(askedBy ? { askedBy, facts: [] } : {}) };
    // The factory's delivered order stands in for the item's demo order (and its parcel), in the text and in the input.
    const question = item.question.replace(ORDER_REF, mine.orderNumber).replace(TRACKING_REF, mine.trackingNumber);
    const orderNumber = item.orderNumber ? mine.orderNumber : undefined;
    const token = item.caller === 'ANONYMOUS' ? null : item.askedBy === 'OTHER' ? theirs.customerToken : mine.customerToken;
    const r = await t.gql(AsstAskDocument, { input: { question, ...(orderNumber ? { orderNumber } : {}) } }, { token });
    expect(r.errors).toBeUndefined();
    const reply: AsstAskMutation['assistantAsk'] = r.data!.assistantAsk;
    const lang = item.language;

    expect([id, reply.language]).toEqual([id, lang]);
    expect([id, reply.intent]).toEqual([id, item.intent]);
    const resolve = (key: string): string | undefined =>
      ({
        'order.number': mine.orderNumber,
        'order.statusLabel': ORDER_DELIVERED[lang],
        'shipment.statusLabel': PARCEL_DELIVERED[lang],
        'shipment.carrierName': 'Returns Express',
        'shipment.trackingNumber': mine.trackingNumber,
        'shipment.location': undefined,
        'loyalty.balance': new Intl.NumberFormat(lang === 'ru' ? 'ru-RU' : 'en-GB').format(points.balance),
        'loyalty.tierName': points.tier,
        'ticket.number': reply.handoffTicket?.number ?? '(no ticket opened)',
      })[key];
    const score = scoreAnswer(item, reply.answer, resolve);
    expect(score, reply.answer).toMatchObject({ missing: [], leaked: [] });
    if (item.intent === 'FAQ') expect(scoreFaqSource(item.topic!, reply.sources[0]?.slug ?? null, !!reply.handoffTicket), JSON.stringify(reply.sources)).toBe(true);
    expect(!!reply.handoffTicket).toBe(item.intent === 'HANDOFF');

    if (item.caller === 'ANONYMOUS' || item.askedBy === 'OTHER') {
      const secrets = [mine.orderNumber, mine.trackingNumber, ORDER_DELIVERED.ru, ORDER_DELIVERED.en, PARCEL_DELIVERED.ru, 'Мария Петрова', mine.customerEmail, 'Арбат', '+7 900 765-43-21'];
      expect(leaks(reply.answer, `${question} ${orderNumber ?? ''}`, secrets), reply.answer).toEqual([]);
      expect(reply.order).toBeNull();
    }
  });
});
