/**
 * Differential test of the HTTP fast path (fast-path.ts) against Apollo. Each case sends the same
 * request twice to the same app: once with the fast path switched off (Apollo's pipeline), once
 * with it on, and compares status, the headers a client relies on and the body byte for byte;
 * `fastPath.stats.hits` tells which requests the fast path answered. The cases: every operation of
 * every document in test/operations/ (with generated variables, and without), and every class of
 * error an answer can carry (parse, validation, limits, variables, suggestions, resolver errors
 * with their codes, operation resolution, authentication, rate limit, content negotiation).
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  getNamedType,
  isEnumType,
  isListType,
  isNonNullType,
  isScalarType,
  Kind,
  parse,
  typeFromAST,
  type GraphQLInputType,
  type OperationDefinitionNode,
} from 'graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../shared/principal.js';
import { documentRules } from './document-rules.js';
import { FastPath } from './fast-path.js';
import { startApp, type TestApp } from '../../test/harness.js';
import { postRaw, Q_VARIANT, snapshot as differentialSnapshot, startDifferentialApp } from '../../test/differential.js';

let t: TestApp;
let sku: string;
let narrowKey: string;

beforeAll(async () => {
  ({ t, sku, narrowKey } = await startDifferentialApp());
});
afterAll(async () => t?.close());

const post = postRaw;

const RELEVANT_HEADERS = ['content-type', 'cache-control', 'x-sql-statements', 'retry-after', 'www-authenticate', 'allow', 'content-length'];

const snapshot = (res: Response) => differentialSnapshot(res, RELEVANT_HEADERS);

/** The same request through Apollo (fast path off) and then with the fast path on; both answers must be identical. */
async function compare(body: unknown, opts: { headers?: Record<string, string>; token?: string | null; fast: boolean; app?: TestApp; sqlCount?: boolean }) {
  const app = opts.app ?? t;
  const send = () => post(app, body, opts.headers, opts.token === undefined ? app.adminKey : opts.token);
  app.app.fastPath.enabled = false;
  const viaApollo = await snapshot(await send());
  app.app.fastPath.enabled = true;
  const hits = app.app.fastPath.stats.hits;
  const viaFast = await snapshot(await send());
  expect(app.app.fastPath.stats.hits - hits, 'answered by the fast path').toBe(opts.fast ? 1 : 0);
  if (opts.sqlCount === false) {
    // The first answer may warm caches (API keys, stock, loaders of other requests) that the second then skips.
    delete (viaFast.headers as Record<string, unknown>)['x-sql-statements'];
    delete (viaApollo.headers as Record<string, unknown>)['x-sql-statements'];
  }
  expect(viaFast).toEqual(viaApollo);
  return { ...viaApollo, json: JSON.parse(viaApollo.body) };
}

