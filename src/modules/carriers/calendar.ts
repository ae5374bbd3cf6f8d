/**
 * Dispatch calendar, pure: when an order leaves the warehouse and when it can arrive, in the
 * warehouse's time zone, counting business days (Mon-Fri, not a public holiday of the warehouse's
 * country).
 *
 * luxon does the time zone work (IANA zones through Intl, DST-correct start and end of day);
 * date-holidays supplies the public holidays per country from its maintained rule set, so no
 * holiday table of our own goes stale.
 *
 * Dates are local calendar dates 'YYYY-MM-DD'; day arithmetic on them is done in UTC, where every
 * day has 24 hours, and the warehouse zone is only applied when turning a date into an instant.
 *
 * Limits of the holiday data, checked for RU with date-holidays 3.37: the fixed holidays and the
 * multi-day New Year break are there (Jan 2-6 comes as ONE entry spanning five days, which is why
 * entries are expanded by their start..end span below), and March 8 moves to Monday when it falls on
 * a Sunday; but the other weekend transfers of the Labour Code (art. 112: a holiday on a Saturday or
 * Sunday moves to the next working day, e.g. 2026-05-11 for Victory Day on a Saturday) and the
 * government's yearly transfer decrees (e.g. 2026-01-09, 2026-12-31) are not. Such days count as
 * business days here.
 */
import Holidays from 'date-holidays';
import { DateTime, IANAZone } from 'luxon';
import { lruCache } from '../../shared/cache.js';

export interface DispatchCalendar {
  /** IANA zone of the warehouse, e.g. 'Europe/Moscow'. */
  timezone: string;
  /** Orders placed before this local time ('HH:MM', in `timezone`) leave the same business day. */
  cutoffTime: string;
  /** ISO 3166-1 alpha-2 country whose public holidays close the warehouse. */
  countryCode: string;
}

const DAY_MS = 86_400_000;
/** Upper bound on consecutive non-business days, against looping forever on a bad holiday set. */
const MAX_CLOSED_RUN = 366;

export function isValidTimeZone(tz: string): boolean {
  if (typeof tz !== 'string' || !tz.length) return false;
  if (validZones.has(tz)) return true;
  // luxon checks by constructing an Intl.DateTimeFormat every time (tens of µs); a zone that was
  // valid stays valid for the life of the process, so remember those (a bounded set: IANA names).
  const ok = IANAZone.isValidZone(tz);
  if (ok && validZones.size < 1000) validZones.add(tz);
  return ok;
}
const validZones = new Set<string>();

/** 'HH:MM', 24-hour, 00:00 to 23:59. */
export function isValidCutoff(s: string): boolean {
  return typeof s === 'string' && /^([01]\d|2[0-3]):[0-5]\d$/.test(s);
}

/** Whether date-holidays has a holiday calendar for the country (unknown countries have only weekends). */
export function supportsHolidays(countryCode: string): boolean {
  knownCountries ??= new Set(Object.keys(new Holidays().getCountries()));
  return knownCountries.has(countryCode);
}
let knownCountries: ReadonlySet<string> | undefined;

const holidayInstances = lruCache<string, Holidays>({ max: 64 });
const holidayDates = lruCache<string, ReadonlySet<string>>({ max: 256 });

function holidaysFor(countryCode: string): Holidays {
  let hd = holidayInstances.get(countryCode);
  if (!hd) {
    hd = new Holidays(countryCode);
    holidayInstances.set(countryCode, hd);
  }
  return hd;
}

/**
 * Local dates ('YYYY-MM-DD') of the country's public holidays that start in `year`. Only type
 * 'public' counts (not 'bank', 'optional', 'school' or 'observance'). An entry covers its start
 * date and, for multi-day entries, the following days up to its end; a part-day public holiday
 * closes the whole day.
 */
export function publicHolidayDates(countryCode: string, year: number): ReadonlySet<string> {
  const key = `${countryCode}:${year}`;
  let dates = holidayDates.get(key);
  if (!dates) {
    const set = new Set<string>();
    for (const h of holidaysFor(countryCode).getHolidays(year)) {
      if (h.type !== 'public') continue;
      // `date` is the local start ('YYYY-MM-DD hh:mm:ss'); start/end are instants, so their
      // difference is whole days give or take a DST hour.
      const days = Math.max(1, Math.round((h.end.getTime() - h.start.getTime()) / DAY_MS));
      const first = utcDate(h.date.slice(0, 10));
      for (let i = 0; i < days; i++) set.add(first.plus({ days: i }).toISODate()!);
    }
    dates = set;
    holidayDates.set(key, dates);
  }
  return dates;
}

/** Mon-Fri and not a public holiday of the calendar's country. */
export function isBusinessDay(localDate: string, cal: Pick<DispatchCalendar, 'countryCode'>): boolean {
  const d = utcDate(localDate);
  if (d.weekday > 5) return false;
  // A multi-day holiday starting on Dec 30 of the previous year would spill into January.
  return !publicHolidayDates(cal.countryCode, d.year).has(localDate) && !publicHolidayDates(cal.countryCode, d.year - 1).has(localDate);
}

