/**
 * Scoring the assistant on a labelled evaluation set (test/fixtures/assistant/eval.json, format
 * in its README): intent accuracy per language, handoff precision and recall, the confusion pairs,
 * entity extraction. Pure, shared by `npm run bench:assistant` and the unit test. Answer
 * correctness (expected facts in the composed answer, forbidden facts absent) is `scoreAnswer`;
 * an FAQ answer is also judged by the article it came from (`FAQ_TOPIC_ARTICLES`); `leaks` lists
 * another customer's order details found in an answer.
 */
import type { SupportLanguage } from '../language.js';
import type { AssistantEntities } from './entities.js';
import type { AssistantIntent } from './intents.js';

export interface EvalItem {
  id: string;
  language: SupportLanguage;
  question: string;
  intent: AssistantIntent;
  /** Who asks: the owner of the order the item is about, or nobody signed in. */
  caller: 'CUSTOMER' | 'ANONYMOUS';
  /**
   * OTHER: the caller is a signed-in customer who does NOT own the item's order (the leak check:
   * the answer must hold none of that order's details). Absent: the owner, as `caller` says.
   */
  askedBy?: 'OTHER';
  /** AssistantAskInput.orderNumber (the order chosen in the chat widget), when given. */
  orderNumber?: string;
  /** Entities the question names, as extractEntities should find them. */
  entities?: AssistantEntities;
  /** FAQ: the knowledge-base topic the answer should come from. */
  topic?: string;
  /** Strings a correct answer contains; "{…}" placeholders are live facts of the seeded store. */
  facts: string[];
  /** Strings a correct answer must not contain (placeholders too): an anonymous caller's order details. */
  forbidden?: string[];
  tags?: string[];
}

export interface IntentReport {
  total: number;
  correct: number;
  accuracy: number;
  byLanguage: Record<string, { total: number; correct: number; accuracy: number }>;
  /** Handoff as the positive class: precision = right handoffs / all handoffs, recall = right handoffs / expected handoffs. */
  handoff: { precision: number; recall: number; truePositive: number; predicted: number; expected: number };
  /** "EXPECTED→PREDICTED" counts of the mistakes, most frequent first. */
  confusion: [string, number][];
  mistakes: { id: string; question: string; expected: AssistantIntent; predicted: AssistantIntent; confidence: number }[];
  entities: { checked: number; correct: number };
}

const ratio = (a: number, b: number) => (b === 0 ? 1 : a / b);

/** Runs `classify` over the items and scores intents and entities. */
export function evaluateIntents(items: readonly EvalItem[], classify: (question: string, language: SupportLanguage) => { intent: AssistantIntent; confidence: number; entities: AssistantEntities }): IntentReport {
  const byLanguage: IntentReport['byLanguage'] = {};
  const confusion = new Map<string, number>();
  const mistakes: IntentReport['mistakes'] = [];
  let correct = 0;
  let tp = 0;
  let predictedHandoff = 0;
  let expectedHandoff = 0;
  let entitiesChecked = 0;
  let entitiesCorrect = 0;
  for (const item of items) {
    const r = classify(item.question, item.language);
    const ok = r.intent === item.intent;
    const l = (byLanguage[item.language] ??= { total: 0, correct: 0, accuracy: 0 });
    l.total++;
    if (ok) {
      correct++;
      l.correct++;
    } else {
      const key = `${item.intent}→${r.intent}`;
      confusion.set(key, (confusion.get(key) ?? 0) + 1);
      mistakes.push({ id: item.id, question: item.question, expected: item.intent, predicted: r.intent, confidence: r.confidence });
    }
    if (r.intent === 'HANDOFF') predictedHandoff++;
    if (item.intent === 'HANDOFF') expectedHandoff++;
    if (ok && item.intent === 'HANDOFF') tp++;
    if (item.entities) {
      entitiesChecked++;
      const want = item.entities;
      if ((Object.keys(want) as (keyof AssistantEntities)[]).every((k) => r.entities[k] === want[k])) entitiesCorrect++;
    }
  }
  for (const l of Object.values(byLanguage)) l.accuracy = ratio(l.correct, l.total);
  return {
    total: items.length,
    correct,
    accuracy: ratio(correct, items.length),
    byLanguage,
    handoff: { precision: ratio(tp, predictedHandoff), recall: ratio(tp, expectedHandoff), truePositive: tp, predicted: predictedHandoff, expected: expectedHandoff },
    confusion: [...confusion].sort((a, b) => b[1] - a[1]),
    mistakes,
    entities: { checked: entitiesChecked, correct: entitiesCorrect },
  };
}

/**
 * Expected facts (placeholders resolved through `resolve`, e.g. "{order.statusLabel}" → "отправлен")
 * present in `answer`, forbidden ones absent. A placeholder `resolve` cannot fill (undefined)
 * makes the item unscorable: null.
 */
export function scoreAnswer(item: Pick<EvalItem, 'facts' | 'forbidden'>, answer: string, resolve: (placeholder: string) => string | undefined): { correct: boolean; missing: string[]; leaked: string[] } | null {
  const fill = (s: string): string | undefined => {
    let unresolved = false;
    const out = s.replace(/\{([a-zA-Z.]+)\}/g, (_, key: string) => resolve(key) ?? ((unresolved = true), ''));
    return unresolved ? undefined : out;
  };
  const facts = item.facts.map(fill);
  const forbidden = (item.forbidden ?? []).map(fill);
  if (facts.some((f) => f === undefined)) return null;
  const lower = answer.toLowerCase();
  const missing = (facts as string[]).filter((f) => !lower.includes(f.toLowerCase()));
  const leaked = forbidden.filter((f): f is string => f !== undefined && f !== '' && lower.includes(f.toLowerCase()));
  return { correct: missing.length === 0 && leaked.length === 0, missing, leaked };
}

/**
 * FAQ topics of the evaluation set → the slugs of the seeded help-centre articles
 * (scripts/seed-knowledge.ts) that answer them. An FAQ answer is right when its first source is
 * one of them. A topic with no article (promo codes: the demo store's help centre has none) can
 * only be answered right by handing off to a person.
 */
export const FAQ_TOPIC_ARTICLES: Readonly<Record<string, readonly string[]>> = {
  payment: ['payment-methods'],
  'pickup-points': ['pickup-points', 'pickup-storage'],
  'address-change': ['address-change'],
  cancellation: ['order-cancellation'],
  'damaged-parcel': ['damaged-parcel'],
  'promo-code': [],
};

/**
 * Whether an FAQ answer came from the right article: the first source's slug is one the topic
 * maps to; for a topic without an article, whether the question was handed off. Null for an
 * unknown topic (not scorable).
 */
export function scoreFaqSource(topic: string, firstSourceSlug: string | null, handedOff: boolean): boolean | null {
  const slugs = FAQ_TOPIC_ARTICLES[topic];
  if (!slugs) return null;
  if (!slugs.length) return handedOff;
  return !!firstSourceSlug && slugs.includes(firstSourceSlug);
}

/**
 * The private details of an order found in an answer that must not show them (an anonymous caller,
 * or a customer asking about someone else's order): case-insensitive, ignoring empty values and
 * anything the caller said itself (`said`: the question and the order number it gave; echoing
 * what the caller typed discloses nothing).
 */
export function leaks(answer: string, said: string, secrets: readonly (string | null | undefined)[]): string[] {
  const a = answer.toLowerCase();
  const q = said.toLowerCase();
  return [...new Set(secrets)].filter((s): s is string => !!s && s.trim().length > 0 && a.includes(s.toLowerCase()) && !q.includes(s.toLowerCase()));
}
