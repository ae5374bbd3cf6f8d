import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { AttemptRow, DeliveryRow, SubscriptionRow } from './webhook.service.js';

export const WebhookTopic = {
  ORDER_CREATED: 'ORDER_CREATED',
  ORDER_STATUS_CHANGED: 'ORDER_STATUS_CHANGED',
  SHIPMENT_UPDATED: 'SHIPMENT_UPDATED',
  INVENTORY_LEVEL_CHANGED: 'INVENTORY_LEVEL_CHANGED',
  RETURN_UPDATED: 'RETURN_UPDATED',
  PURCHASE_ORDER_UPDATED: 'PURCHASE_ORDER_UPDATED',
  TRANSFER_ORDER_UPDATED: 'TRANSFER_ORDER_UPDATED',
  LOYALTY_TRANSACTION_CREATED: 'LOYALTY_TRANSACTION_CREATED',
  SUPPORT_TICKET_UPDATED: 'SUPPORT_TICKET_UPDATED',
} as const;
export type WebhookTopic = (typeof WebhookTopic)[keyof typeof WebhookTopic];
registerEnumType(WebhookTopic, {
  name: 'WebhookTopic',
  description: 'What a webhook subscription receives. `data` of the body is the event payload of that topic.',
  valuesConfig: {
    ORDER_CREATED: { description: 'An order was created. Subscribing requires write_orders.' },
    ORDER_STATUS_CHANGED: { description: 'An order changed status. Subscribing requires write_orders.' },
    SHIPMENT_UPDATED: { description: 'A shipment was created or its tracking status changed. Subscribing requires write_shipping.' },
    INVENTORY_LEVEL_CHANGED: {
      description:
        'Stock of a variant in a warehouse changed; data {variantId, warehouseId, warehouseCode}. Subscribing requires write_inventory; a key restricted to warehouses receives only those.',
    },
    RETURN_UPDATED: { description: 'A return was created or changed status. Subscribing requires write_returns.' },
    PURCHASE_ORDER_UPDATED: {
      description:
        'A purchase order was created or changed status; data {purchaseOrderId, number, status, previousStatus, sequence, warehouseCode}. Subscribing requires write_inventory; a key restricted to warehouses receives only those.',
    },
    TRANSFER_ORDER_UPDATED: {
      description:
        'A transfer between warehouses was created or changed status; data {transferOrderId, number, status, previousStatus, sequence, warehouseCodes: [from, to]}. Subscribing requires write_inventory; a key restricted to warehouses receives those touching one of its warehouses.',
    },
    LOYALTY_TRANSACTION_CREATED: {
      description:
        "A loyalty ledger entry was written; data {transactionId, customerId, kind, points, balance, orderId, returnRequestId}. Subscribing requires write_loyalty.",
    },
    SUPPORT_TICKET_UPDATED: {
      description:
        'A support ticket was opened, changed status (kind STATUS_CHANGED: {ticketId, number, customerId, channel, priority, language, status, previousStatus, sequence}), got a public message (kind MESSAGE_ADDED: {ticketId, number, customerId, channel, status, language, message {id, authorKind, body, channel, language, createdAt}}: a channel gateway delivers AGENT messages on its channel) or changed priority or assignee (kind FIELDS_CHANGED). Internal notes are never sent. Subscribing requires write_support.',
    },
  },
});

export const WebhookDeliveryStatus = { PENDING: 'PENDING', SUCCEEDED: 'SUCCEEDED', FAILED: 'FAILED' } as const;
export type WebhookDeliveryStatus = (typeof WebhookDeliveryStatus)[keyof typeof WebhookDeliveryStatus];
registerEnumType(WebhookDeliveryStatus, {
  name: 'WebhookDeliveryStatus',
  description: 'Where a webhook delivery stands.',
  valuesConfig: {
    PENDING: { description: 'Not yet acknowledged; the next attempt is scheduled.' },
    SUCCEEDED: { description: 'The endpoint answered 2xx.' },
    FAILED: { description: 'Every attempt failed (or the subscription was deleted); no more attempts.' },
  },
});

