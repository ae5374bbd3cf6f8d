/**
 * Schema-driven fuzzing (fuzz.test.ts): fast-check arbitraries for the arguments of any root field,
 * built from the served schema (introspection → buildClientSchema), so a new mutation or query is
 * fuzzed without touching this file. Two kinds of case:
 *
 * - typed: every value has the declared type (required fields present, enums valid), so the
 *   request gets past GraphQL's coercion into the resolvers and services, but the values are hostile:
 *   boundary integers, extreme floats, 10k+ and odd Unicode strings, real ids of the right type,
 *   valid-looking ids of another type, dates at the ends of the calendar;
 * - wild: some values break the type (missing required fields, unknown fields, wrong enum values,
 *   NaN-like strings for numbers, 2^53, deeply nested lists, nulls for non-null), which GraphQL must
 *   refuse with BAD_USER_INPUT / GRAPHQL_VALIDATION_FAILED before anything runs.
 *
 * Each case is sent with variables or, for some, with the values printed inline as literals (the
 * other parser path: literals are coerced by the validation rules, variables by the executor).
 */
import fc from 'fast-check';
import {
  GraphQLEnumType,
  GraphQLInputObjectType,
  GraphQLInterfaceType,
  GraphQLList,

  GraphQLObjectType,
  GraphQLScalarType,
  GraphQLUnionType,
  getNamedType,
  isLeafType,
  isNonNullType,
  type GraphQLArgument,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLOutputType,
  type GraphQLSchema,
} from 'graphql';
import { fromGlobalId, toGlobalId } from '../../src/graphql/relay.js';

/** What the seeded store gave the fuzzer to aim at: global ids per type, and strings per field name (sku, code, email…). */
export interface Pools {
  ids: Map<string, string[]>;
  strings: Map<string, string[]>;
  /** Ids never to aim at (the fuzzer's own API key: revoking it would end the run). */
  exclude: Set<string>;
}

export const emptyPools = (): Pools => ({ ids: new Map(), strings: new Map(), exclude: new Set() });

const STRING_KEYS = new Set(['sku', 'code', 'email', 'number', 'trackingNumber', 'barcode', 'gtin', 'slug', 'reference', 'channel', 'currency', 'countryCode', 'name', 'serviceCode', 'carrierCode']);

/**
 * Collects every global id (by its type) and the strings under interesting keys, by key and by
 * `<__typename>.<key>` (Warehouse.code, BinLocation.barcode…), from a response.
 */
export function harvest(value: unknown, pools: Pools, key = '', typename = ''): void {
  if (typeof value === 'string') {
    const g = value.length < 200 ? fromGlobalId(value) : null;
    if (g) {
      if (!pools.exclude.has(value)) add(pools.ids, g.type, value);
    }
    else if (STRING_KEYS.has(key) && value.length < 200) {
      add(pools.strings, key.toLowerCase(), value);
      if (typename) add(pools.strings, `${typename}.${key}`.toLowerCase(), value);
    }
    return;
  }
  if (Array.isArray(value)) for (const v of value) harvest(v, pools, key, typename);
  else if (value && typeof value === 'object') {
    const t = typeof (value as { __typename?: unknown }).__typename === 'string' ? (value as { __typename: string }).__typename : '';
    for (const [k, v] of Object.entries(value)) harvest(v, pools, k, t);
  }
}

function add(m: Map<string, string[]>, k: string, v: string) {
  const list = m.get(k) ?? [];
  if (list.length < 200 && !list.includes(v)) list.push(v);
  m.set(k, list);
}

// ---------------------------------------------------------------------------------------------
// Leaf values

const INT_EDGES = [0, -1, 1, 2, 3, 7, 10, 100, 1000, 65_535, 2 ** 31 - 1, -(2 ** 31), 2 ** 31 - 2, -(2 ** 31) + 1];
const FLOAT_EDGES = [0, -1, 0.5, 1e-308, -1e-308, 5e-324, 1e308, -1e308, 1.7976931348623157e308, 90, -90, 180, -180, 90.000001, 1e-7, 0.1 + 0.2];
/** Not of the type at all: GraphQL must refuse these for Int / Float. */
const NUMBER_GARBAGE: unknown[] = [2 ** 53, -(2 ** 53), 2 ** 31, -(2 ** 31) - 1, 1e308, -1e308, 1.5, 'NaN', 'Infinity', '-Infinity', '1', '', true, null, [], {}, [1], { value: 1 }];