describe('HTTP fast path', () => {
  it('answers a known document with variables exactly as Apollo, including the SQL statement count', async () => {
    const r = await compare({ query: Q_VARIANT, variables: { sku } }, { fast: true });
    expect(r.status).toBe(200);
    expect(r.json.data.productVariant.sku).toBe(sku);
    expect(r.headers['x-sql-statements']).toBe('1');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.body.endsWith('\n')).toBe(true);
    // Other variables, same cached document.
    const other = await compare({ query: Q_VARIANT, variables: { sku: 'NO-SUCH-SKU' } }, { fast: true });
    expect(other.json).toEqual({ data: { productVariant: null } });
  });

  it('runs known queries with the same bytes as Apollo: interfaces, fragments, aliases, directives, lists, nulls', async () => {
    const product = (await compare({ query: 'query P($sku: String!) { productVariant(sku: $sku) { product { id } } }', variables: { sku } }, { fast: true })).json.data.productVariant.product.id;
    const query = `query N($id: ID!, $sku: String!, $withTitle: Boolean!) {
      node(id: $id) { __typename id ... on Product { title variants { sku gtin price { amountMinor currency } } } ...V }
      first: productVariant(sku: $sku) { sku title @include(if: $withTitle) weightGrams }
      none: productVariant(sku: "NO-SUCH") { sku }
      other: node(id: "bm8tc3VjaA") { id }
    }
    fragment V on ProductVariant { sku }`;
    for (const withTitle of [true, false]) {
      const r = await compare({ query, variables: { id: product, sku, withTitle } }, { fast: true });
      expect(r.json.data.node.__typename).toBe('Product');
      expect(r.json.data.node.variants.map((v: { sku: string }) => v.sku)).toContain(sku);
      expect('title' in r.json.data.first).toBe(withTitle);
      expect(r.json.data.none).toBeNull();
    }
    // A resolver error inside a compiled query: same message, path, locations and code as Apollo.
    const bad = await compare({ query: 'query B($first: Int!) { products(first: $first) { totalCount } }', variables: { first: 1000 } }, { fast: true });
    expect(bad.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('stores a document only after Apollo validated it, and never an invalid one', async () => {
    const stored = t.app.fastPath.stats.stored;
    const q = `query Fresh${Date.now()} { viewer { kind } }`;
    const hits = t.app.fastPath.stats.hits;
    await post(t, { query: q }); // first sight: Apollo parses, validates, stores
    expect(t.app.fastPath.stats.hits).toBe(hits);
    expect(t.app.fastPath.stats.stored).toBe(stored + 1);
    await post(t, { query: q });
    expect(t.app.fastPath.stats.hits).toBe(hits + 1);

    const invalid = await compare({ query: '{ viewer { nope } }' }, { fast: false });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const unparsable = await compare({ query: '{ viewer { ' }, { fast: false });
    expect(unparsable.status).toBe(400);
    expect(unparsable.json.errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const nested = await compare({ query: `{ productVariant(sku: ${'['.repeat(300)}"x"${']'.repeat(300)}) { sku } }` }, { fast: false });
    expect(nested.status).toBe(400);
    expect(nested.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const deep = await compare({ query: `{ viewer { ${'kind '.repeat(1)} } ${Array.from({ length: 60 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }` }, { fast: false });
    expect(deep.json.errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    expect(t.app.fastPath.stats.stored).toBe(stored + 1);
  });

  it('answers variable coercion errors with 400 BAD_USER_INPUT, as Apollo', async () => {
    await post(t, { query: Q_VARIANT, variables: { sku } }); // known document
    const missing = await compare({ query: Q_VARIANT }, { fast: true });
    expect(missing.status).toBe(400);
    expect(missing.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
    expect(missing.json.data).toBeUndefined();
    const wrongType = await compare({ query: Q_VARIANT, variables: { sku: 42 } }, { fast: true });
    expect(wrongType.status).toBe(400);
    expect(wrongType.json.errors[0].extensions.code).toBe('BAD_USER_INPUT');
  });

  it('hides "Did you mean" hints from anonymous callers and keeps them for staff, as Apollo', async () => {
    const q = 'query W($topic: WebhookTopic) { webhookSubscriptions(topic: $topic) { nodes { id } } }';
    await post(t, { query: q, variables: { topic: null } });
    const anon = await compare({ query: q, variables: { topic: 'ORDER_CREATE' } }, { fast: true, token: null });
    expect(anon.status).toBe(400);
    expect(anon.json.errors[0].message).not.toMatch(/Did you mean/);
    const staff = await compare({ query: q, variables: { topic: 'ORDER_CREATE' } }, { fast: true });
    expect(staff.json.errors[0].message).toMatch(/Did you mean/);
  });

  it('reports UNAUTHENTICATED and FORBIDDEN from the resolvers exactly as Apollo', async () => {
    await post(t, { query: Q_VARIANT, variables: { sku } });
    await post(t, { query: Q_VARIANT, variables: { sku } }, {}, narrowKey); // the key's first use reads it from the database (one more SQL statement)
    const anon = await compare({ query: Q_VARIANT, variables: { sku } }, { fast: true, token: null });
    expect(anon.status).toBe(200);
    expect(anon.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
    expect(anon.json.data).toEqual({ productVariant: null });
    const narrow = await compare({ query: Q_VARIANT, variables: { sku } }, { fast: true, token: narrowKey });
    expect(narrow.json.errors[0].extensions.code).toBe('FORBIDDEN');
    expect(narrow.json.errors[0].path).toEqual(['productVariant']);
    // A token that does not authenticate is refused before any execution (401), on both paths.
    const bad = await compare({ query: Q_VARIANT, variables: { sku } }, { fast: false, token: 'wb_live_nope' });
    expect(bad.status).toBe(401);
    expect(bad.json.errors[0].extensions.code).toBe('UNAUTHENTICATED');
  });

  it('selects the operation by operationName; a missing or unknown name is left to Apollo', async () => {
    const q = 'query A { viewer { kind } } query B { viewer { name } }';
    await post(t, { query: q, operationName: 'A' });
    const a = await compare({ query: q, operationName: 'A' }, { fast: true });
    expect(a.json).toEqual({ data: { viewer: { kind: 'STAFF' } } });
    const b = await compare({ query: q, operationName: 'B', variables: null }, { fast: true });
    expect(Object.keys(b.json.data.viewer)).toEqual(['name']);
    const none = await compare({ query: q }, { fast: false });
    expect(none.status).toBe(400);
    const unknown = await compare({ query: q, operationName: 'C' }, { fast: false });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors[0].extensions.code).toBe('OPERATION_RESOLUTION_FAILURE');
    const notString = await compare({ query: q, operationName: 7 }, { fast: false });
    expect(notString.status).toBe(400);
  });

  it('negotiates the content type as Apollo; unusual accept headers and bodies go to Apollo', async () => {
    await post(t, { query: Q_VARIANT, variables: { sku } });
    const body = { query: Q_VARIANT, variables: { sku } };
    for (const accept of [
      'application/graphql-response+json',
      'application/graphql-response+json, application/json;q=0.9',
      'application/graphql-response+json, application/json',
      'application/json',
      'application/json, application/graphql-response+json',
      '*/*',
    ]) {
      await compare(body, { fast: true, headers: { accept } });
    }
    const noAccept = await compare(body, { fast: true });
    expect(noAccept.headers['content-type']).toBe('application/graphql-response+json; charset=utf-8');
    const json = await compare(body, { fast: true, headers: { accept: 'application/json' } });
    expect(json.headers['content-type']).toBe('application/json; charset=utf-8');
    const html = await compare(body, { fast: false, headers: { accept: 'text/html' } });
    expect(html.status).toBe(406);
    await compare(body, { fast: false, headers: { accept: 'application/json;q=0.5, application/graphql-response+json;q=0.6' } });
    await compare({ ...body, variables: [sku] }, { fast: false });
    await compare({ ...body, extensions: { persistedQuery: { version: 1, sha256Hash: 'x' } } }, { fast: false });
    await compare([body], { fast: false });
  });

  it('runs mutations of known documents with the same payload, userErrors included', async () => {
    const q = 'mutation R($input: ApiKeyRevokeInput!) { apiKeyRevoke(input: $input) { apiKey { id } userErrors { field code message } } }';
    await post(t, { query: q, variables: { input: { id: 'nope' } } });
    const r = await compare({ query: q, variables: { input: { id: 'nope' } } }, { fast: true });
    expect(r.json.data.apiKeyRevoke.userErrors[0].code).toBe('NOT_FOUND');
  });

  it('leaves introspection, GET and subscriptions to Apollo', async () => {
    const intro = '{ __schema { queryType { name } } }';
    await post(t, { query: intro });
    await compare({ query: intro }, { fast: false });
    const viaFragment = 'query I { ...F } fragment F on Query { __type(name: "Query") { name } }';
    await post(t, { query: viaFragment });
    await compare({ query: viaFragment }, { fast: false });
    const sub = 'subscription S { productCreated { id } }';
    await post(t, { query: sub });
    await compare({ query: sub }, { fast: false });
    const hits = t.app.fastPath.stats.hits;
    await post(t, { query: '{ viewer { kind } }' });
    const res = await fetch(`${t.url}?query=${encodeURIComponent('{ viewer { kind } }')}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect(t.app.fastPath.stats.hits).toBe(hits);
  });

  // A second app (PGlite migrations): slow on a busy machine, hence the longer timeout.
  it('applies the rate limit before the fast path, with the same 429 answer; hands everything to Apollo once closing', { timeout: 120_000 }, async () => {
    const limited = await startApp({ env: { RATE_LIMIT_ANON_PER_MIN: '4' } });
    try {
      const body = { query: '{ viewer { kind } }' };
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++) statuses.push((await post(limited, body, {}, null)).status); // the document is now known
      const hits = limited.app.fastPath.stats.hits;
      expect(hits).toBe(2);
      // 4 per minute + a burst of 2: the 7th and 8th requests are refused, whichever path would answer them.
      for (let i = 0; i < 3; i++) statuses.push((await post(limited, body, {}, null)).status);
      const r = await compare(body, { fast: false, token: null, app: limited });
      expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
      expect(r.status).toBe(429);
      expect(r.json.errors[0].extensions.code).toBe('RATE_LIMITED');
      expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
      expect(limited.app.fastPath.stats.hits).toBe(hits + 3);
    } finally {
      await limited.close();
    }
    expect(limited.app.fastPath.enabled).toBe(false);
  });

  it('keeps its document cache bounded in bytes: a large document is not kept, old ones are evicted', async () => {
    const fp = new FastPath({ executor: t.app.executor, formatError: (f) => f, rules: documentRules(t.app.config), includeStacktrace: false, maxBytes: 16 * 1024 });
    const listener = (await fp.plugin().requestDidStart!({} as never)) as { didResolveOperation(rc: unknown): Promise<void> };
    const store = (source: string) => listener.didResolveOperation({ source, document: parse(source), queryHash: source });
    const small = '{ viewer { kind } }';
    await store(small);
    await store(`{ viewer { kind } } # ${'x'.repeat(2000)}`); // 3 × 2 KiB > 16 KiB / 16: not kept
    expect(fp.stats.stored).toBe(1);
    for (let i = 0; i < 40; i++) await store(`query Q${i} { viewer { kind } } # ${'y'.repeat(300)}`);
    const ctx = () => t.app.context(ANONYMOUS);
    expect(await fp.execute({ query: small }, 'application/json', ctx)).toBeNull(); // evicted by the 40 newer ones
    expect(await fp.execute({ query: `query Q39 { viewer { kind } } # ${'y'.repeat(300)}` }, 'application/json', ctx)).not.toBeNull();
  });
});

const OPERATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../test/operations');

describe('HTTP fast path: every document of test/operations', () => {
  const files = readdirSync(OPERATIONS_DIR).filter((f) => f.endsWith('.graphql'));

  /** A value of this input type when it is a scalar, an enum or a list of them; undefined for input objects. */
  function sample(type: GraphQLInputType, ids: { product: string }): unknown {
    if (isNonNullType(type)) return sample(type.ofType, ids);
    if (isListType(type)) {
      const v = sample(type.ofType, ids);
      return v === undefined ? undefined : [v];
    }
    const named = getNamedType(type);
    if (isEnumType(named)) return named.getValues()[0]!.name;
    if (!isScalarType(named)) return undefined;
    switch (named.name) {
      case 'ID':
        return ids.product;
      case 'String':
        return sku;
      case 'Int':
        return 5;
      case 'Float':
        return 1.5;
      case 'Boolean':
        return true;
      case 'DateTime':
        return '2026-01-02T03:04:05.000Z';
      default:
        return 'x';
    }
  }

  it('has documents to compare', () => {
    expect(files.length).toBeGreaterThan(5);
  });

  for (const file of files) {
    it(`answers every operation of ${file} as Apollo (no variables: coercion errors; generated variables for queries)`, { timeout: 120_000 }, async () => {
      const source = readFileSync(path.join(OPERATIONS_DIR, file), 'utf8');
      const operations = parse(source).definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
      expect(operations.length).toBeGreaterThan(0);
      const product = (await (await post(t, { query: 'query P($sku: String!) { productVariant(sku: $sku) { product { id } } }', variables: { sku } })).json()).data
        .productVariant.product.id as string;
      for (const op of operations) {
        const operationName = op.name!.value;
        const fast = op.operation !== 'subscription';
        // Without variables: operations with required variables fail coercion (nothing runs), the others execute.
        await compare({ query: source, operationName }, { fast, sqlCount: false });
        if (op.operation !== 'query' || !op.variableDefinitions?.length) continue;
        // Queries again with generated variables (scalars, enums): their resolvers run with real arguments.
        const variables: Record<string, unknown> = {};
        for (const v of op.variableDefinitions) {
          const value = sample(typeFromAST(t.app.schema, v.type as never) as GraphQLInputType, { product });
          if (value !== undefined) variables[v.variable.name.value] = value;
        }
        await compare({ query: source, operationName, variables }, { fast, sqlCount: false });
        // Anonymous: UNAUTHENTICATED or suggestions hidden, as Apollo.
        await compare({ query: source, operationName, variables }, { fast, token: null, sqlCount: false });
      }
    });
  }
});
