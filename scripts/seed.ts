/**
 * `npm run seed`: loads a demo store (catalog, customers, three warehouses with bins, stock and
 * 60 days of pick history) into the configured database
 * through the services, so every business rule applies. Deterministic (seeded PRNG: product i
 * and customer i depend on i only) and idempotent: existing SKUs and e-mails are skipped, so a
 * second run creates nothing (warehouses are skipped by code). Carriers, pickup points and 90 days of
 * order history come from ./seed-shipping.ts (`npm run seed -- --orders N` for more or fewer orders),
 * returns over the delivered orders from ./seed-returns.ts.
 * With PGlite (DATABASE_URL unset or file:) stop the server first: its data directory is single-process.
 */
import { isMain, withScriptApp } from './lib/script-app.js';
import { createProduct, variantsBySkus, type ProductCreateInput } from '../src/modules/catalog/catalog.service.js';
import { createCustomer, listCustomers, normalizeEmail, type CustomerCreateInput } from '../src/modules/customers/customer.service.js';
import { receiveInventory } from '../src/modules/inventory/inbound.service.js';
import { recordPicks } from '../src/modules/inventory/ledger.service.js';
import type { MovementRow } from '../src/modules/inventory/inventory.table.js';
import {
  createBinGrid,
  createWarehouse,
  createZone,
  warehouseByCode,
  type AddressData,
  type BinGridInput,
  type ZoneKindValue,
} from '../src/modules/warehouse/warehouse.service.js';
import { withCheckDigit } from '../src/shared/gs1.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { prng } from './lib/prng.js';
import { DEMO_ORDER_PREFIX, seedCarriers, seedOrderHistory, seedPickupPoints, type OrderHistoryOptions } from './seed-shipping.js';
import { seedReturnHistory, type ReturnsSeedApi } from './seed-returns.js';
import { RETURNS_SEED_API } from './seed-returns-api.js';
import { seedSupportHistory } from './seed-support.js';
import { seedPlanning, type PlanningSeedOptions } from './seed-planning.js';
import { seedKnowledge } from './seed-knowledge.js';
import { loadCostModel, updateCostModel } from '../src/modules/metrics/cost-model.service.js';
import { money } from '../src/shared/money.js';
import { carrierPerformance } from '../src/modules/tracking/tracking.service.js';
import { ManualClock } from '../src/shared/clock.js';

interface CategorySpec {
  path: string;
  code: string;
  /** Titles of products; `{b}` is replaced by a brand. */
  titles: readonly string[];
  brands: readonly string[];
  /** Variant axis: labels a variant title is made of. */
  options: readonly string[];
  /** Options of particular titles, where the category's axis does not fit. */
  titleOptions?: Readonly<Record<string, readonly string[]>>;
  /** Price uplift per step along the axis (bigger size, volume, edition). */
  priceStep: number;
  minVariants: number;
  maxVariants: number;
  /** Price range in whole roubles; stored in kopecks. */
  rub: [number, number];
  grams: [number, number];
  /** Box length/width/height ranges in mm. */
  box: [[number, number], [number, number], [number, number]];
  description: string;
}

