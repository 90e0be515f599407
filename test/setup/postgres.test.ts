// Proves the test infrastructure: the globalSetup's server is reachable from a worker via
// HINDSIGHT_TEST_POSTGRES_URL and is a supported version.
import pg from 'pg';
import { describe, expect, it } from 'vitest';

const url = process.env.HINDSIGHT_TEST_POSTGRES_URL;

describe.skipIf(!url && process.env.HINDSIGHT_TEST_POSTGRES === 'skip')('postgres test server', () => {
  it('is passed to workers through the environment', () => {
    expect(url).toMatch(/^postgres(ql)?:\/\//);
  });

  it('answers queries and is PostgreSQL >= 13', async () => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const one = await client.query<{ one: number }>('select 1 as one');
      expect(one.rows).toEqual([{ one: 1 }]);
      const version = await client.query<{ server_version_num: string }>('show server_version_num');
      expect(Number(version.rows[0]!.server_version_num)).toBeGreaterThanOrEqual(130000);
    } finally {
      await client.end();
    }
  });
});
