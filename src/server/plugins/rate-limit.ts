/**
 * Rate limiting with rate-limiter-flexible: per API key, per customer, per IP for anonymous
 * callers; in memory, or shared through Redis when REDIS_URL is set. A sustained per-minute
 * budget plus a burst budget (BurstyRateLimiter), so bulk work is not cut short.
 *
 * While Redis is unavailable each Redis limiter falls back to an in-memory one of the same budget
 * (rate-limiter-flexible's `insuranceLimiter`, taken at once: `rejectIfRedisNotReady`): limits keep
 * holding per instance instead of failing open for everyone or closed for everyone, and no request
 * waits on Redis. Should even that fail, the caller is let through (fail open) rather than the API
 * going down with its rate-limit store. (Under load with Redis killed: test/faults/redis-outage.test.ts;
 * the trade-off is in docs/architecture.md, "When Redis or PostgreSQL is down".)
 */
import type { Redis } from 'ioredis';
import {
  BurstyRateLimiter,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible';
import type { Config } from '../../config.js';
import type { Principal } from '../../shared/principal.js';

export interface RateDecision {
  allowed: boolean;
  retryAfterSeconds: number;
}

export class RateLimits {
  private readonly limiters = new Map<string, BurstyRateLimiter>();

  constructor(
    private readonly config: Config,
    private readonly redis?: Redis,
    /** Told of every refusal with the budget's name (staff, partner, customer, anon, or a window's name): metrics. */
    private readonly onReject?: (budget: string) => void,
  ) {}

  /** In Redis when there is one (with an in-memory stand-in for its outages), else in memory. */
  private store(prefix: string, points: number, duration: number): RateLimiterAbstract {
    const memory = new RateLimiterMemory({ keyPrefix: prefix, points, duration });
    if (!this.redis) return memory;
    return new RateLimiterRedis({
      storeClient: this.redis,
      keyPrefix: `${this.config.RATE_LIMIT_KEY_PREFIX}:${prefix}`,
      points,
      duration,
      rejectIfRedisNotReady: true,
      insuranceLimiter: memory,
    });
  }

  private limiter(kind: string, perMinute: number, burst: number): BurstyRateLimiter {
    let l = this.limiters.get(kind);
    if (!l) {
      const make = (prefix: string, points: number): RateLimiterAbstract => this.store(prefix, points, 60);
      l = new BurstyRateLimiter(make(kind, perMinute) as never, make(`${kind}:burst`, burst) as never);
      this.limiters.set(kind, l);
    }
    return l;
  }

  /** Budget for this caller; null = unthrottled. */
  private budget(p: Principal, ip: string): { kind: string; key: string; perMinute: number; burst: number } | null {
    const c = this.config;
    switch (p.kind) {
      case 'STAFF':
        return c.RATE_LIMIT_STAFF_PER_MIN > 0
          ? { kind: 'staff', key: p.apiKeyId!, perMinute: c.RATE_LIMIT_STAFF_PER_MIN, burst: c.RATE_LIMIT_BURST }
          : null;
      case 'PARTNER':
        return { kind: 'partner', key: p.apiKeyId!, perMinute: c.RATE_LIMIT_PARTNER_PER_MIN, burst: c.RATE_LIMIT_BURST };
      case 'CUSTOMER':
        return { kind: 'customer', key: p.customerId!, perMinute: c.RATE_LIMIT_CUSTOMER_PER_MIN, burst: c.RATE_LIMIT_BURST };
      default:
        return { kind: 'anon', key: ip, perMinute: c.RATE_LIMIT_ANON_PER_MIN, burst: Math.max(1, Math.floor(c.RATE_LIMIT_ANON_PER_MIN / 2)) };
    }
  }

  private readonly windows = new Map<string, RateLimiterAbstract>();

  /** A plain fixed-window budget under its own name: `points` per `seconds` per key (e.g. tracking misses per IP). */
  async consumeWindow(name: string, key: string, points: number, seconds: number): Promise<RateDecision> {
    let l = this.windows.get(name);
    if (!l) {
      l = this.store(name, points, seconds);
      this.windows.set(name, l);
    }
    try {
      await l.consume(key, 1);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.onReject?.(name);
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
      }
      // Neither store answered: fail open (see the module doc).
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }

  /** Spends `points` of the caller's budget under an extra name (e.g. anonymous tracking look-ups). */
  async consume(p: Principal, ip: string, points = 1): Promise<RateDecision> {
    const b = this.budget(p, ip);
    if (!b) return { allowed: true, retryAfterSeconds: 0 };
    try {
      await this.limiter(b.kind, b.perMinute, b.burst).consume(b.key, points);
      return { allowed: true, retryAfterSeconds: 0 };
    } catch (res) {
      if (res instanceof RateLimiterRes) {
        this.onReject?.(b.kind);
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)) };
      }
      // Neither store answered: fail open rather than take the API down with it (see the module doc).
      return { allowed: true, retryAfterSeconds: 0 };
    }
  }
}
