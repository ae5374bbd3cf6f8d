/** The list of resolvers -> one executable schema. Built once per app, never per request. */
import { buildSchema, getMetadataStorage } from 'type-graphql';
import { lexicographicSortSchema, printSchema, type GraphQLInterfaceType, type GraphQLSchema } from 'graphql';
import { authChecker } from '../graphql/auth.js';
import { Address, AddressInput, GeoPoint, GeoPointInput } from '../graphql/common.types.js';
import { nodeTypeName } from '../graphql/relay.js';
import type { AppPubSub } from '../events/pubsub.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { ProductResolver, ProductVariantResolver } from '../modules/catalog/catalog.resolver.js';
import { CustomerResolver } from '../modules/customers/customer.resolver.js';
import { BinLocationResolver, ScanResultResolver, WarehouseResolver, ZoneResolver } from '../modules/warehouse/warehouse.resolver.js';
import {
  BinContentsResolver,
  BinQuantityResolver,
  CycleCountDiscrepancyResolver,
  InventoryLevelResolver,
  InventoryMovementResolver,
  InventoryResolver,
  SlottingRecommendationResolver,
  VariantStockResolver,
} from '../modules/inventory/inventory.resolver.js';
import { FulfillmentLineResolver, FulfillmentOrderResolver, OrderLineResolver, OrderResolver } from '../modules/orders/order.resolver.js';
import { PickListLineResolver, PickListResolver } from '../modules/orders/picking.resolver.js';
import { WebhookDeliveryResolver, WebhookSubscriptionResolver } from '../modules/webhooks/webhook.resolver.js';
import { OrderNotificationsResolver } from '../modules/notifications/notification.resolver.js';
import { CarrierResolver, DeliveryOptionResolver, PickupPointResolver } from '../modules/carriers/carrier.resolver.js';
import { OrderShipmentsResolver, ScanShipmentResolver, ShipmentResolver } from '../modules/shipments/shipment.resolver.js';
import { TrackingResolver } from '../modules/tracking/tracking.resolver.js';
import { RoutePlanResolver, RouteStopResolver, UnassignedStopResolver } from '../modules/routing/routing.resolver.js';
import { NodeResolver } from './node.resolver.js';

export const resolvers = [
  NodeResolver,
  AuthResolver,
  CustomerResolver,
  ProductResolver,
  ProductVariantResolver,
  WarehouseResolver,
  ZoneResolver,
  BinLocationResolver,
  ScanResultResolver,
  InventoryResolver,
  InventoryLevelResolver,
  BinQuantityResolver,
  InventoryMovementResolver,
  CycleCountDiscrepancyResolver,
  SlottingRecommendationResolver,
  VariantStockResolver,
  BinContentsResolver,
  OrderResolver,
  OrderLineResolver,
  FulfillmentOrderResolver,
  FulfillmentLineResolver,
  PickListResolver,
  PickListLineResolver,
  WebhookSubscriptionResolver,
  WebhookDeliveryResolver,
  OrderNotificationsResolver,
  CarrierResolver,
  PickupPointResolver,
  DeliveryOptionResolver,
  ShipmentResolver,
  TrackingResolver,
  OrderShipmentsResolver,
  ScanShipmentResolver,
  RoutePlanResolver,
  RouteStopResolver,
  UnassignedStopResolver,
] as const;

/**
 * Object types whose fields are all plain values read with graphql's default resolver instead of
 * type-graphql's per-field wrapper (which only runs middlewares and @Authorized checks): the types
 * of the hot read paths (a checkout answer has some 500 such fields, and on the HTTP fast path
 * graphql-jit then reads them inline). Only types whose values are plain data: graphql-jit does not
 * await a promise (or a lazy getter's promise, like a connection's totalCount) in a field without a
 * resolver. @FieldResolver methods keep their resolvers; a type with a field-level @Authorized or
 * @UseMiddleware is refused here, so those checks can never be skipped.
 */
const SIMPLE_TYPES = ['DeliveryOption', 'Carrier', 'CarrierService', 'PickupPoint', 'Money', 'Warehouse', 'Address', 'GeoPoint', 'ProductVariant'];

function useSimpleResolvers(): void {
  const storage = getMetadataStorage();
  const guarded = new Set<Function>([...storage.authorizedFields, ...storage.middlewares].map((m) => m.target));
  for (const t of storage.objectTypes) {
    if (!SIMPLE_TYPES.includes(t.name)) continue;
    for (let c: Function | null = t.target; c && c !== Function.prototype; c = Object.getPrototypeOf(c) as Function | null) {
      if (guarded.has(c)) throw new Error(`${t.name} has fields with @Authorized or middlewares: it cannot use simple resolvers`);
    }
    t.simpleResolvers = true;
  }
}

export async function createSchema(pubSub: AppPubSub): Promise<GraphQLSchema> {
  useSimpleResolvers();
  const schema = await buildSchema({
    resolvers: [...resolvers],
    pubSub: pubSub as never,
    authChecker,
    authMode: 'error',
    validate: false,
    // Shared vocabulary of the contract, used by modules that come later; published from day one.
    orphanedTypes: [Address, AddressInput, GeoPoint, GeoPointInput],
  });
  // type-graphql wraps resolveType in an async function; graphql-jit (the HTTP fast path) needs the
  // type name synchronously, and Node's own resolver gives it so.
  (schema.getType('Node') as GraphQLInterfaceType).resolveType = nodeTypeName;
  return schema;
}

/** The SDL committed as schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
