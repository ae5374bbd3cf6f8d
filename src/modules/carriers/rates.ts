/**
 * Rate cards, pure: pick the price row for a destination and chargeable weight, and check a card
 * before it is stored. Rows are weight brackets: a row prices parcels up to `maxWeightGrams`.
 */
import validator from 'validator';
import { isCountryCode } from '../../shared/country.js';
import { perObject } from '../../shared/cache.js';

export interface RateRow {
  countryCode: string;
  region: string | null;
  postalCodePrefix: string | null;
  maxWeightGrams: number;
  priceMinor: number;
  currency: string;
}

export interface Destination {
  countryCode: string;
  region?: string | null;
  postalCode?: string | null;
}

export interface RateCardProblem {
  index: number;
  field: string;
  message: string;
}

/** Country and region compare trimmed and case-insensitively; empty means "not given". */
function normText(s: string | null | undefined): string | null {
  const t = s?.trim().toUpperCase();
  return t ? t : null;
}

/** Postal codes and prefixes compare without any whitespace, case-insensitively ("sw1a 1aa" = "SW1A1AA"). */
export function normalizePostalCode(s: string | null | undefined): string | null {
  const t = s?.replace(/\s+/g, '').toUpperCase();
  return t ? t : null;
}

/** Whether the row's destination (country, and region / postal prefix when it has them) covers `dest`. */
export function rateRowMatches(row: RateRow, dest: Destination): boolean {
  return rowMatchesNormalized(row, normalizeDestination(dest));
}

interface NormalizedDestination {
  country: string | null;
  region: string | null;
  postal: string | null;
}

const normalizeDestination = (dest: Destination): NormalizedDestination => ({
  country: normText(dest.countryCode),
  region: normText(dest.region),
  postal: normalizePostalCode(dest.postalCode),
});

/** rateRowMatches with the destination normalised once (matchRate compares it with every row). */
function rowMatchesNormalized(row: RateRow, dest: NormalizedDestination): boolean {
  if (normText(row.countryCode) !== dest.country) return false;
  const region = normText(row.region);
  if (region !== null && region !== dest.region) return false;
  const prefix = normalizePostalCode(row.postalCodePrefix);
  if (prefix !== null) {
    if (dest.postal === null || !dest.postal.startsWith(prefix)) return false;
  }
  return true;
}

/**
 * The first matching row: rows whose destination matches (country equal, case-insensitive; region
 * equal case-insensitive/trimmed when the row has one; postal code starts with the prefix, spaces
 * ignored, case-insensitive, when the row has one) and whose bracket maxWeightGrams >=
 * chargeableGrams; ordered by specificity (postal prefix, longer prefix first > region > country
 * only), then smallest bracket, then card order. null when none.
 *
 * A specific row only wins when its bracket covers the weight: a heavy parcel to a postal area
 * whose rows stop at 5 kg falls back to the region's or the country's rows.
 */
export function matchRate(rows: readonly RateRow[], dest: Destination, chargeableGrams: number): RateRow | null {
  let best: { row: RateRow; prefixLen: number; hasRegion: number } | null = null;
  const d = normalizeDestination(dest);
  for (const row of rows) {
    if (!(row.maxWeightGrams >= chargeableGrams) || !rowMatchesNormalized(row, d)) continue;
    const cand = { row, prefixLen: normalizePostalCode(row.postalCodePrefix)?.length ?? 0, hasRegion: normText(row.region) === null ? 0 : 1 };
    // Strictly better only, so the earlier row wins a full tie.
    if (
      best === null ||
      cand.prefixLen > best.prefixLen ||
      (cand.prefixLen === best.prefixLen &&
        (cand.hasRegion > best.hasRegion || (cand.hasRegion === best.hasRegion && cand.row.maxWeightGrams < best.row.maxWeightGrams)))
    ) {
      best = cand;
    }
  }
  return best?.row ?? null;
}

interface IndexedRow {
  row: RateRow;
  region: string | null;
}

/**
 * A card's rows by normalised country, then by normalised postal prefix ('' = none), each bucket
 * in matchRate's order within one prefix length: rows with a region first, then the smallest
 * bracket, then card order.
 */
interface CardIndex {
  byCountry: Map<string, { longestPrefix: number; byPrefix: Map<string, IndexedRow[]> }>;
}

