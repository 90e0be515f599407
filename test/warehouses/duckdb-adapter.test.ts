// The DuckDB adapter: the profile's settings reach DuckDB, and a further session (threads) is another
// connection to the same database: it sees the first one's tables, not its temp tables, and closing
// it leaves the first one open.
import { describe, expect, it } from 'vitest';
import { openAdapter } from '../../src/adapters/index.js';

describe('DuckDB adapter', () => {
  it('applies settings, with memory_limit over a setting of the same name', async () => {
    const adapter = await openAdapter({ type: 'duckdb', path: ':memory:', memory_limit: '300MB', settings: { threads: 1, memory_limit: '1GB', preserve_insertion_order: true } });
    try {
      const [row] = await adapter.query(
        "select current_setting('threads') as threads, current_setting('memory_limit') as memory_limit, current_setting('preserve_insertion_order') as ordered, current_setting('TimeZone') as tz",
      );
      expect(row).toEqual({ threads: 1, memory_limit: expect.stringMatching(/^28\d\.\d MiB$/), ordered: true, tz: 'UTC' });
    } finally {
      await adapter.close();
    }
  });

  it('opens further sessions on the same in-memory database', async () => {
    const adapter = await openAdapter({ type: 'duckdb', path: ':memory:' });
    try {
      await adapter.execute('create table shared as select 42 as x');
      await adapter.execute('create temp table mine as select 1 as y');
      const session = await adapter.openSession!();
      expect(await session.query('select x from shared')).toEqual([{ x: 42 }]);
      await expect(session.query('select y from mine')).rejects.toThrow(/mine/);
      expect(await session.query("select current_setting('TimeZone') as tz")).toEqual([{ tz: 'UTC' }]);
      await session.close();
      expect(await adapter.query('select count(*) as n from shared')).toEqual([{ n: 1 }]);
    } finally {
      await adapter.close();
    }
  });

  // the runner compares a stored table's columns with those of what it writes (src/runner/run.ts)
  it("reads a query's columns and their types without its rows", async () => {
    const adapter = await openAdapter({ type: 'duckdb', path: ':memory:' });
    try {
      expect(await adapter.columns("select 1::integer as i, 2::bigint as b, 'x' as s, 0.5::decimal(18, 3) as d, [1.5] as l")).toEqual([
        { name: 'i', type: 'INTEGER' },
        { name: 'b', type: 'BIGINT' },
        { name: 's', type: 'VARCHAR' },
        { name: 'd', type: 'DECIMAL(18,3)' },
        { name: 'l', type: 'DECIMAL(2,1)[]' },
      ]);
    } finally {
      await adapter.close();
    }
  });
});