const LONG = 'x'.repeat(10_050);
/** Strings that have broken APIs before: long, odd Unicode, NUL and lone surrogates (refused at the edge), injection-looking text. */
export const ODD_STRINGS: readonly string[] = [
  '',
  ' ',
  '   \t\n  ',
  LONG,
  'я'.repeat(12_000),
  '👩‍👩‍👧‍👦'.repeat(2_000),
  '\u202Eevil\u202C.exe',
  'مرحبا بالعالم',
  'שלום\u200F',
  'a\u200B\u200C\u200D\uFEFFb',
  '\u200B',
  'a\u0000b',
  '\u0000',
  'a\uD800b',
  '\uDFFFz',
  '😀🏳️‍🌈🇷🇺',
  'Z̷̛͓̈a̴͔͌l̵̰̇g̶̡̓o̷̜͝',
  "' OR '1'='1",
  "Robert'); DROP TABLE orders;--",
  '1; select pg_sleep(10)',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '${jndi:ldap://127.0.0.1/a}',
  '{{7*7}}',
  '%s%n%x',
  '../../../../etc/passwd',
  '\\',
  '"',
  'null',
  'undefined',
  'NaN',
  'Infinity',
  '-1',
  '1e308',
  '{"a":1}',
  '[]',
  'RU',
  'USD',
  'XXX',
  'en',
  'zz-ZZ-invalid',
  'test@example.com',
  'not-an-email',
  'a@b',
  '+7 900 000-00-00',
  'http://127.0.0.1:1/hook',
  'https://example.com/hook',
  'ftp://example.com',
  'javascript:alert(1)',
  '4600000000000',
  '46000000000000',
  'A-1-1-1',
];

const oddString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 20 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 10_001, maxLength: 10_100 }) },
);

const NOW = Date.UTC(2026, 0, 15, 12);
const DATE_EDGES = [
  '1970-01-01T00:00:00Z',
  '0001-01-01T00:00:00Z',
  '9999-12-31T23:59:59.999Z',
  '2024-02-29T12:00:00+14:00',
  '2024-12-31T23:59:59-12:00',
  '1900-01-01T00:00:00.000Z',
];
const DATE_GARBAGE: unknown[] = ['', 'not a date', '2024-13-45T25:61:61Z', '0000-00-00T00:00:00Z', '+275760-09-13T00:00:00.000Z', '-000001-01-01T00:00:00Z', 1e308, -1, 0, 'NaN', true, {}, '2024-01-01', '2024-01-01T00:00:00'];
const dateTyped = fc.oneof(
  fc.constantFrom(...DATE_EDGES),
  fc.integer({ min: -400, max: 400 }).map((d) => new Date(NOW + d * 86_400_000).toISOString()),
  fc.date({ min: new Date('0001-01-01T00:00:00Z'), max: new Date('9999-12-31T23:59:59Z'), noInvalidDate: true }).map((d) => d.toISOString()),
);

const uuid = fc.uuid({ version: 4 });

/** Type names a bare argument name points at: `orderId` → Order, `warehouseIds` → Warehouse. */
function idTypeHints(argName: string, fieldReturn: string | undefined, pools: Pools): string[] {
  const base = argName.replace(/Ids?$/, '');
  const cap = base.charAt(0).toUpperCase() + base.slice(1);
  const hints = [...pools.ids.keys()].filter((t) => t === cap || t.endsWith(cap) || (argName === 'id' && fieldReturn && fieldReturn.startsWith(t)));
  return hints;
}

function idArb(argName: string, fieldReturn: string | undefined, pools: Pools, typed: boolean): fc.Arbitrary<unknown> {
  const allTypes = [...pools.ids.keys()];
  const all = allTypes.flatMap((t) => pools.ids.get(t)!);
  const hinted = idTypeHints(argName, fieldReturn, pools).flatMap((t) => pools.ids.get(t)!);
  const typeNames = allTypes.length ? allTypes : ['Order', 'Warehouse', 'ProductVariant'];
  const options: fc.WeightedArbitrary<unknown>[] = [
    { weight: 3, arbitrary: fc.tuple(fc.constantFrom(...typeNames), uuid).map(([t, u]) => toGlobalId(t, u)) }, // valid-looking, points at nothing
    { weight: 2, arbitrary: fc.constantFrom('', 'x', 'null', '0', '-1', 'T3JkZXI6', 'T3JkZXI6bm90LWEtdXVpZA', Buffer.from('Order:').toString('base64url'), LONG, '=='.repeat(40)) },
    { weight: 1, arbitrary: uuid },
    { weight: 1, arbitrary: fc.tuple(fc.constantFrom('Order', 'Nope', '', 'order'), fc.string({ maxLength: 40 })).map(([t, s]) => toGlobalId(t, s)) },
    { weight: 1, arbitrary: oddString },
  ];
  if (all.length) options.push({ weight: 4, arbitrary: fc.constantFrom(...all) }); // real rows, often of the wrong type
  if (hinted.length) options.push({ weight: 8, arbitrary: fc.constantFrom(...hinted) });
  const base = fc.oneof(...options);
  return typed ? base : fc.oneof(base, fc.constantFrom<unknown>(0, 1, -1, 2 ** 53, 1.5, true, null, [], {}));
}

