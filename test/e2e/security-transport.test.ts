/**
 * Security review, transport (issue "Hardening under load and faults"): in production no schema
 * leaks (introspection off, no "Did you mean" hints, on Apollo, the fast path and the WebSocket),
 * abusive documents are refused before execution (batches, aliases, fragment and field-merge
 * bombs, many operations, huge bodies), and cross-site requests a browser could send without a
 * preflight (GET mutations, text/plain, forms) never execute, also for documents the fast path knows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
beforeAll(async () => {
  // Production with the default limits (MAX_DEPTH 12, MAX_ALIASES 30, MAX_TOKENS 5000, MAX_COST 50000, 1 MB bodies).
  t = await startApp({ env: { NODE_ENV: 'production' } });
});
afterAll(async () => t?.close());

interface Answer {
  status: number;
  ms: number;
  body: { data?: unknown; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function post(body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminKey}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, ms: performance.now() - started, body: JSON.parse(text) };
}

async function get(query: string, headers: Record<string, string> = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(`${t.url}?query=${encodeURIComponent(query)}`, { headers: { authorization: `Bearer ${t.adminKey}`, ...headers } });
  return { status: res.status, ms: performance.now() - started, body: await res.json() };
}

/** Over graphql-ws with the admin key: the first result's errors (or data). */
async function overWs(query: string, variables?: Record<string, unknown>) {
  const client = t.ws();
  try {
    return await new Promise<{ data?: unknown; errors?: readonly { message: string }[] }>((resolve, reject) => {
      client.subscribe({ query, variables }, { next: (v) => resolve(v as never), error: (e) => (Array.isArray(e) ? resolve({ errors: e }) : reject(e)), complete: () => {} });
    });
  } finally {
    await client.dispose();
  }
}

const apiKeyCount = async () => ((await post({ query: '{ apiKeys(first: 100) { totalCount } }' })).body.data as { apiKeys: { totalCount: number } }).apiKeys.totalCount;

describe('point 1: no schema leaks in production', () => {
  it('refuses introspection to staff in every form: __schema, __type, inside a fragment, over GET and WebSocket', async () => {
    const docs = [
      '{ __schema { types { name } } }',
      '{ __type(name: "Order") { fields { name } } }',
      '{ ...X } fragment X on Query { __schema { queryType { name } } }',
      '{ viewer { kind } ... on Query { __type(name: "ApiKey") { name } } }',
    ];
    for (const query of docs) {
      for (const answer of [await post({ query }), await post({ query }), await get(query, { 'apollo-require-preflight': 'true' })]) {
        expect(answer.status, query).toBe(400);
        expect(answer.body.data, query).toBeUndefined();
        expect(answer.body.errors![0]!.message, query).toBe('GraphQL introspection is not allowed.');
      }
      const ws = await overWs(query);
      expect(ws.data ?? null, query).toBeNull();
      expect(ws.errors![0]!.message).toBe('GraphQL introspection is not allowed.');
    }
    // __typename is not introspection of the schema: it stays available.
    expect((await post({ query: '{ __typename }' })).body).toEqual({ data: { __typename: 'Query' } });
  });

  it('gives staff no "Did you mean" hint naming a field, argument, type or enum value (Apollo, fast path, WebSocket)', async () => {
    const cases: { query: string; variables?: Record<string, unknown>; leak: RegExp }[] = [
      { query: '{ viewer { kinde } }', leak: /"kind"/ },
      { query: '{ products(fist: 1) { totalCount } }', leak: /"first"/ },
      { query: 'query($i: ApiKeyCreateInpt) { viewer { kind } }', leak: /"ApiKeyCreateInput"/ },
      { query: '{ node(id: "x") { ... on Ordr { id } } }', leak: /"Order"/ },
      { query: '{ orders(first: 1, filter: { status: [SHIPPD] }) { totalCount } }', leak: /"SHIPPED"/ },
      { query: '{ orders(first: 1, filter: { statsu: [SHIPPED] }) { totalCount } }', leak: /"status"/ },
      { query: 'query($s: [OrderStatus!]) { orders(first: 1, filter: { status: $s }) { totalCount } }', variables: { s: ['SHIPPD'] }, leak: /"SHIPPED"/ },
      { query: 'query($f: OrderFilter) { orders(first: 1, filter: $f) { totalCount } }', variables: { f: { statsu: ['SHIPPED'] } }, leak: /"status"/ },
    ];
    for (const c of cases) {
      // Twice over HTTP: a valid document with bad variables is answered by the fast path the second time.
      const hits = t.app.fastPath.stats.hits;
      const answers = [(await post(c)).body, (await post(c)).body, await overWs(c.query, c.variables)];
      if (c.variables) expect(t.app.fastPath.stats.hits - hits, `${c.query}: fast path`).toBe(1);
      for (const a of answers) {
        expect(a.errors?.length, c.query).toBeGreaterThan(0);
        for (const e of a.errors!) {
          expect(e.message, c.query).not.toMatch(/Did you mean/);
          expect(e.message, c.query).not.toMatch(c.leak);
        }
      }
    }
  });
});

