/**
 * Reorder policies, replenishment suggestions and the replenishment run, end to end over HTTP:
 * two warehouses (MSK1 short of stock, SPB1 with plenty of one SKU), a year of imported weekly
 * demand, suppliers with pack sizes and minimum orders. The run drafts a transfer where another
 * warehouse has excess and a purchase order per supplier otherwise; run again, it creates nothing
 * while those are open.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  RpDemandImportDocument,
  RpPoCancelDocument,
  RpPolicyDocument,
  RpPolicySetDocument,
  RpPurchaseOrdersDocument,
  RpRunDocument,
  RpSuggestionsDocument,
  RpSupplierCreateDocument,
  RpSupplierProductSetDocument,
  RpTransfersDocument,
} from '../generated/graphql.js';
import { stockedStore } from '../factories/stock.js';
import { startApp, type TestApp } from '../harness.js';
import { ReplenishmentScheduler } from '../../src/modules/planning/replenishment.scheduler.js';
import { ManualClock } from '../../src/shared/clock.js';

const DAY = 86_400_000;
// A Wednesday in October (Moscow time 13:00).
const NOW = new Date('2026-10-07T10:00:00Z');
const clock = new ManualClock(NOW);

let t: TestApp;
let A: string, B: string, C: string, D: string, E: string;

/** 52 past weeks (any instant of each week will do: Wednesday noon of the week k weeks back). */
const pastWeeks = (units: (k: number) => number) => Array.from({ length: 52 }, (_, i) => ({ weekStart: new Date(NOW.getTime() - (i + 1) * 7 * DAY).toISOString(), units: units(i) }));

beforeAll(async () => {
  t = await startApp({ clock });
  // MSK1: A 5, B 2, C 1000, D 0, E 0; SPB1: A 500.
  [A, B, C, D, E] = (await stockedStore(t, { msk: [5, 2, 1000, 0, 0], spb: [500, 0, 0, 0, 0] })) as [string, string, string, string, string];
  const sup = await t.admin(RpSupplierCreateDocument, { input: { code: 'TEXTIL', name: 'Текстиль Иваново', currency: 'RUB', leadTimeDays: 14 } });
  expect(sup.supplierCreate.userErrors).toEqual([]);
  for (const sku of [A, B, C]) {
    const set = await t.admin(RpSupplierProductSetDocument, { input: { supplierCode: 'TEXTIL', sku, unitCost: { amountMinor: 10_000, currency: 'RUB' }, packSize: 12, minOrderQuantity: 24 } });
    expect(set.supplierProductSet.userErrors).toEqual([]);
  }
  const imp = (warehouseCode: string, sku: string, units: (k: number) => number) =>
    t.admin(RpDemandImportDocument, { input: { warehouseCode, lines: pastWeeks(units).map((w) => ({ sku, ...w })) } });
  for (const [wh, sku, f] of [
    ['MSK1', A, () => 20],
    ['MSK1', B, (k: number) => (k % 2 ? 5 : 15)],
    ['MSK1', C, () => 5],
    ['MSK1', D, () => 8],
    ['SPB1', A, () => 5],
  ] as const) {
    const r = await imp(wh, sku, f);
    expect(r.demandHistoryImport.userErrors).toEqual([]);
    expect(r.demandHistoryImport.imported).toBe(52);
  }
});
afterAll(async () => t?.close());