/**
 * Local date (YYYY-MM-DD in the warehouse zone) when an order placed at `now` leaves: today if a
 * business day and strictly before the cut-off (an order at 14:00 with a 14:00 cut-off leaves the
 * next business day), else the next business day.
 */
export function dispatchDate(now: Date, cal: DispatchCalendar): string {
  assertCalendar(cal);
  const local = DateTime.fromJSDate(now, { zone: cal.timezone });
  if (!local.isValid) throw new RangeError('now is not a valid date');
  const today = local.toISODate()!;
  const [hh, mm] = cal.cutoffTime.split(':').map(Number);
  const beforeCutoff = local.hour * 60 + local.minute < hh * 60 + mm;
  if (beforeCutoff && isBusinessDay(today, cal)) return today;
  return addBusinessDays(today, 1, cal);
}

/**
 * Adds n business days to a local date: the n-th business day after it (before it when n < 0).
 * n = 0 returns the date unchanged, business day or not.
 */
export function addBusinessDays(localDate: string, n: number, cal: DispatchCalendar): string {
  if (!Number.isInteger(n)) throw new RangeError(`n must be an integer, got ${n}`);
  let d = utcDate(localDate);
  const step = n < 0 ? -1 : 1;
  for (let left = Math.abs(n); left > 0; left--) {
    let closed = 0;
    do {
      d = d.plus({ days: step });
      if (++closed > MAX_CLOSED_RUN) throw new Error(`no business day within ${MAX_CLOSED_RUN} days of ${localDate} for ${cal.countryCode}`);
    } while (!isBusinessDay(d.toISODate()!, cal));
  }
  return d.toISODate()!;
}

/**
 * Window: from = start of day (warehouse zone) of dispatch + transitDaysMin business days; to = end
 * of day (23:59:59.999 warehouse zone) of dispatch + transitDaysMax business days. Throws
 * RangeError unless 0 <= transitDaysMin <= transitDaysMax, integers.
 */
export function deliveryWindow(
  now: Date,
  cal: DispatchCalendar,
  transitDaysMin: number,
  transitDaysMax: number,
): { from: Date; to: Date; dispatchDate: string } {
  if (!Number.isInteger(transitDaysMin) || !Number.isInteger(transitDaysMax) || transitDaysMin < 0 || transitDaysMax < transitDaysMin) {
    throw new RangeError(`transit days must be integers with 0 <= min <= max, got ${transitDaysMin}..${transitDaysMax}`);
  }
  // The window depends on `now` only through the local date, hour and minute (dispatchDate), so
  // within one UTC minute it is the same whenever the zone's offset is a whole number of minutes
  // (every offset in use since the early 20th century): remember it per minute, since a checkout
  // asks for the same few windows (warehouse x transit days) over and over.
  const nowMs = now.getTime();
  const key = `${Math.floor(nowMs / 60_000)}|${cal.timezone}|${cal.cutoffTime}|${cal.countryCode}|${transitDaysMin}|${transitDaysMax}`;
  const hit = Number.isFinite(nowMs) ? windowCache.get(key) : undefined;
  if (hit) return { from: new Date(hit.from), to: new Date(hit.to), dispatchDate: hit.dispatchDate };
  const dispatch = dispatchDate(now, cal);
  const first = addBusinessDays(dispatch, transitDaysMin, cal);
  const last = addBusinessDays(dispatch, transitDaysMax, cal);
  const window = {
    from: DateTime.fromISO(first, { zone: cal.timezone }).startOf('day').toJSDate(),
    to: DateTime.fromISO(last, { zone: cal.timezone }).endOf('day').toJSDate(),
    dispatchDate: dispatch,
  };
  if (Number.isInteger(IANAZone.create(cal.timezone).offset(nowMs))) {
    windowCache.set(key, { from: window.from.getTime(), to: window.to.getTime(), dispatchDate: dispatch });
  }
  return window;
}

/** Keyed by the minute: an entry is of no use after it (ttl). */
const windowCache = lruCache<string, { from: number; to: number; dispatchDate: string }>({ max: 2000, ttlMs: 60_000 });

function utcDate(localDate: string): DateTime {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(localDate) ? DateTime.fromISO(localDate, { zone: 'utc' }) : null;
  if (!d?.isValid) throw new RangeError(`expected a date 'YYYY-MM-DD', got "${localDate}"`);
  return d;
}

function assertCalendar(cal: DispatchCalendar): void {
  if (!isValidTimeZone(cal.timezone)) throw new RangeError(`unknown time zone "${cal.timezone}"`);
  if (!isValidCutoff(cal.cutoffTime)) throw new RangeError(`cut-off must be 'HH:MM', got "${cal.cutoffTime}"`);
}
