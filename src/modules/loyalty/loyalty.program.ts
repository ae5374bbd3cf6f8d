/**
 * The loyalty program as the services read it: the stored row and tiers, or the defaults below
 * until an admin changes them (loyaltyProgramUpdate). Cached per database; an update clears it.
 */
import { asc } from 'drizzle-orm';
import type { Database, Executor } from '../../db/client.js';
import { money, type Money } from '../../shared/money.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { loyaltyProgram, loyaltyTiers } from './loyalty.table.js';

export interface Tier {
  code: string;
  name: string;
  minSpend: Money;
  earnMultiplier: number;
}

export interface Program {
  pointsPerCurrencyUnit: number;
  pointValue: Money;
  currency: string;
  expiryDays: number;
  maxRedeemShare: number;
  /** Lowest first; the first has minSpend 0. */
  tiers: Tier[];
}

/** 5 points per 100 ₽ paid, a point worth 1 ₽ (5% back), a year to spend them, at most 30% of a subtotal. */
export const DEFAULT_PROGRAM: Readonly<Program> = Object.freeze({
  pointsPerCurrencyUnit: 0.05,
  pointValue: money(100, 'RUB'),
  currency: 'RUB',
  expiryDays: 365,
  maxRedeemShare: 0.3,
  tiers: [
    { code: 'BRONZE', name: 'Bronze', minSpend: money(0, 'RUB'), earnMultiplier: 1 },
    { code: 'SILVER', name: 'Silver', minSpend: money(3_000_000, 'RUB'), earnMultiplier: 1.25 },
    { code: 'GOLD', name: 'Gold', minSpend: money(10_000_000, 'RUB'), earnMultiplier: 1.5 },
  ],
});

const cache = new WeakMap<Database, Program>();

/** The program (through `executor` when given: inside a transaction that may have just changed it). */
export async function getProgram(ctx: Pick<ServiceContext, 'database'>, executor?: Executor): Promise<Program> {
  if (!executor) {
    const hit = cache.get(ctx.database);
    if (hit) return hit;
  }
  const db = executor ?? ctx.database.db;
  const [row] = await db.select().from(loyaltyProgram).limit(1);
  const tiers = await db.select().from(loyaltyTiers).orderBy(asc(loyaltyTiers.position));
  const program: Program = row
    ? {
        pointsPerCurrencyUnit: row.pointsPerCurrencyUnit,
        pointValue: money(row.pointValueMinor, row.currency),
        currency: row.currency,
        expiryDays: row.expiryDays,
        maxRedeemShare: row.maxRedeemShare,
        tiers: tiers.length ? tiers.map((t) => ({ code: t.code, name: t.name, minSpend: money(t.minSpendMinor, row.currency), earnMultiplier: t.earnMultiplier })) : DEFAULT_PROGRAM.tiers.map((t) => ({ ...t })),
      }
    : { ...DEFAULT_PROGRAM, tiers: DEFAULT_PROGRAM.tiers.map((t) => ({ ...t })) };
  if (!executor) cache.set(ctx.database, program);
  return program;
}

/** Forget the cached program of this database (after an update commits). */
export function forgetProgram(database: Database): void {
  cache.delete(database);
}

/** The tier of a rolling spend: the highest whose minSpend it reaches. */
const DAY_MS = 86_400_000;

/** When points credited at `now` expire: expiryDays later (every new lot: earned, adjusted or given back). */
export function lotExpiry(program: Pick<Program, 'expiryDays'>, now: Date): Date {
  return new Date(now.getTime() + program.expiryDays * DAY_MS);
}

export function tierFor(program: Program, rollingSpendMinor: number): Tier {
  let tier = program.tiers[0]!;
  for (const t of program.tiers) if (rollingSpendMinor >= t.minSpend.amountMinor) tier = t;
  return tier;
}
