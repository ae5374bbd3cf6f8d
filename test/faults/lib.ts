/**
 * The fault and load suite's tools (`npm run test:faults`, vitest.faults.config.ts): its own
 * redis-server and PostgreSQL cluster on spare loopback ports started from the installed binaries
 * (never the shared services' ports), Waybill servers as child processes (the real entry point,
 * src/main.ts), and `figure()`, which prints a scenario's figure and records it in
 * test/artifacts/faults.json for docs/reliability.md.
 *
 * The suite needs PostgreSQL and Redis: without DATABASE_URL (postgres://…) and REDIS_URL it fails,
 * it never skips (`requireServices`).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent as HttpAgent, createServer as createHttpServer, request as httpRequest } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type DocumentNode } from 'graphql';
import { freshPostgresDatabase, type TestApp } from '../harness.js';
import { productInput } from '../factories/catalog.js';
import { BinLocationsCreateDocument, InventoryReceiveDocument, ProductCreateDocument, WarehouseCreateDocument, ZoneCreateDocument } from '../generated/graphql.js';

export const root = new URL('../../', import.meta.url).pathname;
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The shared PostgreSQL and Redis the suite's databases are made on; throws when either is missing. */
export function requireServices(): { postgresUrl: string; redisUrl: string } {
  const postgresUrl = process.env.DATABASE_URL;
  const redisUrl = process.env.REDIS_URL;
  if (!postgresUrl?.startsWith('postgres') || !redisUrl) {
    throw new Error('npm run test:faults needs PostgreSQL and Redis: set DATABASE_URL=postgres://… and REDIS_URL=redis://… (see README, "Tests")');
  }
  return { postgresUrl, redisUrl };
}

export async function sparePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const { port } = s.address() as AddressInfo;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

/** Waits for `text` in a child's stdout/stderr; rejects on exit or after `ms`. */
function waitForOutput(p: ChildProcess, text: string | RegExp, what: string, ms = 20_000): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let out = '';
    const t = setTimeout(() => reject(new Error(`${what} did not start within ${ms} ms:\n${out}`)), ms);
    const on = (b: Buffer) => {
      out += b.toString();
      if (typeof text === 'string' ? out.includes(text) : text.test(out)) {
        clearTimeout(t);
        p.stdout?.off('data', on);
        p.stderr?.off('data', on);
        resolve();
      }
    };
    p.stdout?.on('data', on);
    p.stderr?.on('data', on);
    p.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`${what} exited with ${code}:\n${out}`));
    });
  });
}

/** A throwaway redis-server on a spare port (nothing kept on disk). `kill()` is an outage; `start()` brings it back on the same port. */
export class OwnRedis {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number) {}
  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
  static async start(): Promise<OwnRedis> {
    const r = new OwnRedis(await sparePort());
    await r.start();
    return r;
  }
  async start(): Promise<void> {
    const p = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    await waitForOutput(p, 'Ready to accept connections', `redis-server :${this.port}`);
    this.proc = p;
  }
  /** SIGKILL: an outage, not a shutdown. */
  async kill(): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill('SIGKILL');
    await exited;
  }
}

function pgBin(name: string): string {
  const base = '/usr/lib/postgresql';
  const version = readdirSync(base).sort((a, b) => Number(b) - Number(a))[0];
  if (!version) throw new Error('no PostgreSQL installation under /usr/lib/postgresql');
  return path.join(base, version, 'bin', name);
}

/** Spawn options that run a PostgreSQL binary as the postgres user when this process is root (PostgreSQL refuses root). */
function asPostgres(): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL cluster of its own (initdb in a temporary directory, trust authentication; fsync off,
 * as the faults are process crashes and the OS keeps what was written), listening on 127.0.0.1:<spare port>. `kill()` is a crash (SIGKILL of the postmaster),
 * `stop()` a fast shutdown, `start()` brings it back on the same port and data.
 */
