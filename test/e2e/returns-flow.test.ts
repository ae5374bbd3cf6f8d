/**
 * Issue 14's "Done when", end to end over real HTTP and a real graphql-ws client: a customer
 * starts returns of a delivered order on the storefront (one auto-approved for a seller-fault
 * reason, one CHANGED_MIND approved by staff), gets approval e-mails whose label link serves the
 * PDF (on an app started without LABEL_LINK_SECRET: the per-process key), the warehouse scans the
 * parcels in and inspects them, restocked units are available again, the refunds are the
 * contract's figures (restocking fee from returnPolicyUpdate), the customer's socket and a
 * RETURN_UPDATED webhook receiver saw every change in order, and returnAnalytics shows the SKUs
 * with their returned units and reasons.
 */
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { webhookReceiver, type WebhookReceiver } from '../factories/webhooks.js';
import {
  CoreReturnApproveDocument,
  CoreReturnPolicyUpdateDocument,
  OrderNotificationsDocument,
  ReturnAnalyticsDocument,
  ReturnFlowCreateDocument,
  ReturnFlowDocument,
  ReturnInspectDocument,
  ReturnReceiveDocument,
  ReturnRefundDocument,
  ReturnStockDocument,
  WebhookSubscriptionCreateDocument,
  type ReturnLineInput,
} from '../generated/graphql.js';
import { idOfType } from '../../src/graphql/relay.js';
import { collect, settle, startApp, waitFor, type TestApp } from '../harness.js';

let t: TestApp;
let hooks: WebhookReceiver;

beforeAll(async () => {
  hooks = await webhookReceiver();
  // No LABEL_LINK_SECRET: what a fresh `npm start` does.
  t = await startApp({ env: { LABEL_LINK_SECRET: undefined, WEBHOOK_POLL_MS: '50', WEBHOOK_BACKOFF_BASE_MS: '20', WEBHOOK_BACKOFF_CAP_MS: '100', NOTIFICATION_POLL_MS: '50' } });
}, 60_000);
afterAll(async () => {
  await t?.close();
  await hooks?.close();
});

/** The order's queued return e-mails (the body, with its link, is not part of the API). */
const emails = (o: DeliveredOrder) =>
  t.app.database.rows<{ template: string; subject: string; body: string }>(
    sql`select template, subject, body from notifications where order_id = ${idOfType(o.orderId, 'Order')} and template like 'return_%' order by created_at, template`,
  );

async function available(sku: string, warehouseCode: string) {
  const level = (await t.admin(ReturnStockDocument, { sku, warehouseCode })).inventoryLevels[0]!;
  return { onHand: level.onHand, available: level.available, unsellable: level.unsellable };
}

/** The contract's refund: Σ unitPrice × inspected, minus the fee (half up, per line) on lines that are not the seller's fault. */
function expectedRefund(lines: { unitPriceMinor: number; inspected: number; sellerFault: boolean }[], feePercent: number) {
  let goods = 0;
  let fee = 0;
  for (const l of lines) {
    const amount = l.unitPriceMinor * l.inspected;
    goods += amount;
    if (!l.sellerFault) fee += Math.floor((amount * feePercent) / 100 + 0.5);
  }
  return { amount: goods - fee, restockingFee: fee };
}

