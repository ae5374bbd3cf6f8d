/**
 * The knowledge base of the demo store (used by scripts/seed.ts): the help centre's articles in
 * Russian and English under the same slugs, written through the knowledge service. Figures are the
 * store's own, read when the seed runs: carriers, services, transit days and rate cards
 * (./seed-shipping.ts), pickup points, the warehouses' dispatch cut-off, the return policy and the
 * loyalty program as their services give them. What the data does not hold (payment methods,
 * pickup storage days, support hours) is written as the store's own policy, never as a service the
 * API offers. Idempotent: an article whose text is already stored is left alone, a changed one is
 * replaced by (slug, locale), so a second run writes nothing.
 */
import { getProgram, type Program } from '../src/modules/loyalty/loyalty.program.js';
import { getReturnPolicy, type ReturnPolicyRow } from '../src/modules/returns/returns.policy.js';
import { articlesBySlugs, upsertArticle, type KnowledgeLocale } from '../src/modules/support/knowledge/knowledge.service.js';
import { listAllWarehouses } from '../src/modules/warehouse/warehouse.service.js';
import { formatMoney, money, type Money } from '../src/shared/money.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { DEMO_CARRIERS, DEMO_CITIES, demoPickupPoints } from './seed-shipping.js';

export interface KnowledgeFacts {
  returns: Pick<ReturnPolicyRow, 'windowDays' | 'restockingFeePercent' | 'nonReturnableCategories'>;
  loyalty: Program;
  /** Dispatch cut-off of the warehouses (HH:MM, Moscow time), the most common one. */
  cutoff: string;
}

interface Article {
  slug: string;
  tags: Record<KnowledgeLocale, string[]>;
  title: Record<KnowledgeLocale, string>;
  body: Record<KnowledgeLocale, string>;
}

const services = DEMO_CARRIERS.flatMap((c) => c.services.map((s) => ({ ...s, carrier: c })));
const service = (code: string) => services.find((s) => s.code === code)!;

/** The rate card's price of a service for a zone (region, or null: the rest of Russia) and a weight bracket. */
function price(code: string, region: string | null, maxWeightGrams: number): Money | null {
  const row = service(code).rates.find((r) => (r.region ?? null) === region && !r.postalCodePrefix && r.maxWeightGrams === maxWeightGrams);
  return row ? money(row.price.amountMinor, row.price.currency) : null;
}

const LANG_TAG: Record<KnowledgeLocale, string> = { ru: 'ru-RU', en: 'en-GB' };
const fmt = (m: Money | null, l: KnowledgeLocale) => (m ? formatMoney(m, LANG_TAG[l]) : '—');
const days = (min: number, max: number, l: KnowledgeLocale) =>
  min === 0 && max === 0 ? (l === 'ru' ? 'в день заказа' : 'the same day') : l === 'ru' ? `${min === max ? min : `${min}–${max}`} раб. дн.` : `${min === max ? min : `${min}–${max}`} business days`;
const kg = (g: number) => (g / 1000).toLocaleString('ru-RU');

const SERVICE_NAMES_EN: Record<string, string> = {
  CDEK_COURIER: 'CDEK Express courier to the door',
  CDEK_PVZ: 'CDEK to a pickup point',
  BOXBERRY_PVZ: 'Boxberry to a pickup point',
  BOXBERRY_COURIER: 'Boxberry courier',
  RUSSIAN_POST_PARCEL: 'Russian Post parcel to a post office',
  RUSSIAN_POST_EMS: 'EMS Russian Post courier',
  OWN_SAME_DAY: 'Store courier, same day (Moscow)',
  OWN_NEXT_DAY: 'Store courier, next day (Moscow)',
};
const nameOf = (code: string, l: KnowledgeLocale) => (l === 'ru' ? service(code).name : SERVICE_NAMES_EN[code]!);

/** Lines "service: days, from price" for the services of one delivery type. */
function serviceLines(l: KnowledgeLocale, filter: (code: string) => boolean): string {
  return services
    .filter((s) => filter(s.code))
    .map((s) => {
      const moscow = price(s.code, 'Москва', 500);
      return `• ${nameOf(s.code, l)}: ${days(s.transitDaysMin, s.transitDaysMax, l)}, ${l === 'ru' ? 'от' : 'from'} ${fmt(moscow, l)}`;
    })
    .join('\n');
}

