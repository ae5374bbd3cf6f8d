/**
 * The operations dashboard's browser code (GET /ops; bundled with Chart.js and the graphql-ws
 * client into /ops/assets/ops.js by src/server/ops-page.ts). Staff type an API key; it is kept in
 * sessionStorage only (gone with the tab) and sent as a Bearer token to /graphql over HTTP and in
 * graphql-ws's connection_init. The page writes text only (textContent), never HTML.
 */
import { BarController, BarElement, CategoryScale, Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip, type ChartConfiguration } from 'chart.js';
import { createClient, type Client } from 'graphql-ws';
import { formatHours, formatInt, formatMoney, formatRate, NONE, type Money } from './format.js';

Chart.register(LineController, LineElement, PointElement, BarController, BarElement, CategoryScale, LinearScale, Tooltip, Legend);

const KEY = 'waybill.ops.apiKey';
const root = document.getElementById('ops') as HTMLElement;
const endpoint = root.dataset.endpoint || '/graphql';
const $ = <T extends HTMLElement = HTMLElement>(id: string) => document.getElementById(id) as T;

interface DurationStats { p50: number | null; p90: number | null; count: number }
interface Values {
  orders: number;
  units: number;
  revenue: Money;
  orderToShip: DurationStats;
  onTimeDeliveryRate: number | null;
  returnRate: number | null;
  shippingCostPerOrder: Money | null;
  fillRate: number | null;
}
interface Report { from: string; to: string; granularity: string; totals: Values; series: { start: string; values: Values }[] }
interface GqlError { message: string; extensions?: { code?: string } }

const VALUES = 'orders units revenue { amountMinor currency } orderToShip { p50 p90 count } onTimeDeliveryRate returnRate shippingCostPerOrder { amountMinor currency } fillRate';
const DASHBOARD = `query OpsDashboard($from: DateTime!, $to: DateTime!, $granularity: MetricsGranularity!) {
  kpis(from: $from, to: $to, granularity: $granularity) { from to granularity totals { ${VALUES} } series { start values { ${VALUES} } } }
  carriers { code name }
}`;
const FEED = 'subscription OpsFeed { orderStatusChanged { event { sequence status previousStatus occurredAt } order { id number channel total { amountMinor currency } } } }';
/** Carriers per request (one aliased kpis field each), well under the server's alias limit. */
const CARRIERS_PER_REQUEST = 8;
const FEED_MAX = 50;

class AuthError extends Error {}

