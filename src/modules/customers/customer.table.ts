import { pgTable, text } from 'drizzle-orm/pg-core';
import { createdAt, idColumn } from '../../db/columns.js';

export const customers = pgTable('customers', {
  id: idColumn(),
  /** Stored lower-cased; unique. */
  email: text('email').notNull().unique(),
  name: text('name'),
  phone: text('phone'),
  locale: text('locale').notNull().default('en'),
  passwordHash: text('password_hash'),
  createdAt: createdAt(),
});
