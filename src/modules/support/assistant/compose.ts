/**
 * composeAnswer(intent, language, facts): the assistant's reply in Russian or English, built from
 * plain facts the service fills from live data (orders, shipments, returns policy, delivery
 * options, loyalty, knowledge base). Pure: no database, no clock (dates come in the facts), no
 * GraphQL. Dates and numbers through Intl in the answer's locale, money through formatMoney.
 *
 * An anonymous caller's order question gets `{ access: 'ANONYMOUS' }`: general instructions,
 * never the order's details — the facts type has no room for them.
 */
import { formatMoney, type Money } from '../../../shared/money.js';
import type { SupportLanguage } from '../language.js';
import type { AssistantIntent } from './intents.js';

export interface OrderFacts {
  number: string;
  /** orders.status: ALLOCATED, BACKORDERED, PICKING, PACKED, PARTIALLY_SHIPPED, SHIPPED, DELIVERED, CANCELLED. */
  status: string;
  createdAt: Date;
  itemsCount: number;
}

export interface TrackingFacts {
  /** The shipment's status: LABEL_CREATED, IN_TRANSIT, OUT_FOR_DELIVERY, AT_PICKUP_POINT, DELIVERED, FAILED_ATTEMPT, EXCEPTION, RETURNED_TO_SENDER. */
  status: string;
  /** The last tracking event as the carrier wrote it (its own language). */
  description: string | null;
  location: string | null;
  occurredAt: Date;
  carrierName: string | null;
  trackingNumber: string | null;
  estimatedDelivery: Date | null;
}

/**
 * What the caller may know about an order: OWNER (its CUSTOMER or a key with read_orders) gets the
 * facts; ANONYMOUS general instructions; NOT_FOUND (no such order, or not the caller's: the same
 * answer, so existence does not leak); PARCEL_NOT_FOUND (the same for a tracking number the question
 * names); NEED_NUMBER (a customer with no order named).
 */
export type OrderAccessFacts =
  | { access: 'OWNER'; order: OrderFacts; shipment: TrackingFacts | null }
  | { access: 'ANONYMOUS' }
  | { access: 'NOT_FOUND'; orderNumber: string }
  | { access: 'PARCEL_NOT_FOUND'; trackingNumber: string }
  | { access: 'NEED_NUMBER' };

export interface ReturnPolicyFacts {
  windowDays: number;
  restockingFeePercent: number;
  nonReturnableCategories: readonly string[];
}

export interface DeliveryOptionFacts {
  serviceName: string;
  carrierName: string;
  price: Money;
  transitDaysMin: number;
  transitDaysMax: number;
}

export interface LoyaltyFacts {
  balance: number;
  tierName: string;
  /** Points that expire next and when; null when none do within the program's horizon. */
  expiring: { points: number; on: Date } | null;
}

export interface ArticleFacts {
  title: string;
  excerpt: string;
}

/** The facts each intent's answer is composed from. */
export interface FactsByIntent {
  ORDER_STATUS: OrderAccessFacts;
  TRACKING: OrderAccessFacts;
  RETURN_POLICY: { policy: ReturnPolicyFacts };
  /** `order` when the caller named an order it may read (its status says whether it can be returned yet). */
  RETURN_REQUEST: { policy: ReturnPolicyFacts; order: OrderFacts | null };
  /** `city` null when the question named none (options are then for the store's main city, `city` of the options). */
  DELIVERY_OPTIONS: { city: string | null; options: readonly DeliveryOptionFacts[] };
  /** null for a caller without a customer account (anonymous). */
  LOYALTY_BALANCE: { loyalty: LoyaltyFacts | null };
  /** Best first; empty when the knowledge base has nothing. */
  FAQ: { articles: readonly ArticleFacts[] };
  /** The ticket opened for the question; null when none could be (e.g. no contact to answer). */
  HANDOFF: { ticketNumber: string | null };
}

export interface ComposeOptions {
  /** IANA zone dates are shown in (the store's). Default Europe/Moscow. */
  timeZone?: string;
}

const ORDER_STATUS_LABELS: Record<SupportLanguage, Record<string, string>> = {
  en: { ALLOCATED: 'accepted and being prepared', BACKORDERED: 'waiting for stock', PICKING: 'being picked in the warehouse', PACKED: 'packed and waiting for the carrier', PARTIALLY_SHIPPED: 'partly shipped', SHIPPED: 'shipped', DELIVERED: 'delivered', CANCELLED: 'cancelled' },
  ru: { ALLOCATED: 'принят и готовится к сборке', BACKORDERED: 'ожидает поступления товара', PICKING: 'собирается на складе', PACKED: 'упакован и ждёт передачи в службу доставки', PARTIALLY_SHIPPED: 'отправлен частично', SHIPPED: 'отправлен', DELIVERED: 'доставлен', CANCELLED: 'отменён' },
};