/** Destinations as matchRateIndexed normalised them (by object: callers do not mutate a destination while pricing). */
const normalized = perObject(normalizeDestination);
const indexOf = perObject((rows: readonly RateRow[]): CardIndex => {
  const index: CardIndex = { byCountry: new Map() };
  const ranked = rows.map((row, i) => ({ row, i, region: normText(row.region), prefix: normalizePostalCode(row.postalCodePrefix) ?? '' }));
  ranked.sort((a, b) => (b.region === null ? 0 : 1) - (a.region === null ? 0 : 1) || a.row.maxWeightGrams - b.row.maxWeightGrams || a.i - b.i);
  for (const r of ranked) {
    const key = normText(r.row.countryCode) ?? '';
    let country = index.byCountry.get(key);
    if (!country) index.byCountry.set(key, (country = { longestPrefix: 0, byPrefix: new Map() }));
    let bucket = country.byPrefix.get(r.prefix);
    if (!bucket) country.byPrefix.set(r.prefix, (bucket = []));
    bucket.push({ row: r.row, region: r.region });
    country.longestPrefix = Math.max(country.longestPrefix, r.prefix.length);
  }
  return index;
});

/**
 * matchRate's answer (the same row, property-tested against it), from an index built once per rows
 * array: the postal code's own prefixes are looked up longest first, then the rows without a
 * prefix, so a quote reads a handful of rows instead of the whole card. For cards that are read
 * many times and never mutated, like the cached carrier catalogue's: checkout prices every service
 * on every request.
 */
export function matchRateIndexed(rows: readonly RateRow[], dest: Destination, chargeableGrams: number): RateRow | null {
  // A checkout prices every service for one destination object: normalise it once.
  const d = normalized(dest);
  const country = indexOf(rows).byCountry.get(d.country ?? '');
  if (!country) return null;
  const postal = d.postal ?? '';
  for (let len = Math.min(country.longestPrefix, postal.length); len >= 0; len--) {
    const bucket = country.byPrefix.get(postal.slice(0, len));
    if (!bucket) continue;
    for (const c of bucket) {
      if (c.row.maxWeightGrams >= chargeableGrams && (c.region === null || c.region === d.region)) return c.row;
    }
  }
  return null;
}

/**
 * Validates a rate card for carrierCreate. Problems, each on the row index and the field:
 * - countryCode: not an ISO 3166-1 alpha-2 code in upper case (format and assigned code, via
 *   shared/country.ts, so 'XX' fails as well as 'ru');
 * - maxWeightGrams: not a positive integer; or the same destination (normalised as matchRate
 *   compares it) and bracket as an earlier row (reported on the later row);
 * - priceMinor: not a non-negative integer (minor units);
 * - currency: not an ISO 4217 code in upper case; or different from the card's currency (one
 *   card, one currency: prices are compared and summed without conversion). The card's currency
 *   is the first valid one.
 * An empty array means the card is valid.
 */
export function validateRateCard(rows: readonly RateRow[]): RateCardProblem[] {
  const problems: RateCardProblem[] = [];
  const seen = new Map<string, number>();
  const validCurrency = (c: string) => /^[A-Z]{3}$/.test(c) && validator.isISO4217(c);
  // The card's currency is the first valid one, so one mistyped code does not flag every other row.
  const cardIndex = rows.findIndex((r) => validCurrency(r.currency));
  const cardCurrency = rows[cardIndex]?.currency;
  rows.forEach((row, index) => {
    if (!isCountryCode(row.countryCode)) {
      problems.push({ index, field: 'countryCode', message: `"${row.countryCode}" is not an ISO 3166-1 alpha-2 country code in upper case` });
    }
    if (!Number.isSafeInteger(row.maxWeightGrams) || row.maxWeightGrams <= 0) {
      problems.push({ index, field: 'maxWeightGrams', message: 'the weight bracket must be a positive whole number of grams' });
    }
    if (!Number.isSafeInteger(row.priceMinor) || row.priceMinor < 0) {
      problems.push({ index, field: 'priceMinor', message: 'the price must be a non-negative whole number of minor units' });
    }
    if (!validCurrency(row.currency)) {
      problems.push({ index, field: 'currency', message: `"${row.currency}" is not an ISO 4217 currency code in upper case` });
    } else if (row.currency !== cardCurrency) {
      problems.push({ index, field: 'currency', message: `mixed currencies: ${row.currency} differs from the card's ${cardCurrency} (row ${cardIndex})` });
    }
    const key = JSON.stringify([normText(row.countryCode), normText(row.region), normalizePostalCode(row.postalCodePrefix), row.maxWeightGrams]);
    const first = seen.get(key);
    if (first === undefined) seen.set(key, index);
    else problems.push({ index, field: 'maxWeightGrams', message: `duplicates row ${first}: same destination and weight bracket` });
  });
  return problems;
}
