/**
 * Message templates of customer notifications, in ICU MessageFormat, rendered with FormatJS's
 * `intl-messageformat` (plural rules from the runtime's Intl.PluralRules, so "1 товар / 2 товара /
 * 5 товаров / 21 товар" come out right without hand-written rules).
 *
 * Every template has a subject and a text body per language; a locale without a catalogue falls
 * back to English, and the caller records the language actually used.
 */
import { IntlMessageFormat } from 'intl-messageformat';

export const TEMPLATES = ['order_confirmed', 'order_processing', 'order_shipped', 'order_delivered', 'order_cancelled'] as const;
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
  /** Tracking links of the parcels (order_shipped). */
  trackingLinks?: string[];
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
  const v = { number: values.number, count: values.count, name: name ?? '', hasName: name ? 'yes' : 'no', tracking: links.join('\n'), hasTracking: links.length ? 'yes' : 'no' };
  return { locale, subject: format(m.subject, locale, v), body: format(m.body, locale, v) };
}
