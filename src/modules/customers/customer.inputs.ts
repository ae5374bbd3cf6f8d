import { Field, InputType } from 'type-graphql';

@InputType('CustomerCreateInput', { description: 'A new customer.' })
export class CustomerCreateInput {
  @Field(() => String, { description: 'E-mail address; unique.' })
  email!: string;
  @Field(() => String, { nullable: true, description: 'Display name.' })
  name?: string | null;
  @Field(() => String, { nullable: true, description: 'Phone number.' })
  phone?: string | null;
  @Field(() => String, { nullable: true, description: 'BCP 47 language tag; default en.' })
  locale?: string | null;
  @Field(() => String, { nullable: true, description: 'Optional: lets the customer obtain access tokens.' })
  password?: string | null;
}
