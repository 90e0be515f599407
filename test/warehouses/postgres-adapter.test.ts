// The Postgres adapter's session, on the server the test setup starts: what it sets and what the
// profile's session_settings change. The SQL it runs is covered by the shared integration suite.
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import { compileSetup } from '../../src/compiler/compile.js';
import { loadProject } from '../../src/config/load.js';
import { outputSchema } from '../../src/config/schema.js';
import { loadFixture, runProject, uniqueName, writeProject, type MonitorSpec } from '../integration/harness.js';
import { randomFixture } from '../integration/random-data.js';
import { TARGETS } from '../integration/targets.js';

const url = process.env.HINDSIGHT_TEST_POSTGRES_URL;
const DAY = 86_400_000;
const JIT_SETTINGS = ['jit', 'jit_above_cost', 'jit_optimize_above_cost', 'jit_inline_above_cost'];

function output(extra: Record<string, unknown> = {}) {
  const u = new URL(url!);
  return outputSchema.parse({ type: 'postgres', host: u.hostname, port: u.port, user: decodeURIComponent(u.username), dbname: u.pathname.slice(1), ...extra });
}

async function settings(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<Record<string, unknown>> {
  const rows = await query(`select name, setting from pg_settings where name in (${JIT_SETTINGS.map((n) => `'${n}'`).join(', ')}) order by name`);
  return Object.fromEntries(rows.map((r) => [r.name, r.setting]));
}

/** The JIT settings of a session without hindsight's, and whether the server can JIT-compile at all. */
async function serverDefaults(): Promise<{ values: Record<string, unknown>; available: boolean }> {
  const plain = new pg.Client({ connectionString: url });
  await plain.connect();
  try {
    const values = await settings(async (sql) => (await plain.query(sql)).rows);
    const available = (await plain.query('select pg_jit_available() as a')).rows[0].a as boolean;
    return { values, available };
  } finally {
    await plain.end();
  }
}

/**
 * The JIT section EXPLAIN ANALYZE reports for a statement estimated far over every JIT cost threshold
 * (none without JIT): a thousand rows whose estimated cost is inflated by the session's operator cost.
 */
async function jitOptions(query: (sql: string) => Promise<Record<string, unknown>[]>): Promise<Record<string, boolean> | undefined> {
  await query('set cpu_operator_cost = 1000');
  const rows = await query('explain (analyze, format json) select sum(g * 2 + 1) from generate_series(1, 1000) as g');
  const plan = rows[0]!['QUERY PLAN'];
  const parsed = (typeof plan === 'string' ? JSON.parse(plan) : plan) as { Plan: { 'Total Cost': number }; JIT?: { Options: Record<string, boolean> } }[];
  expect(parsed[0]!.Plan['Total Cost']).toBeGreaterThan(1e6);
  return parsed[0]!.JIT?.Options;
}

describe.skipIf(!url)('postgres adapter session', () => {
  let adapter: Adapter | undefined;
  afterEach(async () => {
    await adapter?.close();
    adapter = undefined;
  });

  it("JIT-compiles hindsight's statements without LLVM optimization or inlining", async () => {
    const server = await serverDefaults();
    adapter = await openAdapter(output());
    expect(await settings((sql) => adapter!.query(sql))).toEqual({ ...server.values, jit_optimize_above_cost: '-1', jit_inline_above_cost: '-1' });
    if (!(server.available && server.values.jit === 'on')) return; // a server without LLVM compiles nothing
    expect(await jitOptions((sql) => adapter!.query(sql))).toEqual({ Inlining: false, Optimization: false, Expressions: true, Deforming: true });
    // the control: a session with the server's settings optimizes and inlines the same statement
    const plain = new pg.Client({ connectionString: url });
    await plain.connect();
    try {
      expect(await jitOptions(async (sql) => (await plain.query(sql)).rows)).toMatchObject({ Inlining: true, Optimization: true });
    } finally {
      await plain.end();
    }
  });

  it("applies the profile's session_settings after its own, so they can restore the server's", async () => {
    const server = await serverDefaults();
    adapter = await openAdapter(output({ session_settings: { work_mem: '77MB', jit_optimize_above_cost: 0, jit_inline_above_cost: 0, jit: true } }));
    expect(await adapter.query('show work_mem')).toEqual([{ work_mem: '77MB' }]);
    expect(await settings((sql) => adapter!.query(sql))).toMatchObject({ jit: 'on', jit_optimize_above_cost: '0', jit_inline_above_cost: '0' });
    if (server.available) expect(await jitOptions((sql) => adapter!.query(sql))).toMatchObject({ Optimization: true, Inlining: true });
  });

  it('names the setting the server rejects', async () => {
    await expect(openAdapter(output({ session_settings: { work_mem: 'lots' } }))).rejects.toThrow(/^session_settings: work_mem: invalid value for parameter "work_mem"/);
    await expect(openAdapter(output({ session_settings: { no_such_setting: 1 } }))).rejects.toThrow(/^session_settings: no_such_setting: unrecognized configuration parameter/);
  });

  // the runner compares a stored table's columns with those of what it writes (src/runner/run.ts)
  it("reads a query's columns and their types without its rows", async () => {
    adapter = await openAdapter(output());
    expect(await adapter.columns("select 1::integer as i, 2::bigint as b, 'x'::text as s, 0.5::float8 as f, now()::timestamp as t")).toEqual([
      { name: 'i', type: 'INT4' },
      { name: 'b', type: 'INT8' },
      { name: 's', type: 'TEXT' },
      { name: 'f', type: 'FLOAT8' },
      { name: 't', type: 'TIMESTAMP' },
    ]);
    // a numeric with its precision and scale, from the field's type modifier (the column check
    // refuses a scale as classes, whose text keeps it); one without a declared scale as NUMERIC
    expect(await adapter.columns("select 1.5::numeric(4,1) as d, 1::numeric(4,0) as w, 2::numeric as u, 1::numeric(10,-2) as n")).toEqual([
      { name: 'd', type: 'NUMERIC(4,1)' },
      { name: 'w', type: 'NUMERIC(4,0)' },
      { name: 'u', type: 'NUMERIC' },
      { name: 'n', type: 'NUMERIC(10,-2)' },
    ]);
  });

  it('interrupts the statement a session is running, and runs the next one', async () => {
    adapter = await openAdapter(output());
    await adapter.interrupt!(); // (nothing running: the server ignores the request)
    expect(await adapter.query('select 41 as n')).toEqual([{ n: 41 }]);
    const long = adapter.query('select pg_sleep(30)');
    setTimeout(() => void adapter!.interrupt!(), 200);
    await expect(long).rejects.toThrow(/canceling statement due to user request/);
    expect(await adapter.query('select 42 as n')).toEqual([{ n: 42 }]);
  });

  // The server ending the session (a restart, a failover, pg_terminate_backend) crashed the process
  // with an unhandled 'error' event of the client: now the statements fail, saying so.
  it('says the connection was lost when the server ends the session, without crashing', async () => {
    adapter = await openAdapter(output());
    const [{ pid }] = (await adapter.query('select pg_backend_pid() as pid')) as [{ pid: number }];
    const plain = new pg.Client({ connectionString: url });
    await plain.connect();
    try {
      // while it runs a statement, and then idle
      // (its failure is taken at once: it can come before the terminating query returns)
      const running = adapter.query('select pg_sleep(30)').then(() => undefined, (e: Error) => e);
      await new Promise((r) => setTimeout(r, 300));
      await plain.query('select pg_terminate_backend($1)', [pid]);
      expect((await running)?.message).toMatch(/terminat/);
      await new Promise((r) => setTimeout(r, 200));
      await expect(adapter.query('select 1 as n')).rejects.toThrow(/^the connection to PostgreSQL was lost \(.+\); nothing more ran in this session$/);
      await adapter.close();
      adapter = undefined;
    } finally {
      await plain.end();
    }
  });

  // A DateStyle other than ISO (set on the database or role, or in PGOPTIONS) wrote a time as
  // '30/10/2026 12:00:00', which the client read as an invalid date: every incremental run failed in its
  // plan, and a date segment or key was written as that text.
  it("reads and writes times as ISO text and doubles in full whatever the server's DateStyle and extra_float_digits, keeping its input order", async () => {
    const previous = process.env.PGOPTIONS;
    // (and extra_float_digits 0, which wrote a double as 15 digits: 0.1 + 0.2 as '0.3')
    process.env.PGOPTIONS = '-c DateStyle=SQL,DMY -c extra_float_digits=0';
    try {
      adapter = await openAdapter(output());
      expect(await adapter.query("select timestamp '2026-03-08 07:30:00' as t, cast(date '2026-03-08' as text) as d, cast(date '08/03/2026' as text) as dmy, cast(0.1::float8 + 0.2::float8 as text) as x, 0.1::float8 + 0.2::float8 as y")).toEqual([
        { t: new Date('2026-03-08T07:30:00Z'), d: '2026-03-08', dmy: '2026-03-08', x: '0.30000000000000004', y: 0.1 + 0.2 },
      ]);
      const target = TARGETS.find((t) => t.name === 'postgres')!;
      const [src, out] = [uniqueName('src'), uniqueName('hs')];
      const fixture = randomFixture({ seed: 23, predictions: 200, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
      await loadFixture(adapter, src, fixture, { segments: [] });
      const dir = writeProject(target, src, out, { within: '4 days', withinMs: 4 * DAY, granularity: ['day', 'week'] });
      try {
        for (const [asOf, mode] of [['2026-02-05', 'full_refresh'], ['2026-02-08', 'incremental']] as const) {
          const [run] = await runProject(adapter, dir, { asOf: new Date(`${asOf}T00:00:00Z`) });
          expect([run!.error?.message, run!.mode]).toEqual([undefined, mode]);
        }
      } finally {
        await adapter.execute(`drop schema "${src}" cascade; drop schema if exists "${out}" cascade`);
      }
    } finally {
      if (previous === undefined) delete process.env.PGOPTIONS;
      else process.env.PGOPTIONS = previous;
    }
  });

  it('rejects a setting name that is not an identifier before connecting', () => {
    expect(() => output({ session_settings: { 'work_mem = 1; drop table x': '1' } })).toThrow(/a setting name such as work_mem/);
  });
});

// A scheduled run's role often may only read and write the tables an administrator (or a first run
// as another role) created: Postgres checks the right to create before it looks whether a schema,
// table or index exists, so setup's `create … if not exists` stopped every such run. Setup now
// creates only what is missing (Dialect.unlessExists).
describe.skipIf(!url)('postgres rights', () => {
  it('runs incrementally as a role that may only read and write the tables that exist', async () => {
    const admin = await openAdapter(output());
    const target = TARGETS.find((t) => t.name === 'postgres')!;
    const [src, out, role] = [uniqueName('src'), uniqueName('hs'), `hs_writer_${process.pid}`];
    const spec: MonitorSpec = { within: '4 days', withinMs: 4 * DAY, granularity: ['day', 'week'] };
    const fixture = randomFixture({ seed: 22, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
    try {
      await loadFixture(admin, src, fixture, { segments: [] });
      const dir = writeProject(target, src, out, spec);
      expect((await runProject(admin, dir, { asOf: new Date('2026-02-05T00:00:00Z') }))[0]!.error).toBeUndefined();
      await admin.execute(`drop role if exists ${role}`);
      await admin.execute(`create role ${role} login`);
      await admin.execute(`grant usage on schema "${src}", "${out}" to ${role}`);
      await admin.execute(`grant select on all tables in schema "${src}" to ${role}`);
      await admin.execute(`grant select, insert, update, delete on all tables in schema "${out}" to ${role}`);
      const writer = await openAdapter(output({ user: role }));
      try {
        const [run] = await runProject(writer, dir, { asOf: new Date('2026-02-08T00:00:00Z') });
        expect([run!.error?.message, run!.mode]).toEqual([undefined, 'incremental']);
      } finally {
        await writer.close();
      }
    } finally {
      await admin.execute(`drop owned by ${role}`).catch(() => undefined);
      await admin.execute(`drop role if exists ${role}`);
      await admin.close();
    }
  });
});

// Every monitor's runs read and replace their own windows of hindsight_metrics, which holds every
// monitor's rows of every run: without the index each of those statements scans them all
// (docs/performance.md, the twenty-third session: 1.2 s of a 5 s incremental run with 100 other monitors).
describe.skipIf(!url)('postgres metric table', () => {
  // setup's DO blocks are dollar-quoted: a schema named with the tag in it ended the block early
  it('sets up a schema whose name holds a dollar-quote tag, twice', async () => {
    const adapter = await openAdapter(output());
    const schema = `a$hs$hindsight$${process.pid}`;
    try {
      const monitor = loadProject('examples/shop').monitors[0]!;
      const run = { asOf: new Date('2026-03-01T00:00:00Z'), runId: 'setup', computedAt: new Date('2026-03-01T00:00:00Z') };
      for (let i = 0; i < 2; i++) for (const statement of compileSetup({ monitor, schema, dialect: adapter.dialect, run }).statements) await adapter.execute(statement);
      expect(await adapter.query(`select count(*)::int as n from "${schema}".hindsight_metrics`)).toEqual([{ n: 0 }]);
      expect(await adapter.query(`select indexname from pg_indexes where schemaname = '${schema}' order by 1`)).toEqual([{ indexname: 'hindsight_metrics_by_window' }]);
    } finally {
      await adapter.execute(`drop schema if exists "${schema}" cascade`);
      await adapter.close();
    }
  });

  it("reads one monitor's recent windows through the index setup creates", async () => {
    const adapter = await openAdapter(output());
    const schema = `hs_index_${process.pid}`;
    try {
      const monitor = loadProject('examples/shop').monitors[0]!;
      const run = { asOf: new Date('2026-03-01T00:00:00Z'), runId: 'setup', computedAt: new Date('2026-03-01T00:00:00Z') };
      for (const statement of compileSetup({ monitor, schema, dialect: adapter.dialect, run }).statements) await adapter.execute(statement);
      // 200 monitors, 100 day windows each, 10 metrics per window
      await adapter.execute(`insert into "${schema}".hindsight_metrics (monitor, granularity, window_start, window_end, metric, value, sample_size, run_id, computed_at)
        select 'm' || m, 'day', timestamp '2026-01-01' + d * interval '1 day', timestamp '2026-01-02' + d * interval '1 day', 'metric_' || k, 1, 1, 'r', now()
        from generate_series(1, 200) as m, generate_series(0, 99) as d, generate_series(1, 10) as k`);
      await adapter.execute(`analyze "${schema}".hindsight_metrics`);
      const plan = async (sql: string) => JSON.stringify((await adapter.query(`explain (format json) ${sql}`))[0]!['QUERY PLAN']);
      // the shapes of the write step's delete (models/write.sql) and the data-quality step's stored days (macros/data_quality.sql)
      const deleted = await plan(`delete from "${schema}".hindsight_metrics where monitor = 'm7' and ((granularity = 'day' and window_start >= timestamp '2026-04-01') or (granularity = 'week' and window_start >= timestamp '2026-03-30'))`);
      const stored = await plan(`select window_start, sum(sample_size) from "${schema}".hindsight_metrics where monitor = 'm7' and granularity = 'day' and window_start >= timestamp '2026-04-01' and window_start < timestamp '2026-04-05' and segment is null group by window_start`);
      for (const p of [deleted, stored]) expect(p).toContain('hindsight_metrics_by_window');
    } finally {
      await adapter.execute(`drop schema if exists "${schema}" cascade`);
      await adapter.close();
    }
  });
});

// An incremental run re-evaluates the last `within` of predictions, most of them unchanged. On
// Postgres each row written costs the upkeep of the evaluations table's key and time indexes (which
// keep the run's lookups from scanning the whole history) and leaves a dead version for VACUUM, so
// only the rows that differ are written (Dialect.replaceRange; docs/performance.md, the
// twenty-fourth session).
describe.skipIf(!url)('postgres evaluations table', () => {
  const target = TARGETS.find((t) => t.name === 'postgres')!;
  const indexes = ['m__evaluations_by_key', 'm__evaluations_by_time'];

  it('has its indexes, and an incremental run rewrites only the rows that changed', async () => {
    const adapter = await openAdapter(output());
    const [src, out, full] = [uniqueName('src'), uniqueName('hs'), uniqueName('hs')];
    try {
      const spec: MonitorSpec = { within: '4 days', withinMs: 4 * DAY, granularity: ['day', 'week'] };
      const fixture = randomFixture({ seed: 21, predictions: 400, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
      const cut = new Date('2026-02-05T00:00:00Z');
      const asOf = new Date('2026-02-11T00:00:00Z');
      const arrived = (after: boolean) => ({
        predictions: fixture.predictions.filter((p) => (p.ts.getTime() > cut.getTime()) === after),
        outcomes: fixture.outcomes.filter((o) => (o.ts.getTime() > cut.getTime()) === after),
      });
      const indexed = async () =>
        (await adapter.query(`select indexname from pg_indexes where schemaname = '${out}' and tablename = 'm__evaluations' order by indexname`)).map((r) => r.indexname);
      const stored = async () =>
        new Map((await adapter.query(`select ctid::text as place, e.* from "${out}".m__evaluations as e`)).map(({ place, ...row }) => [row.pid as string, { place, row: JSON.stringify(row) }]));

      await loadFixture(adapter, src, arrived(false), { segments: [] });
      const dir = writeProject(target, src, out, spec);
      expect((await runProject(adapter, dir, { asOf: cut }))[0]!.mode).toBe('full_refresh');
      expect(await indexed()).toEqual(indexes);
      const before = await stored();

      // a table written by an earlier version, without the indexes, gets them on its next run
      for (const name of indexes) await adapter.execute(`drop index "${out}"."${name}"`);
      await loadFixture(adapter, src, arrived(true), { segments: [], append: true });
      const [incremental] = await runProject(adapter, dir, { asOf });
      expect(incremental!.mode).toBe('incremental');
      expect(await indexed()).toEqual(indexes);

      // a row kept as it was stays where it was stored; a changed row is a new version
      const after = await stored();
      let kept = 0;
      let changed = 0;
      for (const [pid, now] of after) {
        const was = before.get(pid);
        if (was?.row === now.row) {
          expect(now.place).toBe(was.place);
          kept += 1;
        } else {
          if (was) expect(now.place).not.toBe(was.place);
          changed += 1;
        }
      }
      // unchanged rows inside the range the run evaluated again (from the first as-of minus within), not only older ones
      const from = cut.getTime() - 4 * DAY;
      const keptInRange = [...after].filter(([pid, now]) => before.get(pid)?.row === now.row && Date.parse(JSON.parse(now.row).predicted_at) >= from).length;
      expect(keptInRange).toBeGreaterThan(20);
      expect(changed).toBeGreaterThan(20);
      expect(kept + changed).toBe(after.size);

      // and the rows are a full refresh's
      await runProject(adapter, writeProject(target, src, full, spec), { asOf, fullRefresh: true });
      const rows = async (schema: string) => adapter.query(`select * from "${schema}".m__evaluations order by pid`);
      expect(await rows(out)).toEqual(await rows(full));
    } finally {
      for (const schema of [src, out, full]) await adapter.execute(`drop schema if exists "${schema}" cascade`);
      await adapter.close();
    }
  });

  it("keeps views on it, its grants and its row and column security through a full refresh, and names them when its columns must change", async () => {
    const adapter = await openAdapter(output());
    const [src, out, full, role] = [uniqueName('src'), uniqueName('hs'), uniqueName('hs'), uniqueName('bi')];
    try {
      const spec: MonitorSpec = { within: '4 days', withinMs: 4 * DAY, granularity: ['day'] };
      const fixture = randomFixture({ seed: 22, predictions: 300, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
      const [first, second] = [new Date('2026-02-05T00:00:00Z'), new Date('2026-02-11T00:00:00Z')];
      await loadFixture(adapter, src, fixture, { segments: ['seg_a'] });
      const dir = writeProject(target, src, out, spec);
      await runProject(adapter, dir, { asOf: first });
      await adapter.execute(`create view "${out}".drill as select pid, score from "${out}".m__evaluations`);
      await adapter.execute(`create role "${role}"`);
      await adapter.execute(`grant select on "${out}".m__evaluations to "${role}" with grant option`);
      const grants = async () =>
        (await adapter.query(`select privilege_type, is_grantable from information_schema.role_table_grants where table_schema = '${out}' and table_name = 'm__evaluations' and grantee = '${role}'`));
      const rows = async (schema: string, table = 'm__evaluations') => adapter.query(`select * from "${schema}".${table} order by pid`);

      // with the view: the stored table takes the new rows, which the view shows
      const [refreshed] = await runProject(adapter, dir, { asOf: second, fullRefresh: true });
      expect(refreshed!.status).toBe('success');
      await runProject(adapter, writeProject(target, src, full, spec), { asOf: second, fullRefresh: true });
      expect(await rows(out)).toEqual(await rows(full));
      expect(await adapter.query(`select * from "${out}".drill order by pid`)).toEqual((await rows(full)).map((r) => ({ pid: r.pid, score: r.score })));
      expect(await grants()).toEqual([{ privilege_type: 'SELECT', is_grantable: 'YES' }]);

      // without it: the new table is renamed into place, with the stored one's grants
      await adapter.execute(`drop view "${out}".drill`);
      expect((await runProject(adapter, dir, { asOf: second, fullRefresh: true }))[0]!.status).toBe('success');
      expect(await rows(out)).toEqual(await rows(full));
      expect(await grants()).toEqual([{ privilege_type: 'SELECT', is_grantable: 'YES' }]);

      // row-level security and column privileges: the stored table keeps its identity, so that a
      // role limited to some rows does not see all of them after the refresh
      await adapter.execute(`grant usage on schema "${out}" to "${role}"`);
      await adapter.execute(`alter table "${out}".m__evaluations enable row level security`);
      await adapter.execute(`create policy low_scores on "${out}".m__evaluations to "${role}" using (score < 0.5)`);
      await adapter.execute(`grant update (label) on "${out}".m__evaluations to "${role}"`);
      const seen = async () => {
        await adapter.execute(`set role "${role}"`);
        try {
          return (await adapter.query(`select count(*) as n from "${out}".m__evaluations`))[0]!.n;
        } finally {
          await adapter.execute('reset role');
        }
      };
      const lowScores = (await rows(full)).filter((r) => Number(r.score) < 0.5).length;
      expect(lowScores).toBeGreaterThan(0);
      expect(lowScores).toBeLessThan((await rows(full)).length);
      expect(await seen()).toBe(lowScores);
      expect((await runProject(adapter, dir, { asOf: second, fullRefresh: true }))[0]!.status).toBe('success');
      expect(await rows(out)).toEqual(await rows(full));
      expect(await seen()).toBe(lowScores);
      expect(await adapter.query(`select column_name, privilege_type from information_schema.column_privileges where table_schema = '${out}' and grantee = '${role}' and privilege_type = 'UPDATE'`)).toEqual([{ column_name: 'label', privilege_type: 'UPDATE' }]);

      // a segment adds a column: the view stays, the run fails naming what it keeps, and nothing changes
      await adapter.execute(`create view "${out}".drill as select pid, score from "${out}".m__evaluations`);
      const before = await rows(out);
      const [failed] = await runProject(adapter, writeProject(target, src, out, { ...spec, segments: [{ column: 'seg_a', top: 3 }] }), { asOf: second });
      expect(failed!.status).toBe('error');
      expect(failed!.error!.message).toMatch(/step write failed[^]*cannot replace \S*m__evaluations with a table of other columns and keep its views \S*drill; row-level security; column privileges\n\s*DETAIL: stored: [^;]*; this run writes: [^]*seg_a[^]*\n\s*HINT: drop the views, disable row-level security/);
      expect(await rows(out)).toEqual(before);
      expect((await adapter.query(`select count(*) as n from "${out}".drill`))[0]!.n).toBe(before.length);
    } finally {
      for (const schema of [src, out, full]) await adapter.execute(`drop schema if exists "${schema}" cascade`);
      await adapter.execute(`drop role if exists "${role}"`);
      await adapter.close();
    }
  });
});
