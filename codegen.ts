import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  generates: {
    // Typed documents for the tests: every operation in test/operations is type-checked against the emitted schema.
    'test/generated/graphql.ts': {
      documents: ['test/operations/*.graphql'],
      plugins: ['typescript-operations', 'typed-document-node'],
      config: {
        scalars: { DateTime: 'string' },
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false, object: true },
        useTypeImports: true,
      },
    },
    // The typed client (@waybill/client): its curated operations as TypedDocumentStrings (plain query
    // text with the result and variable types attached, so the client needs no `graphql` at run time).
    'client/src/generated/': {
      documents: ['client/operations/*.graphql'],
      preset: 'client',
      presetConfig: { fragmentMasking: false },
      config: {
        documentMode: 'string',
        scalars: { DateTime: 'string' },
        enumType: 'string-literal',
        avoidOptionals: { field: true, inputValue: false, object: true },
        useTypeImports: true,
        emitLegacyCommonJSImports: false,
      },
    },
  },
};
export default config;
