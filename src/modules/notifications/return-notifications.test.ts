/**
 * Customer e-mails of returns (issue 14, item 3): one message per approved, rejected, received
 * and refunded return event, in the customer's language, queued by the durable relay handler of
 * `return.updated` exactly once. The returns are walked through the API.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CoreReturnCancelDocument,
  CoreReturnRejectDocument,
  CustomerCreateDocument,
  OrderNotificationsDocument,
  ReturnFlowDocument,
  ReturnInspectDocument,
  ReturnReceiveDocument,
  ReturnRefundDocument,
} from '../../../test/generated/graphql.js';
import { requestReturn, staffContext } from '../../../test/factories/return-requests.js';
import { deliveredOrder, type DeliveredOrder } from '../../../test/factories/returns.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { eventWriterIn } from '../../events/outbox.js';
import { idOfType } from '../../graphql/relay.js';
import { returnLabelUrl } from '../shipments/label-link.js';
import { queueReturnNotifications, returnTemplateFor } from './notification.service.js';
import { renderTemplate } from './notification.templates.js';

describe('return templates', () => {
  it('maps return statuses to messages: approved, rejected, received and refunded only', () => {
    expect(['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED'].map(returnTemplateFor)).toEqual([
      null,
      'return_approved',
      'return_rejected',
      'return_received',
      null,
      'return_refunded',
      null,
    ]);
  });

  it('formats the refund with Intl in the message language, exactly from minor units', () => {
    const v = { number: 'RMA-100007', count: 0, orderNumber: 'WB-1', amount: { amountMinor: 1_234_567_89, currency: 'RUB' } };
    expect(renderTemplate('return_refunded', 'ru', v).body).toMatch(/мы вернули 1\s234\s567,89\s₽\./);
    expect(renderTemplate('return_refunded', 'en', v).body).toMatch(/We have refunded RUB\s1,234,567\.89 for your return RMA-100007 \(order WB-1\)\./);
    expect(renderTemplate('return_refunded', 'en', { ...v, amount: { amountMinor: 500, currency: 'JPY' } }).body).toContain('refunded ¥500 ');
  });

  it('says how the parcel comes back when no carrier could take it, and where the label is when there is no link', () => {
    const en = renderTemplate('return_approved', 'en', { number: 'RMA-1', count: 0, orderNumber: 'WB-1' });
    expect(en.body).toContain('We will contact you to arrange the collection of the parcel.');
    expect(en.body).not.toContain('Tracking number');
    const config = { PUBLIC_URL: 'https://shop.example', LABEL_LINK_SECRET: undefined, LABEL_LINK_TTL_DAYS: 30 };
    // Without LABEL_LINK_SECRET the link is still made, signed with this process's random key.
    expect(returnLabelUrl(config, 'CC123456785RU', new Date())).toMatch(/^https:\/\/shop\.example\/labels\/CC123456785RU\.pdf\?exp=\d+&sig=[\w-]{43}$/);
    const ru = renderTemplate('return_approved', 'ru', { number: 'RMA-1', count: 0, orderNumber: 'WB-1', trackingNumber: 'CC123456785RU', trackingLinks: ['https://shop.example/track/CC123456785RU'], labelLink: null });
    expect(ru.body).toContain('Ярлык для посылки — в разделе возвратов вашего личного кабинета.\nРаспечатайте ярлык');
    expect(ru.body).toContain('Трек-номер: CC123456785RU\nОтследить посылку: https://shop.example/track/CC123456785RU');
  });
});

let t: TestApp;
const SECRET = 'label-link-secret-for-tests-0123456789';
beforeAll(async () => {
  t = await startApp({ env: { LABEL_LINK_SECRET: SECRET, PUBLIC_URL: 'https://shop.example' } });
}, 60_000);
afterAll(() => t?.close());

interface Row {
  template: string;
  locale: string;
  recipient: string;
  subject: string;
  body: string;
  event_id: string;
}

async function notificationsOf(order: DeliveredOrder, expected: number): Promise<Row[]> {
  const orderId = idOfType(order.orderId, 'Order')!;
  const read = () =>
    t.app.database.rows<Row>(sql`select template, locale, recipient, subject, body, event_id from notifications where order_id = ${orderId} and template like 'return_%' order by created_at, template`);
  const deadline = Date.now() + 15_000;
  let rows = await read();
  while (rows.length < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
    rows = await read();
  }
  // Give a wrongly repeated message the time to show up too.
  await new Promise((r) => setTimeout(r, 600));
  return read();
}

const ok = (r: { userErrors: readonly unknown[] }) => expect(r.userErrors).toEqual([]);

/**
 * Over the API: a return (one unit of 1 500.50, changed mind, no restocking fee) requested by the
 * customer, approved by staff (which books its parcel), received, inspected and refunded; one
 * rejected by staff and one cancelled by the customer.
 */