describe('point 2: abusive documents', () => {
  it('refuses array-batched requests as a whole: nothing in the batch runs, on Apollo and on the fast path', async () => {
    const before = await apiKeyCount();
    const create = { query: 'mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { apiKey { id } } }', variables: { i: { name: 'batched', kind: 'STAFF', scopes: ['read_catalog'] } } };
    // The mutation's document is known to the fast path after this (it creates one key).
    expect((await post(create)).status).toBe(200);
    for (const batch of [[create, create], [{ query: '{ viewer { kind } }' }, create], Array.from({ length: 100 }, () => ({ query: '{ __typename }' }))]) {
      const a = await post(batch);
      expect(a.status).toBe(400);
      expect(a.body).toEqual({ errors: [{ message: 'Operation batching disabled.', extensions: { code: 'BAD_REQUEST' } }] });
    }
    expect(await apiKeyCount()).toBe(before + 1);
  });

  it('limits aliases of a list field to MAX_ALIASES, also when spread over fragments', async () => {
    const field = (p: string, i: number) => `${p}${i}: products(first: 100) { totalCount }`;
    const direct = await post({ query: `{ ${Array.from({ length: 31 }, (_, i) => field('a', i)).join(' ')} }` });
    const viaFragments = await post({
      query: `{ ...A ...B } fragment A on Query { ${Array.from({ length: 16 }, (_, i) => field('a', i)).join(' ')} } fragment B on Query { ${Array.from({ length: 16 }, (_, i) => field('b', i)).join(' ')} }`,
    });
    for (const a of [direct, viaFragments]) {
      expect(a.status).toBe(400);
      expect(a.body.errors![0]).toEqual({ message: expect.stringMatching(/^Aliases limit of 30 exceeded/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
    }
  });

  it('refuses a fragment bomb (2^29 fields from 30 small fragments) by cost, quickly', async () => {
    let fragments = 'fragment F0 on Viewer { kind }\n';
    for (let i = 1; i < 30; i++) fragments += `fragment F${i} on Viewer { ...F${i - 1} ...F${i - 1} }\n`;
    const a = await post({ query: `{ viewer { ...F29 } } ${fragments}` });
    expect(a.status).toBe(400);
    expect(a.body.errors![0]).toMatchObject({ message: expect.stringMatching(/^Query Cost limit of 50000 exceeded/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
    expect(a.ms).toBeLessThan(2000);
  });

  it('refuses a field-merge bomb (thousands of repeated fields) and a document over the token limit, quickly', async () => {
    const repeated = await post({ query: `{ viewer { ${'kind '.repeat(4900)}} }` });
    expect(repeated.status).toBe(400);
    expect(repeated.body.data).toBeUndefined();
    expect(repeated.ms).toBeLessThan(2000);
    const conflicting = await post({ query: `{ ${Array.from({ length: 700 }, (_, i) => `products(first: ${i}) { totalCount }`).join(' ')} }` });
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
    expect(conflicting.ms).toBeLessThan(2000);
  });

  it('executes one operation of a document holding hundreds, and refuses a document with more than the token limit allows', async () => {
    const many = Array.from({ length: 900 }, (_, i) => `query q${i} { __typename }`).join(' ');
    const one = await post({ query: many, operationName: 'q899' });
    expect(one.body).toEqual({ data: { __typename: 'Query' } });
    expect(one.ms).toBeLessThan(2000);
    const tooMany = await post({ query: Array.from({ length: 1100 }, (_, i) => `query q${i} { __typename }`).join(' '), operationName: 'q1' });
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.errors![0]!.extensions!.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('refuses a body over MAX_BODY_BYTES with 413 before parsing, and repeated directives by the directive limit', async () => {
    const huge = await post({ query: `{ __typename } # ${'x'.repeat(1_100_000)}` });
    expect(huge.status).toBe(413);
    const directives = await post({ query: `{ viewer ${'@include(if: true) '.repeat(60)}{ kind } }` });
    expect(directives.status).toBe(400);
    expect(directives.body.errors![0]).toMatchObject({ message: expect.stringMatching(/^Directives limit of 50 exceeded/), extensions: { code: 'QUERY_TOO_COMPLEX' } });
  });
});

describe('point 3: cross-site requests', () => {
  const mutation = 'mutation($i: ApiKeyCreateInput!) { apiKeyCreate(input: $i) { apiKey { id } } }';
  const variables = { i: { name: 'csrf', kind: 'STAFF', scopes: ['read_catalog'] } };

  it('refuses a mutation over GET, with or without the preflight header, and runs nothing', async () => {
    const before = await apiKeyCount();
    const inline = 'mutation { apiKeyCreate(input: { name: "csrf-get", kind: STAFF, scopes: ["read_catalog"] }) { apiKey { id } } }';
    const withPreflight = await get(inline, { 'apollo-require-preflight': 'true' });
    expect(withPreflight.status).toBe(405);
    const simple = await get(inline);
    expect(simple.status).toBe(400);
    expect(simple.body.errors![0]!.message).toMatch(/Cross-Site Request Forgery/);
    expect(await apiKeyCount()).toBe(before);
  });

  it('refuses simple-request content types (text/plain, forms, none) even for a document the fast path knows', async () => {
    // The document is known: the next JSON POST of it would take the fast path.
    expect((await post({ query: mutation, variables })).status).toBe(200);
    const before = await apiKeyCount();
    const hits = t.app.fastPath.stats.hits;
    const json = JSON.stringify({ query: mutation, variables });
    for (const contentType of ['text/plain', 'text/plain; charset=utf-8', 'text/plain; application/json', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'TEXT/PLAIN', undefined]) {
      const res = await fetch(t.url, {
        method: 'POST',
        headers: { authorization: `Bearer ${t.adminKey}`, ...(contentType ? { 'content-type': contentType } : {}) },
        body: json,
      });
      expect(res.status, String(contentType)).toBe(400);
      expect(JSON.stringify(await res.json()), String(contentType)).toMatch(/Cross-Site Request Forgery/);
    }
    expect(t.app.fastPath.stats.hits).toBe(hits);
    expect(await apiKeyCount()).toBe(before);
  });
});
