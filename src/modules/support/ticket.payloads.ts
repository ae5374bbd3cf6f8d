import { Field, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { SupportTicket } from './ticket.types.js';

@ObjectType('SupportTicketPayload', { description: 'Result of a ticket mutation.' })
export class SupportTicketPayload {
  @Field(() => SupportTicket, { nullable: true, description: 'The ticket as it is now.' })
  ticket?: SupportTicket | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}
