import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build for type-graphql and Apollo; make the test
    // transform use the same file, or two graphql realms meet ("from another module or realm").
    alias: [
      { find: /^graphql$/, replacement: require.resolve('graphql') },
      // The typed client from its sources, as tsconfig.json's paths map it for tsc and tsx.
      { find: /^@waybill\/client$/, replacement: fileURLToPath(new URL('./client/src/index.ts', import.meta.url)) },
    ],
  },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // The fault and load suite runs on its own: npm run test:faults (vitest.faults.config.ts).
    exclude: ['**/node_modules/**', 'test/faults/**'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
  },
});
