/**
 * The shipping part of the demo store (used by scripts/seed.ts): carriers a Russian store works
 * with and their rate cards, a few hundred pickup points around the seeded cities, and 90 days
 * of order history played through the services on a ManualClock: checkout delivery options and
 * quotes, orders, pick waves with scans, packing, shipments with labels, carrier tracking events
 * (some late, some failed attempts, a few returns), cancellations and backorders. Deterministic
 * (seeded PRNG; tracking numbers and ids are random by design) and idempotent: carriers and pickup
 * points are skipped by code, and the history is skipped when any DEMO- order exists.
 */
import { sql } from 'drizzle-orm';
import { productsByIds, variantsByIds, variantsBySkus } from '../src/modules/catalog/catalog.service.js';
import { receiveInventory } from '../src/modules/inventory/inbound.service.js';
import { warehousesHolding } from '../src/modules/inventory/availability.service.js';
import { cancelOrder, countFulfillmentOrders, createOrder, fulfillmentLinesByFoIds, orderCountsByExternalIdPrefix, ordersByIds, type OrderCreateInput } from '../src/modules/orders/order.service.js';
import { createPickList, packFulfillmentOrder, pickListLinesOf, pickListOrdersOf, scanPick } from '../src/modules/orders/picking.service.js';
import { isBusinessDay } from '../src/modules/carriers/calendar.js';
import { carrierCatalog, createCarrier, type CarrierCreateInput, type CarrierServiceInput } from '../src/modules/carriers/carrier.service.js';
import { deliveryOptions, type DeliveryOptionView } from '../src/modules/carriers/delivery.service.js';
import { estimateParcel } from '../src/modules/carriers/parcel.js';
import { createPickupPoint, existingPickupPointCodes } from '../src/modules/carriers/pickup.service.js';
import { createShipment, type ShipmentRow } from '../src/modules/shipments/shipment.service.js';
import { ingestTrackingEvents, type TrackingEventInput } from '../src/modules/tracking/tracking.service.js';
import { binsByIds, listAllWarehouses, type AddressData, type WarehouseRow } from '../src/modules/warehouse/warehouse.service.js';
import { ManualClock } from '../src/shared/clock.js';
import { BusinessError } from '../src/shared/errors.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { atMsk, mskDate, parcelTimeline, RU_CALENDAR, seedOf } from './lib/carrier-sim.js';
import { prng, type Prng } from './lib/prng.js';

const SEED = 0x5eed5417;

// ---------------------------------------------------------------------------------------------
// Cities

export interface DemoCity {
  name: string;
  region: string;
  /** Postal code prefixes of the city (3 digits); codes are the prefix and 3 more digits. */
  postal: readonly string[];
  lat: number;
  lng: number;
  /** Share of orders, and pickup points relative to it. */
  weight: number;
  streets: readonly string[];
}

export const DEMO_CITIES: readonly DemoCity[] = [
  { name: 'Москва', region: 'Москва', postal: ['101', '105', '107', '109', '115', '117', '119', '121', '123', '125', '127', '129'], lat: 55.7558, lng: 37.6173, weight: 38, streets: ['ул. Тверская', 'Ленинский пр-т', 'ул. Профсоюзная', 'Кутузовский пр-т', 'ул. Бутырская', 'Варшавское ш.', 'ул. Мясницкая', 'пр-т Мира', 'ул. Люблинская', 'Щёлковское ш.'] },
  { name: 'Санкт-Петербург', region: 'Санкт-Петербург', postal: ['190', '191', '192', '194', '195', '196', '197', '198'], lat: 59.9343, lng: 30.3351, weight: 18, streets: ['Невский пр-т', 'Лиговский пр-т', 'Московский пр-т', 'ул. Савушкина', 'пр-т Просвещения', 'Гражданский пр-т', 'ул. Марата'] },
  { name: 'Казань', region: 'Республика Татарстан', postal: ['420'], lat: 55.7963, lng: 49.1088, weight: 8, streets: ['ул. Баумана', 'пр-т Победы', 'ул. Пушкина', 'ул. Чистопольская', 'пр-т Ямашева'] },
  { name: 'Екатеринбург', region: 'Свердловская область', postal: ['620'], lat: 56.8389, lng: 60.6057, weight: 5, streets: ['ул. Малышева', 'пр-т Ленина', 'ул. 8 Марта', 'ул. Белинского'] },
  { name: 'Новосибирск', region: 'Новосибирская область', postal: ['630'], lat: 55.0084, lng: 82.9357, weight: 4, streets: ['Красный пр-т', 'ул. Ленина', 'ул. Кирова', 'ул. Большевистская'] },
  { name: 'Нижний Новгород', region: 'Нижегородская область', postal: ['603'], lat: 56.2965, lng: 43.9361, weight: 4, streets: ['ул. Большая Покровская', 'пр-т Гагарина', 'ул. Родионова', 'Московское ш.'] },
  { name: 'Самара', region: 'Самарская область', postal: ['443'], lat: 53.1959, lng: 50.1002, weight: 3, streets: ['ул. Ленинградская', 'Московское ш.', 'ул. Ново-Садовая', 'ул. Молодогвардейская'] },
  { name: 'Ростов-на-Дону', region: 'Ростовская область', postal: ['344'], lat: 47.2357, lng: 39.7015, weight: 3, streets: ['ул. Большая Садовая', 'пр-т Будённовский', 'пр-т Стачки', 'ул. Пушкинская'] },
  { name: 'Краснодар', region: 'Краснодарский край', postal: ['350'], lat: 45.0355, lng: 38.9753, weight: 3, streets: ['ул. Красная', 'ул. Северная', 'ул. Ставропольская', 'ул. Уральская'] },
  { name: 'Воронеж', region: 'Воронежская область', postal: ['394'], lat: 51.672, lng: 39.1843, weight: 2, streets: ['пр-т Революции', 'Московский пр-т', 'ул. Кольцовская'] },
  { name: 'Тула', region: 'Тульская область', postal: ['300'], lat: 54.1931, lng: 37.6173, weight: 2, streets: ['пр-т Ленина', 'ул. Советская', 'Красноармейский пр-т'] },
  { name: 'Ярославль', region: 'Ярославская область', postal: ['150'], lat: 57.6261, lng: 39.8845, weight: 2, streets: ['ул. Свободы', 'Московский пр-т', 'пр-т Ленина'] },
];

