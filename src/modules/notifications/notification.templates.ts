/**
 * Message templates of customer notifications, in ICU MessageFormat, rendered with FormatJS's
 * `intl-messageformat` (plural rules from the runtime's Intl.PluralRules, so "1 товар / 2 товара /
 * 5 товаров / 21 товар" come out right without hand-written rules).
 *
 * Every template has a subject and a text body per language; a locale without a catalogue falls
 * back to English, and the caller records the language actually used.
 *
 * Text that people wrote (an agent's reply, a ticket's subject, a rejection reason, a name) is
 * always passed as an argument, never put into a pattern: intl-messageformat inserts argument
 * values as they are (braces, apostrophes, `#` and markup are not interpreted), and the bodies are
 * plain text (sent as text/plain).
 */
import { IntlMessageFormat } from 'intl-messageformat';
import { formatMoney, type Money } from '../../shared/money.js';

export const TEMPLATES = [
  'order_confirmed',
  'order_processing',
  'order_shipped',
  'order_delivered',
  'order_cancelled',
  'return_approved',
  'return_rejected',
  'return_received',
  'return_refunded',
  'csat_survey',
  'support_reply',
] as const;
export type TemplateName = (typeof TEMPLATES)[number];

interface Message {
  subject: string;
  body: string;
}

const ruItems = '{count, plural, one {# товар} few {# товара} many {# товаров} other {# товара}}';
const enItems = '{count, plural, one {# item} other {# items}}';
const ruHello = '{hasName, select, yes {Здравствуйте, {name}!} other {Здравствуйте!}}';
const enHello = '{hasName, select, yes {Hello {name},} other {Hello,}}';

const catalogues: Record<string, Record<TemplateName, Message>> = {
  ru: {
    order_confirmed: {
      subject: 'Заказ {number} подтверждён',
      body: `${ruHello}\n\nМы приняли ваш заказ {number}: ${ruItems}. Сообщим, когда начнём его собирать.\n\nWaybill`,
    },
    order_processing: {
      subject: 'Заказ {number} собирается',
      body: `${ruHello}\n\nСклад начал собирать ваш заказ {number} (${ruItems}).\n\nWaybill`,
    },
    order_shipped: {
      subject: 'Заказ {number} отправлен',
      body: `${ruHello}\n\nВаш заказ {number} (${ruItems}) передан в доставку.{hasTracking, select, yes {\n\nОтследить посылку: {tracking}} other {}}\n\nWaybill`,
    },
    order_delivered: {
      subject: 'Заказ {number} доставлен',
      body: `${ruHello}\n\nВаш заказ {number} (${ruItems}) доставлен. Спасибо за покупку!\n\nWaybill`,
    },
    order_cancelled: {
      subject: 'Заказ {number} отменён',
      body: `${ruHello}\n\nВаш заказ {number} (${ruItems}) отменён.\n\nWaybill`,
    },
    return_approved: {
      subject: 'Возврат {number} одобрен',
      body: `${ruHello}\n\nМы одобрили ваш возврат {number} по заказу {orderNumber}.{hasTracking, select, yes {\n\n{hasLabel, select, yes {Ярлык для посылки (PDF): {labelLink}} other {Ярлык для посылки — в разделе возвратов вашего личного кабинета.}}\nРаспечатайте ярлык, наклейте его на посылку и передайте её перевозчику. Трек-номер: {trackingNumber}\nОтследить посылку: {tracking}} other {\n\nМы свяжемся с вами, чтобы договориться, как забрать посылку.}}\n\nWaybill`,
    },
    return_rejected: {
      subject: 'Возврат {number} отклонён',
      body: `${ruHello}\n\nК сожалению, мы не можем принять возврат {number} по заказу {orderNumber}.{hasReason, select, yes {\n\nПричина: {reason}} other {}}\n\nWaybill`,
    },
    return_received: {
      subject: 'Возврат {number} получен',
      body: `${ruHello}\n\nСклад получил посылку по возврату {number} (заказ {orderNumber}). Мы проверим товары и сообщим о возврате денег.\n\nWaybill`,
    },
    return_refunded: {
      subject: 'Деньги по возврату {number} возвращены',
      body: `${ruHello}\n\nПо возврату {number} (заказ {orderNumber}) мы вернули {amount}. Срок зачисления зависит от вашего банка.\n\nWaybill`,
    },
    csat_survey: {
      subject: 'Как вам доставка заказа {number}?',
      body: `${ruHello}\n\nВаш заказ {number} доставлен. Оцените, пожалуйста, доставку от 1 до 5 — это займёт минуту и поможет нам стать лучше:\n{link}\n\nЕсли что-то пошло не так, ответьте в чате на сайте — мы разберёмся.\n\nWaybill`,
    },
    support_reply: {
      subject: 'Re: {subject} [{number}]',
      body: `${ruHello}\n\nОтвет на ваше обращение {number}:\n\n{reply}\n\nЧтобы ответить, напишите нам, указав номер обращения {number}.\n\nСлужба поддержки Waybill`,
    },
  },
  en: {
    order_confirmed: {
      subject: 'Order {number} confirmed',
      body: `${enHello}\n\nWe have received your order {number}: ${enItems}. We will let you know when we start packing it.\n\nWaybill`,
    },
    order_processing: {
      subject: 'Order {number} is being packed',
      body: `${enHello}\n\nThe warehouse has started picking your order {number} (${enItems}).\n\nWaybill`,
    },
    order_shipped: {
      subject: 'Order {number} shipped',
      body: `${enHello}\n\nYour order {number} (${enItems}) is on its way.{hasTracking, select, yes {\n\nTrack your parcel: {tracking}} other {}}\n\nWaybill`,
    },
    order_delivered: {
      subject: 'Order {number} delivered',
      body: `${enHello}\n\nYour order {number} (${enItems}) has been delivered. Thank you for your purchase!\n\nWaybill`,
    },
    order_cancelled: {
      subject: 'Order {number} cancelled',
      body: `${enHello}\n\nYour order {number} (${enItems}) has been cancelled.\n\nWaybill`,
    },
    return_approved: {
      subject: 'Return {number} approved',
      body: `${enHello}\n\nWe have approved your return {number} for order {orderNumber}.{hasTracking, select, yes {\n\n{hasLabel, select, yes {Parcel label (PDF): {labelLink}} other {The parcel label is in the returns section of your account.}}\nPrint the label, stick it on the parcel and hand the parcel to the carrier. Tracking number: {trackingNumber}\nTrack your parcel: {tracking}} other {\n\nWe will contact you to arrange the collection of the parcel.}}\n\nWaybill`,
    },
    return_rejected: {
      subject: 'Return {number} declined',
      body: `${enHello}\n\nUnfortunately we cannot accept your return {number} for order {orderNumber}.{hasReason, select, yes {\n\nReason: {reason}} other {}}\n\nWaybill`,
    },
    return_received: {
      subject: 'Return {number} received',
      body: `${enHello}\n\nOur warehouse has received the parcel of your return {number} (order {orderNumber}). We will inspect the items and let you know about the refund.\n\nWaybill`,
    },
    return_refunded: {
      subject: 'Return {number} refunded',
      body: `${enHello}\n\nWe have refunded {amount} for your return {number} (order {orderNumber}). How soon it reaches your account depends on your bank.\n\nWaybill`,
    },
    csat_survey: {
      subject: 'How was the delivery of order {number}?',
      body: `${enHello}\n\nYour order {number} has been delivered. Please rate the delivery from 1 to 5: it takes a minute and helps us improve:\n{link}\n\nIf something went wrong, write to us in the chat on our site and we will sort it out.\n\nWaybill`,
    },
    support_reply: {
      subject: 'Re: {subject} [{number}]',
      body: `${enHello}\n\nOur reply to your request {number}:\n\n{reply}\n\nTo answer, write to us quoting the request number {number}.\n\nWaybill support`,
    },
  },
};

