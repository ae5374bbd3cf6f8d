/** Factories for the warehouse module: valid inputs with overridable parts. */
import type { AddressInput, WarehouseCreateInput } from '../generated/graphql.js';

let seq = 0;

export function addressInput(over: Partial<AddressInput> = {}): AddressInput {
  return {
    line1: 'Varshavskoye shosse 1',
    city: 'Moscow',
    postalCode: '117105',
    countryCode: 'RU',
    location: { lat: 55.7, lng: 37.62 },
    ...over,
  };
}

export function warehouseInput(over: Partial<WarehouseCreateInput> = {}): WarehouseCreateInput {
  const n = ++seq;
  return { code: `WH${process.pid % 1000}X${n}`, name: `Warehouse ${n}`, address: addressInput(), ...over };
}
