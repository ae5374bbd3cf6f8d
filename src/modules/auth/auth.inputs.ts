import { Field, ID, InputType } from 'type-graphql';
import type { PrincipalKind as Kind } from '../../shared/principal.js';
import { PrincipalKind } from './auth.types.js';

@InputType('ApiKeyCreateInput', { description: 'A new API key.' })
export class ApiKeyCreateInput {
  @Field(() => String, { description: 'Display name, e.g. "1C ERP".' })
  name!: string;
  @Field(() => PrincipalKind, { description: 'STAFF or PARTNER.' })
  kind!: Kind;
  @Field(() => [String], { description: 'Scopes, e.g. read_catalog, write_inventory; admin implies all.' })
  scopes!: string[];
  @Field(() => [String], { nullable: true, description: 'Optional restriction of a PARTNER key to the objects of these warehouses (by code).' })
  warehouseCodes?: string[] | null;
  @Field(() => [String], { nullable: true, description: 'Optional restriction of a PARTNER key to the shipments of these carriers (by code).' })
  carrierCodes?: string[] | null;
}

@InputType('ApiKeyRevokeInput', { description: 'The key to revoke.' })
export class ApiKeyRevokeInput {
  @Field(() => ID, { description: 'Global ID of the key.' })
  id!: string;
}

@InputType('CustomerAccessTokenCreateInput', { description: 'Customer credentials.' })
export class CustomerAccessTokenCreateInput {
  @Field(() => String, { description: 'E-mail address.' })
  email!: string;
  @Field(() => String, { description: 'Password.' })
  password!: string;
}
