// The DuckDB adapter: the profile's settings reach DuckDB, and a further session (threads) is another
// connection to the same database: it sees the first one's tables, not its temp tables, and closing
// it leaves the first one open. Also what the DuckDB dialect works around in DuckDB itself.
import { describe, expect, it } from 'vitest';
import { SessionSettingError } from '../../src/adapters/adapter.js';
import { openAdapter } from '../../src/adapters/index.js';
import { duckdb } from '../../src/dialects/duckdb.js';

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

  // DuckDB itself says only "Failed to set config" when it opens a database with a bad option
  it('names the setting DuckDB refuses, and why', async () => {
    const open = (extra: object) => openAdapter({ type: 'duckdb', path: ':memory:', ...extra } as never);
    await expect(open({ memory_limit: 'lots' })).rejects.toThrow(/^memory_limit: Parser Error: Memory must have a number/);
    await expect(open({ settings: { threads: 'many' } })).rejects.toThrow(/^settings: threads: .*Could not convert string 'many'/);
    await expect(open({ settings: { Threads: 'many' } })).rejects.toThrow(/^settings: Threads: .*Could not convert string 'many'/);
    // a bad value beside an option only a new database takes: the bad one is named
    await expect(open({ settings: { access_mode: 'read_only', threads: 'many' } })).rejects.toThrow(/^settings: threads: /);
    // what DuckDB names itself is left as it says it (an extension's option is not tried: that could install it)
    await expect(open({ settings: { no_such_setting: 1 } })).rejects.toThrow(/options were not recognized: no_such_setting/);
    await expect(open({ settings: { s3_region: 'us-east-1' } })).rejects.toThrow(/httpfs extension needs to be loaded/);
    // a dotted setting name stays whole
    expect(new SessionSettingError('auto_explain.log_min_duration', 'x', 'invalid', 'session_settings').message).toBe('session_settings: auto_explain.log_min_duration: invalid');
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

  // DuckDB's own overflow check of decimal sums is skipped over a UNION ALL (src/dialects/duckdb.ts)
  it('fails a checked exact sum beyond its range rather than wrap it around', async () => {
    const adapter = await openAdapter({ type: 'duckdb', path: ':memory:' });
    try {
      await adapter.execute('create table a as select 9e22::double as x, 1 as k');
      await adapter.execute('create table b as select 9e22::double as x, 1 as k');
      const both = 'from (select x, k from a union all select x, k from b) as u';
      // what DuckDB does unchecked: a negative sum of two positive numbers
      expect((await adapter.query(`select cast(sum(cast(x as decimal(38, 15))) as double) as s ${both}`))[0]!.s).toBeLessThan(0);
      // the checked sums the MASE checkpoint uses: an error, DuckDB's where its own check runs
      const parts = (expr: string) => `from (select ${duckdb.exactSum(expr)} as s, k from a group by k union all select ${duckdb.exactSum(expr)}, k from b group by k) as parts`;
      await expect(adapter.query(`select ${duckdb.addExactSums('s')} as s ${parts('x')}`)).rejects.toThrow(/beyond the range of exact sums on DuckDB/);
      await expect(adapter.query(`select ${duckdb.exactSumOver('x', 'partition by k')} as s ${both}`)).rejects.toThrow(/beyond the range of exact sums|Overflow in HUGEINT/);
      // within the range they are exact, and NULL over no value
      expect(await adapter.query(`select cast(${duckdb.addExactSums('s')} as double) as s, ${duckdb.addExactSums('cast(null as decimal(38, 15))')} as n ${parts('x / 1e9')}`)).toEqual([{ s: 1.8e14, n: null }]);
    } finally {
      await adapter.close();
    }
  });

  // the runner compares a stored table's columns with those of what it writes (src/runner/run.ts)
  it('interrupts the statement a session is running, and runs the next one', async () => {
    const adapter = await openAdapter({ type: 'duckdb', path: ':memory:' });
    try {
      await adapter.interrupt!(); // (nothing running: nothing happens)
      const long = adapter.query('select count(*) as n from range(100000000000) as t(x) where x % 7 = 3');
      setTimeout(() => void adapter.interrupt!(), 100);
      await expect(long).rejects.toThrow(/Interrupted/);
      expect(await adapter.query('select 42 as n')).toEqual([{ n: 42 }]);
    } finally {
      await adapter.close();
    }
  });

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
