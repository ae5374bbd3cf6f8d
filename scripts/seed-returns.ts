/**
 * The returns part of the demo store (used by scripts/seed.ts): over the delivered demo orders of
 * the 90-day history, customers send goods back for the reasons real shops see (size problems
 * for shoes and clothes, breakage for fragile goods, a change of mind for the rest) and one SKU
 * comes back defective far more often than anything else, so returnAnalytics flags it. The
 * returns are left in every status: some still waiting for a decision, some rejected or cancelled,
 * some with the parcel on its way, received, inspected or refunded.
 *
 * Three parts: `planDemoReturns` decides everything (which orders and lines, reasons, quantities,
 * the status each return ends in and when each step happens) as a pure, deterministic function of
 * the delivered orders; `deliveredDemoOrders` reads those orders through the services; and
 * `applyDemoReturns` plays the plan on the ManualClock through the return services, handed in as
 * a `ReturnsSeedApi` (see ./seed-returns-api.ts). Idempotent: nothing is created when any demo
 * order already has a return.
 */
import { productsByIds, variantsByIds } from '../src/modules/catalog/catalog.service.js';
import { fulfillmentLinesByFoIds, fulfillmentOrdersByOrderIds, linesByOrderIds, listOrders, type OrderRow } from '../src/modules/orders/order.service.js';
import { shipmentsByOrderIds } from '../src/modules/shipments/shipment.service.js';
import { listAllWarehouses } from '../src/modules/warehouse/warehouse.service.js';
import type { ReturnDispositionValue, ReturnReasonValue, ReturnStatusValue } from '../src/modules/returns/returns.table.js';
import { isSellerFault } from '../src/modules/returns/returns.table.js';
import { ManualClock } from '../src/shared/clock.js';
import { BusinessError } from '../src/shared/errors.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { seedOf } from './lib/carrier-sim.js';
import { prng, type Prng } from './lib/prng.js';

const SEED = 0x5eed0e70;
const DAY = 86_400_000;
const HOUR = 3_600_000;

// ---------------------------------------------------------------------------------------------
// What the plan reads

export interface DeliveredLine {
  orderLineId: string;
  sku: string;
  gtin: string;
  category: string | null;
  shippedQuantity: number;
  /** The warehouse that shipped it (where the parcel goes back to). */
  warehouseCode: string;
  /**
   * When its return window opened: the delivery of the outbound parcel(s) that carried it (the last
   * of them), as the returns service counts the window. Earlier than the order's `deliveredAt` when
   * the order came in several parcels.
   */
  deliveredAt: Date;
}

export interface DeliveredDemoOrder {
  orderId: string;
  /** DEMO-000123: the plan's randomness is keyed on it, so the same history gives the same returns. */
  externalId: string;
  /** When the last parcel was delivered (a return is requested after it). */
  deliveredAt: Date;
  lines: DeliveredLine[];
}

// ---------------------------------------------------------------------------------------------
// The plan

export type ReturnStepKind = 'request' | 'approve' | 'reject' | 'cancel' | 'receive' | 'inspect' | 'refund';

export interface PlannedReturnLine {
  orderLineId: string;
  sku: string;
  gtin: string;
  quantity: number;
  reason: ReturnReasonValue;
  comment: string | null;
  /** What inspection decides for its units. */
  disposition: ReturnDispositionValue;
}

export interface PlannedReturn {
  orderId: string;
  externalId: string;
  warehouseCode: string;
  lines: PlannedReturnLine[];
  /** Every line is the seller's fault: the request is approved at once (contract), there is no approve step. */
  autoApproved: boolean;
  /** The status it ends in. */
  target: ReturnStatusValue;
  /** In time order, the first is the request; times after the delivery and before the plan's end. */
  steps: { kind: ReturnStepKind; at: Date }[];
  rejectionReason?: string;
  externalReference?: string;
}

export interface DemoReturnsPlan {
  returns: PlannedReturn[];
  /** The SKU that comes back defective far more often than the rest. */
  defectiveSku: string | null;
}