async function gql<T>(query: string, variables: Record<string, unknown>): Promise<T> {
  const key = sessionStorage.getItem(KEY);
  const res = await fetch(endpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json, application/json', authorization: `Bearer ${key}` },
    body: JSON.stringify({ query, variables }),
    credentials: 'omit',
    cache: 'no-store',
  });
  const body = (await res.json().catch(() => ({}))) as { data?: T; errors?: GqlError[] };
  const code = body.errors?.[0]?.extensions?.code;
  if (res.status === 401 || code === 'UNAUTHENTICATED' || code === 'FORBIDDEN') throw new AuthError(body.errors?.[0]?.message ?? 'The key was refused.');
  if (body.errors?.length || !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${res.status}`);
  return body.data;
}

// ---- KPI cards -------------------------------------------------------------------------------

type CardValue = { raw: string; text: string };
const CARDS: Record<string, (v: Values) => CardValue> = {
  orders: (v) => ({ raw: String(v.orders), text: formatInt(v.orders) }),
  units: (v) => ({ raw: String(v.units), text: formatInt(v.units) }),
  revenue: (v) => ({ raw: String(v.revenue.amountMinor), text: formatMoney(v.revenue, 0) }),
  orderToShipP50: (v) => ({ raw: String(v.orderToShip.p50 ?? ''), text: formatHours(v.orderToShip.p50) }),
  orderToShipP90: (v) => ({ raw: String(v.orderToShip.p90 ?? ''), text: formatHours(v.orderToShip.p90) }),
  onTimeDeliveryRate: (v) => ({ raw: String(v.onTimeDeliveryRate ?? ''), text: formatRate(v.onTimeDeliveryRate) }),
  returnRate: (v) => ({ raw: String(v.returnRate ?? ''), text: formatRate(v.returnRate) }),
  shippingCostPerOrder: (v) => ({ raw: String(v.shippingCostPerOrder?.amountMinor ?? ''), text: formatMoney(v.shippingCostPerOrder) }),
  fillRate: (v) => ({ raw: String(v.fillRate ?? ''), text: formatRate(v.fillRate) }),
};

function renderCards(totals: Values | null) {
  for (const el of Array.from(document.querySelectorAll<HTMLElement>('[data-kpi] .value'))) {
    const name = (el.closest('[data-kpi]') as HTMLElement).dataset.kpi!;
    const v = totals && CARDS[name] ? CARDS[name]!(totals) : { raw: '', text: NONE };
    el.textContent = v.text;
    el.dataset.value = v.raw;
  }
}

// ---- Charts ----------------------------------------------------------------------------------

const COLORS = { blue: '#1f5fbf', orange: '#b35900', green: '#1a7f37', purple: '#6f42c1' };
const charts = new Map<string, Chart>();

function chart(id: string, config: ChartConfiguration) {
  charts.get(id)?.destroy();
  const canvas = $<HTMLCanvasElement>(id);
  charts.set(id, new Chart(canvas, { ...config, options: { responsive: true, maintainAspectRatio: false, animation: false, ...config.options } }));
}

/** A chart's numbers as a table too (screen readers, copying). */
function table(id: string, head: string[], rows: string[][]) {
  const t = $<HTMLTableElement>(id);
  t.textContent = '';
  const tr = t.createTHead().insertRow();
  for (const h of head) {
    const th = document.createElement('th');
    th.scope = 'col';
    th.textContent = h;
    tr.appendChild(th);
  }
  const body = t.createTBody();
  for (const r of rows) {
    const row = body.insertRow();
    r.forEach((c) => (row.insertCell().textContent = c));
  }
}

/** A bucket's start in the browser's time zone (the store's buckets start at its local midnight). */
function bucketLabel(iso: string, granularity: string) {
  const d = new Date(iso);
  if (granularity === 'HOUR') return d.toLocaleString('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' });
  if (granularity === 'MONTH') return d.toLocaleDateString('en-GB', { month: 'short', year: 'numeric' });
  return d.toLocaleDateString('en-GB', { day: '2-digit', month: 'short' });
}

const round = (x: number | null | undefined, digits: number) => (x == null ? null : Number(x.toFixed(digits)));

function renderCharts(report: Report, carriers: { code: string; name: string; rate: number | null; orders: number }[]) {
  const labels = report.series.map((b) => bucketLabel(b.start, report.granularity));
  const s = report.series.map((b) => b.values);
  const scales = (suffix: string) => ({ y: { beginAtZero: true, ticks: { callback: (v: string | number) => `${v}${suffix}` } } });
  chart('chart-ship', {
    type: 'line',
    data: {
      labels,
      datasets: [
        { label: 'p50, hours', data: s.map((v) => round(v.orderToShip.p50, 1)), borderColor: COLORS.blue, backgroundColor: COLORS.blue, spanGaps: true },
        { label: 'p90, hours', data: s.map((v) => round(v.orderToShip.p90, 1)), borderColor: COLORS.orange, backgroundColor: COLORS.orange, borderDash: [6, 3], spanGaps: true },
      ],
    },
    options: { scales: scales(' h') },
  });
  table('table-ship', ['Period', 'p50', 'p90', 'Orders shipped'], report.series.map((b, i) => [labels[i]!, formatHours(b.values.orderToShip.p50), formatHours(b.values.orderToShip.p90), formatInt(b.values.orderToShip.count)]));

  chart('chart-carriers', {
    type: 'bar',
    data: { labels: carriers.map((c) => c.name), datasets: [{ label: 'On-time delivery, %', data: carriers.map((c) => round(c.rate == null ? null : c.rate * 100, 1)), backgroundColor: COLORS.green }] },
    options: { scales: { y: { beginAtZero: true, max: 100, ticks: { callback: (v: string | number) => `${v}%` } } }, plugins: { legend: { display: false } } },
  });
  table('table-carriers', ['Carrier', 'On-time', 'Orders'], carriers.map((c) => [c.name, formatRate(c.rate), formatInt(c.orders)]));
  for (const c of carriers) {
    const row = Array.from($<HTMLTableElement>('table-carriers').tBodies[0]!.rows).find((r) => r.cells[0]!.textContent === c.name);
    if (row) {
      row.dataset.carrier = c.code;
      row.dataset.value = String(c.rate ?? '');
    }
  }

  chart('chart-returns', {
    type: 'line',
    data: { labels, datasets: [{ label: 'Return rate, %', data: s.map((v) => round(v.returnRate == null ? null : v.returnRate * 100, 1)), borderColor: COLORS.purple, backgroundColor: COLORS.purple, spanGaps: true }] },
    options: { scales: scales('%'), plugins: { legend: { display: false } } },
  });
  table('table-returns', ['Period', 'Return rate', 'Orders'], report.series.map((b, i) => [labels[i]!, formatRate(b.values.returnRate), formatInt(b.values.orders)]));

  chart('chart-cost', {
    type: 'bar',
    data: { labels, datasets: [{ label: 'Shipping cost per order', data: s.map((v) => (v.shippingCostPerOrder ? v.shippingCostPerOrder.amountMinor / 100 : null)), backgroundColor: COLORS.blue }] },
    options: { scales: { y: { beginAtZero: true } }, plugins: { legend: { display: false } } },
  });
  table('table-cost', ['Period', 'Per order'], report.series.map((b, i) => [labels[i]!, formatMoney(b.values.shippingCostPerOrder)]));
}

// ---- Loading ---------------------------------------------------------------------------------

const PERIODS: Record<string, { days: number; granularity: string }> = {
  '7': { days: 7, granularity: 'DAY' },
  '30': { days: 30, granularity: 'DAY' },
  '90': { days: 90, granularity: 'WEEK' },
};

function status(text: string, kind: 'ok' | 'busy' | 'error' = 'ok') {
  const el = $('report-status');
  el.textContent = text;
  el.dataset.kind = kind;
}

async function carrierRates(carriers: { code: string; name: string }[], vars: Record<string, unknown>) {
  const out: { code: string; name: string; rate: number | null; orders: number }[] = [];
  for (let i = 0; i < carriers.length; i += CARRIERS_PER_REQUEST) {
    const batch = carriers.slice(i, i + CARRIERS_PER_REQUEST);
    const params = batch.map((_, j) => `$f${j}: MetricsFilter`).join(', ');
    const fields = batch.map((_, j) => `c${j}: kpis(from: $from, to: $to, granularity: $granularity, filter: $f${j}) { totals { orders onTimeDeliveryRate } }`).join('\n');
    const variables: Record<string, unknown> = { ...vars };
    batch.forEach((c, j) => (variables[`f${j}`] = { carrierCodes: [c.code] }));
    const data = await gql<Record<string, { totals: { orders: number; onTimeDeliveryRate: number | null } }>>(
      `query OpsCarriers($from: DateTime!, $to: DateTime!, $granularity: MetricsGranularity!, ${params}) {\n${fields}\n}`,
      variables,
    );
    batch.forEach((c, j) => out.push({ ...c, rate: data[`c${j}`]!.totals.onTimeDeliveryRate, orders: data[`c${j}`]!.totals.orders }));
  }
  return out;
}

let loading = 0;
async function load() {
  const mine = ++loading;
  const period = PERIODS[$<HTMLSelectElement>('period').value] ?? PERIODS['30']!;
  const to = new Date();
  // From the start of a UTC day, so the buckets line up with days and weeks.
  const from = new Date(Date.UTC(to.getUTCFullYear(), to.getUTCMonth(), to.getUTCDate() - period.days));
  const vars = { from: from.toISOString(), to: to.toISOString(), granularity: period.granularity };
  status('Loading…', 'busy');
  try {
    const data = await gql<{ kpis: Report; carriers: { code: string; name: string }[] }>(DASHBOARD, vars);
    const rates = await carrierRates(data.carriers, vars);
    if (mine !== loading) return;
    const report = $('report');
    report.dataset.from = vars.from;
    report.dataset.to = vars.to;
    report.dataset.granularity = vars.granularity;
    renderCards(data.kpis.totals);
    renderCharts(data.kpis, rates);
    status(`Updated ${to.toLocaleTimeString('en-GB')} · ${from.toISOString().slice(0, 10)} to ${vars.to.slice(0, 10)}`);
    report.dataset.state = 'loaded';
  } catch (e) {
    if (mine !== loading) return;
    if (e instanceof AuthError) return signOut(e.message);
    status(`Could not load the figures: ${(e as Error).message}`, 'error');
  }
}

// ---- Live feed -------------------------------------------------------------------------------

interface FeedEvent {
  event: { sequence: number; status: string; previousStatus: string | null; occurredAt: string };
  order: { id: string; number: string; channel: string; total: Money };
}

let client: Client | null = null;

function connection(kind: 'connecting' | 'live' | 'offline') {
  const el = $('live');
  el.dataset.connection = kind;
  el.textContent = kind === 'live' ? 'Live' : kind === 'offline' ? 'Offline, reconnecting…' : 'Connecting…';
}

function addFeedItem(e: FeedEvent) {
  const list = $('feed');
  list.querySelector('.empty')?.remove();
  const li = document.createElement('li');
  li.dataset.orderId = e.order.id;
  li.dataset.status = e.event.status;
  const time = document.createElement('time');
  time.dateTime = e.event.occurredAt;
  time.textContent = new Date(e.event.occurredAt).toLocaleTimeString('en-GB');
  const number = document.createElement('strong');
  number.className = 'number';
  number.textContent = e.order.number;
  const change = document.createElement('span');
  change.className = 'change';
  change.textContent = e.event.previousStatus ? `${e.event.previousStatus} → ${e.event.status}` : e.event.status;
  const meta = document.createElement('span');
  meta.className = 'meta';
  meta.textContent = `${e.order.channel} · ${formatMoney(e.order.total)}`;
  li.append(time, number, change, meta);
  list.prepend(li);
  while (list.children.length > FEED_MAX) list.lastElementChild!.remove();
}

function startFeed() {
  const url = `${location.protocol === 'https:' ? 'wss:' : 'ws:'}//${location.host}${endpoint}`;
  connection('connecting');
  client = createClient({
    url,
    connectionParams: () => ({ authorization: `Bearer ${sessionStorage.getItem(KEY) ?? ''}` }),
    lazy: false,
    keepAlive: 20_000,
    retryAttempts: Infinity,
    // A refused key (4401/4403) is final; anything else is retried.
    shouldRetry: (e) => !(e && typeof e === 'object' && 'code' in e && (e.code === 4401 || e.code === 4403)),
    on: {
      connected: () => connection('live'),
      closed: (e) => {
        const code = e && typeof e === 'object' && 'code' in e ? (e as CloseEvent).code : 0;
        if (code === 4401 || code === 4403) signOut('The key was refused by the live feed.');
        else if (client) connection('offline');
      },
    },
  });
  client.subscribe<FeedEvent>({ query: FEED }, {
    next: (r) => {
      const d = r.data as unknown as { orderStatusChanged?: FeedEvent } | undefined;
      if (d?.orderStatusChanged) addFeedItem(d.orderStatusChanged);
    },
    error: () => connection('offline'),
    complete: () => {},
  });
}

