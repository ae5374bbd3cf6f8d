/**
 * The edge check on every string a request carries: no NUL character and no unpaired UTF-16
 * surrogate, in variables or in the document's own string literals. PostgreSQL cannot store
 * either in text (`invalid byte sequence for encoding "UTF8"`), so such a string used to reach
 * the database, fail there as an internal error and get logged with the statement's parameters.
 * Both transports call `findUnsafeString` before anything executes (http.ts for every POST/GET,
 * fast path included; ws.ts in onSubscribe) and answer BAD_USER_INPUT naming where the string
 * was, never echoing it.
 */
import { GraphQLError, Kind, parse, type ValueNode } from 'graphql';

/** NUL, or a high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const UNSAFE = /\0|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** True when the text can be stored as PostgreSQL text. */
export const isSafeText = (s: string): boolean => !UNSAFE.test(s);

/** The path of the first unsafe string inside a JSON value (object keys included), or null. */
function findInValue(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return isSafeText(value) ? null : path;
  if (typeof value !== 'object' || value === null || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findInValue(value[i], `${path}[${i}]`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [k, v] of Object.entries(value)) {
    if (!isSafeText(k)) return path;
    const found = findInValue(v, `${path}.${k}`, depth + 1);
    if (found) return found;
  }
  return null;
}

function findInLiteral(node: ValueNode, path: string): string | null {
  switch (node.kind) {
    case Kind.STRING:
      return isSafeText(node.value) ? null : path;
    case Kind.LIST:
      for (let i = 0; i < node.values.length; i++) {
        const found = findInLiteral(node.values[i]!, `${path}[${i}]`);
        if (found) return found;
      }
      return null;
    case Kind.OBJECT:
      for (const f of node.fields) {
        const found = findInLiteral(f.value, `${path}.${f.name.value}`);
        if (found) return found;
      }
      return null;
    default:
      return null;
  }
}

/**
 * Where the document's string literals hold an unsafe string ("argument input.email of field
 * customerAccessTokenCreate"), or null. A literal can only carry NUL through a `\u` escape
 * (graphql-js refuses raw control characters and unpaired surrogate escapes itself), so a
 * document without one is not parsed here; one that does not parse is left to the normal
 * pipeline, which reports the syntax error.
 */
function findInDocument(query: string, maxTokens: number | undefined): string | null {
  if (!query.includes('\\u')) return isSafeText(query) ? null : 'query';
  let document;
  try {
    document = parse(query, { noLocation: true, maxTokens });
  } catch {
    return null;
  }
  let found: string | null = null;
  const fields: string[] = [];
  const walk = (node: unknown): void => {
    if (found || typeof node !== 'object' || node === null) return;
    const n = node as { kind?: string; name?: { value: string }; alias?: { value: string } };
    if (n.kind === Kind.ARGUMENT) {
      const arg = node as { name: { value: string }; value: ValueNode };
      const where = findInLiteral(arg.value, arg.name.value);
      if (where) found = `argument ${where} of field ${fields.at(-1) ?? '?'}`;
      return;
    }
    if (n.kind === Kind.VARIABLE_DEFINITION) {
      const def = node as { variable: { name: { value: string } }; defaultValue?: ValueNode };
      const where = def.defaultValue && findInLiteral(def.defaultValue, `$${def.variable.name.value}`);
      if (where) found = `default value ${where}`;
      return;
    }
    const isField = n.kind === Kind.FIELD || n.kind === Kind.DIRECTIVE;
    if (isField) fields.push(n.kind === Kind.DIRECTIVE ? `@${n.name!.value}` : n.name!.value);
    for (const [k, v] of Object.entries(node)) {
      if (k === 'loc') continue;
      if (Array.isArray(v)) v.forEach(walk);
      else walk(v);
    }
    if (isField) fields.pop();
  };
  walk(document);
  return found;
}

/** One GraphQL request as a transport received it. */
export interface RequestParts {
  query?: unknown;
  variables?: unknown;
  operationName?: unknown;
}

/**
 * The BAD_USER_INPUT error for the first string in the request that PostgreSQL could not store
 * (NUL or an unpaired surrogate), or null when every string is fine. The message names the
 * variable path or the argument, never the value.
 */
export function findUnsafeString(request: RequestParts, opts: { maxTokens?: number } = {}): GraphQLError | null {
  const where =
    (typeof request.query === 'string' ? findInDocument(request.query, opts.maxTokens) : null) ??
    findInValue(request.variables, 'variables') ??
    (typeof request.operationName === 'string' && !isSafeText(request.operationName) ? 'operationName' : null);
  if (!where) return null;
  return new GraphQLError(`Invalid text in ${where}: strings may not contain NUL characters or unpaired UTF-16 surrogates.`, {
    extensions: { code: 'BAD_USER_INPUT' },
  });
}

/** The parts of an HTTP request: the JSON body of a POST, or the `query`/`variables` parameters of a GET. */
export function httpRequestParts(body: unknown, url: URL): RequestParts {
  if (body !== undefined) return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as RequestParts) : { variables: body };
  let variables: unknown = undefined;
  const text = url.searchParams.get('variables');
  try {
    variables = text ? JSON.parse(text) : undefined;
  } catch {
    variables = text; // not JSON: Apollo refuses it; its characters are checked all the same
  }
  return { query: url.searchParams.get('query') ?? undefined, variables, operationName: url.searchParams.get('operationName') ?? undefined };
}