const weighted = <T extends { weight: number }>(r: Prng, xs: readonly T[]): T => {
  let x = r.next() * xs.reduce((s, c) => s + c.weight, 0);
  for (const c of xs) if ((x -= c.weight) < 0) return c;
  return xs[xs.length - 1]!;
};

/** A point around the city centre: most within 8 km, a few in the outskirts (all inside the 15 km pickup radius of the centre). */
function near(r: Prng, c: DemoCity, maxKm = 12): { lat: number; lng: number } {
  const km = maxKm * Math.sqrt(r.next()) * (0.3 + 0.7 * r.next());
  const a = r.next() * 2 * Math.PI;
  const lat = c.lat + (km * Math.sin(a)) / 111.2;
  const lng = c.lng + (km * Math.cos(a)) / (111.32 * Math.cos((c.lat * Math.PI) / 180));
  return { lat: Math.round(lat * 1e6) / 1e6, lng: Math.round(lng * 1e6) / 1e6 };
}

function demoAddress(r: Prng, c: DemoCity, name: string | null, phone: string | null): AddressData {
  const house = r.int(1, 120);
  return {
    name,
    line1: `${r.pick(c.streets)}, д. ${house}${r.next() < 0.2 ? `, корп. ${r.int(1, 4)}` : ''}`,
    line2: r.next() < 0.8 ? `кв. ${r.int(1, 280)}` : null,
    city: c.name,
    region: c.region,
    postalCode: `${r.pick(c.postal)}${String(r.int(0, 999)).padStart(3, '0')}`,
    countryCode: 'RU',
    phone,
    location: near(r, c),
  };
}

// ---------------------------------------------------------------------------------------------
// Carriers and rate cards

/** Weight brackets in grams; a service's card stops at its maximum weight. */
const BRACKETS = [500, 1000, 2000, 3000, 5000, 10_000, 15_000, 20_000, 30_000, 50_000] as const;

/** Tariff zones as rate rows' destinations: the most specific matching row wins (postal prefix > region > country). */
const ZONES: readonly { region?: string; postalCodePrefix?: string; factor: number }[] = [
  { factor: 1.35 }, // the rest of Russia
  { region: 'Москва', factor: 1 },
  { region: 'Московская область', factor: 1.1 },
  { region: 'Санкт-Петербург', factor: 1.05 },
  { region: 'Ленинградская область', factor: 1.15 },
  { region: 'Республика Татарстан', factor: 1.2 },
  { postalCodePrefix: '35', factor: 1.3 }, // Krasnodar krai, the south
  { postalCodePrefix: '62', factor: 1.6 }, // the Urals
  { postalCodePrefix: '63', factor: 1.9 }, // Siberia
];

const rub = (x: number) => ({ amountMinor: Math.round(x / 10) * 10 * 100, currency: 'RUB' });

/** A rate card: base price plus a price per kg of the bracket, scaled per zone. */
function rateCard(base: number, perKg: number, maxWeight: number, zones: readonly { region?: string; postalCodePrefix?: string; factor: number }[] = ZONES): CarrierServiceInput['rates'] {
  return zones.flatMap((z) =>
    BRACKETS.filter((b) => b <= maxWeight).map((b) => ({
      countryCode: 'RU',
      region: z.region ?? null,
      postalCodePrefix: z.postalCodePrefix ?? null,
      maxWeightGrams: b,
      price: rub((base + perKg * Math.max(0, b / 1000 - 0.5)) * z.factor),
    })),
  );
}

export const DEMO_CARRIERS: readonly CarrierCreateInput[] = [
  {
    code: 'CDEK',
    name: 'СДЭК',
    services: [
      { code: 'CDEK_COURIER', name: 'СДЭК Экспресс: курьер до двери', deliveryType: 'COURIER', transitDaysMin: 2, transitDaysMax: 4, volumetricDivisor: 5000, maxWeightGrams: 30_000, rates: rateCard(350, 48, 30_000) },
      { code: 'CDEK_PVZ', name: 'СДЭК: до пункта выдачи', deliveryType: 'PICKUP_POINT', transitDaysMin: 2, transitDaysMax: 5, volumetricDivisor: 5000, maxWeightGrams: 30_000, rates: rateCard(230, 38, 30_000) },
    ],
  },
  {
    code: 'BOXBERRY',
    name: 'Boxberry',
    services: [
      { code: 'BOXBERRY_PVZ', name: 'Boxberry: до пункта выдачи', deliveryType: 'PICKUP_POINT', transitDaysMin: 3, transitDaysMax: 6, volumetricDivisor: 6000, maxWeightGrams: 15_000, rates: rateCard(199, 32, 15_000) },
      { code: 'BOXBERRY_COURIER', name: 'Boxberry: курьер', deliveryType: 'COURIER', transitDaysMin: 3, transitDaysMax: 6, volumetricDivisor: 6000, maxWeightGrams: 15_000, rates: rateCard(330, 36, 15_000) },
    ],
  },
  {
    code: 'RUSSIAN_POST',
    name: 'Почта России',
    services: [
      { code: 'RUSSIAN_POST_PARCEL', name: 'Почта России: посылка до отделения', deliveryType: 'PICKUP_POINT', transitDaysMin: 4, transitDaysMax: 9, volumetricDivisor: 8000, maxWeightGrams: 50_000, rates: rateCard(170, 24, 50_000) },
      { code: 'RUSSIAN_POST_EMS', name: 'EMS Почта России: курьер', deliveryType: 'COURIER', transitDaysMin: 2, transitDaysMax: 5, volumetricDivisor: 5000, maxWeightGrams: 31_500, rates: rateCard(490, 55, 30_000) },
    ],
  },
  {
    code: 'OWN',
    name: 'Курьеры магазина',
    services: [
      // Moscow only: no other rate rows, so no quote elsewhere.
      { code: 'OWN_SAME_DAY', name: 'Курьер магазина: день в день (Москва)', deliveryType: 'COURIER', transitDaysMin: 0, transitDaysMax: 0, volumetricDivisor: 4000, maxWeightGrams: 25_000, rates: rateCard(420, 25, 20_000, [{ region: 'Москва', factor: 1 }]) },
      { code: 'OWN_NEXT_DAY', name: 'Курьер магазина: на следующий день (Москва)', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 1, volumetricDivisor: 4000, maxWeightGrams: 25_000, rates: rateCard(290, 20, 20_000, [{ region: 'Москва', factor: 1 }]) },
    ],
  },
];

