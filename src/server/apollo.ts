/** Apollo Server 5 with query limits (graphql-armor) and error shaping. */
import { ApolloServer, type ApolloServerPlugin } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
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

export function createApollo(schema: GraphQLSchema, config: Config, log: Logger, extraPlugins: ApolloServerPlugin<GraphQLContext>[]) {
  const armor = armorProtection(config);
  return new ApolloServer<GraphQLContext>({
    schema,
    introspection: config.INTROSPECTION,
    csrfPrevention: true,
    parseOptions: { maxTokens: config.MAX_TOKENS },
    allowBatchedHttpRequests: false,
    includeStacktraceInErrorResponses: config.isDevelopment,
    formatError: makeFormatError(log, config.isDevelopment),
    validationRules: armor.validationRules as ValidationRule[],
    plugins: [
      ...(armor.plugins as ApolloServerPlugin<GraphQLContext>[]),
      hideSuggestionsFromAnonymous,
      ...(config.isProduction ? [ApolloServerPluginLandingPageDisabled()] : []),
      ...extraPlugins,
    ],
    nodeEnv: config.NODE_ENV ?? 'production',
  });
}