export class OwnPostgres {
  private proc: ChildProcess | undefined;
  private constructor(readonly port: number, readonly dir: string) {}
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
  static async start(): Promise<OwnPostgres> {
    const dir = mkdtempSync(path.join(tmpdir(), 'wb-faults-pg-'));
    if (process.getuid?.() === 0) spawnSync('chown', ['postgres:postgres', dir]);
    const init = spawnSync(pgBin('initdb'), ['-D', path.join(dir, 'data'), '-A', 'trust', '-U', 'postgres', '--no-sync'], { encoding: 'utf8', cwd: dir, ...asPostgres() });
    if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr}`);
    const pg = new OwnPostgres(await sparePort(), dir);
    await pg.start();
    return pg;
  }
  async start(): Promise<void> {
    const args = [
      '-D', path.join(this.dir, 'data'), '-p', String(this.port), '-k', this.dir, '-c', 'listen_addresses=127.0.0.1',
      '-c', 'fsync=off', '-c', 'full_page_writes=off', '-c', 'max_connections=200',
    ];
    const p = spawn(pgBin('postgres'), args, { stdio: ['ignore', 'pipe', 'pipe'], cwd: this.dir, ...asPostgres() });
    await waitForOutput(p, 'database system is ready to accept connections', `postgres :${this.port}`, 30_000);
    this.proc = p;
  }
  /** SIGKILL of the postmaster (its backends notice and exit): a crash. */
  async kill(): Promise<void> {
    await this.signal('SIGKILL');
    // Orphaned backends hold the port's shared memory until they notice; wait for the port to free.
    for (let i = 0; i < 100 && spawnSync(pgBin('pg_isready'), ['-h', '127.0.0.1', '-p', String(this.port), '-q']).status === 0; i++) await sleep(100);
  }
  /** Fast shutdown (SIGINT): open sessions are cut. */
  async stop(): Promise<void> {
    await this.signal('SIGINT');
  }
  private async signal(sig: NodeJS.Signals): Promise<void> {
    const p = this.proc;
    this.proc = undefined;
    if (!p || p.exitCode !== null) return;
    const exited = new Promise((r) => p.once('exit', r));
    p.kill(sig);
    await exited;
  }
  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ServerProcess {
  child: ChildProcess;
  /** http://127.0.0.1:<port>/graphql */
  url: string;
  /** ws://127.0.0.1:<port>/graphql */
  wsUrl: string;
  port: number;
  output(): string;
  exited: Promise<number | null>;
  /** SIGKILL if still running. */
  kill(signal?: NodeJS.Signals): void;
}

/**
 * Starts the real entry point (src/main.ts through tsx) with `env` on a spare port and waits until
 * it listens. `preload` adds `--import <file>` (test fixtures).
 */
export async function startServer(env: Record<string, string>, opts: { port?: number; nodeArgs?: string[] } = {}): Promise<ServerProcess> {
  const port = opts.port ?? (await sparePort());
  const child = spawn(process.execPath, [...(opts.nodeArgs ?? []), '--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, NODE_ENV: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code, signal) => {
      out += `\n[startServer] process exited: code ${code}, signal ${signal}\n`;
      resolve(code);
    }),
  );
  for (let i = 0; i < 240 && !out.includes('listening on'); i++) {
    if (child.exitCode !== null) break;
    await sleep(250);
  }
  if (!out.includes('listening on')) {
    if (child.exitCode === null) child.kill('SIGKILL');
    throw new Error(`server did not start:\n${out}`);
  }
  return {
    child,
    port,
    url: `http://127.0.0.1:${port}/graphql`,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    output: () => out,
    exited,
    kill: (signal: NodeJS.Signals = 'SIGKILL') => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    },
  };
}

/** A fresh database on the shared PostgreSQL (dropped by `drop()`). */
export const freshDatabase = (postgresUrl: string) => freshPostgresDatabase(postgresUrl);

const FIGURES = path.join(root, 'test/artifacts/faults.json');
type Figures = Record<string, Record<string, { value: number | string; unit: string }>>;

/**
 * Prints a scenario's figure (`[faults] scenario · name = value unit`) and records it in
 * test/artifacts/faults.json, which docs/reliability.md's figures come from.
 */
export function figure(scenario: string, name: string, value: number | string, unit = ''): void {
  const shown = typeof value === 'number' && !Number.isInteger(value) ? value.toFixed(1) : String(value);
  console.log(`[faults] ${scenario} · ${name} = ${shown}${unit ? ` ${unit}` : ''}`);
  mkdirSync(path.dirname(FIGURES), { recursive: true });
  let all: Figures = {};
  if (existsSync(FIGURES)) {
    try {
      all = JSON.parse(readFileSync(FIGURES, 'utf8')) as Figures;
    } catch {
      all = {};
    }
  }
  (all[scenario] ??= {})[name] = { value, unit };
  writeFileSync(FIGURES, `${JSON.stringify(all, null, 2)}\n`);
}

/** p-th percentile (0..1) of `xs` (nearest rank), or NaN for none. */
export function percentile(xs: readonly number[], p: number): number {
  if (!xs.length) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(p * s.length) - 1))]!;
}

/** POSTs a GraphQL operation; resolves with the HTTP status and the parsed body (or the text when it is not JSON). */
export async function gql<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; body: { data?: T; errors?: { message: string; extensions?: { code?: string } }[] } | string }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query, variables }) });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** A secret for ADMIN_API_KEY: every server of a scenario gets the same one, so one key works on all of them. */
export const newAdminKey = (): string => `wb_live_${randomBytes(24).toString('base64url')}`;

