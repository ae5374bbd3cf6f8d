/**
 * Webhooks: subscriptions, fan-out of committed outbox events into delivery rows (durable relay
 * handlers, so each event is queued exactly once per subscription), and reads of deliveries.
 * Sending is the dispatcher's job (webhook.dispatcher.ts).
 */
import { randomBytes } from 'node:crypto';
import { and, count, eq, inArray, isNull } from 'drizzle-orm';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import type { Executor } from '../../db/client.js';
import { transact, type EventWriter } from '../../events/outbox.js';
import type { CommittedEvent, OutboxRelay } from '../../events/relay.js';
import { inTransaction } from '../../db/tx.js';
import { AccessError, BusinessError } from '../../shared/errors.js';
import { begin, transitionMany } from '../../shared/lifecycle.js';
import { hasScope, isAuthenticated, type Principal } from '../../shared/principal.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { LEVEL_CHANGED } from '../inventory/inventory.events.js';
import { ORDER_CREATED, ORDER_STATUS_CHANGED } from '../orders/order.service.js';
import { webhookUrlProblem } from './webhook.url.js';
import {
  webhookAttempts,
  webhookDeliveries,
  webhookDeliveryLifecycle,
  webhookSubscriptions,
  WEBHOOK_TOPICS,
  type DeliveryStatusValue,
  type WebhookTopicValue,
} from './webhook.table.js';

export type SubscriptionRow = typeof webhookSubscriptions.$inferSelect;
export type DeliveryRow = typeof webhookDeliveries.$inferSelect;
export type AttemptRow = typeof webhookAttempts.$inferSelect;

/** Outbox topic -> webhook topic ('shipment.updated': the shipping module, on creation and every status change; returns: later). */
export const OUTBOX_TO_WEBHOOK_TOPIC: Readonly<Record<string, WebhookTopicValue>> = Object.freeze({
  [ORDER_CREATED]: 'ORDER_CREATED',
  [ORDER_STATUS_CHANGED]: 'ORDER_STATUS_CHANGED',
  'shipment.updated': 'SHIPMENT_UPDATED',
  [LEVEL_CHANGED]: 'INVENTORY_LEVEL_CHANGED',
  'return.updated': 'RETURN_UPDATED',
  'purchase_order.updated': 'PURCHASE_ORDER_UPDATED',
  'transfer_order.updated': 'TRANSFER_ORDER_UPDATED',
  'loyalty.transaction_created': 'LOYALTY_TRANSACTION_CREATED',
  'support_ticket.updated': 'SUPPORT_TICKET_UPDATED',
});

/** The write scope that lets a key subscribe to a topic (admin implies all). */
export const TOPIC_SCOPE: Readonly<Record<WebhookTopicValue, string>> = Object.freeze({
  ORDER_CREATED: 'write_orders',
  ORDER_STATUS_CHANGED: 'write_orders',
  SHIPMENT_UPDATED: 'write_shipping',
  INVENTORY_LEVEL_CHANGED: 'write_inventory',
  RETURN_UPDATED: 'write_returns',
  PURCHASE_ORDER_UPDATED: 'write_inventory',
  TRANSFER_ORDER_UPDATED: 'write_inventory',
  LOYALTY_TRANSACTION_CREATED: 'write_loyalty',
  SUPPORT_TICKET_UPDATED: 'write_support',
});

const MAX_SUBSCRIPTIONS_PER_CREATOR = 100;

const creatorOf = (p: Principal): string => p.apiKeyId ?? `${p.kind}:${p.name ?? ''}`;

function assertMaySubscribe(p: Principal, topic: WebhookTopicValue): void {
  if (!isAuthenticated(p)) throw new AccessError('UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <token>".');
  const scope = TOPIC_SCOPE[topic];
  if (p.kind === 'CUSTOMER' || !hasScope(p, scope)) throw new AccessError('FORBIDDEN', `Forbidden: subscribing to ${topic} requires scope ${scope} or admin.`);
}

