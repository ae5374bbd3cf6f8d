/**
 * What `npm run bench:fanout` and test/faults/fanout.test.ts share: a Waybill server as a child
 * process, a fleet of graphql-ws subscribers in this process (the protocol spoken directly over `ws`,
 * to keep the client side's CPU per message small), orders to cancel (each cancel is one
 * orderStatusChanged event), and the server's memory read from /proc and /metrics.
 *
 * Server and clients are separate processes so each needs one file descriptor per subscriber;
 * `raiseFileLimit` lifts this process's soft limit to the hard one (children inherit it).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { freePort, stop } from '../bench/lib.js';

export const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The ops dashboard's live feed (web/ops/main.ts): the fan-out a store sees most. */
export const OPS_FEED =
  'subscription OpsFeed { orderStatusChanged { event { sequence status previousStatus occurredAt } order { id number channel total { amountMinor currency } } } }';

export const ADMIN_KEY = 'wb_live_fanout-bench-0123456789abcdef';

/** Raises this process's soft RLIMIT_NOFILE to at least `n` (up to the hard limit) with prlimit(1); returns the soft limit now in force. */
export function raiseFileLimit(n: number): number {
  const read = () => {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    const [soft, hard] = (line ?? '').split(/\s{2,}/).slice(1, 3).map((v) => (v === 'unlimited' ? Infinity : Number(v)));
    return { soft: soft ?? 0, hard: hard ?? 0 };
  };
  const { soft, hard } = read();
  if (soft >= n) return soft;
  const want = Math.min(hard, Math.max(n, soft));
  spawnSync('prlimit', ['--pid', String(process.pid), `--nofile=${want}:${hard === Infinity ? 'unlimited' : hard}`]);
  return read().soft;
}


export interface FanoutServer {
  child: ChildProcess;
  pid: number;
  url: string;
  wsUrl: string;
  output(): string;
  stop(): Promise<void>;
}

/** src/main.ts through tsx (of the checkout `dir`), on a spare port, with an admin key; `env` adds to (and overrides) the defaults. */
export async function startFanoutServer(env: Record<string, string> = {}, dir = root): Promise<FanoutServer> {
  const port = await freePort();
  const child = spawn(process.execPath, [...(process.env.FANOUT_NODE_ARGS?.split(' ').filter(Boolean) ?? []), '--max-semi-space-size=32', '--import', 'tsx', 'src/main.ts'], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: '', PORT: String(port), HOST: '127.0.0.1', LOG_LEVEL: 'warn', DATABASE_URL: 'memory://', ADMIN_API_KEY: ADMIN_KEY, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const url = `http://127.0.0.1:${port}/graphql`;
  for (let i = 0; ; i++) {
    if (child.exitCode !== null) throw new Error(`server exited:\n${out}`);
    try {
      if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
    } catch {
      /* not listening yet */
    }
    if (i > 240) {
      child.kill('SIGKILL');
      throw new Error(`server did not start:\n${out}`);
    }
    await sleep(250);
  }
  return {
    child,
    pid: child.pid!,
    url,
    wsUrl: `ws://127.0.0.1:${port}/graphql`,
    output: () => out,
    stop: () => stop(child),
  };
}

/** POSTs a GraphQL operation with the admin key; throws on errors. */
export async function adminGql<T>(url: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${ADMIN_KEY}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = (await res.json()) as { data?: T; errors?: unknown[] };
  if (!body.data || body.errors) throw new Error(`${query.slice(0, 60)}…: ${JSON.stringify(body.errors ?? body)}`);
  return body.data;
}

/** A product and `n` BACKORDERED orders (no stock needed): cancelling one is one order.status_changed event. */
export async function makeOrders(url: string, n: number): Promise<string[]> {
  const sku = `FAN-${Date.now().toString(36)}`;
  const made = await adminGql<{ productCreate: { userErrors: unknown[] } }>(
    url,
    'mutation($i: ProductCreateInput!) { productCreate(input: $i) { userErrors { code message } } }',
    { i: { title: 'Fan-out widget', variants: [{ sku, title: 'Widget', price: { amountMinor: 1000, currency: 'RUB' }, weightGrams: 100 }] } },
  );
  if (made.productCreate.userErrors.length) throw new Error(JSON.stringify(made.productCreate.userErrors));
  const ids: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = await adminGql<{ orderCreate: { order: { id: string } | null; userErrors: unknown[] } }>(
      url,
      'mutation($i: OrderCreateInput!) { orderCreate(input: $i) { order { id } userErrors { code message } } }',
      {
        i: {
          channel: 'web',
          currency: 'RUB',
          allowBackorder: true,
          deliveryType: 'COURIER',
          customer: { email: `fan${i}@example.com` },
          lines: [{ sku, quantity: 1 }],
          shippingAddress: { line1: 'ул. Тестовая, д. 1', city: 'Москва', postalCode: '101000', countryCode: 'RU' },
        },
      },
    );
    if (!r.orderCreate.order) throw new Error(JSON.stringify(r.orderCreate.userErrors));
    ids.push(r.orderCreate.order.id);
  }
  return ids;
}

