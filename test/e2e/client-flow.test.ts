/**
 * The typed client (@waybill/client) against a real server, as a storefront back end uses it with
 * its PARTNER key: catalog and stock, delivery options, orderCreate, the order read back, its status
 * changes live over WebSocket; and how failures reach the caller (userErrors in the typed payload,
 * GraphQL errors as WaybillError with the code, a refused socket as WaybillConnectionError, once).
 */
import {
  createWaybillClient,
  DeliveryOptionsDocument,
  OrderCancelDocument,
  OrderCreateDocument,
  OrderDocument,
  OrderStatusChangedDocument,
  ProductsDocument,
  VariantStockDocument,
  ViewerDocument,
  WaybillConnectionError,
  WaybillError,
  type OrderStatusChangedSubscription,
  type WaybillClient,
} from '@waybill/client';
import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { address, stockedStore } from '../factories/stock.js';
import { ApiKeyCreateDocument, CarrierCreateDocument, ProductVariantDocument } from '../generated/graphql.js';
import { startApp, type TestApp } from '../harness.js';

/** Subscribes through the client and collects what arrives; `until` resolves once `ok` accepts the events. */
function watch<V>(client: WaybillClient, variables: V | (() => V)) {
  const events: OrderStatusChangedSubscription['orderStatusChanged'][] = [];
  let failure: Error | undefined;
  const waiters = new Set<() => void>();
  const wake = () => waiters.forEach((w) => w());
  const stop = client.subscribe(OrderStatusChangedDocument, variables as never, {
    next: (d) => {
      events.push(d.orderStatusChanged);
      wake();
    },
    error: (e) => {
      failure = e;
      wake();
    },
  });
  return {
    events,
    stop,
    get failure() {
      return failure;
    },
    /** Waits until `ok(events)` or the subscription failed (the test's timeout bounds the wait). */
    until: (ok: (e: typeof events) => boolean) =>
      new Promise<void>((resolve) => {
        const check = () => {
          if (failure || ok(events)) {
            waiters.delete(check);
            resolve();
          }
        };
        waiters.add(check);
        check();
      }),
  };
}

