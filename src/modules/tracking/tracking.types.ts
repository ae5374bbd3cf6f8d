import { Field, Float, Int, ObjectType } from 'type-graphql';
import { Money } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';
import { Carrier, CarrierService } from '../carriers/carrier.types.js';
import { ShipmentStatus, TrackingEvent } from '../shipments/shipment.types.js';
import type { ShipmentStatusValue } from '../shipments/shipment.service.js';

@ObjectType('PublicTracking', { description: 'What anyone with the tracking number may see: no name, street, phone or e-mail; city-level places only.' })
export class PublicTracking {
  @Field(() => String, { description: 'The tracking number.' })
  trackingNumber!: string;
  @Field(() => String, { description: 'Carrier name.' })
  carrierName!: string;
  @Field(() => ShipmentStatus, { description: 'Current status.' })
  status!: ShipmentStatusValue;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, from.' })
  estimatedDeliveryFrom!: Date | null;
  @Field(() => DateTime, { nullable: true, description: 'Promised window, to.' })
  estimatedDeliveryTo!: Date | null;
  @Field(() => String, { nullable: true, description: 'Destination city.' })
  destinationCity!: string | null;
  @Field(() => [TrackingEvent], { description: 'Events, oldest first.' })
  events!: TrackingEvent[];
}

@ObjectType('TrackingUpdate', { description: 'A live update of one parcel.' })
export class TrackingUpdate {
  @Field(() => PublicTracking, { description: 'The parcel after the update.' })
  tracking!: PublicTracking;
  @Field(() => TrackingEvent, { description: 'The event that caused this update.' })
  event!: TrackingEvent;
}

@ObjectType('CarrierPerformance', { description: "A carrier service's record over a period, from the store's own shipments." })
export class CarrierPerformance {
  @Field(() => Carrier, { description: 'The carrier.' })
  carrier!: Carrier;
  @Field(() => CarrierService, { description: 'The service.' })
  service!: CarrierService;
  @Field(() => Int, { description: 'Shipments created in the period.' })
  shipments!: number;
  @Field(() => Int, { description: 'Of those, delivered.' })
  delivered!: number;
  @Field(() => Float, { nullable: true, description: 'Share of delivered shipments that arrived by estimatedDeliveryTo, 0..1.' })
  onTimeRate!: number | null;
  @Field(() => Float, { nullable: true, description: 'Average hours from label to delivery.' })
  avgTransitHours!: number | null;
  @Field(() => Float, { nullable: true, description: '90th percentile of hours from label to delivery.' })
  p90TransitHours!: number | null;
  @Field(() => Money, { nullable: true, description: 'Average cost per shipment.' })
  avgCost!: Money | null;
  @Field(() => Money, { nullable: true, description: 'Total cost per kilogram shipped.' })
  costPerKg!: Money | null;
}
