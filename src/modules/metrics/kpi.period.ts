/**
 * The period and buckets of a KPI report, in the store's time zone: bucket starts are computed here
 * (luxon) and in SQL by `kpiBucket` (date_trunc in the zone); both give the same instants, also
 * across daylight-saving changes, so a row lands in the bucket whose start this module lists.
 */
import { sql, type SQL } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { AccessError } from '../../shared/errors.js';

export const KPI_GRANULARITIES = ['HOUR', 'DAY', 'WEEK', 'MONTH'] as const;
export type KpiGranularity = (typeof KPI_GRANULARITIES)[number];

/** Consecutive pick scans of one actor in one warehouse less than this apart belong to one picking session (unitsPickedPerHour). */
export const PICK_SESSION_GAP_SECONDS = 15 * 60;

/**
 * Over scan rows `s` (warehouse_scans' columns): for a PICK scan, the seconds since the same actor's
 * previous PICK scan in the same warehouse (and `partition`, e.g. the local day); null otherwise.
 * The live query, the partial days on top of the rollup and the rollup itself use this one definition.
 */
export const pickGap = (s: SQL, partition?: SQL): SQL =>
  sql`case when ${s}.kind = 'PICK' then extract(epoch from ${s}.scanned_at - lag(${s}.scanned_at) over (partition by ${s}.kind, ${s}.actor, ${s}.warehouse_id${partition ? sql`, ${partition}` : sql``} order by ${s}.scanned_at, ${s}.id)) end::float8`;

/** Seconds spent picking: the sum of the gaps `gap` within a session (shorter than PICK_SESSION_GAP_SECONDS). */
export const pickSeconds = (gap: SQL): SQL => sql`coalesce(sum(${gap}) filter (where ${gap} < ${PICK_SESSION_GAP_SECONDS}), 0)`;

/** A series longer than this is refused (an hourly series of a year has 8,784 buckets). */
export const MAX_BUCKETS = 10_000;

const UNIT = { HOUR: 'hour', DAY: 'day', WEEK: 'week', MONTH: 'month' } as const satisfies Record<KpiGranularity, string>;

export interface KpiPeriod {
  from: Date;
  to: Date;
  granularity: KpiGranularity;
  timeZone: string;
  /** Bucket starts in time order; the first is at or before `from`, the last before `to`. */
  starts: Date[];
}

/** Validates [from, to) and lists its buckets. BAD_USER_INPUT for an empty or reversed period or too many buckets. */
export function kpiPeriod(from: Date, to: Date, granularity: KpiGranularity, timeZone: string): KpiPeriod {
  if (!(from.getTime() < to.getTime())) throw new AccessError('BAD_USER_INPUT', '`from` must be before `to`.');
  const unit = UNIT[granularity];
  const starts: Date[] = [];
  let t = DateTime.fromJSDate(from, { zone: timeZone }).startOf(unit);
  while (t.toMillis() < to.getTime()) {
    if (starts.length >= MAX_BUCKETS) throw new AccessError('BAD_USER_INPUT', `At most ${MAX_BUCKETS} buckets per report: choose a coarser granularity or a shorter period.`);
    starts.push(t.toJSDate());
    t = t.plus({ [unit]: 1 }).startOf(unit);
  }
  return { from, to, granularity, timeZone, starts };
}

/** SQL: the start (timestamptz) of the bucket holding the timestamptz `column`. */
export function kpiBucket(column: SQL, period: Pick<KpiPeriod, 'granularity' | 'timeZone'>): SQL {
  return sql`(date_trunc(${UNIT[period.granularity]}, ${column} at time zone ${period.timeZone}) at time zone ${period.timeZone})`;
}
