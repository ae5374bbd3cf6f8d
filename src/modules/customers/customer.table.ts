import { sql } from 'drizzle-orm';
import { index, pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';

export const customers = pgTable(
  'customers',
  {
    id: idColumn(),
    /** Stored lower-cased; unique. */
    email: text('email').notNull().unique(),
    name: text('name'),
    phone: text('phone'),
    locale: text('locale').notNull().default('en'),
    passwordHash: text('password_hash'),
    createdAt: createdAt(),
  },
  // Channel gateways find customers by phone, however the number was written: by its digits.
  (t) => [index('customers_phone_digits_idx').on(sql`regexp_replace(${t.phone}, '[^0-9]', '', 'g')`)],
);