describe('reorder policies', () => {
  it('gives every SKU a default policy from its forecast and lead time: reorderPoint = demand over the lead time + safety stock, orderUpTo ≥ it', async () => {
    const { reorderPolicy: a } = await t.admin(RpPolicyDocument, { sku: A, warehouseCode: 'MSK1' });
    expect(a).toMatchObject({ variant: { sku: A }, warehouse: { code: 'MSK1' }, serviceLevel: 0.95, leadTimeDays: 14, economicOrderQuantity: null });
    // 20 a week, two weeks of lead time: 40 expected; a constant history leaves (almost) no error to protect against.
    expect(a!.reorderPoint).toBeGreaterThanOrEqual(40);
    expect(a!.reorderPoint).toBeLessThanOrEqual(42);
    expect(a!.reorderPoint - a!.safetyStock).toBeGreaterThanOrEqual(39);
    // + one week of review.
    expect(a!.orderUpTo).toBeGreaterThanOrEqual(a!.reorderPoint + 19);
    for (const vars of [{ sku: 'NO-SUCH-SKU', warehouseCode: 'MSK1' }, { sku: A, warehouseCode: 'NOPE' }]) {
      const r = await t.gql(RpPolicyDocument, vars, { token: t.adminKey });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
  });

  it('a higher service level never lowers the safety stock; costs give an EOQ of √(2DS/H)', async () => {
    const at = async (serviceLevel: number) => {
      const r = await t.admin(RpPolicySetDocument, { input: { sku: B, warehouseCode: 'MSK1', serviceLevel } });
      expect(r.reorderPolicySet.userErrors).toEqual([]);
      return r.reorderPolicySet.reorderPolicy!;
    };
    const low = await at(0.8);
    const high = await at(0.99);
    expect(high.serviceLevel).toBe(0.99);
    expect(high.safetyStock).toBeGreaterThan(0); // B's weeks swing between 5 and 15
    expect(high.safetyStock).toBeGreaterThanOrEqual(low.safetyStock);
    expect(high.reorderPoint).toBeGreaterThanOrEqual(low.reorderPoint);
    // D = 10/week × 52 = 520, S = 50.00, H = 25% of 100.00 = 25.00: √(2·520·50/25) = √2080 ≈ 45.6.
    const withCosts = await t.admin(RpPolicySetDocument, {
      input: { sku: B, warehouseCode: 'MSK1', serviceLevel: 0.95, orderingCost: { amountMinor: 5_000, currency: 'RUB' }, holdingCostRate: 0.25 },
    });
    expect(withCosts.reorderPolicySet.reorderPolicy!.economicOrderQuantity).toBeGreaterThanOrEqual(43);
    expect(withCosts.reorderPolicySet.reorderPolicy!.economicOrderQuantity).toBeLessThanOrEqual(48);
    expect((await t.admin(RpPolicyDocument, { sku: B, warehouseCode: 'MSK1' })).reorderPolicy).toEqual(withCosts.reorderPolicySet.reorderPolicy);
  });

  it('refuses bad settings one by one and changes nothing', async () => {
    const before = (await t.admin(RpPolicyDocument, { sku: B, warehouseCode: 'MSK1' })).reorderPolicy;
    const cases: [Record<string, unknown>, string, string[]][] = [
      [{ serviceLevel: 0.5 }, 'SERVICE_LEVEL_OUT_OF_RANGE', ['input', 'serviceLevel']],
      [{ serviceLevel: 0.999 }, 'SERVICE_LEVEL_OUT_OF_RANGE', ['input', 'serviceLevel']],
      [{ serviceLevel: 1.2 }, 'SERVICE_LEVEL_OUT_OF_RANGE', ['input', 'serviceLevel']],
      [{ reviewPeriodDays: -1 }, 'INVALID', ['input', 'reviewPeriodDays']],
      [{ orderingCost: { amountMinor: -1, currency: 'RUB' }, holdingCostRate: 0.2 }, 'NEGATIVE_COST', ['input', 'orderingCost', 'amountMinor']],
      [{ orderingCost: { amountMinor: 100, currency: 'XXX' } }, 'INVALID', ['input', 'orderingCost', 'currency']],
      [{ holdingCostRate: -0.1 }, 'INVALID', ['input', 'holdingCostRate']],
      [{ sku: 'NO-SUCH-SKU' }, 'NOT_FOUND', ['input', 'sku']],
      [{ warehouseCode: 'NOPE' }, 'NOT_FOUND', ['input', 'warehouseCode']],
    ];
    for (const [over, code, field] of cases) {
      const r = await t.admin(RpPolicySetDocument, { input: { sku: B, warehouseCode: 'MSK1', ...over } as never });
      expect(r.reorderPolicySet.reorderPolicy, JSON.stringify(over)).toBeNull();
      expect(r.reorderPolicySet.userErrors, JSON.stringify(over)).toContainEqual(expect.objectContaining({ code, field }));
    }
    expect((await t.admin(RpPolicyDocument, { sku: B, warehouseCode: 'MSK1' })).reorderPolicy).toEqual(before);
  });
});

describe('replenishment', () => {
  it('suggests what is at or below its reorder point, most urgent first, with where it should come from', async () => {
    const { replenishmentSuggestions: s } = await t.admin(RpSuggestionsDocument, { warehouseCode: 'MSK1' });
    expect(s.map((x) => x.variant.sku).sort()).toEqual([A, B, D].sort()); // C has 1000 units for 5 a week
    // Most urgent first: D has nothing (out now), B runs out after 2 of ~10 a week, A after 5 of 20.
    expect(s.map((x) => x.variant.sku)).toEqual([D, B, A]);
    expect(new Date(s[0]!.stockoutDate!).getTime()).toBe(NOW.getTime());
    for (let i = 1; i < s.length; i++) expect(new Date(s[i]!.stockoutDate!).getTime()).toBeGreaterThanOrEqual(new Date(s[i - 1]!.stockoutDate!).getTime());
    const bySku = new Map(s.map((x) => [x.variant.sku, x]));
    const a = bySku.get(A)!;
    const b = bySku.get(B)!;
    const d = bySku.get(D)!;
    // A: SPB1 has 500 for 5 a week, far above its own orderUpTo: a transfer of exactly what MSK1 lacks.
    expect(a).toMatchObject({ available: 5, incoming: 0, transferFrom: { code: 'SPB1' }, supplier: null });
    expect(a.quantity).toBe(a.policy.orderUpTo - 5);
    // B: from the supplier, in packs of 12 and at least 24, enough to reach orderUpTo.
    expect(b).toMatchObject({ available: 2, supplier: { code: 'TEXTIL' }, transferFrom: null });
    expect(b.quantity % 12).toBe(0);
    expect(b.quantity).toBeGreaterThanOrEqual(Math.max(24, b.policy.orderUpTo - 2));
    expect(b.quantity).toBeLessThan(Math.max(24, b.policy.orderUpTo - 2) + 12);
    // D: neither a supplier nor a warehouse with stock: shown, with nowhere to come from.
    expect(d).toMatchObject({ available: 0, supplier: null, transferFrom: null });
    expect(d.quantity).toBeGreaterThanOrEqual(d.policy.orderUpTo);
    for (const x of s) expect(x.available + x.incoming).toBeLessThanOrEqual(x.policy.reorderPoint);
    expect((await t.admin(RpSuggestionsDocument, { warehouseCode: 'MSK1', first: 1 })).replenishmentSuggestions.map((x) => x.variant.sku)).toEqual([D]);
  });

  it('refuses a bad first or warehouse as BAD_USER_INPUT', async () => {
    for (const vars of [{ warehouseCode: 'MSK1', first: 0 }, { warehouseCode: 'MSK1', first: 501 }, { warehouseCode: 'NOPE' }]) {
      const r = await t.gql(RpSuggestionsDocument, vars, { token: t.adminKey });
      expect(r.errors?.[0]?.extensions?.code, JSON.stringify(vars)).toBe('BAD_USER_INPUT');
    }
  });

  it('replenishmentRun for an unknown warehouse is a NOT_FOUND userError and drafts nothing', async () => {
    const counts = async () => [
      (await t.admin(RpPurchaseOrdersDocument, {})).purchaseOrders.totalCount,
      (await t.admin(RpTransfersDocument, {})).transferOrders.totalCount,
    ];
    const before = await counts();
    const r = (await t.admin(RpRunDocument, { input: { warehouseCode: 'NOPE' } })).replenishmentRun;
    expect(r).toEqual({ purchaseOrders: [], transferOrders: [], userErrors: [expect.objectContaining({ code: 'NOT_FOUND', field: ['input', 'warehouseCode'] })] });
    expect(await counts()).toEqual(before);
    // MSK1 still has its needs open: nothing was covered by the refused run.
    expect((await t.admin(RpSuggestionsDocument, { warehouseCode: 'MSK1' })).replenishmentSuggestions.map((x) => x.variant.sku).sort()).toEqual([A, B, D].sort());
  });

  it('drafts a transfer and one purchase order per supplier; run again, it creates nothing while they are open', async () => {
    const suggested = new Map((await t.admin(RpSuggestionsDocument, { warehouseCode: 'MSK1' })).replenishmentSuggestions.map((x) => [x.variant.sku, x.quantity]));
    const first = (await t.admin(RpRunDocument, { input: { warehouseCode: 'MSK1' } })).replenishmentRun;
    expect(first.userErrors).toEqual([]);
    expect(first.transferOrders).toHaveLength(1);
    expect(first.transferOrders[0]).toMatchObject({ status: 'DRAFT', fromWarehouse: { code: 'SPB1' }, toWarehouse: { code: 'MSK1' }, lines: [{ variant: { sku: A }, quantity: suggested.get(A) }] });
    expect(first.purchaseOrders).toHaveLength(1);
    const po = first.purchaseOrders[0]!;
    expect(po).toMatchObject({ status: 'DRAFT', supplier: { code: 'TEXTIL' }, warehouse: { code: 'MSK1' }, lines: [{ variant: { sku: B }, quantity: suggested.get(B), unitCost: { amountMinor: 10_000, currency: 'RUB' } }] });
    expect(po.total).toEqual({ amountMinor: 10_000 * suggested.get(B)!, currency: 'RUB' });

    const again = (await t.admin(RpRunDocument, { input: { warehouseCode: 'MSK1' } })).replenishmentRun;
    expect(again).toEqual({ purchaseOrders: [], transferOrders: [], userErrors: [] });
    // Covered needs leave the suggestions; D (nowhere to come from) stays.
    expect((await t.admin(RpSuggestionsDocument, { warehouseCode: 'MSK1' })).replenishmentSuggestions.map((x) => x.variant.sku)).toEqual([D]);

    // Cancelling the purchase order uncovers B: the next run drafts it again.
    expect((await t.admin(RpPoCancelDocument, { input: { id: po.id } })).purchaseOrderCancel.userErrors).toEqual([]);
    const third = (await t.admin(RpRunDocument, { input: { warehouseCode: 'MSK1' } })).replenishmentRun;
    expect(third.transferOrders).toEqual([]);
    expect(third.purchaseOrders.map((p) => p.lines.map((l) => [l.variant.sku, l.quantity]))).toEqual([[[B, suggested.get(B)]]]);
    const drafts = (await t.admin(RpPurchaseOrdersDocument, { status: ['DRAFT'] })).purchaseOrders;
    expect(drafts.totalCount).toBe(1);
  });

  it('orders past the reorder point when orderUpTo equals it (no review period), so a second run still creates nothing', async () => {
    // E: bought in single units, reviewed continuously (R = 0: orderUpTo = reorderPoint).
    expect((await t.admin(RpSupplierProductSetDocument, { input: { supplierCode: 'TEXTIL', sku: E, unitCost: { amountMinor: 500, currency: 'RUB' } } })).supplierProductSet.userErrors).toEqual([]);
    expect((await t.admin(RpDemandImportDocument, { input: { warehouseCode: 'MSK1', lines: pastWeeks(() => 7).map((w) => ({ sku: E, ...w })) } })).demandHistoryImport.userErrors).toEqual([]);
    const policy = (await t.admin(RpPolicySetDocument, { input: { sku: E, warehouseCode: 'MSK1', reviewPeriodDays: 0 } })).reorderPolicySet.reorderPolicy!;
    expect(policy.orderUpTo).toBe(policy.reorderPoint);
    const run = (await t.admin(RpRunDocument, { input: { warehouseCode: 'MSK1' } })).replenishmentRun;
    const line = run.purchaseOrders.flatMap((p) => p.lines).find((l) => l.variant.sku === E)!;
    expect(line.quantity).toBe(policy.reorderPoint + 1);
    const again = (await t.admin(RpRunDocument, { input: { warehouseCode: 'MSK1' } })).replenishmentRun;
    expect(again).toEqual({ purchaseOrders: [], transferOrders: [], userErrors: [] });
  });

  it('the scheduled run does what a run does, for every warehouse, and never twice', async () => {
    const counts = async () => ({
      purchaseOrders: (await t.admin(RpPurchaseOrdersDocument, {})).purchaseOrders.totalCount,
      transfers: (await t.admin(RpTransfersDocument, {})).transferOrders.totalCount,
    });
    // MSK1's needs are covered by the drafts above and SPB1 has none: nothing new.
    const before = await counts();
    await t.app.replenishment.runOnce();
    expect(await counts()).toEqual(before);
    // C starts selling in SPB1 (none on hand there) while MSK1 holds 1000 for 5 a week: the schedule drafts a transfer.
    const imp = await t.admin(RpDemandImportDocument, { input: { warehouseCode: 'SPB1', lines: pastWeeks(() => 30).map((w) => ({ sku: C, ...w })) } });
    expect(imp.demandHistoryImport.userErrors).toEqual([]);
    await t.app.replenishment.runOnce();
    const drafts = (await t.admin(RpTransfersDocument, { status: ['DRAFT'] })).transferOrders.nodes;
    const toSpb = drafts.filter((d) => d.toWarehouse.code === 'SPB1');
    expect(toSpb).toHaveLength(1);
    expect(toSpb[0]).toMatchObject({ fromWarehouse: { code: 'MSK1' }, lines: [{ variant: { sku: C } }] });
    const { reorderPolicy: c } = await t.admin(RpPolicyDocument, { sku: C, warehouseCode: 'SPB1' });
    expect(toSpb[0]!.lines[0]!.quantity).toBe(c!.orderUpTo);
    const after = await counts();
    expect(after).toEqual({ purchaseOrders: before.purchaseOrders, transfers: before.transfers + 1 });
    await t.app.replenishment.runOnce();
    expect(await counts()).toEqual(after);
  });

  it('runs on its interval when REPLENISHMENT_INTERVAL_MINUTES is set, and not at all when it is 0', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    try {
      const log = t.app.log;
      const ctx = t.app.context({ kind: 'STAFF', name: 'replenishment', scopes: ['admin'] }).services;
      const off = new ReplenishmentScheduler(ctx, log, 0);
      const on = new ReplenishmentScheduler(ctx, log, 60_000);
      const offRuns = vi.spyOn(off, 'runOnce');
      const onRuns = vi.spyOn(on, 'runOnce').mockResolvedValue();
      off.start();
      on.start();
      vi.advanceTimersByTime(60_000 * 3 + 1);
      expect(offRuns).not.toHaveBeenCalled();
      expect(onRuns).toHaveBeenCalledTimes(3);
      await on.stop();
      vi.advanceTimersByTime(60_000 * 3);
      expect(onRuns).toHaveBeenCalledTimes(3);
    } finally {
      vi.useRealTimers();
    }
  });
});
