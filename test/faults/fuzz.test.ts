/**
 * Schema-driven fuzzing of the live server: every mutation and every query of the served schema
 * (introspection → buildClientSchema → fast-check arbitraries, fuzz-schema.ts) gets a share of a few
 * thousand cases of hostile values, as the admin, anonymously and with a customer token, against a
 * real server process on a seeded store (some ids hit real rows). Bad input must be answered with
 * userErrors or a GraphQL error with a client code and change nothing; so across all cases: no HTTP
 * 5xx, no INTERNAL_SERVER_ERROR, no stack trace in any response, no error-level line in the server's
 * log, the server still up, and afterwards the stock ledger and order invariants hold
 * (invariants.ts, the checks every fault scenario uses).
 *
 * Reproducible: the cases come from FUZZ_SEED (default below) and FUZZ_RUNS (the same seed gives the
 * same operations, modes and value choices; the ids are the run's own, as every run seeds a fresh
 * store). A failure prints the case (round, index, operation, mode, auth) and its shortened variables.
 */
import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { buildClientSchema, getIntrospectionQuery, type GraphQLSchema, type IntrospectionQuery } from 'graphql';
import postgres from 'postgres';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCRIPT_PRINCIPAL } from '../../scripts/lib/script-app.js';
import { demoCustomer, demoProduct, seedCatalog, seedCostModel, seedCustomers, seedWarehouses } from '../../scripts/seed.js';
import { RETURNS_SEED_API } from '../../scripts/seed-returns-api.js';
import { seedReturnHistory } from '../../scripts/seed-returns.js';
import { DEMO_ORDER_PREFIX, demoPickupPoints, seedCarriers, seedOrderHistory } from '../../scripts/seed-shipping.js';
import { seedSupportHistory } from '../../scripts/seed-support.js';
import { createPickupPoint } from '../../src/modules/carriers/pickup.service.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import { ManualClock } from '../../src/shared/clock.js';
import { startApp } from '../harness.js';
import { checkInvariants } from './invariants.js';
import { askableBare, caseArb, emptyPools, harvest, operation, rootFields, selection, type FuzzCase, type Pools } from './fuzz-schema.js';
import { figure, freshDatabase, gql, OwnRedis, requireServices, startServer, type ServerProcess } from './lib.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20260115);
const RUNS = Number(process.env.FUZZ_RUNS ?? 2000);
/** Subscription cases (over graphql-ws; a case is answered, or still open after SUBSCRIPTION_WAIT_MS). */
const SUBSCRIPTION_RUNS = Number(process.env.FUZZ_SUBSCRIPTION_RUNS ?? 400);
const SUBSCRIPTION_WAIT_MS = 100;
/** Requests in flight at once (the machine has 2 cores: the server gets one, this process the other). */
const CONCURRENCY = 4;
/** Rounds: the second aims at what the first created as well as at the seeded rows. */
const ROUNDS = 2;
const SCENARIO = 'schema fuzzing';

const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
let db: { url: string; drop(): Promise<void> };
let redis: OwnRedis;
let server: ServerProcess;
let sql: postgres.Sql;
let schema: GraphQLSchema;
let customerToken = '';
const pools: Pools = emptyPools();

const headersFor = (auth: FuzzCase['auth']): Record<string, string> =>
  auth === 'admin' ? { authorization: `Bearer ${adminKey}` } : auth === 'customer' ? { authorization: `Bearer ${customerToken}` } : {};

async function admin<T = Record<string, unknown>>(query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const r = await gql<T>(server.url, query, variables, headersFor('admin'));
  if (typeof r.body === 'string' || r.body.errors?.length || !r.body.data) throw new Error(`${query.slice(0, 80)}: ${JSON.stringify(r.body).slice(0, 500)}`);
  return r.body.data;
}

/**
 * scripts/seed.ts's demo store, smaller and without what only makes it slow (300 pickup points,
 * planning, knowledge articles): catalog, customers, three warehouses with stock, carriers, a few
 * pickup points, a few weeks of orders with shipments, returns and tickets.
 */
