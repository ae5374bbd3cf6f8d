/**
 * GraphQL types of planning (contract 07): forecasts, suppliers, reorder policies, replenishment
 * suggestions, purchase orders and transfers. Links to variants, warehouses and suppliers are field
 * resolvers (planning.links.resolver.ts) over the hidden `*DbId` properties.
 */
import { Field, Float, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { enumOf } from '../../graphql/enums.js';
import { Connection, Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { money } from '../../shared/money.js';
import { historyWeekStarts, type DemandOutlook, type ForecastSnapshotRow } from './demand.service.js';
import type { PurchaseOrderRow, TransferOrderRow } from './planning.state.js';
import {
  PURCHASE_ORDER_STATUSES,
  TRANSFER_STATUSES,
  purchaseOrderLines,
  supplierProducts,
  suppliers,
  transferLines,
  type PurchaseOrderStatusValue,
  type TransferStatusValue,
} from './planning.table.js';

export const PurchaseOrderStatus = enumOf(PURCHASE_ORDER_STATUSES);
registerEnumType(PurchaseOrderStatus, {
  name: 'PurchaseOrderStatus',
  description: 'DRAFT → SENT → PARTIALLY_RECEIVED → RECEIVED, or CANCELLED.',
  valuesConfig: {
    DRAFT: { description: 'Being prepared (by hand or by a replenishment run); counts nowhere yet.' },
    SENT: { description: "Sent to the supplier: its open quantities count in the warehouse's `incoming`." },
    PARTIALLY_RECEIVED: { description: 'Some units arrived; the rest still count as `incoming`.' },
    RECEIVED: { description: 'Every unit arrived.' },
    CANCELLED: { description: 'Called off; what was still open left `incoming`.' },
  },
});

export const TransferStatus = enumOf(TRANSFER_STATUSES);
registerEnumType(TransferStatus, {
  name: 'TransferStatus',
  description: 'DRAFT → IN_TRANSIT → RECEIVED, or CANCELLED (from DRAFT only).',
  valuesConfig: {
    DRAFT: { description: 'Planned; nothing reserved or moved yet.' },
    IN_TRANSIT: { description: "Shipped: the units left the source (TRANSFER movements) and count in the destination's `incoming`." },
    RECEIVED: { description: 'Every unit was received into the destination.' },
    CANCELLED: { description: 'Called off before it shipped.' },
  },
});

@ObjectType('ForecastPoint', { description: 'Forecast demand of one week.' })
export class ForecastPoint {
  @Field(() => DateTime, { description: 'Monday of the week.' })
  weekStart!: Date;
  @Field(() => Float, { description: 'Expected units shipped in the week.' })
  mean!: number;
  @Field(() => Float, { description: 'Lower bound of the 80% prediction interval (never below 0, never above mean).' })
  lower80!: number;
  @Field(() => Float, { description: 'Upper bound of the 80% prediction interval (never below mean).' })
  upper80!: number;
}

@ObjectType('DemandWeek', { description: 'Units shipped in one complete week of the demand history.' })
export class DemandWeek {
  @Field(() => DateTime, { description: "Monday of the week (00:00 in the warehouse's time zone)." })
  weekStart!: Date;
  @Field(() => Int, { description: 'Units shipped that week: the stock ledger when it shipped any, else the imported history, else 0.' })
  units!: number;
}

@ObjectType('ForecastSnapshot', { description: 'The latest one-week-ahead forecast made for a week before it started (what kpis.forecastMape compares with what shipped).' })
export class ForecastSnapshot {
  @Field(() => String, { description: 'The SKU.' })
  sku!: string;
  @Field(() => DateTime, { description: "Monday of the forecast week (00:00 in the warehouse's time zone)." })
  weekStart!: Date;
  @Field(() => Float, { description: 'Forecast mean of units shipped that week.' })
  units!: number;
  @Field(() => DateTime, { description: 'When the forecast was made (before weekStart).' })
  madeAt!: Date;
  static from(r: ForecastSnapshotRow): ForecastSnapshot {
    return { sku: r.sku, weekStart: r.weekStart, units: r.units, madeAt: r.madeAt };
  }
}

@ObjectType('ForecastBacktest', { description: "How the chosen method did on the series' own past (rolling-origin backtest)." })
export class ForecastBacktest {
  @Field(() => Float, { description: 'Mean absolute scaled error of the chosen method over the backtest origins.' })
  mase!: number;
  @Field(() => Float, { description: 'The same for the seasonal/plain naive forecast, for comparison.' })
  naiveMase!: number;
  @Field(() => Int, { description: 'Forecast origins the backtest used.' })
  origins!: number;
}

@ObjectType('DemandForecast', { description: 'Weekly demand forecast of a variant in a warehouse, from its shipments (and imported history).' })
export class DemandForecast {
  variantDbId!: string;
  warehouseDbId!: string;
  @Field(() => String, { description: 'E.g. CROSTON_SBA, TSB, ETS_DAMPED, THETA, SEASONAL_NAIVE.' })
  method!: string;
  @Field(() => Int, { description: 'Weeks of history the forecast used.' })
  historyWeeks!: number;
  @Field(() => [ForecastPoint], { description: 'One point per week ahead, starting with the Monday after the current (incomplete) week.' })
  points!: ForecastPoint[];
  @Field(() => ForecastBacktest, { nullable: true, description: 'Null when the history is too short for a backtest.' })
  backtest!: ForecastBacktest | null;
  @Field(() => [DemandWeek], { description: 'The weekly series the forecast was made from: complete weeks, oldest first, ending with the week before the current one.' })
  history!: DemandWeek[];
  static from(o: DemandOutlook): DemandForecast {
    const f = o.forecast;
    return {
      variantDbId: o.variantId,
      warehouseDbId: o.warehouseId,
      method: f.method,
      historyWeeks: f.historyWeeks,
      points: o.weekStarts.map((weekStart, i) => ({ weekStart, mean: f.mean[i]!, lower80: f.lower80[i]!, upper80: f.upper80[i]! })),
      backtest: f.backtest ? { mase: f.backtest.mase, naiveMase: f.backtest.naiveMase, origins: f.backtest.origins } : null,
      history: historyWeekStarts(o).map((weekStart, i) => ({ weekStart, units: o.history[i]! })),
    };
  }
}

type SupplierRow = typeof suppliers.$inferSelect;

@ObjectType('Supplier', { implements: Node, description: 'A vendor the store buys from.' })
export class Supplier implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => String, { description: 'Unique code, upper case, e.g. ACME.' })
  code!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => String, { description: 'ISO 4217 currency of its prices and purchase orders.' })
  currency!: string;
  @Field(() => Int, { description: 'Lead time in days: the mean over received purchase orders when there are some, else the one given at creation.' })
  leadTimeDays!: number;
  @Field(() => Float, { description: 'Standard deviation of the lead time, from received purchase orders when there are some.' })
  leadTimeStdDevDays!: number;
  /** The services fill in the learnt lead time; `from` gives the configured one and 0. */
  static from(r: SupplierRow, learnt?: { meanDays: number; stdDevDays: number } | null): Supplier {
    return typed('Supplier', {
      id: toGlobalId('Supplier', r.id),
      dbId: r.id,
      code: r.code,
      name: r.name,
      currency: r.currency,
      leadTimeDays: learnt ? Math.round(learnt.meanDays) : r.leadTimeDays,
      leadTimeStdDevDays: learnt ? learnt.stdDevDays : 0,
    });
  }
}