describe('@waybill/client', () => {
  let t: TestApp;
  let sku: string;
  let storefront: WaybillClient;
  let upgrades = 0;
  const sockets: Duplex[] = [];
  const clients: WaybillClient[] = [];
  const client = (token: string | null) => {
    const c = createWaybillClient({ url: t.url, token, retryAttempts: 0 });
    clients.push(c);
    return c;
  };

  beforeAll(async () => {
    t = await startApp();
    t.app.server.on('upgrade', (_req, socket: Duplex) => {
      upgrades++;
      sockets.push(socket);
    });
    [sku] = (await stockedStore(t, { msk: [10], spb: [0] })) as [string];
    const carrier = await t.admin(CarrierCreateDocument, {
      input: {
        code: 'CLI',
        name: 'Client Express',
        services: [{ code: 'CLI_COURIER', name: 'Courier', deliveryType: 'COURIER', transitDaysMin: 1, transitDaysMax: 3, maxWeightGrams: 30_000, rates: [{ countryCode: 'RU', maxWeightGrams: 30_000, price: { amountMinor: 350_00, currency: 'RUB' } }] }],
      },
    });
    expect(carrier.carrierCreate.userErrors).toEqual([]);
    const key = await t.admin(ApiKeyCreateDocument, {
      input: { name: 'storefront', kind: 'PARTNER', scopes: ['read_catalog', 'read_inventory', 'read_orders', 'write_orders'] },
    });
    expect(key.apiKeyCreate.userErrors).toEqual([]);
    storefront = client(key.apiKeyCreate.secret!);
  });
  afterAll(async () => {
    await Promise.allSettled(clients.map((c) => c.dispose()));
    await t?.close();
  });

  it('places an order as a storefront does and follows its status live until it is cancelled', async () => {
    const viewer = await storefront.request(ViewerDocument);
    expect(viewer.viewer).toMatchObject({ kind: 'PARTNER', name: 'storefront' });

    const { products } = await storefront.request(ProductsDocument, { query: sku, first: 5 });
    expect(products.nodes).toHaveLength(1);
    const variant = products.nodes[0]!.variants.find((v) => v.sku === sku)!;
    const expected = (await t.admin(ProductVariantDocument, { sku })).productVariant!;
    expect(variant.price).toEqual(expected.price);

    const stock = (await storefront.request(VariantStockDocument, { sku })).productVariant!.stock;
    expect(stock).toMatchObject({ onHand: 10, available: 10, allocated: 0 });

    const destination = address();
    const { deliveryOptions } = await storefront.request(DeliveryOptionsDocument, { input: { destination, lines: [{ sku, quantity: 2 }], currency: 'RUB' } });
    const option = deliveryOptions.find((o) => o.service.code === 'CLI_COURIER');
    expect(option?.price).toEqual({ amountMinor: 350_00, currency: 'RUB' });

    const created = await storefront.request(OrderCreateDocument, {
      input: {
        channel: 'web',
        currency: 'RUB',
        externalId: 'shop-1001',
        deliveryOptionId: option!.id,
        customer: { email: 'client.flow@example.ru', name: 'Анна Иванова' },
        shippingAddress: destination,
        lines: [{ sku, quantity: 2 }],
      },
    });
    expect(created.orderCreate.userErrors).toEqual([]);
    const order = created.orderCreate.order!;
    expect(order).toMatchObject({ status: 'ALLOCATED', externalId: 'shop-1001', deliveryType: 'COURIER' });
    expect(order.lines).toEqual([expect.objectContaining({ sku, quantity: 2, allocatedQuantity: 2, unitPrice: variant.price })]);
    expect(order.total.amountMinor).toBe(2 * variant.price.amountMinor + 350_00);

    const read = (await storefront.request(OrderDocument, { id: order.id })).order!;
    expect(read).toEqual(order);
    expect((await storefront.request(VariantStockDocument, { sku })).productVariant!.stock).toMatchObject({ available: 8, allocated: 2 });

    // From afterSequence 0: the timeline so far (ALLOCATED), then the live change.
    const live = watch(storefront, { orderId: order.id, afterSequence: 0 });
    await live.until((e) => e.length >= 1);
    expect(live.events.map((e) => e.event.status)).toEqual(['ALLOCATED']);
    const cancelled = await storefront.request(OrderCancelDocument, { input: { id: order.id, reason: 'customer changed their mind' } });
    expect(cancelled.orderCancel.userErrors).toEqual([]);
    await live.until((e) => e.length >= 2);
    expect(live.failure).toBeUndefined();
    expect(live.events[1]).toMatchObject({
      order: { id: order.id, number: order.number, status: 'CANCELLED' },
      event: { sequence: 2, previousStatus: 'ALLOCATED', status: 'CANCELLED' },
    });
    live.stop();
    expect((await storefront.request(OrderDocument, { id: order.id })).order!.status).toBe('CANCELLED');
  });

  it('returns input problems as typed userErrors, and GraphQL errors as a WaybillError with the code', async () => {
    const input = (lineSku: string) => ({
      channel: 'web',
      currency: 'RUB',
      deliveryType: 'COURIER' as const,
      customer: { email: 'x@example.ru', name: 'X' },
      shippingAddress: address(),
      lines: [{ sku: lineSku, quantity: 1 }],
    });
    const r = await storefront.request(OrderCreateDocument, { input: input('NO-SUCH-SKU') });
    expect(r.orderCreate.order).toBeNull();
    expect(r.orderCreate.userErrors).toEqual([expect.objectContaining({ code: 'NOT_FOUND', field: expect.arrayContaining(['lines']) })]);

    // A key without write_orders: the mutation is refused as a whole, with its code.
    const catalogOnly = (await t.admin(ApiKeyCreateDocument, { input: { name: 'catalog-writer', kind: 'PARTNER', scopes: ['read_catalog'] } })).apiKeyCreate.secret!;
    const forbidden = await client(catalogOnly)
      .request(OrderCreateDocument, { input: input(sku) })
      .catch((e: unknown) => e);
    expect(forbidden).toBeInstanceOf(WaybillError);
    expect((forbidden as WaybillError).code).toBe('FORBIDDEN');
    expect((await storefront.request(VariantStockDocument, { sku })).productVariant!.stock.allocated).toBe(0);

    const stranger = await client('wb_live_not-a-real-key-at-all-000000000000')
      .request(ViewerDocument)
      .catch((e: unknown) => e);
    expect(stranger).toBeInstanceOf(WaybillError);
    expect((stranger as WaybillError).code).toBe('UNAUTHENTICATED');
    expect((stranger as WaybillError).status).toBe(401);
  });

  it('a subscription the key may not read fails with FORBIDDEN; a refused key fails at once with 4403, without retrying', async () => {
    const order = (
      await storefront.request(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'y@example.ru', name: 'Y' }, shippingAddress: address(), lines: [{ sku, quantity: 1 }] },
      })
    ).orderCreate.order!;
    const catalogOnly = (await t.admin(ApiKeyCreateDocument, { input: { name: 'catalog', kind: 'PARTNER', scopes: ['read_catalog'] } })).apiKeyCreate.secret!;
    const denied = watch(client(catalogOnly), { orderId: order.id });
    await denied.until(() => false);
    expect(denied.failure).toBeInstanceOf(WaybillError);
    expect((denied.failure as WaybillError).code).toBe('FORBIDDEN');
    expect(denied.events).toEqual([]);

    const before = upgrades;
    const refused = watch(client('wb_live_not-a-real-key-at-all-000000000000'), { orderId: order.id });
    await refused.until(() => false);
    expect(refused.failure).toBeInstanceOf(WaybillConnectionError);
    expect(refused.failure).toMatchObject({ code: 4403, reason: 'Forbidden', refused: true });
    expect(upgrades - before).toBe(1);
  });

  it('a lost connection is re-established and resumes after the last event seen (variables read again on reconnect)', async () => {
    const order = (
      await storefront.request(OrderCreateDocument, {
        input: { channel: 'web', currency: 'RUB', deliveryType: 'COURIER', customer: { email: 'z@example.ru', name: 'Z' }, shippingAddress: address(), lines: [{ sku, quantity: 1 }] },
      })
    ).orderCreate.order!;
    const reconnects: string[] = [];
    const token = (await t.admin(ApiKeyCreateDocument, { input: { name: 'watcher', kind: 'PARTNER', scopes: ['read_orders'] } })).apiKeyCreate.secret!;
    const watcher = createWaybillClient({ url: t.url, token, retryAttempts: 3, onReconnect: (why) => reconnects.push(why) });
    clients.push(watcher);
    let afterSequence = 0;
    const live = watch(watcher, () => ({ orderId: order.id, afterSequence }));
    await live.until((e) => e.length >= 1);
    afterSequence = live.events.at(-1)!.event.sequence;
    expect(afterSequence).toBe(1);

    // The server side of the socket goes away; meanwhile the order changes.
    sockets.at(-1)!.destroy();
    expect((await storefront.request(OrderCancelDocument, { input: { id: order.id } })).orderCancel.userErrors).toEqual([]);
    await live.until((e) => e.some((x) => x.event.sequence === 2));
    expect(live.failure).toBeUndefined();
    expect(reconnects.length).toBeGreaterThanOrEqual(1);
    // Had the first variables been sent again (afterSequence 0), event 1 would have been replayed before 2.
    expect(live.events.map((e) => e.event.sequence)).toEqual([1, 2]);
    expect(live.events[1]!.event.status).toBe('CANCELLED');
    live.stop();
  });
});