/** How one POST ended: a complete response, or an error before one (with the socket error's code). */
export type PostOutcome =
  | { ok: true; status: number; body: unknown; ms: number; startedAt: number }
  | { ok: false; code: string; message: string; ms: number; startedAt: number };

/**
 * An HTTP/1.1 client with one keep-alive pool for many concurrent callers (node:http, no
 * connection limit), so a burst is as many connections as requests in flight and a load test
 * reuses its connections, like a load balancer's pool. `post` never rejects: a connection refused,
 * a reset or a socket closed before the response is an outcome with the error's code
 * (ECONNREFUSED, ECONNRESET, …), so a scenario can tell "not answered" from "answered".
 */
export class KeepAliveClient {
  readonly agent = new HttpAgent({ keepAlive: true, maxSockets: Infinity, maxFreeSockets: 4096, scheduling: 'lifo' });

  post(url: string, payload: unknown, headers: Record<string, string> = {}): Promise<PostOutcome> {
    const body = JSON.stringify(payload);
    const startedAt = performance.now();
    return new Promise<PostOutcome>((resolve) => {
      let done = false;
      const finish = (o: PostOutcome) => {
        if (!done) {
          done = true;
          resolve(o);
        }
      };
      const fail = (err: NodeJS.ErrnoException) =>
        finish({ ok: false, code: err.code ?? err.name, message: err.message, ms: performance.now() - startedAt, startedAt });
      const req = httpRequest(
        url,
        {
          method: 'POST',
          agent: this.agent,
          headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', 'content-length': Buffer.byteLength(body), ...headers },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', fail);
          // A response cut before its end is not complete: 'aborted' comes before 'end' would.
          res.on('aborted', () => fail(Object.assign(new Error('response cut before its end'), { code: 'RESPONSE_ABORTED' })));
          res.on('end', () => {
            if (!res.complete) return fail(Object.assign(new Error('response cut before its end'), { code: 'RESPONSE_ABORTED' }));
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = JSON.parse(text);
            } catch {
              /* kept as text */
            }
            finish({ ok: true, status: res.statusCode ?? 0, body: parsed, ms: performance.now() - startedAt, startedAt });
          });
        },
      );
      req.on('error', fail);
      req.end(body);
    });
  }

  /** GraphQL over `post`. */
  gql(url: string, query: string, variables: Record<string, unknown>, token?: string): Promise<PostOutcome> {
    return this.post(url, { query, variables }, token ? { authorization: `Bearer ${token}` } : {});
  }

  close(): void {
    this.agent.destroy();
  }
}

/** The body of a GraphQL response. */
export interface GqlBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/** Typed documents (test/generated/graphql.ts) against a server process with one key; `admin` throws on any error. */
export function apiClient(url: string, token: string) {
  return {
    url,
    token,
    async admin<R, V>(doc: TypedDocumentNode<R, V>, variables?: V): Promise<R> {
      const r = await gql<R>(url, print(doc), (variables ?? {}) as Record<string, unknown>, { authorization: `Bearer ${token}` });
      const body = r.body as GqlBody<R> | string;
      if (typeof body === 'string' || body.errors?.length || !body.data) throw new Error(`GraphQL ${r.status}: ${JSON.stringify(body).slice(0, 500)}`);
      return body.data;
    },
  };
}
export type ApiClient = ReturnType<typeof apiClient>;

/** Warehouses (each with a pick zone and two bins) for the scenario's stock. */
export async function createWarehouses(api: ApiClient, warehouses: readonly { code: string; city: string; location: { lat: number; lng: number } }[]): Promise<void> {
  for (const w of warehouses) {
    const made = await api.admin(WarehouseCreateDocument, {
      input: { code: w.code, name: w.city, address: { line1: 'Складская 1', city: w.city, postalCode: '101000', countryCode: 'RU', location: w.location } },
    });
    const zone = await api.admin(ZoneCreateDocument, { input: { warehouseCode: w.code, code: 'P', name: 'Pick', kind: 'PICK', distanceRank: 0 } });
    const bins = await api.admin(BinLocationsCreateDocument, { input: { warehouseCode: w.code, zoneCode: 'P', aisles: ['A'], racks: 1, levels: 1, positions: 2 } });
    const errors = [...made.warehouseCreate.userErrors, ...zone.zoneCreate.userErrors, ...bins.binLocationsCreate.userErrors];
    if (errors.length) throw new Error(`warehouse ${w.code}: ${JSON.stringify(errors)}`);
  }
}