@ObjectType('WebhookDeliveryAttempt', { description: 'One HTTP POST of a webhook delivery.' })
export class WebhookDeliveryAttempt {
  @Field(() => DateTime, { description: 'When the request was sent.' })
  attemptedAt!: Date;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the answer; null when none came (timeout, network error).' })
  statusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the attempt failed, e.g. "HTTP 500", "timeout"; null on success.' })
  error!: string | null;
  @Field(() => Int, { description: 'Time until the answer (or the failure), milliseconds.' })
  durationMs!: number;

  static from(row: AttemptRow): WebhookDeliveryAttempt {
    return { attemptedAt: row.attemptedAt, statusCode: row.statusCode, error: row.error, durationMs: row.durationMs };
  }
}

@ObjectType('WebhookDelivery', { description: 'One event sent (or being sent) to one webhook subscription.' })
export class WebhookDelivery {
  @Field(() => ID, { description: 'Opaque id of the delivery.' })
  id!: string;
  dbId!: string;
  @Field(() => ID, { description: 'The event id, as sent in X-Waybill-Event-Id and the body\'s "id"; the same on every attempt.' })
  eventId!: string;
  @Field(() => WebhookTopic, { description: 'Topic of the event.' })
  topic!: WebhookTopic;
  @Field(() => WebhookDeliveryStatus, { description: 'Where the delivery stands.' })
  status!: WebhookDeliveryStatus;
  @Field(() => Int, { description: 'Attempts made so far.' })
  attempts!: number;
  @Field(() => DateTime, { nullable: true, description: 'When the next attempt is due; null unless PENDING.' })
  nextAttemptAt!: Date | null;
  @Field(() => Int, { nullable: true, description: 'HTTP status of the last attempt.' })
  lastStatusCode!: number | null;
  @Field(() => String, { nullable: true, description: 'Why the last attempt failed.' })
  lastError!: string | null;
  @Field(() => DateTime, { description: 'When the event was queued for this subscription.' })
  createdAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'When the endpoint acknowledged it (2xx).' })
  deliveredAt!: Date | null;

  static from(row: DeliveryRow): WebhookDelivery {
    return {
      id: toGlobalId('WebhookDelivery', row.id),
      dbId: row.id,
      eventId: row.eventId,
      topic: row.topic,
      status: row.status,
      attempts: row.attempts,
      nextAttemptAt: row.status === 'PENDING' ? row.nextAttemptAt : null,
      lastStatusCode: row.lastStatusCode,
      lastError: row.lastError,
      createdAt: row.createdAt,
      deliveredAt: row.deliveredAt,
    };
  }
}

@ObjectType('WebhookSubscription', {
  implements: Node,
  description: `Webhook deliveries: HTTP POST with a JSON body {id, topic, occurredAt, data}, header
X-Waybill-Event-Id, and X-Waybill-Signature: sha256=<hex HMAC-SHA256 of the raw body with
the subscription's secret>. At least once; retried with exponential backoff on non-2xx or
timeout; each attempt is recorded.

Every attempt also carries Waybill-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 with the
subscription's secret of "<t>.<raw body>">, signed at the time of that attempt. Verify this one:
compute the HMAC over the decimal t, a dot and the exact bytes received (before any JSON
parsing), compare it with v1 in constant time (e.g. crypto.timingSafeEqual), and reject a t more
than 5 minutes from your clock, so that a captured request cannot be replayed later. Deduplicate
by X-Waybill-Event-Id: a retry has a new t and v1 but the same body and event id.`,
})
export class WebhookSubscription implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  dbId!: string;
  @Field(() => WebhookTopic, { description: 'Events this subscription receives.' })
  topic!: WebhookTopic;
  @Field(() => String, { description: 'The endpoint that receives the POSTs.' })
  url!: string;
  @Field(() => DateTime, { description: 'When the subscription was created.' })
  createdAt!: Date;

  static from(row: SubscriptionRow): WebhookSubscription {
    return typed('WebhookSubscription', {
      id: toGlobalId('WebhookSubscription', row.id),
      dbId: row.id,
      topic: row.topic,
      url: row.url,
      createdAt: row.createdAt,
    });
  }
}
