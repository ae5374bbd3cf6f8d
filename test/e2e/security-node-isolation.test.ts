/**
 * Security review, isolation: `node(id)` never hands another customer's object, nor a staff-only
 * one, to a customer or an anonymous caller. Every type implementing Node in the schema has a case
 * here (a test fails when a new Node type has none): an instance belonging to customer A (or to
 * the store), fetched by global id as customer B and anonymously must be null (or a FORBIDDEN /
 * NOT_FOUND / UNAUTHENTICATED error), never the object; staff (and A, for A's objects) see it, so
 * the ids are real. The schema has no `nodes(ids:)`; if one is added, give it the same cases.
 */
import { readFileSync } from 'node:fs';
import { buildSchema, isInterfaceType } from 'graphql';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idOfType, toGlobalId } from '../../src/graphql/relay.js';
import { WebhookSubscriptionCreateDocument } from '../generated/graphql.js';
import { deliveredOrder, type DeliveredOrder } from '../factories/returns.js';
import { requestReturn } from '../factories/return-requests.js';
import { startApp, type TestApp } from '../harness.js';

/** Who may see an instance besides staff: nobody else, its owner (customer A), or any customer (the catalog and public content). */
type Audience = 'STAFF_ONLY' | 'OWNER' | 'CUSTOMERS';

interface Case {
  audience: Audience;
  /** The database id of an instance (A's, for OWNER). */
  id: () => Promise<string>;
}

let t: TestApp;
let a: DeliveredOrder;
let b: DeliveredOrder;
const made: Record<string, string> = {};

const one = async (query: string) => {
  const rows = await t.app.database.rows<{ id: string }>(sql.raw(query));
  if (!rows[0]) throw new Error(`no row: ${query}`);
  return String(rows[0].id);
};
const q = (s: string) => `'${s.replace(/'/g, "''")}'`;

const cases: Record<string, Case> = {
  // Customer A's own objects.
  Customer: { audience: 'OWNER', id: () => one(`select id from customers where lower(email) = lower(${q(a.customerEmail)})`) },
  Order: { audience: 'OWNER', id: async () => idOfType(a.orderId, 'Order')! },
  FulfillmentOrder: { audience: 'OWNER', id: () => one(`select id from fulfillment_orders where order_id = ${q(idOfType(a.orderId, 'Order')!)}`) },
  Shipment: { audience: 'OWNER', id: () => one(`select id from shipments where tracking_number = ${q(a.trackingNumber)}`) },
  ReturnRequest: { audience: 'OWNER', id: async () => made.ReturnRequest! },
  SupportTicket: { audience: 'OWNER', id: async () => made.SupportTicket! },
  // The store's, for staff (and partners with the scope) only.
  ApiKey: { audience: 'STAFF_ONLY', id: () => one('select id from api_keys limit 1') },
  Warehouse: { audience: 'STAFF_ONLY', id: () => one(`select id from warehouses where code = ${q(a.warehouseCode)}`) },
  Zone: { audience: 'STAFF_ONLY', id: () => one('select id from zones limit 1') },
  BinLocation: { audience: 'STAFF_ONLY', id: () => one('select id from bin_locations limit 1') },
  Carrier: { audience: 'STAFF_ONLY', id: () => one(`select id from carriers where code = ${q(a.carrierCode)}`) },
  PickList: { audience: 'STAFF_ONLY', id: () => one('select id from pick_lists limit 1') },
  Supplier: { audience: 'STAFF_ONLY', id: async () => made.Supplier! },
  PurchaseOrder: { audience: 'STAFF_ONLY', id: async () => made.PurchaseOrder! },
  TransferOrder: { audience: 'STAFF_ONLY', id: async () => made.TransferOrder! },
  RoutePlan: { audience: 'STAFF_ONLY', id: async () => made.RoutePlan! },
  WebhookSubscription: { audience: 'STAFF_ONLY', id: async () => made.WebhookSubscription! },
  InventoryMovement: { audience: 'STAFF_ONLY', id: () => one('select id from inventory_movements limit 1') },
  WarehouseScan: { audience: 'STAFF_ONLY', id: () => one('select id from warehouse_scans limit 1') },
  // Public by design: the catalog customers shop from, pickup points checkout offers, help articles.
  Product: { audience: 'CUSTOMERS', id: () => one('select id from products limit 1') },
  ProductVariant: { audience: 'CUSTOMERS', id: () => one('select id from product_variants limit 1') },
  PickupPoint: { audience: 'CUSTOMERS', id: async () => made.PickupPoint! },
  KnowledgeArticle: { audience: 'CUSTOMERS', id: async () => made.KnowledgeArticle! },
};