const SHIPMENT_STATUS_LABELS: Record<SupportLanguage, Record<string, string>> = {
  en: { LABEL_CREATED: 'label created, not yet handed to the carrier', IN_TRANSIT: 'in transit', OUT_FOR_DELIVERY: 'out for delivery', AT_PICKUP_POINT: 'waiting at the pickup point', DELIVERED: 'delivered', FAILED_ATTEMPT: 'delivery attempt failed', EXCEPTION: 'delayed by a problem at the carrier', RETURNED_TO_SENDER: 'returned to the sender' },
  ru: { LABEL_CREATED: 'этикетка создана, посылка ещё не передана перевозчику', IN_TRANSIT: 'в пути', OUT_FOR_DELIVERY: 'передана курьеру', AT_PICKUP_POINT: 'ожидает в пункте выдачи', DELIVERED: 'доставлена', FAILED_ATTEMPT: 'неудачная попытка доставки', EXCEPTION: 'задержана из-за проблемы у перевозчика', RETURNED_TO_SENDER: 'возвращена отправителю' },
};

/** The customer-facing words of an order status ("SHIPPED" → "отправлен"); the code itself when unknown. */
export const orderStatusLabel = (status: string, language: SupportLanguage): string => ORDER_STATUS_LABELS[language][status] ?? status;

/** The customer-facing words of a shipment status ("IN_TRANSIT" → "in transit"). */
export const shipmentStatusLabel = (status: string, language: SupportLanguage): string => SHIPMENT_STATUS_LABELS[language][status] ?? status;

const LOCALE: Record<SupportLanguage, string> = { ru: 'ru-RU', en: 'en-GB' };

function fmtDate(d: Date, language: SupportLanguage, o: ComposeOptions): string {
  return new Intl.DateTimeFormat(LOCALE[language], { day: 'numeric', month: 'long', year: 'numeric', timeZone: o.timeZone ?? 'Europe/Moscow' }).format(d);
}

/** Ends a sentence with one full stop (a Russian date already ends in "г."). */
const stop = (s: string): string => (s.endsWith('.') ? s : `${s}.`);

function fmtDateTime(d: Date, language: SupportLanguage, o: ComposeOptions): string {
  return new Intl.DateTimeFormat(LOCALE[language], { day: 'numeric', month: 'long', hour: '2-digit', minute: '2-digit', timeZone: o.timeZone ?? 'Europe/Moscow' }).format(d);
}

/** "3 товара", "1 item": plural rules through Intl.PluralRules. */
function count(n: number, language: SupportLanguage, forms: Record<Intl.LDMLPluralRule, string> | Partial<Record<Intl.LDMLPluralRule, string>>): string {
  const rule = new Intl.PluralRules(LOCALE[language]).select(n);
  return `${new Intl.NumberFormat(LOCALE[language]).format(n)} ${forms[rule] ?? forms.other}`;
}
const ITEMS = { ru: { one: 'товар', few: 'товара', many: 'товаров', other: 'товара' }, en: { one: 'item', other: 'items' } };
const DAYS = { ru: { one: 'день', few: 'дня', many: 'дней', other: 'дня' }, en: { one: 'day', other: 'days' } };
const POINTS = { ru: { one: 'балл', few: 'балла', many: 'баллов', other: 'балла' }, en: { one: 'point', other: 'points' } };

function fmtPercent(p: number, language: SupportLanguage): string {
  return new Intl.NumberFormat(LOCALE[language], { style: 'percent', maximumFractionDigits: 2 }).format(p / 100);
}

function daysRange(min: number, max: number, language: SupportLanguage): string {
  if (max === 0) return language === 'ru' ? 'в день заказа' : 'the same day';
  return min === max ? count(max, language, DAYS[language]) : `${min}–${count(max, language, DAYS[language])}`;
}

const ORDER_HELP = {
  ru: 'Чтобы узнать статус заказа, войдите в личный кабинет или откройте ссылку из письма о заказе; посылку можно отследить по трек-номеру на странице отслеживания. Если вы уже вошли, назовите номер заказа из письма, и я проверю его.',
  en: 'To see the status of an order, sign in to your account or open the link in the order e-mail; a parcel can be followed by its tracking number on the tracking page. If you are signed in, tell me the order number from the order e-mail and I will check it.',
};