export interface PlanOptions {
  /** "Now": every step happens before it. */
  end: Date;
  /** Days from delivery within which a return may be requested (the store's policy; default 14). */
  windowDays?: number;
}

/** Share of a delivered line that comes back, by category prefix (first match). */
const RETURN_RATE: readonly [string, number][] = [
  ['apparel/', 0.24],
  ['electronics/', 0.09],
  ['home/kitchen', 0.09],
  ['sports/', 0.06],
  ['toys', 0.05],
  ['beauty/', 0.03],
  ['books', 0.03],
];
const DEFAULT_RATE = 0.05;
/**
 * Lines of the defective SKU that come back: a bad batch, so most of them. High enough that its
 * Wilson interval stays above the store rate and above the noise of small SKUs (3 of 3 units back
 * has a lower bound of 0.44), so returnAnalytics ranks it first by rateLow and flags it.
 */
const DEFECTIVE_RATE = 0.9;
/** The defective SKU is a gadget when there is one. */
const DEFECTIVE_CATEGORY = 'electronics/';

type Weighted<T> = readonly (readonly [T, number])[];
/** Reasons by category: sizes for shoes and clothes, breakage for fragile goods, a change of mind elsewhere. */
const REASONS: readonly [string, Weighted<ReturnReasonValue>][] = [
  ['apparel/', [['SIZE_TOO_SMALL', 40], ['SIZE_TOO_LARGE', 33], ['CHANGED_MIND', 10], ['NOT_AS_DESCRIBED', 10], ['DEFECTIVE', 4], ['WRONG_ITEM', 3]]],
  ['electronics/', [['DAMAGED', 45], ['DEFECTIVE', 20], ['CHANGED_MIND', 15], ['NOT_AS_DESCRIBED', 12], ['WRONG_ITEM', 5], ['LATE_DELIVERY', 3]]],
  ['home/kitchen', [['DAMAGED', 55], ['DEFECTIVE', 12], ['CHANGED_MIND', 15], ['NOT_AS_DESCRIBED', 10], ['WRONG_ITEM', 5], ['LATE_DELIVERY', 3]]],
];
const OTHER_REASONS: Weighted<ReturnReasonValue> = [['CHANGED_MIND', 40], ['NOT_AS_DESCRIBED', 20], ['DAMAGED', 12], ['WRONG_ITEM', 8], ['LATE_DELIVERY', 8], ['OTHER', 12]];

const COMMENTS: Record<ReturnReasonValue, readonly (string | null)[]> = {
  SIZE_TOO_SMALL: ['Маломерит, нужен на размер больше', 'Жмёт в подъёме', 'Runs small, need one size up'],
  SIZE_TOO_LARGE: ['Большемерит', 'Велико в плечах', 'Too big, even with thick socks'],
  DAMAGED: ['Пришло разбитым, коробка помята', 'Трещина на корпусе', 'Arrived broken, the box was crushed'],
  DEFECTIVE: ['Не включается', 'Перестал работать через два дня', 'Stopped working after a day'],
  WRONG_ITEM: ['Прислали другой цвет', 'В коробке другой товар', 'Wrong item in the parcel'],
  NOT_AS_DESCRIBED: ['Цвет не как на фото', 'Материал не соответствует описанию', 'Not what the listing shows'],
  LATE_DELIVERY: ['Доставили позже обещанного, уже не нужно', 'Arrived after the event, no longer needed'],
  CHANGED_MIND: ['Передумал(а)', 'Нашёл(ла) дешевле', null],
  OTHER: [null, 'Не подошло'],
};

/** DEFECTIVE outside electronics: nothing there "stops working". */
const DEFECT_COMMENTS: readonly (string | null)[] = ['Брак: разошёлся шов', 'Отклеилась подошва', 'Manufacturing defect, the seam came apart'];
const commentFor = (r: Prng, reason: ReturnReasonValue, category: string | null) =>
  r.pick(reason === 'DEFECTIVE' && !(category ?? '').startsWith('electronics/') ? DEFECT_COMMENTS : COMMENTS[reason]);

const REJECTION_REASONS = ['Следы носки, товар не в товарном виде', 'Нет бирок и оригинальной упаковки', 'Returned item shows signs of use'];

