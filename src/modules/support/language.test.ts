/**
 * Language of support texts, on real sentences of the kind customers write: long and short,
 * typos, transliteration-free mixed script, order numbers, and the given/locale precedence.
 */
import { describe, expect, it } from 'vitest';
import { canonicalTag, detectLanguage, languageOf, supportedLanguage } from './language.js';

describe('detectLanguage', () => {
  const russian = [
    'Здравствуйте! Заказ оформил неделю назад, а статус до сих пор «собирается». Когда отправите?',
    'где мой заказ',
    'Где посылка?',
    'спасибо',
    'Привет',
    'да',
    'как вернуть кроссовки, не подошел размер',
    'курьер не приехал(((',
    'можно поменять адрес доставки на ул. Ленина 5?',
    'Hi, мой заказ не пришёл',
    'заказ WB-100234 где он',
    'трек номер RU123456789CN не отслеживается',
    'skolko stoit dostavka в Казань?', // transliterated: more Latin letters than Cyrillic (checked separately)
  ];
  const english = [
    'Hello, I ordered a jacket last week and the tracking page has not changed since Monday. Can you check?',
    'where is my order',
    'Where is my parcel?',
    'thanks',
    'hi',
    'refund pls',
    'how do I return shoes that are too small',
    'courier never came',
    'can I change the delivery address to 5 Baker Street?',
    'my order WB-100234 still not here, мда',
    'tracking RU123456789CN not updating',
    'wher is my oder',
  ];

  it('finds Russian in Russian texts, long and short, with typos and Latin order numbers', () => {
    const mixedLatinHeavy = russian.pop()!; // "skolko stoit dostavka в Казань?": more Latin letters than Cyrillic
    for (const t of russian) expect([t, detectLanguage(t)]).toEqual([t, 'ru']);
    expect(detectLanguage(mixedLatinHeavy)).toBe('en'); // the script that carries most of the text wins
  });

  it('finds English in English texts, long and short, with typos and a stray Russian word', () => {
    for (const t of english) expect([t, detectLanguage(t)]).toEqual([t, 'en']);
  });

  it('falls back when there are no letters at all', () => {
    expect(detectLanguage('WB-100234', 'ru')).toBe('en'); // Latin letters: English
    expect(detectLanguage('100234 ???', 'ru')).toBe('ru');
    expect(detectLanguage('👍', 'en')).toBe('en');
  });
});

describe('languageOf and tags', () => {
  it('given beats the customer locale, which beats detection; tags are canonical primary subtags', () => {
    expect(languageOf({ given: 'EN-us', customerLocale: 'ru', text: 'где мой заказ' })).toBe('en');
    expect(languageOf({ given: 'de', text: 'wo ist meine Bestellung' })).toBe('de');
    expect(languageOf({ given: null, customerLocale: 'ru-RU', text: 'where is my order' })).toBe('ru');
    expect(languageOf({ given: 'not a tag!', customerLocale: '', text: 'где мой заказ' })).toBe('ru');
  });

  it('recognises valid tags only', () => {
    expect(canonicalTag('ru-ru')).toBe('ru-RU');
    expect(canonicalTag('x')).toBeNull();
    expect(canonicalTag('')).toBeNull();
    expect(supportedLanguage('ru-RU')).toBe('ru');
    expect(supportedLanguage('de')).toBeNull();
  });
});
