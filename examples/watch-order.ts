/**
 * Watches one order's status changes over WebSocket with the graphql-ws client: a small, standalone
 * client (it imports nothing from Waybill, only graphql-ws and ws).
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
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

const QUERY = `subscription Watch($orderId: ID!, $afterSequence: Int) {
  orderStatusChanged(orderId: $orderId, afterSequence: $afterSequence) {
    order { id number status }
    event { sequence occurredAt previousStatus status message }
  }
}`;

interface StatusChange {
  orderStatusChanged: {
    order: { id: string; number: string; status: string };
    event: { sequence: number; occurredAt: string; previousStatus: string | null; status: string; message: string | null };
  };
}

/** Close codes after which a retry cannot help: the server refused this client's credentials. */
const REFUSED = new Map([
  [4401, 'unauthorized'],
  [4403, 'forbidden'],
]);

interface CloseEventLike {
  code: number;
  reason: string;
}
const isCloseEvent = (e: unknown): e is CloseEventLike => typeof e === 'object' && e !== null && 'code' in e && 'reason' in e;

function usage(message: string): never {
  console.error(`${message}\nusage: KEY=<API key> npx tsx examples/watch-order.ts <orderId> [afterSequence]`);
  process.exit(2);
}

const [orderId, afterArg] = process.argv.slice(2);
if (!orderId) usage('missing orderId');
const afterSequence = afterArg === undefined ? 0 : Number(afterArg);
if (!Number.isInteger(afterSequence) || afterSequence < 0) usage(`afterSequence must be a whole number >= 0, not ${afterArg}`);
const url = process.env.WAYBILL_WS_URL ?? 'ws://localhost:4000/graphql';
const key = process.env.KEY;

// graphql-ws sends this object again on every reconnect, so updating afterSequence below makes the
// server replay exactly what was missed while the connection was down.
const variables = { orderId, afterSequence };

const client: Client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: key ? { authorization: `Bearer ${key}` } : {},
  retryAttempts: 8,
  // graphql-ws retries 4403 by default (about 12 s of backoff before the error shows); not here.
  shouldRetry(e) {
    if (isCloseEvent(e) && REFUSED.has(e.code)) return false;
    const why = isCloseEvent(e) ? `${e.code} ${e.reason || '(no reason)'}` : String((e as { message?: string })?.message ?? e);
    console.error(`connection lost (${why}); reconnecting`);
    return true;
  },
});

function fail(err: unknown): void {
  if (isCloseEvent(err)) {
    const hint = REFUSED.has(err.code) ? ` — the server refused the connection (${REFUSED.get(err.code)}): check KEY` : '';
    console.error(`connection closed: ${err.code} ${err.reason || '(no reason)'}${hint}`);
  } else if (Array.isArray(err)) {
    // GraphQL errors of the subscription itself (e.g. NOT_FOUND, FORBIDDEN for someone else's order).
    for (const e of err as { message: string; extensions?: { code?: string } }[]) {
      console.error(`error: ${e.extensions?.code ?? 'ERROR'} ${e.message}`);
    }
  } else {
    console.error(`error: ${err instanceof Error ? err.message : String(err)}`);
  }
  process.exitCode = 1;
  void client.dispose();
}

const unsubscribe = client.subscribe<StatusChange>(
  { query: QUERY, variables },
  {
    next(result) {
      if (result.errors?.length) return fail(result.errors);
      const change = result.data?.orderStatusChanged;
      if (!change) return;
      const { order, event } = change;
      variables.afterSequence = event.sequence;
      const from = event.previousStatus ? `${event.previousStatus} -> ` : '';
      console.log(`#${event.sequence} ${event.occurredAt} ${order.number} ${from}${event.status}${event.message ? ` (${event.message})` : ''}`);
    },
    error: fail,
    complete() {
      void client.dispose();
    },
  },
);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    unsubscribe();
    void client.dispose();
  });
}
