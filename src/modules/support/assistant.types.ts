import { Field, Float, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { enumOf } from '../../graphql/enums.js';
import { Order } from '../orders/order.types.js';
import { ASSISTANT_INTENTS, type AssistantIntent as AssistantIntentValue } from './assistant/intents.js';
import { KnowledgeArticle } from './knowledge/knowledge.types.js';
import { SupportTicket } from './ticket.types.js';

export const AssistantIntent = enumOf(ASSISTANT_INTENTS);
registerEnumType(AssistantIntent, {
  name: 'AssistantIntent',
  description: 'What the assistant understood the question to be about; HANDOFF: it was not sure and opened a ticket instead of guessing.',
  valuesConfig: {
    ORDER_STATUS: { description: "Where an order is: its status (and its parcel's last event), for an order the caller may read." },
    TRACKING: { description: "Where the parcel is: the carrier's last event, tracking number and estimated delivery." },
    RETURN_POLICY: { description: 'The return policy: window, restocking fee, what cannot be returned.' },
    RETURN_REQUEST: { description: 'How to return something (and whether the named order can be returned yet).' },
    DELIVERY_OPTIONS: { description: 'Delivery services, prices and times for a city (from the rate cards, for a 1 kg parcel).' },
    LOYALTY_BALANCE: { description: "The customer's points, tier and next expiry." },
    FAQ: { description: 'A general question answered from the knowledge base (sources).' },
    HANDOFF: { description: 'Not sure, or the customer asked for a person: handoffTicket was opened.' },
  },
});

@InputType('AssistantAskInput', { description: 'A question to the assistant.' })
export class AssistantAskInput {
  @Field(() => String, { description: 'The question as the customer wrote it (1 to 2000 characters).' })
  question!: string;
  @Field(() => String, { nullable: true, description: 'The answer\'s language (ru or en); default: detected from the question.' })
  locale?: string | null;
  @Field(() => String, { nullable: true, description: 'The order the question is about (its number, or its sales channel\'s own id); default: one named in the question, else (a CUSTOMER) its latest.' })
  orderNumber?: string | null;
}

@ObjectType('AssistantAnswer', { description: "The assistant's answer, from live data the caller may read." })
export class AssistantAnswer {
  @Field(() => String, { description: 'The answer, plain text, in `language`.' })
  answer!: string;
  @Field(() => String, { description: 'ru or en: the locale given, else the question\'s.' })
  language!: string;
  @Field(() => AssistantIntent, { description: 'What the question was understood to be about.' })
  intent!: AssistantIntentValue;
  @Field(() => Float, { description: '0..1; below the threshold the assistant hands off instead of answering.' })
  confidence!: number;
  @Field(() => [KnowledgeArticle], { description: 'Articles the answer came from, best first.' })
  sources!: KnowledgeArticle[];
  @Field(() => Order, { nullable: true, description: 'The order the answer is about, when it is one the caller may read.' })
  order!: Order | null;
  @Field(() => SupportTicket, { nullable: true, description: 'The ticket opened for a person to answer (intent HANDOFF).' })
  handoffTicket!: SupportTicket | null;
}
