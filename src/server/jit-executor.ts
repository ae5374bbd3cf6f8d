/**
 * graphql-jit as the executor Apollo calls, through Apollo's supported seam for custom execution:
 * the `gateway` option (GatewayInterface: `load()` gives the schema and an executor). Everything
 * before and after execution is Apollo's own pipeline, unchanged: body checks, CSRF, content
 * negotiation, the nesting check and the document rules (parse with `maxTokens`, validation with
 * the armor limits and the introspection rule, Apollo's parsed-and-validated document cache),
 * `didEncounterErrors` (suggestion hiding), BAD_USER_INPUT tagging, `formatError`, status codes.
 *
 * The HTTP fast path (fast-path.ts) calls the same executor (`run`) for documents Apollo validated.
 *
 * The executor compiles a query once per document and operation (LRU keyed by Apollo's query hash
 * and the operation name) into JavaScript that resolves the selection without walking the AST per
 * field. It hands the request to graphql-js `execute`, with exactly the arguments Apollo itself
 * passes, whenever jit could answer differently:
 * - mutations and subscriptions (mutations run serially on graphql-js, as before);
 * - no operation (Apollo turns graphql-js's error into OPERATION_RESOLUTION_FAILURE);
 * - a document that selects an abstract type (interface or union): type-graphql's `resolveType`
 *   returns a promise, which graphql-jit does not await (zalando-incubator/graphql-jit#69), and
 *   introspection (`__schema`, `__type`);
 * - variables that do not coerce (jit then answers errors and no data, before any resolver ran):
 *   graphql-js answers them, so the messages are graphql-js's, which Apollo tags BAD_USER_INPUT;
 * - a document graphql-jit cannot compile.
 */
import type { ApolloServerOptionsWithGateway, BaseContext } from '@apollo/server';
import {
  execute,
  getNamedType,
  GraphQLError,
  isAbstractType,
  printSchema,
  TypeInfo,
  visit,
  visitWithTypeInfo,
  BREAK,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from 'graphql';
import { compileQuery, isCompiledQuery, type CompiledQuery } from 'graphql-jit';
import { LRUCache } from 'lru-cache';

/** Apollo's GatewayInterface (from @apollo/server-gateway-interface, which @apollo/server re-exports only through its options). */
type GatewayInterface = ApolloServerOptionsWithGateway<BaseContext>['gateway'];
type GatewayExecutor = NonNullable<Awaited<ReturnType<GatewayInterface['load']>>['executor']>;
type GatewayGraphQLRequestContext = Parameters<GatewayExecutor>[0];

export interface JitExecutorOptions {
  /** Apollo's `includeStacktraceInErrorResponses`: jit captures stack traces only when they are shown. */
  includeStacktrace: boolean;
  /** Compiled operations kept (LRU). */
  maxCompiled?: number;
  /** Runs around every execution, Apollo's and the fast path's (tracing.ts: the operation's span); absent = nothing added. */
  around?: (input: ExecutionInput, execute: () => Promise<ExecutionResult>) => Promise<ExecutionResult>;
}

export interface JitExecutor {
  /** The `gateway` option for Apollo: this schema, this executor. */
  readonly gateway: GatewayInterface;
  /** Operations executed by graphql-jit code and by graphql-js (tests and diagnostics). */
  readonly stats: { compiled: number; jit: number; graphqlJs: number };
  /** Off: every operation runs on graphql-js, as Apollo runs it without an executor (the tests compare both). */
  jit: boolean;
  /** Executes one operation of a document Apollo parsed and validated (what Apollo's gateway executor call does). */
  run(input: ExecutionInput): Promise<ExecutionResult>;
}

export interface ExecutionInput {
  document: DocumentNode;
  /** The operation Apollo resolved (`getOperationAST(document, operationName)`); undefined when none. */
  operation: OperationDefinitionNode | undefined;
  /** As the request gave it. */
  operationName: string | null | undefined;
  variables: Record<string, unknown> | null | undefined;
  context: unknown;
  /** Apollo's SHA-256 of the query text: with the operation's name, the key of the compiled query. */
  queryHash: string;
}

export function createJitExecutor(schema: GraphQLSchema, opts: JitExecutorOptions): JitExecutor {
  const stats = { compiled: 0, jit: 0, graphqlJs: 0 };
  // false: this operation always runs on graphql-js.
  const compiled = new LRUCache<string, CompiledQuery | false>({ max: opts.maxCompiled ?? 1000 });

  const compile = (document: DocumentNode, operationName: string | undefined): CompiledQuery | false => {
    if (!jitCanRun(schema, document)) return false;
    const out = compileQuery(schema, document, operationName, { disablingCapturingStackErrors: !opts.includeStacktrace });
    if (!isCompiledQuery(out)) return false;
    stats.compiled++;
    return out;
  };

  const exec = async ({ document, operation, operationName, variables, context, queryHash }: ExecutionInput): Promise<ExecutionResult> => {
    const variableValues = variables ?? undefined;
    if (self.jit && operation?.operation === 'query') {
      const key = `${queryHash}\0${operation.name?.value ?? ''}`;
      let query = compiled.get(key);
      if (query === undefined) compiled.set(key, (query = compile(document, operation.name?.value)));
      if (query) {
        const result = await query.query(undefined, context, variableValues);
        // No data at all: the variables did not coerce and no resolver ran; graphql-js words the errors.
        if (!(result.errors?.length && result.data === undefined)) {
          stats.jit++;
          return fromJit(result);
        }
      }
    }
    stats.graphqlJs++;
    // What Apollo runs without an executor (incrementalDeliveryPolyfill.js on graphql 16): no rootValue, no fieldResolver.
    return execute({ schema, document, contextValue: context, variableValues, operationName });
  };
  const around = opts.around;
  const run = around ? (input: ExecutionInput) => around(input, () => exec(input)) : exec;
  const executor: GatewayExecutor = (rc: GatewayGraphQLRequestContext) =>
    run({ document: rc.document, operation: rc.operation, operationName: rc.request.operationName, variables: rc.request.variables, context: rc.context, queryHash: rc.queryHash });

  const gateway: GatewayInterface = {
    async load() {
      return { schema, executor };
    },
    onSchemaLoadOrUpdate(callback) {
      callback({ apiSchema: schema, coreSupergraphSdl: printSchema(schema) });
      return () => {};
    },
    async stop() {},
  };
  const self: JitExecutor = { gateway, stats, jit: true, run };
  return self;
}

/** False when the document selects an interface or union, or introspects: see the header. */
function jitCanRun(schema: GraphQLSchema, document: DocumentNode): boolean {
  const typeInfo = new TypeInfo(schema);
  let ok = true;
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const type = typeInfo.getType();
        if (node.name.value === '__schema' || node.name.value === '__type' || (type && isAbstractType(getNamedType(type)))) {
          ok = false;
          return BREAK;
        }
        return undefined;
      },
    }),
  );
  return ok;
}

/**
 * graphql-jit's errors as graphql-js makes them: its own error objects have read-only fields and
 * no `extensions` when the resolver's error had none, so they are rebuilt as graphql-js
 * GraphQLErrors (message, locations, path, original error, extensions), which is what Apollo
 * formats and the suggestion filter edits.
 */
function fromJit(result: ExecutionResult): ExecutionResult {
  if (!result.errors?.length) return result;
  const errors = result.errors.map((e) => {
    const copy = new GraphQLError(e.message, { path: e.path, originalError: e.originalError ?? undefined, extensions: e.extensions });
    (copy as { locations: GraphQLError['locations'] }).locations = e.locations;
    return copy;
  });
  return { ...result, errors };
}
