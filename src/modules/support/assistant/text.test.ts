import { describe, expect, it } from 'vitest';
import { buildVocabulary, correctWord, features, normalizeText, stem, stems } from './text.js';

describe('assistant text: normalisation and stemming', () => {
  it('gives Russian case forms of a word one stem', () => {
    expect(new Set(['заказ', 'заказа', 'заказу', 'заказом', 'заказов'].map(stem)).size).toBe(1);
    expect(new Set(['посылка', 'посылку', 'посылки', 'посылкой'].map(stem)).size).toBe(1);
    expect(new Set(['доставка', 'доставки', 'доставку'].map(stem)).size).toBe(1);
    expect(stem('заказ')).not.toBe(stem('посылка'));
  });

  it('gives English inflections one stem and stems each word by its own script', () => {
    expect(stem('orders')).toBe(stem('order'));
    expect(stem('returned')).toBe(stem('returning'));
    expect(stem('deliveries')).toBe(stem('delivery'));
    expect(stems('Где мой tracking')).toEqual(['где', 'мо', 'track']);
  });

  it('normalises case, ё and punctuation', () => {
    expect(normalizeText('  Где  ЗАКАЗ? Пришёл! ')).toBe('где заказ? пришел!');
    expect(stems('ПРИШЁЛ')).toEqual(stems('пришел'));
  });

  it('corrects a misspelt word to the nearest known word, and leaves short or far words alone', () => {
    const v = buildVocabulary(['where is my order', 'где мой заказ', 'return policy', 'tracking number']);
    expect(correctWord('oder', v)).toBe('order');
    expect(correctWord('закз', v)).toBe('заказ');
    expect(correctWord('polcy', v)).toBe('policy');
    expect(correctWord('trakcing', v)).toBe('tracking');
    expect(correctWord('my', v)).toBe('my');
    expect(correctWord('banana', v)).toBe('banana');
  });

  it('makes stem, bigram and character trigram features', () => {
    const f = features('где заказ');
    expect(f).toContain('u:заказ');
    expect(f).toContain('b:где_заказ');
    expect(f).toContain('c:#за');
  });
});