@ObjectType('SupplierProduct', { description: 'What a supplier sells of a variant, and on which terms.' })
export class SupplierProduct {
  supplierDbId!: string;
  variantDbId!: string;
  @Field(() => Money, { description: "Price per unit, in the supplier's currency." })
  unitCost!: Money;
  @Field(() => Int, { description: 'Units per pack: order quantities are multiples of it.' })
  packSize!: number;
  @Field(() => Int, { description: 'Smallest quantity the supplier accepts.' })
  minOrderQuantity!: number;
  @Field(() => Boolean, { description: 'The supplier replenishment orders this variant from (one per variant).' })
  preferred!: boolean;
  static from(r: typeof supplierProducts.$inferSelect, currency: string): SupplierProduct {
    return {
      supplierDbId: r.supplierId,
      variantDbId: r.variantId,
      unitCost: money(r.unitCostMinor, currency),
      packSize: r.packSize,
      minOrderQuantity: r.minOrderQuantity,
      preferred: r.preferred,
    };
  }
}

@ObjectType('ReorderPolicy', { description: 'When and how much to reorder a variant in a warehouse, computed from its forecast and lead time.' })
export class ReorderPolicy {
  variantDbId!: string;
  warehouseDbId!: string;
  @Field(() => Float, { description: 'Target probability of no stockout in a replenishment cycle, e.g. 0.95.' })
  serviceLevel!: number;
  @Field(() => Float, { description: 'Lead time in days of the preferred supplier (learnt from received purchase orders when there are some).' })
  leadTimeDays!: number;
  @Field(() => Int, { description: 'Units kept for forecast error and lead-time variability at serviceLevel.' })
  safetyStock!: number;
  @Field(() => Int, { description: 'Expected demand over the lead time + safetyStock: reorder when available + incoming falls to it.' })
  reorderPoint!: number;
  @Field(() => Int, { description: 'Level an order brings the stock position up to (>= reorderPoint).' })
  orderUpTo!: number;
  @Field(() => Int, { nullable: true, description: 'Economic order quantity when holding and ordering costs are known.' })
  economicOrderQuantity!: number | null;
}

