import { Field, Float, ID, InputType, Int } from 'type-graphql';
import { MoneyInput } from '../../graphql/common.types.js';
import { DateTime } from '../../graphql/scalars.js';

@InputType('SupplierCreateInput', { description: 'A new supplier.' })
export class SupplierCreateInput {
  @Field(() => String, { description: 'Unique code: 2 to 32 characters of A-Z, 0-9, _ and - (stored upper case).' })
  code!: string;
  @Field(() => String, { description: 'Display name, 1 to 200 characters.' })
  name!: string;
  @Field(() => String, { description: 'ISO 4217 currency of its prices, e.g. RUB.' })
  currency!: string;
  @Field(() => Int, { description: 'Days from sending an order to its arrival, 0..365 (refined by received purchase orders).' })
  leadTimeDays!: number;
}

@InputType('SupplierProductSetInput', { description: 'Creates or replaces what a supplier sells of a variant.' })
export class SupplierProductSetInput {
  @Field(() => String, { description: 'The supplier.' })
  supplierCode!: string;
  @Field(() => String, { description: 'The variant.' })
  sku!: string;
  @Field(() => MoneyInput, { description: "Price per unit, >= 0, in the supplier's currency." })
  unitCost!: MoneyInput;
  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'Units per pack, >= 1: order quantities are multiples of it.' })
  packSize?: number | null;
  @Field(() => Int, { nullable: true, defaultValue: 1, description: 'Smallest quantity the supplier accepts, >= 1.' })
  minOrderQuantity?: number | null;
  @Field(() => Boolean, { nullable: true, defaultValue: true, description: 'Make this the supplier replenishment uses for the variant (the previous preferred one stops being preferred).' })
  preferred?: boolean | null;
}

@InputType('ReorderPolicySetInput', { description: 'How a variant is replenished in a warehouse.' })
export class ReorderPolicySetInput {
  @Field(() => String, { description: 'The variant.' })
  sku!: string;
  @Field(() => String, { description: 'The warehouse.' })
  warehouseCode!: string;
  @Field(() => Float, { nullable: true, defaultValue: 0.95, description: 'Target probability of no stockout in a cycle, strictly between 0.5 and 0.999.' })
  serviceLevel?: number | null;
  @Field(() => Int, { nullable: true, defaultValue: 7, description: 'Review period in days added to the lead time, 0..365.' })
  reviewPeriodDays?: number | null;
  @Field(() => MoneyInput, { nullable: true, description: 'Cost of placing one order (>= 0); with holdingCostRate it gives the economic order quantity.' })
  orderingCost?: MoneyInput | null;
  @Field(() => Float, { nullable: true, description: 'Yearly holding cost as a share of unit cost, e.g. 0.25 (> 0, at most 10).' })
  holdingCostRate?: number | null;
}

@InputType('PurchaseOrderLineInput', { description: 'A variant to order.' })
export class PurchaseOrderLineInput {
  @Field(() => String, { description: 'The variant; each SKU once per order.' })
  sku!: string;
  @Field(() => Int, { description: 'Units, 1..1,000,000.' })
  quantity!: number;
  @Field(() => MoneyInput, { nullable: true, description: "Defaults to the supplier's unit cost." })
  unitCost?: MoneyInput | null;
}

@InputType('PurchaseOrderCreateInput', { description: 'A new DRAFT purchase order.' })
export class PurchaseOrderCreateInput {
  @Field(() => String, { description: 'The supplier.' })
  supplierCode!: string;
  @Field(() => String, { description: 'Where the goods are delivered.' })
  warehouseCode!: string;
  @Field(() => [PurchaseOrderLineInput], { description: 'At least one line, at most 1,000.' })
  lines!: PurchaseOrderLineInput[];
  @Field(() => DateTime, { nullable: true, description: "When it should arrive; default: sending time + the supplier's lead time." })
  expectedAt?: Date | null;
}

