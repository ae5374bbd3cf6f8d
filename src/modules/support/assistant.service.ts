/**
 * assistantAsk: a customer's (or anyone's) question answered from live data in the question's
 * language, or handed off to a person as a ticket when the assistant is not sure.
 *
 * The brain (intent, confidence, entities, wording) is pure and pluggable (`AssistantBrain`,
 * chosen by ASSISTANT_PROVIDER; `builtin` is the rules + naive Bayes model of ./assistant/); this
 * service only gathers the facts the caller may read, through the other modules' services:
 * - orders and their parcels: a CUSTOMER its own (its latest when it names none), read_orders any;
 *   anyone else gets general instructions and never an order's details;
 * - the return policy, delivery prices from the rate cards, the knowledge base: public;
 * - loyalty: the CUSTOMER's own account.
 */
import { BusinessError } from '../../shared/errors.js';
import { money } from '../../shared/money.js';
import { hasScope } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { transact } from '../../events/outbox.js';
import { rateQuotes } from '../carriers/rate-quotes.js';
import { carrierCatalog } from '../carriers/carrier.service.js';
import { accountViews, nextExpiry } from '../loyalty/loyalty.accounts.js';
import { getProgram } from '../loyalty/loyalty.program.js';
import { linesByOrderIds, listOrders, orderByReference, ordersByIds, type OrderRow } from '../orders/order.service.js';
import { getReturnPolicy } from '../returns/returns.policy.js';
import { eventsByShipmentIds, shipmentIdByTrackingNumber, shipmentsByIds, shipmentsByOrderIds, type ShipmentRow } from '../shipments/shipment.service.js';
import { classify, type Classification } from './assistant/classifier.js';
import { composeAnswer, type ArticleFacts, type FactsByIntent, type OrderAccessFacts, type TrackingFacts } from './assistant/compose.js';
import type { AssistantIntent } from './assistant/intents.js';
import { canonicalTag, detectLanguage, supportedLanguage, type SupportLanguage } from './language.js';
import { insertTicket, type TicketRow } from './ticket.service.js';
import { searchArticles, type KnowledgeArticleRow } from './knowledge/knowledge.service.js';

export const QUESTION_MAX = 2000;

/**
 * What answers: a classifier and a writer. The built-in one runs in the process; an LLM provider
 * would implement the same two calls (and keep the facts: it phrases, it does not look data up).
 */
export interface AssistantBrain {
  classify(question: string, language: SupportLanguage): Classification;
  compose<I extends AssistantIntent>(intent: I, language: SupportLanguage, facts: FactsByIntent[I]): string;
}

export const builtinBrain: AssistantBrain = {
  classify: (question, language) => classify(question, language),
  compose: (intent, language, facts) => composeAnswer(intent, language, facts),
};

const BRAINS: Record<string, AssistantBrain> = { builtin: builtinBrain };

export interface AskInput {
  question: string;
  locale?: string | null;
  orderNumber?: string | null;
}

export interface AssistantReply {
  answer: string;
  language: SupportLanguage;
  intent: AssistantIntent;
  confidence: number;
  /** Knowledge base articles the answer came from, best first. */
  sources: KnowledgeArticleRow[];
  /** The order the answer is about, when the caller may read it. */
  order: OrderRow | null;
  handoffTicket: TicketRow | null;
}

/**
 * Where the cities customers name are, for delivery prices (region and a postal code of the centre:
 * rate cards match by region or postal prefix). Geography, not store data.
 */
const CITY_PLACES: Record<string, { region: string; postalCode: string }> = {
  Москва: { region: 'Москва', postalCode: '101000' },
  'Санкт-Петербург': { region: 'Санкт-Петербург', postalCode: '190000' },
  Казань: { region: 'Республика Татарстан', postalCode: '420111' },
  Екатеринбург: { region: 'Свердловская область', postalCode: '620014' },
  Новосибирск: { region: 'Новосибирская область', postalCode: '630099' },
  'Нижний Новгород': { region: 'Нижегородская область', postalCode: '603005' },
  Самара: { region: 'Самарская область', postalCode: '443099' },
  'Ростов-на-Дону': { region: 'Ростовская область', postalCode: '344002' },
  Краснодар: { region: 'Краснодарский край', postalCode: '350000' },
  Воронеж: { region: 'Воронежская область', postalCode: '394018' },
  Уфа: { region: 'Республика Башкортостан', postalCode: '450077' },
  Пермь: { region: 'Пермский край', postalCode: '614000' },
  Тула: { region: 'Тульская область', postalCode: '300041' },
  Ярославль: { region: 'Ярославская область', postalCode: '150000' },
};
/** Where a question that names no city is priced to: the store's main market. */
const DEFAULT_CITY = 'Москва';
/** The parcel a delivery price is quoted for when no cart is known. */
const TYPICAL_PARCEL_GRAMS = 1000;

