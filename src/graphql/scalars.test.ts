import { DateTimeResolver } from 'graphql-scalars';
import { describe, expect, it } from 'vitest';
import { DateTime } from './scalars.js';

describe('DateTime', () => {
  it("serializes to the very JSON graphql-scalars' DateTime gives, as text", () => {
    for (const v of [new Date('2026-12-02T07:00:00Z'), new Date(0), '2026-01-01T00:00:00+03:00', '2026-06-30T23:59:59.5Z', 1_795_986_000_000]) {
      const ours = DateTime.serialize(v);
      expect(typeof ours).toBe('string');
      expect(JSON.stringify(ours)).toBe(JSON.stringify(DateTimeResolver.serialize(v)));
    }
  });

  it('refuses what graphql-scalars refuses, and keeps its name, parsing and description', () => {
    for (const bad of [new Date('nope'), 'yesterday', true]) expect(() => DateTime.serialize(bad)).toThrow();
    expect(DateTime.name).toBe('DateTime');
    expect(DateTime.description).toBe(DateTimeResolver.description);
    expect(DateTime.parseValue('2026-12-02T07:00:00Z')).toEqual(new Date('2026-12-02T07:00:00Z'));
  });
});
