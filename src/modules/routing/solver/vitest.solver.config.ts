// Stand-alone vitest config for the solver tests, independent of the
// project's global setup (database etc.), which the solver does not need.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/modules/routing/solver/**/*.test.ts'],
    testTimeout: 30_000,
    pool: 'forks',
  },
});