async function seedStore(ctx: ServiceContext, clock: ManualClock) {
  const products = 10;
  const customers = 5;
  await seedCatalog(ctx, { products });
  await seedCustomers(ctx, { customers });
  await seedWarehouses(ctx, { picksPerWarehouse: 10, historyDays: 7 });
  await seedCarriers(ctx);
  for (const p of demoPickupPoints(300).slice(0, 6)) await createPickupPoint(ctx, p);
  const buyers = Array.from({ length: customers }, (_, i) => demoCustomer(i));
  const skus = Array.from({ length: products }, (_, i) => demoProduct(i).variants.map((v) => v.sku)).flat();
  await seedOrderHistory(ctx, buyers, skus, { count: 10, days: 40, clock });
  await seedReturnHistory(ctx, RETURNS_SEED_API, { prefix: DEMO_ORDER_PREFIX, clock });
  await seedSupportHistory(ctx, { prefix: DEMO_ORDER_PREFIX, clock });
  await seedCostModel(ctx);
  clock.set(new Date());
}

beforeAll(async () => {
  const { postgresUrl } = requireServices();
  db = await freshDatabase(postgresUrl);
  redis = await OwnRedis.start();
  // The store, through the services (test/factories/demo-store.ts's recipe) on the database the
  // server will use, while the server starts (both migrate; the migrator waits on an advisory lock).
  const seed = async () => {
    const clock = new ManualClock();
    const seeding = await startApp({ clock, databaseUrl: db.url, env: { REDIS_URL: redis.url } });
    try {
      await seedStore(seeding.app.context(SCRIPT_PRINCIPAL).services, clock);
    } finally {
      await seeding.close();
    }
  };
  [, server] = await Promise.all([
    seed(),
    startServer({

      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      ADMIN_API_KEY: adminKey,
      LOG_LEVEL: 'info', // startServer waits for the 'listening on' line
      // Not what is under test here (the load scenarios are): the fuzzer must not be throttled.
      RATE_LIMIT_ANON_PER_MIN: '1000000',
      RATE_LIMIT_CUSTOMER_PER_MIN: '1000000',
      RATE_LIMIT_PARTNER_PER_MIN: '1000000',
      RATE_LIMIT_BURST: '1000000',
      OUTBOX_POLL_MS: '200',
    }),
  ]);
  sql = postgres(db.url, { max: 2, onnotice: () => {} });

  const intro = await gql<IntrospectionQuery>(server.url, getIntrospectionQuery(), {}, headersFor('admin'));
  if (typeof intro.body === 'string' || !intro.body.data) throw new Error(`introspection failed: ${JSON.stringify(intro.body).slice(0, 300)}`);
  schema = buildClientSchema(intro.body.data);

  // A customer with a password and an order of its own, for the customer-token cases.
  const email = 'fuzz.customer@example.com';
  await admin('mutation($i: CustomerCreateInput!) { customerCreate(input: $i) { userErrors { code } } }', { i: { email, name: 'Fuzz Customer', password: 'fuzz-password-123' } });
  const tok = await admin<{ customerAccessTokenCreate: { accessToken: string | null } }>(
    'mutation($i: CustomerAccessTokenCreateInput!) { customerAccessTokenCreate(input: $i) { accessToken } }',
    { i: { email, password: 'fuzz-password-123' } },
  );
  customerToken = tok.customerAccessTokenCreate.accessToken ?? '';
  expect(customerToken).not.toBe('');

  // Real ids and codes to aim at: everything the queries without required arguments return.
  await Promise.all(
    rootFields(schema, 'query')
      .filter(askableBare)
      .map(async (f) => {
        const first = f.args.some((a) => a.name === 'first') ? '(first: 50)' : '';
        const r = await gql(server.url, `{ ${f.name}${first} ${selection(f.type, 2)} }`, {}, headersFor('admin'));
        if (typeof r.body !== 'string') harvest(r.body.data, pools);
      }),
  );
  // The fuzzer must not lock itself out: the key it authenticates with is no target for apiKeyRevoke.
  const keys = await admin<{ apiKeys: { nodes: { id: string; prefix: string }[] } }>('{ apiKeys(first: 100) { nodes { id prefix } } }');
  const own = keys.apiKeys.nodes.filter((k) => adminKey.startsWith(k.prefix)).map((k) => k.id);
  expect(own.length).toBe(1);
  pools.exclude.add(own[0]!);
  pools.ids.set('ApiKey', (pools.ids.get('ApiKey') ?? []).filter((id) => id !== own[0]));
  const mine = await gql(server.url, `{ viewer ${selection(schema.getQueryType()!.getFields().viewer!.type, 2)} }`, {}, headersFor('customer'));
  if (typeof mine.body !== 'string') harvest(mine.body.data, pools);
}, 240_000);

