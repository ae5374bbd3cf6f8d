/**
 * Watches one parcel's tracking over WebSocket with the graphql-ws client: a small, standalone
 * client (it imports nothing from Waybill, only graphql-ws and ws), like a tracking widget.
 *
 *   npx tsx examples/watch-tracking.ts <trackingNumber>
 *
 * Prints the parcel's status and its events so far, then every carrier event as it arrives, one
 * line each, until Ctrl+C. `shipmentTracking` and `tracking` are public (no token, no personal
 * data). A lost connection is re-established (with backoff) and the current state printed again,
 * so an event that arrived meanwhile is not missed. An unknown tracking number is NOT_FOUND: the
 * script says so and exits with code 1.
 *
 * Environment: WAYBILL_WS_URL (default ws://localhost:4000/graphql); KEY (optional: an API key or
 * customer token, for its own rate-limit budget instead of the anonymous one).
 */
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const CURRENT = `query Tracking($trackingNumber: String!) {
  tracking(trackingNumber: $trackingNumber) {
    trackingNumber status carrierName estimatedDeliveryTo
    events { occurredAt status location }
  }
}`;

const LIVE = `subscription ShipmentTracking($trackingNumber: String!) {
  shipmentTracking(trackingNumber: $trackingNumber) {
    event { occurredAt status location description }
    tracking { status estimatedDeliveryTo }
  }
}`;

interface TrackingEvent {
  occurredAt: string;
  status: string;
  location: string | null;
  description?: string | null;
}
interface Current {
  tracking: { trackingNumber: string; status: string; carrierName: string; estimatedDeliveryTo: string | null; events: TrackingEvent[] } | null;
}
interface Update {
  shipmentTracking: { event: TrackingEvent; tracking: { status: string; estimatedDeliveryTo: string | null } };
}
interface GraphQLErrorLike {
  message: string;
  extensions?: { code?: string };
}
interface CloseEventLike {
  code: number;
  reason: string;
}
const isCloseEvent = (e: unknown): e is CloseEventLike => typeof e === 'object' && e !== null && 'code' in e && 'reason' in e;

const [trackingNumber] = process.argv.slice(2);
if (!trackingNumber) {
  console.error('missing trackingNumber\nusage: npx tsx examples/watch-tracking.ts <trackingNumber>');
  process.exit(2);
}
const url = process.env.WAYBILL_WS_URL ?? 'ws://localhost:4000/graphql';
const key = process.env.KEY;

const line = (e: TrackingEvent) => `${e.occurredAt} ${e.status}${e.location ? ` ${e.location}` : ''}${e.description ? ` (${e.description})` : ''}`;

function fail(err: unknown): void {
  if (isCloseEvent(err)) console.error(`connection closed: ${err.code} ${err.reason || '(no reason)'}`);
  else if (Array.isArray(err)) for (const e of err as GraphQLErrorLike[]) console.error(`error: ${e.extensions?.code ?? 'ERROR'} ${e.message}`);
  else console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 1;
  void client.dispose();
}

/** The parcel as it is now (printed at start and after every reconnect). */
async function printCurrent(): Promise<void> {
  const result = await new Promise<{ data?: Current | null; errors?: readonly GraphQLErrorLike[] }>((resolve, reject) => {
    let value: { data?: Current | null; errors?: readonly GraphQLErrorLike[] } = {};
    client.subscribe<Current>({ query: CURRENT, variables: { trackingNumber } }, { next: (v) => (value = v as typeof value), error: reject, complete: () => resolve(value) });
  });
  if (result.errors?.length) return fail(result.errors);
  const t = result.data?.tracking;
  if (!t) return fail([{ message: `No parcel with tracking number ${trackingNumber}.`, extensions: { code: 'NOT_FOUND' } }]);
  console.log(`${t.trackingNumber} (${t.carrierName}): ${t.status}${t.estimatedDeliveryTo ? `, expected by ${t.estimatedDeliveryTo}` : ''}`);
  for (const e of t.events) console.log(`  ${line(e)}`);
  console.log('watching for carrier events (Ctrl+C to stop)');
}

let connections = 0;
const client: Client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: key ? { authorization: `Bearer ${key}` } : {},
  retryAttempts: 8,
  shouldRetry(e) {
    const why = isCloseEvent(e) ? `${e.code} ${e.reason || '(no reason)'}` : String((e as { message?: string })?.message ?? e);
    console.error(`connection lost (${why}); reconnecting`);
    return !(isCloseEvent(e) && [4401, 4403].includes(e.code));
  },
  on: {
    // After a reconnect, show what may have happened while the socket was down.
    connected: () => {
      if (++connections > 1) void printCurrent().catch(fail);
    },
  },
});

const unsubscribe = client.subscribe<Update>(
  { query: LIVE, variables: { trackingNumber } },
  {
    next(result) {
      if (result.errors?.length) return fail(result.errors);
      const u = result.data?.shipmentTracking;
      if (u) console.log(`${line(u.event)} -> parcel ${u.tracking.status}`);
    },
    error: fail,
    complete() {
      void client.dispose();
    },
  },
);
await printCurrent().catch(fail);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    unsubscribe();
    void client.dispose();
  });
}
