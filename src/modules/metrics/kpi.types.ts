/** GraphQL types of `kpis` (contract 10-metrics): thin shapes over the values kpi.service.ts computes. */
import { Field, Float, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';
import { KPI_GRANULARITIES, type KpiGranularity } from './kpi.period.js';

export const MetricsGranularity = Object.fromEntries(KPI_GRANULARITIES.map((g) => [g, g])) as { [K in KpiGranularity]: K };
registerEnumType(MetricsGranularity, {
  name: 'MetricsGranularity',
  description: "Bucket size of a KPI series, in the store's time zone (STORE_TIMEZONE): HOUR, DAY (from midnight), WEEK (ISO, from Monday), MONTH.",
});

@InputType('MetricsFilter', {
  description:
    'Narrows every figure of a KPI report (filters combine with AND; an empty or absent list does not filter). An order counts when it has a fulfillment order in one of the warehouses, came through one of the channels, and has an outbound shipment by one of the carriers; a shipment counts when its own warehouse and carrier match. A PARTNER key restricted to warehouses always sees only those.',
})
export class MetricsFilter {
  @Field(() => [String], { nullable: true, description: 'Warehouse codes.' })
  warehouseCodes?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Order channels (as given at orderCreate, e.g. web, app, marketplace).' })
  channels?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Carrier codes.' })
  carrierCodes?: string[] | null;
}

@ObjectType('DurationStats', { simpleResolvers: true, description: 'Exact statistics of a set of durations, in hours (percentiles interpolated linearly between the two nearest values, as percentile_cont); null without any duration.' })
export class DurationStats {
  @Field(() => Float, { nullable: true, description: 'Hours: median.' })
  p50!: number | null;
  @Field(() => Float, { nullable: true, description: 'Hours: 90th percentile.' })
  p90!: number | null;
  @Field(() => Float, { nullable: true, description: 'Hours: 99th percentile.' })
  p99!: number | null;
  @Field(() => Float, { nullable: true, description: 'Hours: mean.' })
  mean!: number | null;
  @Field(() => Int, { description: 'Number of durations.' })
  count!: number;
}

const ORDER_COHORT =
  "Over the orders placed in the period (createdAt in [from, to) or in the bucket), cancelled ones excluded, narrowed by the filter";

@ObjectType('KpiValues', {
  simpleResolvers: true,
  description: `Figures of one period (the report's totals or one bucket). ${ORDER_COHORT}, unless a field says otherwise. Money in the store currency (STORE_CURRENCY; amounts in other currencies are left out). A figure with nothing to compute it from is null, never 0.`,
})
export class KpiValues {
  @Field(() => Int, { description: 'Orders placed in the period (not cancelled).' })
  orders!: number;
  @Field(() => Int, { description: 'Units ordered on those orders (the sum of their lines\' quantities).' })
  units!: number;
  @Field(() => Money, { description: "What those orders cost the customers: the sum of their totals (goods + shipping − points discount)." })
  revenue!: Money;
  @Field(() => DurationStats, { description: "Placed to the first shipment's label (the first outbound shipment's createdAt), hours; over the orders with a shipment." })
  orderToShip!: DurationStats;
  @Field(() => DurationStats, { description: 'Placed to delivered (the order\'s deliveredAt: its last parcel delivered), hours; over delivered orders.' })
  orderToDelivery!: DurationStats;
  @Field(() => Float, {
    nullable: true,
    description: "Delivered by estimatedDeliveryTo over delivered, 0..1: outbound shipments of those orders (narrowed by the filter's warehouses and carriers) with deliveredAt <= estimatedDeliveryTo, over those delivered that had an estimate.",
  })
  onTimeDeliveryRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Units allocated at once over units ordered, 0..1: units reserved when the order was placed over units ordered.' })
  fillRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Orders that went BACKORDERED over orders (an order counts once, whenever it was backordered).' })
  backorderRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Share of (variant, warehouse) pairs with stock history that hit 0 available in the period.' })
  stockoutRate!: number | null;
  @Field(() => Money, { description: "What the carriers charge for those orders' outbound shipments (Shipment.cost), narrowed by the filter's warehouses and carriers." })
  shippingCost!: Money;
  @Field(() => Money, { nullable: true, description: 'shippingCost over orders (rounded half-up to the minor unit); null without orders.' })
  shippingCostPerOrder!: Money | null;
  @Field(() => Float, { nullable: true, description: 'Shipping cost over revenue, 0..1 (exact ratio); null without revenue.' })
  shippingCostShare!: number | null;
  @Field(() => Money, { nullable: true, description: 'From the configured cost model (per order handled, per unit picked, storage per bin-day).' })
  warehousingCostPerOrder!: Money | null;
  @Field(() => Float, { nullable: true, description: 'Units returned over units shipped: units received back on returns of those orders over their shipped units; null when nothing shipped.' })
  returnRate!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Mean CSAT score 1..5 over the CSAT answers (about orders and about tickets) whose last answer (CsatResponse.updatedAt) is in the period, whatever the order's date. Under a filter an answer counts when the order it rates, or its ticket's order, matches every filter (channel, a fulfillment order in the warehouses, an outbound shipment by the carriers); an answer about a ticket without an order counts only without a filter. Null without answers.",
  })
  csatAverage!: number | null;
  @Field(() => Int, { description: 'CSAT answers counted in csatAverage (same answers, same filter rule).' })
  csatResponses!: number;
  @Field(() => Float, { nullable: true, description: 'Scans that matched over all pick and pack scans, 0..1.' })
  pickAccuracy!: number | null;
  @Field(() => Float, { nullable: true, description: 'Picked units per picker-hour, from pick scan timestamps.' })
  unitsPickedPerHour!: number | null;
  @Field(() => Float, { nullable: true, description: 'Cost of goods shipped over average inventory value, annualised.' })
  inventoryTurnover!: number | null;
  @Field(() => Float, { nullable: true, description: 'On-hand units over average daily units shipped.' })
  daysOfSupply!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      "Mean absolute percentage error of last period's forecasts against what shipped, as a fraction (0.25 = 25 %): the mean of |actual − forecast| / actual over the (variant, warehouse, ISO week) triples whose week is complete, whose Monday (00:00 in the warehouse's time zone) is in the period, that have a forecast snapshot (the latest one-week-ahead demand forecast planning made before the week started) and that shipped units that week (actual > 0; actual is the week of the series demandForecast forecasts from: units shipped and picked in the ledger that week, else the imported demand history). A warehouse filter keeps its warehouses' triples; under a channel or carrier filter, and without such triples, null.",
  })
  forecastMape!: number | null;
  @Field(() => Float, {
    nullable: true,
    description:
      'Tickets answered within SLA over tickets, 0..1: over the support tickets opened in the period (createdAt) that are decided — answered (firstResponseAt set), or unanswered with slaDueAt already past now — those answered by slaDueAt (firstResponseAt <= slaDueAt); open tickets still within their SLA are left out. Under a filter a ticket counts when its order matches every filter (as for csatAverage); a ticket without an order only without a filter. Null without decided tickets.',
  })
  supportSlaRate!: number | null;
}

@ObjectType('KpiBucket', { simpleResolvers: true, description: 'One step of a KPI series.' })
export class KpiBucket {
  @Field(() => DateTime, { description: "Start of the bucket (a midnight, Monday or first of the month in the store's time zone for DAY, WEEK, MONTH). The first bucket may start before `from`; only [from, to) is counted." })
  start!: Date;
  @Field(() => KpiValues, { description: 'Figures of [max(start, from), min(next start, to)).' })
  values!: KpiValues;
}

@ObjectType('KpiReport', { simpleResolvers: true, description: 'KPIs of [from, to): totals and a gapless series; counts and money of the buckets add up to the totals, rates weight-average to them.' })
export class KpiReport {
  @Field(() => DateTime, { description: 'Start of the period (inclusive).' })
  from!: Date;
  @Field(() => DateTime, { description: 'End of the period (exclusive).' })
  to!: Date;
  @Field(() => MetricsGranularity, { description: 'Bucket size of the series.' })
  granularity!: KpiGranularity;
  @Field(() => KpiValues, { description: 'Figures of the whole period.' })
  totals!: KpiValues;
  @Field(() => [KpiBucket], { description: 'One bucket per granularity step covering [from, to), in time order, none missing.' })
  series!: KpiBucket[];
}