afterAll(async () => {
  server?.kill();
  await server?.exited;
  await sql?.end();
  await redis?.kill();
  await db?.drop();
});

/** What a response must never show. */
const STACK = /"stacktrace"|\n\s+at [^\n]+:\d+:\d+|at (?:async )?[\w.<>]+ \((?:file:\/\/)?\/[^)]+:\d+:\d+\)|node_modules\/|\/src\/[\w/.-]+\.ts:\d+/;

interface Finding {
  label: string;
  c: FuzzCase;
  what: string;
  operation: string;
  variables: string;
  response: string;
}

const short = (s: string, n = 600) => (s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s);

/** The server's log lines at level error or above, from `start` (an offset in its output) on. */
function errorLogLines(start: number): { level: number; msg: string }[] {
  return server
    .output()
    .slice(start)
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => {
      try {
        return JSON.parse(l) as { level: number; msg: string };
      } catch {
        return { level: 0, msg: l };
      }
    })
    .filter((l) => l.level >= 50);
}

/** The cases of one round: every root field of `kind` its share, each from its own derived seed (adding a field does not reshuffle the others). */
function casesOf(kind: FuzzCase['kind'], fields: ReturnType<typeof rootFields>, perField: number, round: number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  for (const f of fields) {
    const s = [...`${kind}.${f.name}.${round}`].reduce((h, ch) => (Math.imul(h, 31) + ch.charCodeAt(0)) | 0, SEED);
    cases.push(...fc.sample(caseArb(kind, f, pools), { seed: s, numRuns: perField }));
  }
  return cases;
}

