import { describe, expect, it } from 'vitest';
import { extractEntities, maskEntities } from './entities.js';

describe('assistant entities', () => {
  it('finds order numbers in the forms customers write them', () => {
    expect(extractEntities('Где мой заказ DEMO-000123?')).toEqual({ orderNumber: 'DEMO-000123' });
    expect(extractEntities('status of wb 100222 please').orderNumber).toBe('WB-100222');
    expect(extractEntities('order WB-100017').orderNumber).toBe('WB-100017');
    expect(extractEntities('Заказ №100204 отправили?').orderNumber).toBe('WB-100204');
    expect(extractEntities('is order #100512 shipped').orderNumber).toBe('WB-100512');
    expect(extractEntities('demo 77').orderNumber).toBeUndefined();
    expect(extractEntities('I paid 1500 rubles').orderNumber).toBeUndefined();
  });

  it('finds S10 tracking numbers, spaced or not, and does not take them for order numbers', () => {
    expect(extractEntities('track CP123456785RU')).toEqual({ trackingNumber: 'CP123456785RU' });
    expect(extractEntities('отследить cp 000 000 019 ru')).toEqual({ trackingNumber: 'CP000000019RU' });
  });

  it('finds the city in Russian case forms, nicknames and English', () => {
    expect(extractEntities('доставка в Казань').city).toBe('Казань');
    expect(extractEntities('сколько идёт до Новосибирска').city).toBe('Новосибирск');
    expect(extractEntities('стоимость доставки в Питер').city).toBe('Санкт-Петербург');
    expect(extractEntities('shipping cost to St. Petersburg').city).toBe('Санкт-Петербург');
    expect(extractEntities('в Тулу').city).toBe('Тула');
    expect(extractEntities('Нижний Новгород').city).toBe('Нижний Новгород');
    expect(extractEntities('тулуп').city).toBeUndefined();
  });

  it('masks entities with placeholders for the model', () => {
    const { masked } = maskEntities('where is DEMO-000123 in Moscow, parcel CP123456785RU');
    expect(masked).toContain('zorderz');
    expect(masked).toContain('ztrackz');
    expect(masked).toContain('zcityz');
    expect(masked).not.toMatch(/\d/);
  });
});
