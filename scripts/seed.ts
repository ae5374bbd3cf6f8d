/**
 * `npm run seed`: loads a demo store (catalog and customers) into the configured database
 * through the services, so every business rule applies. Deterministic (seeded PRNG: product i
 * and customer i depend on i only) and idempotent: existing SKUs and e-mails are skipped, so a
 * second run creates nothing. Later modules extend `seedDemoStore` (warehouses, stock, orders).
 * With PGlite (DATABASE_URL unset or file:) stop the server first: its data directory is single-process.
 */
import { isMain, withScriptApp } from './lib/script-app.js';
import { createProduct, variantsBySkus, type ProductCreateInput } from '../src/modules/catalog/catalog.service.js';
import { createCustomer, listCustomers, normalizeEmail, type CustomerCreateInput } from '../src/modules/customers/customer.service.js';
import { withCheckDigit } from '../src/shared/gs1.js';
import type { ServiceContext } from '../src/shared/service-context.js';

/** mulberry32: a tiny, well-known 32-bit PRNG; enough for demo data, and stable across Node versions. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (min: number, max: number) => min + Math.floor(next() * (max - min + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    /** `n` distinct items in their original order. */
    some: <T>(xs: readonly T[], n: number): T[] => {
      const idx = xs.map((_, i) => i);
      for (let i = idx.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        [idx[i], idx[j]] = [idx[j]!, idx[i]!];
      }
      return idx.slice(0, Math.min(n, xs.length)).sort((x, y) => x - y).map((i) => xs[i]!);
    },
  };
}

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

/** The whole demo store; later modules add their parts here. */
export async function seedDemoStore(ctx: ServiceContext, opts: { products?: number; customers?: number } = {}) {
  const catalog = await seedCatalog(ctx, opts);
  const customers = await seedCustomers(ctx, opts);
  return { catalog, customers };
}

if (isMain(import.meta.url)) {
  const started = Date.now();
  const { catalog, customers } = await withScriptApp(async (ctx, app) => {
    process.stderr.write(`seeding ${app.database.kind} database…\n`);
    return seedDemoStore(ctx);
  });
  console.log(
    [
      `Products:  ${catalog.created} created (${catalog.variants} SKUs), ${catalog.skipped} already present`,
      `Customers: ${customers.created} created, ${customers.skipped} already present`,
      `Demo customer login: ${DEMO_CUSTOMER.email} / ${DEMO_CUSTOMER.password}`,
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`,
    ].join('\n'),
  );
}