/** Status mix of the returns whose steps fit before the end (recent ones stop earlier on their own). */
const TARGETS: Weighted<ReturnStatusValue> = [
  ['REFUNDED', 42],
  ['INSPECTED', 8],
  ['RECEIVED', 8],
  ['APPROVED', 12],
  ['REQUESTED', 10],
  ['REJECTED', 10],
  ['CANCELLED', 10],
];

const pickWeighted = <T>(r: Prng, xs: Weighted<T>): T => {
  let x = r.next() * xs.reduce((s, [, w]) => s + w, 0);
  for (const [v, w] of xs) if ((x -= w) < 0) return v;
  return xs[xs.length - 1]![0];
};
const byPrefix = <T>(table: readonly (readonly [string, T])[], category: string | null, fallback: T): T => table.find(([p]) => (category ?? '').startsWith(p))?.[1] ?? fallback;

function dispositionOf(reason: ReturnReasonValue, category: string | null): ReturnDispositionValue {
  if (reason === 'DAMAGED') return 'WRITE_OFF';
  if (reason === 'DEFECTIVE') return (category ?? '').startsWith('electronics/') ? 'REFURBISH' : 'RETURN_TO_VENDOR';
  return 'RESTOCK';
}

/** The statuses a return can end in, given whether it is approved at once. */
const reachable = (autoApproved: boolean): ReturnStatusValue[] =>
  autoApproved ? ['APPROVED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED'] : ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED'];

/** The steps that take a return to `target`, from its request time, with realistic gaps. */
function stepsTo(target: ReturnStatusValue, autoApproved: boolean, requestAt: number, r: Prng): { kind: ReturnStepKind; at: Date }[] {
  const steps: { kind: ReturnStepKind; at: number }[] = [{ kind: 'request', at: requestAt }];
  let t = requestAt;
  const after = (minH: number, maxH: number) => (t += Math.round((minH + r.next() * (maxH - minH)) * HOUR));
  if (target === 'REQUESTED') return steps.map((s) => ({ ...s, at: new Date(s.at) }));
  if (target === 'REJECTED') steps.push({ kind: 'reject', at: after(4, 30) });
  else if (target === 'CANCELLED') {
    if (!autoApproved && r.next() < 0.5) steps.push({ kind: 'approve', at: after(4, 30) });
    steps.push({ kind: 'cancel', at: after(6, 60) });
  } else {
    if (!autoApproved) steps.push({ kind: 'approve', at: after(4, 30) });
    if (target !== 'APPROVED') {
      steps.push({ kind: 'receive', at: after(48, 168) }); // the parcel travels back
      if (target !== 'RECEIVED') {
        steps.push({ kind: 'inspect', at: after(3, 48) });
        if (target !== 'INSPECTED') steps.push({ kind: 'refund', at: after(2, 30) });
      }
    }
  }
  return steps.map((s) => ({ ...s, at: new Date(s.at) }));
}

/**
 * Decides the demo returns (see the module comment). Pure and deterministic: the same orders and
 * options give the same plan. Lines of one return come from one warehouse; seller-fault-only
 * returns are approved at once, so they never wait in REQUESTED nor get rejected; the defective
 * SKU's returns are never rejected or cancelled (they count in the analytics); a return whose
 * steps do not fit before `end` ends at the last step that does. Every status is present when
 * there are enough returns to give each one.
 */
