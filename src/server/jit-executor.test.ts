/**
 * graphql-jit as Apollo's executor (jit-executor.ts) answers exactly as graphql-js does. Each case
 * sends the same request twice to the same app: once with jit off (graphql-js `execute`, what
 * Apollo runs without an executor), once with it on, and compares status, the headers a client
 * relies on and the body byte for byte; `executor.stats` tells which engine answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../test/harness.js';
import { postRaw, Q_VARIANT, snapshot as differentialSnapshot, startDifferentialApp } from '../../test/differential.js';

let t: TestApp;
let sku: string;
let narrowKey: string;

beforeAll(async () => {
  ({ t, sku, narrowKey } = await startDifferentialApp());
});
afterAll(async () => t?.close());

const post = (body: unknown, headers: Record<string, string> = {}, token: string | null = t.adminKey) => postRaw(t, body, headers, token);

const RELEVANT_HEADERS = ['content-type', 'cache-control', 'x-sql-statements', 'content-length'];

const snapshot = (res: Response) => differentialSnapshot(res, RELEVANT_HEADERS);

type Engine = 'jit' | 'graphql-js' | 'none';

/** The same request on graphql-js (jit off) and then with jit on; both answers must be identical, and `engine` must have answered the second. */
async function compare(body: unknown, engine: Engine, token: string | null = t.adminKey) {
  const { executor } = t.app;
  executor.jit = false;
  const viaJs = await snapshot(await post(body, {}, token));
  executor.jit = true;
  const before = { ...executor.stats };
  const viaJit = await snapshot(await post(body, {}, token));
  expect(executor.stats.jit - before.jit, 'answered by graphql-jit').toBe(engine === 'jit' ? 1 : 0);
  expect(executor.stats.graphqlJs - before.graphqlJs, 'answered by graphql-js').toBe(engine === 'graphql-js' ? 1 : 0);
  expect(viaJit).toEqual(viaJs);
  return { ...viaJs, json: JSON.parse(viaJs.body) };
}

