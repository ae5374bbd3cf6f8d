/**
 * Graceful stop of the HTTP server for keep-alive clients.
 *
 * Apollo's drain plugin (and `http.Server#close` itself since Node 19) ended or destroyed every idle
 * keep-alive socket the moment the stop began, so a request a client was sending on one at that
 * moment met a closed socket: a connection reset, or a retry on a new connection that was refused
 * because the server no longer listened (8 of 16 keep-alive clients failed so right after SIGTERM).
 * Libraries that do this job (stoppable, http-terminator, terminus) close idle sockets at once too,
 * hence this small class. Once `stop()` is called:
 *
 * - no new connections are accepted (`net.Server#close`, which, unlike `http.Server#close`, leaves
 *   the open sockets alone);
 * - every response whose headers are not sent yet carries `Connection: close`, so Node closes its
 *   socket right after it and the client knows not to reuse it; requests that still arrive on open
 *   sockets are served the same way;
 * - idle sockets stay open for a short moment (`idleGraceMs`), long enough for a request already on
 *   its way to be served; then they are ended (FIN, not a reset), and a socket whose response ends
 *   later is ended right after it;
 * - a request that arrives on a socket after this side ended it cannot be answered: it is read and
 *   dropped without being executed (the client sees the connection close before any response, which
 *   HTTP clients treat as retryable, and a POST has not run);
 * - after `graceMs` whatever is still open (a slow request, a WebSocket) is destroyed.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Server as NetServer, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/** At most this long idle keep-alive sockets stay open after the stop began (at most a quarter of the grace period). */
const IDLE_GRACE_MS = 1_000;

export interface HttpDrainOptions {
  /** The grace period: in-flight requests get this long to finish before their sockets are destroyed. */
  graceMs: number;
  log?: Logger;
}

export class HttpDrain {
  /** Open HTTP sockets and how many requests each has in progress (upgraded sockets are in `upgraded`). */
  private readonly sockets = new Map<Socket, number>();
  private readonly upgraded = new Set<Duplex>();
  /** Responses in progress that were started before the stop (their headers may still be unsent). */
  private readonly responses = new Set<ServerResponse>();
  /** Sockets this side has ended: a request still arriving on one is not executed. */
  private readonly ended = new WeakSet<Socket>();
  private stopped: Promise<void> | null = null;
  /** Set once idle sockets had their moment: from then on a socket is ended as soon as it is idle. */
  private idleSwept = false;

  constructor(
    private readonly server: Server,
    private readonly opts: HttpDrainOptions,
  ) {
    server.on('connection', (socket: Socket) => {
      this.sockets.set(socket, 0);
      socket.once('close', () => this.sockets.delete(socket));
    });
    // A WebSocket is no longer an HTTP connection: graphql-ws closes it (1001) during the stop.
    server.on('upgrade', (_req: IncomingMessage, socket: Duplex) => {
      this.sockets.delete(socket as Socket);
      this.upgraded.add(socket);
      socket.once('close', () => this.upgraded.delete(socket));
    });
  }

  /** True once `stop()` was called. */
  get stopping(): boolean {
    return this.stopped !== null;
  }

  /** Wraps the server's request listener: counts requests per socket and applies the rules above. */
  handler(listener: RequestListener): RequestListener {
    return (req, res) => {
      const socket = req.socket;
      if (this.ended.has(socket)) {
        req.resume();
        return;
      }
      this.sockets.set(socket, (this.sockets.get(socket) ?? 0) + 1);
      if (this.stopped) res.setHeader('connection', 'close');
      else this.responses.add(res);
      res.once('close', () => {
        this.responses.delete(res);
        const left = this.sockets.get(socket);
        if (left === undefined) return; // the socket is gone already
        this.sockets.set(socket, left - 1);
        if (left - 1 === 0 && this.idleSwept) this.end(socket);
      });
      listener(req, res);
    };
  }

  /** Stops gracefully (see above); resolves when every socket is closed. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  private async drain(): Promise<void> {
    const started = Date.now();
    for (const res of this.responses) if (!res.headersSent) res.setHeader('connection', 'close');
    this.responses.clear();
    const allClosed = new Promise<void>((resolve) => {
      // Not http.Server#close: it would destroy the idle keep-alive sockets at once.
      NetServer.prototype.close.call(this.server, () => resolve());
    });
    const idleGraceMs = Math.min(IDLE_GRACE_MS, Math.floor(this.opts.graceMs / 4));
    if (await settlesWithin(allClosed, idleGraceMs)) return;
    this.idleSwept = true;
    for (const [socket, requests] of this.sockets) if (requests === 0) this.end(socket);
    if (await settlesWithin(allClosed, this.opts.graceMs - (Date.now() - started))) return;
    const open = this.sockets.size + this.upgraded.size;
    this.opts.log?.warn({ connections: open, graceMs: this.opts.graceMs }, 'grace period over; closing the remaining connections');
    for (const socket of this.sockets.keys()) socket.destroy();
    for (const socket of this.upgraded) socket.destroy();
    await allClosed;
  }

  private end(socket: Socket): void {
    if (this.ended.has(socket)) return;
    this.ended.add(socket);
    socket.end();
  }
}

/** Whether `p` settles within `ms` (the timer is cleared either way). */
async function settlesWithin(p: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), Math.max(0, ms))));
  try {
    return await Promise.race([p.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