@ObjectType('ReplenishmentSuggestion', { description: 'A variant at or below its reorder point, and what to do about it.' })
export class ReplenishmentSuggestion {
  variantDbId!: string;
  warehouseDbId!: string;
  supplierDbId!: string | null;
  transferFromDbId!: string | null;
  @Field(() => Int, { description: 'Units available now (on hand − allocated − unsellable).' })
  available!: number;
  @Field(() => Int, { description: 'Units on their way (sent purchase orders, transfers in transit).' })
  incoming!: number;
  @Field(() => ReorderPolicy, { description: 'The policy the suggestion comes from.' })
  policy!: ReorderPolicy;
  @Field(() => Int, { description: 'Units to order or transfer (rounded to the pack size and minimum order of a supplier).' })
  quantity!: number;
  @Field(() => DateTime, { nullable: true, description: 'Expected date of running out at forecast demand, if nothing is done.' })
  stockoutDate!: Date | null;
}

@ObjectType('PurchaseOrderLine', { description: 'A variant ordered from the supplier.' })
export class PurchaseOrderLine {
  @Field(() => ID, { description: 'Opaque id of the line.' })
  id!: string;
  variantDbId!: string;
  @Field(() => Int, { description: 'Units ordered.' })
  quantity!: number;
  @Field(() => Int, { description: 'Units received so far.' })
  receivedQuantity!: number;
  @Field(() => Money, { description: "Price per unit, in the order's currency." })
  unitCost!: Money;
  static from(r: typeof purchaseOrderLines.$inferSelect, currency: string): PurchaseOrderLine {
    return { id: toGlobalId('PurchaseOrderLine', r.id), variantDbId: r.variantId, quantity: r.quantity, receivedQuantity: r.receivedQuantity, unitCost: money(r.unitCostMinor, currency) };
  }
}

@ObjectType('PurchaseOrder', { implements: Node, description: 'An order to a supplier, delivered to one warehouse.' })
export class PurchaseOrder implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  supplierDbId!: string;
  warehouseDbId!: string;
  currency!: string;
  @Field(() => String, { description: 'Human-readable, unique, e.g. PO-100001.' })
  number!: string;
  @Field(() => PurchaseOrderStatus, { description: 'Current status.' })
  status!: PurchaseOrderStatusValue;
  @Field(() => DateTime, { nullable: true, description: 'When the supplier said it would arrive.' })
  expectedAt!: Date | null;
  @Field(() => DateTime, { description: 'When it was created.' })
  createdAt!: Date;
  static from(r: PurchaseOrderRow): PurchaseOrder {
    return typed('PurchaseOrder', {
      id: toGlobalId('PurchaseOrder', r.id),
      dbId: r.id,
      supplierDbId: r.supplierId,
      warehouseDbId: r.warehouseId,
      currency: r.currency,
      number: r.number,
      status: r.status,
      expectedAt: r.expectedAt,
      createdAt: r.createdAt,
    });
  }
}

@ObjectType('PurchaseOrderConnection', { description: 'A page of purchase orders, newest first.' })
export class PurchaseOrderConnection extends Connection('PurchaseOrder', () => PurchaseOrder) {}

@ObjectType('TransferLine', { description: 'A variant moving between warehouses.' })
export class TransferLine {
  variantDbId!: string;
  @Field(() => Int, { description: 'Units to move.' })
  quantity!: number;
  @Field(() => Int, { description: 'Units received at the destination so far.' })
  receivedQuantity!: number;
  static from(r: typeof transferLines.$inferSelect): TransferLine {
    return { variantDbId: r.variantId, quantity: r.quantity, receivedQuantity: r.receivedQuantity };
  }
}

@ObjectType('TransferOrder', { implements: Node, description: 'Units moving from one warehouse to another.' })
export class TransferOrder implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  fromWarehouseDbId!: string;
  toWarehouseDbId!: string;
  @Field(() => String, { description: 'Human-readable, unique, e.g. TR-100001.' })
  number!: string;
  @Field(() => TransferStatus, { description: 'Current status.' })
  status!: TransferStatusValue;
  @Field(() => DateTime, { description: 'When it was created.' })
  createdAt!: Date;
  static from(r: TransferOrderRow): TransferOrder {
    return typed('TransferOrder', {
      id: toGlobalId('TransferOrder', r.id),
      dbId: r.id,
      fromWarehouseDbId: r.fromWarehouseId,
      toWarehouseDbId: r.toWarehouseId,
      number: r.number,
      status: r.status,
      createdAt: r.createdAt,
    });
  }
}
