// The BigQuery adapter through the real `@google-cloud/bigquery` client, against a fake of the
// BigQuery REST API on 127.0.0.1 (./bigquery-fake.ts): what the adapter sends on the wire, how it
// reads what comes back, and the shop example end to end compared with DuckDB.
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openAdapter, type Adapter } from '../../src/adapters/index.js';
import * as commands from '../../src/cli/commands.js';
import { debug } from '../../src/cli/debug.js';
import { captureStdout } from '../stdout.js';
import { ConfigError } from '../../src/errors.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { loadProject, type Project } from '../../src/config/load.js';
import type { Monitor } from '../../src/config/monitor.js';
import { outputSchema, type OutputConfig } from '../../src/config/schema.js';
import { runMonitors, type StepResult } from '../../src/runner/run.js';
import { seedFiles } from '../../src/config/seed-files.js';
import { loadSeed } from '../../src/runner/seed.js';
import { binaryMonitor, expectSameMetrics, loadFixture, readMetrics, referenceConfig, runProject, uniqueName, writeMonitors, type MonitorSpec } from '../integration/harness.js';
import type { TestTarget } from '../integration/targets.js';
import { referencePipeline, type OutcomeEvent, type PredictionEvent } from '../reference/pipeline.js';
import { FakeBigQuery, type FakeOptions } from './bigquery-fake.js';

const DEFAULTS: FakeOptions = { jobLatencyMs: 0, maxWaitMs: 10_000, maxRowsPerPage: 100_000, enforceJobTimeout: true };

let fake: FakeBigQuery;
beforeAll(async () => {
  fake = await FakeBigQuery.start(DEFAULTS);
  await fake.sql(`
    create schema ds;
    create table ds.numbers as select i as n from range(2500) t(i);
    create table ds.sizes (a bigint, s varchar);
    insert into ds.sizes select i, 'abc' from range(1000) t(i);`);
});
afterAll(() => fake?.stop());
afterEach(() => fake.configure(DEFAULTS));

function bigqueryOutput(extra: Record<string, unknown> = {}): OutputConfig {
  return outputSchema.parse({ type: 'bigquery', project: 'test-project', method: 'anonymous', api_endpoint: fake.url, ...extra });
}

async function withAdapter<T>(extra: Record<string, unknown>, fn: (a: Adapter) => Promise<T>): Promise<T> {
  const adapter = await openAdapter(bigqueryOutput(extra));
  try {
    return await fn(adapter);
  } finally {
    await adapter.close();
  }
}

/** Query jobs the fake received whose SQL is `sql`. */
const insertsOf = (sql: string) => fake.insertedJobs().filter((j) => j.configuration.query.query === sql);
const requestsFor = (jobId: string, kind: 'queries' | 'jobs') => fake.requests.filter((r) => r.path.endsWith(`/${kind}/${jobId}`));

