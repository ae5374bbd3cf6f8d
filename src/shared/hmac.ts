/**
 * HMAC-SHA256 (RFC 2104) for signing many short messages with one key: the key's inner and outer
 * blocks are made once, and each message then costs two one-shot `crypto.hash` calls over reused
 * buffers, where node's `createHmac` builds a new keyed object per message. A checkout answer signs
 * one quote per option (27 on average). The bytes are exactly HMAC's (tested against `createHmac`),
 * so verification may use either.
 *
 * Kept by measurement (the library-first rule's exception): `npm run bench:checkout -- --options-only`,
 * 2026-12-06 18:48–18:51 UTC, 2 cores, load 2.3–3.1, three alternated pairs, this module against
 * `createHmac` for the quote tags: server CPU per deliveryOptions answer 503 / 736 / 559 µs against
 * 618 / 916 / 773 µs (19–28% less), 2,065 / 1,431 / 1,864 against 1,680 / 1,153 / 1,336 answers/s,
 * p99 25 / 35 / 28 against 40 / 39 / 40 ms (docs/benchmarks.md).
 */
import { createHash, createHmac, hash } from 'node:crypto';

const BLOCK = 64;
const DIGEST = 32;
const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

export interface HmacSha256 {
  /** The first 16 bytes of HMAC-SHA256(key, message) (RFC 2104 truncation to half), base64url, 22 characters. */
  tag128(message: string): string;
}

/** `maxMessageBytes`: longer messages (UTF-8) fall back to createHmac. */
export function hmacSha256(key: string | Buffer, maxMessageBytes = 1024): HmacSha256 {
  let k = typeof key === 'string' ? Buffer.from(key, 'utf8') : key;
  if (k.length > BLOCK) k = createHash('sha256').update(k).digest();
  const inner = Buffer.alloc(BLOCK + maxMessageBytes);
  const outer = Buffer.alloc(BLOCK + DIGEST);
  for (let i = 0; i < BLOCK; i++) {
    const b = i < k.length ? k[i]! : 0;
    inner[i] = b ^ 0x36;
    outer[i] = b ^ 0x5c;
  }
  const keyCopy = Buffer.from(k);
  return {
    tag128(message) {
      // A string of n UTF-16 units is at most 3n UTF-8 bytes: below that it surely fits (Buffer#write would truncate silently).
      if (message.length * 3 > maxMessageBytes) return createHmac('sha256', keyCopy).update(message).digest().subarray(0, 16).toString('base64url');
      const n = inner.write(message, BLOCK, 'utf8');
      outer.write(hash('sha256', inner.subarray(0, BLOCK + n), 'binary'), BLOCK, 'binary'); // 'binary' = latin1: one character per byte
      const full = hash('sha256', outer, 'base64url'); // 43 characters for 32 bytes
      // 16 bytes in base64url: 21 full characters (126 bits) and one holding the last 2 bits.
      return full.slice(0, 21) + B64URL[B64URL.indexOf(full[21]!) & 0b110000];
    },
  };
}
