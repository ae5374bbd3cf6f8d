/**
 * Suppliers and purchase orders over GraphQL (contract 07): thin resolvers over supplier.service.ts
 * and purchasing.service.ts. read_inventory to read, write_inventory to change; a PARTNER key
 * restricted to warehouses sees and changes only purchase orders of its warehouses and may not
 * create or change suppliers.
 */
import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { GraphQLContext } from '../../graphql/context.js';
import { ConnectionArgs, idOfType, pageArgs, toConnection } from '../../graphql/relay.js';
import { payload } from '../../graphql/user-error.js';
import { PurchaseOrderCancelInput, PurchaseOrderCreateInput, PurchaseOrderReceiveInput, PurchaseOrderSendInput, SupplierCreateInput, SupplierProductSetInput } from './planning.inputs.js';
import { supplierOf } from './planning.links.resolver.js';
import { planningLoaders } from './planning.loaders.js';
import { PurchaseOrderPayload, SupplierPayload, SupplierProductPayload } from './planning.payloads.js';
import type { PurchaseOrderStatusValue } from './planning.table.js';
import { PurchaseOrder, PurchaseOrderConnection, PurchaseOrderStatus, Supplier, SupplierProduct } from './planning.types.js';
import { purchasingLoaders } from './purchasing.loaders.js';
import { cancelPurchaseOrder, createPurchaseOrder, listPurchaseOrders, receivePurchaseOrder, sendPurchaseOrder, type PurchaseOrderRow } from './purchasing.service.js';
import { PurchaseOrderEvent } from './purchasing.types.js';
import { createSupplier, listSuppliers, setSupplierProduct } from './supplier.service.js';

const wrap = (row: PurchaseOrderRow) => ({ purchaseOrder: PurchaseOrder.from(row) });

@Resolver(() => Supplier)
export class SupplierResolver {
  @Authorized('read_inventory')
  @Query(() => [Supplier], { description: 'Every supplier, by code, with lead times learnt from received purchase orders (read_inventory).' })
  async suppliers(@Ctx() ctx: GraphQLContext) {
    const rows = await listSuppliers(ctx.services);
    const l = ctx.loaders.get(planningLoaders);
    for (const r of rows) l.supplierById.prime(r.id, r);
    return Promise.all(rows.map((r) => supplierOf(ctx, r.id)));
  }

  @Authorized('write_inventory')
  @Mutation(() => SupplierPayload, {
    description:
      'Creates a supplier (write_inventory; not a key restricted to warehouses: FORBIDDEN). The code is stored upper case. Errors: INVALID (code not 2..32 of A-Z 0-9 _ -, name not 1..200 characters, leadTimeDays outside 0..365), INVALID_CURRENCY, CODE_TAKEN.',
  })
  supplierCreate(@Arg('input', () => SupplierCreateInput, { description: 'The supplier.' }) input: SupplierCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => createSupplier(ctx.services, input),
      (row) => ({ supplier: Supplier.from(row) }),
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => SupplierProductPayload, {
    description:
      'Creates or replaces what a supplier sells of a variant (write_inventory; not a key restricted to warehouses). preferred (default true) makes every other supplier of the variant not preferred. Errors: NOT_FOUND (supplier, SKU), INVALID (negative cost, packSize or minOrderQuantity below 1), CURRENCY_MISMATCH (unitCost not in the supplier\'s currency).',
  })
  supplierProductSet(@Arg('input', () => SupplierProductSetInput, { description: 'The terms.' }) input: SupplierProductSetInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => setSupplierProduct(ctx.services, { ...input, unitCost: { amountMinor: input.unitCost.amountMinor, currency: input.unitCost.currency } }),
      ({ product, supplier }) => ({ supplierProduct: SupplierProduct.from(product, supplier.currency) }),
    );
  }

  @FieldResolver(() => [SupplierProduct], { description: 'What the supplier sells, and on which terms.' })
  async products(@Root() s: Supplier, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(purchasingLoaders).productsBySupplierId.load(s.dbId)).map((r) => SupplierProduct.from(r, s.currency));
  }
}

@Resolver(() => PurchaseOrder)
export class PurchaseOrderResolver {
  @Authorized('read_inventory')
  @Query(() => PurchaseOrderConnection, { description: 'Purchase orders, newest first (read_inventory; a key restricted to warehouses sees orders of its warehouses).' })
  async purchaseOrders(
    @Arg('status', () => [PurchaseOrderStatus], { nullable: true, description: 'Only these statuses.' }) status: PurchaseOrderStatusValue[] | null,
    @Args(() => ConnectionArgs) args: ConnectionArgs,
    @Ctx() ctx: GraphQLContext,
  ) {
    return toConnection(await listPurchaseOrders(ctx.services, { ...pageArgs(args), status }), PurchaseOrder.from);
  }