function priceTable(l: KnowledgeLocale): string {
  const head =
    l === 'ru'
      ? 'Служба — Москва до 1 кг / Москва до 5 кг / Санкт-Петербург до 1 кг / другие регионы России до 1 кг'
      : 'Service — Moscow up to 1 kg / Moscow up to 5 kg / St Petersburg up to 1 kg / rest of Russia up to 1 kg';
  const rows = services.map(
    (s) =>
      `• ${nameOf(s.code, l)}: ${fmt(price(s.code, 'Москва', 1000), l)} / ${fmt(price(s.code, 'Москва', 5000), l)} / ${fmt(price(s.code, 'Санкт-Петербург', 1000), l)} / ${fmt(price(s.code, null, 1000), l)}`,
  );
  return [head, ...rows].join('\n');
}

/** Every demo article, both languages, from the store's facts. */
export function demoKnowledgeArticles(f: KnowledgeFacts): Article[] {
  const points = demoPickupPoints();
  const lockers = points.filter((p) => p.code.startsWith('LOCK-')).length;
  const byCarrier = (c: string) => points.filter((p) => p.carrierCode === c).length;
  const cities = { ru: DEMO_CITIES.map((c) => c.name).join(', '), en: 'Moscow, St Petersburg, Kazan, Yekaterinburg, Novosibirsk, Nizhny Novgorod, Samara, Rostov-on-Don, Krasnodar, Voronezh, Tula, Yaroslavl' };
  const r = f.returns;
  const fee = r.restockingFeePercent;
  const nonReturnable = r.nonReturnableCategories;
  const p = f.loyalty;
  const per100 = Math.round(p.pointsPerCurrencyUnit * 100 * 100) / 100;
  const pointValue = (l: KnowledgeLocale) => formatMoney(p.pointValue, LANG_TAG[l]);
  const share = Math.round(p.maxRedeemShare * 100);
  const tiers = (l: KnowledgeLocale) =>
    p.tiers.map((t) => `• ${t.name}: ${l === 'ru' ? 'от' : 'from'} ${formatMoney(t.minSpend, LANG_TAG[l])} ${l === 'ru' ? 'за 365 дней, начисление ×' : 'in 365 days, earning ×'}${t.earnMultiplier}`).join('\n');
  const heaviest = Math.max(...services.map((s) => s.maxWeightGrams));
  const feeText = {
    ru: fee > 0 ? `При возврате по причине, не связанной с ошибкой магазина (не подошёл размер, передумали), удерживается сбор за обработку — ${fee}% стоимости возвращаемых товаров.` : 'Сбора за обработку возврата нет: вы получаете полную стоимость товаров.',
    en: fee > 0 ? `When the reason is not our fault (wrong size, changed your mind), a restocking fee of ${fee}% of the returned goods is deducted.` : 'There is no restocking fee: you get the full price of the goods back.',
  };
  const categoriesText = {
    ru: nonReturnable.length ? `Не подлежат возврату товары категорий: ${nonReturnable.join(', ')}.` : 'Сейчас в правилах магазина нет категорий, исключённых из возврата: вернуть можно любой товар в пределах срока.',
    en: nonReturnable.length ? `Goods of these categories cannot be returned: ${nonReturnable.join(', ')}.` : 'Our policy currently excludes no category: any item can be returned within the window.',
  };

  return [
    {
      slug: 'delivery-options',
      tags: { ru: ['доставка', 'курьер', 'пункт выдачи', 'способы доставки'], en: ['delivery', 'shipping', 'courier', 'pickup point'] },
      title: { ru: 'Способы доставки', en: 'Delivery options' },
      body: {
        ru: `Мы доставляем заказы курьером до двери и в пункты выдачи. Какие варианты доступны, зависит от адреса и веса посылки: при оформлении заказа вы видите только подходящие, с ценой и датой доставки.\n\nДо двери:\n${serviceLines('ru', (c) => service(c).deliveryType === 'COURIER')}\n\nДо пункта выдачи:\n${serviceLines('ru', (c) => service(c).deliveryType === 'PICKUP_POINT')}\n\nЦены указаны для Москвы и посылки до 0,5 кг; в других регионах дороже (см. «Стоимость доставки»).`,
        en: `We deliver by courier to your door and to pickup points. Which options you get depends on the address and the parcel's weight: checkout shows only those that fit, with the price and the delivery date.\n\nTo the door:\n${serviceLines('en', (c) => service(c).deliveryType === 'COURIER')}\n\nTo a pickup point:\n${serviceLines('en', (c) => service(c).deliveryType === 'PICKUP_POINT')}\n\nPrices are for Moscow and a parcel up to 0.5 kg; other regions cost more (see "Delivery prices").`,
      },
    },
    {
      slug: 'delivery-prices',
      tags: { ru: ['стоимость доставки', 'сколько стоит доставка', 'тарифы', 'цена'], en: ['shipping cost', 'how much is delivery', 'rates', 'price'] },
      title: { ru: 'Стоимость доставки', en: 'Delivery prices' },
      body: {
        ru: `Стоимость доставки зависит от службы, региона и веса посылки (для лёгких, но объёмных посылок считается объёмный вес). Точную цену вы видите при оформлении заказа, и она не меняется после оплаты.\n\n${priceTable('ru')}\n\nДороже всего доставка на Урал и в Сибирь. Курьеры магазина работают только по Москве.`,
        en: `The price depends on the service, the region and the parcel's weight (light but bulky parcels are charged by volumetric weight). Checkout shows the exact price, and it does not change after you pay.\n\n${priceTable('en')}\n\nThe Urals and Siberia cost the most. The store's own couriers work in Moscow only.`,
      },
    },
    {
      slug: 'delivery-times',
      tags: { ru: ['сроки доставки', 'когда привезут', 'отправка'], en: ['delivery time', 'when will it arrive', 'dispatch'] },
      title: { ru: 'Сроки доставки', en: 'Delivery times' },
      body: {
        ru: `Заказ, оформленный в рабочий день до ${f.cutoff} по московскому времени, мы передаём в службу доставки в тот же день; оформленный позже или в выходной — в следующий рабочий день. Дальше срок зависит от службы:\n${services.map((s) => `• ${s.name}: ${days(s.transitDaysMin, s.transitDaysMax, 'ru')}`).join('\n')}\n\nДату доставки вы видите при оформлении заказа; выходные и праздники службы не считаются.`,
        en: `An order placed on a business day before ${f.cutoff} Moscow time is handed to the carrier the same day; later, or on a weekend or holiday, the next business day. Then it depends on the service:\n${services.map((s) => `• ${SERVICE_NAMES_EN[s.code]}: ${days(s.transitDaysMin, s.transitDaysMax, 'en')}`).join('\n')}\n\nCheckout shows the delivery date; carriers do not count weekends and public holidays.`,
      },
    },
    {
      slug: 'same-day-delivery',
      tags: { ru: ['день в день', 'срочная доставка', 'Москва'], en: ['same day', 'express', 'Moscow'] },
      title: { ru: 'Доставка день в день и на следующий день по Москве', en: 'Same-day and next-day delivery in Moscow' },
      body: {
        ru: `В Москве заказы привозят курьеры магазина:\n• день в день — от ${fmt(price('OWN_SAME_DAY', 'Москва', 500), 'ru')} (до 0,5 кг), до 1 кг — ${fmt(price('OWN_SAME_DAY', 'Москва', 1000), 'ru')};\n• на следующий день — от ${fmt(price('OWN_NEXT_DAY', 'Москва', 500), 'ru')}, до 1 кг — ${fmt(price('OWN_NEXT_DAY', 'Москва', 1000), 'ru')}.\nДоставка день в день доступна для заказов, оформленных до ${f.cutoff}, и посылок до ${kg(20_000)} кг. За пределами Москвы эти варианты не показываются.`,
        en: `In Moscow the store's own couriers deliver:\n• same day — from ${fmt(price('OWN_SAME_DAY', 'Москва', 500), 'en')} (up to 0.5 kg), ${fmt(price('OWN_SAME_DAY', 'Москва', 1000), 'en')} up to 1 kg;\n• next day — from ${fmt(price('OWN_NEXT_DAY', 'Москва', 500), 'en')}, ${fmt(price('OWN_NEXT_DAY', 'Москва', 1000), 'en')} up to 1 kg.\nSame-day delivery is for orders placed before ${f.cutoff} and parcels up to 20 kg. Outside Moscow these options are not offered.`,
      },
    },
    {
      slug: 'courier-delivery',
      tags: { ru: ['курьер', 'доставка до двери'], en: ['courier', 'door delivery'] },
      title: { ru: 'Доставка курьером', en: 'Courier delivery' },
      body: {
        ru: `Курьер привозит заказ до двери. По всей России это ${nameOf('CDEK_COURIER', 'ru')}, ${nameOf('BOXBERRY_COURIER', 'ru')} и ${nameOf('RUSSIAN_POST_EMS', 'ru')}; в Москве ещё и курьеры магазина. Служба присылает SMS с днём доставки, курьер звонит перед приездом. Если вас не застали, служба сделает повторную попытку (в отслеживании это статус «Неудачная попытка доставки»); после неудачных попыток посылка может вернуться к нам — тогда мы отменим отгрузку и вернём деньги за товар.`,
        en: `A courier brings the order to your door: ${nameOf('CDEK_COURIER', 'en')}, ${nameOf('BOXBERRY_COURIER', 'en')} and ${nameOf('RUSSIAN_POST_EMS', 'en')} all over Russia, and in Moscow the store's own couriers too. The carrier texts you the delivery day and the courier calls before coming. If nobody is in, the carrier tries again (tracking shows "Failed delivery attempt"); after failed attempts the parcel may come back to us, and then we refund the goods.`,
      },
    },
    {
      slug: 'pickup-points',
      tags: { ru: ['пункт выдачи', 'ПВЗ', 'постамат', 'самовывоз'], en: ['pickup point', 'parcel locker', 'collect'] },
      title: { ru: 'Пункты выдачи и постаматы', en: 'Pickup points and parcel lockers' },
      body: {
        ru: `Заказ можно получить в одном из ${points.length} пунктов выдачи в городах: ${cities.ru}. Среди них ${byCarrier('CDEK')} пунктов СДЭК, ${byCarrier('BOXBERRY')} пунктов Boxberry, ${byCarrier('RUSSIAN_POST')} отделений Почты России, ${lockers} круглосуточных постаматов и пункты партнёров. При оформлении заказа выберите пункт на карте рядом с вами: показываются только те, у которых есть место на день доставки. Когда посылка придёт, вы получите SMS с кодом получения; возьмите паспорт или назовите код.`,
        en: `You can collect the order at one of ${points.length} pickup points in ${cities.en}: ${byCarrier('CDEK')} CDEK points, ${byCarrier('BOXBERRY')} Boxberry points, ${byCarrier('RUSSIAN_POST')} Russian Post offices, ${lockers} parcel lockers open 24/7 and partner shops. At checkout pick a point near you on the map: only points with room on the delivery day are shown. When the parcel arrives you get a text with a pickup code; bring your passport or give the code.`,
      },
    },
    {
      slug: 'pickup-storage',
      tags: { ru: ['срок хранения', 'пункт выдачи', 'не успел забрать'], en: ['storage period', 'pickup point', 'collect late'] },
      title: { ru: 'Сколько заказ хранится в пункте выдачи', en: 'How long a pickup point keeps your order' },
      body: {
        ru: 'По правилам магазина заказ хранится в пункте выдачи 7 дней, в постамате — 3 дня с момента поступления (точная дата — в SMS службы доставки). Если вы не успеваете, напишите нам до окончания срока: мы попросим службу продлить хранение, если она это позволяет. Невостребованная посылка возвращается к нам, и мы возвращаем деньги за товар; стоимость доставки в этом случае не возвращается.',
        en: "Under the store's policy a pickup point keeps the order for 7 days and a parcel locker for 3 days after it arrives (the carrier's text gives the exact date). If you cannot make it, write to us before then and we ask the carrier to extend it where it can. An uncollected parcel comes back to us and we refund the goods; the delivery fee is not refunded then.",
      },
    },
    {
      slug: 'delivery-regions',
      tags: { ru: ['регионы', 'города', 'куда доставляете'], en: ['regions', 'cities', 'where do you deliver'] },
      title: { ru: 'Куда мы доставляем', en: 'Where we deliver' },
      body: {
        ru: `Мы доставляем по всей России: курьерами СДЭК, Boxberry и EMS, в пункты выдачи и отделения Почты России. Пункты выдачи есть в городах: ${cities.ru}. В других населённых пунктах выбирайте отделение Почты России или курьера. Склады магазина находятся в Москве, Санкт-Петербурге и Казани: заказ отправляется с ближайшего склада, где есть все товары, поэтому в центр России и Поволжье он приходит быстрее всего.`,
        en: `We deliver all over Russia: CDEK, Boxberry and EMS couriers, pickup points and Russian Post offices. Pickup points are in ${cities.en}. Elsewhere choose a Russian Post office or a courier. Our warehouses are in Moscow, St Petersburg and Kazan: an order ships from the nearest one that holds the goods, so central Russia and the Volga region get their orders fastest.`,
      },
    },
    {
      slug: 'international-shipping',
      tags: { ru: ['за границу', 'международная доставка', 'таможня'], en: ['international', 'abroad', 'customs'] },
      title: { ru: 'Доставка за границу и таможня', en: 'International shipping and customs' },
      body: {
        ru: 'Сейчас мы доставляем только по России: у наших служб доставки нет тарифов в другие страны, поэтому заказ с зарубежным адресом оформить нельзя. Таможенных пошлин и сборов при доставке по России нет. Если вы за границей, можно оформить заказ на адрес или пункт выдачи в России.',
        en: 'We currently deliver within Russia only: our carriers have no rates to other countries, so an order with an address abroad cannot be placed. Deliveries within Russia carry no customs duties or fees. If you are abroad, you can order to an address or a pickup point in Russia.',
      },
    },
    {
      slug: 'heavy-parcels',
      tags: { ru: ['тяжёлый заказ', 'крупногабарит', 'вес'], en: ['heavy order', 'bulky', 'weight limit'] },
      title: { ru: 'Тяжёлые и крупные заказы', en: 'Heavy and bulky orders' },
      body: {
        ru: `У каждой службы есть предельный вес посылки:\n${services.map((s) => `• ${s.name}: до ${kg(s.maxWeightGrams)} кг`).join('\n')}\nДля лёгких, но объёмных коробок служба считает объёмный вес (длина × ширина × высота, делённые на коэффициент службы), и цена считается по большему из весов. При оформлении заказа показываются только службы, которые могут доставить посылку такого веса; самая грузоподъёмная берёт до ${kg(heaviest)} кг.`,
        en: `Every service has a weight limit per parcel:\n${services.map((s) => `• ${SERVICE_NAMES_EN[s.code]}: up to ${s.maxWeightGrams / 1000} kg`).join('\n')}\nFor light but bulky boxes the carrier uses volumetric weight (length × width × height divided by the carrier's factor), and the price follows the greater weight. Checkout offers only the services that can carry your parcel's weight; the largest takes up to ${heaviest / 1000} kg.`,
      },
    },
    {
      slug: 'order-tracking',
      tags: { ru: ['отследить заказ', 'трек-номер', 'где мой заказ'], en: ['track order', 'tracking number', 'where is my order'] },
      title: { ru: 'Как отследить заказ', en: 'Tracking your order' },
      body: {
        ru: 'Когда заказ упакован и передан в службу доставки, мы присылаем письмо с трек-номером. Статус посылки виден на нашей странице отслеживания (ссылка в письме, адрес вида /track/<трек-номер>) и в личном кабинете. Статусы: «Создана этикетка», «В пути», «Передана курьеру», «Ждёт в пункте выдачи», «Доставлена», «Неудачная попытка доставки», «Проблема с доставкой», «Возвращается отправителю». Если статус не меняется больше трёх дней, напишите нам.',
        en: 'Once the order is packed and handed to the carrier we e-mail you its tracking number. The parcel\'s status is on our tracking page (the link in the e-mail, an address like /track/<tracking number>) and in your account. Statuses: "Label created", "In transit", "Out for delivery", "At the pickup point", "Delivered", "Failed delivery attempt", "Delivery problem", "Returning to sender". If the status has not changed for three days, write to us.',
      },
    },
    {
      slug: 'order-status',
      tags: { ru: ['статус заказа', 'сборка', 'под заказ'], en: ['order status', 'packing', 'backorder'] },
      title: { ru: 'Что означают статусы заказа', en: 'What the order statuses mean' },
      body: {
        ru: '• Принят (товар зарезервирован на складе).\n• Ожидает поступления: товара сейчас нет, заказ соберём, как только он придёт на склад.\n• Собирается и Упакован: заказ на складе в работе.\n• Частично отправлен: товары из разных складов едут отдельными посылками, у каждой свой трек-номер.\n• Отправлен и Доставлен.\n• Отменён.\nОб изменении статуса мы пишем на e-mail.',
        en: '• Allocated: the goods are reserved in a warehouse.\n• Backordered: an item is out of stock; we pack the order as soon as it arrives.\n• Picking and Packed: the warehouse is working on it.\n• Partially shipped: goods from different warehouses travel as separate parcels, each with its own tracking number.\n• Shipped and Delivered.\n• Cancelled.\nWe e-mail you whenever the status changes.',
      },
    },
    {
      slug: 'order-cancellation',
      tags: { ru: ['отменить заказ', 'отмена'], en: ['cancel order', 'cancellation'] },
      title: { ru: 'Как отменить заказ', en: 'Cancelling an order' },
      body: {
        ru: 'Заказ можно отменить, пока он не отправлен целиком: в статусах «Принят», «Ожидает поступления», «Собирается», «Упакован», а у частично отправленного — ещё не отправленную часть. Напишите нам в чат или на почту с номером заказа. Деньги за отменённые товары возвращаются тем же способом оплаты, а списанные баллы — на бонусный счёт. Отправленный заказ отменить нельзя: получите его и оформите возврат или откажитесь от него при получении.',
        en: 'An order can be cancelled until all of it has shipped: while it is Allocated, Backordered, Picking or Packed, and for a partially shipped order the part not yet sent. Write to us in the chat or by e-mail with the order number. The money for cancelled goods goes back to the way you paid, and redeemed points go back to your points balance. A shipped order cannot be cancelled: receive it and request a return, or refuse it on delivery.',
      },
    },
    {
      slug: 'order-changes',
      tags: { ru: ['изменить заказ', 'добавить товар', 'убрать товар'], en: ['change order', 'add item', 'remove item'] },
      title: { ru: 'Можно ли изменить заказ', en: 'Changing an order' },
      body: {
        ru: 'Состав оформленного заказа изменить нельзя: товары сразу резервируются на складе, а цена доставки рассчитана под этот вес. Если нужно добавить или убрать товар, пока заказ не отправлен, отмените его (см. «Как отменить заказ») и оформите новый — резерв и списанные баллы вернутся сразу после отмены. Уже отправленные товары можно вернуть по правилам возврата.',
        en: "The items of a placed order cannot be changed: they are reserved in the warehouse at once, and the delivery price was quoted for that weight. To add or remove an item before the order ships, cancel it (see \"Cancelling an order\") and place a new one; the reservation and any redeemed points come back as soon as it is cancelled. Goods already shipped can be returned under the returns policy.",
      },
    },
    {
      slug: 'address-change',
      tags: { ru: ['изменить адрес', 'адрес доставки', 'другой пункт выдачи'], en: ['change address', 'delivery address', 'another pickup point'] },
      title: { ru: 'Изменение адреса доставки', en: 'Changing the delivery address' },
      body: {
        ru: 'Адрес и пункт выдачи в оформленном заказе изменить нельзя: по ним рассчитаны цена и срок доставки. Пока заказ не отправлен, отмените его и оформите заново с новым адресом. Если посылка уже в пути, вы можете договориться о переадресации со службой доставки по трек-номеру (СДЭК и Boxberry обычно это позволяют, иногда за плату) или поручить получение другому человеку.',
        en: 'The address or pickup point of a placed order cannot be changed: the delivery price and date were quoted for them. Before the order ships, cancel it and place it again with the new address. If the parcel is already on its way, you can ask the carrier to redirect it using the tracking number (CDEK and Boxberry usually can, sometimes for a fee), or let someone else collect it.',
      },
    },
    {
      slug: 'returns-policy',
      tags: { ru: ['возврат', 'вернуть товар', 'правила возврата', 'срок возврата'], en: ['returns', 'return policy', 'return window'] },
      title: { ru: 'Правила возврата', en: 'Returns policy' },
      body: {
        ru: `Вернуть товар можно в течение ${r.windowDays} дней с момента доставки посылки, в которой он пришёл. ${categoriesText.ru} ${feeText.ru} Если товар бракованный, повреждён, не соответствует описанию, пришёл не тот или с опозданием, сбора нет, а при возврате всего заказа по нашей вине мы вернём и стоимость доставки. Товар, возвращаемый без дефекта, должен сохранить товарный вид.`,
        en: `You can return an item within ${r.windowDays} days of the delivery of the parcel it came in. ${categoriesText.en} ${feeText.en} If the item is defective, damaged, not as described, the wrong one or arrived late, there is no fee, and when the whole order comes back for our fault we refund the delivery too. Items returned without a defect should be unused.`,
      },
    },
    {
      slug: 'how-to-return',
      tags: { ru: ['оформить возврат', 'этикетка возврата', 'как вернуть'], en: ['request a return', 'return label', 'how to return'] },
      title: { ru: 'Как оформить возврат', en: 'How to return an item' },
      body: {
        ru: 'В личном кабинете откройте заказ и нажмите «Вернуть товар»: выберите товары, количество и причину. Возвраты по нашей вине (брак, повреждение, не тот товар) одобряются сразу, остальные мы проверяем обычно за один рабочий день. После одобрения вы получите этикетку возврата с трек-номером: наклейте её на коробку и сдайте посылку в службу доставки. Когда посылка придёт на склад, мы проверим товар и оформим возврат денег.',
        en: 'In your account open the order and choose "Return items": pick the items, quantities and the reason. Returns for our fault (defect, damage, wrong item) are approved at once; we check the others, usually within a business day. Once approved you get a return label with a tracking number: stick it on the box and hand the parcel to the carrier. When it reaches our warehouse we inspect the goods and record your refund.',
      },
    },
    {
      slug: 'refunds',
      tags: { ru: ['возврат денег', 'когда вернут деньги', 'баллы'], en: ['refund', 'money back', 'points'] },
      title: { ru: 'Возврат денег', en: 'Refunds' },
      body: {
        ru: `Сумма возврата — стоимость принятых товаров по цене заказа${fee > 0 ? `, минус сбор ${fee}% за товары, возвращённые не по нашей вине` : ''}; доставку мы возвращаем, если по нашей вине вернулся весь заказ. Если часть заказа была оплачена баллами, эта доля возвращается баллами на бонусный счёт, а остальное — деньгами тем же способом, которым вы платили. Деньги на карту обычно приходят за 3–10 рабочих дней после того, как мы оформили возврат (срок зависит от банка). Баллы, начисленные за возвращённые товары, списываются.`,
        en: `The refund is the price you paid for the accepted goods${fee > 0 ? `, minus a ${fee}% fee on goods returned for a reason that is not our fault` : ''}; we refund the delivery when the whole order came back for our fault. If points paid part of the order, that share comes back as points to your balance and the rest as money to the way you paid. Money usually reaches a card 3–10 business days after we record the refund (it depends on the bank). Points earned on returned goods are taken back.`,
      },
    },
    {
      slug: 'damaged-parcel',
      tags: { ru: ['повреждённая посылка', 'брак', 'разбито'], en: ['damaged parcel', 'broken', 'defective'] },
      title: { ru: 'Посылка пришла повреждённой', en: 'The parcel arrived damaged' },
      body: {
        ru: 'Если упаковка повреждена, осмотрите товар при получении и попросите сотрудника пункта выдачи или курьера составить акт. Сфотографируйте коробку и товар. Затем оформите возврат с причиной «Повреждён при доставке» — такой возврат одобряется сразу, без сбора, с бесплатной этикеткой; при возврате всего заказа мы вернём и стоимость доставки. Если хотите получить замену, оформите новый заказ: деньги за повреждённый товар вернутся после его приёмки на складе.',
        en: 'If the packaging is damaged, check the item on delivery and ask the pickup point or the courier to write a damage report. Take photos of the box and the item. Then request a return with the reason "Damaged" — it is approved at once, with no fee and a free label, and if the whole order comes back we refund the delivery too. For a replacement, place a new order: the damaged item is refunded once our warehouse receives it.',
      },
    },
    {
      slug: 'missing-items',
      tags: { ru: ['не хватает товара', 'неполный заказ', 'не тот товар'], en: ['missing item', 'incomplete order', 'wrong item'] },
      title: { ru: 'В заказе не хватает товара или пришёл не тот', en: 'An item is missing or wrong' },
      body: {
        ru: 'Сначала проверьте статус заказа: если он «Частично отправлен», остальные товары едут отдельной посылкой с другого склада, и у неё свой трек-номер в письме. Если все посылки получены, а товара нет, напишите нам в течение 3 дней с номером заказа и фото содержимого — мы проверим сборку и отправим недостающее или вернём деньги. Если пришёл не тот товар, оформите возврат с причиной «Не тот товар»: он одобряется сразу, без сбора.',
        en: 'First check the order status: if it is Partially shipped, the other items travel in a separate parcel from another warehouse with its own tracking number in the e-mail. If every parcel has arrived and an item is missing, write to us within 3 days with the order number and a photo of the contents; we check the packing and send what is missing or refund it. If you got the wrong item, request a return with the reason "Wrong item": it is approved at once, with no fee.',
      },
    },
    {
      slug: 'payment-methods',
      tags: { ru: ['оплата', 'способы оплаты', 'карта', 'СБП'], en: ['payment', 'payment methods', 'card'] },
      title: { ru: 'Способы оплаты', en: 'Payment methods' },
      body: {
        ru: `Заказ оплачивается онлайн при оформлении: банковской картой (Мир, Visa, Mastercard) или через СБП. Часть заказа — до ${share}% стоимости товаров — можно оплатить бонусными баллами (1 балл = ${pointValue('ru')}). Деньги списываются сразу; если заказ отменён, они возвращаются тем же способом, а баллы — на бонусный счёт. Оплата наличными при получении не принимается.`,
        en: `Orders are paid online at checkout: by bank card (Mir, Visa, Mastercard) or through SBP (the Faster Payments System). Up to ${share}% of the goods can be paid with loyalty points (1 point = ${pointValue('en')}). The money is taken at once; if the order is cancelled it goes back the same way, and points go back to your balance. Cash on delivery is not accepted.`,
      },
    },
    {
      slug: 'loyalty-program',
      tags: { ru: ['бонусы', 'баллы', 'программа лояльности', 'уровни'], en: ['loyalty', 'points', 'rewards', 'tiers'] },
      title: { ru: 'Бонусная программа', en: 'Loyalty program' },
      body: {
        ru: `За каждый доставленный заказ начисляются баллы: ${per100} балла за каждые 100 ₽, оплаченные деньгами (без доставки и без части, оплаченной баллами), умноженные на коэффициент вашего уровня. Уровень зависит от суммы покупок за последние 365 дней:\n${tiers('ru')}\nБаллы действуют ${p.expiryDays} дней с начисления, первыми тратятся те, что сгорят раньше. Баланс и историю начислений видно в личном кабинете.`,
        en: `Every delivered order earns points: ${per100} points per 100 RUB paid in money (delivery and the part paid with points excluded), times your tier's multiplier. Your tier follows what you spent over the last 365 days:\n${tiers('en')}\nPoints are valid for ${p.expiryDays} days after they are earned, and the ones expiring first are spent first. Your balance and its history are in your account.`,
      },
    },
    {
      slug: 'loyalty-redeem',
      tags: { ru: ['потратить баллы', 'списать баллы', 'скидка баллами'], en: ['redeem points', 'spend points', 'points discount'] },
      title: { ru: 'Как потратить баллы', en: 'Spending your points' },
      body: {
        ru: `При оформлении заказа укажите, сколько баллов списать: 1 балл = ${pointValue('ru')} скидки, баллами можно оплатить до ${share}% стоимости товаров (доставка оплачивается деньгами). Если заказ отменён, списанные баллы возвращаются на счёт; при возврате товара доля, оплаченная баллами, тоже возвращается баллами. Баллы нельзя обменять на деньги.`,
        en: `At checkout enter how many points to use: 1 point = ${pointValue('en')} off, and points can pay up to ${share}% of the goods (delivery is paid in money). If the order is cancelled, the points come back to your balance; when you return goods, the share paid with points also comes back as points. Points cannot be exchanged for money.`,
      },
    },
    {
      slug: 'backorders',
      tags: { ru: ['нет в наличии', 'под заказ', 'ожидает поступления'], en: ['out of stock', 'backorder', 'awaiting stock'] },
      title: { ru: 'Товар ожидает поступления', en: 'Backordered items' },
      body: {
        ru: 'Если товара нет ни на одном складе, заказ получает статус «Ожидает поступления»: мы соберём и отправим его, как только товар придёт, и напишем вам об этом. Ждать не обязательно — такой заказ можно отменить в любой момент до отправки, деньги и баллы вернутся полностью.',
        en: 'If an item is out of stock in every warehouse, the order becomes Backordered: we pack and ship it as soon as the goods arrive and e-mail you. You do not have to wait: such an order can be cancelled any time before it ships, with the money and points returned in full.',
      },
    },
    {
      slug: 'contact-support',
      tags: { ru: ['поддержка', 'связаться', 'оператор', 'чат'], en: ['support', 'contact us', 'agent', 'chat'] },
      title: { ru: 'Как связаться с поддержкой', en: 'Contacting support' },
      body: {
        ru: 'Напишите в чат на сайте, на почту, в мессенджер или позвоните нам — обращение из любого канала попадает в одну заявку, и вы получите ответ на языке, на котором написали (русский или английский). Укажите номер заказа (например, из письма с подтверждением), чтобы мы сразу нашли его. Ассистент в чате отвечает на вопросы о статусе заказа, доставке и возврате круглосуточно; если он не уверен в ответе, он передаёт вопрос оператору.',
        en: 'Write in the chat on the site, by e-mail, in a messenger, or call us: every channel lands in one ticket, and you get the answer in the language you wrote in (Russian or English). Give the order number (from the confirmation e-mail, for example) so we find it at once. The chat assistant answers questions about order status, delivery and returns around the clock; when it is not sure, it hands the question to an agent.',
      },
    },
  ];
}