describe('a return from the storefront to the refund', () => {
  it('customer requests, gets a label by e-mail, the warehouse receives and inspects, stock and refund are right, socket, webhooks and analytics agree', async () => {
    const from = new Date(Date.now() - 60_000);
    const FEE = 12.5;
    const policy = (await t.admin(CoreReturnPolicyUpdateDocument, { input: { restockingFeePercent: FEE, autoApproveMaxAmount: null } })).returnPolicyUpdate;
    expect(policy.userErrors).toEqual([]);
    expect(policy.returnPolicy!.restockingFeePercent).toBe(FEE);

    expect((await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'RETURN_UPDATED', url: hooks.url } })).webhookSubscriptionCreate.userErrors).toEqual([]);

    // Line A: 3 units at 1 500.00; line B: 2 units at 1 234.55 (12.5 % of 2 469.10 is 308.6375: half up to 308.64).
    const o = await deliveredOrder(t, { lines: [{ quantity: 3, priceMinor: 1500_00 }, { quantity: 2, priceMinor: 1234_55 }] });
    const [A, B] = o.lines as [DeliveredOrder['lines'][0], DeliveredOrder['lines'][0]];
    const before = { a: await available(A.sku, o.warehouseCode), b: await available(B.sku, o.warehouseCode) };
    expect(before.a).toEqual({ onHand: 10, available: 10, unsellable: 0 });
    expect(before.b).toEqual({ onHand: 10, available: 10, unsellable: 0 });

    // The customer's socket, open before anything happens.
    const q = 'subscription { returnStatusChanged { returnRequest { id number status } event { sequence status previousStatus } } }';
    type Msg = { returnStatusChanged: { returnRequest: { id: string; number: string; status: string }; event: { sequence: number; status: string; previousStatus: string | null } } };
    const socket = collect<Msg>(t.ws(o.customerToken), q, {});
    await settle(300);

    // 1. The storefront, with the customer's token: a defective line is approved at once; changed mind waits.
    const create = async (lines: ReturnLineInput[]) => {
      const r = await t.gql(ReturnFlowCreateDocument, { input: { orderId: o.orderId, lines } }, { token: o.customerToken });
      expect(r.errors).toBeUndefined();
      expect(r.data!.returnRequestCreate.userErrors).toEqual([]);
      return r.data!.returnRequestCreate.returnRequest!;
    };
    const defective = await create([{ orderLineId: A.id, quantity: 2, reason: 'DEFECTIVE', comment: 'Не включается' }]);
    expect(defective.status).toBe('APPROVED');
    const changedMind = await create([{ orderLineId: B.id, quantity: 2, reason: 'CHANGED_MIND' }]);
    expect(changedMind.status).toBe('REQUESTED');
    expect(changedMind.events.map((e) => e.status)).toEqual(['REQUESTED']);
    const approved = (await t.admin(CoreReturnApproveDocument, { input: { id: changedMind.id } })).returnApprove;
    expect(approved.userErrors).toEqual([]);
    expect(approved.returnRequest!.status).toBe('APPROVED');

    // 2. Each approval queues an e-mail whose label link serves the parcel's PDF.
    for (const ret of [defective, changedMind]) {
      const staffView = (await t.admin(ReturnFlowDocument, { id: ret.id })).returnRequest!;
      const parcel = staffView.returnShipment!;
      expect(parcel.direction).toBe('RETURN');
      expect(parcel.label.format).toBe('PDF');
      const labelPdf = Buffer.from(parcel.label.content, 'base64');
      expect(labelPdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

      const mails = await waitFor(`approval e-mail of ${ret.number}`, () => emails(o), (m) => m.some((x) => x.subject === `Возврат ${ret.number} одобрен`));
      const mail = mails.find((x) => x.subject === `Возврат ${ret.number} одобрен`)!;
      expect(mail.body).toContain(`Трек-номер: ${parcel.trackingNumber}`);
      const link = /Ярлык для посылки \(PDF\): (\S+)/.exec(mail.body)?.[1];
      expect(link).toMatch(new RegExp(`/labels/${parcel.trackingNumber}\\.pdf\\?exp=\\d+&sig=[\\w-]+$`));
      const res = await fetch(link!.replace(/^https?:\/\/[^/]+/, new URL(t.url).origin));
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await res.arrayBuffer()).equals(labelPdf)).toBe(true);
    }

    // 3. The warehouse scans the parcels in (GTINs), inspects them, records the refunds.
    const receive = async (id: string, gtins: string[]) => {
      const r = (await t.admin(ReturnReceiveDocument, { input: { id, warehouseCode: o.warehouseCode, scannedBarcodes: gtins } })).returnReceive;
      expect(r.userErrors).toEqual([]);
      expect(r.returnRequest!.status).toBe('RECEIVED');
    };
    await receive(defective.id, [A.gtin, A.gtin]);
    await receive(changedMind.id, [B.gtin, B.gtin]);
    // Received: on hand in the RETURNS zone, not available yet.
    expect(await available(A.sku, o.warehouseCode)).toEqual({ onHand: 12, available: 10, unsellable: 2 });

    const inspect = async (id: string, lines: { returnLineId: string; disposition: 'RESTOCK' | 'WRITE_OFF'; quantity: number }[]) => {
      const r = (await t.admin(ReturnInspectDocument, { input: { id, lines } })).returnInspect;
      expect(r.userErrors).toEqual([]);
      expect(r.returnRequest!.status).toBe('INSPECTED');
    };
    await inspect(defective.id, [
      { returnLineId: defective.lines[0]!.id, disposition: 'RESTOCK', quantity: 1 },
      { returnLineId: defective.lines[0]!.id, disposition: 'WRITE_OFF', quantity: 1 },
    ]);
    await inspect(changedMind.id, [{ returnLineId: changedMind.lines[0]!.id, disposition: 'RESTOCK', quantity: 2 }]);
    // Restocked units are available again; the written-off one is gone.
    expect(await available(A.sku, o.warehouseCode)).toEqual({ onHand: 11, available: 11, unsellable: 0 });
    expect(await available(B.sku, o.warehouseCode)).toEqual({ onHand: 12, available: 12, unsellable: 0 });

    const refund = async (id: string, externalReference: string) => {
      const r = (await t.admin(ReturnRefundDocument, { input: { id, externalReference } })).returnRefund;
      expect(r.userErrors).toEqual([]);
      expect(r.returnRequest!.status).toBe('REFUNDED');
      return r.returnRequest!.refund!;
    };
    // Seller's fault: no fee; not every shipped unit came back, so no shipping.
    const r1 = await refund(defective.id, 'PAY-1');
    const e1 = expectedRefund([{ unitPriceMinor: A.unitPriceMinor, inspected: 2, sellerFault: true }], FEE);
    expect(r1).toMatchObject({ amount: { amountMinor: e1.amount, currency: 'RUB' }, restockingFee: { amountMinor: 0 }, shipping: { amountMinor: 0 }, externalReference: 'PAY-1' });
    expect(e1.amount).toBe(3000_00);
    const r2 = await refund(changedMind.id, 'PAY-2');
    const e2 = expectedRefund([{ unitPriceMinor: B.unitPriceMinor, inspected: 2, sellerFault: false }], FEE);
    expect([e2.amount, e2.restockingFee]).toEqual([2469_10 - 308_64, 308_64]);
    expect(r2).toMatchObject({ amount: { amountMinor: e2.amount, currency: 'RUB' }, restockingFee: { amountMinor: e2.restockingFee }, shipping: { amountMinor: 0 }, externalReference: 'PAY-2' });

    // The return as staff read it: lines, dispositions and the whole timeline.
    const final = (await t.admin(ReturnFlowDocument, { id: defective.id })).returnRequest!;
    expect(final.lines.map((l) => [l.orderLine.sku, l.quantity, l.reason, l.receivedQuantity, l.dispositions.map((d) => [d.disposition, d.quantity]).sort()])).toEqual([
      [A.sku, 2, 'DEFECTIVE', 2, [['RESTOCK', 1], ['WRITE_OFF', 1]]],
    ]);
    const timeline = ['REQUESTED', 'APPROVED', 'RECEIVED', 'INSPECTED', 'REFUNDED'];
    expect(final.events.map((e) => [e.sequence, e.status])).toEqual(timeline.map((s, i) => [i + 1, s]));

    // 4. The socket got every change of both returns, in order, with gapless sequences.
    await socket.next(10, 10_000);
    await settle(500);
    expect(socket.items.every((i) => !i.errors)).toBe(true);
    for (const ret of [defective, changedMind]) {
      const mine = socket.items.map((i) => i.data!.returnStatusChanged).filter((m) => m.returnRequest.id === ret.id);
      expect(mine.map((m) => [m.event.sequence, m.event.status, m.event.previousStatus])).toEqual(timeline.map((s, i) => [i + 1, s, i ? timeline[i - 1] : null]));
    }
    expect(socket.items).toHaveLength(10);
    socket.dispose();

    // 5. One RETURN_UPDATED webhook per change.
    await waitFor('10 webhooks', () => hooks.bodies.length, (n) => n >= 10);
    await settle(600);
    for (const ret of [defective, changedMind]) {
      const got = hooks.of((b) => b.data.number === ret.number).map((b) => [b.topic, b.data.sequence, b.data.status, b.data.warehouseCode]);
      got.sort((x, y) => Number(x[1]) - Number(y[1]));
      expect(got).toEqual(timeline.map((s, i) => ['RETURN_UPDATED', i + 1, s, o.warehouseCode]));
    }
    expect(hooks.bodies).toHaveLength(10);

    // 6. Approved, received and refunded e-mails of both returns, on the order (API) and with the amounts.
    const mails = await waitFor('6 return e-mails', () => emails(o), (m) => m.length >= 6);
    const subjects = [defective, changedMind].flatMap((r) => [`Возврат ${r.number} одобрен`, `Возврат ${r.number} получен`, `Деньги по возврату ${r.number} возвращены`]);
    expect(mails.map((m) => m.subject).sort()).toEqual([...subjects].sort());
    expect(mails.find((m) => m.subject === `Деньги по возврату ${changedMind.number} возвращены`)!.body).toMatch(/мы вернули 2\s160,46\s₽\./);
    const api = (await t.admin(OrderNotificationsDocument, { id: o.orderId })).order!.notifications.filter((n) => n.template.startsWith('return_'));
    expect(api.map((n) => n.subject).sort()).toEqual([...subjects].sort());

    // 7. Analytics for the period: which SKUs came back, how many, why.
    const rows = (await t.admin(ReturnAnalyticsDocument, { from: from.toISOString(), to: new Date(Date.now() + 60_000).toISOString(), groupBy: 'SKU' })).returnAnalytics;
    const bySku = new Map(rows.map((r) => [r.key, r]));
    expect(bySku.get(A.sku)).toMatchObject({ unitsShipped: 3, unitsReturned: 2, reasons: [{ reason: 'DEFECTIVE', units: 2 }] });
    expect(bySku.get(A.sku)!.returnRate).toBeCloseTo(2 / 3, 6);
    expect(bySku.get(B.sku)).toMatchObject({ unitsShipped: 2, unitsReturned: 2, reasons: [{ reason: 'CHANGED_MIND', units: 2 }] });
  });
});