async function walk(order: DeliveredOrder) {
  const ret = await requestReturn(t, order, { lines: [{ line: 0, quantity: 1, reason: 'CHANGED_MIND' }] });
  const trackingNumber = (await t.admin(ReturnFlowDocument, { id: ret.id })).returnRequest!.returnShipment!.trackingNumber;
  ok((await t.admin(ReturnReceiveDocument, { input: { id: ret.id, warehouseCode: order.warehouseCode, scannedBarcodes: [order.lines[0]!.gtin] } })).returnReceive);
  ok((await t.admin(ReturnInspectDocument, { input: { id: ret.id, lines: [{ returnLineId: ret.lineIds[0]!, disposition: 'RESTOCK', quantity: 1 }] } })).returnInspect);
  const refunded = (await t.admin(ReturnRefundDocument, { input: { id: ret.id } })).returnRefund;
  ok(refunded);
  expect(refunded.returnRequest!.refund!.amount).toEqual({ amountMinor: 1_500_50, currency: 'RUB' });
  const rejected = await requestReturn(t, order, { status: 'REQUESTED' });
  ok((await t.admin(CoreReturnRejectDocument, { input: { id: rejected.id, reason: 'Товар был в употреблении' } })).returnReject);
  const cancelled = await requestReturn(t, order, { status: 'REQUESTED' });
  const cancel = await t.gql(CoreReturnCancelDocument, { input: { id: cancelled.id } }, { token: order.customerToken });
  ok(cancel.data!.returnCancel);
  return { ret, rejected, cancelled, trackingNumber };
}

