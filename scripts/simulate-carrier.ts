/**
 * `npm run simulate:carrier`: a sandbox carrier for demos. Every open shipment (not DELIVERED or
 * RETURNED_TO_SENDER) gets its next realistic event (see lib/carrier-sim.ts), through the
 * tracking ingestion service, or over HTTP as a carrier would push it when --url and --key are
 * given (the shipments are still read from the configured database).
 *
 *   npm run simulate:carrier -- --once [--carrier CDEK] [--url http://localhost:4000/graphql --key wb_live_…]
 *   npm run simulate:carrier -- --interval 5000      (a step every 5 s until Ctrl-C)
 *
 * Event ids are `sim:<tracking number>:<events so far + 1>`: the same step sent twice is a
 * duplicate, never a second event.
 */
import { sql } from 'drizzle-orm';
import { ingestTrackingEvents, type TrackingEventInput } from '../src/modules/tracking/tracking.service.js';
import type { ShipmentStatusValue } from '../src/modules/shipments/shipment.table.js';
import type { ServiceContext } from '../src/shared/service-context.js';
import { nextParcelEvent, seedOf } from './lib/carrier-sim.js';
import { prng } from './lib/prng.js';
import { isMain, withScriptApp } from './lib/script-app.js';

export interface SimulatorOptions {
  carrierCode?: string | null;
  /** At most this many shipments a step (oldest activity first; default 1,000). */
  limit?: number;
}

export interface PlannedPush {
  carrierCode: string;
  events: TrackingEventInput[];
}

/** The next event of every open shipment, grouped by carrier; nothing is written. */
export async function planCarrierStep(ctx: ServiceContext, opts: SimulatorOptions = {}): Promise<PlannedPush[]> {
  const carrier = opts.carrierCode?.trim().toUpperCase() || null;
  const rows = await ctx.database.rows<{
    tracking_number: string;
    carrier_code: string;
    delivery_type: 'COURIER' | 'PICKUP_POINT' | 'PARTNER';
    status: ShipmentStatusValue;
    last_event_at: Date | string | null;
    origin_city: string;
    destination_city: string | null;
    history: string;
  }>(sql`
    select s.tracking_number, c.code as carrier_code, cs.delivery_type, s.status, s.last_event_at,
      w.address->>'city' as origin_city, s.destination_city,
      (select string_agg(e.status, ',' order by e.occurred_at, e.created_at) from tracking_events e where e.shipment_id = s.id) as history
    from shipments s
    join carriers c on c.id = s.carrier_id
    join carrier_services cs on cs.id = s.service_id
    join fulfillment_orders f on f.id = s.fulfillment_order_id
    join warehouses w on w.id = f.warehouse_id
    where s.status not in ('DELIVERED', 'RETURNED_TO_SENDER') ${carrier ? sql`and c.code = ${carrier}` : sql``}
    order by s.last_event_at nulls first, s.id
    limit ${opts.limit ?? 1000}`);
  const now = ctx.clock.now().getTime();
  const byCarrier = new Map<string, TrackingEventInput[]>();
  for (const s of rows) {
    const history = (s.history ?? '').split(',').filter(Boolean) as ShipmentStatusValue[];
    const step = history.length + 1;
    const next = nextParcelEvent(
      { carrierCode: s.carrier_code, deliveryType: s.delivery_type, status: s.status, history, originCity: s.origin_city, destinationCity: s.destination_city ?? s.origin_city },
      prng(seedOf(`${s.tracking_number}:${step}`)),
    );
    if (!next) continue;
    // After the latest event, so the status moves; now, unless the last event is (slightly) ahead.
    const last = s.last_event_at ? new Date(s.last_event_at).getTime() : 0;
    byCarrier.set(s.carrier_code, [
      ...(byCarrier.get(s.carrier_code) ?? []),
      { trackingNumber: s.tracking_number, externalEventId: `sim:${s.tracking_number}:${step}`, occurredAt: new Date(Math.max(now, last + 60_000)), ...next },
    ]);
  }
  return [...byCarrier].sort(([a], [b]) => a.localeCompare(b)).map(([carrierCode, events]) => ({ carrierCode, events }));
}

