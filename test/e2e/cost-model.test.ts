/**
 * Issue 18 item 3: the warehousing cost model that warehousingCostPerOrder is computed from. Read
 * with read_metrics, changed with admin; a rate left out stays, an explicit null clears it, every
 * rate in one currency; bad input changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CostModelApiKeyDocument, CostModelChangeDocument, CostModelReadDocument, type CostModelInput } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

const rub = (amountMinor: number) => ({ amountMinor, currency: 'RUB' });

describe('cost model', () => {
  let t: TestApp;
  let reader: string;
  beforeAll(async () => {
    t = await startApp();
    reader = (await t.admin(CostModelApiKeyDocument, { input: { name: 'dashboard', kind: 'PARTNER', scopes: ['read_metrics'] } })).apiKeyCreate.secret!;
  }, 60_000);
  afterAll(async () => {
    await t?.close();
  });

  const change = async (input: CostModelInput, token?: string | null) => (await t.gql(CostModelChangeDocument, { input }, token === undefined ? {} : { token })).data?.costModelUpdate;
  const read = async () => (await t.gql(CostModelReadDocument, {}, { token: reader })).data!.costModel;

  it('starts unconfigured; rates set, kept when left out, cleared by an explicit null', async () => {
    expect(await read()).toEqual({ perOrderHandled: null, perUnitPicked: null, storagePerBinDay: null });
    const set = await change({ perOrderHandled: rub(60_00), perUnitPicked: rub(12_00), storagePerBinDay: rub(4_00) });
    expect(set!.userErrors).toEqual([]);
    expect(set!.costModel).toEqual({ perOrderHandled: rub(60_00), perUnitPicked: rub(12_00), storagePerBinDay: rub(4_00) });
    expect((await change({ perUnitPicked: rub(15_50) }))!.costModel).toEqual({ perOrderHandled: rub(60_00), perUnitPicked: rub(15_50), storagePerBinDay: rub(4_00) });
    expect((await change({ storagePerBinDay: null }))!.costModel).toEqual({ perOrderHandled: rub(60_00), perUnitPicked: rub(15_50), storagePerBinDay: null });
    expect(await read()).toEqual({ perOrderHandled: rub(60_00), perUnitPicked: rub(15_50), storagePerBinDay: null });
  });

  it('refuses bad input, all errors at once, and changes nothing', async () => {
    const before = await read();
    const bad = await change({ perOrderHandled: { amountMinor: -1, currency: 'RUB' }, perUnitPicked: { amountMinor: 100, currency: 'XXZ' } });
    expect(bad!.userErrors.map((e) => [e.code, e.field])).toEqual([
      ['INVALID', ['input', 'perOrderHandled', 'amountMinor']],
      ['INVALID_CURRENCY', ['input', 'perUnitPicked', 'currency']],
    ]);
    const mixed = await change({ storagePerBinDay: { amountMinor: 300, currency: 'EUR' } });
    expect(mixed!.userErrors.map((e) => [e.code, e.field])).toEqual([['INVALID_CURRENCY', ['input', 'storagePerBinDay', 'currency']]]);
    // Clearing the others and setting the new one in its currency is one consistent change.
    expect(await read()).toEqual(before);
    const moved = await change({ perOrderHandled: null, perUnitPicked: null, storagePerBinDay: { amountMinor: 300, currency: 'EUR' } });
    expect(moved!.costModel).toEqual({ perOrderHandled: null, perUnitPicked: null, storagePerBinDay: { amountMinor: 300, currency: 'EUR' } });
  });

  it('reading needs read_metrics, changing needs admin', async () => {
    const noScope = (await t.admin(CostModelApiKeyDocument, { input: { name: 'erp', kind: 'PARTNER', scopes: ['read_orders'] } })).apiKeyCreate.secret!;
    expect((await t.gql(CostModelReadDocument, {}, { token: noScope })).errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    expect((await t.gql(CostModelReadDocument, {}, { token: null })).errors?.[0]?.extensions?.code).toBe('UNAUTHENTICATED');
    const r = await t.gql(CostModelChangeDocument, { input: { perOrderHandled: rub(1) } }, { token: reader });
    expect(r.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});