/** Whether the principal may see (and delete) this subscription: admin, or the key that created it. */
export function mayManageSubscription(p: Principal, row: SubscriptionRow): boolean {
  return hasScope(p, 'admin') || (isAuthenticated(p) && p.kind !== 'CUSTOMER' && row.createdBy === creatorOf(p));
}

export interface SubscriptionCreateInput {
  topic: WebhookTopicValue;
  url: string;
}

/**
 * Creates a subscription and returns it with its signing secret (shown once).
 * Access: admin, or a key with the write scope of the topic's area (AccessError FORBIDDEN).
 * Errors: INVALID (URL not http(s), malformed, or private when that is not allowed), LIMIT_REACHED.
 */
export async function createSubscription(ctx: ServiceContext, input: SubscriptionCreateInput): Promise<{ subscription: SubscriptionRow; secret: string }> {
  assertMaySubscribe(ctx.principal, input.topic);
  if (!WEBHOOK_TOPICS.includes(input.topic)) throw BusinessError.of('INVALID', `Unknown topic ${input.topic}.`, ['input', 'topic']);
  const url = input.url.trim();
  const problem = webhookUrlProblem(url, ctx.config.WEBHOOK_ALLOW_PRIVATE_URLS);
  if (problem) throw BusinessError.of('INVALID', problem, ['input', 'url']);
  const secret = `whsec_${randomBytes(32).toString('base64url')}`;
  const p = ctx.principal;
  return inTransaction(ctx.database, async (tx) => {
    const createdBy = creatorOf(p);
    const [{ n } = { n: 0 }] = await tx
      .select({ n: count() })
      .from(webhookSubscriptions)
      .where(and(eq(webhookSubscriptions.createdBy, createdBy), isNull(webhookSubscriptions.disabledAt)));
    if (n >= MAX_SUBSCRIPTIONS_PER_CREATOR) {
      throw BusinessError.of('LIMIT_REACHED', `At most ${MAX_SUBSCRIPTIONS_PER_CREATOR} active subscriptions per key.`, ['input']);
    }
    const [row] = await tx
      .insert(webhookSubscriptions)
      .values({
        topic: input.topic,
        url,
        secret,
        createdBy,
        warehouseCodes: p.warehouseCodes ? [...p.warehouseCodes] : null,
        carrierCodes: p.carrierCodes ? [...p.carrierCodes] : null,
      })
      .returning();
    return { subscription: row!, secret };
  });
}

/**
 * Deletes (disables) a subscription: no new deliveries are queued, and pending ones are FAILED.
 * Errors: NOT_FOUND (also when the caller may not manage it, so ids are not probed).
 */
export async function deleteSubscription(ctx: ServiceContext, id: string): Promise<SubscriptionRow> {
  if (!isAuthenticated(ctx.principal)) throw new AccessError('UNAUTHENTICATED', 'Authentication required: send "Authorization: Bearer <token>".');
  return transact(ctx, async (tx, events) => {
    const [row] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, id)).for('update');
    if (!row || row.disabledAt || !mayManageSubscription(ctx.principal, row)) {
      throw BusinessError.of('NOT_FOUND', 'No such webhook subscription.', ['input', 'id']);
    }
    const now = ctx.clock.now();
    const [updated] = await tx.update(webhookSubscriptions).set({ disabledAt: now }).where(eq(webhookSubscriptions.id, id)).returning();
    await failPendingDeliveries(tx, events, [id], 'subscription deleted', now);
    return updated!;
  });
}

/**
 * FAILs what is still PENDING of these subscriptions (deleted, or their key revoked), through the
 * delivery lifecycle. A delivery the dispatcher settles meanwhile keeps its outcome (skipMoved).
 */
