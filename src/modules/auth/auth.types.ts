import { Field, ID, ObjectType, registerEnumType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { PrincipalKind as Kind } from '../../shared/principal.js';
import type { ApiKeyRow } from './auth.service.js';

export const PrincipalKind = { STAFF: 'STAFF', PARTNER: 'PARTNER', CUSTOMER: 'CUSTOMER', ANONYMOUS: 'ANONYMOUS' } as const;
registerEnumType(PrincipalKind, {
  name: 'PrincipalKind',
  description: 'Who a token belongs to.',
  valuesConfig: {
    STAFF: { description: 'An API key of the store itself.' },
    PARTNER: { description: 'An API key of a partner system (ERP, marketplace, carrier, 3PL), optionally restricted.' },
    CUSTOMER: { description: 'A customer access token: sees only its own data.' },
    ANONYMOUS: { description: 'No token: public operations only.' },
  },
});

@ObjectType('Viewer', { description: 'The caller as the server sees it.' })
export class Viewer {
  @Field(() => PrincipalKind, { description: 'STAFF, PARTNER, CUSTOMER or ANONYMOUS.' })
  kind!: Kind;
  @Field(() => String, { nullable: true, description: 'Display name of the API key, staff member or customer.' })
  name!: string | null;
  @Field(() => [String], { description: 'Granted scopes, e.g. read_orders, write_inventory, admin.' })
  scopes!: string[];
  @Field(() => [String], { nullable: true, description: 'Warehouse codes a PARTNER key is restricted to; null = unrestricted.' })
  warehouseCodes!: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Carrier codes a PARTNER key is restricted to; null = unrestricted.' })
  carrierCodes!: string[] | null;
  /** Database id of the customer, for the `customer` field. */
  customerId?: string;
}

@ObjectType('ApiKey', { implements: Node, description: 'An API key; the secret itself is never shown again after creation.' })
export class ApiKey implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  @Field(() => String, { description: 'Display name.' })
  name!: string;
  @Field(() => PrincipalKind, { description: 'STAFF or PARTNER.' })
  kind!: Kind;
  @Field(() => [String], { description: 'Granted scopes.' })
  scopes!: string[];
  @Field(() => String, { description: 'First characters of the key, for recognising it; the key itself is never shown again.' })
  prefix!: string;
  @Field(() => [String], { nullable: true, description: 'PARTNER restriction to these warehouse codes.' })
  warehouseCodes!: string[] | null;
  @Field(() => [String], { nullable: true, description: 'PARTNER restriction to these carrier codes.' })
  carrierCodes!: string[] | null;
  @Field(() => DateTime, { description: 'When the key was created.' })
  createdAt!: Date;
  @Field(() => DateTime, { nullable: true, description: 'When the key was revoked; null while it is valid.' })
  revokedAt!: Date | null;

  static from(row: ApiKeyRow): ApiKey {
    return typed('ApiKey', {
      id: toGlobalId('ApiKey', row.id),
      name: row.name,
      kind: row.kind,
      scopes: row.scopes,
      prefix: row.prefix,
      warehouseCodes: row.warehouseCodes,
      carrierCodes: row.carrierCodes,
      createdAt: row.createdAt,
      revokedAt: row.revokedAt,
    });
  }
}