describe('BigQuery adapter, through the real client, against a fake BigQuery API', () => {
  it('submits a query job, polls it until done and converts each type', async () => {
    fake.configure({ jobLatencyMs: 1200, maxWaitMs: 200 });
    const sql = `select cast(9007199254740991 as int64) as i, 2.5 as f, cast('NaN' as float64) as nan, true as b, 'x' as s,
      timestamp '2026-11-21 10:30:00.123456' as t, cast('1.25' as numeric) as n, cast('12345.5' as bignumeric) as bn, cast(null as string) as z`;
    const rows = await withAdapter({}, (a) => a.query(sql));
    expect(rows).toEqual([
      { i: 9007199254740991, f: 2.5, nan: NaN, b: true, s: 'x', t: new Date('2026-11-21T10:30:00.123Z'), n: 1.25, bn: 12345.5, z: null },
    ]);
    const [job] = insertsOf(sql);
    const polls = requestsFor(job.jobReference.jobId, 'queries');
    // The job ran 1.2 s and the service answers a poll after 0.2 s at most: several polls.
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls[0]!.query['formatOptions.useInt64Timestamp']).toBe('true');
  });

  it('rejects an INT64 that a JavaScript number cannot hold exactly', async () => {
    await expect(withAdapter({}, (a) => a.query('select cast(9007199254740993 as int64) as big'))).rejects.toThrow(/does not fit a JavaScript number/);
  });

  it('reads every page of a large result', async () => {
    fake.configure({ maxRowsPerPage: 1000 });
    const sql = 'select n from ds.numbers order by n';
    const rows = await withAdapter({}, (a) => a.query(sql));
    expect(rows.map((r) => r.n)).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    const polls = requestsFor(insertsOf(sql)[0].jobReference.jobId, 'queries');
    expect(polls.map((p) => p.query.pageToken !== undefined)).toEqual([false, true, true]);
  });

  it('dry runs: the bytes a query would process and its columns, without running a job', async () => {
    const jobsBefore = fake.jobs.size;
    const [bytes, filtered, columns] = await withAdapter({}, async (a) => [
      await a.dryRun!('select a from ds.sizes'),
      await a.dryRun!('select s from ds.sizes where a > 500'),
      await a.columns('select a, s as label from ds.sizes'),
    ]);
    // INT64 is 8 bytes; STRING 2 + its length: 1000 × 8, then 1000 × (2 + 3) + 1000 × 8.
    expect(bytes).toEqual({ bytesProcessed: 8000 });
    expect(filtered).toEqual({ bytesProcessed: 13000 });
    expect(columns).toEqual([{ name: 'a', type: 'INTEGER' }, { name: 'label', type: 'STRING' }]);
    expect(fake.jobs.size).toBe(jobsBefore);
    expect(insertsOf('select a from ds.sizes')[0].configuration.dryRun).toBe(true);
    await expect(withAdapter({}, (a) => a.columns('select nope from ds.sizes'))).rejects.toThrow(/nope/);
  });

  it("puts the profile's labels, the runner's context, maximum_bytes_billed, priority and timeout on every job", async () => {
    const profile = { labels: { team: 'ml-platform' }, maximum_bytes_billed: 50 * 1024 * 1024, priority: 'batch', job_timeout_seconds: 600, dataset: 'ds', location: 'EU' };
    await withAdapter(profile, async (a) => {
      a.setContext!({ monitor: 'keep_probability', step: 'metrics' });
      await a.execute('select 1 as in_step');
      a.setContext!({ monitor: 'keep_probability' });
      await a.execute('select 2 as after_steps');
    });
    const [inStep] = insertsOf('select 1 as in_step');
    expect(inStep.configuration.labels).toEqual({ team: 'ml-platform', hindsight_monitor: 'keep_probability', hindsight_step: 'metrics' });
    expect(inStep.configuration.query).toMatchObject({
      maximumBytesBilled: String(50 * 1024 * 1024),
      priority: 'BATCH',
      useLegacySql: false,
      defaultDataset: { projectId: 'test-project', datasetId: 'ds' },
    });
    expect(inStep.configuration.jobTimeoutMs).toBe('600000');
    expect(inStep.jobReference).toMatchObject({ projectId: 'test-project', location: 'EU', jobId: expect.stringMatching(/^hindsight_/) });
    expect(insertsOf('select 2 as after_steps')[0].configuration.labels).toEqual({ team: 'ml-platform', hindsight_monitor: 'keep_probability' });
  });

  it("fails a query over maximum_bytes_billed with BigQuery's message, without retrying it", async () => {
    const sql = 'select s from ds.sizes';
    await expect(withAdapter({ maximum_bytes_billed: 1000 }, (a) => a.query(sql))).rejects.toThrow(
      'Query exceeded limit for bytes billed: 1000. 10485760 or higher required.',
    );
    expect(insertsOf(sql)).toHaveLength(1);
  });

  it("reports an invalid query with BigQuery's message, and does not resubmit it", async () => {
    const sql = 'select nope, a from ds.sizes';
    const error = (await withAdapter({}, (a) => a.query(sql)).then(() => undefined, (e: unknown) => e)) as Error & { reason?: string };
    const job = fake.jobs.get(insertsOf(sql)[0].jobReference.jobId)!;
    expect(error).toBeInstanceOf(Error);
    expect(error.message).toBe(job.error!.message);
    expect(error.reason).toBe('invalidQuery');
    expect(insertsOf(sql)).toHaveLength(1);
    await expect(withAdapter({}, (a) => a.query('selec 1'))).rejects.toThrow(/^Syntax error/);
  });

  it('retries a transient 500 backendError on submission, with the same job ID', async () => {
    fake.failNext('jobs.insert', { code: 500, reason: 'backendError', message: 'Backend error. Job aborted.' });
    const sql = 'select 42 as answer';
    expect(await withAdapter({}, (a) => a.query(sql))).toEqual([{ answer: 42 }]);
    const inserts = insertsOf(sql);
    expect(inserts).toHaveLength(2);
    expect(inserts[1].jobReference.jobId).toBe(inserts[0].jobReference.jobId);
  });

  it('runs a statement once when the reply to its submission was lost (5xx after the job started)', async () => {
    await fake.sql('create table ds.once (a bigint)');
    fake.failNext('jobs.insert', { code: 503, reason: 'backendError', afterCreate: true });
    const sql = 'insert into ds.once values (1)';
    expect(await withAdapter({}, (a) => a.execute(sql))).toBe(1);
    // The retry found the job already there (409) and the client took it (jobs.get).
    expect(insertsOf(sql)).toHaveLength(2);
    expect(requestsFor(insertsOf(sql)[0].jobReference.jobId, 'jobs')).toHaveLength(1);
    expect(await fake.sql('select count(*)::int as n from ds.once')).toEqual([{ n: 1 }]);
  });

  it('retries 403 rateLimitExceeded but not 403 quotaExceeded', async () => {
    fake.failNext('jobs.insert', { code: 403, reason: 'rateLimitExceeded', message: 'Exceeded rate limits: too many concurrent queries for this project_and_region.' });
    expect(await withAdapter({}, (a) => a.query('select 1 as limited'))).toEqual([{ limited: 1 }]);
    expect(insertsOf('select 1 as limited')).toHaveLength(2);

    const quota = 'Quota exceeded: Your project exceeded quota for free query bytes scanned.';
    fake.failNext('jobs.insert', { code: 403, reason: 'quotaExceeded', message: quota });
    await expect(withAdapter({}, (a) => a.query('select 1 as over_quota'))).rejects.toThrow(quota);
    expect(insertsOf('select 1 as over_quota')).toHaveLength(1);
  });

  it('runs all statements in one session: a rolled-back transaction leaves a table unchanged, a committed one changes it', async () => {
    await fake.sql('create table ds.accounts as select 1::bigint as id, 100::bigint as balance');
    const sessionJobsFrom = fake.insertedJobs().length;
    await withAdapter({}, async (a) => {
      await a.execute('begin');
      expect(await a.execute('update ds.accounts set balance = 0 where id = 1')).toBe(1);
      expect(await a.execute('insert into ds.accounts values (2, 50)')).toBe(1);
      await a.execute('create or replace temp table changed as select * from ds.accounts');
      // Inside the session the transaction's changes and the temp table are visible.
      expect(await a.query('select id, balance from changed order by id')).toEqual([{ id: 1, balance: 0 }, { id: 2, balance: 50 }]);
      await a.execute('rollback');
      expect(await fake.sql('select id::int as id, balance::int as balance from ds.accounts')).toEqual([{ id: 1, balance: 100 }]);

      await a.execute('begin');
      await a.execute('insert into ds.accounts values (3, 30)');
      await a.execute('commit');
    });
    expect(await fake.sql('select id::int as id from ds.accounts order by id')).toEqual([{ id: 1 }, { id: 3 }]);

    const jobs = fake.insertedJobs().slice(sessionJobsFrom);
    expect(jobs[0].configuration.query.createSession).toBe(true);
    const sessionId = fake.jobs.get(jobs[0].jobReference.jobId)!.resource.statistics.sessionInfo.sessionId;
    for (const job of jobs.slice(1)) expect(job.configuration.query.connectionProperties).toEqual([{ key: 'session_id', value: sessionId }]);
    const queries = jobs.map((j) => j.configuration.query.query);
    expect(queries.filter((q) => /TRANSACTION$/.test(q))).toEqual(['BEGIN TRANSACTION', 'ROLLBACK TRANSACTION', 'BEGIN TRANSACTION', 'COMMIT TRANSACTION']);
  });

  it('fails DDL on a permanent table inside a transaction, as BigQuery does, which ends the transaction', async () => {
    await fake.sql('create table ds.ddl (a bigint)');
    await withAdapter({}, async (a) => {
      await a.execute('begin');
      await a.execute('insert into ds.ddl values (1)');
      await expect(a.execute('create table ds.ddl_new (a int64)')).rejects.toThrow(/not supported inside a transaction/);
      await expect(a.execute('rollback')).rejects.toThrow(/without an active transaction/);
    });
    expect(await fake.sql('select count(*)::int as n from ds.ddl')).toEqual([{ n: 0 }]);
  });

  it('honors job_timeout_seconds: BigQuery stops the job, and when it does not, the adapter cancels it', async () => {
    fake.configure({ jobLatencyMs: 3000 });
    await expect(withAdapter({ job_timeout_seconds: 1 }, (a) => a.query('select 1 as slow'))).rejects.toThrow('Job execution was cancelled: Job timed out after 1 sec');
    expect(insertsOf('select 1 as slow')[0].configuration.jobTimeoutMs).toBe('1000');

    fake.configure({ jobLatencyMs: 120_000, maxWaitMs: 500, enforceJobTimeout: false });
    const adapter = await openAdapter(bigqueryOutput({ job_timeout_seconds: 1 }));
    const started = Date.now();
    await expect(adapter.query('select 1 as stuck')).rejects.toThrow(/did not finish within job_timeout_seconds \(1\); it was cancelled/);
    expect(Date.now() - started).toBeLessThan(15_000);
    fake.configure(DEFAULTS);
    await adapter.close();
    const jobId = insertsOf('select 1 as stuck')[0].jobReference.jobId;
    expect(fake.requests.some((r) => r.method === 'POST' && r.path.endsWith(`/jobs/${jobId}/cancel`))).toBe(true);
  });

  it('waits for a job cancelled past job_timeout_seconds to stop (jobs.cancel is asynchronous) before the session runs another', async () => {
    const adapter = await openAdapter(bigqueryOutput({ job_timeout_seconds: 1 }));
    try {
      await adapter.execute('create temp table timeout_marker as select 8 as n');
      // A stuck service: the job runs past its timeout, and a cancel takes 2 s to stop it.
      fake.configure({ jobLatencyMs: 120_000, maxWaitMs: 500, enforceJobTimeout: false, cancelLatencyMs: 2000 });
      await expect(adapter.query('select 1 as slow_to_cancel')).rejects.toThrow(/did not finish within job_timeout_seconds \(1\); it was cancelled$/);
      const job = fake.jobs.get(insertsOf('select 1 as slow_to_cancel')[0].jobReference.jobId)!;
      expect(job.done).toBe(true);
      fake.configure(DEFAULTS);
      // The session's next statement (the runner's rollback, or a query) is not refused with
      // BigQuery's "Concurrent jobs in the same session are not allowed".
      expect(await adapter.query('select n from timeout_marker')).toEqual([{ n: 8 }]);
    } finally {
      fake.configure(DEFAULTS);
      await adapter.close();
    }
  });

  it('interrupts the job a session is running (jobs.cancel), and runs the next one in the same session', async () => {
    const adapter = await openAdapter(bigqueryOutput());
    try {
      const cancels = () => fake.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/cancel')).map((r) => r.path);
      const before = cancels().length;
      await adapter.interrupt!(); // (nothing running: nothing is sent)
      await adapter.execute('create temp table session_marker as select 7 as n');
      // (the cancel takes 1 s to stop the job: the statement's own polling waits for it)
      fake.configure({ jobLatencyMs: 120_000, maxWaitMs: 500, cancelLatencyMs: 1000 });
      const long = adapter.query('select 1 as interrupted');
      setTimeout(() => void adapter.interrupt!(), 300);
      await expect(long).rejects.toThrow('Job execution was cancelled: User requested cancellation');
      const jobId = insertsOf('select 1 as interrupted')[0].jobReference.jobId;
      expect(cancels().slice(before)).toEqual([
        `/bigquery/v2/projects/test-project/jobs/${jobId}/cancel`,
      ]);
      expect(fake.jobs.get(jobId)!.done).toBe(true);
      fake.configure(DEFAULTS);
      expect(await adapter.query('select n from session_marker')).toEqual([{ n: 7 }]);
    } finally {
      fake.configure(DEFAULTS);
      await adapter.close();
    }
  });

  it("cancels a transaction that mutates a table another session's open transaction mutated, with BigQuery's text", async () => {
    await fake.sql('create table ds.contended as select 1 as n');
    await withAdapter({}, (a) =>
      withAdapter({}, async (b) => {
        await a.execute('begin');
        await a.execute('delete from ds.contended where n = 1');
        await b.execute('begin');
        const error = await b.execute('delete from `test-project`.ds.contended where n = 2').catch((e: unknown) => e);
        expect((error as Error).message).toMatch(/^Transaction is aborted due to concurrent update against table test-project:ds\.contended\. Transaction ID: /);
        expect(b.isConcurrentUpdate?.(error)).toBe(true);
        expect(a.isConcurrentUpdate?.(new Error('Syntax error at [1:1]'))).toBe(false);
        await a.execute('commit');
        // (b's transaction ended with its failure, as any failed statement's does)
        await expect(b.execute('rollback')).rejects.toThrow(/without an active transaction/);
        // a queued cancellation at COMMIT: the transaction's changes are rolled back
        fake.cancelNextTransactions('ds.contended', 1, 'commit');
        await b.execute('begin');
        await b.execute('delete from ds.contended where true');
        await expect(b.execute('commit')).rejects.toThrow(/^Transaction is aborted due to concurrent update/);
      }),
    );
    expect(await fake.sql('select count(*)::int as n from ds.contended')).toEqual([{ n: 0 }]);
  });

  it('ends its session on close', async () => {
    const before = fake.openSessions();
    const adapter = await openAdapter(bigqueryOutput());
    await adapter.execute('select 1 as opens_a_session');
    expect(fake.openSessions()).toBe(before + 1);
    await adapter.close();
    expect(fake.openSessions()).toBe(before);
    expect(fake.insertedJobs().at(-1).configuration.query.query).toBe('CALL BQ.ABORT_SESSION()');
  });
});

