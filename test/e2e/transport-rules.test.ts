/**
 * One set of rules for both transports: the same bad documents and variables, sent over HTTP
 * (POST, twice: Apollo, then the fast path for documents it kept) and over a real graphql-ws
 * socket, get the same error codes and messages, in production and in development.
 */
import type { Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import WebSocket from 'ws';
import { startApp, type TestApp } from '../harness.js';

interface Answer {
  data?: unknown;
  errors?: { message: string; extensions?: { code?: string } }[];
}

interface Case {
  name: string;
  query: string;
  variables?: Record<string, unknown>;
  /** Variables as JSON text, for values JSON.stringify cannot write (it recurses); sent over a raw socket on WebSocket. */
  variablesJson?: string;
  /** The code of the first error; undefined = no error expected. */
  code?: string;
  message?: RegExp;
}

const nested = (depth: number, leaf: string) => '['.repeat(depth) + leaf + ']'.repeat(depth);
/** A 100,000-deep JSON array: what a client can send in variables for a list argument. */
const deepJsonArray = `${'['.repeat(100_000)}"SHIPPED"${']'.repeat(100_000)}`;

/** With the default limits (MAX_DEPTH 12, MAX_ALIASES 30, MAX_TOKENS 5000). */
const badCases = (): Case[] => [
  { name: 'parse error', query: '{ viewer { kind }', code: 'GRAPHQL_PARSE_FAILED', message: /^Syntax Error: Expected Name, found <EOF>\.$/ },
  { name: 'unknown field', query: '{ viewer { kinde } }', code: 'GRAPHQL_VALIDATION_FAILED', message: /^Cannot query field "kinde" on type "Viewer"\./ },
  {
    name: 'too deep',
    query: `{ products(first: 1) { nodes { ${'variants { product { '.repeat(6)}id${' } }'.repeat(6)} } } }`,
    code: 'QUERY_TOO_COMPLEX',
    message: /depth/i,
  },
  {
    name: 'too many aliases',
    query: `{ ${Array.from({ length: 31 }, (_, i) => `a${i}: viewer { kind }`).join(' ')} }`,
    code: 'QUERY_TOO_COMPLEX',
    message: /alias/i,
  },
  { name: 'too many tokens', query: `{ viewer { ${'kind '.repeat(5100)}} }`, code: 'QUERY_TOO_COMPLEX', message: /tokens/ },
  {
    name: 'nesting bomb in an argument',
    query: `{ products(first: 1, query: ${nested(2000, '"x"')}) { totalCount } }`,
    code: 'QUERY_TOO_COMPLEX',
    message: /nest/i,
  },
  {
    name: 'nesting bomb in a directive argument',
    query: `{ viewer @include(if: ${nested(5000, 'true')}) { kind } }`,
    code: 'QUERY_TOO_COMPLEX',
    message: /nest/i,
  },
  {
    name: 'two operations, no operation name',
    query: 'query A { viewer { kind } } query B { viewer { kind } }',
    code: 'OPERATION_RESOLUTION_FAILURE',
    message: /^Must provide operation name if query contains multiple operations\.$/,
  },
  {
    name: 'bad enum literal',
    query: '{ orders(first: 1, filter: { status: [SHIPED] }) { totalCount } }',
    code: 'GRAPHQL_VALIDATION_FAILED',
    message: /SHIPED/,
  },
  {
    name: 'bad enum in variables',
    query: 'query Q($s: [OrderStatus!]) { orders(first: 1, filter: { status: $s }) { totalCount } }',
    variables: { s: ['SHIPED'] },
    code: 'BAD_USER_INPUT',
    message: /SHIPED/,
  },
  {
    name: '100,000-deep array in variables',
    query: 'query Q($s: [OrderStatus!]) { orders(first: 1, filter: { status: $s }) { totalCount } }',
    variablesJson: `{"s":${deepJsonArray}}`,
    code: 'BAD_USER_INPUT',
    message: /^Variable "\$s" got invalid value/,
  },
];

async function overHttp(t: TestApp, c: Case, token: string | null): Promise<Answer> {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: c.variablesJson ? `{"query":${JSON.stringify(c.query)},"variables":${c.variablesJson}}` : JSON.stringify({ query: c.query, variables: c.variables }),
  });
  const body = (await res.json()) as Answer;
  if (body.errors) expect(res.status, `${c.name}: HTTP status`).toBe(400);
  return body;
}

/** graphql-transport-ws by hand: connection_init, one subscribe message written as text, its answer. */
function overRawWs(t: TestApp, token: string | null, c: Case): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(t.wsUrl, 'graphql-transport-ws');
    let last: Answer = {};
    const done = (a: Answer) => {
      socket.close();
      resolve(a);
    };
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload: token ? { authorization: `Bearer ${token}` } : {} })));
    socket.on('message', (data) => {
      const m = JSON.parse(String(data)) as { type: string; payload?: unknown };
      if (m.type === 'connection_ack') socket.send(`{"id":"1","type":"subscribe","payload":{"query":${JSON.stringify(c.query)},"variables":${c.variablesJson}}}`);
      else if (m.type === 'next') last = m.payload as Answer;
      else if (m.type === 'error') done({ errors: m.payload as Answer['errors'] });
      else if (m.type === 'complete') done(last);
    });
    socket.on('close', (code, reason) => done({ errors: [{ message: `socket closed: ${code} ${String(reason)}`, extensions: { code: 'SOCKET_CLOSED' } }] }));
    socket.on('error', reject);
  });
}

