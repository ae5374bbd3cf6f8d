/** `node(id)`: resolves any global ID through the module that owns the type, with its visibility rules. */
import { Arg, Authorized, Ctx, ID, Query, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../graphql/context.js';
import { fromGlobalId, Node } from '../graphql/relay.js';
import { hasScope, mayAccessCarrier, mayAccessWarehouse } from '../shared/principal.js';
import { listOneApiKey } from '../modules/auth/auth.service.js';
import { ApiKey } from '../modules/auth/auth.types.js';
import { catalogLoaders } from '../modules/catalog/catalog.loaders.js';
import { Product, ProductVariant } from '../modules/catalog/catalog.types.js';
import { customerLoaders } from '../modules/customers/customer.loaders.js';
import { Customer } from '../modules/customers/customer.types.js';
import { mayViewWarehouse } from '../modules/warehouse/warehouse.service.js';
import { warehouseLoaders } from '../modules/warehouse/warehouse.loaders.js';
import { BinLocation, Warehouse, Zone } from '../modules/warehouse/warehouse.types.js';
import { mayManageSubscription } from '../modules/webhooks/webhook.service.js';
import { webhookLoaders } from '../modules/webhooks/webhook.loaders.js';
import { WebhookSubscription } from '../modules/webhooks/webhook.types.js';

import { orderLoaders } from '../modules/orders/order.loaders.js';
import { FulfillmentOrder, Order } from '../modules/orders/order.types.js';
import { pickListById } from '../modules/orders/picking.service.js';
import { PickList, WarehouseScan } from '../modules/orders/picking.types.js';
import { scanById } from '../modules/orders/scans.service.js';
import { movementById } from '../modules/inventory/availability.service.js';
import { InventoryMovement } from '../modules/inventory/inventory.types.js';
import { routingLoaders } from '../modules/routing/routing.loaders.js';
import { RoutePlan } from '../modules/routing/routing.types.js';

import { carrierLoaders } from '../modules/carriers/carrier.loaders.js';
import { Carrier, PickupPoint } from '../modules/carriers/carrier.types.js';
import { shipmentLoaders } from '../modules/shipments/shipment.loaders.js';
import { Shipment } from '../modules/shipments/shipment.types.js';
import { returnsLoaders } from '../modules/returns/returns.loaders.js';
import { ReturnRequest } from '../modules/returns/returns.types.js';
import { ticketLoaders } from '../modules/support/ticket.loaders.js';
import { SupportTicket } from '../modules/support/ticket.types.js';
import { supplierOf } from '../modules/planning/planning.links.resolver.js';
import { planningLoaders } from '../modules/planning/planning.loaders.js';
import { PurchaseOrder } from '../modules/planning/planning.types.js';
import { purchasingLoaders } from '../modules/planning/purchasing.loaders.js';
import { transferLoaders } from '../modules/planning/transfer.loaders.js';
import { TransferOrder } from '../modules/planning/planning.types.js';

type Fetcher = (ctx: GraphQLContext, id: string) => Promise<Node | null>;

/** One entry per Node type: how to load it and who may see it. */
const fetchers: Record<string, Fetcher> = {
  Product: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_catalog')) return null;
    const row = await ctx.loaders.get(catalogLoaders).productById.load(id);
    return row && Product.from(row);
  },
  ProductVariant: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_catalog')) return null;
    const row = await ctx.loaders.get(catalogLoaders).variantById.load(id);
    return row && ProductVariant.from(row);
  },
  // The customers service filters what the caller may see.
  Customer: async (ctx, id) => {
    const row = await ctx.loaders.get(customerLoaders).customerById.load(id);
    return row && Customer.from(row);
  },
  // Warehouse objects: read_inventory, and a PARTNER restricted to warehouses sees only its own.
  Warehouse: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_inventory')) return null;
    const row = await ctx.loaders.get(warehouseLoaders).warehouseById.load(id);
    return row && mayViewWarehouse(ctx, row.code) ? Warehouse.from(row) : null;
  },
  Zone: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_inventory')) return null;
    const l = ctx.loaders.get(warehouseLoaders);
    const row = await l.zoneById.load(id);
    const wh = row && (await l.warehouseById.load(row.warehouseId));
    return row && wh && mayViewWarehouse(ctx, wh.code) ? Zone.from(row) : null;
  },
  BinLocation: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_inventory')) return null;
    const l = ctx.loaders.get(warehouseLoaders);
    const row = await l.binById.load(id);
    const wh = row && (await l.warehouseById.load(row.warehouseId));
    return row && wh && mayViewWarehouse(ctx, wh.code) ? BinLocation.from(row) : null;
  },
  // Orders: the orders service applies the visibility rules (staff, own customer, partner warehouses).
  Order: async (ctx, id) => {
    const row = await ctx.loaders.get(orderLoaders).orderById.load(id);
    return row && Order.from(row);
  },
  FulfillmentOrder: async (ctx, id) => {
    const l = ctx.loaders.get(orderLoaders);
    const fo = await l.fulfillmentOrderById.load(id);
    if (!fo || !(await l.orderById.load(fo.orderId))) return null;
    // Another warehouse's part of a visible order answers as an id that does not exist.
    const wh = await ctx.loaders.get(warehouseLoaders).warehouseById.load(fo.warehouseId);
    return wh && mayAccessWarehouse(ctx.principal, wh.code) ? FulfillmentOrder.from(fo) : null;
  },
  Carrier: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_shipping')) return null;
    const row = await ctx.loaders.get(carrierLoaders).carrierById.load(id);
    return row && mayAccessCarrier(ctx.principal, row.code) ? Carrier.from(row) : null;
  },
  // Pickup points are public (checkout shows them).
  PickupPoint: async (ctx, id) => {
    const row = await ctx.loaders.get(carrierLoaders).pickupPointById.load(id);
    return row && PickupPoint.from(row);
  },
  // The shipping service filters what the caller may see.
  Shipment: async (ctx, id) => {
    if (ctx.principal.kind === 'ANONYMOUS') return null;
    const row = await ctx.loaders.get(shipmentLoaders).shipmentById.load(id);
    return row && Shipment.from(row);
  },
  PickList: async (ctx, id) => {
    const row = await pickListById(ctx.services, id);
    return row && PickList.from(row);
  },
  // Route plans: the routing service applies read_shipping and the PARTNER warehouse restriction.
  RoutePlan: async (ctx, id) => {
    const row = await ctx.loaders.get(routingLoaders).routePlanById.load(id);
    return row && RoutePlan.from(row);
  },
  // Returns: the returns service applies the visibility rules (its customer, read_returns, partner warehouses).
  ReturnRequest: async (ctx, id) => {
    const row = await ctx.loaders.get(returnsLoaders).returnById.load(id);
    return row && ReturnRequest.from(row);
  },
  // Suppliers are store-wide: read_inventory.
  Supplier: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'read_inventory')) return null;
    return (await ctx.loaders.get(planningLoaders).supplierById.load(id)) ? supplierOf(ctx, id) : null;
  },
  // Purchase orders: the purchasing service applies read_inventory and the PARTNER warehouse restriction.
  PurchaseOrder: async (ctx, id) => {
    const row = await ctx.loaders.get(purchasingLoaders).purchaseOrderById.load(id);
    return row && PurchaseOrder.from(row);
  },
  // Transfers: the planning service applies read_inventory and the PARTNER warehouse restriction (either end).
  TransferOrder: async (ctx, id) => {
    const row = await ctx.loaders.get(transferLoaders).transferById.load(id);
    return row && TransferOrder.from(row);
  },
  // Tickets: the support service applies the visibility rules (its customer, read_support).
  SupportTicket: async (ctx, id) => {
    const row = await ctx.loaders.get(ticketLoaders).ticketById.load(id);
    return row && SupportTicket.from(row);
  },
  // The stock ledger: read_inventory, in the warehouses the caller may see.
  InventoryMovement: async (ctx, id) => {
    const row = await movementById(ctx.services, id);
    return row && InventoryMovement.from(row);
  },
  // Pick and pack scans: read_fulfillment, in the warehouses the caller may see.
  WarehouseScan: async (ctx, id) => {
    const row = await scanById(ctx.services, id);
    return row && WarehouseScan.from(row);
  },
  ApiKey: async (ctx, id) => {
    if (!hasScope(ctx.principal, 'admin')) return null;
    const row = await listOneApiKey(ctx.services, id);
    return row && ApiKey.from(row);
  },
  // Admin, or the key that created it.
  WebhookSubscription: async (ctx, id) => {
    const row = await ctx.loaders.get(webhookLoaders).subscriptionById.load(id);
    return row && !row.disabledAt && mayManageSubscription(ctx.principal, row) ? WebhookSubscription.from(row) : null;
  },
};

/** Lets later modules add their Node types. */
export function registerNodeType(type: string, fetch: Fetcher): void {
  fetchers[type] = fetch;
}

@Resolver()
export class NodeResolver {
  @Authorized()
  @Query(() => Node, { nullable: true, description: 'Fetch any object by its global ID; null if it does not exist or the caller may not see it.' })
  async node(@Arg('id', () => ID, { description: 'Global ID.' }) id: string, @Ctx() ctx: GraphQLContext): Promise<Node | null> {
    const decoded = fromGlobalId(id);
    const fetch = decoded && fetchers[decoded.type];
    return fetch ? fetch(ctx, decoded.id) : null;
  }
}
