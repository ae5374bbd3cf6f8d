/**
 * The notification worker, built like the webhook dispatcher: due PENDING rows are claimed with
 * `FOR UPDATE SKIP LOCKED` in one statement that also pushes `next_attempt_at` forward by a lease
 * (several instances never send one message at the same moment; a crashed sender's claim
 * expires and the message is sent again: at least once). Sending happens outside any
 * transaction; the outcome is written afterwards. A failure is retried after a jittered
 * exponential backoff; after `maxAttempts` the row is FAILED.
 *
 * Transport: nodemailer's SMTP transport when SMTP_URL is set (nodemailer: the maintained SMTP
 * client for Node, with pooling, timeouts, STARTTLS and MIME encoding of Cyrillic headers), else a
 * log line per message (development), which counts as sent.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { PollingWorker } from '../../events/polling-worker.js';
import { backoffDelay } from '../../shared/backoff.js';
import { notifications } from './notification.table.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
}

/** Where messages go. */
export interface MailTransport {
  send(mail: OutgoingMail): Promise<void>;
  close(): void;
}

const SMTP_TIMEOUT_MS = 15_000;

/**
 * SMTP through nodemailer. `smtps://` connects with TLS; `smtp://` upgrades with STARTTLS when the
 * server offers it (nodemailer's default; add `?ignoreTLS=true` to the URL to never upgrade).
 */
export function smtpTransport(url: string, from: string): MailTransport {
  const transporter = nodemailer.createTransport({
    url,
    secure: url.startsWith('smtps:'),
    connectionTimeout: SMTP_TIMEOUT_MS,
    greetingTimeout: SMTP_TIMEOUT_MS,
    socketTimeout: SMTP_TIMEOUT_MS,
  });
  return {
    async send(mail) {
      await transporter.sendMail({ from, to: mail.to, subject: mail.subject, text: mail.text });
    },
    close: () => transporter.close(),
  };
}

/** Development without SMTP: one log line per message. */
export function logTransport(log: Logger): MailTransport {
  return {
    async send(mail) {
      log.info({ recipient: mail.to, subject: mail.subject }, 'notification (no SMTP_URL: logged, not sent)');
    },
    close() {},
  };
}

export interface SenderOptions {
  maxAttempts: number;
  backoffBaseMs: number;
  backoffCapMs: number;
  pollMs: number;
  batch?: number;
  random?: () => number;
}

export const senderOptions = (c: Config): SenderOptions => ({
  maxAttempts: c.NOTIFICATION_MAX_ATTEMPTS,
  backoffBaseMs: c.NOTIFICATION_BACKOFF_BASE_MS,
  backoffCapMs: c.NOTIFICATION_BACKOFF_CAP_MS,
  pollMs: c.NOTIFICATION_POLL_MS,
});

export const mailTransport = (c: Config, log: Logger): MailTransport => (c.SMTP_URL ? smtpTransport(c.SMTP_URL, c.SMTP_FROM) : logTransport(log));

interface Claimed {
  id: string;
  recipient: string;
  subject: string | null;
  body: string;
  attempts: number;
}

const ERROR_MAX = 500;

export class NotificationSender {
  private readonly loop: PollingWorker;
  private readonly batch: number;
  /** How long a claim holds a message: the SMTP timeouts plus a margin for recording the outcome. */
  private readonly leaseMs = 3 * SMTP_TIMEOUT_MS + 30_000;

  constructor(
    private readonly database: Database,
    private readonly transport: MailTransport,
    private readonly log: Logger,
    private readonly opts: SenderOptions,
  ) {
    this.batch = opts.batch ?? 16;
    this.loop = new PollingWorker('notification sender', log, opts.pollMs, () => this.drain());
  }

  start(): void {
    this.loop.start();
  }

  /** Looks for due work now (coalesces with a round already running). */
  kick(): void {
    this.loop.kick();
  }

  /** Sends every message due now; resolves when none is left. */
  async drain(): Promise<void> {
    for (;;) {
      if (this.loop.stopped) return;
      const claimed = await this.claim();
      const sent = (await Promise.all(claimed.map((n) => this.send(n)))).filter((id): id is string => id !== null);
      // The messages sent are marked with one statement per round rather than one each.
      if (sent.length) {
        await this.database.db
          .update(notifications)
          .set({ attempts: sql`${notifications.attempts} + 1`, lastError: null, status: 'SENT', sentAt: sql`now()` })
          .where(and(inArray(notifications.id, sent), eq(notifications.status, 'PENDING')));
      }
      if (claimed.length < this.batch) return;
    }
  }

  private claim(): Promise<Claimed[]> {
    return this.database.rows<Claimed>(sql`
      with due as (
        select id from notifications
        where status = 'PENDING' and channel = 'EMAIL' and next_attempt_at <= now()
        order by next_attempt_at
        limit ${this.batch}
        for update skip locked
      )
      update notifications n
        set next_attempt_at = now() + ${this.leaseMs / 1000}::double precision * interval '1 second'
      from due
      where n.id = due.id
      returning n.id, n.recipient, n.subject, n.body, n.attempts`);
  }

  /** Sends one message; returns its id when sent (the caller marks it), else records the failure. */
  private async send(n: Claimed): Promise<string | null> {
    const attempt = n.attempts + 1;
    let error: string | null = null;
    try {
      await this.transport.send({ to: n.recipient, subject: n.subject ?? '', text: n.body });
    } catch (err) {
      error = String((err as Error)?.message ?? err).slice(0, ERROR_MAX);
    }
    if (error === null) return n.id;
    // Stopped while sending a failure: leave the row to its lease, it is retried later.
    if (this.loop.stopped) return null;
    const failed = attempt >= this.opts.maxAttempts;
    const delayMs = failed ? 0 : backoffDelay(attempt - 1, this.opts.backoffBaseMs, this.opts.backoffCapMs, this.opts.random);
    await this.database.db
      .update(notifications)
      .set({
        attempts: attempt,
        lastError: error,
        ...(failed ? { status: 'FAILED' as const } : { nextAttemptAt: sql`now() + ${delayMs / 1000}::double precision * interval '1 second'` }),
      })
      .where(and(eq(notifications.id, n.id), eq(notifications.status, 'PENDING')));
    this.log.info({ notificationId: n.id, attempt, error, failed }, 'notification attempt failed');
    if (!failed && delayMs < this.opts.pollMs) this.loop.wakeAfter(delayMs + 5);
    return null;
  }

  /** Stops polling and waits for the round in flight (call before the database closes). */
  async stop(): Promise<void> {
    await this.loop.stop();
    this.transport.close();
  }
}
