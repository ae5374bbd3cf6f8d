/** The list of resolvers -> one executable schema. Built once per app, never per request. */
import { buildSchema } from 'type-graphql';
import { lexicographicSortSchema, printSchema, type GraphQLSchema } from 'graphql';
import { authChecker } from '../graphql/auth.js';
import { CustomerOffersResolver, PersonalizedOfferResolver } from '../modules/loyalty/offers/offers.resolver.js';
import { Address, AddressInput, GeoPoint, GeoPointInput } from '../graphql/common.types.js';
import type { AppPubSub } from '../events/pubsub.js';
import { AuthResolver } from '../modules/auth/auth.resolver.js';
import { ProductResolver, ProductVariantResolver } from '../modules/catalog/catalog.resolver.js';
import { CustomerResolver } from '../modules/customers/customer.resolver.js';
import { CustomerLoyaltyResolver, LoyaltyAccountResolver, LoyaltyResolver, LoyaltyTransactionResolver } from '../modules/loyalty/loyalty.resolver.js';
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
import { CustomerOrdersResolver, FulfillmentLineResolver, FulfillmentOrderResolver, OrderLineResolver, OrderResolver } from '../modules/orders/order.resolver.js';
import { PickListLineResolver, PickListResolver, WarehouseScanResolver } from '../modules/orders/picking.resolver.js';
import { WebhookDeliveryResolver, WebhookSubscriptionResolver } from '../modules/webhooks/webhook.resolver.js';
import { OrderNotificationsResolver } from '../modules/notifications/notification.resolver.js';
import { CarrierResolver, DeliveryOptionResolver, PickupPointResolver } from '../modules/carriers/carrier.resolver.js';
import { OrderShipmentsResolver, ScanShipmentResolver, ShipmentResolver } from '../modules/shipments/shipment.resolver.js';
import { TrackingResolver } from '../modules/tracking/tracking.resolver.js';
import { RoutePlanResolver, RouteStopResolver, UnassignedStopResolver } from '../modules/routing/routing.resolver.js';
import {
  DemandForecastLinksResolver,
  PurchaseOrderLineLinksResolver,
  PurchaseOrderLinksResolver,
  ReorderPolicyLinksResolver,
  ReplenishmentSuggestionLinksResolver,
  SupplierProductLinksResolver,
  TransferLineLinksResolver,
  TransferOrderLinksResolver,
} from '../modules/planning/planning.links.resolver.js';
import { PurchaseOrderResolver, SupplierResolver } from '../modules/planning/purchasing.resolver.js';
import { ReplenishmentResolver } from '../modules/planning/replenishment.resolver.js';
import { OrderReturnsResolver, ReturnLineResolver, ReturnRequestResolver, ReturnStatusEventResolver } from '../modules/returns/returns.resolver.js';
import { ReturnAnalyticsResolver } from '../modules/returns/returns.analytics.resolver.js';
import { ReturnWarehouseResolver } from '../modules/returns/returns.warehouse.resolver.js';
import { DemandResolver } from '../modules/planning/demand.resolver.js';
import { TransferOrderResolver } from '../modules/planning/transfer.resolver.js';
import { SupportTicketResolver, TicketMessageEventResolver } from '../modules/support/ticket.resolver.js';
import { AssistantResolver } from '../modules/support/assistant.resolver.js';
import { KnowledgeArticleResolver, knowledgeArticleNode } from '../modules/support/knowledge/knowledge.resolver.js';
import { KpiResolver } from '../modules/metrics/kpi.resolver.js';
import { CostModelResolver } from '../modules/metrics/metrics.resolver.js';
import { NodeResolver, registerNodeType } from './node.resolver.js';
import { CsatResponseResolver, OrderCsatResolver, TicketCsatResolver } from '../modules/support/csat.resolver.js';

export const resolvers = [
  NodeResolver,
  AuthResolver,
  CustomerResolver,
  LoyaltyResolver,
  LoyaltyAccountResolver,
  LoyaltyTransactionResolver,
  CustomerLoyaltyResolver,
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
  CustomerOrdersResolver,
  OrderLineResolver,
  FulfillmentOrderResolver,
  FulfillmentLineResolver,
  PickListResolver,
  PickListLineResolver,
  WarehouseScanResolver,
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
  ReturnRequestResolver,
  ReturnLineResolver,
  ReturnStatusEventResolver,
  OrderReturnsResolver,
  ReturnAnalyticsResolver,
  ReturnWarehouseResolver,
  DemandResolver,
  DemandForecastLinksResolver,
  SupplierProductLinksResolver,
  ReorderPolicyLinksResolver,
  ReplenishmentSuggestionLinksResolver,
  PurchaseOrderLinksResolver,
  PurchaseOrderLineLinksResolver,
  TransferOrderLinksResolver,
  TransferLineLinksResolver,
  SupplierResolver,
  PurchaseOrderResolver,
  ReplenishmentResolver,
  TransferOrderResolver,
  SupportTicketResolver,
  CostModelResolver,
  KpiResolver,
  AssistantResolver,
  TicketMessageEventResolver,
  CsatResponseResolver,
  OrderCsatResolver,
  TicketCsatResolver,
  CustomerOffersResolver,
  PersonalizedOfferResolver,
  KnowledgeArticleResolver,
] as const;

registerNodeType('KnowledgeArticle', knowledgeArticleNode);

/*
 * The object types of the hot read paths (checkout's DeliveryOption with its Carrier, CarrierService,
 * PickupPoint, Warehouse, Money, Address, GeoPoint; ProductVariant) are declared with type-graphql's
 * own `simpleResolvers: true`: their plain fields use graphql's default resolver instead of
 * type-graphql's per-field wrapper (which only runs middlewares and @Authorized; a checkout answer
 * has some 500 such fields). Only for plain data (graphql-jit does not await a promise in a field
 * without a resolver) and never on a type with @Authorized or middleware fields, which
 * test/architecture.test.ts checks. Measured: docs/benchmarks.md, bench:checkout.
 */
export async function createSchema(pubSub: AppPubSub): Promise<GraphQLSchema> {
  const schema = await buildSchema({
    resolvers: [...resolvers],
    pubSub: pubSub as never,
    authChecker,
    authMode: 'error',
    validate: false,
    // Shared vocabulary of the contract, used by modules that come later; published from day one.
    orphanedTypes: [Address, AddressInput, GeoPoint, GeoPointInput],
  });
  return schema;
}

/** The SDL committed as schema/schema.graphql: sorted, so diffs show real changes only. */
export function printSortedSchema(schema: GraphQLSchema): string {
  return printSchema(lexicographicSortSchema(schema)) + '\n';
}
