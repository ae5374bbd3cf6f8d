import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const require = createRequire(import.meta.url);

/**
 * Test files that open no database, Redis or server (test/architecture.test.ts checks that they
 * import nothing that could): .ci/run's second pass, on PostgreSQL + Redis, leaves them out with
 * WAYBILL_TESTS_ENGINE_ONLY=1, as they already ran in the first and the engine cannot change them.
 */
export const ENGINE_INDEPENDENT_TESTS = [
  'src/graphql/relay.test.ts',
  'src/graphql/scalars.test.ts',
  'src/modules/carriers/carrier-algorithms.test.ts',
  'src/modules/carriers/label/label.test.ts',
  'src/modules/carriers/rate-shopping.test.ts',
  'src/modules/inventory/putaway-slotting.test.ts',
  'src/modules/loyalty/offers/recommend.test.ts',
  'src/modules/orders/allocation.test.ts',
  'src/modules/planning/forecast/csv.test.ts',
  'src/modules/planning/forecast/m4.test.ts',
  'src/modules/planning/forecast/methods.test.ts',
  'src/modules/planning/forecast/select.test.ts',
  'src/modules/planning/reorder.test.ts',
  'src/modules/returns/returns.refund.test.ts',
  'src/modules/routing/routing.instance.test.ts',
  'src/modules/routing/solver/localsearch.test.ts',
  'src/modules/routing/solver/solver.test.ts',
  'src/modules/support/assistant/classifier.test.ts',
  'src/modules/support/assistant/compose.test.ts',
  'src/modules/support/assistant/entities.test.ts',
  'src/modules/support/assistant/text.test.ts',
  'src/modules/support/language.test.ts',
  'src/server/document-rules.test.ts',
  'src/server/log-redaction.test.ts',
  'src/shared/cache.test.ts',
  'src/shared/gs1.test.ts',
  'src/shared/hmac.test.ts',
  'src/shared/money.test.ts',
  'test/readme-links.test.ts',
  'test/seed-returns.test.ts',
];


/**
 * Test files that replace modules with vi.mock: they need a module registry of their own. Every
 * other file shares its worker's (isolate: false), so the app's modules (type-graphql's schema
 * build, drizzle, Apollo) are loaded once per worker rather than once per file: the PGlite pass
 * took 12.2 min isolated and 9.7 min shared on the 2-core machine (2026-12-07).
 */
export const MODULE_MOCKING_TESTS = ['test/e2e/planning-demand.test.ts'];

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
    // include per project (below): a project's include is added to the root's, not put in its place.
    // The fault and load suite runs on its own: npm run test:faults (vitest.faults.config.ts).
    exclude: ['**/node_modules/**', 'test/faults/**', ...(process.env.WAYBILL_TESTS_ENGINE_ONLY === '1' ? ENGINE_INDEPENDENT_TESTS : [])],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      { extends: true, test: { name: 'shared', isolate: false, include: ['src/**/*.test.ts', 'test/**/*.test.ts'], exclude: MODULE_MOCKING_TESTS } },
      { extends: true, test: { name: 'isolated', isolate: true, include: MODULE_MOCKING_TESTS } },
    ],
  },
});