function stringArb(argName: string, pools: Pools, typed: boolean): fc.Arbitrary<unknown> {
  const key = argName.toLowerCase();
  const pooled = [...pools.strings.entries()].filter(([k]) => key.includes(k) || k.includes(key)).flatMap(([, v]) => v);
  const options: fc.WeightedArbitrary<unknown>[] = [{ weight: 5, arbitrary: oddString }];
  if (pooled.length) options.push({ weight: 5, arbitrary: fc.constantFrom(...pooled) });
  const base = fc.oneof(...options);
  return typed ? base : fc.oneof(base, fc.constantFrom<unknown>(0, -1, 1.5, true, null, [], {}, ['a'], { a: 'b' }));
}

/** `warehouseCode` → ['warehouse.code', 'code'], `sku` → ['sku']: the pool keys a name points at. */
function poolKeys(name: string): string[] {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase().split(' ');
  const last = words.at(-1)!;
  const owner = words.slice(0, -1).join('');
  return owner ? [`${owner}.${last}`, name.toLowerCase()] : [name.toLowerCase()];
}

function pooled(name: string, pools: Pools): string[] {
  for (const k of poolKeys(name)) {
    const hit = [...pools.strings.entries()].filter(([pk]) => pk === k || (k.includes('.') && pk.startsWith(k.split('.')[0]!) && pk.endsWith(`.${k.split('.')[1]}`)));
    if (hit.length) return hit.flatMap(([, v]) => v);
  }
  return [];
}

/** What a client would send for a field of this name. */
function plausibleString(name: string, pools: Pools): fc.Arbitrary<unknown> {
  const n = name.toLowerCase();
  const real = pooled(name, pools);
  if (real.length && !/^(name|title|subject|body|comment|description)$/.test(n)) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...real) }, { weight: 1, arbitrary: fc.stringMatching(/^[A-Z][A-Z0-9]{1,6}$/) });
  const fixed: [RegExp, string[]][] = [
    [/email/, ['fuzz.customer@example.com', 'someone@example.com', 'new.buyer@example.org']],
    [/currency/, ['RUB', 'USD', 'EUR']],
    [/country/, ['RU', 'DE', 'KZ']],
    [/url|endpoint/, ['https://example.com/hooks/fuzz', 'http://127.0.0.1:9/none']],
    [/locale|language/, ['ru', 'en', 'en-GB']],
    [/phone/, ['+7 900 000-00-00', '+49 30 123456']],
    [/postal|zip/, ['101000', '190000']],
    [/password|secret/, ['fuzz-password-123', 'a-long-enough-secret-value-000000000']],
    [/timezone/, ['Europe/Moscow', 'UTC']],
    [/date$/, ['2026-01-10', '2025-12-01']],
    [/week/, ['2025-W50', '2026-W01']],
    [/city/, ['Москва', 'Санкт-Петербург']],
    [/line1|street|address/, ['ул. Тверская, 1', 'Невский пр., 28']],
    [/hours/, ['Mo-Fr 09:00-21:00']],
    [/scope/, ['admin', 'read_orders', 'write_inventory']],
  ];
  for (const [re, values] of fixed) if (re.test(n)) return fc.constantFrom(...values);
  return fc.oneof(fc.constantFrom('Fuzz', 'Тест', 'Damaged in transit', 'A1', 'FUZZ-1'), fc.stringMatching(/^[A-Z][A-Z0-9_-]{1,10}$/));
}