/** Cancels an order; resolves with performance.now() when the response has arrived. */
export async function cancelOrder(url: string, id: string): Promise<number> {
  await adminGql(url, 'mutation($i: OrderCancelInput!) { orderCancel(input: $i) { order { status } userErrors { code } } }', { i: { id } });
  return performance.now();
}

/** The server's resident set (VmRSS) in bytes. */
export function rssBytes(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? 0) * 1024;
}

/** CPU time (user + system) a process has used, in ms (clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** A gauge or counter of the server's /metrics (0 when absent). */
export async function metric(url: string, name: string): Promise<number> {
  const text = await (await fetch(url.replace(/\/graphql$/, '/metrics'))).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** Waits until `check()` is true; throws after `ms`. */
export async function waitFor(what: string, check: () => boolean | Promise<boolean>, ms = 30_000, every = 100): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(every);
  }
}

export interface Delivery {
  /** Index of the subscriber (socket) in the fleet. */
  socket: number;
  orderId: string;
  at: number;
}

const ORDER_ID = /"order":\{"id":"([^"]+)"/;

/**
 * `count` graphql-ws connections, each with `perSocket` subscriptions to `query` (ids 1..perSocket),
 * opened `concurrency` at a time. `onNext` sees every next message with its receipt time.
 */
export class Fleet {
  readonly sockets: WebSocket[] = [];
  /** Close code and reason per socket index, for sockets the server closed. */
  readonly closed = new Map<number, { code: number; reason: string }>();
  readonly errors: string[] = [];
  onNext: (d: Delivery) => void = () => {};

