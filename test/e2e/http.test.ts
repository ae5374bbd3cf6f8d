/** The HTTP face: GraphQL-over-HTTP, health, CORS, limits, rate limiting, error masking. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApp, type TestApp } from '../harness.js';

let t: TestApp;
beforeAll(async () => {
  t = await startApp({ env: { MAX_DEPTH: '6', MAX_ALIASES: '5', MAX_TOKENS: '400', MAX_COST: '3000', MAX_BODY_BYTES: '4096' } });
});
afterAll(async () => t?.close());

const post = (body: unknown, headers: Record<string, string> = {}, url = t.url) =>
  fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });
const auth = () => ({ authorization: `Bearer ${t.adminKey}` });

describe('GraphQL over HTTP', () => {
  it('answers POST with application/graphql-response+json', async () => {
    const res = await post({ query: '{ viewer { kind } }' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/application\/graphql-response\+json/);
    expect(res.headers.get('x-request-id')).toBeTruthy();
    expect(await res.json()).toEqual({ data: { viewer: { kind: 'ANONYMOUS' } } });
  });

  it('answers GET queries and refuses mutations over GET', async () => {
    const q = encodeURIComponent('{ viewer { kind } }');
    const res = await fetch(`${t.url}?query=${q}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(200);
    expect((await res.json()).data.viewer.kind).toBe('ANONYMOUS');
    const m = encodeURIComponent('mutation { apiKeyRevoke(input: {id: "x"}) { userErrors { code } } }');
    const bad = await fetch(`${t.url}?query=${m}`, { headers: { 'apollo-require-preflight': 'true', ...auth() } });
    expect(bad.status).toBe(405);
  });

  it('uses 4xx status codes for unparsable and invalid documents', async () => {
    const parse = await post({ query: '{ viewer { ' }, { accept: 'application/graphql-response+json' });
    expect(parse.status).toBe(400);
    expect((await parse.json()).errors[0].extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    const invalid = await post({ query: '{ nope }' }, { accept: 'application/graphql-response+json', ...auth() });
    expect(invalid.status).toBe(400);
    expect((await invalid.json()).errors[0].extensions.code).toBe('GRAPHQL_VALIDATION_FAILED');
    const json = await post('{"query": ', auth());
    expect(json.status).toBe(400);
  });

  it('refuses bodies over the size limit with 413', async () => {
    const res = await post({ query: `{ viewer { kind } } # ${'x'.repeat(5000)}` });
    expect(res.status).toBe(413);
  });

  it('blocks simple cross-site requests (CSRF) but lets a browser on another origin call it with a preflight', async () => {
    const csrf = await fetch(`${t.url}?query=${encodeURIComponent('{ viewer { kind } }')}`);
    expect(csrf.status).toBe(400);
    const pre = await fetch(t.url, {
      method: 'OPTIONS',
      headers: { origin: 'https://shop.example', 'access-control-request-method': 'POST', 'access-control-request-headers': 'content-type' },
    });
    expect(pre.status).toBe(204);
    expect(pre.headers.get('access-control-allow-origin')).toBe('*');
    expect(pre.headers.get('access-control-allow-headers')).toMatch(/content-type/);
    const res = await post({ query: '{ viewer { kind } }' }, { origin: 'https://shop.example' });
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
  });

  it('serves /healthz and /readyz', async () => {
    const base = t.url.replace('/graphql', '');
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(200);
    expect((await ready.json()).checks).toEqual({ database: 'ok', pubsub: 'ok' });
  });
});

describe('query limits', () => {
  it('refuses too deep, too many aliases, too many tokens and too costly queries with QUERY_TOO_COMPLEX', async () => {
    const deep = await post({ query: '{ products(first: 1) { nodes { variants { product { variants { product { variants { product { variants { sku } } } } } } } } } }' }, auth());
    expect((await deep.json()).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const aliases = await post({ query: `{ ${Array.from({ length: 8 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }` }, auth());
    expect((await aliases.json()).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const tokens = await post({ query: `{ viewer { ${Array.from({ length: 450 }, () => 'kind').join(' ')} } }` }, auth());
    expect((await tokens.json()).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
    const cost = await post({ query: '{ a: products(first: 100) { nodes { variants { sku title gtin weightGrams } } } b: products(first: 100) { nodes { variants { sku title gtin } } } }' }, auth());
    expect((await cost.json()).errors[0].extensions.code).toBe('QUERY_TOO_COMPLEX');
  });

  it('hides field suggestions from anonymous callers only', async () => {
    const anon = await (await post({ query: '{ viewer { kinde } }' })).json();
    expect(anon.errors[0].message).not.toMatch(/Did you mean/);
    const staff = await (await post({ query: '{ viewer { kinde } }' }, auth())).json();
    expect(staff.errors[0].message).toMatch(/Did you mean "kind"/);
  });
});

describe('errors and configuration', () => {
  it('masks faults: no stack trace, no internals, code INTERNAL_SERVER_ERROR', async () => {
    const broken = await startApp();
    try {
      await broken.app.database.close();
      const res = await post({ query: '{ products(first: 1) { nodes { id } } }' }, { authorization: `Bearer ${broken.adminKey}x` }, broken.url);
      const body = await res.json();
      const text = JSON.stringify(body);
      // PGlite raises a plain error (a fault: INTERNAL_SERVER_ERROR); a closed PostgreSQL pool says
      // CONNECTION_ENDED, which is "the database is unavailable" (SERVICE_UNAVAILABLE, db/errors.ts).
      // Masked either way.
      expect(body.errors[0].extensions.code).toMatch(/^(INTERNAL_SERVER_ERROR|SERVICE_UNAVAILABLE)$/);
      expect(text).not.toMatch(/stacktrace|at .*\.ts|select|PGlite/i);
    } finally {
      await broken.close().catch(() => {});
    }
  });

  it('turns introspection and the explorer off in production', async () => {
    const prod = await startApp({ env: { NODE_ENV: 'production' } });
    try {
      const body = await (await post({ query: '{ __schema { types { name } } }' }, { authorization: `Bearer ${prod.adminKey}` }, prod.url)).json();
      expect(body.errors[0].message).toMatch(/introspection/i);
      // No explorer page (explorer-page.test.ts shows it outside production), and no Apollo landing page either.
      const browser = { accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
      const page = await fetch(prod.url, { headers: browser });
      expect(page.headers.get('content-type')).not.toMatch(/text\/html/);
      expect(await page.text()).not.toMatch(/graphiql|<html/i);
      const root = prod.url.replace(/\/graphql$/, '');
      expect((await fetch(`${root}/graphiql`, { headers: browser })).status).toBe(404);
      expect((await fetch(`${root}/graphiql/assets/explorer.js`)).status).toBe(404);
    } finally {
      await prod.close();
    }
    const dev = await (await post({ query: '{ __schema { queryType { name } } }' }, auth())).json();
    expect(dev.data.__schema.queryType.name).toBe('Query');
  });

  it('rate-limits anonymous callers per IP with RATE_LIMITED and a retry-after hint, and leaves staff alone', async () => {
    const limited = await startApp({ env: { RATE_LIMIT_ANON_PER_MIN: '4' } });
    try {
      const statuses: number[] = [];
      let last: Response | undefined;
      for (let i = 0; i < 8; i++) {
        last = await post({ query: '{ viewer { kind } }' }, {}, limited.url);
        statuses.push(last.status);
      }
      expect(statuses.slice(0, 6).every((s) => s === 200)).toBe(true); // 4 per minute + burst of 2
      expect(statuses.at(-1)).toBe(429);
      expect(Number(last!.headers.get('retry-after'))).toBeGreaterThan(0);
      expect((await last!.json()).errors[0].extensions).toMatchObject({ code: 'RATE_LIMITED' });
      for (let i = 0; i < 20; i++) {
        const r = await post({ query: '{ viewer { kind } }' }, { authorization: `Bearer ${limited.adminKey}` }, limited.url);
        expect(r.status).toBe(200);
      }
    } finally {
      await limited.close();
    }
  });
});
