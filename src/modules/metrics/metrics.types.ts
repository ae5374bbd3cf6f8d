import { Field, InputType, ObjectType } from 'type-graphql';
import { Money, MoneyInput } from '../../graphql/common.types.js';
import { UserError } from '../../graphql/user-error.js';
import type { CostModelView } from './cost-model.service.js';

@ObjectType('CostModel', { description: "What the warehouse's work costs the store; warehousingCostPerOrder in kpis is computed from it. A rate not configured is null." })
export class CostModel {
  @Field(() => Money, { nullable: true, description: 'Cost of handling one order (receiving it, printing, packing material, the dock).' })
  perOrderHandled!: Money | null;
  @Field(() => Money, { nullable: true, description: 'Cost of picking one unit.' })
  perUnitPicked!: Money | null;
  @Field(() => Money, { nullable: true, description: 'Cost of one bin holding stock for one day.' })
  storagePerBinDay!: Money | null;
  static from(v: CostModelView): CostModel {
    return { perOrderHandled: v.perOrderHandled, perUnitPicked: v.perUnitPicked, storagePerBinDay: v.storagePerBinDay };
  }
}

@InputType('CostModelInput', { description: 'Changes to the cost model: a rate left out stays, an explicit null clears it; all rates in one currency.' })
export class CostModelInput {
  @Field(() => MoneyInput, { nullable: true, description: 'Per order handled.' })
  perOrderHandled?: MoneyInput | null;
  @Field(() => MoneyInput, { nullable: true, description: 'Per unit picked.' })
  perUnitPicked?: MoneyInput | null;
  @Field(() => MoneyInput, { nullable: true, description: 'Per bin and day of storage.' })
  storagePerBinDay?: MoneyInput | null;
}

@ObjectType('CostModelPayload', { description: 'Result of costModelUpdate.' })
export class CostModelPayload {
  @Field(() => CostModel, { nullable: true, description: 'The cost model as it is now.' })
  costModel?: CostModel | null;
  @Field(() => [UserError], { description: 'Why nothing was changed.' })
  userErrors!: UserError[];
}
