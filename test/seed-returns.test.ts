/** The demo seed's returns: the plan (pure) and how it is played through the return services. */
import { describe, expect, it } from 'vitest';
import { applyDemoReturns, planDemoReturns, statusAfter, type DeliveredDemoOrder, type PlannedReturn, type ReturnsSeedApi } from '../scripts/seed-returns.js';
import { prng } from '../scripts/lib/prng.js';
import { isSellerFault, RETURN_STATUSES } from '../src/modules/returns/returns.table.js';
import { ManualClock } from '../src/shared/clock.js';
import { BusinessError } from '../src/shared/errors.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { wilsonInterval } from '../src/shared/wilson.js';

const DAY = 86_400_000;
const END = new Date('2026-12-06T12:00:00Z');
const CATEGORIES = ['apparel/shoes', 'apparel/outerwear', 'electronics/audio', 'home/kitchen', 'sports/outdoor', 'beauty/skincare', 'toys', 'books'];

/** Delivered orders like the demo history's: a skewed SKU popularity over 8 categories, 1-3 lines, delivered over 90 days. */
function history(count: number, seed = 7): DeliveredDemoOrder[] {
  const r = prng(seed);
  const skus = Array.from({ length: 160 }, (_, i) => ({ sku: `SKU-${i}`, gtin: `46${String(i).padStart(11, '0')}`, category: CATEGORIES[i % CATEGORIES.length]! }));
  const weights = skus.map((_, i) => 1 / (i + 1) ** 0.9);
  const total = weights.reduce((a, b) => a + b, 0);
  const popular = () => {
    let x = r.next() * total;
    for (let i = 0; i < skus.length; i++) if ((x -= weights[i]!) < 0) return skus[i]!;
    return skus[0]!;
  };
  return Array.from({ length: count }, (_, i) => {
    const lines = new Map<string, DeliveredDemoOrder['lines'][number]>();
    const n = r.next() < 0.6 ? 1 : r.next() < 0.75 ? 2 : 3;
    for (let l = 0; l < n; l++) {
      const s = popular();
      const q = r.next() < 0.85 ? 1 : 2;
      const prev = lines.get(s.sku);
      lines.set(s.sku, { orderLineId: `line-${i}-${s.sku}`, sku: s.sku, gtin: s.gtin, category: s.category, shippedQuantity: (prev?.shippedQuantity ?? 0) + q, warehouseCode: i % 3 ? 'MSK1' : 'SPB1', deliveredAt: END });
    }
    const deliveredAt = new Date(END.getTime() - (2 + r.next() * 86) * DAY);
    return { orderId: `order-${i}`, externalId: `DEMO-${String(i + 1).padStart(6, '0')}`, deliveredAt, lines: [...lines.values()].map((l) => ({ ...l, deliveredAt })) };
  });
}

const lineOf = (orders: DeliveredDemoOrder[]) => new Map(orders.flatMap((o) => o.lines.map((l) => [l.orderLineId, l] as const)));
const counting = (p: PlannedReturn) => p.target !== 'REJECTED' && p.target !== 'CANCELLED';