const CATEGORIES: readonly CategorySpec[] = [
  {
    path: 'apparel/shoes',
    priceStep: 0,
    code: 'SHO',
    titles: ['Кроссовки беговые {b}', 'Кеды городские {b}', 'Ботинки зимние {b}', '{b} Trail Runner', 'Сандалии {b}', '{b} Court Classic', 'Челси кожаные {b}'],
    brands: ['Nike', 'Adidas', 'Asics', 'Puma', 'Ralf Ringer', 'Ekonika', 'New Balance'],
    options: ['38', '39', '40', '41', '42', '43', '44', '45'],
    minVariants: 2,
    maxVariants: 4,
    rub: [2990, 15990],
    grams: [450, 1400],
    box: [[300, 360], [190, 230], [100, 140]],
    description: 'Обувь для города и спорта. Размеры по российской сетке.',
  },
  {
    path: 'apparel/outerwear',
    priceStep: 0,
    code: 'OUT',
    titles: ['Куртка пуховая {b}', 'Парка зимняя {b}', 'Ветровка {b}', '{b} Rain Jacket', 'Пальто шерстяное {b}', 'Жилет утеплённый {b}'],
    brands: ['Finn Flare', 'Baon', 'Columbia', 'The North Face', 'Zarina', 'Gloria Jeans'],
    options: ['XS', 'S', 'M', 'L', 'XL', 'XXL'],
    minVariants: 2,
    maxVariants: 4,
    rub: [3490, 24990],
    grams: [400, 1800],
    box: [[350, 450], [250, 350], [60, 150]],
    description: 'Верхняя одежда на межсезонье и зиму.',
  },
  {
    path: 'electronics/audio',
    priceStep: 0,
    code: 'AUD',
    titles: ['Наушники беспроводные {b}', 'Колонка портативная {b}', '{b} True Wireless Earbuds', 'Саундбар {b}', 'Наушники накладные {b}', '{b} Studio Monitor'],
    brands: ['Sony', 'JBL', 'Marshall', 'Яндекс', 'Sennheiser', 'Xiaomi', 'Edifier'],
    options: ['Чёрный', 'Белый', 'Синий', 'Graphite', 'Sand'],
    minVariants: 1,
    maxVariants: 3,
    rub: [1990, 39990],
    grams: [60, 2500],
    box: [[90, 900], [80, 200], [40, 150]],
    description: 'Аудиотехника с гарантией производителя.',
  },
  {
    path: 'home/kitchen',
    priceStep: 0.15,
    code: 'KIT',
    titles: ['Сковорода антипригарная {b}', 'Чайник электрический {b}', 'Набор ножей {b}', '{b} French Press', 'Кастрюля с крышкой {b}', 'Блендер погружной {b}', 'Термокружка {b}'],
    brands: ['Tefal', 'Redmond', 'Polaris', 'Bork', 'Fissman', 'Kitchen Aid'],
    options: ['Белый', 'Чёрный', 'Сталь'],
    titleOptions: {
      'Сковорода антипригарная {b}': ['20 см', '24 см', '26 см', '28 см'],
      'Кастрюля с крышкой {b}': ['1,5 л', '3 л', '5 л'],
      'Набор ножей {b}': ['3 предмета', '5 предметов', '7 предметов'],
      '{b} French Press': ['0,35 л', '0,6 л', '1 л'],
      'Термокружка {b}': ['0,35 л', '0,47 л'],
    },
    minVariants: 1,
    maxVariants: 3,
    rub: [690, 12990],
    grams: [200, 3200],
    box: [[150, 500], [120, 320], [80, 250]],
    description: 'Посуда и техника для кухни.',
  },
  {
    path: 'sports/outdoor',
    priceStep: 0.2,
    code: 'SPO',
    titles: ['Палатка туристическая {b}', 'Рюкзак трекинговый {b}', 'Спальный мешок {b}', '{b} Trekking Poles', 'Коврик туристический {b}', 'Термос {b}'],
    brands: ['Tramp', 'Salomon', 'Red Fox', 'Deuter', 'Outventure', 'Stanley'],
    options: ['Olive', 'Orange', 'Graphite'],
    titleOptions: {
      'Палатка туристическая {b}': ['2-местная', '3-местная', '4-местная'],
      'Рюкзак трекинговый {b}': ['30 л', '40 л', '60 л'],
      'Спальный мешок {b}': ['Левая молния', 'Правая молния'],
      'Термос {b}': ['0,5 л', '0,75 л', '1 л'],
    },
    minVariants: 1,
    maxVariants: 3,
    rub: [990, 29990],
    grams: [300, 5500],
    box: [[250, 700], [150, 350], [100, 300]],
    description: 'Снаряжение для походов и активного отдыха.',
  },
  {
    path: 'beauty/skincare',
    priceStep: 0.6,
    code: 'BEA',
    titles: ['Крем для лица увлажняющий {b}', 'Сыворотка с витамином C {b}', 'Пенка для умывания {b}', '{b} SPF 50 Sunscreen', 'Маска тканевая {b}', 'Бальзам для губ {b}'],
    brands: ['Natura Siberica', 'La Roche-Posay', 'Librederm', 'Vichy', 'Bioderma', 'Чистая линия'],
    options: ['15 мл', '30 мл', '50 мл', '100 мл', '200 мл'],
    minVariants: 1,
    maxVariants: 3,
    rub: [249, 4990],
    grams: [30, 450],
    box: [[50, 180], [40, 80], [30, 80]],
    description: 'Уход за кожей лица и тела.',
  },
  {
    path: 'toys',
    priceStep: 0.25,
    code: 'TOY',
    titles: ['Конструктор {b} City', 'Мягкая игрушка Медведь {b}', 'Настольная игра {b}', '{b} Puzzle 1000', 'Машинка радиоуправляемая {b}', 'Кукла {b}'],
    brands: ['LEGO', 'Hasbro', 'Мир Хобби', 'Ravensburger', 'Полесье', 'Budi Basa'],
    options: ['3+', '6+', '8+', 'Стандарт', 'Подарочная упаковка'],
    minVariants: 1,
    maxVariants: 2,
    rub: [390, 14990],
    grams: [150, 2500],
    box: [[150, 550], [100, 400], [50, 150]],
    description: 'Игрушки и игры для детей и взрослых.',
  },
  {
    path: 'books',
    priceStep: 0.3,
    code: 'BOO',
    titles: [
      'Мастер и Маргарита — М. Булгаков',
      'Преступление и наказание — Ф. Достоевский',
      'Clean Code — R. C. Martin',
      'Designing Data-Intensive Applications — M. Kleppmann',
      'Война и мир — Л. Толстой',
      'Пикник на обочине — А. и Б. Стругацкие',
      'The Pragmatic Programmer — D. Thomas, A. Hunt',
      'Евгений Онегин — А. Пушкин',
    ],
    brands: ['АСТ', 'Эксмо', 'Питер', 'МИФ', 'Азбука'],
    options: ['Твёрдый переплёт', 'Мягкая обложка', 'Подарочное издание'],
    minVariants: 1,
    maxVariants: 3,
    rub: [299, 3490],
    grams: [250, 1200],
    box: [[180, 250], [120, 170], [15, 60]],
    description: 'Книги: классика и профессиональная литература.',
  },
];

