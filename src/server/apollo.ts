/** Apollo Server 5 with query limits (graphql-armor) and error shaping. */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginCacheControlDisabled, ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import { ApolloArmor } from '@escape.tech/graphql-armor';
import { GraphQLError, type GraphQLSchema, type ValidationContext, type ValidationRule } from 'graphql';
import type { Logger } from 'pino';
import type { Config } from '../config.js';
import type { GraphQLContext } from '../graphql/context.js';
import { hideSuggestionsFromAnonymous, makeFormatError } from './plugins/errors.js';

/** The armor limits: depth, aliases, directives, tokens, cost; rejections are QUERY_TOO_COMPLEX. */
export function armorProtection(config: Config) {
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
    // Hidden for anonymous callers only, by our own plugin: staff keep the helpful hints.
    blockFieldSuggestion: { enabled: false },
  }).protect();
}

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

export function createApollo(schema: GraphQLSchema, config: Config, log: Logger, extraPlugins: ApolloServerPlugin<GraphQLContext>[]) {
  const armor = armorProtection(config);
  return new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.INTROSPECTION,
    csrfPrevention: true,
    // main.ts owns SIGTERM/SIGINT and stops everything in order; Apollo's own handlers would race it.
    stopOnTerminationSignals: false,
    parseOptions: { maxTokens: config.MAX_TOKENS },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: config.isDevelopment,
    formatError: makeFormatError(log, config.isDevelopment),
    validationRules: armor.validationRules as ValidationRule[],
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]),
      hideSuggestionsFromAnonymous,
      // No field carries a cache hint, so Apollo's cache-control plugin only ever answered
      // `no-store`, at the price of wrapping every resolver; the same header, without the wrapping.
      ApolloServerPluginCacheControlDisabled(),
      noStore,
      ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...extraPlugins,
    ],
    nodeEnv: config.NODE_ENV ?? 'production',
  });
}
