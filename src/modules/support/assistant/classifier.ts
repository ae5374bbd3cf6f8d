/**
 * classify(question, language): the intent of a customer's question, a calibrated confidence and
 * the entities it names. Rules first (an explicit request for a person hands off at once), then
 * the intent model (model.ts); the model's HANDOFF label (off-topic, complaints for a person) and
 * a confidence under the cross-validated threshold both give HANDOFF.
 */
import type { SupportLanguage } from '../language.js';
import { extractEntities, type AssistantEntities } from './entities.js';
import type { AssistantIntent, AnsweredIntent } from './intents.js';
import { posterior, trainIntentModel, type IntentModel } from './model.js';
import { TRAINING_SET } from './training-set.js';
import { normalizeText } from './text.js';

export interface Classification {
  intent: AssistantIntent;
  /** Calibrated probability (0..1) that `intent` is right; for a handoff by threshold, the best guess's. */
  confidence: number;
  entities: AssistantEntities;
  /** Why: MODEL (the model's intent, over the threshold), HUMAN_REQUESTED (rule), OFF_TOPIC (the model's HANDOFF label), LOW_CONFIDENCE. */
  reason: 'MODEL' | 'HUMAN_REQUESTED' | 'OFF_TOPIC' | 'LOW_CONFIDENCE';
  /** The best answerable intent with its probability, also when handing off (for an agent's triage). */
  bestGuess: { intent: AnsweredIntent; confidence: number } | null;
  /** The threshold in force. */
  threshold: number;
}

/**
 * Explicit requests for a person, after normalizeText ("й" is "и", "ё" is "е"). Kept narrow: "agent"
 * alone is not one ("my agent said…"), "connect me with an operator" is.
 */
const HUMAN_REQUEST: readonly RegExp[] = [
  /\b(?:talk|speak|chat|connect|transfer|put)\b.{0,25}\b(?:human|person|agent|operator|representative|manager|someone|somebody|real people|support staff)\b/,
  /\b(?:human|real person|live agent|live person|operator|representative)\b\s*(?:please|pls|now)?\s*[!.?]*$/,
  /\b(?:i want|i need|get me|give me)\b.{0,12}\b(?:a human|a person|an agent|an operator|a manager|a real person)\b/,
  /(?:позов\p{L}*|соедин\p{L}*|переключ\p{L}*|свяж\p{L}*|дайте|хочу|нужен|нужна|можно)\s.{0,25}(?:оператор\p{L}*|человек\p{L}*|менеджер\p{L}*|сотрудник\p{L}*|специалист\p{L}*|живо\p{L}*)/u,
  /(?:^|\s)(?:оператор\p{L}*|живои человек|живой человек|человека)\s*(?:пожалуиста|плиз|срочно)?\s*[!.?]*$/u,
  /поговорить с (?:человеком|оператором|менеджером|живым)/u,
];

let defaultModel: IntentModel | null = null;

/** The model trained (and calibrated) on the committed training set, built on first use (tens of ms). */
export function assistantModel(): IntentModel {
  return (defaultModel ??= trainIntentModel(TRAINING_SET));
}

/** True when the question asks for a person. */
export function asksForHuman(question: string): boolean {
  const n = normalizeText(question);
  return HUMAN_REQUEST.some((r) => r.test(n));
}

/**
 * The intent of `question` in `language` (the question's language: detected or given; it does
 * not change the model, which is bilingual, but is part of the interface for a provider that
 * needs it), its calibrated confidence and the entities it names.
 */
export function classify(question: string, language: SupportLanguage, model: IntentModel = assistantModel()): Classification {
  void language;
  const entities = extractEntities(question);
  const p = posterior(model.nb, question, model.temperature);
  const guess = p.find((x) => x.intent !== 'HANDOFF');
  const bestGuess = guess ? { intent: guess.intent as AnsweredIntent, confidence: guess.p } : null;
  const base = { entities, bestGuess, threshold: model.threshold };
  if (asksForHuman(question)) return { ...base, intent: 'HANDOFF', confidence: 1, reason: 'HUMAN_REQUESTED' };
  const top = p[0]!;
  if (top.intent === 'HANDOFF') return { ...base, intent: 'HANDOFF', confidence: top.p, reason: 'OFF_TOPIC' };
  if (top.p < model.threshold) return { ...base, intent: 'HANDOFF', confidence: top.p, reason: 'LOW_CONFIDENCE' };
  return { ...base, intent: top.intent, confidence: top.p, reason: 'MODEL' };
}
