import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { UserError } from '../../graphql/user-error.js';
import { BinLocation, Warehouse, Zone } from './warehouse.types.js';

@ObjectType('WarehouseCreatePayload', { description: 'Result of warehouseCreate.' })
export class WarehouseCreatePayload {
  @Field(() => Warehouse, { nullable: true, description: 'The new warehouse.' })
  warehouse?: Warehouse | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('ZoneCreatePayload', { description: 'Result of zoneCreate.' })
export class ZoneCreatePayload {
  @Field(() => Zone, { nullable: true, description: 'The new zone.' })
  zone?: Zone | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('BinLocationsCreatePayload', { description: 'Result of binLocationsCreate.' })
export class BinLocationsCreatePayload {
  @Field(() => [BinLocation], { description: 'The new bins in pick order; empty when nothing was created.' })
  bins!: BinLocation[];
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('BinLocationConnection', { description: 'A page of bin locations in pick order.' })
export class BinLocationConnection extends Connection('BinLocation', () => BinLocation) {}