export function planDemoReturns(orders: readonly DeliveredDemoOrder[], opts: PlanOptions): DemoReturnsPlan {
  const end = opts.end.getTime();
  const windowMs = (opts.windowDays ?? 14) * DAY;
  const sorted = [...orders].sort((a, b) => (a.externalId < b.externalId ? -1 : a.externalId > b.externalId ? 1 : 0));
  // The defective SKU: a gadget from a bad batch, the electronics SKU delivered most (by units; ties
  // by SKU) among orders that leave time to return; the most delivered SKU of all when no electronics
  // were delivered. Not simply the bestseller: a bestseller failing at this rate would be most of the
  // store's returns, where a real store's outlier is one product among many.
  const units = new Map<string, number>();
  const electronics = new Set<string>();
  for (const o of sorted) {
    if (o.deliveredAt.getTime() + 2 * DAY > end) continue;
    for (const l of o.lines) {
      units.set(l.sku, (units.get(l.sku) ?? 0) + l.shippedQuantity);
      if ((l.category ?? '').startsWith(DEFECTIVE_CATEGORY)) electronics.add(l.sku);
    }
  }
  const ranked = [...units].sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1)).map(([sku]) => sku);
  const defectiveSku = ranked.find((sku) => electronics.has(sku)) ?? ranked[0] ?? null;

  const out: PlannedReturn[] = [];
  for (const o of sorted) {
    const r = prng(SEED ^ seedOf(o.externalId));
    const delivered = o.deliveredAt.getTime();
    // The customer asks within the window, usually in the first days; never at or after the end.
    const latest = Math.min(delivered + windowMs - HOUR, end - HOUR);
    if (latest <= delivered + HOUR) continue;
    const requestAt = delivered + HOUR + Math.round(Math.min(1, r.next() ** 2) * (latest - delivered - HOUR));
    // Lines of the first warehouse only (the parcel goes back to one warehouse), and only those still
    // in their window: a line's window runs from its own parcel's delivery, which in an order of
    // several parcels can be days before the last one's (the request time is counted from).
    const warehouseCode = o.lines[0]?.warehouseCode;
    const lines: PlannedReturnLine[] = [];
    let hasDefective = false;
    for (const l of o.lines) {
      if (l.warehouseCode !== warehouseCode || l.shippedQuantity < 1 || requestAt > l.deliveredAt.getTime() + windowMs - HOUR) continue;
      // Each line its own stream (keyed on the order and SKU, never on database ids), so one line's draws do not shape the next.
      const rl = prng(SEED ^ seedOf(`${o.externalId}:${l.sku}`));
      const defective = l.sku === defectiveSku;
      const rate = defective ? DEFECTIVE_RATE : byPrefix(RETURN_RATE, l.category, DEFAULT_RATE);
      if (rl.next() >= rate) continue;
      const reason: ReturnReasonValue = defective ? (rl.next() < 0.9 ? 'DEFECTIVE' : 'NOT_AS_DESCRIBED') : pickWeighted(rl, byPrefix(REASONS, l.category, OTHER_REASONS));
      hasDefective ||= defective;
      // A bad batch comes back whole; of several units of anything else the customer usually keeps some
      // (two sizes bought, one kept), so a handful of units never all come back by chance alone.
      const quantity = defective || l.shippedQuantity === 1 || rl.next() < 0.15 ? l.shippedQuantity : rl.int(1, l.shippedQuantity - 1);
      lines.push({ orderLineId: l.orderLineId, sku: l.sku, gtin: l.gtin, quantity, reason, comment: commentFor(rl, reason, l.category), disposition: dispositionOf(reason, l.category) });
    }
    if (!lines.length || !warehouseCode) continue;
    const autoApproved = lines.every((l) => isSellerFault(l.reason));
    const allowed = reachable(autoApproved).filter((s) => !(hasDefective && (s === 'CANCELLED' || s === 'REJECTED')));
    const target = pickWeighted(r, TARGETS.filter(([s]) => allowed.includes(s)));
    const plan: PlannedReturn = { orderId: o.orderId, externalId: o.externalId, warehouseCode, lines, autoApproved, target, steps: [] };
    plan.steps = fitted(plan, requestAt, end, r);
    out.push(plan);
  }
  ensureEveryStatus(out, end, defectiveSku);
  return { returns: out, defectiveSku };
}

