/**
 * Watches one order's status changes over WebSocket with the typed client (@waybill/client, in
 * client/): the OrderStatusChanged subscription, its variables and its events are typed from the
 * schema. It imports nothing else from Waybill.
 *
 *   KEY=wb_live_… npx tsx examples/watch-order.ts <orderId> [afterSequence]
 *
 * Prints the order's timeline after `afterSequence` (default 0: the whole timeline), then every live
 * change, one line each, until Ctrl+C. A lost connection is re-established (with backoff) and resumes
 * after the last event printed, so nothing is missed or printed twice. A refused connection (a bad
 * or revoked key: close code 4403 Forbidden, or 4401) is final: its code and reason are printed at
 * once and the script exits with code 1, instead of retrying a request that cannot succeed.
 *
 * Environment: KEY (API key or customer token; the key needs read_orders, a customer may watch only
 * its own orders), WAYBILL_WS_URL (default ws://localhost:4000/graphql).
 */
import { createWaybillClient, OrderStatusChangedDocument, WaybillConnectionError, WaybillError } from '@waybill/client';

function usage(message: string): never {
  console.error(`${message}\nusage: KEY=<API key> npx tsx examples/watch-order.ts <orderId> [afterSequence]`);
  process.exit(2);
}

const [orderId, afterArg] = process.argv.slice(2);
if (!orderId) usage('missing orderId');
let afterSequence = afterArg === undefined ? 0 : Number(afterArg);
if (!Number.isInteger(afterSequence) || afterSequence < 0) usage(`afterSequence must be a whole number >= 0, not ${afterArg}`);
const wsUrl = process.env.WAYBILL_WS_URL ?? 'ws://localhost:4000/graphql';

const waybill = createWaybillClient({
  url: wsUrl.replace(/^ws/, 'http'),
  wsUrl,
  token: process.env.KEY,
  retryAttempts: 8,
  onReconnect: (why) => console.error(`connection lost (${why}); reconnecting`),
});

function fail(err: Error): void {
  if (err instanceof WaybillConnectionError) {
    const hint = err.refused ? ' — the server refused the connection: check KEY' : '';
    console.error(`${err.message}${hint}`);
  } else if (err instanceof WaybillError) {
    // GraphQL errors of the subscription itself (e.g. NOT_FOUND, FORBIDDEN for someone else's order).
    for (const e of err.errors) console.error(`error: ${e.extensions?.code ?? 'ERROR'} ${e.message}`);
  } else {
    console.error(`error: ${err.message}`);
  }
  process.exitCode = 1;
  void waybill.dispose();
}

// The variables are read again on every reconnect, so the server replays exactly what was missed
// while the connection was down.
const stop = waybill.subscribe(OrderStatusChangedDocument, () => ({ orderId, afterSequence }), {
  next({ orderStatusChanged: { order, event } }) {
    afterSequence = event.sequence;
    const from = event.previousStatus ? `${event.previousStatus} -> ` : '';
    console.log(`#${event.sequence} ${event.occurredAt} ${order.number} ${from}${event.status}${event.message ? ` (${event.message})` : ''}`);
  },
  error: fail,
  complete: () => void waybill.dispose(),
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop();
    void waybill.dispose();
  });
}
