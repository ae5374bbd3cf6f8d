/**
 * Returns of a delivered order (test/factories/returns.ts) built through the API: the customer's
 * returnRequestCreate with its token, then staff's returnApprove or returnReject when asked for.
 * A return whose every line has a seller-fault reason (or whose refund is within the policy's
 * autoApproveMaxAmount) is APPROVED by the request itself, as the contract says.
 */
import { expect } from 'vitest';
import { CoreReturnApproveDocument, CoreReturnRejectDocument, CoreReturnRequestCreateDocument, type ReturnReason } from '../generated/graphql.js';
import { idOfType } from '../../src/graphql/relay.js';
import { returnsByIds } from '../../src/modules/returns/returns.reads.js';
import type { ReturnRow } from '../../src/modules/returns/returns.state.js';
import { warehouseByCode } from '../../src/modules/warehouse/warehouse.service.js';
import type { ServiceContext } from '../../src/shared/service-context.js';
import type { TestApp } from '../harness.js';
import type { DeliveredOrder } from './returns.js';

/** A staff service context of the app (what a resolver hands its service). */
export const staffContext = (t: TestApp): ServiceContext => t.app.context({ kind: 'STAFF', name: 'test', scopes: ['admin'] }).services;

export interface ReturnRequestOptions {
  /** By index into `order.lines` (default: one unit of the first line, SIZE_TOO_SMALL). */
  lines?: { line: number; quantity: number; reason?: ReturnReason }[];
  /**
   * What staff does after the request: APPROVED (default) approves it if the request left it
   * REQUESTED, REJECTED rejects it, REQUESTED leaves it (and fails if the policy approved it).
   */
  status?: 'REQUESTED' | 'APPROVED' | 'REJECTED';
}

export interface RequestedReturn {
  /** Global id (ReturnRequest). */
  id: string;
  /** Database id (for the outbox's payloads). */
  dbId: string;
  number: string;
  status: string;
  /** Global ids (ReturnLine), in the order given. */
  lineIds: string[];
}

/** The order's customer requests a return over HTTP; staff approves or rejects it as asked. */
export async function requestReturn(t: TestApp, order: DeliveredOrder, opts: ReturnRequestOptions = {}): Promise<RequestedReturn> {
  const lines = (opts.lines ?? [{ line: 0, quantity: 1 }]).map((l) => ({ orderLineId: order.lines[l.line]!.id, quantity: l.quantity, reason: l.reason ?? 'SIZE_TOO_SMALL' }));
  const created = await t.gql(CoreReturnRequestCreateDocument, { input: { orderId: order.orderId, lines } }, { token: order.customerToken });
  expect(created.errors).toBeUndefined();
  expect(created.data!.returnRequestCreate.userErrors).toEqual([]);
  let ret = created.data!.returnRequestCreate.returnRequest!;
  const want = opts.status ?? 'APPROVED';
  if (want === 'REQUESTED') expect(ret.status).toBe('REQUESTED');
  if (want === 'APPROVED' && ret.status === 'REQUESTED') {
    const approved = (await t.admin(CoreReturnApproveDocument, { input: { id: ret.id } })).returnApprove;
    expect(approved.userErrors).toEqual([]);
    ret = approved.returnRequest!;
  }
  if (want === 'REJECTED') {
    const rejected = (await t.admin(CoreReturnRejectDocument, { input: { id: ret.id, reason: 'test' } })).returnReject;
    expect(rejected.userErrors).toEqual([]);
    ret = rejected.returnRequest!;
  }
  expect(ret.status).toBe(want);
  return { id: ret.id, dbId: idOfType(ret.id, 'ReturnRequest')!, number: ret.number, status: ret.status, lineIds: ret.lines.map((l) => l.id) };
}

/**
 * A REQUESTED return as the service reads it, bound for `warehouseCode` instead of the warehouse
 * the request chose (the order's), for tests of createReturnShipment's destinations: the API
 * sends a return to the shipping warehouse whenever it has a RETURNS zone, which every
 * deliveredOrder's has. Nothing is written.
 */
export async function returnRowBoundFor(t: TestApp, order: DeliveredOrder, opts: Omit<ReturnRequestOptions, 'status'> & { warehouseCode?: string } = {}): Promise<ReturnRow> {
  const ret = await requestReturn(t, order, { lines: opts.lines, status: 'REQUESTED' });
  const ctx = staffContext(t);
  const [row] = await returnsByIds(ctx, [ret.dbId]);
  if (!opts.warehouseCode) return row!;
  const warehouse = await warehouseByCode(ctx, opts.warehouseCode);
  return { ...row!, warehouseId: warehouse!.id };
}
