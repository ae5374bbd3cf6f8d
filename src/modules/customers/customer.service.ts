/** Customers: creation with a hashed password, lookup, password verification. */
import { randomBytes, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { secretEquals } from '../../shared/secret-compare.js';
import { count, eq, ilike, inArray, or, sql } from 'drizzle-orm';
import { parsePhoneNumberFromString } from 'libphonenumber-js';
import validator from 'validator';
import type { Executor } from '../../db/client.js';
import { containsPattern, likeEscape } from '../../db/like.js';
import { finishPage, planPage, type Page, type PageArgs } from '../../db/pagination.js';
import { transact } from '../../events/outbox.js';
import { AccessError, BusinessError, ErrorList } from '../../shared/errors.js';
import { hasScope } from '../../shared/principal.js';
import { searchText } from '../../shared/search-text.js';
import type { ServiceContext } from '../../shared/service-context.js';
import { customers } from './customer.table.js';

export type CustomerRow = typeof customers.$inferSelect;

export interface CustomerCreateInput {
  email: string;
  name?: string | null;
  phone?: string | null;
  locale?: string | null;
  password?: string | null;
}

// scrypt parameters (N=2^14, r=8, p=1: OWASP's minimum for scrypt); stored with the hash so they can grow.
const SCRYPT = { N: 16384, r: 8, p: 1, keylen: 32 };

function scrypt(password: string, salt: Buffer, keylen: number, opts: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    scryptCb(password, salt, keylen, opts, (err, key) => (err ? reject(err) : resolve(key))),
  );
}

/** Hashes a password as `scrypt$N$r$p$salt$hash` (base64). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const key = await scrypt(password, salt, SCRYPT.keylen, { N: SCRYPT.N, r: SCRYPT.r, p: SCRYPT.p });
  return ['scrypt', SCRYPT.N, SCRYPT.r, SCRYPT.p, salt.toString('base64'), key.toString('base64')].join('$');
}

/** Verifies a password against a stored hash in constant time. */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const [alg, n, r, p, salt, hash] = stored.split('$');
  if (alg !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64');
  const key = await scrypt(password, Buffer.from(salt, 'base64'), expected.length, { N: Number(n), r: Number(r), p: Number(p) });
  return secretEquals(key, expected);
}

// A hash to compare against when the e-mail is unknown, so both failures take the same time.
const dummyHash = hashPassword(randomBytes(16).toString('hex'));

export const normalizeEmail = (email: string): string => email.trim().toLowerCase();

