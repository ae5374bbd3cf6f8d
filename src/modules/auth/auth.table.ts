import { index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { createdAt, idColumn, tstz } from '../../db/columns.js';
import { customers } from '../customers/customer.table.js';

/** API keys: only the SHA-256 of the secret is stored; the secret is shown once. */
export const apiKeys = pgTable('api_keys', {
  id: idColumn(),
  name: text('name').notNull(),
  kind: text('kind', { enum: ['STAFF', 'PARTNER'] }).notNull(),
  scopes: text('scopes').array().notNull(),
  prefix: text('prefix').notNull(),
  secretHash: text('secret_hash').notNull().unique(),
  warehouseCodes: text('warehouse_codes').array(),
  carrierCodes: text('carrier_codes').array(),
  createdAt: createdAt(),
  revokedAt: tstz('revoked_at'),
});

/** Customer access tokens: opaque, expiring, stored hashed. */
export const customerAccessTokens = pgTable(
  'customer_access_tokens',
  {
    id: idColumn(),
    customerId: uuid('customer_id')
      .notNull()
      .references(() => customers.id, { onDelete: 'cascade' }),
    tokenHash: text('token_hash').notNull().unique(),
    expiresAt: tstz('expires_at').notNull(),
    createdAt: createdAt(),
  },
  (t) => [index('customer_access_tokens_customer_idx').on(t.customerId)],
);
