/**
 * The one comparison of secrets and of values derived from them (signatures, token and key
 * hashes, bearer tokens): constant time whatever the inputs. Both sides are hashed with SHA-256
 * first, so `timingSafeEqual` always gets equal-length buffers (it throws otherwise) and the time
 * tells nothing about where the inputs differ nor about the expected value's length.
 * `test/architecture.test.ts` keeps `timingSafeEqual` in this file and `===` off secret-looking names.
 */
import { hash, timingSafeEqual } from 'node:crypto';

const digest = (v: string | Buffer): Buffer => hash('sha256', v, 'buffer');

/** True when `given` equals `expected`, compared in constant time (strings as UTF-8). */
export function secretEquals(given: string | Buffer, expected: string | Buffer): boolean {
  return timingSafeEqual(digest(given), digest(expected));
}