function orderAnswer(intent: 'ORDER_STATUS' | 'TRACKING', language: SupportLanguage, f: OrderAccessFacts, o: ComposeOptions): string {
  const ru = language === 'ru';
  switch (f.access) {
    case 'ANONYMOUS':
      return ORDER_HELP[language];
    case 'NOT_FOUND':
      return ru
        ? `Я не нашёл среди ваших заказов заказ ${f.orderNumber}. Проверьте номер (он есть в письме о заказе) или войдите в аккаунт, с которого оформляли заказ.`
        : `I could not find order ${f.orderNumber} among your orders. Please check the number (it is in the order e-mail) or sign in with the account the order was placed from.`;
    case 'PARCEL_NOT_FOUND':
      return ru
        ? `Я не нашёл среди посылок ваших заказов посылку с трек-номером ${f.trackingNumber}. Проверьте номер или назовите номер заказа из письма о заказе.`
        : `I could not find a parcel with tracking number ${f.trackingNumber} among your orders. Please check the number, or tell me the order number from the order e-mail.`;
    case 'NEED_NUMBER':
      return ru ? 'Назовите, пожалуйста, номер заказа (например, WB-100123) — я проверю его статус и доставку.' : 'Please tell me the order number (e.g. WB-100123) and I will check its status and delivery.';
    case 'OWNER': {
      const { order, shipment } = f;
      const parts: string[] = [];
      const items = count(order.itemsCount, language, ITEMS[language]);
      const lead = ru
        ? `Заказ ${order.number} от ${fmtDate(order.createdAt, language, o)} (${items}) ${orderStatusLabel(order.status, language)}.`
        : `Order ${order.number} of ${fmtDate(order.createdAt, language, o)} (${items}) is ${orderStatusLabel(order.status, language)}.`;
      if (intent === 'ORDER_STATUS' || !shipment) parts.push(lead);
      if (shipment) {
        const via = shipment.carrierName ? (ru ? ` (${shipment.carrierName}${shipment.trackingNumber ? `, трек-номер ${shipment.trackingNumber}` : ''})` : ` (${shipment.carrierName}${shipment.trackingNumber ? `, tracking number ${shipment.trackingNumber}` : ''})`) : shipment.trackingNumber ? (ru ? ` (трек-номер ${shipment.trackingNumber})` : ` (tracking number ${shipment.trackingNumber})`) : '';
        const where = [shipment.description, shipment.location].filter(Boolean).join(', ');
        parts.push(
          ru
            ? `${intent === 'TRACKING' ? `Посылка по заказу ${order.number}` : 'Посылка'}${via}: ${shipmentStatusLabel(shipment.status, language)}. Последнее событие ${fmtDateTime(shipment.occurredAt, language, o)}${where ? ` — ${where}` : ''}.`
            : `${intent === 'TRACKING' ? `The parcel of order ${order.number}` : 'The parcel'}${via} is ${shipmentStatusLabel(shipment.status, language)}. Last update ${fmtDateTime(shipment.occurredAt, language, o)}${where ? `: ${where}` : ''}.`,
        );
        if (shipment.estimatedDelivery && shipment.status !== 'DELIVERED' && shipment.status !== 'RETURNED_TO_SENDER') {
          parts.push(stop(ru ? `Ожидаемая дата доставки — ${fmtDate(shipment.estimatedDelivery, language, o)}` : `Expected delivery: ${fmtDate(shipment.estimatedDelivery, language, o)}`));
        }
      } else if (intent === 'TRACKING' && order.status !== 'CANCELLED' && order.status !== 'DELIVERED') {
        parts.push(ru ? 'Посылка ещё не передана в службу доставки; трек-номер появится, когда заказ отправят.' : 'The parcel has not been handed to a carrier yet; the tracking number appears once the order ships.');
      }
      return parts.join(' ');
    }
  }
}

