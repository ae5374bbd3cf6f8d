import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { secretEquals } from './secret-compare.js';

describe('secretEquals', () => {
  it('is string and buffer equality, whatever the lengths (never throws on unequal lengths)', () => {
    expect(secretEquals('abc', 'abc')).toBe(true);
    expect(secretEquals(Buffer.from('abc'), 'abc')).toBe(true);
    expect(secretEquals('abc', 'abd')).toBe(false);
    expect(secretEquals('', 'a')).toBe(false);
    expect(secretEquals('a'.repeat(1000), 'a')).toBe(false);
    expect(secretEquals('', '')).toBe(true);
    expect(secretEquals('пароль', Buffer.from('пароль', 'utf8'))).toBe(true);
    fc.assert(fc.property(fc.string(), fc.string(), (a, b) => secretEquals(a, b) === (a === b)));
    fc.assert(fc.property(fc.uint8Array(), fc.uint8Array(), (a, b) => secretEquals(Buffer.from(a), Buffer.from(b)) === Buffer.from(a).equals(Buffer.from(b))));
  });
});