export interface StepResult {
  accepted: number;
  duplicates: number;
}

/** Sends planned pushes through the service, or over HTTP when `http` is given. */
export async function sendCarrierPushes(ctx: ServiceContext, pushes: PlannedPush[], http?: { url: string; key: string }): Promise<StepResult> {
  const out = { accepted: 0, duplicates: 0 };
  for (const p of pushes) {
    for (let i = 0; i < p.events.length; i += 1000) {
      const events = p.events.slice(i, i + 1000);
      const r = http ? await pushOverHttp(http, p.carrierCode, events) : await ingestTrackingEvents(ctx, { carrierCode: p.carrierCode, events });
      out.accepted += r.accepted;
      out.duplicates += r.duplicates;
    }
  }
  return out;
}

/** One step: the next event of every open shipment. */
export async function simulateCarrierStep(ctx: ServiceContext, opts: SimulatorOptions & { http?: { url: string; key: string } } = {}): Promise<StepResult> {
  return sendCarrierPushes(ctx, await planCarrierStep(ctx, opts), opts.http);
}

const MUTATION = `mutation ($input: TrackingEventsIngestInput!) { trackingEventsIngest(input: $input) { accepted duplicates userErrors { code message field } } }`;

async function pushOverHttp(http: { url: string; key: string }, carrierCode: string, events: TrackingEventInput[]): Promise<StepResult> {
  const res = await fetch(http.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${http.key}` },
    body: JSON.stringify({ query: MUTATION, variables: { input: { carrierCode, events: events.map((e) => ({ ...e, occurredAt: e.occurredAt.toISOString() })) } } }),
  });
  const body = (await res.json()) as { data?: { trackingEventsIngest: StepResult & { userErrors: unknown[] } }; errors?: unknown[] };
  if (body.errors?.length || !body.data) throw new Error(`${carrierCode}: ${res.status} ${JSON.stringify(body.errors)}`);
  if (body.data.trackingEventsIngest.userErrors.length) throw new Error(`${carrierCode}: ${JSON.stringify(body.data.trackingEventsIngest.userErrors)}`);
  return body.data.trackingEventsIngest;
}

function parseArgs(argv: readonly string[]) {
  const out: { once: boolean; interval: number | null; carrier: string | null; url: string | null; key: string | null } = { once: false, interval: null, carrier: null, url: null, key: null };
  const usage = () => {
    process.stderr.write('usage: npm run simulate:carrier -- (--once | --interval ms) [--carrier CODE] [--url URL --key KEY]\n');
    process.exit(2);
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i]!.split('=', 2) as [string, string | undefined];
    const value = () => inline ?? argv[++i] ?? usage();
    if (flag === '--once') out.once = true;
    else if (flag === '--interval') out.interval = Number(value());
    else if (flag === '--carrier') out.carrier = String(value());
    else if (flag === '--url') out.url = String(value());
    else if (flag === '--key') out.key = String(value());
    else usage();
  }
  if (out.interval != null && !(Number.isInteger(out.interval) && out.interval >= 100)) usage();
  if (!out.once && out.interval == null) out.once = true;
  if (!!out.url !== !!out.key) usage();
  return out;
}

if (isMain(import.meta.url)) {
  const args = parseArgs(process.argv.slice(2));
  const http = args.url && args.key ? { url: args.url, key: args.key } : undefined;
  await withScriptApp(async (ctx) => {
    let stop = false;
    process.once('SIGINT', () => (stop = true));
    for (let n = 1; ; n++) {
      const r = await simulateCarrierStep(ctx, { carrierCode: args.carrier, http });
      console.log(`${new Date().toISOString()} step ${n}: ${r.accepted} events, ${r.duplicates} duplicates${http ? ` (sent to ${http.url})` : ''}`);
      if (args.once || stop) return;
      await new Promise((res) => setTimeout(res, args.interval!));
      if (stop) return;
    }
  });
}
