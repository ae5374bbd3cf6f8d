/**
 * Issue 18 item 1: `kpis` over HTTP on small, fully known stores: the order cohort's figures, the
 * buckets in the store's time zone, filters, access and bad input.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KpisApiKeyDocument, KpisDocument } from '../generated/graphql.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { startApp, type TestApp } from '../harness.js';

const HOUR = 3_600_000;

describe('kpis', () => {
  let t: TestApp;
  let reader: string;
  let a: DeliveredOrder;
  let b: DeliveredOrder;
  let from: Date;
  beforeAll(async () => {
    t = await startApp();
    reader = (await t.admin(KpisApiKeyDocument, { input: { name: 'dashboard', kind: 'PARTNER', scopes: ['read_metrics'] } })).apiKeyCreate.secret!;
    from = new Date(Date.now() - 24 * HOUR);
    a = await deliveredOrder(t, { lines: [{ quantity: 2, priceMinor: 1000_00 }], shippingMinor: 300_00 });
    b = await deliveredOrder(t, { lines: [{ quantity: 1, priceMinor: 500_00 }, { quantity: 3, priceMinor: 100_00 }], shippingMinor: 250_00, deliveredAt: null });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const report = async (vars: { from: Date; to: Date; granularity?: 'HOUR' | 'DAY' | 'WEEK' | 'MONTH'; filter?: Record<string, string[]> }, token: string | null = reader) =>
    t.gql(KpisDocument, { from: vars.from.toISOString(), to: vars.to.toISOString(), granularity: vars.granularity, filter: vars.filter }, { token });

  it("counts the period's orders, units and revenue; one delivered, both shipped; buckets cover the period without gaps", async () => {
    const to = new Date(Date.now() + HOUR);
    const r = await report({ from, to, granularity: 'HOUR' });
    expect(r.errors).toBeUndefined();
    const k = r.data!.kpis;
    expect(k.totals.orders).toBe(2);
    expect(k.totals.units).toBe(2 + 4);
    // Totals of the orders as placed (goods + shipping).
    expect(k.totals.revenue).toEqual({ amountMinor: 2000_00 + 300_00 + 800_00 + 250_00, currency: 'RUB' });
    expect(k.totals.orderToShip.count).toBe(2);
    expect(k.totals.orderToDelivery.count).toBe(1);
    expect(k.totals.fillRate).toBe(1);
    expect(k.totals.backorderRate).toBe(0);
    expect(k.totals.shippingCost.currency).toBe('RUB');
    expect(k.totals.shippingCostPerOrder!.amountMinor).toBe(Math.round(k.totals.shippingCost.amountMinor / 2));
    // Hourly buckets: 25 or 26 of them (the first starts at or before from), in order, one hour apart.
    const starts = k.series.map((s) => new Date(s.start).getTime());
    expect(starts[0]).toBeLessThanOrEqual(from.getTime());
    expect(starts.at(-1)).toBeLessThan(to.getTime());
    for (let i = 1; i < starts.length; i++) expect(starts[i]! - starts[i - 1]!).toBe(HOUR);
    // Buckets add up to the totals.
    expect(k.series.reduce((s, x) => s + x.values.orders, 0)).toBe(2);
    expect(k.series.reduce((s, x) => s + x.values.revenue.amountMinor, 0)).toBe(k.totals.revenue.amountMinor);
    expect(k.series.reduce((s, x) => s + x.values.orderToShip.count, 0)).toBe(2);
    // Figures without data are null, never 0.
    const empty = k.series.find((s) => s.values.orders === 0)!;
    expect(empty.values).toMatchObject({ fillRate: null, backorderRate: null, shippingCostPerOrder: null, returnRate: null, onTimeDeliveryRate: null });
    expect(empty.values.orderToShip).toEqual({ p50: null, p90: null, p99: null, mean: null, count: 0 });
  });

  it('narrows by warehouse and by carrier; the durations are those of the matching orders', async () => {
    const to = new Date(Date.now() + HOUR);
    const byA = (await report({ from, to, granularity: 'DAY', filter: { warehouseCodes: [a.warehouseCode] } })).data!.kpis.totals;
    expect(byA.orders).toBe(1);
    expect(byA.units).toBe(2);
    expect(byA.orderToDelivery.count).toBe(1);
    const byB = (await report({ from, to, granularity: 'DAY', filter: { carrierCodes: [b.carrierCode] } })).data!.kpis.totals;
    expect(byB.orders).toBe(1);
    expect(byB.units).toBe(4);
    expect(byB.orderToDelivery.count).toBe(0);
    expect(byB.orderToShip.count).toBe(1);
    expect(byB.orderToShip.p50).toBe(byB.orderToShip.p99);
    const none = (await report({ from, to, filter: { channels: ['no-such-channel'] } })).data!.kpis.totals;
    expect(none.orders).toBe(0);
    expect(none.revenue.amountMinor).toBe(0);
  });

  it('refuses a reversed period, too many buckets, unknown codes, and callers without read_metrics', async () => {
    const now = new Date();
    const code = async (p: Promise<{ errors?: readonly { extensions?: Record<string, unknown> }[] }>) => (await p).errors?.[0]?.extensions?.code;
    expect(await code(report({ from: now, to: now }))).toBe('BAD_USER_INPUT');
    expect(await code(report({ from: new Date(now.getTime() - 3 * 366 * 24 * HOUR), to: now, granularity: 'HOUR' }))).toBe('BAD_USER_INPUT');
    expect(await code(report({ from, to: now, filter: { warehouseCodes: ['NOPE'] } }))).toBe('BAD_USER_INPUT');
    expect(await code(report({ from, to: now, filter: { carrierCodes: ['NOPE'] } }))).toBe('BAD_USER_INPUT');
    expect(await code(report({ from, to: now }, null))).toBe('UNAUTHENTICATED');
    expect(await code(report({ from, to: now }, a.customerToken))).toBe('FORBIDDEN');
  });
});
