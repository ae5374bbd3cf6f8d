import { DrizzleQueryError } from 'drizzle-orm/errors';
import { describe, expect, it } from 'vitest';
import { redactErr } from './log-redaction.js';

describe('redactErr', () => {
  it("drops the statement's values from drizzle's message and stack and from the driver error's fields, keeping the query text and codes", () => {
    const cause = Object.assign(new Error('duplicate key value violates unique constraint "customers_email_key"'), {
      code: '23505',
      detail: 'Key (email)=(anna@example.ru) already exists.',
      parameters: ['anna@example.ru', 'scrypt$16384$8$1$salt$hash'],
      params: ['anna@example.ru'],
      args: ['anna@example.ru'],
      query: 'insert into "customers" ("email", "password_hash") values ($1, $2)',
    });
    const err = new DrizzleQueryError('insert into "customers" ("email", "password_hash") values ($1, $2)', ['anna@example.ru', 'scrypt$16384$8$1$salt$hash'], cause);
    const out = JSON.stringify(redactErr(err));
    expect(out).not.toContain('anna@example.ru');
    expect(out).not.toContain('scrypt$');
    expect(out).toContain('params: [redacted]');
    expect(out).toContain('customers_email_key');
    expect(out).toContain('23505');
    expect(out).toContain('values ($1, $2)');
    expect(err.params).toHaveLength(2); // the error itself is left as it was
  });

  it('passes non-errors through', () => {
    expect(redactErr('text')).toBe('text');
  });
});