function canonicalLocale(tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** Validates and creates a customer. Errors: INVALID, EMAIL_TAKEN. */
export async function createCustomer(ctx: ServiceContext, input: CustomerCreateInput): Promise<CustomerRow> {
  const errors = new ErrorList();
  const email = normalizeEmail(input.email);
  if (!validator.isEmail(email)) errors.add('INVALID', 'Not a valid e-mail address.', ['input', 'email']);
  const locale = input.locale == null ? 'en' : canonicalLocale(input.locale);
  if (!locale) errors.add('INVALID', 'Locale must be a BCP 47 language tag, e.g. ru or en-GB.', ['input', 'locale']);
  if (input.name != null && input.name.length > 200) errors.add('INVALID', 'Name is longer than 200 characters.', ['input', 'name']);
  if (input.phone != null && !/^\+?[0-9 ()-]{5,20}$/.test(input.phone)) errors.add('INVALID', 'Not a valid phone number.', ['input', 'phone']);
  if (input.password != null && (input.password.length < 8 || input.password.length > 200)) {
    errors.add('INVALID', 'Password must be 8 to 200 characters.', ['input', 'password']);
  }
  errors.throwIfAny();
  const passwordHash = input.password != null ? await hashPassword(input.password) : null;
  return transact(ctx, async (tx, events) => {
    const [row] = await tx
      .insert(customers)
      .values({ email, name: input.name ?? null, phone: input.phone ?? null, locale: locale!, passwordHash })
      .onConflictDoNothing({ target: customers.email })
      .returning();
    if (!row) throw BusinessError.of('EMAIL_TAKEN', 'A customer with this e-mail already exists.', ['input', 'email']);
    await events.emit({ topic: 'customer.created', payload: { customerId: row.id } });
    return row;
  });
}

/** The customer with this e-mail and password, or null (same timing for unknown e-mail and wrong password). */
export async function verifyCustomerCredentials(ctx: ServiceContext, email: string, password: string): Promise<CustomerRow | null> {
  const [row] = await ctx.database.db.select().from(customers).where(eq(customers.email, normalizeEmail(email))).limit(1);
  const ok = await verifyPassword(password, row?.passwordHash ?? (await dummyHash));
  return row && row.passwordHash && ok ? row : null;
}

/** Loads customers by id (for loaders); rows the caller may not see are left out. */
export async function customersByIds(ctx: ServiceContext, ids: readonly string[]): Promise<CustomerRow[]> {
  const rows = await ctx.database.db.select().from(customers).where(inArray(customers.id, [...ids]));
  return rows.filter((r) => mayViewCustomer(ctx, r.id));
}

/** Staff with read_customers see every customer; a customer sees itself. */
export function mayViewCustomer(ctx: ServiceContext, customerId: string): boolean {
  const p = ctx.principal;
  return p.kind === 'CUSTOMER' ? p.customerId === customerId : hasScope(p, 'read_customers');
}

/** Customers, newest first, optionally filtered by e-mail or name. */
export async function listCustomers(ctx: ServiceContext, args: PageArgs & { query?: string | null }): Promise<Page<CustomerRow>> {
  if (!hasScope(ctx.principal, 'read_customers')) throw new AccessError('FORBIDDEN', 'Forbidden: requires scope read_customers.');
  const q = searchText(args.query, 'query');
  const filter = q ? or(ilike(customers.email, containsPattern(q)), ilike(customers.name, containsPattern(q))) : undefined;
  const plan = planPage(args, customers.id, filter);
  const rows = await ctx.database.db.select().from(customers).where(plan.where).orderBy(plan.orderBy).limit(plan.limit);
  return finishPage(rows, plan, args, async () => {
    const [r] = await ctx.database.db.select({ n: count() }).from(customers).where(filter);
    return Number(r?.n ?? 0);
  });
}


/**
 * The customer with this e-mail, created if new, in the caller's transaction (order intake).
 * Errors: INVALID (e-mail, locale) at `field`.
 */
export async function findOrCreateCustomer(
  tx: Executor,
  input: { email: string; name?: string | null; phone?: string | null; locale?: string | null },
  field: string[],
): Promise<{ customer: CustomerRow; created: boolean }> {
  const email = normalizeEmail(input.email);
  const errors = new ErrorList();
  if (!validator.isEmail(email)) errors.add('INVALID', 'Not a valid e-mail address.', [...field, 'email']);
  const locale = input.locale == null ? 'en' : canonicalLocale(input.locale);
  if (!locale) errors.add('INVALID', 'Locale must be a BCP 47 language tag, e.g. ru or en-GB.', [...field, 'locale']);
  errors.throwIfAny();
  const [created] = await tx
    .insert(customers)
    .values({ email, name: input.name ?? null, phone: input.phone ?? null, locale: locale! })
    .onConflictDoNothing({ target: customers.email })
    .returning();
  if (created) return { customer: created, created: true };
  const [existing] = await tx.select().from(customers).where(eq(customers.email, email));
  return { customer: existing!, created: false };
}

/**
 * A phone number in E.164 (+79007654321), or null when it is not a valid number. Numbers written
 * without a country code are read as Russian ones (the store's market): 8 (900) 765-43-21.
 * libphonenumber-js (Google's libphonenumber metadata, maintained) knows every country's lengths and
 * prefixes; a regular expression would accept numbers that cannot exist.
 */
export function e164Phone(phone: string): string | null {
  const parsed = parsePhoneNumberFromString(phone.trim(), 'RU');
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * The domain of the placeholder e-mail of a customer known only by phone (a call or a messenger
 * chat): `.invalid` is reserved (RFC 2606) and never delivered, and the notification pipeline
 * skips it (see `isPlaceholderEmail`).
 */
const PLACEHOLDER_EMAIL_DOMAIN = 'phone.customers.invalid';
export const isPlaceholderEmail = (email: string): boolean => email.endsWith(`@${PLACEHOLDER_EMAIL_DOMAIN}`);

/**
 * The customer a channel gateway names by e-mail or phone, created if new, in the caller's
 * transaction: by e-mail when given (its phone recorded if the customer had none), else by phone
 * (E.164, compared with the digits of stored numbers), else created with a placeholder e-mail
 * (`+7900…@phone.customers.invalid`). Errors: INVALID at `field` + email/phone.
 */
export async function findOrCreateCustomerByContact(
  tx: Executor,
  input: { email?: string | null; phone?: string | null; locale?: string | null },
  field: string[],
): Promise<{ customer: CustomerRow; created: boolean }> {
  const errors = new ErrorList();
  const email = input.email?.trim() ? normalizeEmail(input.email) : null;
  if (email !== null && !validator.isEmail(email)) errors.add('INVALID', 'Not a valid e-mail address.', [...field, 'customerEmail']);
  const phone = input.phone?.trim() ? e164Phone(input.phone) : null;
  if (input.phone?.trim() && !phone) errors.add('INVALID', 'Not a valid phone number (e.g. +7 900 765-43-21).', [...field, 'customerPhone']);
  if (email === null && !input.phone?.trim()) errors.add('INVALID', 'Name the customer by customerEmail or customerPhone.', [...field, 'customerEmail']);
  errors.throwIfAny();
  if (email !== null) {
    const found = await findOrCreateCustomer(tx, { email, phone, locale: input.locale }, field);
    if (phone && !found.customer.phone) {
      const [updated] = await tx.update(customers).set({ phone }).where(eq(customers.id, found.customer.id)).returning();
      return { customer: updated!, created: found.created };
    }
    return found;
  }
  const digits = phone!.slice(1);
  // Russian numbers are often stored with the trunk prefix 8 instead of +7.
  const forms = digits.startsWith('7') && digits.length === 11 ? [digits, `8${digits.slice(1)}`] : [digits];
  const [byPhone] = await tx
    .select()
    .from(customers)
    .where(inArray(sql`regexp_replace(${customers.phone}, '[^0-9]', '', 'g')`, forms))
    .orderBy(customers.createdAt)
    .limit(1);
  if (byPhone) return { customer: byPhone, created: false };
  return findOrCreateCustomer(tx, { email: `${phone}@${PLACEHOLDER_EMAIL_DOMAIN}`, phone, locale: input.locale }, field);
}

/** One customer by id without the viewer filter: for callers that establish access themselves (authentication by token). */
export async function customerById(db: Executor, id: string): Promise<CustomerRow | null> {
  const [row] = await db.select().from(customers).where(eq(customers.id, id)).limit(1);
  return row ?? null;
}

/**
 * The ids of the customers with this e-mail (case-insensitive; the text matches only itself, no
 * wildcards), as a subquery: another module filters by it in its own statement (orders by e-mail).
 */
export function customerIdsByEmail(db: Executor, email: string) {
  return db.select({ id: customers.id }).from(customers).where(ilike(customers.email, likeEscape(email)));
}

/** By id without the viewer filter: for callers that already checked access to the owning object (an order). */
export async function customersByIdsUnfiltered(ctx: ServiceContext, ids: readonly string[]): Promise<CustomerRow[]> {
  return ctx.database.db.select().from(customers).where(inArray(customers.id, [...ids]));
}