function overWs(client: Client, c: Case): Promise<Answer> {
  return new Promise((resolve) => {
    let last: Answer = {};
    client.subscribe(
      { query: c.query, variables: c.variables },
      {
        next: (v) => (last = v as Answer),
        error: (e) =>
          resolve(
            Array.isArray(e)
              ? { errors: e }
              : { errors: [{ message: `socket closed: ${(e as { code?: number; reason?: string }).code} ${(e as { reason?: string }).reason}`, extensions: { code: 'SOCKET_CLOSED' } }] },
          ),
        complete: () => resolve(last),
      },
    );
  });
}

const shape = (a: Answer) => (a.errors ?? []).map((e) => ({ code: e.extensions?.code, message: e.message }));

/** Sends every case over both transports as `token` (null: anonymous) and checks they agree. */
async function sameOnBothTransports(t: TestApp, cases: Case[], token: string | null): Promise<Map<string, Answer>> {
  const client = t.ws(token);
  const answers = new Map<string, Answer>();
  try {
    for (const c of cases) {
      const http = await overHttp(t, c, token);
      const hits = t.app.fastPath.stats.hits;
      const again = await overHttp(t, c, token); // a document Apollo validated is answered by the fast path now
      const valid = c.code === undefined || c.code === 'BAD_USER_INPUT';
      if (!c.query.includes('__')) expect(t.app.fastPath.stats.hits - hits, `${c.name}: fast path`).toBe(valid ? 1 : 0);
      const ws = c.variablesJson ? await overRawWs(t, token, c) : await overWs(client, c);
      expect(shape(again), `${c.name}: HTTP answers the second time as the first`).toEqual(shape(http));
      expect(shape(ws), `${c.name}: WebSocket answers as HTTP`).toEqual(shape(http));
      if (c.code) {
        expect(http.errors?.[0]?.extensions?.code, c.name).toBe(c.code);
        if (c.message) expect(http.errors?.[0]?.message, c.name).toMatch(c.message);
        expect(http.data ?? null, c.name).toBeNull();
        expect(ws.data ?? null, c.name).toBeNull();
      }
      answers.set(c.name, http);
    }
  } finally {
    await client.dispose();
  }
  return answers;
}

const messages = (answers: Map<string, Answer>) => [...answers.values()].flatMap((a) => (a.errors ?? []).map((e) => e.message));

describe('transport rules in production (NODE_ENV=production)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(async () => t?.close());

  it('gives the same codes and messages over HTTP and WebSocket for bad documents and variables, without error logs', async () => {
    const logged = vi.spyOn(t.app.log, 'error');
    const introspection: Case = { name: 'introspection', query: '{ __schema { types { name } } }', code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection/i };
    const typeQuery: Case = { name: '__type', query: '{ __type(name: "OrderStatus") { enumValues { name } } }', code: 'GRAPHQL_VALIDATION_FAILED', message: /introspection/i };
    for (const token of [null, t.adminKey]) await sameOnBothTransports(t, [...badCases(), introspection, typeQuery], token);
    expect(logged).not.toHaveBeenCalled();
  });

  it('shows no "Did you mean" suggestions to any caller, on either transport', async () => {
    const cases = badCases().filter((c) => /unknown field|enum/.test(c.name));
    cases.push({ name: 'unknown argument', query: '{ products(frist: 1) { totalCount } }', code: 'GRAPHQL_VALIDATION_FAILED' });
    cases.push({ name: 'unknown input field', query: '{ orders(first: 1, filter: { statsu: [SHIPPED] }) { totalCount } }', code: 'GRAPHQL_VALIDATION_FAILED' });
    for (const token of [null, t.adminKey]) {
      const all = messages(await sameOnBothTransports(t, cases, token));
      expect(all.length).toBeGreaterThanOrEqual(cases.length);
      for (const m of all) expect(m).not.toMatch(/Did you mean|SHIPPED|kind"/);
    }
  });

  it('still answers good operations over both transports', async () => {
    const ok: Case = { name: 'ok', query: 'query Q($s: [OrderStatus!]) { orders(first: 1, filter: { status: $s }) { totalCount } }', variables: { s: ['SHIPPED'] } };
    const answers = await sameOnBothTransports(t, [ok], t.adminKey);
    expect(answers.get('ok')).toEqual({ data: { orders: { totalCount: 0 } } });
  });

  it('refuses a nesting bomb sent with GET as with POST', async () => {
    const bomb = badCases().find((c) => c.name === 'nesting bomb in an argument')!;
    const res = await fetch(`${t.url}?query=${encodeURIComponent(bomb.query)}`, { headers: { 'apollo-require-preflight': 'true' } });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errors: [{ message: 'Document nesting limit of 100 exceeded.', extensions: { code: 'QUERY_TOO_COMPLEX' } }] });
  });
});

describe('transport rules in development (NODE_ENV=development)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startApp({ env: { NODE_ENV: 'development' } });
  });
  afterAll(async () => t?.close());

  it('gives the same codes over both transports, allows introspection, and keeps suggestions for staff only', async () => {
    const logged = vi.spyOn(t.app.log, 'error');
    const introspection: Case = { name: 'introspection', query: '{ __schema { queryType { name } } }' };
    const staff = await sameOnBothTransports(t, [...badCases(), introspection], t.adminKey);
    expect(staff.get('introspection')).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    expect(staff.get('unknown field')!.errors![0]!.message).toMatch(/Did you mean "kind"\?/);
    expect(staff.get('bad enum in variables')!.errors![0]!.message).toMatch(/Did you mean the enum value "SHIPPED"\?/);
    const anon = await sameOnBothTransports(t, badCases(), null);
    for (const m of messages(anon)) expect(m).not.toMatch(/Did you mean/);
    expect(logged).not.toHaveBeenCalled();
  });
});
