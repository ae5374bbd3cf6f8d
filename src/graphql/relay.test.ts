import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { fromGlobalId, idOfType, toGlobalId } from './relay.js';

describe('global IDs', () => {
  it('round-trip type and id, the same text every time, distinct per type', () => {
    for (let i = 0; i < 50; i++) {
      const id = randomUUID();
      const gid = toGlobalId('Carrier', id);
      expect(gid).toBe(Buffer.from(`Carrier:${id}`).toString('base64url'));
      expect(toGlobalId('Carrier', id)).toBe(gid);
      expect(toGlobalId('PickupPoint', id)).not.toBe(gid);
      expect(fromGlobalId(gid)).toEqual({ type: 'Carrier', id });
      expect(idOfType(gid, 'Carrier')).toBe(id);
      expect(idOfType(gid, 'Warehouse')).toBeNull();
    }
    expect(fromGlobalId('not-an-id')).toBeNull();
  });
});
