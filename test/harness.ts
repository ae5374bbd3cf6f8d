/**
 * Test harness: starts a real app (HTTP + WebSocket on an ephemeral port) on a fresh database:
 * in-memory PGlite by default, or a new PostgreSQL database per app when DATABASE_URL points at
 * PostgreSQL. Clients talk to it over real HTTP (fetch) and real graphql-ws sockets.
 */
import 'reflect-metadata';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { print } from 'graphql';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { createClient, type Client } from 'graphql-ws';
import postgres from 'postgres';
import type { Logger } from 'pino';
import type { SpanExporter } from '@opentelemetry/sdk-trace';
import WebSocket from 'ws';
import { loadConfig } from '../src/config.js';
import { createApp, type App } from '../src/server/app.js';
import type { Clock } from '../src/shared/clock.js';

export const isCI = !!process.env.CI;

/** PostgreSQL for tests that need a real server (races, several instances): DATABASE_URL, or the local one under CI. */
export const realPostgresUrl: string | undefined = process.env.DATABASE_URL?.startsWith('postgres')
  ? process.env.DATABASE_URL
  : isCI
    ? 'postgres://postgres@127.0.0.1:5432/test'
    : undefined;

/** Redis for tests that need it: REDIS_URL, or the local one under CI (where such tests must never skip). */
export const realRedisUrl: string | undefined = process.env.REDIS_URL ?? (isCI ? 'redis://127.0.0.1:6379' : undefined);

let dbCounter = 0;

/** Creates an empty PostgreSQL database next to `baseUrl`; `drop` removes it. */
export async function freshPostgresDatabase(baseUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `wb_t_${process.pid}_${Date.now().toString(36)}_${dbCounter++}`;
  const admin = postgres(baseUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  await admin.end();
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    async drop() {
      const a = postgres(baseUrl, { max: 1, onnotice: () => {} });
      await a.unsafe(`drop database if exists ${name} with (force)`).catch(() => {});
      await a.end();
    },
  };
}

export interface GqlResult<R> {
  status: number;
  headers: Headers;
  data: R | null;
  errors?: { message: string; extensions?: { code?: string; [k: string]: unknown }; path?: string[] }[];
}

export interface TestApp {
  app: App;
  url: string;
  wsUrl: string;
  adminKey: string;
  /** Sends one GraphQL operation over HTTP POST. */
  gql<R, V>(doc: TypedDocumentNode<R, V>, variables?: V, opts?: { token?: string | null; headers?: Record<string, string> }): Promise<GqlResult<R>>;
  /** Same as gql with the admin key. */
  admin<R, V>(doc: TypedDocumentNode<R, V>, variables?: V): Promise<R>;
  /** A graphql-ws client over a real socket. */
  ws(token?: string | null): Client;
  close(): Promise<void>;
}

export interface StartOptions {
  env?: Record<string, string | undefined>;
  clock?: Clock;
  /** Reuse this database URL instead of creating a fresh one (several instances on one database). */
  databaseUrl?: string;
  /** The app's logger (default: one at TEST_LOG_LEVEL); tests that read the logs pass a pino logger on a capture stream. */
  log?: Logger;
  /** Tracing on, with spans going to this exporter (tracing.test.ts: an InMemorySpanExporter). */
  spanExporter?: SpanExporter;
}

/** Starts an app on a fresh database (see module doc). */
let templateOnce: Promise<Blob> | undefined;

/**
 * A dump of a freshly migrated PGlite database, for every in-memory test database to start from:
 * PGlite's initdb and the 36 migrations take ~3 s per database, loading the dump ~0.7 s (over a
 * hundred test apps per run). Made once per set of migrations (the file name holds their hash) by
 * whichever test worker comes first, written under a temporary name and renamed into place.
 */
export function pgliteTemplate(): Promise<Blob> {
  templateOnce ??= (async () => {
    const folder = fileURLToPath(new URL('../drizzle/', import.meta.url));
    const hash = createHash('sha256');
    const pglite = JSON.parse(readFileSync(fileURLToPath(new URL('../node_modules/@electric-sql/pglite/package.json', import.meta.url)), 'utf8')) as { version: string };
    hash.update(pglite.version);
    for (const f of readdirSync(folder, { recursive: true, encoding: 'utf8' }).sort()) {
      if (f.endsWith('.sql') || f.endsWith('.json')) hash.update(f).update(readFileSync(join(folder, f)));
    }
    const file = join(tmpdir(), `waybill-pglite-${hash.digest('hex').slice(0, 16)}.tar`);
    if (!existsSync(file)) {
      const { PGlite } = await import('@electric-sql/pglite');
      const { drizzle } = await import('drizzle-orm/pglite');
      const { migrate } = await import('drizzle-orm/pglite/migrator');
      const client = new PGlite();
      try {
        await migrate(drizzle({ client }), { migrationsFolder: folder });
        const dump = await client.dumpDataDir('none');
        const part = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
        writeFileSync(part, Buffer.from(await dump.arrayBuffer()));
        renameSync(part, file);
      } finally {
        await client.close();
      }
    }
    return new Blob([readFileSync(file)]);
  })();
  return templateOnce;
}

