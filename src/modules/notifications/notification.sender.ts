/**
 * The notification queue. Claiming due e-mails, the lease, retries with backoff, giving up after
 * `maxAttempts` (FAILED) and the status changes (SENT, FAILED) are the shared job worker's
 * (events/delivery-worker.ts, the same as the webhook dispatcher's); what is the notifications'
 * own is here: a message was rendered when it was queued, and one attempt hands it to the mail
 * transport.
 *
 * Transport: nodemailer's SMTP transport when SMTP_URL is set (nodemailer: the maintained SMTP
 * client for Node, with pooling, timeouts, STARTTLS and MIME encoding of Cyrillic headers), else a
 * log line per message (development), which counts as sent.
 */
import nodemailer from 'nodemailer';
import type { Logger } from 'pino';
import { sql } from 'drizzle-orm';
import type { Config } from '../../config.js';
import type { Database } from '../../db/client.js';
import { DeliveryQueue, DeliveryWorker, type Outcome, type WorkerOptions } from '../../events/delivery-worker.js';
import { notificationLifecycle, type NotificationLifecycleRow, type NotificationStatusValue } from './notification.table.js';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  /** Which notification it is (for logs: ids, never the address or the text). */
  ref?: { notificationId: string; template: string };
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

/** Development without SMTP: one log line per message (its id and template: no address, subject or text, which are personal). */
export function logTransport(log: Logger): MailTransport {
  return {
    async send(mail) {
      log.info({ ...mail.ref }, 'notification (no SMTP_URL: logged, not sent)');
    },
    close() {},
  };
}

export type SenderOptions = WorkerOptions & {
  /**
   * Asked before each attempt: a reason not to send the message after all (a CSAT survey the
   * customer answered before it was due), or null. A message not sent ends FAILED with the
   * reason as its last error, without an attempt counted.
   */
  reasonNotToSend?: (n: { template: string; orderId: string | null }) => Promise<string | null>;
};

export const senderOptions = (c: Config): SenderOptions => ({
  maxAttempts: c.NOTIFICATION_MAX_ATTEMPTS,
  backoffBaseMs: c.NOTIFICATION_BACKOFF_BASE_MS,
  backoffCapMs: c.NOTIFICATION_BACKOFF_CAP_MS,
  pollMs: c.NOTIFICATION_POLL_MS,
});

export const mailTransport = (c: Config, log: Logger): MailTransport => (c.SMTP_URL ? smtpTransport(c.SMTP_URL, c.SMTP_FROM) : logTransport(log));

interface Claimed {
  id: string;
  template: string;
  order_id: string | null;
  recipient: string;
  subject: string | null;
  body: string;
  attempts: number;
}

const ERROR_MAX = 500;

export class NotificationSender extends DeliveryQueue<NotificationStatusValue, NotificationLifecycleRow, Claimed> {
  protected readonly worker: DeliveryWorker<NotificationStatusValue, NotificationLifecycleRow, Claimed>;

  private readonly reasonNotToSend: SenderOptions['reasonNotToSend'];

  constructor(
    database: Database,
    private readonly transport: MailTransport,
    log: Logger,
    opts: SenderOptions,
  ) {
    super();
    this.reasonNotToSend = opts.reasonNotToSend;
    this.worker = new DeliveryWorker(
      database,
      log,
      {
        name: 'notification sender',
        noun: 'notification',
        idField: 'notificationId',
        lifecycle: notificationLifecycle,
        doneAtKey: 'sentAt',
        claim: { due: sql`channel = 'EMAIL'`, columns: sql`notifications.template, notifications.order_id, notifications.recipient, notifications.subject, notifications.body` },
        attempt: (n) => this.send(n),
      },
      // A claim holds a message for the SMTP timeouts plus a margin for recording the outcome.
      { ...opts, leaseMs: 3 * SMTP_TIMEOUT_MS + 30_000 },
    );
  }

  /** One attempt: the rendered message to the transport. */
  private async send(n: Claimed): Promise<Outcome> {
    try {
      const reason = await this.reasonNotToSend?.({ template: n.template, orderId: n.order_id });
      if (reason) return { kind: 'dropped', error: reason };
      await this.transport.send({ to: n.recipient, subject: n.subject ?? '', text: n.body, ref: { notificationId: n.id, template: n.template } });
      return { kind: 'succeeded' };
    } catch (err) {
      return { kind: 'failed', error: String((err as Error)?.message ?? err).slice(0, ERROR_MAX) };
    }
  }

  /** Stops polling and waits for the round in flight (call before the database closes). */
  override async stop(): Promise<void> {
    await super.stop();
    this.transport.close();
  }
}
