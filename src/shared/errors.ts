/**
 * The two error channels, without GraphQL: a `BusinessError` is an expected failure that
 * becomes `userErrors` (and, thrown inside a transaction, rolls it back, so nothing is written);
 * an `AccessError` is authentication/authorization/limits and becomes a thrown GraphQL error.
 */

export interface UserErrorData {
  field?: string[] | null;
  message: string;
  code: string;
}

export class BusinessError extends Error {
  constructor(readonly errors: UserErrorData[]) {
    super(errors.map((e) => `${e.code}: ${e.message}`).join('; '));
    this.name = 'BusinessError';
  }
  static of(code: string, message: string, field?: string[]): BusinessError {
    return new BusinessError([{ code, message, field: field ?? null }]);
  }
}

export type AccessErrorCode = 'UNAUTHENTICATED' | 'FORBIDDEN' | 'RATE_LIMITED' | 'QUERY_TOO_COMPLEX' | 'BAD_USER_INPUT';

export class AccessError extends Error {
  constructor(
    readonly code: AccessErrorCode,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'AccessError';
  }
}

/** Collects user errors while validating a whole input, so the caller hears every problem at once. */
export class ErrorList {
  readonly errors: UserErrorData[] = [];
  add(code: string, message: string, field?: (string | number)[]): void {
    this.errors.push({ code, message, field: field ? field.map(String) : null });
  }
  get empty(): boolean {
    return this.errors.length === 0;
  }
  throwIfAny(): void {
    if (this.errors.length) throw new BusinessError(this.errors);
  }
}