@InputType('PurchaseOrderSendInput', { description: 'A DRAFT purchase order to send.' })
export class PurchaseOrderSendInput {
  @Field(() => ID, { description: 'The purchase order.' })
  id!: string;
}

@InputType('PurchaseOrderCancelInput', { description: 'A purchase order to call off (DRAFT, SENT or PARTIALLY_RECEIVED).' })
export class PurchaseOrderCancelInput {
  @Field(() => ID, { description: 'The purchase order.' })
  id!: string;
}

@InputType('PurchaseOrderReceiveLineInput', { description: 'Units of one product as scanned.' })
export class PurchaseOrderReceiveLineInput {
  @Field(() => String, { description: 'The GTIN scanned, or the SKU.' })
  barcode!: string;
  @Field(() => Int, { description: 'Units, >= 1.' })
  quantity!: number;
}

@InputType('PurchaseOrderReceiveInput', { description: 'Units of a SENT or PARTIALLY_RECEIVED purchase order that arrived.' })
export class PurchaseOrderReceiveInput {
  @Field(() => ID, { description: 'The purchase order.' })
  id!: string;
  @Field(() => [PurchaseOrderReceiveLineInput], { description: 'Units as scanned; into this bin, else by putaway.' })
  lines!: PurchaseOrderReceiveLineInput[];
  @Field(() => String, { nullable: true, description: "Barcode of the bin to receive into; by putaway when left out." })
  binCode?: string | null;
}

@InputType('TransferLineInput', { description: 'Units of a variant.' })
export class TransferLineInput {
  @Field(() => String, { description: 'The variant.' })
  sku!: string;
  @Field(() => Int, { description: 'Units, 1..1,000,000.' })
  quantity!: number;
}

@InputType('TransferOrderCreateInput', { description: 'A new DRAFT transfer between two warehouses.' })
export class TransferOrderCreateInput {
  @Field(() => String, { description: 'Where the units leave from.' })
  fromWarehouseCode!: string;
  @Field(() => String, { description: 'Where they go (another warehouse).' })
  toWarehouseCode!: string;
  @Field(() => [TransferLineInput], { description: 'At least one line, each SKU once.' })
  lines!: TransferLineInput[];
}

@InputType('TransferOrderShipInput', { description: 'A DRAFT transfer to ship.' })
export class TransferOrderShipInput {
  @Field(() => ID, { description: 'The transfer.' })
  id!: string;
}

@InputType('TransferOrderReceiveInput', { description: 'Units of an IN_TRANSIT transfer that arrived at the destination.' })
export class TransferOrderReceiveInput {
  @Field(() => ID, { description: 'The transfer.' })
  id!: string;
  @Field(() => [TransferLineInput], { description: 'Units that arrived.' })
  lines!: TransferLineInput[];
  @Field(() => String, { nullable: true, description: 'Barcode of the bin to receive into; by putaway when left out.' })
  binCode?: string | null;
}

@InputType('DemandHistoryLineInput', { description: 'Units sold of a SKU in one week.' })
export class DemandHistoryLineInput {
  @Field(() => String, { description: 'The variant.' })
  sku!: string;
  @Field(() => DateTime, { description: "Any instant of the week; it is stored as that week's Monday." })
  weekStart!: Date;
  @Field(() => Int, { description: 'Units, >= 0.' })
  units!: number;
}

@InputType('DemandHistoryImportInput', { description: 'Sales history from before the store used Waybill, for one warehouse.' })
export class DemandHistoryImportInput {
  @Field(() => String, { description: 'The warehouse the sales shipped from.' })
  warehouseCode!: string;
  @Field(() => [DemandHistoryLineInput], { description: 'At most 10,000 lines per call.' })
  lines!: DemandHistoryLineInput[];
}

@InputType('ReplenishmentRunInput', { description: 'The warehouse to replenish.' })
export class ReplenishmentRunInput {
  @Field(() => String, { description: 'The warehouse.' })
  warehouseCode!: string;
}