/** The caller reads orders at all (its own as a CUSTOMER, any with read_orders). */
const readsOrders = (ctx: ServiceContext): boolean => (ctx.principal.kind === 'CUSTOMER' && !!ctx.principal.customerId) || hasScope(ctx.principal, 'read_orders');

/**
 * The order (and parcel) a question is about: the one it names by number, else the parcel it names
 * by tracking number (one the caller may see: a CUSTOMER's own), else a CUSTOMER's latest order.
 */
async function orderFacts(ctx: ServiceContext, reference: string | undefined, trackingNumber?: string): Promise<{ facts: OrderAccessFacts; order: OrderRow | null }> {
  if (!readsOrders(ctx)) return { facts: { access: 'ANONYMOUS' }, order: null };
  let order: OrderRow | null = null;
  let named: ShipmentRow | null = null;
  if (reference) {
    order = await orderByReference(ctx, reference);
    if (!order) return { facts: { access: 'NOT_FOUND', orderNumber: reference }, order: null };
  } else if (trackingNumber) {
    const id = await shipmentIdByTrackingNumber(ctx, trackingNumber);
    named = id ? ((await shipmentsByIds(ctx, [id]))[0] ?? null) : null;
    order = named ? ((await ordersByIds(ctx, [named.orderId]))[0] ?? null) : null;
    if (!order) return { facts: { access: 'PARCEL_NOT_FOUND', trackingNumber }, order: null };
  } else if (ctx.principal.kind === 'CUSTOMER') {
    order = (await listOrders(ctx, { first: 1 })).items[0] ?? null;
  }
  if (!order) return { facts: { access: 'NEED_NUMBER' }, order: null };
  const [lines, parcels] = await Promise.all([linesByOrderIds(ctx, [order.id]), named ? [] : shipmentsByOrderIds(ctx, [order.id])]);
  const parcel = named ?? parcels.at(-1);
  let shipment: TrackingFacts | null = null;
  if (parcel) {
    const [events, catalog] = await Promise.all([eventsByShipmentIds(ctx, [parcel.id]), carrierCatalog(ctx)]);
    const last = [...events].sort((a, b) => +a.occurredAt - +b.occurredAt).at(-1);
    shipment = {
      status: parcel.status,
      description: last?.description ?? null,
      location: last?.location ?? null,
      occurredAt: last?.occurredAt ?? parcel.createdAt,
      carrierName: catalog.carriers.find((c) => c.id === parcel.carrierId)?.name ?? null,
      trackingNumber: parcel.trackingNumber,
      estimatedDelivery: parcel.status === 'DELIVERED' ? null : (parcel.estimatedDeliveryTo ?? order.estimatedDeliveryTo ?? null),
    };
  }
  return {
    facts: { access: 'OWNER', order: { number: order.number, status: order.status, createdAt: order.createdAt, itemsCount: lines.reduce((s, l) => s + l.quantity, 0) }, shipment },
    order,
  };
}

async function policyFacts(ctx: ServiceContext) {
  const p = await getReturnPolicy(ctx);
  return { windowDays: p.windowDays, restockingFeePercent: p.restockingFeePercent, nonReturnableCategories: p.nonReturnableCategories };
}

/** Knowledge base articles for the question, best first (the excerpt: the body's first paragraph, at most 400 characters). */
async function articles(ctx: ServiceContext, question: string, language: SupportLanguage): Promise<{ rows: KnowledgeArticleRow[]; facts: ArticleFacts[] }> {
  const found = await searchArticles(ctx, { locale: language, query: question, first: 3 });
  const rows = found.map((f) => f.article);
  const facts = rows.map((a) => {
    const para = a.body.split(/\n\s*\n/)[0]!.trim();
    return { title: a.title, excerpt: para.length > 400 ? `${para.slice(0, 397).trimEnd()}…` : para };
  });
  return { rows, facts };
}

/**
 * Answers a question. Errors (BAD_USER_INPUT-class, nothing written): INVALID (empty question,
 * a locale that is not a BCP 47 tag), TOO_LONG (over 2000 characters).
 */
