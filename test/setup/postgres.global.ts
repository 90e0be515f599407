// vitest globalSetup: one throwaway PostgreSQL server for the whole test run.
//
// - HINDSIGHT_TEST_POSTGRES_URL already set: use that server, start nothing.
// - HINDSIGHT_TEST_POSTGRES=skip: start nothing; Postgres tests must skip when the URL is unset.
// - otherwise start a server; if that fails the whole run fails (no silent skipping).
//
// Tests read the URL from process.env.HINDSIGHT_TEST_POSTGRES_URL: globalSetup runs in the main
// vitest process before the worker pool is created, and vitest 4 copies process.env into every
// worker's environment at that point (test/setup/postgres.test.ts checks this).
import {
  startPostgres,
  stopPostgres,
  type PostgresTestServer,
} from '../../scripts/postgres-test-server.mjs';

const URL_VAR = 'HINDSIGHT_TEST_POSTGRES_URL';

export default async function setup(): Promise<(() => Promise<void>) | undefined> {
  if (process.env[URL_VAR]) return undefined;
  if (process.env.HINDSIGHT_TEST_POSTGRES === 'skip') {
    console.warn(`[postgres] HINDSIGHT_TEST_POSTGRES=skip: no server started, Postgres tests will skip`);
    return undefined;
  }

  let server: PostgresTestServer;
  try {
    server = await startPostgres({ log: (msg) => console.error(`[postgres] ${msg}`) });
  } catch (err) {
    throw new Error(
      `${(err as Error).message}\n(To use an existing server set ${URL_VAR}; ` +
        `to run without Postgres tests set HINDSIGHT_TEST_POSTGRES=skip.)`,
    );
  }
  process.env[URL_VAR] = server.url;

  return async () => {
    delete process.env[URL_VAR]; // watch-mode reruns in this process must not see a dead URL
    await stopPostgres(server);
  };
}
