/**
 * Entities of a customer's question found by pattern: an order number, a parcel's tracking
 * number, a city of the demo store's delivery area. `maskEntities` replaces them with
 * placeholders, so the intent model learns "a question with an order number" rather than digits.
 *
 * Order numbers: the store's own "WB-100123" (orders.number, a sequence from 100001) and the demo
 * shop's external ids "DEMO-000123"; written with a space, "#", "№" or no dash too ("wb100123").
 * A bare number of 6-9 digits counts when "№", "#", "order"/"заказ" or "number"/"номер" stands
 * right before it. Tracking numbers: UPU S10 (two letters, 9 digits, two letters: "CP123456785RU",
 * also spaced "CP 123 456 785 RU") as every demo carrier's labels have them (carriers/tracking-number.ts).
 */
export interface AssistantEntities {
  /** Canonical: "WB-100123" or "DEMO-000123". */
  orderNumber?: string;
  /** Canonical S10: upper case, no spaces. */
  trackingNumber?: string;
  /** The city's name as addresses store it ("Санкт-Петербург"). */
  city?: string;
}

const NOT_WORD_BEFORE = '(?<![\\p{L}\\p{N}])';
const NOT_WORD_AFTER = '(?![\\p{L}\\p{N}])';

const TRACKING = new RegExp(`${NOT_WORD_BEFORE}([A-Za-z]{2})\\s?(\\d{3})\\s?(\\d{3})\\s?(\\d{3})\\s?([A-Za-z]{2})${NOT_WORD_AFTER}`, 'u');
const ORDER_PREFIXED = new RegExp(`${NOT_WORD_BEFORE}(wb|demo)\\s*[-–—#№]?\\s*(\\d{4,10})${NOT_WORD_AFTER}`, 'iu');
const ORDER_BARE = new RegExp(`(?:№|#|\\border\\b|\\bnumber\\b|заказ\\p{L}*|номер\\p{L}*)\\s*(?:no\\.?\\s*|№\\s*|#\\s*)?(\\d{6,9})${NOT_WORD_AFTER}`, 'iu');

/** A city of the delivery area: its stored name and how people write it (lower case, "ё" as "е"). */
export interface KnownCity {
  name: string;
  patterns: readonly RegExp[];
}

const city = (name: string, ...alternatives: string[]): KnownCity => ({
  name,
  patterns: alternatives.map((a) => new RegExp(`${NOT_WORD_BEFORE}(?:${a})${NOT_WORD_AFTER}`, 'u')),
});

/** The demo store's cities (scripts/seed-shipping.ts DEMO_CITIES), in Russian case forms and in English. */
export const KNOWN_CITIES: readonly KnownCity[] = [
  city('Москва', 'москв\\p{L}*', 'мск', 'moscow', 'msk'),
  city('Санкт-Петербург', 'санкт-петербург\\p{L}*', 'петербург\\p{L}*', 'питер\\p{L}*', 'спб', '(?:saint|st\\.?)\\s*petersburg', 'petersburg', 'spb'),
  city('Казань', 'казан\\p{L}*', 'kazan'),
  city('Екатеринбург', 'екатеринбург\\p{L}*', 'екб', 'y?ekaterinburg'),
  city('Новосибирск', 'новосибирск\\p{L}*', 'novosibirsk'),
  city('Нижний Новгород', 'нижн\\p{L}*\\s+новгород\\p{L}*', 'нижн\\p{L}*', 'nizhn(?:y|iy|ii)\\s+novgorod', 'nizhny'),
  city('Самара', 'самар\\p{L}*', 'samara'),
  city('Ростов-на-Дону', 'ростов\\p{L}*(?:-на-дону)?', 'rostov(?:-on-don)?'),
  city('Краснодар', 'краснодар\\p{L}*', 'krasnodar'),
  city('Воронеж', 'воронеж\\p{L}*', 'voronezh'),
  city('Тула', 'тул(?:а|е|у|ы|ой)', 'tula'),
  city('Ярославль', 'ярославл\\p{L}*', 'yaroslavl'),
];

function findCity(text: string, cities: readonly KnownCity[]): { name: string; match: string } | null {
  const lower = text.toLowerCase().replace(/ё/g, 'е');
  for (const c of cities) {
    for (const p of c.patterns) {
      const m = p.exec(lower);
      if (m) return { name: c.name, match: m[0] };
    }
  }
  return null;
}

/** The entities of a question (the first of each kind). */
export function extractEntities(text: string, cities: readonly KnownCity[] = KNOWN_CITIES): AssistantEntities {
  return maskEntities(text, cities).entities;
}

/** The entities, and the text with each replaced by a placeholder word (zorderz, ztrackz, zcityz). */
export function maskEntities(text: string, cities: readonly KnownCity[] = KNOWN_CITIES): { masked: string; entities: AssistantEntities } {
  const entities: AssistantEntities = {};
  let masked = text;
  const t = TRACKING.exec(masked);
  if (t) {
    entities.trackingNumber = `${t[1]}${t[2]}${t[3]}${t[4]}${t[5]}`.toUpperCase();
    masked = masked.replace(t[0], ' ztrackz ');
  }
  const o = ORDER_PREFIXED.exec(masked);
  if (o) {
    const prefix = o[1]!.toUpperCase();
    entities.orderNumber = `${prefix}-${prefix === 'DEMO' ? o[2]!.padStart(6, '0') : o[2]}`;
    masked = masked.replace(o[0], ' zorderz ');
  } else {
    const b = ORDER_BARE.exec(masked);
    if (b) {
      entities.orderNumber = `WB-${b[1]}`;
      masked = masked.replace(b[1]!, ' zorderz ');
    }
  }
  const c = findCity(masked, cities);
  if (c) {
    entities.city = c.name;
    masked = masked.replace(new RegExp(c.match.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'i'), ' zcityz ');
  }
  return { masked, entities };
}