export async function askAssistant(ctx: ServiceContext, input: AskInput): Promise<AssistantReply> {
  const question = input.question.trim();
  if (!question) throw BusinessError.of('INVALID', 'Ask a question.', ['input', 'question']);
  if (question.length > QUESTION_MAX) throw BusinessError.of('TOO_LONG', `A question is at most ${QUESTION_MAX} characters.`, ['input', 'question']);
  if (input.locale?.trim() && !canonicalTag(input.locale)) throw BusinessError.of('INVALID', 'locale must be a BCP 47 tag, e.g. ru or en.', ['input', 'locale']);
  const brain = BRAINS[ctx.config.ASSISTANT_PROVIDER] ?? builtinBrain;
  // The question's language: the locale given (ru or en), else detected from the question.
  const language = supportedLanguage(input.locale) ?? detectLanguage(question, 'ru');
  const c = brain.classify(question, language);
  const reference = input.orderNumber?.trim() || c.entities.orderNumber;
  const reply = (intent: AssistantIntent, answer: string, extra: Partial<AssistantReply> = {}): AssistantReply => ({
    answer,
    language,
    intent,
    confidence: c.confidence,
    sources: [],
    order: null,
    handoffTicket: null,
    ...extra,
  });

  switch (c.intent) {
    case 'ORDER_STATUS':
    case 'TRACKING': {
      const { facts, order } = await orderFacts(ctx, reference, c.entities.trackingNumber);
      return reply(c.intent, brain.compose(c.intent, language, facts), { order });
    }
    case 'RETURN_POLICY': {
      const kb = await articles(ctx, question, language);
      return reply(c.intent, brain.compose('RETURN_POLICY', language, { policy: await policyFacts(ctx) }), { sources: kb.rows.slice(0, 1) });
    }
    case 'RETURN_REQUEST': {
      const [{ facts, order }, policy] = await Promise.all([reference || ctx.principal.kind === 'CUSTOMER' ? orderFacts(ctx, reference) : Promise.resolve({ facts: null, order: null }), policyFacts(ctx)]);
      const orderFact = facts?.access === 'OWNER' ? facts.order : null;
      return reply(c.intent, brain.compose('RETURN_REQUEST', language, { policy, order: orderFact }), { order: orderFact ? order : null });
    }
    case 'DELIVERY_OPTIONS': {
      // A city the table does not place is priced (and named in the answer) as the store's main city.
      const city = c.entities.city && CITY_PLACES[c.entities.city] ? c.entities.city : null;
      const place = CITY_PLACES[city ?? DEFAULT_CITY]!;
      const program = await getProgram(ctx);
      const quotes = await rateQuotes(ctx, { destination: { countryCode: 'RU', ...place }, weightGrams: TYPICAL_PARCEL_GRAMS, currency: program.currency });
      const options = quotes.map((q) => ({ serviceName: q.serviceName, carrierName: q.carrierName, price: money(q.priceMinor, q.currency), transitDaysMin: q.transitDaysMin, transitDaysMax: q.transitDaysMax }));
      return reply(c.intent, brain.compose('DELIVERY_OPTIONS', language, { city: city ?? DEFAULT_CITY, options }));
    }
    case 'LOYALTY_BALANCE': {
      const p = ctx.principal;
      if (p.kind !== 'CUSTOMER' || !p.customerId) return reply(c.intent, brain.compose('LOYALTY_BALANCE', language, { loyalty: null }));
      const [[view], expiring] = await Promise.all([accountViews(ctx, [p.customerId]), nextExpiry(ctx, p.customerId)]);
      return reply(c.intent, brain.compose('LOYALTY_BALANCE', language, { loyalty: { balance: view!.balance, tierName: view!.tier.name, expiring } }));
    }
    case 'FAQ': {
      const kb = await articles(ctx, question, language);
      // Nothing in the knowledge base: not sure after all.
      if (kb.rows.length) return reply(c.intent, brain.compose('FAQ', language, { articles: kb.facts }), { sources: kb.rows });
      return handOff(ctx, brain, question, language, reference, c, reply);
    }
    default:
      return handOff(ctx, brain, question, language, reference, c, reply);
  }
}

/**
 * Opens a ticket with the question (and the assistant's note) for a person to answer: the
 * customer's, on its order when it named one it may read; an anonymous question is a ticket
 * without a customer (the chat widget collects a contact).
 */
async function handOff(
  ctx: ServiceContext,
  brain: AssistantBrain,
  question: string,
  language: SupportLanguage,
  reference: string | undefined,
  c: Classification,
  reply: (intent: AssistantIntent, answer: string, extra?: Partial<AssistantReply>) => AssistantReply,
): Promise<AssistantReply> {
  const p = ctx.principal;
  const customerId = p.kind === 'CUSTOMER' ? (p.customerId ?? null) : null;
  const order = customerId && reference ? await orderByReference(ctx, reference) : null;
  const ticket = await transact(ctx, (tx, events) =>
    insertTicket(ctx, tx, events, {
      channel: 'CHAT',
      subject: question.length > 80 ? `${question.slice(0, 77).trimEnd()}…` : question,
      body: question,
      customerId,
      orderId: order?.id ?? null,
      language,
      priority: 'NORMAL',
      createdBy: 'assistant',
      followUps: [
        {
          authorKind: 'ASSISTANT',
          internal: true,
          body: `Handed off: ${c.reason}${c.bestGuess ? `; best guess ${c.bestGuess.intent} at ${c.bestGuess.confidence.toFixed(2)}` : ''} (threshold ${c.threshold.toFixed(2)}).`,
        },
      ],
    }),
  );
  return reply('HANDOFF', brain.compose('HANDOFF', language, { ticketNumber: ticket.number }), { handoffTicket: ticket, order });
}
