// Monitors run side by side (`threads`), each in a session of its own, write exactly what they write
// one at a time, their transactions one after another; a monitor that fails, before its transaction
// or inside it, leaves its tables as they were while the others run; a configured column missing from
// any monitor's source stops the run before any monitor runs, logging each such monitor's failure, and
// closes the sessions it opened.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import type { Monitor } from '../../src/config/monitor.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { dialectFor } from '../../src/dialects/index.js';
import { ConfigError } from '../../src/errors.js';
import { RefusedByColumnCheck, runMonitors } from '../../src/runner/run.js';
import { previousSeconds, startOrder } from '../../src/runner/run-log.js';
import { diffSchemas } from './chains.js';
import { binaryMonitor, loadFixture, readMetrics, runProject, uniqueName, writeMonitors, type Fixture, type MonitorSpec } from './harness.js';
import { randomFixture } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const DAY = 86_400_000;
const SPECS: MonitorSpec[] = [
  { name: 'm1', within: '5 days', withinMs: 5 * DAY, granularity: ['day', 'week', 'month'], segments: [{ column: 'seg_a', top: 50 }, { column: 'seg_b', top: 3 }] },
  { name: 'm2', within: '3 days', withinMs: 3 * DAY, missing: 'negative', granularity: ['week'] },
  { name: 'm3', within: '5 days', withinMs: 5 * DAY, outcomesSql: true, segments: [{ column: 'seg_b', top: 2 }] },
  { name: 'm4', within: '2 days', withinMs: 2 * DAY, predictionDedupe: 'earliest', outcomeDedupe: 'earliest', modelVersion: false, granularity: ['day', 'week'] },
];
const NAMES = SPECS.map((s) => s.name!);
const FIRST = new Date('2026-02-01T00:00:00Z');
const SECOND = new Date('2026-02-14T00:00:00Z');

/** Events that had arrived by `cut`, and those that arrive after (in time order, as the contract has it). */
function splitAt(f: Fixture, cut: Date): [Fixture, Fixture] {
  const before = (t: Date) => t.getTime() <= cut.getTime();
  return [
    { predictions: f.predictions.filter((p) => before(p.ts)), outcomes: f.outcomes.filter((o) => before(o.ts)) },
    { predictions: f.predictions.filter((p) => !before(p.ts)), outcomes: f.outcomes.filter((o) => !before(o.ts)) },
  ];
}

interface Sessions {
  opened: number;
  closed: number;
  inFlight: number;
  maxInFlight: number;
  transactions: number;
  maxTransactions: number;
  used: Set<number>;
  /** The monitors in the order their runs started. */
  planned: string[];
  /** Fails this monitor's statement (e.g. its commit, after every write ran), once, as the warehouse would. */
  fail?: { monitor: string; statement: string };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The adapter and every session opened from it, counting sessions, the statements running at once and
 * the transactions open at once (BigQuery cancels one of two that mutate the same table, and every
 * monitor writes the shared metric and run tables). Each transaction is held open 20 ms longer, so
 * that transactions that were not kept apart would overlap.
 */
function tracked(adapter: Adapter, s: Sessions, id = 0): Adapter {
  let context: Record<string, string> = {};
  const count = async <T>(run: () => Promise<T>): Promise<T> => {
    s.used.add(id);
    s.maxInFlight = Math.max(s.maxInFlight, ++s.inFlight);
    try {
      return await run();
    } finally {
      s.inFlight--;
    }
  };
  const execute = async (sql: string) => {
    const word = sql.trim().toLowerCase();
    if (s.fail && context.monitor === s.fail.monitor && word === s.fail.statement) {
      s.fail = undefined; // once: the rollback and the run's record go through
      throw new Error(`injected failure of ${context.monitor}'s ${word}`);
    }
    if (word === 'begin') s.maxTransactions = Math.max(s.maxTransactions, ++s.transactions);
    const rows = await count(() => adapter.execute(sql));
    if (word === 'begin') await sleep(20);
    if (word === 'commit' || word === 'rollback') s.transactions--;
    return rows;
  };
  return {
    type: adapter.type,
    dialect: adapter.dialect,
    execute,
    query: (sql) => {
      // each monitor's run starts by taking its lock (where the warehouse has locks: Dialect.sessionLock),
      // or else by reading its last successful run (previousRun)
      const planned = (/advisory_lock\(hashtextextended\('hindsight:\w+\.(\w+)'/.exec(sql) ?? /^select \* from \S*hindsight_runs\S*\nwhere monitor = '(\w+)' and status = 'success'\norder by finished_at desc/.exec(sql))?.[1];
      if (planned && !s.planned.includes(planned)) s.planned.push(planned);
      return count(() => adapter.query(sql));
    },
    columns: (select) => count(() => adapter.columns(select)),
    reportsCreatedRows: adapter.reportsCreatedRows,
    setContext(tags) {
      context = { ...tags };
      adapter.setContext?.(tags);
    },
    async openSession() {
      const session = await adapter.openSession!();
      const wrapped = tracked(session, s, ++s.opened);
      return { ...wrapped, close: async () => { s.closed++; await session.close(); } };
    },
    close: () => adapter.close(),
  };
}

const fresh = (): Sessions => ({ opened: 0, closed: 0, inFlight: 0, maxInFlight: 0, transactions: 0, maxTransactions: 0, used: new Set<number>(), planned: [] });
const outcomes = (results: { monitor: string; status: string; mode?: string }[]) => results.map((r) => [r.monitor, r.status, r.mode]);

describe('the order monitors start in with threads', () => {
  const monitors = ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name }) as Monitor);
  it('puts monitors never run first, then the longest last run first, ties in configured order', () => {
    expect(startOrder(monitors, new Map([['a', 3], ['b', 40], ['d', 3], ['e', 7.5]]))).toEqual([2, 1, 4, 0, 3]);
    expect(startOrder(monitors, new Map())).toEqual([0, 1, 2, 3, 4]);
  });
});

