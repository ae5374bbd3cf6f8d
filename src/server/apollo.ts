/** Apollo Server 5 with the document rules (document-rules.ts), error shaping and graphql-jit execution (jit-executor.ts). */
import { ApolloServer, type ApolloServerPlugin, type HTTPGraphQLRequest } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import type { DocumentRules } from './document-rules.js';
import type { JitExecutor } from './jit-executor.js';
import { makeFormatError } from './plugins/errors.js';

/** GraphQL responses are per caller: never stored by shared caches (what Apollo's cache-control plugin sent without hints). */
const noStore: ApolloServerPlugin<GraphQLContext> = {
  async requestDidStart() {
    return {
      async willSendResponse({ response }) {
        if (!response.http.headers.has('cache-control')) response.http.headers.set('cache-control', 'no-store');
      },
    };
  },
};

/**
 * Apollo with the nesting check of the rules before Apollo parses (Apollo has no hook there that
 * can refuse a request: a plugin's didResolveSource error is logged and answered 500). The check
 * runs where the context is built, which is before parsing; a GraphQLError thrown there leaves
 * through Apollo's own error response: formatError, the status from `extensions.http`, the
 * negotiated content type.
 */
class RuledApollo extends ApolloServer<GraphQLContext> {
  constructor(
    options: ConstructorParameters<typeof ApolloServer<GraphQLContext>>[0],
    private readonly rules: DocumentRules,
  ) {
    super(options);
  }

  override executeHTTPGraphQLRequest(args: Parameters<ApolloServer<GraphQLContext>['executeHTTPGraphQLRequest']>[0]) {
    const query = queryOf(args.httpGraphQLRequest);
    const tooDeep = typeof query === 'string' ? this.rules.checkNesting(query) : null;
    if (!tooDeep) return super.executeHTTPGraphQLRequest(args);
    return super.executeHTTPGraphQLRequest({
      ...args,
      context: async () => {
        throw tooDeep;
      },
    });
  }
}

/** The query text as Apollo reads it: `query` of a POST body object, or of the GET search string. */
function queryOf(req: HTTPGraphQLRequest): unknown {
  if (req.method === 'GET') return new URLSearchParams(req.search).get('query');
  return typeof req.body === 'object' && req.body !== null ? (req.body as { query?: unknown }).query : undefined;
}

/** `executor` gives Apollo the schema (its `load()`) and graphql-jit as the executor, through Apollo's gateway seam. */
export function createApollo(
  executor: JitExecutor,
  config: Config,
  log: Logger,
  rules: DocumentRules,
  extraPlugins: ApolloServerPlugin<GraphQLContext>[],
) {
  return new RuledApollo({
    gateway: executor.gateway,
    // The introspection rule is in rules.validationRules (shared with the WebSocket): Apollo must not add its own.
    introspection: true,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: rules.parseOptions,
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: config.isDevelopment,
    formatError: makeFormatError(log, config.isDevelopment),
    validationRules: [...rules.validationRules],
    plugins: [
      ...rules.apolloPlugins,
      // No field carries a cache hint, so Apollo's cache-control plugin only ever answered
      // `no-store`, at the price of wrapping every resolver; the same header, without the wrapping.
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      // Apollo's landing page loads its explorer from a CDN (nothing offline); the GraphiQL explorer
      // of explorer-page.ts, served from this process, answers browsers instead.
      ApolloServerPluginLandingPageDisabled(),
      ...extraPlugins,
    ],
    nodeEnv: config.NODE_ENV ?? 'production',
  }, rules);
}
