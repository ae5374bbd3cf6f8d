/** A small stocked store for order tests: products, warehouses MSK1 (Moscow) and SPB1 (Saint Petersburg), stock. */
import { BinLocationsCreateDocument, InventoryReceiveDocument, ProductCreateDocument, WarehouseCreateDocument, ZoneCreateDocument } from '../generated/graphql.js';
import type { TestApp } from '../harness.js';
import { productInput } from './catalog.js';

export const MOSCOW = { lat: 55.7558, lng: 37.6173 };
export const SPB = { lat: 59.9343, lng: 30.3351 };

export async function stockedStore(t: TestApp, stock: { msk: number[]; spb: number[] }) {
  const skus: string[] = [];
  for (let i = 0; i < stock.msk.length; i++) {
    const p = productInput({}, 1);
    skus.push(p.variants[0]!.sku);
    await t.admin(ProductCreateDocument, { input: p });
  }
  for (const [code, city, location, qty] of [
    ['MSK1', 'Москва', MOSCOW, stock.msk],
    ['SPB1', 'Санкт-Петербург', SPB, stock.spb],
  ] as const) {
    await t.admin(WarehouseCreateDocument, { input: { code, name: city, address: { line1: 'Складская 1', city, postalCode: '101000', countryCode: 'RU', location } } });
    await t.admin(ZoneCreateDocument, { input: { warehouseCode: code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
    await t.admin(BinLocationsCreateDocument, { input: { warehouseCode: code, zoneCode: 'P', aisles: ['A'], racks: 2, levels: 1, positions: 5 } });
    const lines = qty.map((q, i) => ({ sku: skus[i]!, quantity: q })).filter((l) => l.quantity > 0);
    if (lines.length) await t.admin(InventoryReceiveDocument, { input: { warehouseCode: code, lines } });
  }
  return skus;
}

export const address = (over: Record<string, unknown> = {}) => ({
  name: 'Анна Иванова',
  line1: 'ул. Тверская, 1',
  city: 'Москва',
  postalCode: '125009',
  countryCode: 'RU',
  phone: '+7 900 000-00-00',
  location: { lat: 55.76, lng: 37.61 },
  ...over,
});
