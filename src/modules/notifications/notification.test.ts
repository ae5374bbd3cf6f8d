/** Customer notifications: ICU rendering, and e-mails over real SMTP from order events. */
import type { AddressInfo } from 'node:net';
import { sql } from 'drizzle-orm';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { OrderCancelDocument, OrderCreateDocument, OrderNotificationsDocument, type OrderCreateInput } from '../../../test/generated/graphql.js';
import { address, stockedStore } from '../../../test/factories/stock.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { eventWriterIn } from '../../events/outbox.js';
import { idOfType } from '../../graphql/relay.js';
import { renderTemplate, resolveLocale } from './notification.templates.js';
import { queueStatusNotification, templateFor } from './notification.service.js';

describe('rendering (ICU MessageFormat)', () => {
  const ru = (count: number) => renderTemplate('order_confirmed', 'ru', { number: 'WB-100001', count, name: 'Анна' });

  it('uses Russian plural forms: 1 товар, 2 товара, 5 товаров, 21 товар', () => {
    expect(ru(1).body).toContain('1 товар.');
    expect(ru(2).body).toContain('2 товара.');
    expect(ru(5).body).toContain('5 товаров.');
    expect(ru(21).body).toContain('21 товар.');
    expect(ru(1)).toMatchObject({ locale: 'ru', subject: 'Заказ WB-100001 подтверждён' });
    expect(ru(1).body).toMatch(/^Здравствуйте, Анна!/);
  });

  it('uses English plural forms: 1 item, 2 items', () => {
    const en = (count: number) => renderTemplate('order_shipped', 'en', { number: 'WB-100002', count });
    expect(en(1).body).toContain('(1 item)');
    expect(en(2).body).toContain('(2 items)');
    expect(en(1)).toMatchObject({ locale: 'en', subject: 'Order WB-100002 shipped' });
    expect(en(1).body).toMatch(/^Hello,\n/);
  });

  it('falls back to English for a language without a catalogue, and matches a regional tag to its language', () => {
    expect(resolveLocale('de')).toBe('en');
    expect(renderTemplate('order_cancelled', 'de', { number: 'WB-1', count: 3 })).toMatchObject({ locale: 'en', subject: 'Order WB-1 cancelled' });
    expect(resolveLocale('ru-RU')).toBe('ru');
    expect(renderTemplate('order_cancelled', 'ru-RU', { number: 'WB-1', count: 3 })).toMatchObject({ locale: 'ru', subject: 'Заказ WB-1 отменён' });
    expect(resolveLocale(null)).toBe('en');
    expect(resolveLocale('not a tag!')).toBe('en');
  });

  it('maps statuses to templates; only the first status of an order confirms it', () => {
    expect(templateFor('ALLOCATED', 1)).toBe('order_confirmed');
    expect(templateFor('BACKORDERED', 1)).toBe('order_confirmed');
    expect(templateFor('ALLOCATED', 2)).toBeNull();
    expect(templateFor('PICKING', 2)).toBe('order_processing');
    expect(templateFor('PACKED', 3)).toBeNull();
    expect(templateFor('PARTIALLY_SHIPPED', 4)).toBe('order_shipped');
    expect(templateFor('SHIPPED', 4)).toBe('order_shipped');
    expect(templateFor('DELIVERED', 5)).toBe('order_delivered');
    expect(templateFor('CANCELLED', 2)).toBe('order_cancelled');
  });
});

// --- A real SMTP server in the test process -------------------------------------------------

interface Received {
  to: string[];
  subject: string;
  text: string;
}