function plausibleInt(name: string): fc.Arbitrary<unknown> {
  const n = name.toLowerCase();
  if (n === 'first' || n === 'last') return fc.integer({ min: 1, max: 50 });
  if (/percent|score/.test(n)) return fc.integer({ min: 0, max: 100 }).map((x) => (n.includes('score') ? 1 + (x % 5) : x));
  if (/days|weeks/.test(n)) return fc.integer({ min: 1, max: 60 });
  if (/grams|mm|capacity|minor|amount|points|cost|price/.test(n)) return fc.integer({ min: 1, max: 5000 });
  return fc.integer({ min: 0, max: 5 });
}

function plausibleScalar(t: GraphQLScalarType, name: string, fieldReturn: string | undefined, pools: Pools): fc.Arbitrary<unknown> {
  const n = name.toLowerCase();
  switch (t.name) {
    case 'Int':
      return plausibleInt(name);
    case 'Float':
      if (n.startsWith('lat')) return fc.double({ min: 55, max: 60, noNaN: true });
      if (n.startsWith('lng') || n.startsWith('lon')) return fc.double({ min: 30, max: 38, noNaN: true });
      return fc.double({ min: 0, max: 10, noNaN: true });
    case 'Boolean':
      return fc.boolean();
    case 'String':
      return plausibleString(name, pools);
    case 'ID': {
      const hinted = idTypeHints(name, fieldReturn, pools).flatMap((h) => pools.ids.get(h)!);
      return hinted.length ? fc.constantFrom(...hinted) : idArb(name, fieldReturn, pools, true);
    }
    case 'DateTime':
      return fc.integer({ min: -30, max: 30 }).map((d) => new Date(Date.now() + d * 86_400_000).toISOString());
    default:
      return scalarArb(t, name, fieldReturn, pools, true);
  }
}

function scalarArb(t: GraphQLScalarType, argName: string, fieldReturn: string | undefined, pools: Pools, typed: boolean): fc.Arbitrary<unknown> {
  switch (t.name) {
    case 'Int': {
      const ok = fc.oneof(fc.constantFrom(...INT_EDGES), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -5, max: 50 }));
      return typed ? ok : fc.oneof(ok, fc.constantFrom(...NUMBER_GARBAGE));
    }
    case 'Float': {
      const ok = fc.oneof(fc.constantFrom(...FLOAT_EDGES), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.double({ min: -200, max: 200, noNaN: true }));
      return typed ? ok : fc.oneof(ok, fc.constantFrom<unknown>('NaN', 'Infinity', '-Infinity', '1.5', true, null, {}, [0.5]));
    }
    case 'Boolean':
      return typed ? fc.boolean() : fc.constantFrom<unknown>(true, false, 'true', 0, 1, null, 'yes', []);
    case 'String':
      return stringArb(argName, pools, typed);
    case 'ID':
      return idArb(argName, fieldReturn, pools, typed);
    case 'DateTime':
      return typed ? dateTyped : fc.oneof(dateTyped, fc.constantFrom(...DATE_GARBAGE));
    default:
      // A custom scalar this file does not know (JSON, Money, URL…): anything JSON can carry.
      return fc.oneof(oddString, fc.jsonValue({ maxDepth: 3 }), fc.constantFrom<unknown>(1e308, -1e308, 'NaN', null));
  }
}

// ---------------------------------------------------------------------------------------------
// Structured values

/** Nested lists deeper than any input type: GraphQL must refuse them without recursing forever. */
const deepList = fc.integer({ min: 20, max: 400 }).map((n) => {
  let v: unknown = 1;
  for (let i = 0; i < n; i++) v = [v];
  return v;
});

/** Marks a value that must be left out (a missing field or argument). */
export const OMIT = Symbol('omit');

/**
 * plausible: values a client would send (real codes, SKUs and ids, small quantities), a hostile one
 * now and then, so cases get through validation and change things; hostile: every value of the
 * declared type but the worst of it; wild: some values of the wrong type.
 */
export type Mode = 'plausible' | 'hostile' | 'wild';

export interface ArbOptions {
  pools: Pools;
  mode: Mode;
  /** mode !== 'wild' */
  typed: boolean;
  /** The root field's return type name (an `id` argument of `order(id:)` wants an Order id). */
  fieldReturn?: string;
}

/** The arbitrary of a value of `type` (see the module doc for typed / wild). `name`: the argument or field name, for hints. */
export function valueArb(type: GraphQLInputType, name: string, o: ArbOptions, depth = 0): fc.Arbitrary<unknown> {
  if (isNonNullType(type)) {
    const inner = bareArb(type.ofType, name, o, depth);
    if (o.typed) return inner;
    return fc.oneof({ weight: 8, arbitrary: inner }, { weight: 1, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(OMIT) });
  }
  // A nullable value: given, null, or left out.
  return fc.oneof({ weight: 6, arbitrary: bareArb(type, name, o, depth) }, { weight: o.mode === 'plausible' ? 0 : 1, arbitrary: fc.constant(null) }, { weight: 3, arbitrary: fc.constant(OMIT) });
}