describe.each(TARGETS)('monitors run side by side on $name', (target) => {
  let adapter: Adapter;
  let fixture: Fixture;
  beforeAll(async () => {
    if (target.unavailable) return;
    adapter = await openTarget(target);
    fixture = randomFixture({ seed: 7, predictions: 240, start: new Date('2026-01-20T00:00:00Z'), days: 20, maxDelayDays: 4 });
  });
  afterAll(async () => adapter?.close());

  async function loadFirst(): Promise<{ src: string; rest: Fixture }> {
    const src = uniqueName('src');
    const [first, rest] = splitAt(fixture, FIRST);
    await loadFixture(adapter, src, first, { segments: ['seg_a', 'seg_b'] });
    return { src, rest };
  }

  it.skipIf(target.unavailable)('write, full and incremental, the rows they write one at a time', async () => {
    const { src, rest } = await loadFirst();
    const [one, three] = [uniqueName('hs'), uniqueName('hs')];
    const monitors = SPECS.map((s) => binaryMonitor(src, s));
    const oneDir = writeMonitors(target, one, monitors, { threads: 1 });
    const threeDir = writeMonitors(target, three, monitors, { threads: 3 });
    for (const [asOf, mode] of [[FIRST, 'full_refresh'], [SECOND, 'incremental']] as const) {
      if (mode === 'incremental') await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
      expect(outcomes(await runProject(adapter, oneDir, { asOf }))).toEqual(NAMES.map((n) => [n, 'success', mode]));
      let expectedStart = NAMES;
      if (mode === 'incremental') {
        // m4's last run made the longest: it starts first, then the others by their last run's time
        const d = adapter.dialect;
        await adapter.execute(`update ${three}.hindsight_runs set started_at = ${d.timestamp(new Date('2001-01-01T00:00:00Z'))}, finished_at = ${d.timestamp(new Date('2001-01-02T00:00:00Z'))} where monitor = 'm4'`);
        const seconds = await previousSeconds(adapter, `${three}.hindsight_runs`, NAMES.map((name) => ({ name }) as Monitor));
        expect(seconds.get('m4')).toBe(86_400);
        expectedStart = startOrder(NAMES.map((name) => ({ name }) as Monitor), seconds).map((i) => NAMES[i]!);
        expect(expectedStart[0]).toBe('m4');
      }
      const s = fresh();
      const results = await runProject(tracked(adapter, s), threeDir, { asOf });
      expect(s.planned).toEqual(expectedStart);
      // in the order of the monitors, whatever order they finished in
      expect(outcomes(results)).toEqual(NAMES.map((n) => [n, 'success', mode]));
      expect(s).toMatchObject({ opened: 2, closed: 2, maxTransactions: 1 });
      expect(s.maxInFlight).toBeGreaterThan(1);
      expect([...s.used].sort()).toEqual([0, 1, 2]);
      expect(await diffSchemas(adapter, one, three, NAMES)).toEqual([]);
      // what the next run's order starts from: the time of each monitor's last successful run
      const seconds = await previousSeconds(adapter, `${three}.hindsight_runs`, NAMES.map((name) => ({ name }) as Monitor));
      expect([...seconds.keys()].sort()).toEqual(NAMES);
      for (const v of seconds.values()) expect(v).toBeGreaterThan(0);
      // the latest successful run's time, not the longest (m4's day-long one is the earlier)
      if (mode === 'incremental') expect(seconds.get('m4')).toBeLessThan(3600);
    }
  });

  it.skipIf(target.unavailable)('leave a failed monitor\'s tables as they were while the others run', async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const monitors = SPECS.map((s) => binaryMonitor(src, s));
    expect(outcomes(await runProject(adapter, writeMonitors(target, out, monitors, { threads: 3 }), { asOf: FIRST }))).toEqual(NAMES.map((n) => [n, 'success', 'full_refresh']));
    const snapshot = async (m: string) => ({ metrics: await readMetrics(adapter, out, m), evaluations: await adapter.query(`select * from ${out}.${m}__evaluations order by pid`) });
    const before = { m2: await snapshot('m2'), m3: await snapshot('m3') };
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    // m2's filter fails on the first row it reads, before its transaction (its changed configuration
    // makes its run a full refresh); m3's commit fails, after its write step ran in the transaction
    const broken = monitors.map((m) => (m.name === 'm2' ? { ...m, predictions: { ...(m.predictions as object), where: 'cast(environment as integer) = 1' } } : m));
    const s = { ...fresh(), fail: { monitor: 'm3', statement: 'commit' } };
    const results = await runProject(tracked(adapter, s), writeMonitors(target, out, broken, { threads: 3 }), { asOf: SECOND });
    expect(outcomes(results)).toEqual([['m1', 'success', 'incremental'], ['m2', 'error', 'full_refresh'], ['m3', 'error', 'incremental'], ['m4', 'success', 'incremental']]);
    expect(results[1]!.error?.message).toMatch(/monitor m2, step prediction_events/);
    expect(results[2]!.error?.message).toMatch(/monitor m3, step commit failed \(committing the SQL in \S+write\.sql\)[^]*injected failure of m3's commit/);
    expect(results[2]!.rowsWritten).toBe(0); // (its write step's rows were rolled back)
    expect(s).toMatchObject({ opened: 2, closed: 2, transactions: 0, maxTransactions: 1 });
    expect(await snapshot('m2')).toEqual(before.m2);
    expect(await snapshot('m3')).toEqual(before.m3);
    // the first run's four records, then the second's (in the order they finished)
    const runs = await adapter.query(`select monitor, status, rows_written from ${out}.hindsight_runs order by started_at`);
    const second = runs.slice(NAMES.length).sort((a, b) => String(a.monitor).localeCompare(String(b.monitor)));
    expect(runs.slice(0, NAMES.length).map((r) => r.status)).toEqual(NAMES.map(() => 'success'));
    expect(second.map(({ monitor, status }) => ({ monitor, status }))).toEqual([
      { monitor: 'm1', status: 'success' }, { monitor: 'm2', status: 'error' }, { monitor: 'm3', status: 'error' }, { monitor: 'm4', status: 'success' },
    ]);
    expect(second.filter((r) => r.status === 'error').map((r) => Number(r.rows_written))).toEqual([0, 0]);
  });

  // Two runs of one monitor at once (an overlapping cron job) would both plan from the same stored
  // state and add the same late outcomes twice. Where the warehouse has session locks the second one
  // fails, having written nothing (DuckDB's file lock keeps a second process out altogether).
  const lockable = (name: string) => dialectFor(target.name.replace(/-fake$/, '')).sessionLock(name);
  it.skipIf(target.unavailable || !lockable('x'))("a run of a monitor whose lock another session holds fails, writes nothing, and the next one runs", async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, [binaryMonitor(src, SPECS[0]!)]);
    await runProject(adapter, dir, { asOf: FIRST });
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    const state = async () => adapter.query(`select metric, window_start, segment, segment_value, value from ${out}.hindsight_metrics order by 1, 2, 3, 4`);
    const before = await state();
    const lock = lockable(`hindsight:${out}.m1`)!;
    const other = (await adapter.openSession!())!;
    try {
      expect(await other.query(lock.take)).toEqual([{ taken: true }]); // (another run, holding it)
      const [busy] = await runProject(adapter, dir, { asOf: SECOND });
      expect(busy!.status).toBe('error');
      const [{ pid }] = (await other.query('select pg_backend_pid() as pid')) as [{ pid: number }];
      expect(busy!.error!.message).toMatch(/^monitor m1, step plan failed[^]*another hindsight run of monitor m1 is in progress on this database[^]*this run wrote no metrics/);
      expect(busy!.error!.message).toContain(`server process ${pid} (pg_stat_activity); if its run was killed, the session ends when its statement does, or at once with select pg_terminate_backend(${pid})`);
      expect(await state()).toEqual(before);
      // logged as any failed run, for an alert on hindsight_runs to see
      const records = await adapter.query(`select status, mode, error, rows_written, sql_sha256, config_hash from ${out}.hindsight_runs where run_id = '${busy!.runId}'`);
      expect(records).toEqual([{ status: 'error', mode: 'incremental', error: busy!.error!.message, rows_written: 0, sql_sha256: '', config_hash: expect.any(String) }]);
      await other.query(lock.release);
      const [next] = await runProject(adapter, dir, { asOf: SECOND });
      expect([next!.status, next!.mode]).toEqual(['success', 'incremental']);
      // the run gave the lock back
      expect(await other.query(lock.take)).toEqual([{ taken: true }]);
      await other.query(lock.release);
    } finally {
      await other.close();
    }
  });

  // Where there is no lock (DuckDB in one process, BigQuery, Snowflake), a run whose plan another run
  // overtook is rolled back before it commits: both would add the same late outcomes.
  it.skipIf(target.unavailable || !!lockable('x'))('a run that another run of its monitor overtook between its plan and its commit is rolled back', async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, [binaryMonitor(src, SPECS[0]!)]);
    await runProject(adapter, dir, { asOf: FIRST });
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    const other = (await adapter.openSession!())!;
    try {
      // the slow run plans, builds its session tables, then waits at its transaction's begin for the other run
      let overtaking: Promise<unknown> | undefined;
      const slow: Adapter = {
        ...adapter,
        execute: async (sql) => {
          if (sql.trim().toLowerCase() === 'begin') await (overtaking ??= runProject(other, dir, { asOf: SECOND }));
          return adapter.execute(sql);
        },
      };
      const [overtaken] = await runProject(slow, dir, { asOf: SECOND });
      const [winner] = (await overtaking) as Awaited<ReturnType<typeof runProject>>;
      expect([winner!.status, winner!.mode]).toEqual(['success', 'incremental']);
      expect(overtaken!.status).toBe('error');
      expect(overtaken!.error!.message).toMatch(/another run of monitor m1 committed while this one ran[^]*was rolled back; run it again/);
      // the tables are the other run's: a full refresh's
      const fresh = uniqueName('hs');
      await runProject(adapter, writeMonitors(target, fresh, [binaryMonitor(src, SPECS[0]!)]), { asOf: SECOND, fullRefresh: true });
      expect(await diffSchemas(adapter, out, fresh, ['m1'])).toEqual([]);
    } finally {
      await other.close();
    }
  });

  it.skipIf(target.unavailable)('stop on an interrupt: running monitors roll back and drop their staged tables, the rest do not start', async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, SPECS.map((s) => binaryMonitor(src, s)), { threads: 2 });
    await runProject(adapter, dir, { asOf: FIRST });
    // (where DDL is transactional a full refresh stages its evaluations table in the schema)
    const tables = async () => adapter.dialect.capabilities.transactionalDdl
      ? (await adapter.query(`select table_name from information_schema.tables where table_schema = '${out}' order by table_name`)).map((r) => r.table_name)
      : [];
    const state = async () => ({
      tables: await tables(),
      metrics: await adapter.query(`select monitor, metric, window_start, value from ${out}.hindsight_metrics order by 1, 2, 3, 4`),
    });
    const before = await state();
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    // Ctrl-C once the second monitor to start has built its evaluations (a staged table on DuckDB and Postgres)
    const interrupted = new AbortController();
    const project = loadProject(dir);
    const results = await runMonitors({
      project, target: loadTarget(project), adapter, monitors: project.monitors, asOf: SECOND, fullRefresh: true, signal: interrupted.signal,
      onStep: (m, step) => {
        if (step.name === 'evaluations' && !interrupted.signal.aborted) interrupted.abort(new Error('interrupted by SIGINT'));
      },
    });
    expect(results.map((r) => r.status).sort()).toEqual(['error', 'error', 'skipped', 'skipped']);
    expect(results.filter((r) => r.status === 'error').map((r) => r.error!.message)).toEqual([expect.stringMatching(/^monitor m\d, step \w+ failed[^]*interrupted by SIGINT/), expect.stringMatching(/^monitor m\d, step \w+ failed[^]*interrupted by SIGINT/)]); // the two running
    expect(results.filter((r) => r.status === 'skipped').map((r) => r.error!.message)).toEqual(['not run: interrupted by SIGINT', 'not run: interrupted by SIGINT']);
    expect(await state()).toEqual(before); // no staged table left, every row as it was
    const runs = await adapter.query(`select status from ${out}.hindsight_runs order by started_at`);
    expect(runs.map((r) => r.status)).toEqual([...NAMES.map(() => 'success'), 'error', 'error']);
  });

  // Ctrl-C as a monitor's commit is sent. DuckDB's commit, interrupted, failed with "Interrupted!" having
  // committed: the run was reported failed, rows_written 0, with an error record beside its success
  // record. Here a session interrupted while it commits commits, then fails so, on every warehouse.
  it.skipIf(target.unavailable)('stop on an interrupt during a commit: that monitor commits and is reported a success, the rest do not start', async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, SPECS.map((s) => binaryMonitor(src, s)), { threads: 2 });
    await runProject(adapter, dir, { asOf: FIRST });
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    const interrupted = new AbortController();
    let commits = 0;
    let interruptedWhileCommitting = 0;
    const interruptAtCommit = (session: Adapter): Adapter => {
      let committing = false;
      return {
        ...session,
        async execute(sql) {
          if (sql.trim().toLowerCase() !== 'commit' || commits++ > 0) return session.execute(sql);
          committing = true;
          interrupted.abort(new Error('interrupted by SIGINT'));
          try {
            const rows = await session.execute(sql);
            if (interruptedWhileCommitting) throw new Error('INTERRUPT Error: Interrupted!');
            return rows;
          } finally {
            committing = false;
          }
        },
        async interrupt() {
          if (committing) interruptedWhileCommitting++;
          else await session.interrupt?.();
        },
        openSession: async () => interruptAtCommit(await session.openSession!()),
      };
    };
    const project = loadProject(dir);
    const results = await runMonitors({ project, target: loadTarget(project), adapter: interruptAtCommit(adapter), monitors: project.monitors, asOf: SECOND, fullRefresh: false, signal: interrupted.signal });
    expect(interruptedWhileCommitting).toBe(0);
    const committed = results.filter((r) => r.status === 'success');
    expect(committed).toHaveLength(1);
    const [done] = committed;
    expect([done!.mode, done!.error]).toEqual(['incremental', undefined]);
    expect(done!.rowsWritten).toBeGreaterThan(0);
    expect(results.filter((r) => r.status === 'error').map((r) => r.error!.message)).toEqual([expect.stringMatching(/^monitor m\d, step \w+ failed[^]*interrupted by SIGINT/)]); // the other one running
    expect(results.filter((r) => r.status === 'skipped').map((r) => r.error!.message)).toEqual(['not run: interrupted by SIGINT', 'not run: interrupted by SIGINT']);
    // its record is its success alone, and its tables are a full refresh's
    const records = await adapter.query(`select status, rows_written from ${out}.hindsight_runs where run_id = '${done!.runId}'`);
    expect(records.map((r) => [r.status, Number(r.rows_written)])).toEqual([['success', done!.rowsWritten]]);
    const fresh = uniqueName('hs');
    await runProject(adapter, writeMonitors(target, fresh, [binaryMonitor(src, SPECS.find((s) => s.name === done!.monitor)!)]), { asOf: SECOND });
    expect(await diffSchemas(adapter, out, fresh, [done!.monitor])).toEqual([]);
  });

  // A commit whose client fails after the warehouse committed (a reply lost, an interrupt that came
  // too late): the run's success record, read after the rollback, says it went through.
  it.skipIf(target.unavailable)('report a commit that failed having committed as the success it is, without an error record', async () => {
    const { src, rest } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, [binaryMonitor(src, SPECS[0]!)]);
    await runProject(adapter, dir, { asOf: FIRST });
    await loadFixture(adapter, src, rest, { segments: ['seg_a', 'seg_b'], append: true });
    const failing: Adapter = {
      ...adapter,
      async execute(sql) {
        const rows = await adapter.execute(sql);
        if (sql.trim().toLowerCase() === 'commit') throw new Error('connection lost after commit');
        return rows;
      },
    };
    const [result] = await runProject(failing, dir, { asOf: SECOND });
    expect([result!.status, result!.mode, result!.error]).toEqual(['success', 'incremental', undefined]);
    expect(result!.finalBefore).toBeInstanceOf(Date);
    const records = await adapter.query(`select status, rows_written from ${out}.hindsight_runs where run_id = '${result!.runId}'`);
    expect(records.map((r) => [r.status, Number(r.rows_written)])).toEqual([['success', result!.rowsWritten]]);
    const fresh = uniqueName('hs');
    await runProject(adapter, writeMonitors(target, fresh, [binaryMonitor(src, SPECS[0]!)]), { asOf: SECOND });
    expect(await diffSchemas(adapter, out, fresh, ['m1'])).toEqual([]);
  });

  it.skipIf(target.unavailable)('stop on an interrupt during the column checks: no monitor runs, and it is no configuration error', async () => {
    const { src } = await loadFirst();
    const out = uniqueName('hs');
    const project = loadProject(writeMonitors(target, out, SPECS.map((s) => binaryMonitor(src, s))));
    const interrupted = new AbortController();
    // the interrupt comes while the first monitor's source is read (a lock held elsewhere, say)
    const checking: Adapter = {
      ...adapter,
      columns: async (select) => {
        const read = adapter.columns(select);
        interrupted.abort(new Error('interrupted by SIGINT'));
        return read;
      },
    };
    const results = await runMonitors({ project, target: loadTarget(project), adapter: checking, monitors: project.monitors, asOf: FIRST, fullRefresh: false, signal: interrupted.signal });
    expect(results.map((r) => [r.monitor, r.status, r.error?.message])).toEqual(NAMES.map((n) => [n, 'skipped', 'not run: interrupted by SIGINT']));
    expect(await adapter.query(`select count(*) as n from ${out}.hindsight_runs`)).toEqual([{ n: 0 }]);
  });

  it.skipIf(target.unavailable)('report a monitor that fails before its first step as its result, and run the others', async () => {
    const { src } = await loadFirst();
    const out = uniqueName('hs');
    const dir = writeMonitors(target, out, SPECS.map((s) => binaryMonitor(src, s)), { threads: 2 });
    // a file where m3's compiled steps go (target/run/m3/)
    mkdirSync(join(dir, 'target', 'run'), { recursive: true });
    writeFileSync(join(dir, 'target', 'run', 'm3'), '');
    const results = await runProject(adapter, dir, { asOf: FIRST });
    expect(outcomes(results)).toEqual([['m1', 'success', 'full_refresh'], ['m2', 'success', 'full_refresh'], ['m3', 'error', undefined], ['m4', 'success', 'full_refresh']]);
    expect(results[2]!.error?.message).toMatch(/^monitor m3, step plan failed:\n {2}EEXIST/);
    // (logged as a failed run, with the mode asked for)
    expect(await adapter.query(`select monitor, status, mode from ${out}.hindsight_runs order by monitor`)).toEqual([
      { monitor: 'm1', status: 'success', mode: 'full_refresh' }, { monitor: 'm2', status: 'success', mode: 'full_refresh' },
      { monitor: 'm3', status: 'error', mode: 'incremental' }, { monitor: 'm4', status: 'success', mode: 'full_refresh' },
    ]);
  });

  it.skipIf(target.unavailable)('run none when a monitor\'s configured column is missing, listing every such monitor', async () => {
    const { src } = await loadFirst();
    const out = uniqueName('hs');
    const monitors = SPECS.map((s) => binaryMonitor(src, s));
    monitors[1] = binaryMonitor(src, { ...SPECS[1]!, segments: [{ column: 'no_such_column', top: 3 }] });
    monitors[3] = binaryMonitor(src, { ...SPECS[3]!, segments: [{ column: 'nor_this_one', top: 3 }] });
    const s = fresh();
    const error = await runProject(tracked(adapter, s), writeMonitors(target, out, monitors, { threads: 2 }), { asOf: FIRST }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.key)).toEqual(['monitors[1].segments[0]', 'monitors[3].segments[0]']);
    expect(String((error as Error).message)).toMatch(/column "no_such_column" is not in[^]*column "nor_this_one" is not in/);
    expect(s).toMatchObject({ opened: 1, closed: 1, inFlight: 0, maxTransactions: 0 });
    // each refused monitor's failure is logged (an alert on the log's errors sees a column renamed
    // upstream), the others are not run, and run_results.json gets every monitor's result
    const results = (error as RefusedByColumnCheck).results;
    expect(results.map((r) => [r.monitor, r.status, r.error?.message])).toEqual([
      ['m1', 'skipped', 'not run: the configured columns of 2 other monitor(s) are not in their sources'],
      ['m2', 'error', expect.stringMatching(/monitors\[1\]\.segments\[0\]: column "no_such_column" is not in/)],
      ['m3', 'skipped', 'not run: the configured columns of 2 other monitor(s) are not in their sources'],
      ['m4', 'error', expect.stringMatching(/monitors\[3\]\.segments\[0\]: column "nor_this_one" is not in/)],
    ]);
    const records = await adapter.query(`select monitor, run_id, status, mode, error, rows_written, sql_sha256 from ${out}.hindsight_runs order by monitor`);
    expect(records).toEqual([results[1]!, results[3]!].map((r) => ({
      monitor: r.monitor, run_id: r.runId, status: 'error', mode: 'incremental', error: r.error!.message, rows_written: 0, sql_sha256: '',
    })));
    // and nothing else is written: no monitor's tables
    expect(await adapter.query(`select count(*) as n from ${out}.hindsight_metrics`)).toEqual([{ n: 0 }]);
    expect(await adapter.query('select 1 as x')).toEqual([{ x: 1 }]);
  });

  /** The monitors whose refusal by the column check is logged, and nothing else. */
  const refusedLogged = async (out: string) => {
    const records = await adapter.query(`select monitor, status, sql_sha256 from ${out}.hindsight_runs order by monitor`);
    expect(records.every((r) => r.status === 'error' && r.sql_sha256 === '')).toBe(true);
    return records.map((r) => r.monitor);
  };

  it.skipIf(target.unavailable)('run none when a time column is a number, or text where the warehouse does not compare text with timestamps', async () => {
    const { src } = await loadFirst();
    const out = uniqueName('hs');
    const d = adapter.dialect;
    const withTime = (spec: MonitorSpec, time: string) => {
      const m = binaryMonitor(src, { ...spec, outcomesSql: true });
      return { ...m, outcomes: { ...(m.outcomes as object), sql: `select outcome_pid as pid, ${time} as observed_at, label from ${src}.outcomes` } };
    };
    const monitors = [withTime(SPECS[0]!, `cast(observed_at as ${d.types.text})`), withTime(SPECS[1]!, `cast(1767225600 as ${d.types.bigint})`), binaryMonitor(src, SPECS[2]!)];
    const error = await runProject(adapter, writeMonitors(target, out, monitors), { asOf: FIRST }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    const issues = (error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`);
    expect(issues).toEqual([
      ...(d.capabilities.textTimestamps ? [] : [expect.stringMatching(/^monitors\[0\]\.outcomes\.timestamp: column "observed_at" of the outcomes sql is \S+, text, which \w+ does not compare with timestamps; convert it to a timestamp in a `sql:` source$/)]),
      expect.stringMatching(/^monitors\[1\]\.outcomes\.timestamp: column "observed_at" of the outcomes sql is \S+, a number, not a timestamp or a date; convert it/),
    ]);
    expect(await refusedLogged(out)).toEqual(d.capabilities.textTimestamps ? ['m2'] : ['m1', 'm2']);
  });

  // A text label ('yes'/'no', 'true') and keys of two families failed deep in a step in the
  // warehouse's words (or, on DuckDB, matched '2.5' to prediction 3): said before anything runs.
  it.skipIf(target.unavailable)('run none when a label is text, or a key is matched to one of another type', async () => {
    const { src } = await loadFirst();
    const out = uniqueName('hs');
    const d = adapter.dialect;
    const withOutcomes = (spec: MonitorSpec, select: string) => {
      const m = binaryMonitor(src, { ...spec, outcomesSql: true });
      return { ...m, outcomes: { ...(m.outcomes as object), sql: `select ${select} from ${src}.outcomes` } };
    };
    const monitors = [
      withOutcomes(SPECS[0]!, `outcome_pid as pid, observed_at, case when label = 1 then 'yes' else 'no' end as label`),
      withOutcomes(SPECS[1]!, `cast(1 as ${d.types.bigint}) as pid, observed_at, label`),
      withOutcomes(SPECS[2]!, `outcome_pid as pid, observed_at, label`),
    ];
    const error = await runProject(adapter, writeMonitors(target, out, monitors), { asOf: FIRST }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`)).toEqual([
      expect.stringMatching(/^monitors\[0\]\.outcomes\.label: column "label" of the outcomes sql is \S+, text, not 1\/0 or a boolean; make it 1\/0 in a `sql:` source/),
      expect.stringMatching(/^monitors\[1\]\.outcomes\.key: column "pid" of the outcomes sql is \S+ \(number\), and the predictions\.key column it is matched to, "pid" of \S+, is \S+ \(text\): keys are compared as they are/),
    ]);
    expect(await refusedLogged(out)).toEqual(['m1', 'm2']);
  });

  // Classes are compared as text, and a decimal's text keeps its scale: a DECIMAL(4,1) label of 1
  // is '1.0', which no predicted class 1 equals (accuracy 0, every confusion row 1.0→1). BigQuery's
  // NUMERIC is text without trailing zeros ('1'), and is not refused. A decimal of scale 0 still runs.
  it.skipIf(target.unavailable)('run none when a multiclass label or predicted class is a decimal with a scale', async () => {
    const { src } = await loadFirst();
    const d = adapter.dialect;
    const multiclass = (name: string, predictedClass: string, label: string) => ({
      name,
      type: 'multiclass_classification',
      predictions: { sql: `select pid, predicted_at, ${predictedClass} as predicted_class, case when score >= 0.5 then score else 1 - score end as p1, case when score >= 0.5 then 1 - score else score end as p0 from ${src}.predictions`, key: 'pid', timestamp: 'predicted_at', predicted_class: 'predicted_class', class_scores: { 1: 'p1', 0: 'p0' } },
      outcomes: { sql: `select outcome_pid as pid, observed_at, ${label} as label from ${src}.outcomes`, key: 'pid', timestamp: 'observed_at', label: 'label' },
      join: { within: '5 days', missing: 'drop' },
      granularity: ['week'],
    });
    const predicted = `cast(case when score >= 0.5 then 1 else 0 end as ${d.types.integer})`;
    const refused = [
      multiclass('m1', predicted, 'cast(label as decimal(4, 1))'),
      multiclass('m2', 'cast(case when score >= 0.5 then 1 else 0 end as decimal(4, 1))', 'label'),
      // (a Postgres numeric without a declared scale keeps each value's own: 1.0 is '1.0')
      ...(target.name === 'postgres' ? [multiclass('m3', predicted, 'cast(label as numeric)')] : []),
    ];
    const out = uniqueName('hs');
    const error = await runProject(adapter, writeMonitors(target, out, refused), { asOf: FIRST }).then(() => undefined, (e: unknown) => e);
    // (BigQuery's are not refused; its fake, on DuckDB, writes a NUMERIC as text with DuckDB's scale,
    // where BigQuery writes none, so its metrics are not compared)
    if (target.name.startsWith('bigquery')) return expect(error).toBeUndefined();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`)).toEqual([
      expect.stringMatching(/^monitors\[0\]\.outcomes\.label: column "label" of the outcomes sql is \S+\(4, ?1\), a decimal: classes are compared as text, where 1\.0 is not 1; cast it to an integer or text in a `sql:` source$/),
      expect.stringMatching(/^monitors\[1\]\.predictions\.predicted_class: column "predicted_class" of the predictions sql is \S+\(4, ?1\), a decimal: classes are compared as text, where 1\.0 is not 1; cast it/),
      ...(target.name === 'postgres' ? [expect.stringMatching(/^monitors\[2\]\.outcomes\.label: column "label" of the outcomes sql is NUMERIC, a decimal without a declared scale: classes are compared as text, where 1\.0 is not 1; cast it/)] : []),
    ]);
    expect(await refusedLogged(out)).toEqual(refused.map((m) => m.name));
    // a decimal of scale 0 is text without a fraction: its metrics are those of an integer label
    const running = uniqueName('hs');
    const results = await runProject(adapter, writeMonitors(target, running, [multiclass('m1', predicted, 'cast(label as decimal(4, 0))'), multiclass('m2', predicted, 'label')]), { asOf: FIRST });
    expect(results.map((r) => [r.monitor, r.status])).toEqual([['m1', 'success'], ['m2', 'success']]);
    const [decimal, integer] = [await readMetrics(adapter, running, 'm1'), await readMetrics(adapter, running, 'm2')];
    expect(decimal.length).toBeGreaterThan(0);
    expect(decimal).toEqual(integer);
    expect(decimal.find((r) => r.metric === 'accuracy' && r.segment === null)!.value).toBeGreaterThan(0);
  });

  // A `where:` naming a column the predictions do not have passed debug, then failed in a step.
  it.skipIf(target.unavailable)('run none when the predictions\' where is not a condition on their columns', async () => {
    const { src } = await loadFirst();
    const m = binaryMonitor(src, SPECS[0]!);
    const monitor = { ...m, predictions: { ...(m.predictions as object), where: "environmnet = 'production'" } };
    const out = uniqueName('hs');
    const error = await runProject(adapter, writeMonitors(target, out, [monitor]), { asOf: FIRST }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`)).toEqual([expect.stringMatching(/^monitors\[0\]\.predictions\.where: cannot filter \S+ by it: .*environmnet/i)]);
    expect(await refusedLogged(out)).toEqual(['m1']);
  });

  // The closest column may be one no monitor can name ("Score Date"): say how to rename it, not to use it.
  it.skipIf(target.unavailable)('suggest renaming a closest column that is no name a monitor can give', async () => {
    const { src } = await loadFirst();
    const d = adapter.dialect;
    const m = binaryMonitor(src, SPECS[0]!);
    const p = m.predictions as Record<string, unknown>;
    const monitor = { ...m, segments: [], predictions: { ...p, relation: undefined, sql: `select pid, predicted_at, score as ${d.quote('Score Date')}, model_version, environment from ${src}.predictions`, score: 'score_date' } };
    const error = await runProject(adapter, writeMonitors(target, uniqueName('hs'), [monitor]), { asOf: FIRST }).catch((e: unknown) => e);
    const [issue] = (error as ConfigError).issues;
    expect(issue!.key).toBe('monitors[0].predictions.score');
    expect(issue!.message).toMatch(/column "score_date" is not in the predictions sql; it has: .*; the closest, "Score Date", is no name a monitor can give \(letters, digits, _ and \$\): rename it in a `sql:` source \(select "Score Date" as score_date …\)$/);
    expect(issue!.suggestion).toBeUndefined();
  });

  // Each part of a relation is quoted as written: on Postgres src.Predictions is not the table made
  // unquoted as src.predictions, and the warehouse's "does not exist" named a table that is there.
  it.skipIf(target.unavailable)('suggest the relation in lower case when the one written cannot be read and that one can', async () => {
    const { src } = await loadFirst();
    const m = binaryMonitor(src, SPECS[0]!);
    const monitor = { ...m, predictions: { ...(m.predictions as object), relation: `${src}.Predictions` } };
    const error = await runProject(adapter, writeMonitors(target, uniqueName('hs'), [monitor]), { asOf: FIRST }).then(() => undefined, (e: unknown) => e);
    // (DuckDB, and the fakes on it, find a name whatever its case)
    if (error === undefined) return expect(target.name).not.toBe('postgres');
    const [issue] = (error as ConfigError).issues;
    expect(issue!.key).toBe('monitors[0].predictions.relation');
    expect(issue!.message).toMatch(new RegExp(`^cannot read ${src}\\.Predictions: .*; ${src}\\.predictions can be read: each part of a relation is quoted as written`));
    expect(issue!.suggestion).toBe(`${src}.predictions`);
  });

  // A time column that is also a key column is reported where it is a time, not at the key.
  it.skipIf(target.unavailable)('report a text time column that is also a key at its timestamp key', async () => {
    const { src } = await loadFirst();
    const d = adapter.dialect;
    const m = binaryMonitor(src, SPECS[0]!);
    const p = m.predictions as Record<string, unknown>;
    const monitor = {
      ...m,
      predictions: { sql: `select pid, cast(predicted_at as ${d.types.text}) as logged_at, score, model_version, environment from ${src}.predictions`, key: ['pid', 'logged_at'], timestamp: 'logged_at', score: p.score, model_version: p.model_version, where: p.where },
      outcomes: { ...(m.outcomes as object), key: ['outcome_pid', 'observed_at'] },
      segments: [],
    };
    const error = await runProject(adapter, writeMonitors(target, uniqueName('hs'), [monitor]), { asOf: FIRST }).catch((e: unknown) => e);
    if (d.capabilities.textTimestamps) {
      // (text compares with timestamps here: only the keys' types differ, text against a time)
      expect((error as ConfigError).issues.map((i) => i.key)).toEqual(['monitors[0].outcomes.key']);
    } else {
      expect((error as ConfigError).issues.map((i) => i.key)).toEqual(['monitors[0].predictions.timestamp', 'monitors[0].outcomes.key']);
    }
  });
});
