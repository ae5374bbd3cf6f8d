import { Arg, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { CUSTOMER } from '../../graphql/auth.js';
import type { GraphQLContext } from '../../graphql/context.js';
import { idOfType } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { carrierLoaders } from '../carriers/carrier.loaders.js';
import { Carrier, CarrierService } from '../carriers/carrier.types.js';
import { orderLoaders } from '../orders/order.loaders.js';
import { FulfillmentOrder, Order } from '../orders/order.types.js';
import { ScanResult } from '../warehouse/warehouse.types.js';
import { createShipment, shipmentById, trackingUrl } from './shipment.service.js';
import { shipmentLoaders } from './shipment.loaders.js';
import { ShipmentCreateInput } from './shipment.inputs.js';
import { ShipmentCreatePayload } from './shipment.payloads.js';
import { Shipment, TrackingEvent } from './shipment.types.js';

@Resolver(() => Shipment)
export class ShipmentResolver {
  @Authorized('read_shipping', 'read_orders', CUSTOMER)
  @Query(() => Shipment, { nullable: true, description: "A shipment by global ID; null if unknown or not the caller's to see (read_shipping; partners only their carriers'; customers their own)." })
  async shipment(@Arg('id', () => ID, { description: 'Shipment global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'Shipment');
    const row = dbId ? await shipmentById(ctx.services, dbId) : null;
    return row && Shipment.from(row);
  }

  @Authorized('write_shipping')
  @Mutation(() => ShipmentCreatePayload, {
    description:
      "Ships a PACKED fulfillment order: chooses the service (given, the customer's delivery option, or rate shopping by strategy), creates the tracking number and label, takes the stock out of the ledger, and moves the order to SHIPPED or PARTIALLY_SHIPPED. Requires write_shipping.",
  })
  async shipmentCreate(@Arg('input', () => ShipmentCreateInput, { description: 'What to ship.' }) input: ShipmentCreateInput, @Ctx() ctx: GraphQLContext) {
    const foId = idOfType(input.fulfillmentOrderId, 'FulfillmentOrder');
    return payload(
      () => createShipment(ctx.services, { fulfillmentOrderId: foId ?? '00000000-0000-0000-0000-000000000000', serviceCode: input.serviceCode, strategy: input.strategy }),
      (s) => ({ shipment: Shipment.from(s) }),
    );
  }

  @FieldResolver(() => Carrier, { description: 'The carrier.' })
  async carrier(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return Carrier.from((await ctx.loaders.get(carrierLoaders).carrierById.load(s.carrierDbId))!);
  }

  @FieldResolver(() => CarrierService, { description: 'The carrier service.' })
  async service(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return CarrierService.from((await ctx.loaders.get(carrierLoaders).serviceById.load(s.serviceDbId))!);
  }

  @FieldResolver(() => FulfillmentOrder, { description: 'What it ships (OUTBOUND), or the fulfillment order whose units come back (RETURN).' })
  async fulfillmentOrder(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return FulfillmentOrder.from((await ctx.loaders.get(orderLoaders).fulfillmentOrderById.load(s.fulfillmentOrderDbId))!);
  }

  @FieldResolver(() => [TrackingEvent], { description: 'Carrier events, oldest first.' })
  async events(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(shipmentLoaders).eventsByShipmentId.load(s.dbId)).map(TrackingEvent.from);
  }

  @FieldResolver(() => String, { description: 'Public tracking page of the parcel.' })
  trackingUrl(@Root() s: Shipment, @Ctx() ctx: GraphQLContext) {
    return trackingUrl(ctx.services.config.PUBLIC_URL, s.trackingNumber);
  }
}

@Resolver(() => ScanResult)
export class ScanShipmentResolver {
  @FieldResolver(() => Shipment, { nullable: true, description: 'Set when the code is a tracking number of one of our shipments.' })
  async shipment(@Root() scan: ScanResult, @Ctx() ctx: GraphQLContext) {
    const row = scan.shipmentDbId ? await ctx.loaders.get(shipmentLoaders).shipmentById.load(scan.shipmentDbId) : null;
    return row && Shipment.from(row);
  }
}

@Resolver(() => Order)
export class OrderShipmentsResolver {
  @FieldResolver(() => [Shipment], { description: "Parcels sent to the customer (direction OUTBOUND), oldest first. A return's parcel back to the warehouse is the return's returnShipment." })
  async shipments(@Root() o: Order, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(shipmentLoaders).shipmentsByOrderId.load(o.dbId)).map(Shipment.from);
  }
}

