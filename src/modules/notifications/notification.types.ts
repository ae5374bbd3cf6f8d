import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { DateTime } from '../../graphql/scalars.js';
import type { NotificationRow } from './notification.service.js';
import type { NotificationChannelValue, NotificationStatusValue } from './notification.table.js';

export const NotificationChannel = { EMAIL: 'EMAIL', SMS: 'SMS', WEBHOOK: 'WEBHOOK' } as const;
registerEnumType(NotificationChannel, {
  name: 'NotificationChannel',
  description: 'How a notification reaches the customer.',
  valuesConfig: {
    EMAIL: { description: 'E-mail to the customer (SMTP).' },
    SMS: { description: 'Text message (not sent yet by this server).' },
    WEBHOOK: { description: "Through the store's own webhook (not sent yet by this server)." },
  },
});

export const NotificationStatus = { PENDING: 'PENDING', SENT: 'SENT', FAILED: 'FAILED' } as const;
registerEnumType(NotificationStatus, {
  name: 'NotificationStatus',
  description: 'Where a notification stands.',
  valuesConfig: {
    PENDING: { description: 'Not sent yet; the next attempt is scheduled.' },
    SENT: { description: 'Handed to the mail server (or logged when no SMTP server is configured).' },
    FAILED: { description: 'Not sent, and no more attempts: every attempt failed, or the message was no longer needed when it was due (a CSAT survey of an order the customer had already rated).' },
  },
});

@ObjectType('Notification', { description: 'A message sent (or being sent) to the customer about an order or a return of it.' })
export class Notification {
  @Field(() => NotificationChannel, { description: 'How it is sent.' })
  channel!: NotificationChannelValue;
  @Field(() => String, { description: 'e.g. order_confirmed, order_processing, order_shipped, order_delivered, order_cancelled; for a return of the order return_approved, return_rejected, return_received, return_refunded; csat_survey (sent CSAT_SURVEY_DELAY_HOURS after delivery).' })
  template!: string;
  @Field(() => String, { description: "Language the message was rendered in (the customer's locale, falling back to en)." })
  locale!: string;
  @Field(() => String, { description: 'Where it is sent: the e-mail address for EMAIL.' })
  recipient!: string;
  @Field(() => String, { nullable: true, description: 'Subject line, as sent.' })
  subject!: string | null;
  @Field(() => NotificationStatus, { description: 'Where it stands.' })
  status!: NotificationStatusValue;
  @Field(() => DateTime, { nullable: true, description: 'When it was sent; null unless SENT.' })
  sentAt!: Date | null;

  static from(r: NotificationRow): Notification {
    return { channel: r.channel, template: r.template, locale: r.locale, recipient: r.recipient, subject: r.subject, status: r.status, sentAt: r.sentAt };
  }
}
