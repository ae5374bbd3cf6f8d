import 'reflect-metadata';
/** `UserError` and the helper that turns a service's BusinessError into a payload's `userErrors`. */
import { Field, ObjectType } from 'type-graphql';
import { BusinessError, type UserErrorData } from '../shared/errors.js';

@ObjectType('UserError', { description: 'An expected failure: bad input or a rule of the business. Nothing was changed.' })
export class UserError implements UserErrorData {
  @Field(() => [String], { nullable: true, description: 'Path to the offending input field, e.g. ["input", "lines", "0", "quantity"].' })
  field?: string[] | null;

  @Field(() => String, { description: 'Human-readable explanation.' })
  message!: string;

  @Field(() => String, { description: 'Stable code, SCREAMING_SNAKE_CASE, e.g. INSUFFICIENT_STOCK, NOT_FOUND, INVALID.' })
  code!: string;
}

/**
 * Runs a service call and shapes the mutation payload: the value on success, `userErrors`
 * when the service refused. Anything else (faults, access errors) propagates as a GraphQL error.
 */
export async function payload<T, P extends object>(
  call: () => Promise<T>,
  shape: (value: T) => P,
  /** The payload's fields when refused (non-null lists stay empty lists). */
  refused: Partial<P> = {},
): Promise<P & { userErrors: UserErrorData[] }> {
  try {
    const value = await call();
    return { ...shape(value), userErrors: [] };
  } catch (err) {
    if (err instanceof BusinessError) return { ...refused, userErrors: err.errors } as P & { userErrors: UserErrorData[] };
    throw err;
  }
}

/** Input-path prefix for user errors raised on a mutation's `input` argument. */
export const inputPath = (...path: (string | number)[]): string[] => ['input', ...path.map(String)];
