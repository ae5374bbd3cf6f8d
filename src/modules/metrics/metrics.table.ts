/**
 * The metrics module's own data: the store's warehousing cost model (one row, id 'default'), which
 * KPIs turn into warehousingCostPerOrder. Each rate is optional (null: not configured).
 */
import { sql } from 'drizzle-orm';
import { check, integer, pgTable, text } from 'drizzle-orm/pg-core';
import { tstz } from '../../db/columns.js';

export const costModels = pgTable(
  'cost_models',
  {
    id: text('id').primaryKey(),
    /** Every rate is in this currency (null while none is set). */
    currency: text('currency'),
    perOrderHandledMinor: integer('per_order_handled_minor'),
    perUnitPickedMinor: integer('per_unit_picked_minor'),
    storagePerBinDayMinor: integer('storage_per_bin_day_minor'),
    updatedAt: tstz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    check('cost_models_non_negative', sql`coalesce(${t.perOrderHandledMinor}, 0) >= 0 and coalesce(${t.perUnitPickedMinor}, 0) >= 0 and coalesce(${t.storagePerBinDayMinor}, 0) >= 0`),
    check(
      'cost_models_currency',
      sql`(${t.currency} is null) = (${t.perOrderHandledMinor} is null and ${t.perUnitPickedMinor} is null and ${t.storagePerBinDayMinor} is null)`,
    ),
  ],
);