async function failPendingDeliveries(tx: Executor, events: EventWriter, subscriptionIds: readonly string[], reason: string, at: Date): Promise<void> {
  const pending = await tx
    .select({ id: webhookDeliveries.id, status: webhookDeliveries.status })
    .from(webhookDeliveries)
    .where(and(inArray(webhookDeliveries.subscriptionId, [...subscriptionIds]), eq(webhookDeliveries.status, 'PENDING')));
  // In chunks: a statement takes at most 65,535 parameters.
  for (let i = 0; i < pending.length; i += 5000) {
    await transitionMany(tx, events, webhookDeliveryLifecycle, pending.slice(i, i + 5000), 'FAILED', { at, message: reason, set: { lastError: reason }, skipMoved: true });
  }
}

/** Active subscriptions, newest first (admin). */
export async function listSubscriptions(ctx: ServiceContext, args: PageArgs & { topic?: WebhookTopicValue | null }): Promise<Page<SubscriptionRow>> {
  const filter = and(isNull(webhookSubscriptions.disabledAt), args.topic ? eq(webhookSubscriptions.topic, args.topic) : undefined);
  const plan = planPage(args, webhookSubscriptions.id, filter);
  const rows = await ctx.database.db.select().from(webhookSubscriptions).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => {
    const [r] = await ctx.database.db.select({ n: count() }).from(webhookSubscriptions).where(filter);
    return r?.n ?? 0;
  });
}

/** By id, without access filtering (loaders and node(); callers check `mayManageSubscription`). */
export async function subscriptionsByIds(ctx: ServiceContext, ids: readonly string[]): Promise<SubscriptionRow[]> {
  return ctx.database.db.select().from(webhookSubscriptions).where(inArray(webhookSubscriptions.id, [...ids]));
}

/** Deliveries of one subscription, newest first, optionally by status. */
export async function listDeliveries(
  ctx: ServiceContext,
  subscriptionId: string,
  args: PageArgs & { status?: DeliveryStatusValue | null },
): Promise<Page<DeliveryRow>> {
  const filter = and(eq(webhookDeliveries.subscriptionId, subscriptionId), args.status ? eq(webhookDeliveries.status, args.status) : undefined);
  const plan = planPage(args, webhookDeliveries.id, filter);
  const rows = await ctx.database.db.select().from(webhookDeliveries).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => {
    const [r] = await ctx.database.db.select({ n: count() }).from(webhookDeliveries).where(filter);
    return r?.n ?? 0;
  });
}

/** Attempts of deliveries, oldest first (loaders). */
export async function attemptsByDeliveryIds(ctx: ServiceContext, ids: readonly string[]): Promise<AttemptRow[]> {
  return ctx.database.db.select().from(webhookAttempts).where(inArray(webhookAttempts.deliveryId, [...ids])).orderBy(webhookAttempts.id);
}

/** The JSON body every attempt of a delivery sends: {id, topic, occurredAt, data} (the contract). */
export function webhookBody(event: CommittedEvent, topic: WebhookTopicValue): Record<string, unknown> {
  return { id: event.id, topic, occurredAt: event.createdAt.toISOString(), data: event.payload };
}

/** Codes an event names under `key` (a string) or `key + 's'` (a string array); null when it names none. */
function codesOf(payload: Record<string, unknown>, key: string): string[] | null {
  const one = payload[key];
  if (typeof one === 'string') return [one];
  const many = payload[`${key}s`];
  return Array.isArray(many) ? many.filter((c): c is string => typeof c === 'string') : null;
}

/**
 * A PARTNER-restricted subscription receives only events of its warehouses / carriers: when the
 * event names warehouses (`warehouseCode` or `warehouseCodes`) or carriers, at least one must be allowed.
 */
export function visibleTo(sub: Pick<SubscriptionRow, 'warehouseCodes' | 'carrierCodes'>, payload: Record<string, unknown>): boolean {
  const wh = codesOf(payload, 'warehouseCode');
  if (sub.warehouseCodes && wh && !wh.some((c) => sub.warehouseCodes!.includes(c))) return false;
  const carriers = codesOf(payload, 'carrierCode');
  if (sub.carrierCodes && carriers && !carriers.some((c) => sub.carrierCodes!.includes(c))) return false;
  return true;
}

