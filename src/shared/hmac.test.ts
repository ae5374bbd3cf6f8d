import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hmacSha256 } from './hmac.js';

const reference = (key: string | Buffer, message: string) => createHmac('sha256', key).update(message).digest().subarray(0, 16).toString('base64url');

describe('hmacSha256', () => {
  it('gives createHmac\'s bytes for ASCII, non-ASCII, empty and long keys and messages', () => {
    const keys: (string | Buffer)[] = ['', 'k', 'x'.repeat(43), 'секрет-ключ', 'y'.repeat(64), 'z'.repeat(65), 'ключ'.repeat(40), randomBytes(32), randomBytes(100)];
    const messages = ['', 'q2.CDEK_PICKUP~P~1a2b~RUB~~lk3j4h~lk3j9h~lk4a1b~abc', 'Тула, сортировочный центр', '😀'.repeat(50), 'a'.repeat(341), 'a'.repeat(342), 'b'.repeat(5000)];
    for (const key of keys) {
      const h = hmacSha256(key);
      for (const m of messages) expect(h.tag128(m), `${String(key).slice(0, 10)} / ${m.slice(0, 10)}`).toBe(reference(key, m));
    }
  });

  it('gives createHmac\'s bytes for random messages, one signer reused (its buffers hold no state between calls)', () => {
    const key = randomBytes(32).toString('base64url');
    const h = hmacSha256(key, 64);
    for (let i = 0; i < 500; i++) {
      const m = randomBytes(i % 90).toString(i % 3 ? 'base64' : 'latin1');
      expect(h.tag128(m)).toBe(reference(key, m));
    }
  });
});