/**
 * A copy of the shop example whose profile targets the fake (its tables in `schema`, when given), and
 * its seeds loaded into the fake and into an in-memory DuckDB, to compare their rows.
 */
async function seededShop(prefix: string, schema?: string): Promise<{ dir: string; project: Project; bq: Adapter; duck: Adapter }> {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  cpSync('examples/shop', dir, { recursive: true, filter: (src) => !/[\\/]target([\\/]|$)/.test(src) });
  writeFileSync(join(dir, 'profiles.yml'), stringify({ shop: { target: 'bq', outputs: { bq: { ...bigqueryOutput() } } } }));
  if (schema) {
    const config = join(dir, 'hindsight.yml');
    writeFileSync(config, readFileSync(config, 'utf8').replace(/^schema: hindsight\b/m, `schema: ${schema}`));
  }
  const project = loadProject(dir);
  const bq = await openAdapter(bigqueryOutput());
  const duck = await openAdapter({ type: 'duckdb', path: ':memory:' });
  for (const seed of seedFiles(project)) {
    await loadSeed(bq, seed);
    await loadSeed(duck, seed);
  }
  return { dir, project, bq, duck };
}

describe('the shop example on the fake BigQuery', () => {
  const asOf = new Date('2026-11-21T00:00:00Z');
  let dir: string;
  let project: Project;
  let bq: Adapter;
  let duck: Adapter;
  const output = () => bigqueryOutput();

  beforeAll(async () => {
    ({ dir, project, bq, duck } = await seededShop('hindsight-bigquery-'));
  }, 300_000);
  afterAll(async () => {
    await bq?.close();
    await duck?.close();
  });

  it('`hindsight debug` checks the schema without a transaction (BigQuery refuses DDL in one) and drops its probe table', async () => {
    const { result: code, printed } = await captureStdout(() => debug({ projectDir: dir }));
    expect(printed).toMatch(/schema hindsight \.+ OK\s+can create tables \(a probe table created and dropped\)/);
    expect(code).toBe(0);
    expect(await fake.sql(`select count(*)::int as n from information_schema.tables where table_name like 'hindsight_debug_probe%'`)).toEqual([{ n: 0 }]);
  }, 120_000);

  it('`hindsight run --dry-run` reports the bytes of each step and runs nothing', async () => {
    const jobsBefore = fake.jobs.size;
    const { result: code, printed } = await captureStdout(() => commands.run({ projectDir: dir, asOf: '2026-11-21', dryRun: true }));
    expect(code).toBe(0);
    const tableSteps = compileMonitor({ monitor: project.monitors[0]!, schema: 'hindsight', dialect: bq.dialect, run: { asOf, runId: 'x', computedAt: asOf } })
      .filter((s) => s.kind === 'table')
      .map((s) => s.name);
    expect(tableSteps.length).toBeGreaterThan(4);
    for (const step of tableSteps) expect(printed).toMatch(new RegExp(`keep_probability ${step} \\.+ [0-9.]+ (KiB|MiB)\\n`));
    expect(fake.jobs.size).toBe(jobsBefore); // dry runs create no jobs
  }, 120_000);

  it('computes the same metric rows as DuckDB, full refresh and then incremental', async () => {
    const target = (o: OutputConfig) => ({ profile: 'shop', name: o.type, output: o });
    const [monitor] = project.monitors as [Monitor];

    // The incremental run is a day later: outcomes that came in after the first run's as-of count.
    const run = (adapter: Adapter, fullRefresh: boolean) =>
      runMonitors({
        project, target: target(adapter.type === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : output()), adapter, monitors: [monitor],
        asOf: fullRefresh ? asOf : new Date(asOf.getTime() + 86_400_000), fullRefresh,
      });
    for (const fullRefresh of [true, false]) {
      const [bqResult] = await run(bq, fullRefresh);
      const [duckResult] = await run(duck, fullRefresh);
      expect(bqResult!.error?.message).toBeUndefined();
      expect([bqResult!.mode, bqResult!.reason]).toEqual([fullRefresh ? 'full_refresh' : 'incremental', fullRefresh ? '--full-refresh' : undefined]);
      expect(bqResult!.mode).toBe(duckResult!.mode);
      const metrics = await readMetrics(bq, project.config.schema, monitor.name);
      expect(metrics.length).toBeGreaterThan(1000);
      expectSameMetrics(metrics, await readMetrics(duck, project.config.schema, monitor.name));
    }
    // The jobs of the metrics step carried the monitor and step labels.
    const labelled = fake.insertedJobs().filter((j) => j.configuration.labels?.hindsight_step === 'metrics');
    expect(labelled.length).toBeGreaterThanOrEqual(2);
    expect(labelled[0].configuration.labels.hindsight_monitor).toBe('keep_probability');
  }, 300_000);
});

