// The targets the shared integration suite runs on. A new warehouse joins by adding an entry here:
// - duckdb: always;
// - postgres: the server the test setup starts (HINDSIGHT_TEST_POSTGRES_URL);
// - bigquery-fake / snowflake-fake: the real client libraries against local fakes of the services
//   (test/warehouses/*-fake.ts, answering from DuckDB through @polyglot-sql/sdk);
// - bigquery / snowflake: a real account, when its credentials are in the environment (see README).
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import { outputSchema, type OutputConfig } from '../../src/config/schema.js';
import { FakeBigQuery } from '../warehouses/bigquery-fake.js';
import { startFakeSnowflake, type FakeSnowflake } from '../warehouses/snowflake-fake.js';

export interface TestTarget {
  name: string;
  /** The warehouse type (its dialect), known before the target starts. */
  type: OutputConfig['type'];
  output(): OutputConfig;
  /** Why the target is not available here, if it is not (its tests are skipped, saying so). */
  unavailable?: string;
  /** Starts what the target needs (a local fake), once per test process. */
  start?(): Promise<void>;
}

function postgresOutput(url: string): OutputConfig {
  const u = new URL(url);
  return {
    type: 'postgres',
    host: u.hostname,
    port: Number(u.port || 5432),
    user: decodeURIComponent(u.username),
    password: u.password ? decodeURIComponent(u.password) : undefined,
    dbname: u.pathname.slice(1),
  };
}

const env = process.env;
const pgUrl = env.HINDSIGHT_TEST_POSTGRES_URL;
let bigqueryFake: FakeBigQuery | undefined;
let snowflakeFake: FakeSnowflake | undefined;

export const TARGETS: TestTarget[] = [
  { name: 'duckdb', type: 'duckdb', output: () => ({ type: 'duckdb', path: ':memory:' }) },
  {
    name: 'postgres',
    type: 'postgres',
    output: () => postgresOutput(pgUrl!),
    unavailable: pgUrl ? undefined : 'HINDSIGHT_TEST_POSTGRES_URL is not set (HINDSIGHT_TEST_POSTGRES=skip)',
  },
  {
    name: 'bigquery-fake',
    type: 'bigquery',
    output: () => outputSchema.parse({ type: 'bigquery', project: 'test-project', method: 'anonymous', api_endpoint: bigqueryFake!.url }),
    async start() {
      bigqueryFake ??= await FakeBigQuery.start();
    },
  },
  {
    name: 'snowflake-fake',
    type: 'snowflake',
    output: () => outputSchema.parse({ type: 'snowflake', account: 'xy12345', user: 'hindsight', password: 'secret', database: 'ANALYTICS', access_url: snowflakeFake!.url }),
    async start() {
      snowflakeFake ??= await startFakeSnowflake({ account: 'xy12345', users: [{ name: 'HINDSIGHT', password: 'secret' }], databases: ['analytics'] });
    },
  },
  {
    name: 'bigquery',
    type: 'bigquery',
    output: () => outputSchema.parse({ type: 'bigquery', project: env.HINDSIGHT_TEST_BIGQUERY_PROJECT, location: env.HINDSIGHT_TEST_BIGQUERY_LOCATION, method: env.HINDSIGHT_TEST_BIGQUERY_KEYFILE ? 'service-account' : 'oauth', keyfile: env.HINDSIGHT_TEST_BIGQUERY_KEYFILE }),
    unavailable: env.HINDSIGHT_TEST_BIGQUERY_PROJECT ? undefined : 'set HINDSIGHT_TEST_BIGQUERY_PROJECT (and HINDSIGHT_TEST_BIGQUERY_KEYFILE, or application-default credentials) to run the suite on real BigQuery',
  },
  {
    name: 'snowflake',
    type: 'snowflake',
    output: () => outputSchema.parse({ type: 'snowflake', account: env.HINDSIGHT_TEST_SNOWFLAKE_ACCOUNT, user: env.HINDSIGHT_TEST_SNOWFLAKE_USER, password: env.HINDSIGHT_TEST_SNOWFLAKE_PASSWORD, role: env.HINDSIGHT_TEST_SNOWFLAKE_ROLE, warehouse: env.HINDSIGHT_TEST_SNOWFLAKE_WAREHOUSE, database: env.HINDSIGHT_TEST_SNOWFLAKE_DATABASE }),
    unavailable: env.HINDSIGHT_TEST_SNOWFLAKE_ACCOUNT ? undefined : 'set HINDSIGHT_TEST_SNOWFLAKE_ACCOUNT, _USER, _PASSWORD, _DATABASE (and _ROLE, _WAREHOUSE) to run the suite on real Snowflake',
  },
];

export async function openTarget(target: TestTarget): Promise<Adapter> {
  await target.start?.();
  return openAdapter(target.output());
}