/** A value of the (nullable) `type` itself. */
function bareArb(type: GraphQLInputType, name: string, o: ArbOptions, depth: number): fc.Arbitrary<unknown> {
  if (type instanceof GraphQLList) {
    if (depth > 6) return fc.constant([]);
    const item = valueArb(type.ofType, name, o, depth + 1).map((v) => (v === OMIT ? null : v));
    const lists: fc.WeightedArbitrary<unknown>[] = [
      { weight: 8, arbitrary: fc.array(item, { minLength: o.mode === 'plausible' ? 1 : 0, maxLength: 3 }) },
      { weight: o.mode === 'plausible' ? 0 : 1, arbitrary: fc.array(item, { minLength: 20, maxLength: 60 }) },
      { weight: 1, arbitrary: item }, // a single value where a list is declared (GraphQL coerces it)
    ];
    if (!o.typed) lists.push({ weight: 2, arbitrary: deepList }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', {}, [[]], [[[1]]]) });
    return fc.oneof(...lists);
  }
  if (type instanceof GraphQLEnumType) {
    const values = type.getValues().map((v) => v.name);
    const ok = fc.constantFrom(...values);
    return o.typed ? ok : fc.oneof({ weight: 3, arbitrary: ok }, { weight: 1, arbitrary: fc.constantFrom<unknown>('NOT_A_VALUE', values[0]!.toLowerCase(), '', 0, null, [values[0]], 'true') });
  }
  if (type instanceof GraphQLScalarType) {
    if (o.mode === 'plausible') return fc.oneof({ weight: 12, arbitrary: plausibleScalar(type, name, o.fieldReturn, o.pools) }, { weight: 1, arbitrary: scalarArb(type, name, o.fieldReturn, o.pools, true) });
    return scalarArb(type, name, o.fieldReturn, o.pools, o.typed);
  }
  if (type instanceof GraphQLInputObjectType) {
    if (depth > 6) return fc.constant(null);
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    for (const f of Object.values(type.getFields())) {
      const a = valueArb(f.type, f.name, o, depth + 1);
      // A field with a default may be left out even when required.
      record[f.name] = f.defaultValue !== undefined ? fc.oneof(a, fc.constant(OMIT)) : a;
    }
    const obj = fc.record(record).map(stripOmitted);
    if (o.typed) return obj;
    const extra = fc.tuple(obj, fc.constantFrom('unknownField', '__proto__', 'constructor', 'id', 'extra_field'), fc.jsonValue({ maxDepth: 1 })).map(([v, k, x]) =>
      Object.defineProperty({ ...v }, k, { value: x, enumerable: true, configurable: true, writable: true }),
    );
    return fc.oneof({ weight: 4, arbitrary: obj }, { weight: 2, arbitrary: extra }, { weight: 1, arbitrary: fc.constantFrom<unknown>('x', 1, [], [{}], true) });
  }
  throw new Error(`no arbitrary for input type ${String(type)}`);
}

function stripOmitted(v: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) if (x !== OMIT) out[k] = x;
  return out;
}

// ---------------------------------------------------------------------------------------------
// Operations

export type Auth = 'admin' | 'anonymous' | 'customer';

export type OperationKind = 'query' | 'mutation' | 'subscription';

export interface FuzzCase {
  kind: OperationKind;
  field: string;
  auth: Auth;
  mode: Mode;
  /** Values printed inline as literals instead of variables. */
  inline: boolean;
  args: Record<string, unknown>;
}