async function gql(query: string, variables: Record<string, unknown>, token: string | null) {
  const res = await fetch(t.url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Record<string, any> | null; errors?: { message: string; extensions?: { code?: string } }[] };
}

async function admin(query: string, variables: Record<string, unknown> = {}) {
  const r = await gql(query, variables, t.adminKey);
  if (r.errors) throw new Error(JSON.stringify(r.errors));
  const payload = Object.values(r.data!)[0] as { userErrors?: unknown[] };
  if (payload.userErrors?.length) throw new Error(JSON.stringify(payload.userErrors));
  return payload as Record<string, any>;
}

beforeAll(async () => {
  t = await startApp();
  a = await deliveredOrder(t);
  b = await deliveredOrder(t);
  made.ReturnRequest = (await requestReturn(t, a)).dbId;
  const ticket = await gql(
    'mutation($i: SupportTicketCreateInput!) { supportTicketCreate(input: $i) { ticket { id } userErrors { code message } } }',
    { i: { channel: 'WEB', subject: 'Where is my parcel?', body: 'Hello, my order has not arrived.', orderNumber: a.orderNumber } },
    a.customerToken,
  );
  expect(ticket.data?.supportTicketCreate.userErrors).toEqual([]);
  made.SupportTicket = idOfType(ticket.data!.supportTicketCreate.ticket.id, 'SupportTicket')!;
  const supplier = await admin('mutation($i: SupplierCreateInput!) { supplierCreate(input: $i) { supplier { id } userErrors { code message } } }', {
    i: { code: 'ISO-SUP', name: 'Isolation Supplier', currency: 'RUB', leadTimeDays: 5 },
  });
  made.Supplier = idOfType(supplier.supplier.id, 'Supplier')!;
  const sku = a.lines[0]!.sku;
  const po = await admin('mutation($i: PurchaseOrderCreateInput!) { purchaseOrderCreate(input: $i) { purchaseOrder { id } userErrors { code message } } }', {
    i: { supplierCode: 'ISO-SUP', warehouseCode: a.warehouseCode, lines: [{ sku, quantity: 5, unitCost: { amountMinor: 100_00, currency: 'RUB' } }] },
  });
  made.PurchaseOrder = idOfType(po.purchaseOrder.id, 'PurchaseOrder')!;
  const transfer = await admin('mutation($i: TransferOrderCreateInput!) { transferOrderCreate(input: $i) { transferOrder { id } userErrors { code message } } }', {
    i: { fromWarehouseCode: a.warehouseCode, toWarehouseCode: b.warehouseCode, lines: [{ sku, quantity: 1 }] },
  });
  made.TransferOrder = idOfType(transfer.transferOrder.id, 'TransferOrder')!;
  const today = new Date().toISOString().slice(0, 10);
  const plan = await admin('mutation($i: RoutePlanCreateInput!) { routePlanCreate(input: $i) { routePlan { id } userErrors { code message } } }', {
    i: {
      warehouseCode: a.warehouseCode,
      date: today,
      timeLimitMs: 200,
      vehicles: [{ id: 'van-1', capacity: 10, shiftStart: `${today}T06:00:00Z`, shiftEnd: `${today}T18:00:00Z` }],
      stops: [{ id: 'stop-1', demand: 1, location: { lat: 55.75, lng: 37.62 } }],
    },
  });
  made.RoutePlan = idOfType(plan.routePlan.id, 'RoutePlan')!;
  const hook = await t.admin(WebhookSubscriptionCreateDocument, { input: { topic: 'ORDER_CREATED', url: 'http://127.0.0.1:9/hook' } });
  made.WebhookSubscription = idOfType(hook.webhookSubscriptionCreate.webhookSubscription!.id, 'WebhookSubscription')!;
  const point = await admin('mutation($i: PickupPointCreateInput!) { pickupPointCreate(input: $i) { pickupPoint { id } userErrors { code message } } }', {
    i: { code: 'ISO-PP', name: 'Isolation point', dailyCapacity: 10, address: { line1: 'Тверская 1', city: 'Москва', postalCode: '125009', countryCode: 'RU', location: { lat: 55.76, lng: 37.61 } } },
  });
  made.PickupPoint = idOfType(point.pickupPoint.id, 'PickupPoint')!;
  const article = await admin('mutation($i: KnowledgeArticleUpsertInput!) { knowledgeArticleUpsert(input: $i) { article { id } userErrors { code message } } }', {
    i: { slug: 'isolation', locale: 'en', title: 'Isolation', body: 'Help text.' },
  });
  made.KnowledgeArticle = idOfType(article.article.id, 'KnowledgeArticle')!;
}, 180_000);
afterAll(async () => t?.close());

