import { Field, ID, ObjectType } from 'type-graphql';
import { Node, toGlobalId, typed } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import type { CustomerRow } from './customer.service.js';

@ObjectType('Customer', { implements: Node, description: 'A shopper of the store.' })
export class Customer implements Node {
  @Field(() => ID, { description: 'Opaque global ID.' })
  id!: string;
  /** Database id, not exposed. */
  dbId!: string;
  @Field(() => String, { description: 'E-mail address (lower-cased).' })
  email!: string;
  @Field(() => String, { nullable: true, description: 'Display name.' })
  name!: string | null;
  @Field(() => String, { nullable: true, description: 'Phone number.' })
  phone!: string | null;
  @Field(() => String, { description: 'BCP 47 language tag used for every message to this customer, e.g. ru, en, de.' })
  locale!: string;
  @Field(() => DateTime, { description: 'When the customer was created.' })
  createdAt!: Date;

  static from(row: CustomerRow): Customer {
    return typed('Customer', {
      id: toGlobalId('Customer', row.id),
      dbId: row.id,
      email: row.email,
      name: row.name,
      phone: row.phone,
      locale: row.locale,
      createdAt: row.createdAt,
    });
  }
}