/** The reply for `intent` in `language` from `facts`. */
export function composeAnswer<I extends AssistantIntent>(intent: I, language: SupportLanguage, facts: FactsByIntent[I], options: ComposeOptions = {}): string {
  const ru = language === 'ru';
  switch (intent) {
    case 'ORDER_STATUS':
    case 'TRACKING':
      return orderAnswer(intent, language, facts as OrderAccessFacts, options);
    case 'RETURN_POLICY':
    case 'RETURN_REQUEST': {
      const { policy } = facts as FactsByIntent['RETURN_POLICY'];
      const days = count(policy.windowDays, language, DAYS[language]);
      const fee = policy.restockingFeePercent > 0 ? (ru ? `удерживается сбор ${fmtPercent(policy.restockingFeePercent, language)} от стоимости товара` : `a restocking fee of ${fmtPercent(policy.restockingFeePercent, language)} of the item price is kept`) : ru ? 'без сбора за возврат' : 'with no restocking fee';
      const excluded = policy.nonReturnableCategories.length
        ? ru ? ` Не принимаются к возврату товары категорий: ${policy.nonReturnableCategories.join(', ')}.` : ` Items in these categories cannot be returned: ${policy.nonReturnableCategories.join(', ')}.`
        : '';
      const rules = ru ? `Вернуть товар можно в течение ${days} после получения, ${fee}.${excluded}` : `You can return an item within ${days} of receiving it, ${fee}.${excluded}`;
      if (intent === 'RETURN_POLICY') return rules;
      const order = (facts as FactsByIntent['RETURN_REQUEST']).order;
      const how = ru
        ? 'Оформите возврат в личном кабинете: выберите заказ и товары, укажите причину — мы пришлём этикетку для отправки, а деньги вернём после проверки товара.'
        : 'Start the return in your account: choose the order and the items and give a reason; we send you a return label and refund once the items are inspected.';
      const about = !order
        ? ''
        : order.status === 'DELIVERED' || order.status === 'PARTIALLY_SHIPPED' || order.status === 'SHIPPED'
          ? ru ? ` Заказ ${order.number} (${orderStatusLabel(order.status, language)}) можно вернуть по этим правилам.` : ` Order ${order.number} (${orderStatusLabel(order.status, language)}) can be returned under these rules.`
          : ru ? ` Заказ ${order.number} ${orderStatusLabel(order.status, language)}: вернуть можно только полученный товар.` : ` Order ${order.number} is ${orderStatusLabel(order.status, language)}: only items you have received can be returned.`;
      return `${how}${about} ${rules}`;
    }
    case 'DELIVERY_OPTIONS': {
      const { city, options } = facts as FactsByIntent['DELIVERY_OPTIONS'];
      // "в город Казань": the city as addresses store it (nominative) reads right after "город".
      const to = city ? (ru ? ` в город ${city}` : ` to ${city}`) : '';
      if (!options.length) {
        return ru ? `К сожалению, доставки${to} сейчас нет ни одним из наших способов.` : `Sorry, none of our delivery services reaches${to || ' that address'} at the moment.`;
      }
      const sorted = [...options].sort((a, b) => a.price.amountMinor - b.price.amountMinor);
      const lines = sorted.map((x) => `• ${x.serviceName} (${x.carrierName}): ${formatMoney(x.price, LOCALE[language])}, ${daysRange(x.transitDaysMin, x.transitDaysMax, language)}`);
      const head = ru ? `Варианты доставки${to}:` : `Delivery options${to}:`;
      const tail = ru ? 'Точная цена зависит от веса заказа и адреса и показывается при оформлении.' : 'The exact price depends on the parcel weight and the address and is shown at checkout.';
      return [head, ...lines, tail].join('\n');
    }
    case 'LOYALTY_BALANCE': {
      const { loyalty } = facts as FactsByIntent['LOYALTY_BALANCE'];
      if (!loyalty) {
        return ru ? 'Баланс баллов виден в личном кабинете. Войдите в аккаунт, и я подскажу, сколько у вас баллов и какой уровень.' : 'Your points balance is in your account. Sign in and I will tell you your balance and tier.';
      }
      const bal = count(loyalty.balance, language, POINTS[language]);
      const exp = loyalty.expiring && loyalty.expiring.points > 0
        ? ` ${stop(ru ? `${count(loyalty.expiring.points, language, POINTS[language])} сгорят ${fmtDate(loyalty.expiring.on, language, options)}` : `${count(loyalty.expiring.points, language, POINTS[language])} expire on ${fmtDate(loyalty.expiring.on, language, options)}`)}`
        : '';
      return ru ? `На вашем бонусном счёте ${bal}, уровень — ${loyalty.tierName}.${exp}` : `You have ${bal}; your tier is ${loyalty.tierName}.${exp}`;
    }
    case 'FAQ': {
      const { articles } = facts as FactsByIntent['FAQ'];
      const best = articles[0];
      if (!best) return ru ? 'Я не нашёл ответа в нашей базе знаний.' : 'I could not find an answer in our help centre.';
      const more = articles.length > 1 ? (ru ? `\nСм. также: ${articles.slice(1, 3).map((a) => a.title).join('; ')}.` : `\nSee also: ${articles.slice(1, 3).map((a) => a.title).join('; ')}.`) : '';
      return `${best.title}\n${best.excerpt}${more}`;
    }
    case 'HANDOFF': {
      const { ticketNumber } = facts as FactsByIntent['HANDOFF'];
      if (!ticketNumber) return ru ? 'Я не уверен, что смогу ответить правильно. Напишите нам на почту или в чат — сотрудник поддержки ответит.' : 'I am not sure I can answer that correctly. Please write to us by e-mail or chat and a support agent will answer.';
      return ru
        ? `Я не уверен, что отвечу правильно, поэтому передал ваш вопрос сотруднику: открыто обращение ${ticketNumber}. Агент поддержки ответит вам здесь и по почте.`
        : `I am not sure I can answer that correctly, so I have passed your question to our team: I have opened ticket ${ticketNumber}. A support agent will answer you here and by e-mail.`;
    }
  }
  throw new RangeError(`unknown intent ${String(intent)}`);
}
