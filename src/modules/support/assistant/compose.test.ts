import { describe, expect, it } from 'vitest';
import { money } from '../../../shared/money.js';
import { composeAnswer, type FactsByIntent } from './compose.js';

const order = { number: 'WB-100123', status: 'SHIPPED', createdAt: new Date('2025-03-03T09:00:00Z'), itemsCount: 3 };
const shipment = { status: 'IN_TRANSIT', description: 'Прибыло в сортировочный центр города получателя', location: 'Казань, сортировочный центр', occurredAt: new Date('2025-03-05T07:30:00Z'), carrierName: 'СДЭК', trackingNumber: 'CP123456785RU', estimatedDelivery: new Date('2025-03-07T12:00:00Z') };
const owner: FactsByIntent['ORDER_STATUS'] = { access: 'OWNER', order, shipment };

describe('assistant answers', () => {
  it('says the order status, the last tracking event and the expected date, in Russian', () => {
    const a = composeAnswer('ORDER_STATUS', 'ru', owner);
    for (const fact of ['WB-100123', 'отправлен', '3 товара', '3 марта 2025', 'СДЭК', 'CP123456785RU', 'в пути', 'Прибыло в сортировочный центр', 'Казань', '7 марта 2025']) expect(a).toContain(fact);
  });

  it('says the same in English, with English dates and words', () => {
    const a = composeAnswer('TRACKING', 'en', owner);
    for (const fact of ['WB-100123', 'in transit', 'СДЭК', 'CP123456785RU', '7 March 2025', 'Казань']) expect(a).toContain(fact);
    expect(composeAnswer('ORDER_STATUS', 'en', { access: 'OWNER', order: { ...order, itemsCount: 1, status: 'PICKING' }, shipment: null })).toContain('1 item) is being picked');
  });

  it('never gives an anonymous caller the order details, in either language', () => {
    for (const language of ['ru', 'en'] as const) {
      for (const intent of ['ORDER_STATUS', 'TRACKING'] as const) {
        const a = composeAnswer(intent, language, { access: 'ANONYMOUS' });
        for (const detail of ['WB-100123', 'CP123456785RU', 'Казань', 'СДЭК', 'отправлен', 'shipped', 'in transit', 'в пути']) expect(a).not.toContain(detail);
        expect(a.length).toBeGreaterThan(40);
      }
    }
    expect(composeAnswer('ORDER_STATUS', 'ru', { access: 'NOT_FOUND', orderNumber: 'WB-100999' })).toContain('WB-100999');
    // A tracking number the caller's orders do not hold: said so, about that number, not about an order.
    expect(composeAnswer('TRACKING', 'en', { access: 'PARCEL_NOT_FOUND', trackingNumber: 'CP000000019RU' })).toMatch(/could not find a parcel with tracking number CP000000019RU/);
    expect(composeAnswer('TRACKING', 'ru', { access: 'PARCEL_NOT_FOUND', trackingNumber: 'CP000000019RU' })).toMatch(/посылку с трек-номером CP000000019RU/);
  });

  it('states the return policy numbers', () => {
    const policy = { windowDays: 14, restockingFeePercent: 5, nonReturnableCategories: ['Нижнее бельё'] };
    const ru = composeAnswer('RETURN_POLICY', 'ru', { policy });
    expect(ru).toContain('14 дней');
    expect(ru).toContain('5');
    expect(ru).toContain('Нижнее бельё');
    expect(composeAnswer('RETURN_POLICY', 'en', { policy: { ...policy, restockingFeePercent: 0 } })).toContain('within 14 days of receiving it, with no restocking fee');
    expect(composeAnswer('RETURN_REQUEST', 'en', { policy, order: { ...order, status: 'PACKED' } })).toContain('only items you have received');
  });

  it('lists delivery options with locale money and transit days, cheapest first', () => {
    const options = [
      { serviceName: 'СДЭК Экспресс: курьер до двери', carrierName: 'СДЭК', price: money(42000, 'RUB'), transitDaysMin: 2, transitDaysMax: 4 },
      { serviceName: 'Почта России: посылка до отделения', carrierName: 'Почта России', price: money(23000, 'RUB'), transitDaysMin: 4, transitDaysMax: 9 },
    ];
    const ru = composeAnswer('DELIVERY_OPTIONS', 'ru', { city: 'Казань', options });
    expect(ru).toContain('Варианты доставки в город Казань:');
    expect(ru).toMatch(/230,00\s₽/);
    expect(ru).toContain('4–9 дней');
    expect(ru.indexOf('Почта России')).toBeLessThan(ru.indexOf('СДЭК'));
    const en = composeAnswer('DELIVERY_OPTIONS', 'en', { city: 'Казань', options });
    expect(en).toContain('RUB 420.00'.replace('RUB ', '')); // en-GB formats the amount with a point
    expect(en).toContain('2–4 days');
    expect(composeAnswer('DELIVERY_OPTIONS', 'en', { city: 'Казань', options: [] })).toContain('Sorry');
  });

  it('gives the loyalty balance, tier and expiring points, or how to see them', () => {
    const loyalty = { balance: 1250, tierName: 'Silver', expiring: { points: 21, on: new Date('2025-06-01T12:00:00Z') } };
    expect(composeAnswer('LOYALTY_BALANCE', 'ru', { loyalty })).toMatch(/1\s250 баллов.*Silver.*21 балл сгорят 1 июня 2025/);
    expect(composeAnswer('LOYALTY_BALANCE', 'en', { loyalty })).toMatch(/1,250 points.*Silver.*21 points expire on 1 June 2025/);
    expect(composeAnswer('LOYALTY_BALANCE', 'en', { loyalty: null })).not.toMatch(/\d/);
    // One full stop after a Russian date ("2025 г."), not two.
    expect(composeAnswer('LOYALTY_BALANCE', 'ru', { loyalty })).toMatch(/2025 г\.$/);
  });

  it('quotes the best article and names the handoff ticket', () => {
    expect(composeAnswer('FAQ', 'en', { articles: [{ title: 'Payment', excerpt: 'We take cards and SBP.' }, { title: 'Refunds', excerpt: '…' }] })).toBe('Payment\nWe take cards and SBP.\nSee also: Refunds.');
    expect(composeAnswer('HANDOFF', 'ru', { ticketNumber: 'T-100001' })).toContain('T-100001');
    expect(composeAnswer('HANDOFF', 'en', { ticketNumber: 'T-100001' })).toContain('I have opened ticket T-100001');
  });
});