export const FALLBACK_LOCALE = 'en';
export const SUPPORTED_LOCALES = Object.keys(catalogues);

/**
 * The catalogue language for a customer's BCP 47 locale: the full tag if we have it, else its
 * language ("ru-RU" -> ru), else en ("de" -> en).
 */
export function resolveLocale(tag: string | null | undefined): string {
  if (!tag) return FALLBACK_LOCALE;
  let language: string;
  let canonical: string;
  try {
    const l = new Intl.Locale(tag);
    language = l.language;
    canonical = l.toString();
  } catch {
    return FALLBACK_LOCALE;
  }
  if (catalogues[canonical]) return canonical;
  if (catalogues[language]) return language;
  return FALLBACK_LOCALE;
}

export interface TemplateValues {
  number: string;
  /** Units in the order (sum of line quantities). */
  count: number;
  name?: string | null;
  /** Tracking links of the parcels (order_shipped; return_approved: the return parcel's). */
  trackingLinks?: string[];
  /** The order a return belongs to (return_*). */
  orderNumber?: string | null;
  /** The return parcel's tracking number (return_approved). */
  trackingNumber?: string | null;
  /** Signed link to the return parcel's label PDF (return_approved), when links are configured. */
  labelLink?: string | null;
  /** Why a return was declined (return_rejected). */
  reason?: string | null;
  /** The refund (return_refunded), formatted in the message's locale here. */
  amount?: Money | null;
  /** The rating page (csat_survey). */
  link?: string | null;
  /** The ticket's subject (support_reply), as the customer wrote it. */
  subject?: string | null;
  /** The agent's reply (support_reply), verbatim. */
  reply?: string | null;
}

// Parsing a message costs more than formatting it; keep the parsed formats.
const compiled = new Map<string, IntlMessageFormat>();
function format(message: string, locale: string, values: Record<string, string | number>): string {
  const key = `${locale}\u0000${message}`;
  let f = compiled.get(key);
  if (!f) {
    f = new IntlMessageFormat(message, locale);
    compiled.set(key, f);
  }
  return String(f.format(values));
}

/** Renders a template in the customer's locale (with fallback); `locale` is the language used. */
export function renderTemplate(template: TemplateName, customerLocale: string | null | undefined, values: TemplateValues): { locale: string; subject: string; body: string } {
  const locale = resolveLocale(customerLocale);
  const m = catalogues[locale]![template];
  const name = values.name?.trim();
  const links = values.trackingLinks ?? [];
  const reason = values.reason?.trim();
  const v = {
    number: values.number,
    count: values.count,
    name: name ?? '',
    hasName: name ? 'yes' : 'no',
    tracking: links.join('\n'),
    hasTracking: links.length ? 'yes' : 'no',
    orderNumber: values.orderNumber ?? '',
    trackingNumber: values.trackingNumber ?? '',
    labelLink: values.labelLink ?? '',
    hasLabel: values.labelLink ? 'yes' : 'no',
    reason: reason ?? '',
    hasReason: reason ? 'yes' : 'no',
    amount: values.amount ? formatMoney(values.amount, locale) : '',
    link: values.link ?? '',
    subject: values.subject?.trim() ?? '',
    reply: values.reply ?? '',
  };
  return { locale, subject: format(m.subject, locale, v), body: format(m.body, locale, v) };
}
