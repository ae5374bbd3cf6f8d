/**
 * The return services the demo seed plays its returns through (scripts/seed-returns.ts), or null
 * while they are not in the tree; the seed then leaves returns out.
 *
 * MERGE: returns.service.ts (createReturnRequest, approveReturn, rejectReturn, cancelReturn) and
 * returns.receiving.ts (receiveReturn, inspectReturn, refundReturn) are written on other branches.
 * Once they are merged, replace the `export const RETURNS_SEED_API ...` line below with these
 * lines (the type check then proves the agreed shapes):
 *
 *   import { approveReturn, cancelReturn, createReturnRequest, rejectReturn } from '../src/modules/returns/returns.service.js';
 *   import { inspectReturn, receiveReturn, refundReturn } from '../src/modules/returns/returns.receiving.js';
 *   export const RETURNS_SEED_API: ReturnsSeedApi | null = { createReturnRequest, approveReturn, rejectReturn, cancelReturn, receiveReturn, inspectReturn, refundReturn, ...demo };
 */
import { backdateReturns, latestReturnOfOrder, returnCountOfOrders } from '../src/modules/returns/returns.demo.js';
import type { ReturnsSeedApi } from './seed-returns.js';

/** The returns module's demo support (returns.demo.ts). */
export const demo = { returnCountOfOrders, latestReturnOfOrder, backdateReturns } satisfies Pick<ReturnsSeedApi, 'returnCountOfOrders' | 'latestReturnOfOrder' | 'backdateReturns'>;

// MERGE: replace this line as the comment above says.
export const RETURNS_SEED_API: ReturnsSeedApi | null = null;