/** Decodes RFC 2047 encoded words (=?UTF-8?B?...?= / =?UTF-8?Q?...?=) of a header value. */
function decodeHeader(value: string): string {
  return value
    .replace(/\?=\s+=\?/g, '?==?')
    .replace(/=\?([^?]+)\?([BQbq])\?([^?]*)\?=/g, (_, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : Buffer.from(data.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'),
    );
}

/** The subject and text of a single-part text/plain message as nodemailer writes it. */
function parseMessage(raw: string): { subject: string; text: string } {
  const [head = '', ...rest] = raw.split(/\r?\n\r?\n/);
  const headers = head.replace(/\r?\n[ \t]+/g, ' ');
  const header = (name: string) => new RegExp(`^${name}:\\s*(.*)$`, 'im').exec(headers)?.[1]?.trim() ?? '';
  const body = rest.join('\r\n\r\n');
  const cte = header('Content-Transfer-Encoding').toLowerCase();
  const text =
    cte === 'base64'
      ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8')
      : cte === 'quoted-printable'
        ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8')
        : body;
  return { subject: decodeHeader(header('Subject')), text: text.replace(/\r\n/g, '\n') };
}

class Mailbox {
  readonly messages: Received[] = [];
  /** How many of the next messages to refuse (550), to exercise retries. */
  rejectNext = 0;
  rejected = 0;
  private waiters: (() => void)[] = [];
  readonly server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (this.rejectNext > 0) {
          this.rejectNext--;
          this.rejected++;
          const err = Object.assign(new Error('Mailbox temporarily unavailable'), { responseCode: 451 });
          return callback(err);
        }
        const { subject, text } = parseMessage(Buffer.concat(chunks).toString('utf8'));
        this.messages.push({ to: session.envelope.rcptTo.map((r) => r.address), subject, text });
        for (const w of this.waiters.splice(0)) w();
        callback();
      });
    },
  });

  async listen(): Promise<number> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return (this.server.server.address() as AddressInfo).port;
  }

  /** Resolves once a message matching `pred` arrived. */
  async waitFor(pred: (m: Received) => boolean, timeoutMs = 8000): Promise<Received> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = this.messages.find(pred);
      if (m) return m;
      if (Date.now() > deadline) throw new Error(`no matching e-mail; got ${JSON.stringify(this.messages.map((x) => x.subject))}`);
      await new Promise<void>((r) => {
        const t = setTimeout(r, 100);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('e-mails from order events over SMTP', () => {
  let t: TestApp;
  let mailbox: Mailbox;
  let skus: string[];

  beforeAll(async () => {
    mailbox = new Mailbox();
    const port = await mailbox.listen();
    t = await startApp({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}`, SMTP_FROM: 'Waybill <orders@waybill.test>', NOTIFICATION_MAX_ATTEMPTS: '3', NOTIFICATION_BACKOFF_BASE_MS: '20', NOTIFICATION_BACKOFF_CAP_MS: '50', NOTIFICATION_POLL_MS: '100' },
    });
    skus = await stockedStore(t, { msk: [20, 20], spb: [0, 0] });
  });
  afterAll(async () => {
    await t?.close();
    await mailbox?.close();
  });
  afterEach(() => {
    mailbox.rejectNext = 0;
  });

  const input = (email: string, over: Partial<OrderCreateInput> = {}): OrderCreateInput => ({
    channel: 'web',
    currency: 'RUB',
    deliveryType: 'COURIER',
    customer: { email, name: 'Анна', locale: 'ru' },
    shippingAddress: address(),
    lines: [
      { sku: skus[0]!, quantity: 3 },
      { sku: skus[1]!, quantity: 2 },
    ],
    ...over,
  });

  const notificationsOf = async (id: string) => (await t.admin(OrderNotificationsDocument, { id })).order!.notifications;

  /** The status timelines of an order's notifications by template: [sequence, status, previous status, message]. */
  const timelinesOf = async (orderId: string) => {
    const rows = await t.app.database.rows<{ template: string; sequence: number; status: string; previous_status: string | null; message: string | null }>(sql`
      select n.template, h.sequence, h.status, h.previous_status, h.message from notification_events h join notifications n on n.id = h.notification_id
      where n.order_id = ${idOfType(orderId, 'Order')}::uuid order by n.template, h.sequence`);
    const out: Record<string, unknown[][]> = {};
    for (const r of rows) (out[r.template] ??= []).push([r.sequence, r.status, r.previous_status, r.message]);
    return out;
  };

  /** Polls Order.notifications until `pred` holds (the sender records SENT right after the server's answer). */
  async function eventually<T>(read: () => Promise<T>, pred: (v: T) => boolean, timeoutMs = 8000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = await read();
      if (pred(v) || Date.now() > deadline) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  it('sends a Russian confirmation with the plural form, recorded as SENT; cancelling sends order_cancelled', async () => {
    const created = (await t.admin(OrderCreateDocument, { input: input('anna.ru@example.ru') })).orderCreate;
    expect(created.userErrors).toEqual([]);
    const order = created.order!;

    const mail = await mailbox.waitFor((m) => m.subject.includes(order.number));
    expect(mail.to).toEqual(['anna.ru@example.ru']);
    expect(mail.subject).toBe(`Заказ ${order.number} подтверждён`);
    expect(mail.text).toContain('Здравствуйте, Анна!');
    expect(mail.text).toContain(`Мы приняли ваш заказ ${order.number}: 5 товаров.`);

    const sent = await eventually(() => notificationsOf(order.id), (ns) => ns.length === 1 && ns[0]!.status === 'SENT');
    expect(sent).toEqual([
      { channel: 'EMAIL', template: 'order_confirmed', locale: 'ru', recipient: 'anna.ru@example.ru', subject: `Заказ ${order.number} подтверждён`, status: 'SENT', sentAt: expect.any(String) },
    ]);

    const cancelled = (await t.admin(OrderCancelDocument, { input: { id: order.id, reason: 'Передумала' } })).orderCancel;
    expect(cancelled.userErrors).toEqual([]);
    const cancelMail = await mailbox.waitFor((m) => m.subject === `Заказ ${order.number} отменён`);
    expect(cancelMail.text).toContain('(5 товаров) отменён');
    const after = await eventually(() => notificationsOf(order.id), (ns) => ns.length === 2 && ns.every((n) => n.status === 'SENT'));
    expect(after.map((n) => [n.template, n.status])).toEqual([
      ['order_confirmed', 'SENT'],
      ['order_cancelled', 'SENT'],
    ]);
    // One e-mail per event: nothing was sent twice.
    expect(mailbox.messages.filter((m) => m.subject.includes(order.number))).toHaveLength(2);
    // Each went PENDING -> SENT, gapless.
    const sentTimeline = [
      [1, 'PENDING', null, null],
      [2, 'SENT', 'PENDING', null],
    ];
    expect(await timelinesOf(order.id)).toEqual({ order_cancelled: sentTimeline, order_confirmed: sentTimeline });
  });

  it('an event handled again (a relay retry) queues nothing more', async () => {
    const order = (await t.admin(OrderCreateDocument, { input: input('twice@example.ru', { lines: [{ sku: skus[0]!, quantity: 1 }] }) })).orderCreate.order!;
    await mailbox.waitFor((m) => m.subject.includes(order.number));
    const [event] = await t.app.database.rows<{ id: string; topic: string; payload: Record<string, unknown> | string; created_at: string | Date }>(
      sql`select id, topic, payload, created_at from outbox where topic = 'order.status_changed' and payload->>'orderId' = ${idOfType(order.id, 'Order')} order by id limit 1`,
    );
    const payload = typeof event!.payload === 'string' ? JSON.parse(event!.payload) : event!.payload;
    const ctx = t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;
    const again = await t.app.database.db.transaction((tx) =>
      queueStatusNotification(ctx, tx as never, eventWriterIn(tx as never, []), { id: event!.id, topic: event!.topic, payload, createdAt: new Date(event!.created_at) }),
    );
    expect(again).toBe(false);
    expect(await notificationsOf(order.id)).toHaveLength(1);
  });

  it('renders in English for a locale without a catalogue (de)', async () => {
    const order = (await t.admin(OrderCreateDocument, { input: input('hans@example.de', { customer: { email: 'hans@example.de', locale: 'de' }, lines: [{ sku: skus[0]!, quantity: 1 }] }) }))
      .orderCreate.order!;
    const mail = await mailbox.waitFor((m) => m.subject.includes(order.number));
    expect(mail.subject).toBe(`Order ${order.number} confirmed`);
    expect(mail.text).toContain(`your order ${order.number}: 1 item.`);
    const [n] = await eventually(() => notificationsOf(order.id), (ns) => ns[0]?.status === 'SENT');
    expect(n).toMatchObject({ locale: 'en', status: 'SENT' });
  });

  it('retries when the mail server refuses: refused twice, then accepted -> SENT after 3 attempts', async () => {
    mailbox.rejectNext = 2;
    const order = (await t.admin(OrderCreateDocument, { input: input('retry@example.ru', { lines: [{ sku: skus[1]!, quantity: 1 }] }) })).orderCreate.order!;
    const mail = await mailbox.waitFor((m) => m.subject.includes(order.number));
    expect(mail.text).toContain('1 товар.');
    expect(mailbox.rejected).toBe(2);
    const [n] = await eventually(() => notificationsOf(order.id), (ns) => ns[0]?.status === 'SENT');
    expect(n!.status).toBe('SENT');
    const [row] = await t.app.database.rows<{ attempts: number; last_error: string | null }>(
      sql`select attempts, last_error from notifications where order_id = ${idOfType(order.id, 'Order')}::uuid`,
    );
    expect(row).toEqual({ attempts: 3, last_error: null });
    // Two refusals are attempts, not status changes.
    expect(await timelinesOf(order.id)).toEqual({
      order_confirmed: [
        [1, 'PENDING', null, null],
        [2, 'SENT', 'PENDING', null],
      ],
    });
  });

  it('gives up after NOTIFICATION_MAX_ATTEMPTS refusals: FAILED with the last error, no further attempts', async () => {
    mailbox.rejectNext = 10;
    const before = mailbox.rejected;
    const order = (await t.admin(OrderCreateDocument, { input: input('bounce@example.ru', { lines: [{ sku: skus[1]!, quantity: 1 }] }) })).orderCreate.order!;
    const [n] = await eventually(() => notificationsOf(order.id), (ns) => ns[0]?.status === 'FAILED');
    expect(n).toMatchObject({ template: 'order_confirmed', status: 'FAILED', sentAt: null });
    await new Promise((r) => setTimeout(r, 300));
    expect(mailbox.rejected - before).toBe(3);
    const [row] = await t.app.database.rows<{ attempts: number; last_error: string | null }>(
      sql`select attempts, last_error from notifications where order_id = ${idOfType(order.id, 'Order')}::uuid`,
    );
    expect(row!.attempts).toBe(3);
    expect(row!.last_error).toMatch(/451/);
    const { order_confirmed: timeline } = await timelinesOf(order.id);
    expect(timeline).toEqual([
      [1, 'PENDING', null, null],
      [2, 'FAILED', 'PENDING', row!.last_error],
    ]);
  });
});

describe('without SMTP_URL', () => {
  it('logs the message instead of sending it and records it as SENT', async () => {
    const t = await startApp();
    try {
      const [sku] = await stockedStore(t, { msk: [5], spb: [0] });
      const order = (
        await t.admin(OrderCreateDocument, {
          input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'log@example.ru', locale: 'ru-RU' }, shippingAddress: address(), lines: [{ sku: sku!, quantity: 2 }] },
        })
      ).orderCreate.order!;
      const deadline = Date.now() + 8000;
      let ns = (await t.admin(OrderNotificationsDocument, { id: order.id })).order!.notifications;
      while (ns[0]?.status !== 'SENT' && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
        ns = (await t.admin(OrderNotificationsDocument, { id: order.id })).order!.notifications;
      }
      expect(ns).toEqual([expect.objectContaining({ template: 'order_confirmed', locale: 'ru', recipient: 'log@example.ru', subject: `Заказ ${order.number} подтверждён`, status: 'SENT' })]);
    } finally {
      await t.close();
    }
  });
});