// ---- Session ---------------------------------------------------------------------------------

function showDashboard(on: boolean) {
  $('login').hidden = on;
  $('dashboard').hidden = !on;
}

function signOut(message?: string) {
  sessionStorage.removeItem(KEY);
  const c = client;
  client = null;
  void c?.dispose();
  loading++;
  for (const c of charts.values()) c.destroy();
  charts.clear();
  renderCards(null);
  $('feed').textContent = '';
  showDashboard(false);
  const err = $('login-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  $<HTMLInputElement>('api-key').focus();
}

function signIn() {
  showDashboard(true);
  const empty = document.createElement('li');
  empty.className = 'empty';
  empty.textContent = 'Waiting for order status changes…';
  $('feed').replaceChildren(empty);
  startFeed();
  void load();
}

$('login').addEventListener('submit', (ev) => {
  ev.preventDefault();
  const input = $<HTMLInputElement>('api-key');
  const key = input.value.trim();
  if (!key) return;
  sessionStorage.setItem(KEY, key);
  input.value = '';
  $('login-error').hidden = true;
  signIn();
});
$('sign-out').addEventListener('click', () => signOut());
$('refresh').addEventListener('click', () => void load());
$('period').addEventListener('change', () => void load());

if (sessionStorage.getItem(KEY)) signIn();
else showDashboard(false);
