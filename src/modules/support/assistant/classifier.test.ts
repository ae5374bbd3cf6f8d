import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { asksForHuman, assistantModel, classify } from './classifier.js';
import { evaluateIntents, type EvalItem } from './evaluation.js';
import { normalizeText } from './text.js';
import { TRAINING_SET } from './training-set.js';

const EVAL = JSON.parse(readFileSync(new URL('../../../../test/fixtures/assistant/eval.json', import.meta.url), 'utf8')) as EvalItem[];

describe('assistant intent classifier', () => {
  it('keeps the evaluation set apart from the training set', () => {
    const trained = new Set(TRAINING_SET.map((q) => normalizeText(q.text).replace(/[^\p{L}\p{N} ]/gu, '')));
    const shared = EVAL.filter((e) => trained.has(normalizeText(e.question).replace(/[^\p{L}\p{N} ]/gu, '')));
    expect(shared.map((e) => e.question)).toEqual([]);
    expect(EVAL.length).toBeGreaterThanOrEqual(150);
  });

  it('classifies a subset of the evaluation set (every other question, both languages) at 90% or better', () => {
    const subset = EVAL.filter((_, i) => i % 2 === 0);
    const report = evaluateIntents(subset, (q, l) => classify(q, l));
    expect(report.byLanguage.ru!.total).toBeGreaterThan(40);
    expect(report.byLanguage.en!.total).toBeGreaterThan(40);
    expect(report.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(report.entities.correct).toBe(report.entities.checked);
  });

  it('calibrates on the training set: a threshold strictly between 0 and 1, and confident answers mostly right', () => {
    const m = assistantModel();
    expect(m.threshold).toBeGreaterThan(0);
    expect(m.threshold).toBeLessThan(1);
    expect(m.crossValidation.answeredAccuracy).toBeGreaterThan(0.85);
  });

  it('hands off off-topic questions with a confidence under the threshold or as off-topic', () => {
    for (const [q, l] of [['what is the airspeed of a swallow', 'en'], ['qwerty zxcvb', 'en'], ['сколько лет луне', 'ru'], ['посоветуйте книгу про драконов', 'ru']] as const) {
      const c = classify(q, l);
      expect(c.intent, q).toBe('HANDOFF');
      expect(['LOW_CONFIDENCE', 'OFF_TOPIC']).toContain(c.reason);
      if (c.reason === 'LOW_CONFIDENCE') expect(c.confidence).toBeLessThan(c.threshold);
    }
  });

  it('hands off at once when the customer asks for a person, in either language', () => {
    for (const q of ['Can I talk to a human?', 'operator please', 'соедините с оператором', 'позовите живого человека']) {
      expect(asksForHuman(q), q).toBe(true);
      expect(classify(q, 'en')).toMatchObject({ intent: 'HANDOFF', reason: 'HUMAN_REQUESTED', confidence: 1 });
    }
    expect(asksForHuman('where is my order')).toBe(false);
    expect(asksForHuman('the courier was a nice person')).toBe(false);
  });

  it('answers a plain order question confidently and returns its entities', () => {
    const c = classify('Где мой заказ DEMO-000123?', 'ru');
    expect(c).toMatchObject({ intent: 'ORDER_STATUS', reason: 'MODEL', entities: { orderNumber: 'DEMO-000123' } });
    expect(c.confidence).toBeGreaterThanOrEqual(c.threshold);
    expect(classify('сколько стоит доставка в Питер', 'ru')).toMatchObject({ intent: 'DELIVERY_OPTIONS', entities: { city: 'Санкт-Петербург' } });
    expect(classify('wher is my ordr', 'en').intent).toBe('ORDER_STATUS');
  });
});