const SEED = 0x5eed2024;
export const DEMO_PRODUCT_COUNT = 120;

/** The deterministic input of demo product `i` (0-based); the same `i` always gives the same product. */
export function demoProduct(i: number): ProductCreateInput {
  const r = prng(SEED ^ Math.imul(i + 1, 0x9e3779b1));
  const cat = CATEGORIES[i % CATEGORIES.length]!;
  const brand = r.pick(cat.brands);
  const base = r.pick(cat.titles);
  // Book titles name the author; the publisher goes into the variant title.
  const title = base.replace('{b}', brand);
  const axis = cat.titleOptions?.[base] ?? cat.options;
  const options = r.some(axis, r.int(cat.minVariants, cat.maxVariants));
  const basePrice = r.int(cat.rub[0], cat.rub[1]);
  const grams = r.int(cat.grams[0], cat.grams[1]);
  const dims = cat.box.map(([lo, hi]) => r.int(lo, hi)) as [number, number, number];
  return {
    title,
    description: cat.description,
    category: cat.path,
    variants: options.map((opt, v) => {
      // Prices end in 90 roubles like on a real price tag; a bigger option costs more where that is usual.
      const rub = Math.max(cat.rub[0], Math.round((basePrice * (1 + axis.indexOf(opt) * cat.priceStep)) / 100) * 100 - 10);
      return {
        sku: `WB-${cat.code}-${String(i + 1).padStart(4, '0')}-${v + 1}`,
        // GS1 Russia prefixes are 460-469; 461-469 here keeps clear of the test factories' 460 range.
        gtin: withCheckDigit(`46${1 + (i % 9)}${String(i + 1).padStart(5, '0')}${String(v + 1).padStart(4, '0')}`),
        title: cat.path === 'books' ? `${opt}, ${brand}` : opt,
        price: { amountMinor: rub * 100, currency: 'RUB' },
        weightGrams: Math.round(grams * (1 + v * 0.05)),
        dimensions: { lengthMm: dims[0], widthMm: dims[1], heightMm: dims[2] },
      };
    }),
  };
}

const RU_FIRST = ['Анна', 'Иван', 'Мария', 'Дмитрий', 'Елена', 'Алексей', 'Ольга', 'Сергей', 'Наталья', 'Михаил', 'Татьяна', 'Андрей'];
const RU_LAST = ['Иванов', 'Смирнов', 'Кузнецов', 'Попов', 'Соколов', 'Лебедев', 'Козлов', 'Новиков', 'Морозов', 'Волков'];
const RU_LATIN: Record<string, string> = {
  Анна: 'anna', Иван: 'ivan', Мария: 'maria', Дмитрий: 'dmitry', Елена: 'elena', Алексей: 'alexey', Ольга: 'olga', Сергей: 'sergey',
  Наталья: 'natalya', Михаил: 'mikhail', Татьяна: 'tatiana', Андрей: 'andrey', Иванов: 'ivanov', Смирнов: 'smirnov',
  Кузнецов: 'kuznetsov', Попов: 'popov', Соколов: 'sokolov', Лебедев: 'lebedev', Козлов: 'kozlov', Новиков: 'novikov',
  Морозов: 'morozov', Волков: 'volkov',
};
const FEMALE = new Set(['Анна', 'Мария', 'Елена', 'Ольга', 'Наталья', 'Татьяна']);
const EN_FIRST = ['Emma', 'James', 'Olivia', 'Liam', 'Sophie', 'Noah', 'Grace', 'Oliver'];
const EN_LAST = ['Smith', 'Brown', 'Taylor', 'Wilson', 'Clarke', 'Walker', 'Wright', 'Hughes'];
const DOMAINS = ['example.ru', 'example.com', 'mail.example.org'];

