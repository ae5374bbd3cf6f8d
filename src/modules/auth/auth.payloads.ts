import { Field, ObjectType } from 'type-graphql';
import { Connection } from '../../graphql/relay.js';
import { DateTime } from '../../graphql/scalars.js';
import { UserError } from '../../graphql/user-error.js';
import { ApiKey } from './auth.types.js';

@ObjectType('ApiKeyCreatePayload', { description: 'Result of apiKeyCreate.' })
export class ApiKeyCreatePayload {
  @Field(() => ApiKey, { nullable: true, description: 'The new key.' })
  apiKey?: ApiKey | null;
  @Field(() => String, { nullable: true, description: 'The secret, returned exactly once.' })
  secret?: string | null;
  @Field(() => [UserError], { description: 'Why nothing was created, if so.' })
  userErrors!: UserError[];
}

@ObjectType('ApiKeyRevokePayload', { description: 'Result of apiKeyRevoke.' })
export class ApiKeyRevokePayload {
  @Field(() => ApiKey, { nullable: true, description: 'The revoked key.' })
  apiKey?: ApiKey | null;
  @Field(() => [UserError], { description: 'Why nothing was revoked, if so.' })
  userErrors!: UserError[];
}

@ObjectType('CustomerAccessTokenCreatePayload', { description: 'Result of customerAccessTokenCreate.' })
export class CustomerAccessTokenCreatePayload {
  @Field(() => String, { nullable: true, description: 'Bearer token for a CUSTOMER principal: sees only its own orders, returns, loyalty and tickets.' })
  accessToken?: string | null;
  @Field(() => DateTime, { nullable: true, description: 'When the token stops working.' })
  expiresAt?: Date | null;
  @Field(() => [UserError], { description: 'Why no token was issued, if so.' })
  userErrors!: UserError[];
}

@ObjectType('ApiKeyConnection', { description: 'A page of API keys.' })
export class ApiKeyConnection extends Connection('ApiKey', () => ApiKey) {}