/** A new SKU with `units[code]` received in each named warehouse (through the API: receipts are ledger movements); returns the SKU. */
export async function stockOneSku(api: ApiClient, units: Record<string, number>): Promise<string> {
  const product = productInput({}, 1);
  const sku = product.variants[0]!.sku;
  await api.admin(ProductCreateDocument, { input: product });
  for (const [warehouseCode, quantity] of Object.entries(units)) {
    if (quantity <= 0) continue;
    const r = await api.admin(InventoryReceiveDocument, { input: { warehouseCode, lines: [{ sku, quantity }] } });
    if (r.inventoryReceive.userErrors.length) throw new Error(`inventoryReceive: ${JSON.stringify(r.inventoryReceive.userErrors)}`);
  }
  return sku;
}

/** Resolves when `check` returns true (polled every `everyMs`); rejects with `what` after `ms`. */
export async function waitFor(check: () => Promise<boolean> | boolean, what: string, ms = 30_000, everyMs = 100): Promise<number> {
  const started = performance.now();
  for (;;) {
    if (await check()) return performance.now() - started;
    if (performance.now() - started > ms) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** What one bounded request came to: `code` is 'OK', the first error's extensions.code, 'HTTP_<status>' (an error without a code), 'TIMEOUT' or 'NETWORK'. */
export interface Outcome<T = Record<string, unknown>> {
  code: string;
  status: number;
  ms: number;
  data?: T;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

/**
 * `gql` bounded by `timeoutMs` (a request that has not answered by then is aborted and counted as
 * 'TIMEOUT', so a hang fails a scenario instead of stalling it) and summed up as an `Outcome`.
 */
export async function gqlWithin<T = Record<string, unknown>>(
  url: string,
  query: string,
  variables: Record<string, unknown>,
  headers: Record<string, string>,
  timeoutMs: number,
): Promise<Outcome<T>> {
  const started = performance.now();
  const ms = () => performance.now() - started;
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ query, variables }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    let body: { data?: T; errors?: Outcome['errors'] };
    try {
      body = JSON.parse(text);
    } catch {
      return { code: `HTTP_${res.status}`, status: res.status, ms: ms() };
    }
    const first = body.errors?.[0];
    const code = first ? ((first.extensions?.code as string | undefined) ?? `HTTP_${res.status}`) : res.ok ? 'OK' : `HTTP_${res.status}`;
    return { code, status: res.status, ms: ms(), data: body.data, errors: body.errors };
  } catch (err) {
    const name = (err as Error).name;
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    const message = `${(err as Error).message}${cause ? `: ${cause.code ?? ''} ${cause.message ?? ''}` : ''}`;
    return { code: name === 'TimeoutError' || name === 'AbortError' ? 'TIMEOUT' : 'NETWORK', status: 0, ms: ms(), errors: [{ message }] };
  }
}

/**
 * A server process seen as the harness's TestApp where the factories need one (`admin(doc, vars)`:
 * a typed document with the given key; throws on GraphQL errors), so test/factories build stores on it.
 */
export function factoryApp(server: Pick<ServerProcess, 'url' | 'wsUrl'>, key: string): TestApp {
  const admin = async (doc: DocumentNode, variables?: unknown) => {
    const r = await gqlWithin(server.url, print(doc), (variables ?? {}) as Record<string, unknown>, { authorization: `Bearer ${key}` }, 30_000);
    if (r.code !== 'OK' || !r.data) throw new Error(`GraphQL ${r.code}: ${JSON.stringify(r.errors)}`);
    return r.data;
  };
  return { url: server.url, wsUrl: server.wsUrl, adminKey: key, admin } as unknown as TestApp;
}

export interface WebhookReceiver {
  url: string;
  /** Every POST received, in arrival order. */
  received: { eventId: string; topic: string; attempt: number; body: { id: string; topic: string; data: Record<string, unknown> } }[];
  close(): Promise<void>;
}

/** A local HTTP endpoint for webhookSubscriptionCreate that answers 200 to every POST and keeps what it got. */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const received: WebhookReceiver['received'] = [];
  const server = createHttpServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        received.push({
          eventId: String(req.headers['x-waybill-event-id']),
          topic: String(req.headers['x-waybill-topic']),
          attempt: Number(req.headers['x-waybill-delivery-attempt']),
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
        });
      } catch {
        // not a webhook: counted nowhere
      }
      res.end('ok');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    received,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** Polls `ok` every 100 ms until it holds; throws naming `what` after `timeoutMs`. Resolves with the time it took (ms). */
export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!(await ok())) {
    if (performance.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(100);
  }
  return performance.now() - started;
}