  @Authorized('read_inventory')
  @Query(() => PurchaseOrder, { nullable: true, description: 'A purchase order by global ID; null if it does not exist or the caller may not see it.' })
  async purchaseOrder(@Arg('id', () => ID, { description: 'PurchaseOrder global ID.' }) id: string, @Ctx() ctx: GraphQLContext) {
    const dbId = idOfType(id, 'PurchaseOrder');
    const row = dbId ? await ctx.loaders.get(purchasingLoaders).purchaseOrderById.load(dbId) : null;
    return row ? PurchaseOrder.from(row) : null;
  }

  @Authorized('write_inventory')
  @Mutation(() => PurchaseOrderPayload, {
    description:
      "Creates a DRAFT purchase order (write_inventory); unit costs default to the supplier's. Errors: NOT_FOUND (supplier, warehouse, SKU), INVALID (no lines, over 1,000, a SKU twice, quantity outside 1..1,000,000, negative cost, total too large, implausible expectedAt), CURRENCY_MISMATCH, NOT_SOLD_BY_SUPPLIER (no unitCost and no supplier price for the SKU).",
  })
  purchaseOrderCreate(@Arg('input', () => PurchaseOrderCreateInput, { description: 'The order.' }) input: PurchaseOrderCreateInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () =>
        createPurchaseOrder(ctx.services, {
          supplierCode: input.supplierCode,
          warehouseCode: input.warehouseCode,
          expectedAt: input.expectedAt,
          lines: input.lines.map((l) => ({ sku: l.sku, quantity: l.quantity, unitCost: l.unitCost ? { amountMinor: l.unitCost.amountMinor, currency: l.unitCost.currency } : null })),
        }),
      wrap,
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => PurchaseOrderPayload, {
    description: "Sends a DRAFT purchase order (→ SENT): its units count in the warehouse's `incoming`; expectedAt defaults to now + the supplier's lead time. Errors: NOT_FOUND, INVALID_STATE_TRANSITION.",
  })
  purchaseOrderSend(@Arg('input', () => PurchaseOrderSendInput, { description: 'The order.' }) input: PurchaseOrderSendInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => sendPurchaseOrder(ctx.services, { id: idOfType(input.id, 'PurchaseOrder') }), wrap);
  }

  @Authorized('write_inventory')
  @Mutation(() => PurchaseOrderPayload, {
    description:
      'Receives units of a SENT or PARTIALLY_RECEIVED purchase order by scan (GTIN or SKU), into binCode or by putaway: RECEIPT movements with the order number as reference, `incoming` lowered by as much; → PARTIALLY_RECEIVED or RECEIVED. Errors (nothing written): NOT_FOUND (order, bin), INVALID, INVALID_BARCODE, NOT_ON_ORDER, OVER_RECEIPT, BIN_FULL, NO_BIN_AVAILABLE, INVALID_STATE_TRANSITION.',
  })
  purchaseOrderReceive(@Arg('input', () => PurchaseOrderReceiveInput, { description: 'The order and the units that arrived.' }) input: PurchaseOrderReceiveInput, @Ctx() ctx: GraphQLContext) {
    return payload(
      () => receivePurchaseOrder(ctx.services, { id: idOfType(input.id, 'PurchaseOrder'), binCode: input.binCode, lines: input.lines.map((l) => ({ barcode: l.barcode, quantity: l.quantity })) }),
      wrap,
    );
  }

  @Authorized('write_inventory')
  @Mutation(() => PurchaseOrderPayload, {
    description: 'Calls off a DRAFT, SENT or PARTIALLY_RECEIVED purchase order (→ CANCELLED); what is still open leaves `incoming`, what arrived stays. Errors: NOT_FOUND, INVALID_STATE_TRANSITION.',
  })
  purchaseOrderCancel(@Arg('input', () => PurchaseOrderCancelInput, { description: 'The order.' }) input: PurchaseOrderCancelInput, @Ctx() ctx: GraphQLContext) {
    return payload(() => cancelPurchaseOrder(ctx.services, { id: idOfType(input.id, 'PurchaseOrder') }), wrap);
  }

  @FieldResolver(() => [PurchaseOrderEvent], { description: 'Timeline, oldest first: per-order sequence 1, 2, 3 ... with no gaps.' })
  async events(@Root() o: PurchaseOrder, @Ctx() ctx: GraphQLContext) {
    return (await ctx.loaders.get(purchasingLoaders).eventsByPurchaseOrderId.load(o.dbId)).map(PurchaseOrderEvent.from);
  }
}