/** The steps to the plan's target, cut back to the last status whose steps fit before `end`. */
function fitted(plan: PlannedReturn, requestAt: number, end: number, r: Prng): { kind: ReturnStepKind; at: Date }[] {
  const steps = stepsTo(plan.target, plan.autoApproved, requestAt, r);
  const fit = steps.filter((s) => s.at.getTime() < end);
  if (fit.length < steps.length) plan.target = statusAfter(fit, plan.autoApproved);
  const seq = seedOf(`${plan.externalId}:${plan.target}`);
  if (plan.target === 'REJECTED') plan.rejectionReason = REJECTION_REASONS[seq % REJECTION_REASONS.length];
  else delete plan.rejectionReason;
  if (plan.target === 'REFUNDED') plan.externalReference = `PAY-RF-${String(seq % 1_000_000).padStart(6, '0')}`;
  else delete plan.externalReference;
  return fit;
}

/** The status a return is in after these steps. */
export function statusAfter(steps: readonly { kind: ReturnStepKind }[], autoApproved: boolean): ReturnStatusValue {
  const last = steps[steps.length - 1]?.kind ?? 'request';
  const status: Record<ReturnStepKind, ReturnStatusValue> = {
    request: autoApproved ? 'APPROVED' : 'REQUESTED',
    approve: 'APPROVED',
    reject: 'REJECTED',
    cancel: 'CANCELLED',
    receive: 'RECEIVED',
    inspect: 'INSPECTED',
    refund: 'REFUNDED',
  };
  return status[last];
}

/**
 * Gives every status at least one return: for each missing one, the first return (in plan order)
 * that may end there, whose current status has others to spare and whose new steps fit, moves.
 */