describe('planDemoReturns', () => {
  const orders = history(300);
  const plan = planDemoReturns(orders, { end: END });

  it('is deterministic', () => {
    expect(planDemoReturns(history(300), { end: END })).toEqual(plan);
    expect(planDemoReturns(history(300, 8), { end: END })).not.toEqual(plan);
  });

  it('gives shoes and clothes size problems, fragile goods damage, and sizes nothing else', () => {
    const many = history(600, 5);
    const { returns, defectiveSku } = planDemoReturns(many, { end: END });
    const lines = lineOf(many);
    const reasonsOf = (pred: (category: string) => boolean) =>
      returns.flatMap((p) => p.lines).filter((l) => l.sku !== defectiveSku && pred(lines.get(l.orderLineId)!.category!)).map((l) => l.reason);
    const share = (reasons: string[], pred: (r: string) => boolean) => reasons.filter(pred).length / reasons.length;
    const apparel = reasonsOf((c) => c.startsWith('apparel/'));
    const fragile = reasonsOf((c) => c === 'home/kitchen' || c.startsWith('electronics/'));
    const rest = reasonsOf((c) => !c.startsWith('apparel/') && c !== 'home/kitchen' && !c.startsWith('electronics/'));
    expect(apparel.length).toBeGreaterThanOrEqual(20);
    expect(share(apparel, (r) => r.startsWith('SIZE_'))).toBeGreaterThan(0.55);
    expect(fragile.length).toBeGreaterThanOrEqual(6);
    expect(share(fragile, (r) => r === 'DAMAGED')).toBeGreaterThan(0.3);
    expect(rest.length).toBeGreaterThanOrEqual(4);
    expect(share([...fragile, ...rest], (r) => r.startsWith('SIZE_'))).toBe(0);
    // Clothes come back far more often than the rest of the catalogue (per returned line).
    expect(apparel.length).toBeGreaterThan(fragile.length + rest.length);
  });

  it('makes one SKU come back defective so often that returnAnalytics flags it above all others', () => {
    expect(plan.defectiveSku).toBe('SKU-2'); // the most delivered electronics SKU (SKU-0 is a shoe)
    const shipped = new Map<string, number>();
    for (const o of orders) for (const l of o.lines) shipped.set(l.sku, (shipped.get(l.sku) ?? 0) + l.shippedQuantity);
    const returned = new Map<string, number>();
    const defectiveReasons: string[] = [];
    for (const p of plan.returns.filter(counting))
      for (const l of p.lines) {
        returned.set(l.sku, (returned.get(l.sku) ?? 0) + l.quantity);
        if (l.sku === plan.defectiveSku) defectiveReasons.push(l.reason);
      }
    const total = [...shipped.values()].reduce((a, b) => a + b, 0);
    const overall = [...returned.values()].reduce((a, b) => a + b, 0) / total;
    expect(overall).toBeGreaterThan(0.04);
    expect(overall).toBeLessThan(0.2);
    // returnAnalytics flags it: its 95% Wilson interval lies above the store's rate, and no SKU's lower bound is higher.
    const low = (sku: string) => wilsonInterval(returned.get(sku) ?? 0, shipped.get(sku)!).low;
    expect(low(plan.defectiveSku!)).toBeGreaterThan(overall);
    for (const sku of shipped.keys()) if (sku !== plan.defectiveSku) expect(low(sku), sku).toBeLessThan(low(plan.defectiveSku!));
    // Among SKUs with enough units to judge (10 or more), the only others above the store's rate are clothes and shoes (sizes).
    const category = new Map(orders.flatMap((o) => o.lines.map((l) => [l.sku, l.category!] as const)));
    const judged = [...shipped].filter(([, n]) => n >= 10).map(([sku]) => sku);
    expect(judged.length).toBeGreaterThan(5);
    expect(judged.filter((sku) => sku !== plan.defectiveSku && low(sku) > overall && !category.get(sku)!.startsWith('apparel/'))).toEqual([]);
    expect(defectiveReasons.filter((r) => r === 'DEFECTIVE').length / defectiveReasons.length).toBeGreaterThan(0.7);
  });

  it.each([300, 80])('leaves returns in every status, with steps that make sense (%i orders)', (count) => {
    const orders = history(count, 11);
    const { returns, defectiveSku } = planDemoReturns(orders, { end: END });
    expect(new Set(returns.map((p) => p.target))).toEqual(new Set(RETURN_STATUSES));
    const byId = new Map(orders.map((o) => [o.orderId, o]));
    const lines = lineOf(orders);
    for (const p of returns) {
      const o = byId.get(p.orderId)!;
      expect(p.steps[0]!.kind).toBe('request');
      expect(p.steps[0]!.at.getTime()).toBeGreaterThan(o.deliveredAt.getTime());
      expect(p.steps[0]!.at.getTime()).toBeLessThan(o.deliveredAt.getTime() + 14 * DAY);
      for (let i = 1; i < p.steps.length; i++) expect(p.steps[i]!.at.getTime()).toBeGreaterThan(p.steps[i - 1]!.at.getTime());
      expect(p.steps[p.steps.length - 1]!.at.getTime()).toBeLessThan(END.getTime());
      expect(statusAfter(p.steps, p.autoApproved)).toBe(p.target);
      expect(p.autoApproved).toBe(p.lines.every((l) => isSellerFault(l.reason)));
      if (p.autoApproved) expect(['REQUESTED', 'REJECTED']).not.toContain(p.target);
      if (p.lines.some((l) => l.sku === defectiveSku)) expect(['REJECTED', 'CANCELLED']).not.toContain(p.target);
      expect(p.target === 'REJECTED').toBe(!!p.rejectionReason);
      expect(p.target === 'REFUNDED').toBe(!!p.externalReference);
      expect(new Set(p.lines.map((l) => l.orderLineId)).size).toBe(p.lines.length);
      for (const l of p.lines) {
        const line = lines.get(l.orderLineId)!;
        expect(line.warehouseCode).toBe(p.warehouseCode);
        expect(l.quantity).toBeGreaterThanOrEqual(1);
        expect(l.quantity).toBeLessThanOrEqual(line.shippedQuantity);
        expect(l.disposition).toBe(l.reason === 'DAMAGED' ? 'WRITE_OFF' : l.reason === 'DEFECTIVE' ? l.disposition : 'RESTOCK');
      }
    }
  });

  it('asks for a line only within its own window when the order came in parcels delivered days apart', () => {
    // Every order of two or more lines: all but the first line came in a parcel delivered 10 days before the last one.
    const split = history(600, 5).map((o) => ({ ...o, lines: o.lines.map((l, i) => (i ? { ...l, deliveredAt: new Date(o.deliveredAt.getTime() - 10 * DAY) } : l)) }));
    const { returns } = planDemoReturns(split, { end: END });
    const lines = lineOf(split);
    const orderOf = new Map(split.map((o) => [o.orderId, o]));
    for (const p of returns) for (const l of p.lines) expect(p.steps[0]!.at.getTime(), l.orderLineId).toBeLessThanOrEqual(lines.get(l.orderLineId)!.deliveredAt.getTime() + 14 * DAY);
    // Lines of the earlier parcel still come back when asked for within its window (4 days after the last parcel) ...
    const early = (p: PlannedReturn) => p.lines.some((l) => lines.get(l.orderLineId)!.deliveredAt < orderOf.get(p.orderId)!.deliveredAt);
    expect(returns.filter(early).length).toBeGreaterThan(0);
    // ... and later requests of such orders take the last parcel's line alone.
    const lateOfSplitOrders = returns.filter((p) => orderOf.get(p.orderId)!.lines.length > 1 && p.steps[0]!.at.getTime() > orderOf.get(p.orderId)!.deliveredAt.getTime() + 4 * DAY);
    expect(lateOfSplitOrders.length).toBeGreaterThan(0);
    for (const p of lateOfSplitOrders) expect(p.lines.map((l) => l.orderLineId)).toEqual([orderOf.get(p.orderId)!.lines[0]!.orderLineId]);
  });

  it('returns nothing for orders delivered too recently to ask, or with nothing delivered', () => {
    const recent = history(5).map((o) => ({ ...o, deliveredAt: new Date(END.getTime() - 30 * 60_000) }));
    expect(planDemoReturns(recent, { end: END }).returns).toEqual([]);
    expect(planDemoReturns([], { end: END })).toEqual({ returns: [], defectiveSku: null });
  });
});