const NODE = 'query($id: ID!) { node(id: $id) { __typename id } }';
const REFUSALS = new Set(['FORBIDDEN', 'NOT_FOUND', 'UNAUTHENTICATED']);

describe('point 6: node(id) isolation', () => {
  it('has an isolation case for every type implementing Node in the schema (add one for a new Node type)', () => {
    const schema = buildSchema(readFileSync(new URL('../../schema/schema.graphql', import.meta.url), 'utf8'));
    const node = schema.getType('Node');
    expect(isInterfaceType(node)).toBe(true);
    const implementing = schema.getPossibleTypes(node as never).map((x) => x.name).sort();
    expect(implementing.length).toBeGreaterThan(20);
    expect(Object.keys(cases).sort()).toEqual(implementing);
    expect(schema.getQueryType()!.getFields().nodes, 'nodes(ids:) appeared: give it the same isolation cases').toBeUndefined();
  });

  for (const [type, c] of Object.entries(cases)) {
    it(`${type} (${c.audience}): customer B and anonymous callers never get customer A's or the store's object`, async () => {
      const id = toGlobalId(type, await c.id());
      const asStaff = await gql(NODE, { id }, t.adminKey);
      expect(asStaff.errors).toBeUndefined();
      expect(asStaff.data!.node).toEqual({ __typename: type, id });
      if (c.audience === 'OWNER') expect((await gql(NODE, { id }, a.customerToken)).data!.node, 'the owner sees it').toEqual({ __typename: type, id });
      const callers: [string, string | null, boolean][] = [
        ['customer B', b.customerToken, c.audience === 'CUSTOMERS'],
        ['anonymous', null, false],
      ];
      for (const [who, token, maySee] of callers) {
        const r = await gql(NODE, { id }, token);
        if (maySee) {
          expect(r.data?.node, `${who} may see ${type}`).toEqual({ __typename: type, id });
          continue;
        }
        expect(r.data?.node ?? null, `${who} must not see ${type}`).toBeNull();
        for (const e of r.errors ?? []) expect(REFUSALS.has(e.extensions?.code ?? ''), `${who}: ${e.extensions?.code} ${e.message}`).toBe(true);
        expect(JSON.stringify(r), who).not.toContain(await c.id());
      }
    });
  }
});