/**
 * Queues the deliveries of many events (a relay batch, in order) with one subscription lookup,
 * one insert and one start of their lifecycle (history row 1, PENDING, and its event) per 1000
 * deliveries, in the relay's transaction. Returns how many were queued.
 */
export async function queueDeliveriesOf(tx: Executor, events: EventWriter, items: readonly { event: CommittedEvent; topic: WebhookTopicValue }[]): Promise<number> {
  if (!items.length) return 0;
  const topics = [...new Set(items.map((i) => i.topic))];
  const subs = await tx
    .select({ id: webhookSubscriptions.id, topic: webhookSubscriptions.topic, warehouseCodes: webhookSubscriptions.warehouseCodes, carrierCodes: webhookSubscriptions.carrierCodes })
    .from(webhookSubscriptions)
    .where(and(inArray(webhookSubscriptions.topic, topics), isNull(webhookSubscriptions.disabledAt)));
  if (!subs.length) return 0;
  const values: (typeof webhookDeliveries.$inferInsert)[] = [];
  for (const { event, topic } of items) {
    const targets = subs.filter((s) => s.topic === topic && visibleTo(s, event.payload));
    if (!targets.length) continue;
    const payload = webhookBody(event, topic);
    for (const s of targets) values.push({ subscriptionId: s.id, eventId: event.id, topic, payload });
  }
  let queued = 0;
  // In chunks: a statement takes at most 65,535 parameters.
  for (let i = 0; i < values.length; i += 1000) {
    const rows = await tx
      .insert(webhookDeliveries)
      .values(values.slice(i, i + 1000))
      .onConflictDoNothing({ target: [webhookDeliveries.subscriptionId, webhookDeliveries.eventId] })
      .returning({ id: webhookDeliveries.id, status: webhookDeliveries.status, subscriptionId: webhookDeliveries.subscriptionId, eventId: webhookDeliveries.eventId, createdAt: webhookDeliveries.createdAt });
    // Queued at the relay transaction's time, as created_at says.
    if (rows.length) await begin(tx, events, webhookDeliveryLifecycle, rows, { at: rows[0]!.createdAt });
    queued += rows.length;
  }
  return queued;
}

/**
 * Registers the durable fan-out for every mapped outbox topic (call before `relay.start()`).
 * `onQueued` is called once the relay's transaction that queued deliveries has committed (the
 * dispatcher's kick), so the new rows are visible to it.
 */
export function registerWebhookHandlers(relay: Pick<OutboxRelay, 'onCommitted' | 'onCommittedBatch'>, opts: { onQueued?: () => void } = {}): void {
  // A revoked key's subscriptions stop with it: disabled, and what was still pending fails.
  relay.onCommitted('auth.api_key_revoked', async (tx, event, _afterCommit, writer) => {
    const apiKeyId = String(event.payload.apiKeyId);
    const disabled = await tx
      .update(webhookSubscriptions)
      .set({ disabledAt: event.createdAt })
      .where(and(eq(webhookSubscriptions.createdBy, apiKeyId), isNull(webhookSubscriptions.disabledAt)))
      .returning({ id: webhookSubscriptions.id });
    if (!disabled.length) return;
    const reason = 'the API key that created the subscription was revoked';
    await failPendingDeliveries(tx, writer, disabled.map((d) => d.id), reason, event.createdAt);
  });
  relay.onCommittedBatch(Object.keys(OUTBOX_TO_WEBHOOK_TOPIC), async (tx, events, afterCommit, writer) => {
    const items = events.map((event) => ({ event, topic: OUTBOX_TO_WEBHOOK_TOPIC[event.topic]! }));
    if ((await queueDeliveriesOf(tx, writer, items)) > 0 && opts.onQueued) afterCommit(opts.onQueued);
  });
}