describe('applyDemoReturns', () => {
  it('plays each return step by step at its planned time through the agreed service calls, then backdates them and restores the clock', async () => {
    const orders = history(120, 3);
    const plan = planDemoReturns(orders, { end: END });
    const clock = new ManualClock(END);
    const ctx = { clock } as unknown as ServiceContext;
    const calls: { fn: string; at: number; input: Record<string, unknown> }[] = [];
    const made = new Map<string, { id: string; lines: { id: string; orderLineId: string; receivedQuantity: number }[] }>();
    let backdated: readonly string[] = [];
    const record = (fn: string) => async (_ctx: ServiceContext, input: Record<string, unknown>) => {
      calls.push({ fn, at: clock.now().getTime(), input });
      if (fn === 'rejectReturn' && calls.filter((c) => c.fn === 'rejectReturn').length === 1) throw BusinessError.of('INVALID_STATE_TRANSITION', 'refused once, for the test');
    };
    const api: ReturnsSeedApi = {
      async createReturnRequest(_ctx, input) {
        calls.push({ fn: 'createReturnRequest', at: clock.now().getTime(), input });
        made.set(input.orderId, { id: `ret-${input.orderId}`, lines: input.lines.map((l) => ({ id: `rl-${l.orderLineId}`, orderLineId: l.orderLineId, receivedQuantity: 0 })) });
      },
      approveReturn: record('approveReturn'),
      rejectReturn: record('rejectReturn'),
      cancelReturn: record('cancelReturn'),
      receiveReturn: record('receiveReturn'),
      inspectReturn: record('inspectReturn'),
      refundReturn: record('refundReturn'),
      async returnCountOfOrders() {
        return 0;
      },
      async latestReturnOfOrder(_ctx, orderId) {
        const m = made.get(orderId);
        return m ? { ...m, status: 'REQUESTED' } : null;
      },
      async backdateReturns(_ctx, ids) {
        backdated = ids;
        return ids.length;
      },
    };
    const result = await applyDemoReturns(ctx, clock, plan, api);
    expect(clock.now()).toEqual(END);
    expect(result.created).toBe(plan.returns.length);
    expect([...backdated].sort()).toEqual(plan.returns.map((p) => `ret-${p.orderId}`).sort());
    expect(result.failures).toHaveLength(1);
    expect(result.byStatus.FAILED).toBe(1);
    // Times never go back, and each return's calls are its steps, at their times.
    for (let i = 1; i < calls.length; i++) expect(calls[i]!.at).toBeGreaterThanOrEqual(calls[i - 1]!.at);
    const fnOf = { request: 'createReturnRequest', approve: 'approveReturn', reject: 'rejectReturn', cancel: 'cancelReturn', receive: 'receiveReturn', inspect: 'inspectReturn', refund: 'refundReturn' } as const;
    for (const p of plan.returns) {
      const id = `ret-${p.orderId}`;
      const mine = calls.filter((c) => c.input.orderId === p.orderId || c.input.id === id);
      expect(mine.map((c) => [c.fn, c.at])).toEqual(p.steps.map((s) => [fnOf[s.kind], s.at.getTime()]));
      const receive = mine.find((c) => c.fn === 'receiveReturn');
      if (receive) expect((receive.input.scannedBarcodes as string[]).length).toBe(p.lines.reduce((s, l) => s + l.quantity, 0));
      const inspect = mine.find((c) => c.fn === 'inspectReturn');
      if (inspect) expect(inspect.input.lines).toEqual(p.lines.map((l) => ({ returnLineId: `rl-${l.orderLineId}`, disposition: l.disposition, quantity: l.quantity })));
      const refund = mine.find((c) => c.fn === 'refundReturn');
      if (refund) expect(refund.input.externalReference).toBe(p.externalReference);
    }
  });
});