describe('graphql-jit as Apollo executor', () => {
  it('answers a query with variables as graphql-js, including the SQL statement count and headers', async () => {
    const compiled = t.app.executor.stats.compiled;
    const r = await compare({ query: Q_VARIANT, variables: { sku } }, 'jit');
    expect(r.status).toBe(200);
    expect(r.json.data.productVariant.sku).toBe(sku);
    expect(r.headers['x-sql-statements']).toBe('1');
    expect(r.headers['cache-control']).toBe('no-store');
    // Other variables, same compiled query.
    const other = await compare({ query: Q_VARIANT, variables: { sku: 'NO-SUCH-SKU' } }, 'jit');
    expect(other.json).toEqual({ data: { productVariant: null } });
    expect(t.app.executor.stats.compiled - compiled).toBe(1);
  });

  it('runs fragments, aliases, directives, lists and nulls as jit code with graphql-js bytes', async () => {
    const query = `query L($sku: String!, $withTitle: Boolean!) {
      first: productVariant(sku: $sku) { sku title @include(if: $withTitle) weightGrams product { title variants { ...V } } }
      none: productVariant(sku: "NO-SUCH") { sku }
      products(first: 5) { totalCount nodes { id variants { sku price { amountMinor currency } } } pageInfo { hasNextPage } }
    }
    fragment V on ProductVariant { sku gtin price { amountMinor } }`;
    for (const withTitle of [true, false]) {
      const r = await compare({ query, variables: { sku, withTitle } }, 'jit');
      expect('title' in r.json.data.first).toBe(withTitle);
      expect(r.json.data.first.product.variants.map((v: { sku: string }) => v.sku)).toContain(sku);
      expect(r.json.data.none).toBeNull();
      expect(r.json.data.products.totalCount).toBeGreaterThan(0);
    }
    // A resolver error inside a compiled query: same message, path, locations and code.
    const bad = await compare({ query: 'query B($first: Int!) { products(first: $first) { totalCount } }', variables: { first: 1000 } }, 'jit');
    expect(bad.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(bad.json.errors[0].path).toEqual(['products']);
  });

  it('leaves interfaces (type-graphql resolveType is async), introspection and mutations to graphql-js', async () => {
    const product = (await compare({ query: 'query P($sku: String!) { productVariant(sku: $sku) { product { id } } }', variables: { sku } }, 'jit')).json.data
      .productVariant.product.id;
    const node = await compare(
      { query: 'query N($id: ID!) { node(id: $id) { __typename id ... on Product { title } } other: node(id: "bm8tc3VjaA") { id } }', variables: { id: product } },
      'graphql-js',
    );
    expect(node.json.data.node.__typename).toBe('Product');
    expect(node.json.data.other).toBeNull();
    await compare({ query: 'query I { ...F } fragment F on Query { __type(name: "Query") { name } }' }, 'graphql-js');
    const q = 'mutation R($input: ApiKeyRevokeInput!) { apiKeyRevoke(input: $input) { apiKey { id } userErrors { field code message } } }';
    const r = await compare({ query: q, variables: { input: { id: 'nope' } } }, 'graphql-js');
    expect(r.json.data.apiKeyRevoke.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('answers variable coercion errors with 400 BAD_USER_INPUT and graphql-js messages', async () => {
    const missing = await compare({ query: Q_VARIANT }, 'graphql-js');
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(missing.json.data).toBeUndefined();
    const wrongType = await compare({ query: Q_VARIANT, variables: { sku: 42 } }, 'graphql-js');
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors[0].message).toBe('Variable "$sku" got invalid value 42; String cannot represent a non string value: 42');
  });

  it('hides "Did you mean" hints from anonymous callers and keeps them for staff', async () => {
    const q = 'query W($topic: WebhookTopic) { webhookSubscriptions(topic: $topic) { nodes { id } } }';
    const anon = await compare({ query: q, variables: { topic: 'ORDER_CREATE' } }, 'graphql-js', null);
    expect(anon.status).toBe(400);
    expect(anon.json.errors[0].message).not.toMatch(/Did you mean/);
    const staff = await compare({ query: q, variables: { topic: 'ORDER_CREATE' } }, 'graphql-js');
    expect(staff.json.errors[0].message).toMatch(/Did you mean/);
  });

  it('reports UNAUTHENTICATED and FORBIDDEN from the resolvers of a compiled query as graphql-js', async () => {
    await post({ query: Q_VARIANT, variables: { sku } }, {}, narrowKey); // the key's first use reads it from the database (one more SQL statement)
    const anon = await compare({ query: Q_VARIANT, variables: { sku } }, 'jit', null);
    expect(anon.status).toBe(200);
    expect(anon.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anon.json.data).toEqual({ productVariant: null });
    const narrow = await compare({ query: Q_VARIANT, variables: { sku } }, 'jit', narrowKey);
    expect(narrow.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(narrow.json.errors[0].path).toEqual(['productVariant']);
  });

  it('selects the operation by operationName; a missing or unknown name fails as in Apollo', async () => {
    const q = 'query A { viewer { kind } } query B { viewer { name } }';
    const a = await compare({ query: q, operationName: 'A' }, 'jit');
    expect(a.json).toEqual({ data: { viewer: { kind: 'STAFF' } } });
    const b = await compare({ query: q, operationName: 'B', variables: null }, 'jit');
    expect(Object.keys(b.json.data.viewer)).toEqual(['name']);
    const none = await compare({ query: q }, 'graphql-js');
    expect(none.status).toBe(400);
    const unknown = await compare({ query: q, operationName: 'C' }, 'graphql-js');
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
  });

  it('never executes a document that fails parsing or validation', async () => {
    const invalid = await compare({ query: '{ viewer { nope } }' }, 'none');
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const unparsable = await compare({ query: '{ viewer { ' }, 'none');
    expect(unparsable.json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
  });
});