export const DEMO_CUSTOMER = { email: 'demo@waybill.dev', password: 'demo-password' } as const;
export const DEMO_CUSTOMER_COUNT = 50;

/** The deterministic input of demo customer `i`; customer 0 is the demo login, every 4th has a password. */
export function demoCustomer(i: number): CustomerCreateInput {
  if (i === 0) return { email: DEMO_CUSTOMER.email, name: 'Демо Покупатель', locale: 'ru', password: DEMO_CUSTOMER.password, phone: '+7 900 000-00-00' };
  const r = prng(SEED ^ Math.imul(i + 1, 0x85ebca6b));
  const password = i % 4 === 0 ? `password-${i}` : null;
  if (i % 3 === 0) {
    const phone = `+44 7${r.int(100, 999)} ${r.int(100000, 999999)}`;
    const first = r.pick(EN_FIRST);
    const last = r.pick(EN_LAST);
    return { email: `${first}.${last}.${i}@${r.pick(DOMAINS)}`.toLowerCase(), name: `${first} ${last}`, locale: i % 2 ? 'en' : 'en-GB', phone, password };
  }
  const phone = `+7 9${r.int(10, 99)} ${r.int(100, 999)}-${r.int(10, 99)}-${r.int(10, 99)}`;
  const first = r.pick(RU_FIRST);
  const lastM = r.pick(RU_LAST);
  const last = FEMALE.has(first) ? `${lastM}а` : lastM;
  return { email: `${RU_LATIN[first]}.${RU_LATIN[lastM]}${i}@${r.pick(DOMAINS)}`, name: `${first} ${last}`, locale: 'ru', phone, password };
}

export interface SeedCounts {
  created: number;
  skipped: number;
}

/** Creates demo products 0..count-1 whose SKUs do not exist yet. Returns products created and skipped. */
export async function seedCatalog(ctx: ServiceContext, opts: { products?: number } = {}): Promise<SeedCounts & { variants: number }> {
  const inputs = Array.from({ length: opts.products ?? DEMO_PRODUCT_COUNT }, (_, i) => demoProduct(i));
  const existing = new Set<string>();
  const allSkus = inputs.flatMap((p) => p.variants.map((v) => v.sku));
  for (let i = 0; i < allSkus.length; i += 500) {
    for (const row of await variantsBySkus(ctx, allSkus.slice(i, i + 500))) existing.add(row.sku);
  }
  const out = { created: 0, skipped: 0, variants: 0 };
  for (const input of inputs) {
    if (input.variants.some((v) => existing.has(v.sku))) {
      out.skipped++;
      continue;
    }
    await createProduct(ctx, input);
    out.created++;
    out.variants += input.variants.length;
  }
  return out;
}