/** The arbitrary of one root field's cases. */
export function caseArb(kind: OperationKind, field: GraphQLField<unknown, unknown>, pools: Pools): fc.Arbitrary<FuzzCase> {
  const fieldReturn = getNamedType(field.type).name;
  const argsOf = (mode: Mode) => {
    const rec: Record<string, fc.Arbitrary<unknown>> = {};
    for (const a of field.args) rec[a.name] = valueArb(a.type, a.name, { pools, mode, typed: mode !== 'wild', fieldReturn });
    return fc.record(rec).map(stripOmitted);
  };
  return fc
    .record({
      mode: fc.oneof({ weight: 4, arbitrary: fc.constant<Mode>('plausible') }, { weight: 4, arbitrary: fc.constant<Mode>('hostile') }, { weight: 2, arbitrary: fc.constant<Mode>('wild') }),
      auth: fc.oneof({ weight: 8, arbitrary: fc.constant<Auth>('admin') }, { weight: 1, arbitrary: fc.constant<Auth>('anonymous') }, { weight: 1, arbitrary: fc.constant<Auth>('customer') }),
      inline: fc.oneof({ weight: 5, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    })
    .chain(({ mode, auth, inline }) => argsOf(mode).map((args) => ({ kind, field: field.name, auth, mode, inline, args })));
}

/**
 * A selection set of `type`: its leaf fields without required arguments, `userErrors { field message code }`,
 * and (to `depth`) the same of its object fields; abstract types get `__typename` and their own fields.
 */
export function selection(type: GraphQLOutputType, depth: number): string {
  const named = getNamedType(type);
  if (isLeafType(named)) return '';
  if (named instanceof GraphQLUnionType) return '{ __typename }';
  const t = named as GraphQLObjectType | GraphQLInterfaceType;
  const parts = ['__typename'];
  for (const f of Object.values(t.getFields())) {
    if (f.args.some((a: GraphQLArgument) => isNonNullType(a.type) && a.defaultValue === undefined)) continue;
    const inner = getNamedType(f.type);
    if (f.name === 'userErrors') parts.push('userErrors { field message code }');
    else if (isLeafType(inner)) parts.push(f.name);
    else if (depth > 0) {
      const sub = selection(f.type, depth - 1);
      if (sub) parts.push(`${f.name} ${sub}`);
    } else if (inner instanceof GraphQLObjectType && 'id' in inner.getFields()) parts.push(`${f.name} { id }`);
  }
  return `{ ${parts.join(' ')} }`;
}

/** Prints a JSON value as a GraphQL literal of `type` (enum values bare when they are names). */
export function literal(value: unknown, type: GraphQLInputType | undefined): string {
  const named = type ? getNamedType(type) : undefined;
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const inner = type && (isNonNullType(type) ? type.ofType : type);
    const item = inner instanceof GraphQLList ? inner.ofType : inner;
    return `[${value.map((v) => literal(v, item as GraphQLInputType | undefined)).join(', ')}]`;
  }
  if (typeof value === 'object') {
    const fields = named instanceof GraphQLInputObjectType ? named.getFields() : {};
    return `{ ${Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => `${/^[_A-Za-z][_0-9A-Za-z]*$/.test(k) ? k : 'badName'}: ${literal(v, fields[k]?.type)}`)
      .join(', ')} }`;
  }
  if (named instanceof GraphQLEnumType && typeof value === 'string' && /^[_A-Za-z][_0-9A-Za-z]*$/.test(value) && !['true', 'false', 'null'].includes(value)) return value;
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '0';
  return JSON.stringify(value);
}

/** The document and variables of a case. */
export function operation(schema: GraphQLSchema, c: FuzzCase, depth: number): { query: string; variables: Record<string, unknown> } {
  const root = rootType(schema, c.kind)!;
  const field = root.getFields()[c.field]!;
  const decls: string[] = [];
  const callArgs: string[] = [];
  const variables: Record<string, unknown> = {};
  for (const a of field.args) {
    if (!(a.name in c.args)) continue;
    const v = c.args[a.name];
    if (c.inline) callArgs.push(`${a.name}: ${literal(v, a.type)}`);
    else {
      decls.push(`$${a.name}: ${String(a.type)}`);
      callArgs.push(`${a.name}: $${a.name}`);
      variables[a.name] = v;
    }
  }
  const sel = selection(field.type, depth);
  const call = `${c.field}${callArgs.length ? `(${callArgs.join(', ')})` : ''}`;
  return { query: `${c.kind} Fuzz${decls.length ? `(${decls.join(', ')})` : ''} { ${call} ${sel} }`, variables };
}

const rootType = (schema: GraphQLSchema, kind: OperationKind) =>
  kind === 'mutation' ? schema.getMutationType() : kind === 'subscription' ? schema.getSubscriptionType() : schema.getQueryType();

export const rootFields = (schema: GraphQLSchema, kind: OperationKind) => Object.values(rootType(schema, kind)?.getFields() ?? {});

/** True when a root field can be asked with no arguments (to harvest ids). */
export const askableBare = (f: GraphQLField<unknown, unknown>) => f.args.every((a) => !isNonNullType(a.type) || a.defaultValue !== undefined);

