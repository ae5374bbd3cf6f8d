import { Arg, Ctx, Mutation, Resolver } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { Order } from '../orders/order.types.js';
import { askAssistant } from './assistant.service.js';
import { AssistantAnswer, AssistantAskInput } from './assistant.types.js';
import { KnowledgeArticle } from './knowledge/knowledge.types.js';
import { SupportTicket } from './ticket.types.js';

@Resolver(() => AssistantAnswer)
export class AssistantResolver {
  @Mutation(() => AssistantAnswer, {
    description:
      "Public for general questions; order-specific answers need the order's CUSTOMER token or read_orders. Answers in the question's language (ru or en) from live data: order status and tracking, the return policy, delivery prices, loyalty balance, the knowledge base. Below its confidence threshold it opens a ticket (handoffTicket) and says so. Errors (BAD_USER_INPUT): INVALID (empty question, locale not a BCP 47 tag), TOO_LONG (over 2000 characters).",
  })
  async assistantAsk(@Arg('input', () => AssistantAskInput, { description: 'The question.' }) input: AssistantAskInput, @Ctx() ctx: GraphQLContext): Promise<AssistantAnswer> {
    // A BusinessError becomes a GraphQL error with its code under BAD_USER_INPUT (the server's error formatter).
    const r = await askAssistant(ctx.services, { ...input });
    return {
      answer: r.answer,
      language: r.language,
      intent: r.intent,
      confidence: r.confidence,
      sources: r.sources.map(KnowledgeArticle.from),
      order: r.order ? Order.from(r.order) : null,
      handoffTicket: r.handoffTicket ? SupportTicket.from(r.handoffTicket) : null,
    };
  }
}