/** Creates demo customers 0..count-1 whose e-mails do not exist yet (needs a principal with read_customers). */
export async function seedCustomers(ctx: ServiceContext, opts: { customers?: number } = {}): Promise<SeedCounts> {
  const existing = new Set<string>();
  for (let afterId: string | null = null; ; ) {
    const page = await listCustomers(ctx, { first: 100, afterId });
    for (const c of page.items) existing.add(c.email);
    if (!page.hasNextPage || !page.items.length) break;
    afterId = page.items[page.items.length - 1]!.id;
  }
  const out = { created: 0, skipped: 0 };
  for (let i = 0; i < (opts.customers ?? DEMO_CUSTOMER_COUNT); i++) {
    const input = demoCustomer(i);
    if (existing.has(normalizeEmail(input.email))) {
      out.skipped++;
      continue;
    }
    await createCustomer(ctx, input);
    out.created++;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Warehouses, stock and pick history

export interface DemoWarehouse {
  code: string;
  name: string;
  address: AddressData;
}

export const DEMO_WAREHOUSES: readonly DemoWarehouse[] = [
  {
    code: 'MSK1',
    name: 'Москва — Подольск, фулфилмент',
    address: {
      name: 'Склад MSK1',
      line1: 'ул. Складская, д. 12, стр. 3',
      city: 'Москва',
      region: 'Москва',
      postalCode: '109316',
      countryCode: 'RU',
      phone: '+7 495 000-10-01',
      location: { lat: 55.7558, lng: 37.6173 },
    },
  },
  {
    code: 'SPB1',
    name: 'Санкт-Петербург — Шушары',
    address: {
      name: 'Склад SPB1',
      line1: 'Московское ш., д. 25, корп. 1',
      city: 'Санкт-Петербург',
      region: 'Санкт-Петербург',
      postalCode: '196626',
      countryCode: 'RU',
      phone: '+7 812 000-20-02',
      location: { lat: 59.9343, lng: 30.3351 },
    },
  },
  {
    code: 'KZN1',
    name: 'Казань — Зеленодольск',
    address: {
      name: 'Склад KZN1',
      line1: 'ул. Техническая, д. 8',
      city: 'Казань',
      region: 'Республика Татарстан',
      postalCode: '420029',
      countryCode: 'RU',
      phone: '+7 843 000-30-03',
      location: { lat: 55.7963, lng: 49.1088 },
    },
  },
];

/** Zones of every demo warehouse: distance rank 0 is next to dispatch. */
const DEMO_ZONES: readonly { code: string; name: string; kind: ZoneKindValue; distanceRank: number }[] = [
  { code: 'F', name: 'Быстрый отбор', kind: 'FAST_PICK', distanceRank: 0 },
  { code: 'P', name: 'Отбор', kind: 'PICK', distanceRank: 1 },
  { code: 'B', name: 'Паллетное хранение', kind: 'BULK', distanceRank: 2 },
  { code: 'O', name: 'Крупногабарит', kind: 'OVERSIZE', distanceRank: 3 },
  { code: 'R', name: 'Возвраты', kind: 'RETURNS', distanceRank: 4 },
  { code: 'RCV', name: 'Приёмка', kind: 'RECEIVING', distanceRank: 5 },
];

/** Bin grids per warehouse: 240 + 640 + 200 + 20 + 20 + 4 = 1,124 bins. */
const DEMO_GRIDS: readonly Omit<BinGridInput, 'warehouseCode'>[] = [
  { zoneCode: 'F', aisles: ['A', 'B'], racks: 10, levels: 3, positions: 4, capacityUnits: 50 },
  { zoneCode: 'P', aisles: ['C', 'D', 'E', 'F'], racks: 10, levels: 4, positions: 4, capacityUnits: 100 },
  { zoneCode: 'B', aisles: ['G', 'H'], racks: 10, levels: 5, positions: 2, capacityUnits: 400 },
  { zoneCode: 'O', aisles: ['OV'], racks: 5, levels: 2, positions: 2, capacityUnits: 20 },
  { zoneCode: 'R', aisles: ['RT'], racks: 5, levels: 2, positions: 2, capacityUnits: 100 },
  { zoneCode: 'RCV', aisles: ['DK'], racks: 1, levels: 1, positions: 4, capacityUnits: null },
];

export interface WarehouseSeedOptions {
  /** Pick lines of history per warehouse (default 1,500); the test uses fewer. */
  picksPerWarehouse?: number;
  /** Days of pick history before now (default 60). */
  historyDays?: number;
}

export interface WarehouseSeedResult {
  created: string[];
  skipped: string[];
  bins: number;
  receivedUnits: number;
  pickLines: number;
}

const RECEIPT_LINES = 50;
/** How long before the seed's clock time the initial stock is received (before any history). */
const RECEIPT_DAYS_AGO = 400;
const PICK_BATCH = 500;

/**
 * Creates the demo warehouses that do not exist yet (by code), each with its zones, bins, stock
 * of the seeded catalog (received through `receiveInventory`, so putaway chooses the bins) and a
 * skewed pick history. A warehouse is created in full in one run or not at all touched again.
 */
export async function seedWarehouses(ctx: ServiceContext, opts: WarehouseSeedOptions = {}): Promise<WarehouseSeedResult> {
  const out: WarehouseSeedResult = { created: [], skipped: [], bins: 0, receivedUnits: 0, pickLines: 0 };
  // The catalog as seeded (SKUs in a stable order; demo products that were not seeded are ignored).
  const allSkus = Array.from({ length: DEMO_PRODUCT_COUNT }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
  const variants = new Map<string, string>();
  for (let i = 0; i < allSkus.length; i += 500) for (const v of await variantsBySkus(ctx, allSkus.slice(i, i + 500))) variants.set(v.sku, v.id);
  const skus = allSkus.filter((s) => variants.has(s));

  for (const [w, spec] of DEMO_WAREHOUSES.entries()) {
    if (await warehouseByCode(ctx, spec.code)) {
      out.skipped.push(spec.code);
      continue;
    }
    const warehouse = await createWarehouse(ctx, spec);
    for (const z of DEMO_ZONES) await createZone(ctx, { warehouseCode: spec.code, ...z });
    for (const g of DEMO_GRIDS) out.bins += (await createBinGrid(ctx, { warehouseCode: spec.code, ...g })).length;

    const r = prng(SEED ^ Math.imul(w + 1, 0x27d4eb2f));
    // About 70% of the catalog in each warehouse, ranked by popularity (a random order per warehouse).
    const stocked = r.some(skus, Math.round(skus.length * 0.7));
    const ranked = [...stocked];
    for (let i = ranked.length - 1; i > 0; i--) {
      const j = Math.floor(r.next() * (i + 1));
      [ranked[i], ranked[j]] = [ranked[j]!, ranked[i]!];
    }
    const rank = new Map(ranked.map((s, i) => [s, i]));
    // Fast movers get deep stock; every quantity fits one BULK bin (400), so putaway never splits.
    const quantities = new Map(stocked.map((s) => [s, rank.get(s)! < 25 ? r.int(300, 400) : r.int(12, 180)]));

    // Receive in purchase orders of 50 lines without a bin: with no pick history yet every SKU is
    // class C, so putaway puts it into BULK (then PICK): the fast movers start out far from dispatch.
    // The stock arrives before the history that ships from it: with a ManualClock the receipts are
    // dated RECEIPT_DAYS_AGO days back (the ledger takes its times from ctx.clock), so the ledger's
    // past on-hand and inventory value are never negative (inventoryTurnover has a value to divide by).
    const movements: MovementRow[] = [];
    const clock = ctx.clock instanceof ManualClock ? ctx.clock : null;
    const receivedAt = clock?.now();
    if (clock && receivedAt) clock.set(new Date(receivedAt.getTime() - RECEIPT_DAYS_AGO * 86_400_000));
    try {
      for (let i = 0, po = 1; i < stocked.length; i += RECEIPT_LINES, po++) {
        const lines = stocked.slice(i, i + RECEIPT_LINES).map((sku) => ({ sku, quantity: quantities.get(sku)! }));
        movements.push(...(await receiveInventory(ctx, { warehouseCode: spec.code, reference: `PO-${spec.code}-${String(po).padStart(4, '0')}`, lines })));
        out.receivedUnits += lines.reduce((s, l) => s + l.quantity, 0);
      }
    } finally {
      if (clock && receivedAt) clock.set(receivedAt);
    }
    const binOf = new Map(movements.map((m) => [m.variantId, m.binId!]));

    // Pick history: popularity ~ 1 / (rank + 1)^1.1 (a Pareto-like head), 1 to 3 units a line,
    // never more than the bin holds; times spread uniformly over the window.
    const weights = ranked.map((_, i) => 1 / (i + 1) ** 1.1);
    const cumulative: number[] = [];
    weights.reduce((acc, x, i) => (cumulative[i] = acc + x), 0);
    const total = cumulative[cumulative.length - 1] ?? 0;
    const left = new Map(stocked.map((s) => [variants.get(s)!, quantities.get(s)!]));
    const now = ctx.clock.now().getTime();
    const windowMs = (opts.historyDays ?? 60) * 86_400_000;
    const picks: { variantId: string; binId: string; quantity: number; at: Date; order: number }[] = [];
    const wanted = opts.picksPerWarehouse ?? 1500;
    for (let n = 0; n < wanted && total > 0; n++) {
      const x = r.next() * total;
      let lo = 0;
      for (let hi = cumulative.length - 1; lo < hi; ) {
        const mid = (lo + hi) >> 1;
        if (cumulative[mid]! < x) lo = mid + 1;
        else hi = mid;
      }
      const variantId = variants.get(ranked[lo]!)!;
      const quantity = r.int(1, 3);
      const at = new Date(now - Math.floor(r.next() * windowMs));
      if ((left.get(variantId) ?? 0) < quantity + 2) continue; // leave a little on the shelf
      left.set(variantId, left.get(variantId)! - quantity);
      picks.push({ variantId, binId: binOf.get(variantId)!, quantity, at, order: n + 1 });
    }
    picks.sort((a, b) => a.at.getTime() - b.at.getTime());
    // Recorded through the ledger (one transaction per batch): bin and on-hand decrements, one PICK
    // movement per line at its own past time, level-changed events; the ledger rows name the seed.
    const asSeed: ServiceContext = { ...ctx, principal: { ...ctx.principal, name: 'seed' } };
    for (let i = 0; i < picks.length; i += PICK_BATCH) {
      await recordPicks(asSeed, {
        warehouseCode: warehouse.code,
        picks: picks.slice(i, i + PICK_BATCH).map((p) => ({ ...p, reference: `DEMO-${warehouse.code}-${String(p.order).padStart(6, '0')}` })),
      });
    }
    out.pickLines += picks.length;
    out.created.push(spec.code);
  }
  return out;
}

export interface DemoStoreOptions {
  products?: number;
  customers?: number;
  warehouses?: WarehouseSeedOptions;
  /** The order history (needs a ManualClock, see seedOrderHistory); false: none. */
  orders?: OrderHistoryOptions | false;
  /** Returns over the delivered demo orders (./seed-returns.ts), played through these services (default: the real ones); false: none. */
  returns?: ReturnsSeedApi | false;
  /** Suppliers, demand history, policies and a replenishment run (./seed-planning.ts); false: none. */
  planning?: Omit<PlanningSeedOptions, 'warehouseCodes' | 'skus'> | false;
  /** Tickets and CSAT answers over the demo orders (./seed-support.ts); false: none. */
  support?: false;
  /** The help centre's articles in ru and en (./seed-knowledge.ts); false: none. */
  knowledge?: false;
}

/**
 * The demo store's warehousing cost model (what a mid-size Russian fulfilment operation charges:
 * 60 ₽ an order, 12 ₽ a unit picked, 4 ₽ a bin-day), unless one is configured already.
 */
export async function seedCostModel(ctx: ServiceContext) {
  const current = await loadCostModel(ctx.database.db);
  if (current.perOrderHandled || current.perUnitPicked || current.storagePerBinDay) return current;
  return updateCostModel(ctx, { perOrderHandled: money(60_00, 'RUB'), perUnitPicked: money(12_00, 'RUB'), storagePerBinDay: money(4_00, 'RUB') });
}

/** The whole demo store; later modules add their parts here. */
export async function seedDemoStore(ctx: ServiceContext, opts: DemoStoreOptions = {}) {
  const catalog = await seedCatalog(ctx, opts);
  const customers = await seedCustomers(ctx, opts);
  const warehouses = await seedWarehouses(ctx, opts.warehouses);
  const carriers = await seedCarriers(ctx);
  const pickupPoints = await seedPickupPoints(ctx);
  const buyers = Array.from({ length: opts.customers ?? DEMO_CUSTOMER_COUNT }, (_, i) => demoCustomer(i));
  const skus = Array.from({ length: opts.products ?? DEMO_PRODUCT_COUNT }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
  const orders = opts.orders === false ? null : await seedOrderHistory(ctx, buyers, skus, opts.orders ?? {});
  const returns = orders && opts.returns !== false ? await seedReturnHistory(ctx, opts.returns ?? RETURNS_SEED_API, { prefix: DEMO_ORDER_PREFIX, clock: opts.orders ? opts.orders.clock : undefined }) : null;
  const support = orders && opts.support !== false ? await seedSupportHistory(ctx, { prefix: DEMO_ORDER_PREFIX, clock: opts.orders ? opts.orders.clock : undefined }) : null;
  const planning = opts.planning === false ? null : await seedPlanning(ctx, { ...opts.planning, warehouseCodes: DEMO_WAREHOUSES.map((w) => w.code), skus });
  // Last: the articles quote the warehouses' cut-off, the return policy and the loyalty program as they are now.
  const knowledge = opts.knowledge === false ? null : await seedKnowledge(ctx);
  const costModel = await seedCostModel(ctx);
  return { catalog, customers, warehouses, carriers, pickupPoints, orders, returns, support, planning, knowledge, costModel };
}

/** `--orders N` (default 400) and `--days N` (default 90). */
function parseArgs(argv: readonly string[]): { orders?: number; days?: number } {
  const out: { orders?: number; days?: number } = {};
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    if (flag !== '--orders' && flag !== '--days') {
      process.stderr.write(`unknown argument ${argv[i]}; usage: npm run seed -- [--orders N] [--days N]\n`);
      process.exit(2);
    }
    const n = Number(inline ?? argv[++i]);
    if (!Number.isInteger(n) || n < 0) {
      process.stderr.write(`${flag} needs a whole number\n`);
      process.exit(2);
    }
    out[flag === '--orders' ? 'orders' : 'days'] = n;
  }
  return out;
}

if (isMain(import.meta.url)) {
  const started = Date.now();
  const args = parseArgs(process.argv.slice(2));
  // The order history moves this clock through the past days; it ends at the real time again.
  const clock = new ManualClock();
  const { catalog, customers, warehouses, carriers, pickupPoints, orders, returns, support, planning, knowledge, performance } = await withScriptApp(
    async (ctx, app) => {
      process.stderr.write(`seeding ${app.database.kind} database…\n`);
      const store = await seedDemoStore(ctx, {
        orders: { count: args.orders, days: args.days, progress: (line) => process.stderr.write(`${line}\n`) },
      });
      const to = clock.now();
      const performance = await carrierPerformance(ctx, new Date(to.getTime() - (args.days ?? 90) * 86_400_000), to);
      return { ...store, performance };
    },
    // Demo customers get no real e-mail, whatever SMTP_URL says: the messages are only logged.
    { clock, env: { SMTP_URL: undefined } },
  );
  const pct = (x: number | null) => (x == null ? '   -' : `${Math.round(x * 100)}%`.padStart(4));
  console.log(
    [
      `Products:  ${catalog.created} created (${catalog.variants} SKUs), ${catalog.skipped} already present`,
      `Customers: ${customers.created} created, ${customers.skipped} already present`,
      `Warehouses: ${warehouses.created.join(', ') || 'none'} created (${warehouses.bins} bins, ${warehouses.receivedUnits} units received, ${warehouses.pickLines} pick lines of history)` +
        (warehouses.skipped.length ? `, ${warehouses.skipped.join(', ')} already present` : ''),
      `Carriers:  ${carriers.created.join(', ') || 'none'} created (${carriers.services} services, ${carriers.rateRows} rate rows)` + (carriers.skipped.length ? `, ${carriers.skipped.join(', ')} already present` : ''),
      `Pickup points: ${pickupPoints.created} created, ${pickupPoints.skipped} already present`,
      orders && orders.skipped
        ? `Orders:    history already present (${orders.skipped} demo orders), nothing created`
        : orders
          ? `Orders:    ${orders.created} created (${Object.entries(orders.byStatus).map(([s, n]) => `${s} ${n}`).join(', ')}); ${orders.pickLists} pick lists, ${orders.shipments} shipments, ${orders.trackingEvents} tracking events, ${orders.restockedUnits} units restocked` +
            (orders.failures.length ? `\n  ${orders.failures.length} steps refused, e.g. ${orders.failures.slice(0, 3).join('; ')}` : '')
          : 'Orders:    skipped',
      returns && returns.skipped
        ? 'Returns:   already present, nothing created'
        : returns
          ? `Returns:   ${returns.created} created (${Object.entries(returns.byStatus).map(([st, n]) => `${st} ${n}`).join(', ')}); defective SKU ${returns.defectiveSku ?? '-'}` +
            (returns.failures.length ? `\n  ${returns.failures.length} steps refused, e.g. ${returns.failures.slice(0, 3).join('; ')}` : '')
          : 'Returns:   skipped',
      support && support.skipped
        ? 'Support:   tickets or CSAT answers already present, nothing created'
        : support
          ? `Support:   ${support.tickets} tickets (${support.answeredInSla} answered within SLA, ${support.answeredLate} late, ${support.unanswered} unanswered, ${support.resolved} resolved); CSAT ${support.csat.orders} order and ${support.csat.tickets} ticket answers (${support.csat.changed} changed)` +
            (support.failures.length ? `\n  ${support.failures.length} steps refused, e.g. ${support.failures.slice(0, 3).join('; ')}` : '')
          : 'Support:   skipped',
      planning
        ? `Planning:  suppliers ${planning.suppliers.created.join(', ') || 'none'} created` +
          (planning.suppliers.skipped.length ? ` (${planning.suppliers.skipped.join(', ')} already present)` : '') +
          `, ${planning.supplierProducts} supplier products, ${planning.historyWeeks} weeks of demand history imported, ${planning.policies} reorder policies; ` +
          `${planning.forecastSnapshots} past forecasts made, replenishment drafted ${planning.purchaseOrders.length} purchase orders and ${planning.transfers.length} transfers`
        : 'Planning:  skipped',
      knowledge ? `Knowledge: ${knowledge.created} articles created, ${knowledge.updated} updated, ${knowledge.unchanged} unchanged (ru and en)` : 'Knowledge: skipped',
      `Carrier performance, last ${args.days ?? 90} days (service: shipments, delivered, on time, avg transit h):`,
      ...performance.map((p) => `  ${p.service.code.padEnd(20)} ${String(p.shipments).padStart(5)} ${String(p.delivered).padStart(5)} ${pct(p.onTimeRate)} ${p.avgTransitHours == null ? '   -' : p.avgTransitHours.toFixed(0).padStart(4)}`),
      `Demo customer login: ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}`,
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    ].join('\n'),
  );
}
