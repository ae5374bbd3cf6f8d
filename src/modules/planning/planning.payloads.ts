import { Field, Int, ObjectType } from 'type-graphql';
import { UserError } from '../../graphql/user-error.js';
import { PurchaseOrder, ReorderPolicy, Supplier, SupplierProduct, TransferOrder } from './planning.types.js';

@ObjectType('SupplierPayload', { description: 'Result of supplierCreate.' })
export class SupplierPayload {
  @Field(() => Supplier, { nullable: true, description: 'The supplier.' })
  supplier?: Supplier | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('SupplierProductPayload', { description: 'Result of supplierProductSet.' })
export class SupplierProductPayload {
  @Field(() => SupplierProduct, { nullable: true, description: 'The terms as they are now.' })
  supplierProduct?: SupplierProduct | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('ReorderPolicyPayload', { description: 'Result of reorderPolicySet.' })
export class ReorderPolicyPayload {
  @Field(() => ReorderPolicy, { nullable: true, description: 'The policy with its figures as they are now.' })
  reorderPolicy?: ReorderPolicy | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('PurchaseOrderPayload', { description: 'Result of a purchase order mutation.' })
export class PurchaseOrderPayload {
  @Field(() => PurchaseOrder, { nullable: true, description: 'The purchase order as it is now.' })
  purchaseOrder?: PurchaseOrder | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('TransferOrderPayload', { description: 'Result of a transfer mutation.' })
export class TransferOrderPayload {
  @Field(() => TransferOrder, { nullable: true, description: 'The transfer as it is now.' })
  transferOrder?: TransferOrder | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('DemandHistoryImportPayload', { description: 'Result of demandHistoryImport.' })
export class DemandHistoryImportPayload {
  @Field(() => Int, { description: 'Weeks stored (new or replaced).' })
  imported!: number;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}

@ObjectType('ReplenishmentRunPayload', { description: 'What a replenishment run created.' })
export class ReplenishmentRunPayload {
  @Field(() => [PurchaseOrder], { description: 'DRAFT purchase orders, one per supplier.' })
  purchaseOrders!: PurchaseOrder[];
  @Field(() => [TransferOrder], { description: 'DRAFT transfers from warehouses with excess stock.' })
  transferOrders!: TransferOrder[];
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}