/** The facts the articles quote, as the store's services give them now. */
export async function knowledgeFacts(ctx: ServiceContext): Promise<KnowledgeFacts> {
  const [policy, program, warehouses] = await Promise.all([getReturnPolicy(ctx), getProgram(ctx), listAllWarehouses(ctx)]);
  const counts = new Map<string, number>();
  for (const w of warehouses) counts.set(w.cutoffTime, (counts.get(w.cutoffTime) ?? 0) + 1);
  const cutoff = [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '14:00';
  return { returns: policy, loyalty: program, cutoff };
}

/** Upserts the demo articles whose stored text differs (or is absent); a second run writes nothing. */
export async function seedKnowledge(ctx: ServiceContext): Promise<{ created: number; updated: number; unchanged: number }> {
  const articles = demoKnowledgeArticles(await knowledgeFacts(ctx));
  const out = { created: 0, updated: 0, unchanged: 0 };
  for (const locale of ['ru', 'en'] as const) {
    const stored = new Map((await articlesBySlugs(ctx, locale, articles.map((a) => a.slug))).map((a) => [a.slug, a]));
    for (const a of articles) {
      const have = stored.get(a.slug);
      const want = { slug: a.slug, locale, title: a.title[locale], body: a.body[locale], tags: a.tags[locale] };
      if (have && have.title === want.title && have.body === want.body && JSON.stringify(have.tags) === JSON.stringify(want.tags)) {
        out.unchanged++;
        continue;
      }
      await upsertArticle(ctx, want);
      out[have ? 'updated' : 'created']++;
    }
  }
  return out;
}
