/**
 * For the differential tests of the server (fast-path.test.ts, jit-executor.test.ts): the same
 * request sent twice to one app, once per engine, and the answers compared byte for byte.
 */
import { expect } from 'vitest';
import { productInput } from './factories/catalog.js';
import { startApp, type TestApp } from './harness.js';

/** A raw GraphQL POST (the admin key unless `token` says otherwise; null: anonymous). */
export function postRaw(app: TestApp, body: unknown, headers: Record<string, string> = {}, token: string | null = app.adminKey): Promise<Response> {
  return fetch(app.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers },
    body: JSON.stringify(body),
  });
}

/** Status, the headers named and the body text of an answer: what two engines must agree on. */
export async function snapshot(res: Response, headerNames: readonly string[]) {
  const headers = Object.fromEntries(headerNames.map((h) => [h, res.headers.get(h)]));
  return { status: res.status, headers, body: await res.text() };
}

/** A variant by SKU, with its price: the query most cases send. */
export const Q_VARIANT = 'query V($sku: String!) { productVariant(sku: $sku) { sku title price { amountMinor currency } } }';

/**
 * A started app with what the cases query: a product with two variants (`sku`: the first one's)
 * and a STAFF key with read_orders only (`narrowKey`).
 */
export async function startDifferentialApp(): Promise<{ t: TestApp; sku: string; narrowKey: string }> {
  // The comparisons send hundreds of anonymous requests a minute (three per query of every operation file):
  // far past the anonymous budget, which would answer 429 to one path and not the other. The limit itself is
  // tested with an app of its own (fast-path.test.ts, "applies the rate limit before the fast path").
  const app = await startApp({ env: { RATE_LIMIT_ANON_PER_MIN: '100000' } });
  const input = productInput({}, 2);
  const created = await postRaw(app, {
    query: 'mutation C($input: ProductCreateInput!) { productCreate(input: $input) { product { id } userErrors { code } } }',
    variables: { input },
  });
  expect(created.status).toBe(200);
  const key = await postRaw(app, {
    query: 'mutation K($input: ApiKeyCreateInput!) { apiKeyCreate(input: $input) { secret userErrors { code } } }',
    variables: { input: { name: 'orders only', kind: 'STAFF', scopes: ['read_orders'] } },
  });
  return { t: app, sku: input.variants[0]!.sku, narrowKey: (await key.json()).data.apiKeyCreate.secret };
}
