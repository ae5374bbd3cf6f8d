/**
 * The rules every GraphQL document meets, whichever transport brought it: HTTP (Apollo and its
 * fast path) and WebSocket (graphql-ws) take them from `documentRules(config)`, so they cannot drift.
 *
 * - nesting: brackets (`{ [ (`) nest at most `maxNesting` deep, checked by a scan of the text
 *   before parsing; graphql-js parses (and later validates and coerces) values recursively, so a
 *   2,000-deep list literal, a few KB under the token limit, would overflow the stack;
 * - tokens: graphql-js's own parser limit (`maxTokens`);
 * - validation: graphql-js's specified rules, no introspection unless INTROSPECTION, and the
 *   graphql-armor limits (depth, aliases, directives, cost);
 * - suggestions ("Did you mean …?" lists of the schema's fields, arguments, types and enum
 *   values) are removed from every error message in production, and for anonymous callers
 *   everywhere: validation errors and variable coercion errors alike.
 *
 * Errors carry the codes Apollo gives: GRAPHQL_PARSE_FAILED, GRAPHQL_VALIDATION_FAILED,
 * BAD_USER_INPUT (variables); `makeFormatError` turns the limit messages into QUERY_TOO_COMPLEX.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import {
  getOperationAST,
  GraphQLError,
  Kind,
  parse,
  specifiedRules,
  validate,
  type DocumentNode,
  type GraphQLSchema,
  type ParseOptions,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { Principal } from '../shared/principal.js';

export interface DocumentRules {
  readonly parseOptions: ParseOptions;
  /** Validation rules beyond graphql-js's `specifiedRules`. */
  readonly validationRules: readonly ValidationRule[];
  /** Brackets may nest this deep: 100, or 4 × MAX_DEPTH when that is more. */
  readonly maxNesting: number;
  /** The nesting check alone (Apollo parses by itself): a QUERY_TOO_COMPLEX error, or null. */
  checkNesting(source: string): GraphQLError | null;
  /** Nesting check, parse and validation, for transports other than Apollo. */
  parseAndValidate(schema: GraphQLSchema, source: string): { document: DocumentNode; errors?: undefined } | { errors: GraphQLError[] };
  /** graphql-js's error when the document has no operation of this name (Apollo: OPERATION_RESOLUTION_FAILURE); null when it has. */
  resolveOperation(document: DocumentNode, operationName: string | null | undefined): GraphQLError | null;
  /** Removes "Did you mean …?" from the messages when this caller must not see them. */
  hideSuggestions(errors: readonly { message: string }[], principal: Principal): void;
  /** Variable coercion errors as Apollo tags them (BAD_USER_INPUT); others unchanged. */
  tagUserInput(errors: readonly GraphQLError[]): GraphQLError[];
  /** The Apollo plugins that apply these rules on HTTP (armor's, suggestions); apollo.ts checks the nesting. */
  readonly apolloPlugins: ApolloServerPlugin<GraphQLContext>[];
}

const SUGGESTION = / ?Did you mean .+\?$/;