describe('a write transaction BigQuery cancels for a concurrent update (another process writing hindsight_metrics)', () => {
  const asOf = new Date('2026-11-21T00:00:00Z');
  let dir: string;
  let project: Project;
  let bq: Adapter;
  let duck: Adapter;
  const target = (o: OutputConfig) => ({ profile: 'shop', name: o.type, output: o });

  beforeAll(async () => {
    // (a dataset of its own: hindsight_runs holds this test's records alone)
    ({ dir, project, bq, duck } = await seededShop('hindsight-bigquery-conflict-', 'hindsight_conflict'));
    expect(project.config.schema).toBe('hindsight_conflict');
  }, 300_000);
  afterAll(async () => {
    await bq?.close();
    await duck?.close();
  });

  it('runs it again, from BEGIN to COMMIT, after a pause: the same rows as a run without conflicts, and one success record', async () => {
    const [monitor] = project.monitors as [Monitor];
    const run = (adapter: Adapter, onStep?: (m: Monitor, s: StepResult) => void) =>
      runMonitors({
        project, target: target(adapter.type === 'duckdb' ? { type: 'duckdb', path: ':memory:' } : bigqueryOutput()), adapter, monitors: [monitor],
        asOf, fullRefresh: true, onStep,
      });
    const schema = project.config.schema;
    // setup creates the tables: the monitor's first run, then the cancellations of its second
    expect((await run(bq))[0]!.error?.message).toBeUndefined();
    fake.cancelNextTransactions(`${schema}.hindsight_metrics`, 1, 'statement');
    fake.cancelNextTransactions(`${schema}.hindsight_metrics`, 1, 'commit');
    const cancelledBefore = fake.concurrentUpdateCancellations;
    const printed: string[] = [];
    const [result] = await run(bq, (_, s) => printed.push(`${s.name}${s.cancelled ? ' (cancelled)' : ''}`));
    expect(fake.concurrentUpdateCancellations - cancelledBefore).toBe(2);
    expect(result!.error?.message).toBeUndefined();
    expect(result!.status).toBe('success');
    const cancelled = result!.steps.filter((s) => s.cancelled);
    expect(cancelled.map((s) => s.cancelled!.error)).toEqual([
      expect.stringMatching(/^Transaction is aborted due to concurrent update against table test-project:hindsight_conflict\.hindsight_metrics/),
      expect.stringMatching(/^Transaction is aborted due to concurrent update/),
    ]);
    // the first attempt cancelled at its delete, the second at its commit (after its write step), the third committed
    expect(printed).toEqual([...printed.slice(0, -4), 'write (cancelled)', 'write', 'write (cancelled)', 'write']);
    // in the results each cancelled attempt stands for its rolled-back write step: their rows add up
    const writes = result!.steps.filter((s) => s.name === 'write');
    expect(writes.map((s) => [Boolean(s.cancelled), s.rows])).toEqual([[true, 0], [true, 0], [false, result!.rowsWritten]]);
    expect(result!.rowsWritten).toBeGreaterThan(1000);
    const metrics = await readMetrics(bq, schema, monitor.name);
    expect(metrics.length).toBe(result!.rowsWritten);
    await run(duck);
    expectSameMetrics(metrics, await readMetrics(duck, schema, monitor.name));
    const records = await bq.query(`select status from ${schema}.hindsight_runs where run_id = '${result!.runId}'`);
    expect(records).toEqual([{ status: 'success' }]);
    expect(await bq.query(`select count(*) as n from ${schema}.hindsight_runs where status = 'error'`)).toEqual([{ n: 0 }]);
  }, 300_000);

  it('gives up after 5 cancelled attempts, saying so and logging the failure once', async () => {
    const [monitor] = project.monitors as [Monitor];
    const schema = project.config.schema;
    fake.cancelNextTransactions(`${schema}.hindsight_metrics`, 5, 'statement');
    const [failed] = await runMonitors({
      project, target: target(bigqueryOutput()), adapter: bq, monitors: [monitor], asOf, fullRefresh: true,
      concurrentUpdateRetries: { attempts: 5, firstPauseMs: 10 },
    });
    expect(failed!.status).toBe('error');
    expect(failed!.steps.filter((s) => s.cancelled)).toHaveLength(4);
    expect(failed!.error?.message).toMatch(/cancelled 5 times by concurrent updates of the tables it writes .*Transaction is aborted due to concurrent update/s);
    const records = await bq.query(`select status from ${schema}.hindsight_runs where run_id = '${failed!.runId}'`);
    expect(records).toEqual([{ status: 'error' }]);
  }, 300_000);

  /** A full refresh of `monitor` interrupted (SIGINT) as soon as a write attempt is cancelled, during the minute's pause before the next. */
  const interruptedAtCancel = async (monitor: Monitor) => {
    const interrupt = new AbortController();
    const [stopped] = await runMonitors({
      project, target: target(bigqueryOutput()), adapter: bq, monitors: [monitor], asOf, fullRefresh: true, signal: interrupt.signal,
      concurrentUpdateRetries: { attempts: 5, firstPauseMs: 60_000 },
      onStep: (_, s) => {
        if (s.cancelled) interrupt.abort(new Error('interrupted (SIGINT)'));
      },
    });
    return stopped!;
  };

  it('stops retrying when interrupted', async () => {
    const [monitor] = project.monitors as [Monitor];
    const schema = project.config.schema;
    fake.cancelNextTransactions(`${schema}.hindsight_metrics`, 1, 'statement');
    const t = performance.now();
    const stopped = await interruptedAtCancel(monitor);
    expect(stopped!.status).toBe('error');
    expect(stopped!.error?.message).toMatch(/interrupted \(SIGINT\)/);
    expect(stopped!.steps.filter((s) => s.cancelled)).toHaveLength(1);
    expect(performance.now() - t).toBeLessThan(30_000);
  }, 300_000);

  // (the error said "step commit failed (committing the SQL in …write.sql): interrupted", though
  // the commit was rolled back and no commit was running: a committing monitor is not interrupted)
  it('reports an interrupt during the pause after a cancelled commit at the write step, not at a commit, and writes nothing', async () => {
    const [monitor] = project.monitors as [Monitor];
    const schema = project.config.schema;
    const stored = `select count(*) as n, max(run_id) as run_id from ${schema}.hindsight_metrics where monitor = '${monitor.name}'`;
    const before = await bq.query(stored);
    fake.cancelNextTransactions(`${schema}.hindsight_metrics`, 1, 'commit');
    const stopped = await interruptedAtCancel(monitor);
    expect(stopped!.status).toBe('error');
    expect(stopped!.error?.message).toMatch(/^monitor keep_probability, step write failed \(SQL in [^)]*write\.sql\):\n {2}interrupted \(SIGINT\)$/);
    expect(await bq.query(`select status from ${schema}.hindsight_runs where run_id = '${stopped!.runId}'`)).toEqual([{ status: 'error' }]);
    expect(await bq.query(stored)).toEqual(before);
  }, 300_000);
});

