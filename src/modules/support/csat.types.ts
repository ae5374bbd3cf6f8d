import { Field, Float, InputType, Int, ObjectType, ID } from 'type-graphql';
import { DateTime } from '../../graphql/scalars.js';
import { UserError } from '../../graphql/user-error.js';
import type { CsatRow, CsatStats } from './csat.service.js';
import type { SupportChannelValue } from './support.table.js';
import { SupportChannel } from './ticket.types.js';

@ObjectType('CsatResponse', { description: 'A customer\'s satisfaction answer about a delivered order or a resolved ticket.' })
export class CsatResponse {
  orderDbId!: string | null;
  ticketDbId!: string | null;
  @Field(() => Int, { description: '1 (very unhappy) to 5 (very happy).' })
  score!: number;
  @Field(() => String, { nullable: true, description: 'The customer\'s words, plain text as written (a client shows it as text, not HTML).' })
  comment!: string | null;
  @Field(() => DateTime, { description: 'The first answer (a second one within 7 days replaces it; the window runs from here).' })
  createdAt!: Date;
  @Field(() => DateTime, { description: 'The last answer (createdAt until it was replaced).' })
  updatedAt!: Date;
  static from(r: CsatRow): CsatResponse {
    return { orderDbId: r.orderId, ticketDbId: r.ticketId, score: r.score, comment: r.comment, createdAt: r.createdAt, updatedAt: r.updatedAt };
  }
}

@InputType('CsatSubmitInput', { description: 'A satisfaction answer: exactly one of orderId and ticketId.' })
export class CsatSubmitInput {
  @Field(() => ID, { nullable: true, description: 'An order of the caller (delivered).' })
  orderId?: string | null;
  @Field(() => ID, { nullable: true, description: 'A resolved ticket of the caller (or one closed after being resolved).' })
  ticketId?: string | null;
  @Field(() => Int, { description: '1 to 5.' })
  score!: number;
  @Field(() => String, { nullable: true, description: 'Optional, at most 2000 characters, plain text.' })
  comment?: string | null;
}

@ObjectType('CsatSubmitPayload', { description: 'Result of csatSubmit.' })
export class CsatSubmitPayload {
  @Field(() => CsatResponse, { nullable: true, description: 'The answer as stored.' })
  csat?: CsatResponse | null;
  @Field(() => [UserError], { description: 'Why nothing was written.' })
  userErrors!: UserError[];
}

@ObjectType('CsatStats', { description: 'Satisfaction answers of a group: how many, their mean and their distribution.' })
export class CsatStatsType implements CsatStats {
  @Field(() => Int, { description: 'Number of answers.' })
  count!: number;
  @Field(() => Float, { nullable: true, description: 'Mean score (1..5, two decimals); null without answers.' })
  average!: number | null;
  @Field(() => [Int], { description: 'Answers per score, five entries: scores 1, 2, 3, 4, 5.' })
  distribution!: [number, number, number, number, number];
}

@ObjectType('CsatChannelStats', { description: 'Satisfaction with tickets of one channel.' })
export class CsatChannelStats extends CsatStatsType {
  @Field(() => SupportChannel, { description: 'The tickets\' channel.' })
  channel!: SupportChannelValue;
}

@ObjectType('CsatSummary', { description: 'Satisfaction answers first given in [from, to).' })
export class CsatSummaryType {
  @Field(() => DateTime, { description: 'Start of the period (inclusive).' })
  from!: Date;
  @Field(() => DateTime, { description: 'End of the period (exclusive).' })
  to!: Date;
  @Field(() => CsatStatsType, { description: 'Every answer.' })
  all!: CsatStatsType;
  @Field(() => CsatStatsType, { description: 'Answers about deliveries (orders).' })
  deliveries!: CsatStatsType;
  @Field(() => CsatStatsType, { description: 'Answers about tickets.' })
  tickets!: CsatStatsType;
  @Field(() => [CsatChannelStats], { description: 'Answers about tickets per channel (channels with answers only).' })
  ticketChannels!: CsatChannelStats[];
}
