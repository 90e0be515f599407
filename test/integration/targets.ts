// The targets the shared integration suite runs on. DuckDB always; Postgres with the server the
// test setup starts (HINDSIGHT_TEST_POSTGRES_URL). A new warehouse joins by adding an entry here.
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import type { OutputConfig } from '../../src/config/schema.js';

export interface TestTarget {
  name: string;
  output(): OutputConfig;
  /** Why the target is not available here, if it is not. */
  unavailable?: string;
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

const pgUrl = process.env.HINDSIGHT_TEST_POSTGRES_URL;

export const TARGETS: TestTarget[] = [
  { name: 'duckdb', output: () => ({ type: 'duckdb', path: ':memory:' }) },
  {
    name: 'postgres',
    output: () => postgresOutput(pgUrl!),
    unavailable: pgUrl ? undefined : 'HINDSIGHT_TEST_POSTGRES_URL is not set (HINDSIGHT_TEST_POSTGRES=skip)',
  },
];

export async function openTarget(target: TestTarget): Promise<Adapter> {
  return openAdapter(target.output());
}
