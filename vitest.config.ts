import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Starts one throwaway PostgreSQL server per run and exports HINDSIGHT_TEST_POSTGRES_URL.
    globalSetup: ['test/setup/postgres.global.ts'],
    // Database tests can take tens of seconds, more through the local BigQuery and Snowflake fakes
    // (every statement goes through HTTP and a transpiler) on a busy 2-core machine.
    testTimeout: 180_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
    // Child processes rather than worker threads: safer with native addons (DuckDB).
    pool: 'forks',
    // vitest's default is cores - 1, i.e. a single worker on a 2-core CI machine; the tests spend
    // much of their time waiting on the databases, so run at least 2 files at once.
    maxWorkers: Math.max(2, Math.min(4, availableParallelism())),
  },
});
