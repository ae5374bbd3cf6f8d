/** The return services the demo seed plays its returns through (scripts/seed-returns.ts). */
import { backdateReturns, latestReturnOfOrder, returnCountOfOrders } from '../src/modules/returns/returns.demo.js';
import { inspectReturn, receiveReturn, refundReturn } from '../src/modules/returns/returns.receiving.js';
import { approveReturn, cancelReturn, createReturnRequest, rejectReturn } from '../src/modules/returns/returns.service.js';
import type { ReturnsSeedApi } from './seed-returns.js';

export const RETURNS_SEED_API: ReturnsSeedApi = {
  createReturnRequest,
  approveReturn,
  rejectReturn,
  cancelReturn,
  receiveReturn,
  inspectReturn,
  refundReturn,
  returnCountOfOrders,
  latestReturnOfOrder,
  backdateReturns,
};
