/**
 * kpis: the quality figures — CSAT, the support SLA and the forecast error — each one SQL statement
 * returning one row per bucket and one totals row (GROUPING SETS, like kpi.service.ts).
 *
 * Filters reach these figures through an order: a CSAT answer through the order it rates or the
 * ticket's order, a ticket through its order. The order matches when it came through one of the
 * channels, has a fulfillment order in one of the warehouses and an outbound shipment by one of the
 * carriers (orderFilter's predicates, without a placed-in-the-period condition: the answer
 * or the ticket is what is dated). An answer or a ticket with no order counts only without a filter.
 * A forecast is per (variant, warehouse): a warehouse filter narrows it, and under a channel or
 * carrier filter there is no forecast to compare (null).
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ServiceContext } from '../../shared/service-context.js';
import { kpiBucket } from './kpi.period.js';
import { keyed, orderFilter, sqlIn, type KpiRows, type KpiScope } from './kpi.service.js';

const filtered = (scope: KpiScope): boolean => !!(scope.channels || scope.warehouseIds || scope.carrierIds);

/** SQL: the order `orderId` (a uuid column, possibly null) matches the scope's filter; true without a filter. */
function orderMatches(scope: KpiScope, orderId: SQL): SQL {
  if (!filtered(scope)) return sql`true`;
  return sql`exists (select 1 from orders fo_o where ${sql.join([sql`fo_o.id = ${orderId}`, ...orderFilter(scope, sql`fo_o`)], sql` and `)})`;
}

const inPeriod = (scope: KpiScope, column: SQL): SQL =>
  sql`${column} >= ${scope.period.from.toISOString()}::timestamptz and ${column} < ${scope.period.to.toISOString()}::timestamptz`;

type Row = Record<string, unknown> & { b: Date | null; g: number };

export interface CsatFigures {
  responses: number;
  scoreSum: number;
}

/**
 * CSAT answers whose last answer (updatedAt) is in the period: about an order, or about a ticket
 * (through the ticket's order under a filter).
 */
export async function csatFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<CsatFigures>> {
  const rows = await ctx.database.rows<Row>(sql`
    select c.b, grouping(c.b) as g, count(*)::int as n, coalesce(sum(c.score), 0)::int as s
    from (
      select cr.score, ${kpiBucket(sql`cr.updated_at`, scope.period)} as b
      from csat_responses cr left join support_tickets st on st.id = cr.ticket_id
      where ${inPeriod(scope, sql`cr.updated_at`)} and ${orderMatches(scope, sql`coalesce(cr.order_id, st.order_id)`)}
    ) c
    group by grouping sets ((c.b), ())`);
  return keyed(rows, (r) => ({ responses: Number(r.n), scoreSum: Number(r.s) }));
}

export interface SlaFigures {
  /** Tickets decided: answered, or unanswered with the SLA already past. */
  decided: number;
  /** Of those, answered by slaDueAt. */
  met: number;
}

/** Tickets opened in the period (createdAt), their SLA as of now (the service clock). */
export async function slaFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<SlaFigures>> {
  const now = ctx.clock.now().toISOString();
  const rows = await ctx.database.rows<Row>(sql`
    select t.b, grouping(t.b) as g,
      count(*) filter (where t.first_response_at is not null or t.sla_due_at <= ${now}::timestamptz)::int as decided,
      count(*) filter (where t.first_response_at <= t.sla_due_at)::int as met
    from (
      select st.first_response_at, st.sla_due_at, ${kpiBucket(sql`st.created_at`, scope.period)} as b
      from support_tickets st
      where ${inPeriod(scope, sql`st.created_at`)} and ${orderMatches(scope, sql`st.order_id`)}
    ) t
    group by grouping sets ((t.b), ())`);
  return keyed(rows, (r) => ({ decided: Number(r.decided), met: Number(r.met) }));
}

export interface ForecastFigures {
  /** (variant, warehouse, week) triples with a snapshot and units shipped > 0. */
  weeks: number;
  /** Sum over them of |actual − forecast| / actual. */
  apeSum: number;
}

/**
 * Forecast snapshots (planning's forecast_snapshots: the latest one-week-ahead forecast made before
 * the week started) of complete weeks whose Monday (00:00 in the warehouse's zone) is in the period,
 * against the units shipped that week in the same weekly series planning forecasts from: the
 * ledger's SHIPMENT and PICK movements of the week (in the warehouse's zone) when it has any, else
 * the imported demand history. Weeks that shipped nothing are left out (no percentage error).
 * Null figures under a channel or carrier filter (see the module doc).
 */
export async function forecastFigures(ctx: ServiceContext, scope: KpiScope): Promise<KpiRows<ForecastFigures>> {
  if (scope.channels || scope.carrierIds) return new Map();
  const now = ctx.clock.now().toISOString();
  const where: SQL[] = [inPeriod(scope, sql`f.monday`), sql`((f.monday at time zone f.tz) + interval '7 days') at time zone f.tz <= ${now}::timestamptz`];
  if (scope.warehouseIds) where.push(sqlIn(sql`f.warehouse_id`, scope.warehouseIds));
  const rows = await ctx.database.rows<Row>(sql`
    with f as (
      select s.variant_id, s.warehouse_id, s.units, w.timezone as tz, (s.week_start::timestamp at time zone w.timezone) as monday
      from forecast_snapshots s join warehouses w on w.id = s.warehouse_id
    ),
    a as (
      select f.units as forecast, ${kpiBucket(sql`f.monday`, scope.period)} as b,
        coalesce(
          (select (-sum(m.quantity_delta))::float8 from inventory_movements m
            where m.variant_id = f.variant_id and m.warehouse_id = f.warehouse_id and m.reason in ('SHIPMENT', 'PICK')
              and m.created_at >= f.monday and m.created_at < ((f.monday at time zone f.tz) + interval '7 days') at time zone f.tz
            having count(*) filter (where m.reason = 'SHIPMENT') > 0 or coalesce(sum(m.quantity_delta) filter (where m.reason = 'PICK'), 0) <> 0),
          (select d.units::float8 from demand_history d
            where d.variant_id = f.variant_id and d.warehouse_id = f.warehouse_id and d.week_start = (f.monday at time zone f.tz)::date),
          0) as actual
      from f where ${sql.join(where, sql` and `)}
    )
    select a.b, grouping(a.b) as g, count(*)::int as n, coalesce(sum(abs(a.actual - a.forecast) / a.actual), 0)::float8 as ape
    from a where a.actual > 0
    group by grouping sets ((a.b), ())`);
  return keyed(rows, (r) => ({ weeks: Number(r.n), apeSum: Number(r.ape) }));
}
