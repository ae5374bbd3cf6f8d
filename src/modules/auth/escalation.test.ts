/**
 * A key can never mint or revoke a key broader than itself (issue 12, item 12), over real HTTP:
 * kind, scopes and warehouse/carrier restrictions are compared with the caller's; unknown
 * restriction codes are NOT_FOUND, but a code outside the caller's own restriction is FORBIDDEN
 * whether or not it exists (a restricted key learns nothing about other warehouses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ApiKeyCreateDocument,
  ApiKeyRevokeDocument,
  CarrierCreateDocument,
  ViewerDocument,
  WarehouseCreateDocument,
  type ApiKeyCreateInput,
} from '../../../test/generated/graphql.js';
import { warehouseInput } from '../../../test/factories/warehouse.js';
import { startApp, type TestApp } from '../../../test/harness.js';
import { excessOver, type Principal } from '../../shared/principal.js';

let t: TestApp;
let restricted: { secret: string; id: string }; // PARTNER, admin, KZN1 and carrier CR1 only

const carrier = (code: string) => ({
  code,
  name: code,
  services: [{ code: `${code}_C`, name: 'Courier', deliveryType: 'COURIER' as const, transitDaysMin: 1, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 100_00, currency: 'RUB' } }] }],
});

async function create(input: ApiKeyCreateInput, token: string = t.adminKey) {
  const r = await t.gql(ApiKeyCreateDocument, { input }, { token });
  expect(r.errors).toBeUndefined();
  return r.data!.apiKeyCreate;
}

beforeAll(async () => {
  t = await startApp();
  for (const code of ['KZN1', 'MSK1']) await t.admin(WarehouseCreateDocument, { input: warehouseInput({ code }) });
  for (const code of ['CR1', 'CR2']) expect((await t.admin(CarrierCreateDocument, { input: carrier(code) })).carrierCreate.userErrors).toEqual([]);
  const k = await create({ name: 'kzn partner admin', kind: 'PARTNER', scopes: ['admin'], warehouseCodes: ['KZN1'], carrierCodes: ['CR1'] });
  expect(k.userErrors).toEqual([]);
  restricted = { secret: k.secret!, id: k.apiKey!.id };
});
afterAll(async () => t?.close());

const PARTNER_KZN = { name: 'sub', kind: 'PARTNER' as const, scopes: ['write_orders'], warehouseCodes: ['KZN1'], carrierCodes: ['CR1'] };

describe('apiKeyCreate by a PARTNER admin key restricted to KZN1 and carrier CR1', () => {
  const cases: [string, ApiKeyCreateInput, { code: string; field: string[] }[]][] = [
    [
      'an unrestricted STAFF admin key (the reported escalation)',
      { name: 'root', kind: 'STAFF', scopes: ['admin'] },
      [
        { code: 'FORBIDDEN', field: ['input', 'kind'] },
        { code: 'FORBIDDEN', field: ['input', 'warehouseCodes'] },
        { code: 'FORBIDDEN', field: ['input', 'carrierCodes'] },
      ],
    ],
    ['a PARTNER key without a warehouse restriction', { ...PARTNER_KZN, warehouseCodes: null }, [{ code: 'FORBIDDEN', field: ['input', 'warehouseCodes'] }]],
    ['a PARTNER key without a carrier restriction', { ...PARTNER_KZN, carrierCodes: null }, [{ code: 'FORBIDDEN', field: ['input', 'carrierCodes'] }]],
    ['a PARTNER key for another, existing warehouse', { ...PARTNER_KZN, warehouseCodes: ['KZN1', 'MSK1'] }, [{ code: 'FORBIDDEN', field: ['input', 'warehouseCodes', '1'] }]],
    ['a PARTNER key for a warehouse that does not exist (answers as an existing other one)', { ...PARTNER_KZN, warehouseCodes: ['KZN1', 'NOPE1'] }, [{ code: 'FORBIDDEN', field: ['input', 'warehouseCodes', '1'] }]],
    ['a PARTNER key for another carrier', { ...PARTNER_KZN, carrierCodes: ['CR2'] }, [{ code: 'FORBIDDEN', field: ['input', 'carrierCodes', '0'] }]],
    ['a narrower PARTNER key (allowed)', PARTNER_KZN, []],
    ['a PARTNER admin key with the same restriction (allowed)', { ...PARTNER_KZN, scopes: ['admin'] }, []],
  ];
  it.each(cases)('%s', async (_name, input, expected) => {
    const r = await create(input, restricted.secret);
    expect(r.userErrors.map(({ code, field }) => ({ code, field }))).toEqual(expected);
    if (expected.length) expect(r.apiKey).toBeNull();
    else expect(r.apiKey!.kind).toBe(input.kind);
  });

  it('a hidden and a missing warehouse code get the same message shape (nothing about existence)', async () => {
    const other = (await create({ ...PARTNER_KZN, warehouseCodes: ['MSK1'] }, restricted.secret)).userErrors;
    const none = (await create({ ...PARTNER_KZN, warehouseCodes: ['NOPE1'] }, restricted.secret)).userErrors;
    expect(other.map((e) => ({ ...e, message: e.message.replace('MSK1', '<X>') }))).toEqual(none.map((e) => ({ ...e, message: e.message.replace('NOPE1', '<X>') })));
  });
});

describe('apiKeyCreate by an unrestricted admin', () => {
  const cases: [string, Partial<ApiKeyCreateInput>, { code: string; field: string[] }[]][] = [
    ['an unknown warehouse code', { warehouseCodes: ['MSK-1'] }, [{ code: 'NOT_FOUND', field: ['input', 'warehouseCodes', '0'] }]],
    ['an unknown carrier code', { carrierCodes: ['CR1', 'NOPE'] }, [{ code: 'NOT_FOUND', field: ['input', 'carrierCodes', '1'] }]],
    ['known codes', { warehouseCodes: ['MSK1', 'KZN1'], carrierCodes: ['CR2'] }, []],
    ['an unrestricted STAFF admin', { kind: 'STAFF', scopes: ['admin'] }, []],
  ];
  it.each(cases)('%s', async (_name, over, expected) => {
    const r = await create({ name: 'k', kind: 'PARTNER', scopes: ['read_inventory'], ...over });
    expect(r.userErrors.map(({ code, field }) => ({ code, field }))).toEqual(expected);
  });
});

describe('apiKeyRevoke', () => {
  it('a restricted key cannot revoke a broader key; it can revoke a narrower one', async () => {
    const broader = await create({ name: 'staff', kind: 'STAFF', scopes: ['read_catalog'] });
    const wider = await create({ name: 'wider', kind: 'PARTNER', scopes: ['read_catalog'], warehouseCodes: ['KZN1', 'MSK1'], carrierCodes: ['CR1'] });
    const narrower = await create(PARTNER_KZN, restricted.secret);
    for (const k of [broader, wider]) {
      const r = (await t.gql(ApiKeyRevokeDocument, { input: { id: k.apiKey!.id } }, { token: restricted.secret })).data!.apiKeyRevoke;
      expect(r.userErrors.map((e) => ({ code: e.code, field: e.field }))).toEqual([{ code: 'FORBIDDEN', field: ['input', 'id'] }]);
      expect((await t.gql(ViewerDocument, {}, { token: k.secret! })).status).toBe(200);
    }
    const ok = (await t.gql(ApiKeyRevokeDocument, { input: { id: narrower.apiKey!.id } }, { token: restricted.secret })).data!.apiKeyRevoke;
    expect(ok.userErrors).toEqual([]);
    expect((await t.gql(ViewerDocument, {}, { token: narrower.secret! })).status).toBe(401);
    // The unrestricted admin may revoke the restricted key.
    expect((await t.admin(ApiKeyRevokeDocument, { input: { id: restricted.id } })).apiKeyRevoke.userErrors).toEqual([]);
  });
});

describe('excessOver (the rule, pure)', () => {
  const holder: Principal = { kind: 'PARTNER', name: 'p', scopes: ['write_orders', 'read_inventory'], warehouseCodes: ['KZN1'], carrierCodes: null };
  const cases: [string, Parameters<typeof excessOver>[1], string[]][] = [
    ['same', { kind: 'PARTNER', scopes: ['write_orders'], warehouseCodes: ['KZN1'] }, []],
    ['read implied by write', { kind: 'PARTNER', scopes: ['read_orders'], warehouseCodes: ['KZN1'] }, []],
    ['a scope not held', { kind: 'PARTNER', scopes: ['write_inventory'], warehouseCodes: ['KZN1'] }, ['SCOPE_NOT_HELD scopes 0']],
    ['admin not held', { kind: 'PARTNER', scopes: ['read_orders', 'admin'], warehouseCodes: ['KZN1'] }, ['SCOPE_NOT_HELD scopes 1']],
    ['STAFF from PARTNER', { kind: 'STAFF', scopes: [], warehouseCodes: ['KZN1'] }, ['FORBIDDEN kind -']],
    ['unrestricted', { kind: 'PARTNER', scopes: [], warehouseCodes: null }, ['FORBIDDEN warehouseCodes -']],
    ['wider', { kind: 'PARTNER', scopes: [], warehouseCodes: ['KZN1', 'MSK1'] }, ['FORBIDDEN warehouseCodes 1']],
    ['carriers: holder unrestricted', { kind: 'PARTNER', scopes: [], warehouseCodes: [], carrierCodes: null }, []],
  ];
  it.each(cases)('%s', (_name, grant, expected) => {
    expect(excessOver(holder, grant).map((x) => `${x.code} ${x.field} ${x.index ?? '-'}`)).toEqual(expected);
  });
});