/** The graphql-armor limits: depth, aliases, directives, cost; rejections are QUERY_TOO_COMPLEX. */
function armorProtection(config: Config) {
  const reject = {
    propagateOnRejection: false,
    onReject: [
      (ctx: ValidationContext | null, err: GraphQLError) =>
        ctx?.reportError(new GraphQLError(err.message.replace(/^Syntax Error: /, ''), { extensions: { code: 'QUERY_TOO_COMPLEX' } })),
    ],
  };
  return new ApolloArmor({
    maxDepth: { n: config.MAX_DEPTH, ignoreIntrospection: true, flattenFragments: true, ...reject },
    maxAliases: { n: config.MAX_ALIASES, ...reject },
    maxDirectives: { n: config.MAX_DIRECTIVES, ...reject },
    // Tokens are limited by graphql-js's own parser (parseOptions.maxTokens), so the error is a clean 400.
    maxTokens: { enabled: false },
    costLimit: { maxCost: config.MAX_COST, ignoreIntrospection: true, ...reject },
    // Armor's plugin hides only `Did you mean "…"` (not enum values), only in validation errors and
    // only on Apollo: hideSuggestions below covers variable errors and the WebSocket too.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

export function documentRules(config: Config): DocumentRules {
  const armor = armorProtection(config);
  const maxNesting = Math.max(100, 4 * config.MAX_DEPTH);
  const parseOptions: ParseOptions = { maxTokens: config.MAX_TOKENS };
  const validationRules: ValidationRule[] = [...(config.INTROSPECTION ? [] : [noIntrospection]), ...(armor.validationRules as ValidationRule[])];
  const allRules = [...specifiedRules, ...validationRules];

  const checkNesting = (source: string) =>
    nestingDepthExceeds(source, maxNesting)
      ? new GraphQLError(`Document nesting limit of ${maxNesting} exceeded.`, { extensions: { code: 'QUERY_TOO_COMPLEX', http: { status: 400 } } })
      : null;

  const hideSuggestions = (errors: readonly { message: string }[], principal: Principal) => {
    if (!config.isProduction && principal.kind !== 'ANONYMOUS') return;
    for (const e of errors) (e as { message: string }).message = e.message.replace(SUGGESTION, '');
  };

  return {
    parseOptions,
    validationRules,
    maxNesting,
    checkNesting,
    parseAndValidate(schema, source) {
      const deep = checkNesting(source);
      if (deep) return { errors: [deep] };
      let document: DocumentNode;
      try {
        document = parse(source, parseOptions);
      } catch (e) {
        const err = e instanceof GraphQLError ? e : new GraphQLError(String((e as Error)?.message ?? e));
        return { errors: [withCode(err, 'GRAPHQL_PARSE_FAILED')] };
      }
      const errors = validate(schema, document, allRules);
      if (errors.length) return { errors: errors.map((e) => withCode(e, 'GRAPHQL_VALIDATION_FAILED')) };
      return { document };
    },
    resolveOperation(document, operationName) {
      if (getOperationAST(document, operationName)) return null;
      const message = operationName
        ? `Unknown operation named "${operationName}".`
        : document.definitions.some((d) => d.kind === Kind.OPERATION_DEFINITION)
          ? 'Must provide operation name if query contains multiple operations.'
          : 'Must provide an operation.';
      return new GraphQLError(message, { extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
    },
    hideSuggestions,
    tagUserInput: (errors) => errors.map((e) => (isBadUserInputGraphQLError(e) && e.extensions?.code == null ? withCode(e, 'BAD_USER_INPUT', 'UserInputError') : e)),
    apolloPlugins: [
      ...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]),
      {
        async requestDidStart() {
          return {
            async didEncounterErrors({ errors, contextValue }) {
              hideSuggestions(errors, contextValue.principal);
            },
          };
        },
      },
    ],
  };
}

/** Apollo's NoIntrospection rule (not exported by the package), with a message that gives no server internals. */
const noIntrospection: ValidationRule = (context: ValidationContext) => ({
  Field(node) {
    if (node.name.value === '__schema' || node.name.value === '__type') {
      context.reportError(
        new GraphQLError('GraphQL introspection is not allowed.', { nodes: [node], extensions: { validationErrorCode: 'INTROSPECTION_DISABLED' } }),
      );
    }
  },
});

/** The error as Apollo's error classes make it: same message and nodes, this code. */
function withCode(e: GraphQLError, code: string, name?: string): GraphQLError {
  const err = new GraphQLError(e.message, {
    nodes: e.nodes,
    source: e.source,
    positions: e.positions,
    path: e.path,
    originalError: e.originalError ?? e,
    extensions: { ...e.extensions, code },
  });
  if (name) err.name = name;
  return err;
}

/** Apollo's test for a variable coercion error (requestPipeline.js). */
export function isBadUserInputGraphQLError(error: GraphQLError): boolean {
  const node = error.nodes?.length === 1 ? error.nodes[0] : undefined;
  if (!node || node.kind !== Kind.VARIABLE_DEFINITION) return false;
  const v = `Variable "$${node.variable.name.value}" `;
  return (
    error.message.startsWith(`${v}has invalid value`) ||
    error.message.startsWith(`${v}got invalid value `) ||
    error.message.startsWith(`${v}of required type `) ||
    error.message.startsWith(`${v}of non-null type `)
  );
}

/**
 * True when `{`, `[` or `(` nest deeper than `max` in a GraphQL document, outside strings, block
 * strings and comments. One pass, no allocation; unbalanced text is left to the parser.
 */
export function nestingDepthExceeds(source: string, max: number): boolean {
  let depth = 0;
  const n = source.length;
  for (let i = 0; i < n; i++) {
    const c = source.charCodeAt(i);
    if (c === 0x7b /* { */ || c === 0x5b /* [ */ || c === 0x28 /* ( */) {
      if (++depth > max) return true;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */ || c === 0x29 /* ) */) {
      depth--;
    } else if (c === 0x23 /* # */) {
      while (i + 1 < n && source.charCodeAt(i + 1) !== 0x0a && source.charCodeAt(i + 1) !== 0x0d) i++;
    } else if (c === 0x22 /* " */) {
      if (source.startsWith('""', i + 1)) {
        // Block string: ends at the next """ not preceded by a backslash (\""" is an escaped quote triple).
        i += 3;
        while (i < n && !(source.startsWith('"""', i) && source.charCodeAt(i - 1) !== 0x5c)) i++;
        i += 2;
      } else {
        i++;
        while (i < n && source.charCodeAt(i) !== 0x22 && source.charCodeAt(i) !== 0x0a && source.charCodeAt(i) !== 0x0d) {
          if (source.charCodeAt(i) === 0x5c /* \ */) i++;
          i++;
        }
      }
    }
  }
  return false;
}
