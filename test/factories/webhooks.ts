/** A real webhook receiver for e2e tests: an HTTP server on an ephemeral loopback port that keeps every JSON body it is sent. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Waybill posts to a webhook subscription's URL. */
export interface WebhookBody {
  topic: string;
  data: Record<string, unknown>;
}

export interface WebhookReceiver {
  /** The URL to subscribe with. */
  url: string;
  /** Every body received so far, in arrival order (live: read it again after waiting). */
  bodies: WebhookBody[];
  /** The bodies received so far that match. */
  of(match: (b: WebhookBody) => boolean): WebhookBody[];
  close(): Promise<void>;
}

/** Starts a receiver that answers 200 to every JSON body (400, and nothing kept, to a body that is not JSON). */
export async function webhookReceiver(): Promise<WebhookReceiver> {
  const bodies: WebhookBody[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody);
        res.end('ok');
      } catch {
        res.statusCode = 400;
        res.end('not JSON');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
    bodies,
    of: (match) => bodies.filter(match),
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}