function ensureEveryStatus(plans: PlannedReturn[], end: number, defectiveSku: string | null): void {
  const all: ReturnStatusValue[] = ['REQUESTED', 'APPROVED', 'REJECTED', 'RECEIVED', 'INSPECTED', 'REFUNDED', 'CANCELLED'];
  const count = () => {
    const c = new Map<ReturnStatusValue, number>();
    for (const p of plans) c.set(p.target, (c.get(p.target) ?? 0) + 1);
    return c;
  };
  for (const status of all) {
    const c = count();
    if (c.get(status)) continue;
    for (const p of plans) {
      if ((c.get(p.target) ?? 0) < 2) continue;
      const defective = p.lines.some((l) => l.sku === defectiveSku);
      if (!reachable(p.autoApproved).includes(status) || (defective && (status === 'CANCELLED' || status === 'REJECTED'))) continue;
      const candidate: PlannedReturn = { ...p, target: status };
      candidate.steps = fitted(candidate, p.steps[0]!.at.getTime(), end, prng(SEED ^ seedOf(`${p.externalId}:${status}`)));
      if (candidate.target !== status) continue;
      plans[plans.indexOf(p)] = candidate;
      break;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Reading the delivered demo orders

/** Delivered orders whose external id starts with `prefix`, with their lines as the plan needs them. */
export async function deliveredDemoOrders(ctx: ServiceContext, prefix: string): Promise<DeliveredDemoOrder[]> {
  const demo: OrderRow[] = [];
  for (let afterId: string | null = null; ; ) {
    const page = await listOrders(ctx, { first: 100, afterId, filter: { status: ['DELIVERED'] } });
    demo.push(...page.items.filter((o) => o.externalId?.startsWith(prefix)));
    if (!page.hasNextPage || !page.items.length) break;
    afterId = page.items[page.items.length - 1]!.id;
  }
  const out: DeliveredDemoOrder[] = [];
  const codeOf = new Map((await listAllWarehouses(ctx)).map((w) => [w.id, w.code]));
  for (let i = 0; i < demo.length; i += 200) {
    const chunk = demo.slice(i, i + 200);
    const ids = chunk.map((o) => o.id);
    const [lines, fos, shipments] = await Promise.all([linesByOrderIds(ctx, ids), fulfillmentOrdersByOrderIds(ctx, ids), shipmentsByOrderIds(ctx, ids)]);
    const fls = fos.length ? await fulfillmentLinesByFoIds(ctx, fos.map((f) => f.id)) : [];
    const variants = new Map((await variantsByIds(ctx, [...new Set(lines.map((l) => l.variantId))])).map((v) => [v.id, v]));
    const categories = new Map((await productsByIds(ctx, [...new Set([...variants.values()].map((v) => v.productId))])).map((p) => [p.id, p.category]));
    // Which warehouse shipped a line: the order's first shipped fulfillment order holding its variant.
    const shippedFos = new Set(shipments.filter((s) => s.direction === 'OUTBOUND').map((s) => s.fulfillmentOrderId));
    for (const o of chunk) {
      const delivered = shipments.filter((s) => s.orderId === o.id && s.direction === 'OUTBOUND' && s.deliveredAt).map((s) => s.deliveredAt!.getTime());
      const at = delivered.length ? Math.max(...delivered) : o.deliveredAt?.getTime();
      if (!at) continue;
      const orderFos = fos.filter((f) => f.orderId === o.id && shippedFos.has(f.id));
      const warehouseCode = orderFos.length ? codeOf.get(orderFos[0]!.warehouseId) : undefined;
      if (!warehouseCode) continue;
      // A line's window opens as the returns service counts it: at the delivery of the outbound
      // parcels of the shipped fulfillment orders that carried it (the last of them).
      const lineDelivered = (orderLineId: string): Date => {
        const carriers = new Set(fls.filter((fl) => fl.orderLineId === orderLineId).map((fl) => fl.fulfillmentOrderId));
        const parcels = shipments.filter((s) => s.direction === 'OUTBOUND' && carriers.has(s.fulfillmentOrderId) && fos.some((f) => f.id === s.fulfillmentOrderId && f.status === 'SHIPPED'));
        return parcels.length && parcels.every((s) => s.deliveredAt) ? new Date(Math.max(...parcels.map((s) => s.deliveredAt!.getTime()))) : new Date(at);
      };
      out.push({
        orderId: o.id,
        externalId: o.externalId!,
        deliveredAt: new Date(at),
        lines: lines
          .filter((l) => l.orderId === o.id && l.shippedQuantity > 0)
          .map((l) => {
            const v = variants.get(l.variantId);
            // Orders from one warehouse are the rule in the demo; a split order's lines all go back to its first warehouse.
            return { orderLineId: l.id, sku: l.sku, gtin: v?.gtin ?? l.sku, category: v ? (categories.get(v.productId) ?? null) : null, shippedQuantity: l.shippedQuantity, warehouseCode, deliveredAt: lineDelivered(l.id) };
          }),
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Playing the plan

/**
 * The return services the seed calls, with the agreed names and inputs (db uuids); plus three
 * demo-support functions of the returns module (returns.demo.ts). Method syntax on purpose: the
 * real services may accept wider inputs and answer with anything.
 */
export interface ReturnsSeedApi {
  createReturnRequest(ctx: ServiceContext, input: { orderId: string; lines: { orderLineId: string; quantity: number; reason: ReturnReasonValue; comment: string | null }[] }): Promise<unknown>;
  approveReturn(ctx: ServiceContext, input: { id: string }): Promise<unknown>;
  rejectReturn(ctx: ServiceContext, input: { id: string; reason: string }): Promise<unknown>;
  cancelReturn(ctx: ServiceContext, input: { id: string }): Promise<unknown>;
  receiveReturn(ctx: ServiceContext, input: { id: string; warehouseCode: string; scannedBarcodes: string[]; closeReceipt: boolean }): Promise<unknown>;
  inspectReturn(ctx: ServiceContext, input: { id: string; lines: { returnLineId: string; disposition: ReturnDispositionValue; quantity: number }[] }): Promise<unknown>;
  refundReturn(ctx: ServiceContext, input: { id: string; externalReference: string | null }): Promise<unknown>;
  returnCountOfOrders(ctx: ServiceContext, orderIds: readonly string[]): Promise<number>;
  latestReturnOfOrder(ctx: ServiceContext, orderId: string): Promise<{ id: string; status: string; lines: { id: string; orderLineId: string; receivedQuantity: number }[] } | null>;
  backdateReturns(ctx: ServiceContext, ids: readonly string[]): Promise<number>;
}

export interface ReturnHistoryResult {
  created: number;
  skipped: boolean;
  byStatus: Record<string, number>;
  defectiveSku: string | null;
  failures: string[];
}

/**
 * Plays the plan: every step of every return in time order, each at its own time on the clock
 * (which ends where it started). A refused step is recorded in `failures` and that return stops
 * there; other errors are thrown.
 */
export async function applyDemoReturns(ctx: ServiceContext, clock: ManualClock, plan: DemoReturnsPlan, api: ReturnsSeedApi): Promise<ReturnHistoryResult> {
  const out: ReturnHistoryResult = { created: 0, skipped: false, byStatus: {}, defectiveSku: plan.defectiveSku, failures: [] };
  const end = clock.now();
  const steps = plan.returns.flatMap((p, n) => p.steps.map((s, k) => ({ p, n, k, ...s })));
  steps.sort((a, b) => a.at.getTime() - b.at.getTime() || a.n - b.n || a.k - b.k);
  const created = new Map<number, { id: string; lines: Map<string, string> }>();
  const stopped = new Set<number>();
  try {
    for (const s of steps) {
      if (stopped.has(s.n)) continue;
      clock.set(s.at);
      const p = s.p;
      try {
        if (s.kind === 'request') {
          await api.createReturnRequest(ctx, { orderId: p.orderId, lines: p.lines.map((l) => ({ orderLineId: l.orderLineId, quantity: l.quantity, reason: l.reason, comment: l.comment })) });
          const made = await api.latestReturnOfOrder(ctx, p.orderId);
          if (!made) throw new Error(`createReturnRequest for ${p.externalId} left no return`);
          created.set(s.n, { id: made.id, lines: new Map(made.lines.map((l) => [l.orderLineId, l.id])) });
          out.created++;
          continue;
        }
        const id = created.get(s.n)!.id;
        if (s.kind === 'approve') await api.approveReturn(ctx, { id });
        else if (s.kind === 'reject') await api.rejectReturn(ctx, { id, reason: p.rejectionReason ?? 'Не соответствует правилам возврата' });
        else if (s.kind === 'cancel') await api.cancelReturn(ctx, { id });
        else if (s.kind === 'receive') {
          const scannedBarcodes = p.lines.flatMap((l) => Array.from({ length: l.quantity }, () => l.gtin));
          await api.receiveReturn(ctx, { id, warehouseCode: p.warehouseCode, scannedBarcodes, closeReceipt: false });
        } else if (s.kind === 'inspect') {
          const lineIds = created.get(s.n)!.lines;
          await api.inspectReturn(ctx, { id, lines: p.lines.map((l) => ({ returnLineId: lineIds.get(l.orderLineId)!, disposition: l.disposition, quantity: l.quantity })) });
        } else await api.refundReturn(ctx, { id, externalReference: p.externalReference ?? null });
      } catch (err) {
        if (!(err instanceof BusinessError)) throw err;
        out.failures.push(`${p.externalId} ${s.kind}: ${err.message}`);
        stopped.add(s.n);
      }
    }
  } finally {
    clock.set(end);
  }
  await api.backdateReturns(ctx, [...created.values()].map((c) => c.id));
  for (const [n] of created) {
    const p = plan.returns[n]!;
    const status = stopped.has(n) ? 'FAILED' : p.target;
    out.byStatus[status] = (out.byStatus[status] ?? 0) + 1;
  }
  return out;
}

/** Reads the delivered demo orders, plans and plays their returns; nothing when a demo order already has one. */
export async function seedReturnHistory(ctx: ServiceContext, api: ReturnsSeedApi, opts: { prefix: string; clock?: ManualClock; windowDays?: number }): Promise<ReturnHistoryResult> {
  const clock = opts.clock ?? (ctx.clock instanceof ManualClock ? ctx.clock : null);
  if (!clock) throw new Error('seedReturnHistory needs a ManualClock (pass opts.clock, or build the app with one)');
  const orders = await deliveredDemoOrders(ctx, opts.prefix);
  if ((await api.returnCountOfOrders(ctx, orders.map((o) => o.orderId))) > 0) return { created: 0, skipped: true, byStatus: {}, defectiveSku: null, failures: [] };
  const plan = planDemoReturns(orders, { end: clock.now(), windowDays: opts.windowDays });
  return applyDemoReturns(ctx, clock, plan, api);
}