describe('schema-driven fuzzing', () => {
  it(`every mutation and query argument from the served schema: no 5xx, no internal error, no stack trace, no error log, invariants hold (seed ${SEED}, ${RUNS} cases)`, async () => {
    const baseline = await checkInvariants(sql);
    expect(baseline, 'the seeded store must satisfy the invariants before fuzzing').toEqual([]);
    expect(pools.ids.size, 'ids harvested from the seeded store').toBeGreaterThan(10);

    const mutations = rootFields(schema, 'mutation');
    const queries = rootFields(schema, 'query');
    const fieldCount = mutations.length + queries.length;
    const perField = Math.max(ROUNDS, Math.ceil(RUNS / fieldCount));
    /** A round's cases, interleaved so the operations meet each other's leftovers. */
    const roundCases = (round: number): FuzzCase[] => {
      const cases = [...casesOf('mutation', mutations, perField / ROUNDS, round), ...casesOf('query', queries, perField / ROUNDS, round)];
      return fc.sample(fc.shuffledSubarray(cases, { minLength: cases.length, maxLength: cases.length }), { seed: SEED + round, numRuns: 1 })[0]!;
    };

    const logStart = server.output().length;
    const counts = new Map<string, number>();
    const codes = new Map<string, number>();
    const findings: Finding[] = [];
    let total = 0;
    let fiveHundreds = 0;
    let stackTraces = 0;
    let internal = 0;
    let passedCoercion = 0;
    let applied = 0;
    /** The admin key stopped working: the rest of the run would test nothing past authentication. */
    let adminLockouts = 0;
    const started = performance.now();
    const run = async (label: string, c: FuzzCase) => {
      const op = operation(schema, c, 1);
      counts.set(`${c.kind} ${c.field}`, (counts.get(`${c.kind} ${c.field}`) ?? 0) + 1);
      let status: number;
      let text: string;
      try {
        const res = await fetch(server.url, { method: 'POST', headers: { 'content-type': 'application/json', ...headersFor(c.auth) }, body: JSON.stringify(op) });
        status = res.status;
        text = await res.text();
      } catch (err) {
        findings.push({ label, what: `request failed: ${String(err)}`, c, operation: op.query, variables: short(JSON.stringify(op.variables)), response: '' });
        return;
      }
      const problems: string[] = [];
      if (status >= 500) {
        fiveHundreds++;
        problems.push(`HTTP ${status}`);
      }
      if (STACK.test(text)) {
        stackTraces++;
        problems.push('stack trace in the response');
      }
      let body: { data?: Record<string, { userErrors?: unknown[] } | null> | null; errors?: { extensions?: { code?: string } }[] } | undefined;
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`not JSON (HTTP ${status})`);
      }
      for (const e of body?.errors ?? []) {
        const code = e.extensions?.code ?? 'NONE';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (c.auth === 'admin' && code === 'UNAUTHENTICATED') adminLockouts++;
        if (code === 'INTERNAL_SERVER_ERROR' || code === 'NONE') {
          internal++;
          problems.push(`error code ${code}`);
        }
      }
      if (body?.data) {
        passedCoercion++;
        const payload = body.data[c.field];
        if (c.kind === 'mutation' && payload && Array.isArray(payload.userErrors) && payload.userErrors.length === 0) applied++;
        // What the fuzzer's own mutations made (orders, pick lists, suppliers…) is a target for the next round.
        harvest(body.data, pools);
      }
      if (problems.length) findings.push({ label, what: problems.join(', '), c, operation: short(op.query, 300), variables: short(JSON.stringify(op.variables)), response: short(text) });
    };
    for (let round = 0; round < ROUNDS; round++) {
      const cases = roundCases(round);
      total += cases.length;
      let next = 0;
      const worker = async () => {
        while (next < cases.length) {
          const i = next++;
          await run(`round ${round} case ${i}`, cases[i]!);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    }
    const seconds = (performance.now() - started) / 1000;

    // The relay and the webhook / notification workers act on what the fuzzer created: give them a moment, then read the log.
    await new Promise((r) => setTimeout(r, 1000));
    const errorLogs = errorLogLines(logStart);
    const violations = await checkInvariants(sql);

    figure(SCENARIO, 'seed', SEED);
    figure(SCENARIO, 'cases', total);
    figure(SCENARIO, 'operations fuzzed', counts.size);
    figure(SCENARIO, 'cases per operation', perField);
    figure(SCENARIO, 'cases past coercion (data in the response)', passedCoercion);
    figure(SCENARIO, 'mutations applied (no userErrors)', applied);
    figure(SCENARIO, 'HTTP 5xx', fiveHundreds);
    figure(SCENARIO, 'INTERNAL_SERVER_ERROR errors', internal);
    figure(SCENARIO, 'responses with a stack trace', stackTraces);
    figure(SCENARIO, 'server log lines at level error', errorLogs.length);
    figure(SCENARIO, 'invariant violations', violations.length);
    figure(SCENARIO, 'duration', seconds, 's');
    figure(SCENARIO, 'throughput', total / seconds, 'cases/s');
    console.log(`[faults] ${SCENARIO} · error codes ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])))}`);
    for (const f of findings.slice(0, 15)) console.log(`[fuzz] ${f.label} (${f.c.kind} ${f.c.field}, ${f.c.auth}, ${f.c.mode}${f.c.inline ? ', inline' : ''}): ${f.what}\n  ${f.operation}\n  variables ${f.variables}\n  response ${f.response}`);
    if (violations.length) console.log(`[fuzz] invariant violations:\n${violations.join('\n')}`);
    for (const l of errorLogs.slice(0, 10)) console.log(`[fuzz] error log: ${short(JSON.stringify(l), 1500)}`);

    expect(server.child.exitCode, 'the server is still running').toBeNull();
    expect(adminLockouts, 'admin cases refused as UNAUTHENTICATED').toBe(0);
    expect(findings.map((f) => `${f.label} ${f.c.kind} ${f.c.field}: ${f.what}`)).toEqual([]);
    expect(errorLogs.map((l) => l.msg)).toEqual([]);
    expect(violations).toEqual([]);
    expect(counts.size).toBe(fieldCount);
  }, 240_000);

  it(`every subscription argument over graphql-ws: no internal error, no stack trace, no socket closed by the server, no error log (seed ${SEED}, ${SUBSCRIPTION_RUNS} cases)`, async () => {
    const fields = rootFields(schema, 'subscription');
    const perField = Math.ceil(SUBSCRIPTION_RUNS / fields.length);
    const cases = casesOf('subscription', fields, perField, 0);
    const logStart = server.output().length;
    /** Closes of a socket other than the client's own (1000): 4500 is the server's internal error. */
    const closes: string[] = [];
    const clients = new Map<FuzzCase['auth'], Client>();
    const clientFor = (auth: FuzzCase['auth']): Client => {
      let c = clients.get(auth);
      if (!c) {
        c = createClient({
          url: server.wsUrl,
          webSocketImpl: WebSocket,
          connectionParams: () => ({ ...headersFor(auth) }),
          lazyCloseTimeout: 5_000, // one socket per caller across cases
          retryAttempts: 0,
          on: {
            closed: (e) => {
              const { code, reason } = e as { code: number; reason: string };
              if (code !== 1000) closes.push(`${auth}: ${code} ${reason}`);
            },
          },
        });
        clients.set(auth, c);
      }
      return c;
    };
    const outcomes = new Map<string, number>();
    const codes = new Map<string, number>();
    const findings: Finding[] = [];
    const started = performance.now();
    const run = async (label: string, c: FuzzCase) => {
      const op = operation(schema, c, 1);
      const result = await new Promise<{ kind: 'next' | 'error' | 'complete' | 'open'; value?: unknown }>((resolve) => {
        let settled = false;
        let dispose = () => {};
        const finish = (o: { kind: 'next' | 'error' | 'complete' | 'open'; value?: unknown }) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          dispose();
          resolve(o);
        };
        const timer = setTimeout(() => finish({ kind: 'open' }), SUBSCRIPTION_WAIT_MS);
        dispose = clientFor(c.auth).subscribe(op, {
          next: (value) => finish({ kind: 'next', value }),
          error: (value) => finish({ kind: 'error', value }),
          complete: () => finish({ kind: 'complete' }),
        });
      });
      outcomes.set(result.kind, (outcomes.get(result.kind) ?? 0) + 1);
      const text = result.value instanceof Error ? `${result.value.name}: ${result.value.message}` : JSON.stringify(result.value ?? null);
      const errors: { extensions?: { code?: string } }[] = Array.isArray(result.value)
        ? result.value
        : ((result.value as { errors?: { extensions?: { code?: string } }[] } | undefined)?.errors ?? []);
      const problems: string[] = [];
      if (STACK.test(text)) problems.push('stack trace in the message');
      if (result.kind === 'error' && !Array.isArray(result.value)) problems.push(`socket error: ${short(text, 200)}`);
      for (const e of errors) {
        const code = e.extensions?.code ?? 'NONE';
        codes.set(code, (codes.get(code) ?? 0) + 1);
        if (code === 'INTERNAL_SERVER_ERROR' || code === 'NONE') problems.push(`error code ${code}`);
      }
      if (problems.length) findings.push({ label, what: problems.join(', '), c, operation: short(op.query, 300), variables: short(JSON.stringify(op.variables)), response: short(text) });
    };
    let next = 0;
    const worker = async () => {
      while (next < cases.length) {
        const i = next++;
        await run(`subscription case ${i}`, cases[i]!);
      }
    };
    try {
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
    } finally {
      await Promise.all([...clients.values()].map((c) => c.dispose()));
    }
    const seconds = (performance.now() - started) / 1000;
    await new Promise((r) => setTimeout(r, 300));
    const errorLogs = errorLogLines(logStart);

    const scenario = `${SCENARIO} (subscriptions)`;
    figure(scenario, 'cases', cases.length);
    figure(scenario, 'subscription fields fuzzed', fields.length);
    for (const kind of ['next', 'error', 'complete', 'open'] as const) figure(scenario, `answered ${kind}`, outcomes.get(kind) ?? 0);
    figure(scenario, 'INTERNAL_SERVER_ERROR errors', codes.get('INTERNAL_SERVER_ERROR') ?? 0);
    figure(scenario, 'sockets closed by the server', closes.length);
    figure(scenario, 'server log lines at level error', errorLogs.length);
    figure(scenario, 'duration', seconds, 's');
    console.log(`[faults] ${scenario} · error codes ${JSON.stringify(Object.fromEntries([...codes].sort((a, b) => b[1] - a[1])))}`);
    for (const f of findings.slice(0, 15)) console.log(`[fuzz] ${f.label} (${f.c.field}, ${f.c.auth}, ${f.c.mode}${f.c.inline ? ', inline' : ''}): ${f.what}\n  ${f.operation}\n  variables ${f.variables}\n  response ${f.response}`);
    for (const l of errorLogs.slice(0, 10)) console.log(`[fuzz] error log: ${short(JSON.stringify(l), 1500)}`);

    expect(server.child.exitCode, 'the server is still running').toBeNull();
    expect(findings.map((f) => `${f.label} ${f.c.field}: ${f.what}`)).toEqual([]);
    expect(closes).toEqual([]);
    expect(errorLogs.map((l) => l.msg)).toEqual([]);
    // Not only refusals: some cases must have reached the resolvers and stayed subscribed.
    expect(outcomes.get('open') ?? 0).toBeGreaterThan(0);
    expect(codes.size).toBeGreaterThan(1);
  }, 240_000);
});