/** Creates the demo carriers whose codes do not exist yet. */
export async function seedCarriers(ctx: ServiceContext): Promise<{ created: string[]; skipped: string[]; services: number; rateRows: number }> {
  const existing = new Set((await carrierCatalog(ctx)).carriers.map((c) => c.code));
  const out = { created: [] as string[], skipped: [] as string[], services: 0, rateRows: 0 };
  for (const c of DEMO_CARRIERS) {
    if (existing.has(c.code)) {
      out.skipped.push(c.code);
      continue;
    }
    await createCarrier(ctx, c);
    out.created.push(c.code);
    out.services += c.services.length;
    out.rateRows += c.services.reduce((s, x) => s + x.rates.length, 0);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Pickup points

const POINT_KINDS = [
  { carrier: 'CDEK', prefix: 'CDEK', name: 'Пункт выдачи СДЭК', weight: 34, capacity: [40, 120], hours: ['Пн-Вс 09:00-21:00', 'Пн-Пт 10:00-20:00, Сб-Вс 10:00-18:00'] },
  { carrier: 'BOXBERRY', prefix: 'BXB', name: 'Пункт выдачи Boxberry', weight: 24, capacity: [30, 80], hours: ['Пн-Вс 10:00-21:00', 'Пн-Сб 10:00-20:00'] },
  { carrier: 'RUSSIAN_POST', prefix: 'RP', name: 'Отделение Почты России', weight: 20, capacity: [80, 250], hours: ['Пн-Пт 08:00-20:00, Сб 09:00-18:00', 'Пн-Сб 09:00-19:00'] },
  // Open to every carrier: parcel lockers and partner shops.
  { carrier: null, prefix: 'LOCK', name: 'Постамат', weight: 12, capacity: [24, 60], hours: ['Круглосуточно'] },
  { carrier: null, prefix: 'SHOP', name: 'Пункт выдачи партнёра', weight: 10, capacity: [20, 50], hours: ['Пн-Вс 10:00-22:00', 'Пн-Пт 11:00-20:00'] },
] as const;

/** Pickup points per city, about proportional to its orders (Moscow about 100). */
export function demoPickupPoints(total = 300): { code: string; name: string; carrierCode: string | null; dailyCapacity: number; openingHours: string; address: AddressData }[] {
  const weightSum = DEMO_CITIES.reduce((s, c) => s + c.weight, 0);
  const out: ReturnType<typeof demoPickupPoints> = [];
  DEMO_CITIES.forEach((city, ci) => {
    const n = Math.max(6, Math.round((total * city.weight) / weightSum));
    const r = prng(SEED ^ Math.imul(ci + 1, 0x2545f491));
    const code = city.postal[0]!;
    for (let i = 0; i < n; i++) {
      const kind = weighted(r, POINT_KINDS);
      const address = demoAddress(r, city, null, null);
      address.line2 = null;
      out.push({
        code: `${kind.prefix}-${code}-${String(i + 1).padStart(3, '0')}`,
        name: `${kind.name}, ${address.line1}`,
        carrierCode: kind.carrier,
        dailyCapacity: r.int(kind.capacity[0], kind.capacity[1]),
        openingHours: r.pick(kind.hours),
        address,
      });
    }
  });
  return out;
}

export async function seedPickupPoints(ctx: ServiceContext): Promise<{ created: number; skipped: number }> {
  const points = demoPickupPoints();
  const have = await existingPickupPointCodes(ctx, points.map((p) => p.code));
  const out = { created: 0, skipped: 0 };
  for (const p of points) {
    if (have.has(p.code)) {
      out.skipped++;
      continue;
    }
    await createPickupPoint(ctx, p);
    out.created++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Order history

/**
 * Makes the carts of `specs` (drawn from the overall popularity) look like real shopping, in time
 * order, on a PRNG stream of their own (the rest of each spec, drawn before, is unchanged):
 * - each buyer has two favourite categories (65/35) for life: most first lines (60%) are a popular
 *   SKU of one of them;
 * - a buyer who has bought before often (30%) starts with a companion of an earlier purchase
 *   (bought the boots, now the cream for them);
 * - a first line seldom repeats a variant the buyer already has (it is drawn again, a few tries);
 * - further lines are mostly (70%) a companion of the first line: each SKU has three companions
 *   among the other products of its category (fixed by a hash), taken 50/30/20.
 * The other lines keep their draw from the overall popularity. Backorders are left alone.
 */
function shapeCarts(specs: OrderSpec[], ranked: readonly { sku: string; productId: string; category: string }[]): void {
  const info = new Map(ranked.map((x, rank) => [x.sku, { ...x, rank }]));
  const byCategory = new Map<string, { sku: string; productId: string; rank: number }[]>();
  ranked.forEach((x, rank) => (byCategory.get(x.category) ?? byCategory.set(x.category, []).get(x.category)!).push({ ...x, rank }));
  const categories = [...byCategory.keys()].sort();
  if (!categories.length) return;
  const companionsOf = new Map<string, string[]>();
  const companions = (sku: string): string[] => {
    let c = companionsOf.get(sku);
    if (!c) {
      const me = info.get(sku)!;
      c = (byCategory.get(me.category) ?? [])
        .filter((o) => o.productId !== me.productId)
        .map((o) => ({ sku: o.sku, h: seedOf(`${sku}|${o.sku}`) }))
        .sort((a, b) => a.h - b.h || (a.sku < b.sku ? -1 : 1))
        .slice(0, 3)
        .map((o) => o.sku);
      companionsOf.set(sku, c);
    }
    return c;
  };
  const companion = (r: Prng, sku: string): string | null => {
    const c = companions(sku);
    if (!c.length) return null;
    const x = r.next();
    return c[x < 0.5 || c.length === 1 ? 0 : x < 0.8 || c.length === 2 ? 1 : 2]!;
  };
  const popularIn = (r: Prng, category: string): string => {
    const members = byCategory.get(category)!;
    return weighted(r, members.map((m) => ({ weight: 1 / (m.rank + 1) ** 0.9, sku: m.sku }))).sku;
  };
  const tastes = new Map<string, [string, string]>();
  const tasteOf = (email: string): [string, string] => {
    let t = tastes.get(email);
    if (!t) {
      const r = prng(SEED ^ seedOf(`taste:${email}`));
      const [a, b] = r.some(categories, 2);
      t = r.next() < 0.5 ? [a!, b ?? a!] : [b ?? a!, a!];
      tastes.set(email, t);
    }
    return t;
  };
  const bought = new Map<string, string[]>();
  for (const spec of [...specs].sort((a, b) => a.at.getTime() - b.at.getTime() || a.index - b.index)) {
    if (spec.backorder || !spec.lines.every((l) => info.has(l.sku))) continue;
    const r = prng(SEED ^ 0x0ffe25 ^ Math.imul(spec.index + 1, 0x85ebca6b));
    const before = bought.get(spec.buyer.email) ?? [];
    const [fav, second] = tasteOf(spec.buyer.email);
    const skus = spec.lines.map((l) => l.sku);
    // People seldom buy the very same variant again within months: a first line they already
    // have is drawn again (a few tries).
    const owned = new Set(before);
    const fresh = (draw: () => string | null): string | null => {
      let sku = draw();
      for (let t = 0; t < 4 && sku !== null && owned.has(sku); t++) sku = draw();
      return sku;
    };
    const x = r.next();
    if (x < 0.3 && before.length) skus[0] = fresh(() => companion(r, r.pick(before))) ?? skus[0]!;
    else if (x < 0.9) skus[0] = fresh(() => popularIn(r, r.next() < 0.65 ? fav : second))!;
    for (let l = 1; l < skus.length; l++) if (r.next() < 0.7) skus[l] = companion(r, skus[0]!) ?? skus[l]!;
    const cart = new Map<string, number>();
    spec.lines.forEach((line, l) => cart.set(skus[l]!, (cart.get(skus[l]!) ?? 0) + line.quantity));
    spec.lines = [...cart].map(([sku, quantity]) => ({ sku, quantity }));
    bought.set(spec.buyer.email, [...before, ...spec.lines.map((l) => l.sku)]);
  }
}


export interface OrderHistoryOptions {
  /** Orders over the window (default 400: about 0.2-0.7 s each, mostly the label PDF). */
  count?: number;
  /** Days of history before now (default 90). */
  days?: number;
  /** The clock to move through the window; default the context's clock when it is a ManualClock. */
  clock?: ManualClock;
  /** Progress lines on stderr. */
  progress?: (line: string) => void;
}

export interface OrderHistoryResult {
  created: number;
  skipped: number;
  byStatus: Record<string, number>;
  shipments: number;
  trackingEvents: number;
  restockedUnits: number;
  pickLists: number;
  failures: string[];
}

export interface DemoBuyer {
  email: string;
  name?: string | null;
  phone?: string | null;
  locale?: string | null;
}

export const DEMO_ORDER_PREFIX = 'DEMO-';
const HOUR = 3_600_000;
/** Pick waves (Moscow time) on business days; the last at the 14:00 cut-off. */
const WAVE_HOURS = [9, 12, 14];

interface OrderSpec {
  index: number;
  externalId: string;
  at: Date;
  city: DemoCity;
  buyer: DemoBuyer;
  address: AddressData;
  lines: { sku: string; quantity: number }[];
  /** How the buyer chooses at checkout. */
  wants: 'PICKUP' | 'COURIER' | 'CHEAPEST';
  cancelAfterMs: number | null;
  backorder: boolean;
  channel: string;
}

type SimEvent =
  | { at: number; kind: 'order'; spec: OrderSpec }
  | { at: number; kind: 'cancel'; spec: OrderSpec }
  | { at: number; kind: 'wave'; final: boolean }
  | { at: number; kind: 'flush' };

const KIND_ORDER = { flush: 0, cancel: 1, wave: 2, order: 3 } as const;

/**
 * Plays `count` orders over the last `days` days (see the module comment). Needs a ManualClock;
 * the clock ends at the real time it was started with. Stock that runs out is received (a
 * restock purchase order), never oversold. Backorders only use SKUs no warehouse stocks, so they
 * stay BACKORDERED (the backorder allocator has nothing to give them).
 */
export async function seedOrderHistory(ctx: ServiceContext, buyers: readonly DemoBuyer[], skus: readonly string[], opts: OrderHistoryOptions = {}): Promise<OrderHistoryResult> {
  const out: OrderHistoryResult = { created: 0, skipped: 0, byStatus: {}, shipments: 0, trackingEvents: 0, restockedUnits: 0, pickLists: 0, failures: [] };
  const existing = Object.values(await orderCountsByExternalIdPrefix(ctx, DEMO_ORDER_PREFIX)).reduce((a, n) => a + n, 0);
  if (existing > 0) {
    out.skipped = existing;
    return out;
  }
  const clock = opts.clock ?? (ctx.clock instanceof ManualClock ? ctx.clock : null);
  if (!clock) throw new Error('seedOrderHistory needs a ManualClock (pass opts.clock, or build the app with one)');
  const log = opts.progress ?? (() => {});
  const count = opts.count ?? 400;
  const days = opts.days ?? 90;
  const end = clock.now();
  const start = new Date(end.getTime() - days * 86_400_000);

  // What is stocked: orders use stocked SKUs; backorders the ones no warehouse holds.
  const variants = new Map<string, Awaited<ReturnType<typeof variantsBySkus>>[number]>();
  for (let i = 0; i < skus.length; i += 500) for (const v of await variantsBySkus(ctx, skus.slice(i, i + 500))) variants.set(v.sku, v);
  const allWarehouses = await listAllWarehouses(ctx);
  const codeOf = new Map(allWarehouses.map((w) => [w.id, w.code]));
  // SKU -> codes of the warehouses holding it, in code order (a restock goes to the first when the nearest holds none).
  const stockedIn = new Map<string, string[]>();
  const variantList = [...variants.values()];
  for (let i = 0; i < variantList.length; i += 500) {
    const chunk = variantList.slice(i, i + 500);
    const holding = await warehousesHolding(ctx, chunk.map((v) => v.id));
    for (const v of chunk) {
      const ids = holding.get(v.id);
      if (ids?.length) stockedIn.set(v.sku, ids.map((id) => codeOf.get(id)!).sort());
    }
  }
  const stocked = skus.filter((s) => stockedIn.has(s) && variants.has(s));
  const unstocked = skus.filter((s) => !stockedIn.has(s) && variants.has(s));
  if (!stocked.length || !buyers.length) return out;
  const byId = new Map([...variants.values()].map((v) => [v.id, v]));
  const warehouses = allWarehouses.filter((w) => w.isActive);

  // Popularity: a Pareto-like head over a fixed shuffle of the stocked SKUs.
  const rp = prng(SEED ^ 0x1234567);
  const ranked = [...stocked];
  for (let i = ranked.length - 1; i > 0; i--) {
    const j = Math.floor(rp.next() * (i + 1));
    [ranked[i], ranked[j]] = [ranked[j]!, ranked[i]!];
  }
  const cumulative: number[] = [];
  ranked.reduce((acc, _, i) => (cumulative[i] = acc + 1 / (i + 1) ** 0.9), 0);
  const popular = (r: Prng) => {
    const x = r.next() * cumulative[cumulative.length - 1]!;
    let lo = 0;
    for (let hi = cumulative.length - 1; lo < hi; ) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    return ranked[lo]!;
  };

  // The plan: every order's time, buyer, address, cart and fate, from its index alone.
  const specs: OrderSpec[] = [];
  const spanMs = end.getTime() - start.getTime() - 2 * HOUR;
  const HOURLY = [1, 0.5, 0.3, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 2.6, 3, 3.2, 3.3, 3.2, 3.1, 3, 3, 3.2, 3.5, 3.9, 4.2, 3.9, 3, 1.8];
  for (let i = 0; i < count; i++) {
    const r = prng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
    // Day: a mild growth over the window; hour: the evening peak of online shopping (Moscow time).
    const frac = r.next() < 0.5 ? r.next() : Math.sqrt(r.next());
    const day = Math.floor(frac * (spanMs / 86_400_000));
    const hour = weighted(r, HOURLY.map((w, h) => ({ weight: w, h }))).h + r.next();
    const at = atMsk(mskDate(new Date(start.getTime() + day * 86_400_000)), hour);
    if (at.getTime() >= end.getTime() - 5 * 60_000 || at < start) continue;
    const city = weighted(r, DEMO_CITIES);
    const buyer = buyers[i % 7 === 0 ? 0 : r.int(0, buyers.length - 1)]!;
    const backorder = unstocked.length > 0 && r.next() < 0.015;
    const nLines = r.next() < 0.6 ? 1 : r.next() < 0.75 ? 2 : 3;
    const cart = new Map<string, number>();
    for (let l = 0; l < nLines; l++) {
      const sku = backorder ? r.pick(unstocked) : popular(r);
      cart.set(sku, (cart.get(sku) ?? 0) + (r.next() < 0.85 ? 1 : 2));
    }
    const x = r.next();
    specs.push({
      index: i,
      externalId: `${DEMO_ORDER_PREFIX}${String(i + 1).padStart(6, '0')}`,
      at,
      city,
      buyer,
      address: demoAddress(r, city, buyer.name ?? null, buyer.phone ?? null),
      lines: [...cart].map(([sku, quantity]) => ({ sku, quantity })),
      wants: x < 0.5 ? 'PICKUP' : x < 0.85 ? 'COURIER' : 'CHEAPEST',
      cancelAfterMs: r.next() < 0.05 ? Math.round((10 + r.next() * 110) * 60_000) : null,
      backorder,
      channel: r.next() < 0.7 ? 'web' : 'mobile-app',
    });
  }

  // Shoppers with stable tastes, baskets of things bought together (see shapeCarts).
  const products = await productsByIds(ctx, [...new Set(stocked.map((s) => variants.get(s)!.productId))]);
  const categoryOfProduct = new Map(products.map((p) => [p.id, p.category ?? '']));
  shapeCarts(
    specs,
    ranked.map((sku) => ({ sku, productId: variants.get(sku)!.productId, category: categoryOfProduct.get(variants.get(sku)!.productId) ?? '' })),
  );

  const timeline: SimEvent[] = [];
  for (const s of specs) {
    timeline.push({ at: s.at.getTime(), kind: 'order', spec: s });
    if (s.cancelAfterMs) timeline.push({ at: s.at.getTime() + s.cancelAfterMs, kind: 'cancel', spec: s });
  }
  const waves: number[] = [];
  for (let d = mskDate(start); d <= mskDate(end); d = mskDate(new Date(Date.parse(`${d}T12:00:00Z`) + 86_400_000))) {
    if (isBusinessDay(d, RU_CALENDAR)) for (const h of WAVE_HOURS) waves.push(atMsk(d, h).getTime());
    // Carriers' pushes are stored once a day (late evening); the last one at the end.
    timeline.push({ at: atMsk(d, 23.5).getTime(), kind: 'flush' });
  }
  const pastWaves = waves.filter((w) => w > start.getTime() && w < end.getTime());
  // The last day's orders wait for the final wave (in progress at "now"), so some are still ALLOCATED, PICKING or PACKED.
  const hold = end.getTime() - 30 * HOUR;
  pastWaves.forEach((w, i) => {
    if (i === pastWaves.length - 1) timeline.push({ at: w, kind: 'wave', final: true });
    else if (w <= hold) timeline.push({ at: w, kind: 'wave', final: false });
  });
  timeline.push({ at: end.getTime(), kind: 'flush' });
  const sorted = timeline.filter((e) => e.at <= end.getTime()).sort((a, b) => a.at - b.at || KIND_ORDER[a.kind] - KIND_ORDER[b.kind]);

  const orderIdOf = new Map<string, string>();
  const specOf = new Map<string, OrderSpec>();
  const pending: (TrackingEventInput & { carrierCode: string })[] = [];
  let restockSeq = 0;
  const cat = await carrierCatalog(ctx);
  let lastLog = Date.now();
  const spent: Record<string, number> = {};
  const timed = async <T>(k: string, f: () => Promise<T>): Promise<T> => {
    const t0 = performance.now();
    try {
      return await f();
    } finally {
      spent[k] = (spent[k] ?? 0) + performance.now() - t0;
    }
  };

  const restock = async (sku: string, short: number, city: DemoCity) => {
    const holders = stockedIn.get(sku) ?? ['MSK1'];
    const nearest = city.name === 'Санкт-Петербург' ? 'SPB1' : city.name === 'Казань' ? 'KZN1' : 'MSK1';
    const code = holders.includes(nearest) ? nearest : holders[0]!;
    const quantity = Math.max(40, short + 20);
    const reference = `PO-RESTOCK-${String(++restockSeq).padStart(4, '0')}`;
    await receiveInventory(ctx, { warehouseCode: code, reference, lines: [{ sku, quantity }] });
    out.restockedUnits += quantity;
  };

  const chooseOption = (spec: OrderSpec, options: DeliveryOptionView[], r: Prng): DeliveryOptionView[] => {
    const bySvc = (codes: { code: string; weight: number }[]) => {
      const present = codes.filter((c) => options.some((o) => o.service.code === c.code));
      if (!present.length) return [];
      const code = weighted(r, present).code;
      return options.filter((o) => o.service.code === code);
    };
    let picked: DeliveryOptionView[] = [];
    if (spec.wants === 'PICKUP') picked = bySvc([{ code: 'CDEK_PVZ', weight: 45 }, { code: 'BOXBERRY_PVZ', weight: 35 }, { code: 'RUSSIAN_POST_PARCEL', weight: 20 }]);
    else if (spec.wants === 'COURIER') {
      picked = bySvc(
        spec.city.region === 'Москва'
          ? [{ code: 'OWN_SAME_DAY', weight: 20 }, { code: 'OWN_NEXT_DAY', weight: 35 }, { code: 'CDEK_COURIER', weight: 30 }, { code: 'BOXBERRY_COURIER', weight: 10 }, { code: 'RUSSIAN_POST_EMS', weight: 5 }]
          : [{ code: 'CDEK_COURIER', weight: 55 }, { code: 'BOXBERRY_COURIER', weight: 25 }, { code: 'RUSSIAN_POST_EMS', weight: 20 }],
      );
    }
    // Then anything else, cheapest first (the list is sorted by price).
    return [...picked, ...options.filter((o) => !picked.includes(o))];
  };

  const placeOrder = async (spec: OrderSpec) => {
    const r = prng(seedOf(spec.externalId));
    let options: DeliveryOptionView[] = [];
    try {
      options = await timed('options', () => deliveryOptions(ctx, { destination: spec.address, lines: spec.lines, currency: 'RUB' }));
    } catch (err) {
      if (!(err instanceof BusinessError)) throw err;
    }
    const candidates = chooseOption(spec, options, r).slice(0, 4);
    const base: OrderCreateInput = {
      idempotencyKey: spec.externalId,
      externalId: spec.externalId,
      channel: spec.channel,
      customer: { email: spec.buyer.email, name: spec.buyer.name ?? null, phone: spec.buyer.phone ?? null, locale: spec.buyer.locale ?? null },
      shippingAddress: spec.address,
      lines: spec.lines,
      currency: 'RUB',
      allowBackorder: spec.backorder,
    };
    for (let attempt = 0; attempt < 6; attempt++) {
      const option = candidates[0];
      try {
        const { order } = await createOrder(ctx, option ? { ...base, deliveryOptionId: option.id } : { ...base, deliveryType: 'COURIER' });
        orderIdOf.set(spec.externalId, order.id);
        specOf.set(order.id, spec);
        out.created++;
        return;
      } catch (err) {
        if (!(err instanceof BusinessError)) throw err;
        const codes = err.errors.map((e) => e.code);
        if (codes.includes('INSUFFICIENT_STOCK')) {
          for (const e of err.errors) {
            const idx = Number(e.field?.[2]);
            const line = Number.isInteger(idx) ? spec.lines[idx] : undefined;
            if (line) await restock(line.sku, line.quantity, spec.city);
          }
        } else if (codes.includes('PICKUP_POINT_FULL') || codes.includes('DELIVERY_OPTION_EXPIRED')) {
          candidates.shift();
        } else {
          out.failures.push(`${spec.externalId}: ${err.message}`);
          return;
        }
      }
    }
    out.failures.push(`${spec.externalId}: gave up after retries`);
  };

  const shipTimeline = (s: ShipmentRow, wh: WarehouseRow, spec: OrderSpec) => {
    const service = cat.serviceById.get(s.serviceId)!;
    const events = parcelTimeline(
      {
        carrierCode: service.carrier.code,
        deliveryType: service.deliveryType,
        transitDaysMin: service.transitDaysMin,
        transitDaysMax: service.transitDaysMax,
        shippedAt: s.createdAt,
        originCity: wh.address.city,
        destinationCity: s.destinationCity ?? spec.city.name,
      },
      prng(seedOf(`${spec.externalId}:${wh.code}`)),
    );
    events.forEach((e, n) =>
      pending.push({
        carrierCode: service.carrier.code,
        trackingNumber: s.trackingNumber,
        // The carrier's own event id: stable per order, warehouse and step (a replay is a duplicate).
        externalEventId: `seed:${spec.externalId}:${wh.code}:${n + 1}`,
        ...e,
      }),
    );
  };

  /**
   * Scans every line of the list over `walkMs` of the clock: the walk to the first bin, then a scan
   * every 45 seconds at most (so the scan log has picking sessions: unitsPickedPerHour), in all
   * `walkMs` as before.
   */
  const pickAll = async (listId: string, walkMs = 0) => {
    const lines = await pickListLinesOf(ctx, [listId]);
    const gtins = new Map((await variantsByIds(ctx, [...new Set(lines.map((l) => l.variantId))])).map((v) => [v.id, v.gtin!]));
    const bins = new Map((await binsByIds(ctx, [...new Set(lines.map((l) => l.binId))])).map((b) => [b.id, b.barcode]));
    const step = lines.length ? Math.min(45_000, Math.floor(walkMs / lines.length)) : 0;
    const first = walkMs - step * Math.max(0, lines.length - 1);
    for (const [i, l] of lines.entries()) {
      clock.advance(i === 0 ? first : step);
      await scanPick(ctx, { pickListId: listId, binBarcode: bins.get(l.binId)!, itemBarcode: gtins.get(l.variantId)!, quantity: l.quantity });
    }
    if (!lines.length) clock.advance(walkMs);
  };

  const pack = async (foId: string) => {
    const lines = await fulfillmentLinesByFoIds(ctx, [foId]);
    const items = lines.map((l) => {
      const v = byId.get(l.variantId)!;
      return { v, quantity: l.pickedQuantity };
    });
    const parcel = estimateParcel(items.map(({ v, quantity }) => ({ weightGrams: v.weightGrams, lengthMm: v.lengthMm, widthMm: v.widthMm, heightMm: v.heightMm, quantity })));
    await packFulfillmentOrder(ctx, {
      fulfillmentOrderId: foId,
      scannedBarcodes: items.flatMap(({ v, quantity }) => Array.from({ length: quantity }, () => v.gtin!)),
      // The scale reads a little under or over the estimate (filler, tape).
      weightGrams: Math.max(1, Math.round(parcel.weightGrams * (0.97 + ((seedOf(foId) % 60) / 1000)))),
      dimensions: { lengthMm: parcel.lengthMm, widthMm: parcel.widthMm, heightMm: parcel.heightMm },
    });
  };

  const openCount = (wh: WarehouseRow) => countFulfillmentOrders(ctx, wh.id, 'OPEN');

  const wave = async (final: boolean) => {
    for (const wh of warehouses) {
      if (final) {
        // The wave in progress at "now": part picked and packed (PACKED), part on a list not yet
        // walked (PICKING), the newest still waiting (ALLOCATED).
        const open = await openCount(wh);
        if (!open) continue;
        const packedList = await createPickList(ctx, { warehouseCode: wh.code, maxOrders: Math.min(200, Math.max(1, Math.ceil(open * 0.35))) });
        out.pickLists++;
        await pickAll(packedList.id);
        for (const { fo } of await pickListOrdersOf(ctx, [packedList.id])) {
          if (fo.status !== 'PICKED') continue;
          await pack(fo.id);
          // Half of them already have a label and wait for today's pick-up (LABEL_CREATED, no
          // carrier event yet): the parcels the store's own couriers route with routePlanCreate.
          if (seedOf(fo.id) % 2 === 0) {
            try {
              await createShipment(ctx, { fulfillmentOrderId: fo.id });
              out.shipments++;
            } catch (err) {
              if (!(err instanceof BusinessError)) throw err;
              out.failures.push(`ship ${fo.id}: ${err.message}`);
            }
          }
        }
        if (open > 2) {
          await createPickList(ctx, { warehouseCode: wh.code, maxOrders: Math.min(200, Math.max(1, Math.floor(open * 0.3))) });
          out.pickLists++;
        }
        continue;
      }
      for (;;) {
        let listId: string;
        try {
          listId = (await timed('list', () => createPickList(ctx, { warehouseCode: wh.code, maxOrders: 200 }))).id;
        } catch (err) {
          if (err instanceof BusinessError && err.errors[0]?.code === 'NOTHING_TO_PICK') break;
          if (err instanceof BusinessError) {
            out.failures.push(`wave ${wh.code} ${clock.now().toISOString()}: ${err.message}`);
            break;
          }
          throw err;
        }
        out.pickLists++;
        await timed('scan', () => pickAll(listId, 20 * 60_000)); // the walk
        const fos = (await pickListOrdersOf(ctx, [listId])).map((x) => x.fo).filter((fo) => fo.status === 'PICKED');
        for (const fo of fos) await timed('pack', () => pack(fo.id));
        clock.advance(15 * 60_000); // packing, then the carriers' pick-up
        for (const fo of fos) {
          const spec = specOf.get(fo.orderId);
          try {
            const s = await timed('ship', () => createShipment(ctx, { fulfillmentOrderId: fo.id }));
            out.shipments++;
            if (spec) shipTimeline(s, wh, spec);
          } catch (err) {
            if (!(err instanceof BusinessError)) throw err;
            out.failures.push(`ship ${spec?.externalId ?? fo.id}: ${err.message}`);
          }
        }
      }
    }
  };

  const flush = async () => {
    const now = clock.now().getTime();
    const due = pending.filter((e) => e.occurredAt.getTime() <= now);
    if (!due.length) return;
    const left = pending.filter((e) => e.occurredAt.getTime() > now);
    pending.length = 0;
    pending.push(...left);
    const byCarrier = new Map<string, TrackingEventInput[]>();
    for (const { carrierCode, ...e } of due.sort((a, b) => +a.occurredAt - +b.occurredAt)) byCarrier.set(carrierCode, [...(byCarrier.get(carrierCode) ?? []), e]);
    for (const [carrierCode, events] of [...byCarrier].sort(([a], [b]) => a.localeCompare(b))) {
      for (let i = 0; i < events.length; i += 1000) {
        const r = await ingestTrackingEvents(ctx, { carrierCode, events: events.slice(i, i + 1000) });
        out.trackingEvents += r.accepted;
      }
    }
  };

  for (const [i, e] of sorted.entries()) {
    clock.set(new Date(e.at));
    const t0 = performance.now();
    if (e.kind === 'order') await placeOrder(e.spec);
    else if (e.kind === 'cancel') {
      const id = orderIdOf.get(e.spec.externalId);
      const [o] = id ? await ordersByIds(ctx, [id]) : [];
      // Buyers cancel before the warehouse starts on the order; later, it is on its way.
      if (o && (o.status === 'ALLOCATED' || o.status === 'BACKORDERED')) await cancelOrder(ctx, { orderId: o.id, reason: 'Покупатель отменил заказ' });
    } else if (e.kind === 'wave') await wave(e.final);
    else await flush();
    spent[e.kind] = (spent[e.kind] ?? 0) + performance.now() - t0;
    if (Date.now() - lastLog > 10_000) {
      lastLog = Date.now();
      log(`  ${mskDate(clock.now())}: ${out.created} orders, ${out.shipments} shipments (${Math.round((100 * i) / sorted.length)}%) ${JSON.stringify(Object.fromEntries(Object.entries(spent).map(([k, v]) => [k, Math.round(v)])))}`);
    }
  }
  clock.set(end);

  await backdateDemoHistory(ctx);

  out.byStatus = await orderCountsByExternalIdPrefix(ctx, DEMO_ORDER_PREFIX);
  return out;
}

/**
 * Demo data only: aligns the created_at columns that the services leave to the database's now()
 * default with the ManualClock the history was played on. Times the services take from ctx.clock
 * (the history rows of orders, fulfillment orders and pick lists, inventory movements, shipments,
 * tracking events' occurred_at, pack and delivery times) already follow it; these do not:
 * orders and fulfillment orders (inserted by the order intake's single CTE statement), pick lists,
 * and tracking events' created_at (the time the platform stored the carrier's event). Giving
 * those inserts the service clock would change the orders, picking and tracking modules' writes
 * (and the intake's fast path), which is outside the seed; until then this is the one place that
 * rewrites them, each from its own history row 1 (its `begin`), so a row's created_at and its
 * timeline agree. Only the demo history (DEMO- orders and what belongs to them) is touched.
 */
async function backdateDemoHistory(ctx: ServiceContext): Promise<void> {
  const demo = `${DEMO_ORDER_PREFIX}%`;
  await ctx.database.rows(sql`
    update orders o set created_at = e.occurred_at from order_events e
    where e.order_id = o.id and e.sequence = 1 and o.external_id like ${demo} and o.created_at <> e.occurred_at`);
  await ctx.database.rows(sql`
    update fulfillment_orders f set created_at = e.occurred_at from fulfillment_order_events e, orders o
    where e.fulfillment_order_id = f.id and e.sequence = 1 and o.id = f.order_id and o.external_id like ${demo} and f.created_at <> e.occurred_at`);
  await ctx.database.rows(sql`
    update pick_lists p set created_at = e.occurred_at from pick_list_events e
    where e.pick_list_id = p.id and e.sequence = 1 and p.created_at <> e.occurred_at
      and exists (select 1 from pick_list_orders x join fulfillment_orders f on f.id = x.fulfillment_order_id join orders o on o.id = f.order_id where x.pick_list_id = p.id and o.external_id like ${demo})`);
  await ctx.database.rows(sql`
    update tracking_events t set created_at = t.occurred_at + interval '3 minutes'
    from shipments s join orders o on o.id = s.order_id
    where t.shipment_id = s.id and o.external_id like ${demo} and t.created_at > t.occurred_at + interval '1 day'`);
}