export async function startApp(opts: StartOptions = {}): Promise<TestApp> {
  const adminKey = `wb_live_${randomBytes(24).toString('base64url')}`;
  let dbUrl = opts.databaseUrl;
  let drop: (() => Promise<void>) | undefined;
  const wantPg = opts.env?.DATABASE_URL ?? (process.env.DATABASE_URL?.startsWith('postgres') ? process.env.DATABASE_URL : undefined);
  if (!dbUrl) {
    if (wantPg?.startsWith('postgres')) {
      const fresh = await freshPostgresDatabase(wantPg);
      dbUrl = fresh.url;
      drop = fresh.drop;
    } else dbUrl = 'memory://';
  }
  const config = loadConfig({
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    REDIS_URL: process.env.REDIS_URL,
    NODE_ENV: 'test',
    OUTBOX_POLL_MS: '200',
    // close() keeps idle keep-alive sockets open for a quarter of the grace period (at most 1 s): 250 ms here.
    SHUTDOWN_TIMEOUT_MS: '1000',
    EXPOSE_SQL_COUNT: 'true',
    // Each test app its own rate-limit counters in the shared Redis.
    RATE_LIMIT_KEY_PREFIX: `wb:rl:test:${randomBytes(6).toString('hex')}`,
    ...opts.env,
    DATABASE_URL: dbUrl,
    ADMIN_API_KEY: adminKey,
    PORT: '0',
    HOST: '127.0.0.1',
  });
  const app = await createApp(config, {
    clock: opts.clock,
    log: opts.log,
    spanExporter: opts.spanExporter,
    pgliteTemplate: config.DATABASE_URL === 'memory://' ? await pgliteTemplate() : undefined,
  });
  const url = await app.listen(0, '127.0.0.1');
  const wsUrl = url.replace(/^http/, 'ws');
  const clients: Client[] = [];

  const gql: TestApp['gql'] = async (doc, variables, o = {}) => {
    const token = o.token === undefined ? adminKey : o.token;
    const res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...o.headers,
      },
      body: JSON.stringify({ query: print(doc), variables }),
    });
    const text = await res.text();
    let body: { data?: unknown; errors?: GqlResult<unknown>['errors'] };
    try {
      body = JSON.parse(text);
    } catch {
      throw new Error(`non-JSON response ${res.status}: ${text.slice(0, 200)}`);
    }
    return { status: res.status, headers: res.headers, data: (body.data ?? null) as never, errors: body.errors };
  };

  return {
    app,
    url,
    wsUrl,
    adminKey,
    gql,
    async admin(doc, variables) {
      const r = await gql(doc, variables);
      if (r.errors?.length || !r.data) throw new Error(`GraphQL errors: ${JSON.stringify(r.errors)}`);
      return r.data;
    },
    ws(token = adminKey) {
      const client = createClient({
        url: wsUrl,
        webSocketImpl: WebSocket,
        connectionParams: token ? { authorization: `Bearer ${token}` } : {},
        retryAttempts: 0,
        lazy: true,
      });
      clients.push(client);
      return client;
    },
    async close() {
      await Promise.allSettled(clients.map((c) => c.dispose()));
      await app.close();
      await drop?.();
    },
  };
}

/** Subscribes and collects results; `next(n)` resolves once n results arrived. */
export function collect<T>(client: Client, query: string, variables?: Record<string, unknown>) {
  const items: { data?: T | null; errors?: readonly { message: string; extensions?: Record<string, unknown> }[] }[] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  let error: unknown;
  let completed = false;
  const notify = () => {
    for (const w of [...waiters]) if (items.length >= w.n || error || completed) { waiters.splice(waiters.indexOf(w), 1); w.resolve(); }
  };
  const dispose = client.subscribe<T>({ query, variables }, {
    next: (v) => { items.push(v as never); notify(); },
    error: (e) => { error = e; notify(); },
    complete: () => { completed = true; notify(); },
  });
  return {
    items,
    get error() { return error; },
    dispose,
    async next(n: number, timeoutMs = 5000): Promise<typeof items> {
      if (items.length < n && !error && !completed) {
        await new Promise<void>((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`timed out waiting for ${n} events (got ${items.length})`)), timeoutMs);
          waiters.push({ n, resolve: () => { clearTimeout(t); resolve(); } });
        });
      }
      return items;
    },
    /** Waits for the first item that matches (items published before it, e.g. an earlier event the outbox relay delivered late, are skipped). */
    async first(match: (item: (typeof items)[number]) => boolean, timeoutMs = 5000): Promise<(typeof items)[number]> {
      const deadline = Date.now() + timeoutMs;
      for (let seen = 0; ; seen++) {
        await this.next(seen + 1, Math.max(1, deadline - Date.now()));
        if (error || completed) throw new Error(`subscription ended before a matching event: ${String(error ?? 'completed')}`);
        if (match(items[seen]!)) return items[seen]!;
      }
    },
  };
}

/**
 * Polls `read` every 50 ms until `ok` accepts its value and returns that value; after `timeoutMs`
 * throws, naming `what` and the last value read.
 */
export async function waitFor<T>(what: string, read: () => T | Promise<T>, ok: (v: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await read();
    if (ok(v)) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(v)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until the server acknowledged a subscription (graphql-ws has no ack per operation; a short wait for the subscribe to be registered). */
export const settle = (ms = 150) => new Promise((r) => setTimeout(r, ms));

export function gtin13(seed: number): string {
  const body = String(4600000000000 + seed).slice(0, 12);
  let sum = 0;
  for (let i = body.length - 1, w = 3; i >= 0; i--, w = w === 3 ? 1 : 3) sum += Number(body[i]) * w;
  return body + String((10 - (sum % 10)) % 10);
}