describe('return e-mails', () => {
  it('queues one Russian message per approved, rejected, received and refunded event, none for requested, inspected or cancelled', async () => {
    const order = await deliveredOrder(t, { lines: [{ quantity: 3, priceMinor: 1_500_50 }] });
    const { ret, rejected, trackingNumber } = await walk(order);
    const rows = await notificationsOf(order, 4);
    expect(rows.map((r) => r.template).sort()).toEqual(['return_approved', 'return_received', 'return_refunded', 'return_rejected']);
    expect(new Set(rows.map((r) => r.event_id)).size).toBe(4);
    expect(rows.every((r) => r.locale === 'ru' && r.recipient === order.customerEmail.toLowerCase())).toBe(true);
    const by = new Map(rows.map((r) => [r.template, r]));

    const approved = by.get('return_approved')!;
    expect(approved.subject).toBe(`Возврат ${ret.number} одобрен`);
    expect(approved.body).toContain(`Мы одобрили ваш возврат ${ret.number} по заказу ${order.orderNumber}.`);
    expect(approved.body).toContain(`Трек-номер: ${trackingNumber}`);
    expect(approved.body).toContain(`Отследить посылку: https://shop.example/track/${trackingNumber}`);

    // The label link opens the parcel's PDF on this server; a forged, expired or outbound link is a 404.
    const link = /Ярлык для посылки \(PDF\): (\S+)/.exec(approved.body)?.[1];
    expect(link).toMatch(new RegExp(`^https://shop\\.example/labels/${trackingNumber}\\.pdf\\?exp=\\d+&sig=[\\w-]+$`));
    const local = (u: string) => u.replace('https://shop.example', new URL(t.url).origin);
    const res = await fetch(local(link!));
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('cache-control')).toBe('private, no-store');
    expect(Buffer.from(await res.arrayBuffer()).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const forged = link!.replace(/sig=([\w-])/, (_, c: string) => `sig=${c === 'A' ? 'B' : 'A'}`);
    const expired = returnLabelUrl({ PUBLIC_URL: new URL(t.url).origin, LABEL_LINK_SECRET: SECRET, LABEL_LINK_TTL_DAYS: 30 }, trackingNumber, new Date(Date.now() - 31 * 86_400_000))!;
    const outbound = returnLabelUrl({ PUBLIC_URL: new URL(t.url).origin, LABEL_LINK_SECRET: SECRET, LABEL_LINK_TTL_DAYS: 30 }, order.trackingNumber, new Date())!;
    const otherKey = returnLabelUrl({ PUBLIC_URL: new URL(t.url).origin, LABEL_LINK_SECRET: 'another-secret-of-at-least-32-characters', LABEL_LINK_TTL_DAYS: 30 }, trackingNumber, new Date())!;
    for (const bad of [local(forged), expired, outbound, otherKey, local(link!.replace(/\?.*$/, ''))]) {
      const r = await fetch(bad.replace(/^https?:\/\/[^/]+/, new URL(t.url).origin));
      expect([bad, r.status]).toEqual([bad, 404]);
      expect(r.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    }
    expect(by.get('return_rejected')!.subject).toBe(`Возврат ${rejected.number} отклонён`);
    expect(by.get('return_rejected')!.body).toContain('Причина: Товар был в употреблении');
    expect(by.get('return_received')!.body).toContain(`Склад получил посылку по возврату ${ret.number}`);
    expect(by.get('return_refunded')!.subject).toBe(`Деньги по возврату ${ret.number} возвращены`);
    expect(by.get('return_refunded')!.body).toMatch(/мы вернули 1\s500,50\s₽\./);

    // The order's notifications over the API show them (a return's messages belong to its order).
    const api = (await t.admin(OrderNotificationsDocument, { id: order.orderId })).order!.notifications.filter((n) => n.template.startsWith('return_'));
    expect(api.map((n) => n.subject).sort()).toEqual(rows.map((r) => r.subject).sort());
  });

  it('writes English for a customer whose locale is en, and handles an event again without a second message', async () => {
    const customer = { email: `return.en.${process.pid}@example.com`, password: 'correct horse battery staple' };
    expect((await t.admin(CustomerCreateDocument, { input: { ...customer, name: 'John Smith', locale: 'en' } })).customerCreate.userErrors).toEqual([]);
    const order = await deliveredOrder(t, { customer, lines: [{ quantity: 3, priceMinor: 1_500_50 }] });
    const { ret, rejected } = await walk(order);
    const rows = await notificationsOf(order, 4);
    expect(rows.map((r) => [r.template, r.locale, r.subject]).sort()).toEqual(
      [
        ['return_approved', 'en', `Return ${ret.number} approved`],
        ['return_received', 'en', `Return ${ret.number} received`],
        ['return_refunded', 'en', `Return ${ret.number} refunded`],
        ['return_rejected', 'en', `Return ${rejected.number} declined`],
      ].sort(),
    );
    const body = (tpl: string) => rows.find((r) => r.template === tpl)!.body;
    expect(body('return_approved')).toMatch(/^Hello John Smith,\n\nWe have approved your return RMA-\d+ for order /);
    expect(body('return_approved')).toMatch(/Parcel label \(PDF\): https:\/\/shop\.example\/labels\/\w+\.pdf\?exp=/);
    expect(body('return_rejected')).toContain('Reason: Товар был в употреблении');
    expect(body('return_refunded')).toMatch(new RegExp(`We have refunded RUB\\s1,500\\.50 for your return ${ret.number} \\(order ${order.orderNumber}\\)\\.`));

    // A relay retry hands the same committed events over again: nothing more is queued.
    const events = await t.app.database.rows<{ id: string; topic: string; payload: Record<string, unknown> | string; created_at: string | Date }>(
      sql`select id, topic, payload, created_at from outbox where topic = 'return.updated' and payload->>'orderId' = ${idOfType(order.orderId, 'Order')}`,
    );
    // The walked return's 5 (REQUESTED to REFUNDED), the rejected and the cancelled return's 2 each.
    expect(events.length).toBe(9);
    const ctx = staffContext(t);
    const again = await t.app.database.db.transaction((tx) =>
      queueReturnNotifications(
        ctx,
        tx as never,
        eventWriterIn(tx as never, []),
        events.map((e) => ({ id: e.id, topic: e.topic, payload: typeof e.payload === 'string' ? JSON.parse(e.payload) : e.payload, createdAt: new Date(e.created_at) })),
      ),
    );
    expect(again).toBe(0);
    expect(await notificationsOf(order, 4)).toHaveLength(4);
  });
});