  private constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly query: string,
    private readonly perSocket: number,
  ) {}

  static async connect(o: { url: string; key: string; query: string; count: number; perSocket?: number; concurrency?: number }): Promise<Fleet> {
    const fleet = new Fleet(o.url, o.key, o.query, o.perSocket ?? 1);
    let next = 0;
    const worker = async () => {
      while (next < o.count) await fleet.open(next++);
    };
    await Promise.all(Array.from({ length: Math.min(o.concurrency ?? 200, o.count) }, worker));
    return fleet;
  }

  private open(index: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(this.url, 'graphql-transport-ws', { perMessageDeflate: false });
      this.sockets[index] = ws;
      let acked = false;
      ws.on('open', () => ws.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${this.key}` } })));
      ws.on('message', (data: Buffer) => {
        const at = performance.now();
        const text = data.toString();
        // A next message is only searched for the order id (first field of `order` in the documents
        // used here): parsing 10,000 of them per event would be the clients' biggest cost.
        if (text.startsWith('{"id":') && text.includes('"type":"next"')) {
          const orderId = ORDER_ID.exec(text)?.[1];
          if (orderId) this.onNext({ socket: index, orderId, at });
          else this.errors.push(text);
          return;
        }
        const m = JSON.parse(text) as { type: string; payload?: unknown };
        if (m.type === 'connection_ack') {
          acked = true;
          for (let s = 1; s <= this.perSocket; s++) ws.send(JSON.stringify({ id: String(s), type: 'subscribe', payload: { query: this.query } }));
          resolve();
        } else if (m.type === 'error') this.errors.push(JSON.stringify(m.payload));
      });
      ws.on('error', (err) => {
        if (!acked) reject(err);
        else this.errors.push(err.message);
      });
      ws.on('close', (code, reason) => {
        this.closed.set(index, { code, reason: reason.toString() });
        if (!acked) reject(new Error(`socket ${index} closed before ack: ${code} ${reason.toString()}`));
      });
    });
  }

  /** Closes every socket and waits until they are closed. */
  async close(): Promise<void> {
    await Promise.all(
      this.sockets.map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.terminate();
          }),
      ),
    );
  }
}

/** Nearest-rank percentile (p in 0..100) of an ascending array. */
export const pct = (sorted: readonly number[], p: number): number => (sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]! : NaN);

export interface FanoutFigures {
  subscribers: number;
  connectMs: number;
  rssPerSubscriberBytes: number;
  heapPerSubscriberBytes: number;
  /** When the first event after the subscribers connected reached the last of them (not in p50/p99/max). */
  firstEventMaxMs: number;
  events: number;
  deliveries: number;
  missing: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** CPU the server and this (client) process used per event, from the cancel to the last delivery. */
  serverCpuMsPerEvent: number;
  clientCpuMsPerEvent: number;
}

/**
 * The whole measurement against a running server: `orders` BACKORDERED orders made first, idle memory
 * before; `subscribers` subscribe to the ops feed; idle memory after (per subscriber); then each order is
 * cancelled in turn, and every subscriber's receipt of that event is timed from the mutation's response
 * (a delivery before the response counts as 0 ms). The next cancel waits until the event reached all.
 * The first event after the subscribers connected is reported apart (firstEventMaxMs).
 */
export async function measureFanout(server: FanoutServer, o: { subscribers: number; events: number; log?: (s: string) => void }): Promise<{ figures: FanoutFigures; fleet: Fleet }> {
  const log = o.log ?? (() => {});
  const orders = await makeOrders(server.url, o.events + 2);
  let warmFleet: Fleet | undefined;
  // Warm up the path (schema, jit, first queries) with one subscriber and one event.
  {
    const warm = await Fleet.connect({ url: server.wsUrl, key: ADMIN_KEY, query: OPS_FEED, count: 1 });
    await waitFor('warm-up subscription', async () => (await metric(server.url, 'waybill_websocket_subscriptions')) === 1);
    let got = false;
    warm.onNext = () => (got = true);
    await cancelOrder(server.url, orders.pop()!);
    await waitFor('warm-up event', () => got, 10_000, 10);
    warm.onNext = () => {};
    // It stays open: closing it first would measure how soon the server lets go of a closed socket.
    warmFleet = warm;
  }
  await sleep(1000);
  const rss0 = rssBytes(server.pid);
  const heap0 = await metric(server.url, 'nodejs_heap_size_used_bytes');

  const t0 = performance.now();
  const fleet = await Fleet.connect({ url: server.wsUrl, key: ADMIN_KEY, query: OPS_FEED, count: o.subscribers });
  await waitFor('all subscriptions live on the server', async () => (await metric(server.url, 'waybill_websocket_subscriptions')) >= o.subscribers + 1, 60_000, 250);
  const connectMs = performance.now() - t0;
  log(`${o.subscribers} subscribers connected and subscribed in ${(connectMs / 1000).toFixed(1)} s`);
  await sleep(2000);
  const rss1 = rssBytes(server.pid);
  const heap1 = await metric(server.url, 'nodejs_heap_size_used_bytes');

  // The first event to reach all of them is timed apart: it pays one-off costs (optimising the
  // delivery path at this scale, the first major GC of the grown heap) that later events do not.
  let firstMaxMs = NaN;
  {
    const orderId = orders.pop()!;
    let got = 0;
    let last = 0;
    fleet.onNext = (d) => {
      if (d.orderId === orderId) (got++, (last = d.at));
    };
    const answered = await cancelOrder(server.url, orderId);
    await waitFor('the first event at all subscribers', () => got >= o.subscribers, 20_000, 5);
    firstMaxMs = Math.max(0, last - answered);
    log(`first event: all ${got} deliveries within ${firstMaxMs.toFixed(0)} ms (not in the figures below)`);
    await sleep(300);
  }

  const latencies: number[] = [];
  let missing = 0;
  let serverCpu = 0;
  let clientCpu = 0;
  for (const [i, orderId] of orders.entries()) {
    const got: number[] = [];
    fleet.onNext = (d) => {
      if (d.orderId === orderId) got.push(d.at);
    };
    const cpu0 = cpuMs(server.pid);
    const own0 = process.cpuUsage();
    const answered = await cancelOrder(server.url, orderId);
    await waitFor(`event ${i} at all subscribers`, () => got.length >= o.subscribers, 20_000, 5).catch(() => {});
    serverCpu += cpuMs(server.pid) - cpu0;
    const own = process.cpuUsage(own0);
    clientCpu += (own.user + own.system) / 1000;
    missing += Math.max(0, o.subscribers - got.length);
    for (const at of got) latencies.push(Math.max(0, at - answered));
    const sorted = got.map((at) => Math.max(0, at - answered)).sort((a, b) => a - b);
    log(`event ${i + 1}/${orders.length}: ${got.length} deliveries, p50 ${pct(sorted, 50).toFixed(0)} ms, p99 ${pct(sorted, 99).toFixed(0)} ms, max ${(sorted.at(-1) ?? NaN).toFixed(0)} ms`);
    await sleep(300);
  }
  fleet.onNext = () => {};
  await warmFleet?.close();
  latencies.sort((a, b) => a - b);
  return {
    fleet,
    figures: {
      subscribers: o.subscribers,
      connectMs,
      rssPerSubscriberBytes: (rss1 - rss0) / o.subscribers,
      heapPerSubscriberBytes: (heap1 - heap0) / o.subscribers,
      firstEventMaxMs: firstMaxMs,
      events: orders.length,
      deliveries: latencies.length,
      missing,
      p50Ms: pct(latencies, 50),
      p99Ms: pct(latencies, 99),
      maxMs: latencies.at(-1) ?? NaN,
      serverCpuMsPerEvent: serverCpu / orders.length,
      clientCpuMsPerEvent: clientCpu / orders.length,
    },
  };
}