describe('sources that require a partition filter (require_partition_filter), on the fake BigQuery', () => {
  const DAY = 86_400_000;
  const asOf = new Date('2026-03-20T00:00:00Z');
  const spec: MonitorSpec = { within: '2 days', withinMs: 2 * DAY, outcomesSql: true };
  const at = (iso: string) => new Date(iso);
  const predictions: PredictionEvent[] = ['a', 'b', 'c', 'd', 'e', 'f'].map((id, i) => ({
    key: [id], ts: at(`2026-03-0${1 + (i % 4)}T10:00:00Z`), score: [0.9, 0.2, 0.7, 0.4, 0.6, 0.1][i]!, modelVersion: 'v1', segments: {},
  }));
  const outcomes: OutcomeEvent[] = [
    { key: ['a'], ts: at('2026-03-02T08:00:00Z'), label: 1 },
    { key: ['b'], ts: at('2026-03-02T09:00:00Z'), label: 0 },
    { key: ['c'], ts: at('2026-03-04T10:00:00Z'), label: 0 },
    { key: ['e'], ts: at('2026-03-01T12:00:00Z'), label: 1 },
    // after the first run's as-of: the incremental run a day later reads it
    { key: ['f'], ts: at('2026-03-20T06:00:00Z'), label: 0 },
  ];
  const target: TestTarget = { name: 'bq', type: 'bigquery', output: () => bigqueryOutput() };
  let source: string;
  let adapter: Adapter;

  beforeAll(async () => {
    source = uniqueName('partitioned');
    adapter = await openAdapter(bigqueryOutput());
    await loadFixture(adapter, source, { predictions, outcomes }, { segments: [] });
    fake.requirePartitionFilter(`${source}.predictions`, 'predicted_at');
    fake.requirePartitionFilter(`${source}.outcomes`, 'observed_at');
  }, 120_000);
  afterAll(() => adapter?.close());

  it("refuses a dry run or a query without a filter on the partitioning column, with BigQuery's message", async () => {
    const refusal = `Cannot query over table 'test-project.${source}.predictions' without a filter over column(s) 'predicted_at' that can be used for partition elimination`;
    await expect(adapter.columns(`select * from ${source}.predictions`)).rejects.toThrow(refusal);
    await expect(adapter.query(`select count(*) as n from ${source}.predictions where score > 0`)).rejects.toThrow(refusal);
    // (nor under an OR with another column's condition, which eliminates no partition)
    await expect(adapter.query(`select count(*) as n from ${source}.predictions where predicted_at < '2026-03-03' or score > 0`)).rejects.toThrow(refusal);
    // a constant bound on the column, also through a subquery, is one
    expect(await adapter.query(`select count(*) as n from ${source}.predictions where predicted_at < '2026-03-03'`)).toEqual([{ n: 4 }]);
    expect(await adapter.query(`select count(*) as n from (select pid, predicted_at from ${source}.predictions) as source where predicted_at >= timestamp '2026-03-03'`)).toEqual([{ n: 2 }]);
  });

  it('runs a monitor on them end to end, full refresh then incremental; `hindsight debug` and `run --dry-run` pass too', async () => {
    const output = uniqueName('hs');
    const dir = writeMonitors(target, output, [binaryMonitor(source, spec)]);
    for (const [runAsOf, fullRefresh] of [[asOf, true], [new Date(asOf.getTime() + DAY), false]] as const) {
      const [result] = await runProject(adapter, dir, { asOf: runAsOf, fullRefresh });
      expect(result!.error?.message).toBeUndefined();
      expect(result!.mode).toBe(fullRefresh ? 'full_refresh' : 'incremental');
      expectSameMetrics(await readMetrics(adapter, output), referencePipeline(predictions, outcomes, referenceConfig(spec, runAsOf)).metrics);
    }
    const { result: code, printed } = await captureStdout(() => debug({ projectDir: dir }));
    expect(printed).toMatch(/monitor m \.+ OK\s+every configured column is in its source/);
    expect(code).toBe(0);
    const dryRun = await captureStdout(() => commands.run({ projectDir: dir, asOf: '2026-03-22', dryRun: true }));
    expect(dryRun.printed).toMatch(/m prediction_events \.+ [0-9.]+ (B|KiB|MiB)\n/);
    expect(dryRun.result).toBe(0);
  }, 120_000);

  it('still names a misspelt column with the columns there are, and a wrong `where:` as the where', async () => {
    const output = uniqueName('hs');
    const withPredictions = (name: string, change: Record<string, unknown>) => {
      const monitor = binaryMonitor(source, { ...spec, name });
      return { ...monitor, predictions: { ...(monitor.predictions as Record<string, unknown>), ...change } };
    };
    const misspelt = withPredictions('misspelt', { score: 'scroe' });
    const wrongWhere = withPredictions('wrong_where', { where: "enviroment = 'production'" });
    const dir = writeMonitors(target, output, [misspelt, wrongWhere]);
    const failure = await runProject(adapter, dir, { asOf }).then(() => undefined, (e: unknown) => e);
    expect(failure).toBeInstanceOf(ConfigError);
    const messages = (failure as ConfigError).issues.map((i) => i.message);
    expect(messages).toEqual([
      `column "scroe" is not in ${source}.predictions; it has: pid, predicted_at, score, model_version, environment`,
      expect.stringMatching(new RegExp(`^cannot filter ${source}\\.predictions by it: .*enviroment`)),
    ]);
  }, 120_000);
});
