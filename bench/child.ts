// One measured step, in its own process, so that its peak memory is its own: with embedded DuckDB
// the warehouse lives in this process and its buffers count; with Postgres only the client does.
// Prints one line `BENCH_RESULT <json>` at the end.
//
//   node --import tsx bench/child.ts '<json task>'
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAdapter } from '../src/adapters/index.js';
import { main } from '../src/cli/main.js';
import * as commands from '../src/cli/commands.js';
import { loadProject, loadTarget } from '../src/config/load.js';
import { explainingAdapter, scansByStep } from './explain.js';
import { compareWithHindsight, computeMetrics, extractSql, fetchDuckdb, fetchPostgres, type ClientMetricRow } from './extract.js';
import { lowerBoundSql, type LowerBound } from './lower-bound.js';
import type { Output } from './project.js';

export interface Task {
  kind: 'sql' | 'lower_bound' | 'full_refresh' | 'incremental' | 'extract_and_compute';
  output: Output;
  projectDir?: string;
  asOf?: string;
  /** Explain pass: run under EXPLAIN ANALYZE / profiling and roll back. */
  explain?: boolean;
  profileFile?: string;
  /** for kind 'sql' */
  statements?: string[];
  /** for kind 'sql': tables to count afterwards */
  count?: string[];
  /** for kind 'sql': a query whose rows are returned afterwards (untimed) */
  query?: string;
  /** lower_bound: which one (lower-bound.ts): the binary monitor's (default), its sliced floor, another monitor's */
  lowerBound?: LowerBound;
  /** extract: compare the client's metrics with hindsight's table afterwards (untimed) */
  validate?: boolean;
}

const task = JSON.parse(process.argv[2]!) as Task;

// Peak memory: the kernel's max RSS at the end, plus sampled JS heap / native buffers.
const peak = { rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 };
const sample = () => {
  const m = process.memoryUsage();
  peak.rss = Math.max(peak.rss, m.rss);
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.external = Math.max(peak.external, m.external);
  peak.arrayBuffers = Math.max(peak.arrayBuffers, m.arrayBuffers);
};
const sampler = setInterval(sample, 50);

const result: Record<string, unknown> = { kind: task.kind, explain: Boolean(task.explain) };
// CPU time of this process (all its threads: with DuckDB, the warehouse's too) over the timed region.
let cpuStart = process.cpuUsage();
const startCpu = () => {
  cpuStart = process.cpuUsage();
};
const stopCpu = () => {
  const c = process.cpuUsage(cpuStart);
  result.cpuSeconds = (c.user + c.system) / 1e6;
};

async function runSql(statements: string[]): Promise<void> {
  const adapter = await openAdapter(task.output as never);
  try {
    for (const s of statements) await adapter.execute(s);
    if (task.count) {
      const counts: Record<string, number> = {};
      for (const t of task.count) counts[t] = Number((await adapter.query(`select count(*) as n from ${t}`))[0]?.n);
      result.counts = counts;
    }
    if (task.query) result.rows = JSON.parse(JSON.stringify(await adapter.query(task.query), (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  } finally {
    await adapter.close();
  }
}

async function lowerBound(): Promise<void> {
  const adapter = await openAdapter(task.output as never);
  const sql = lowerBoundSql(adapter.type as 'duckdb', new Date(task.asOf!), task.lowerBound);
  const create = adapter.dialect.createTempTable('hs_lower_bound', sql);
  if (task.explain) {
    const { adapter: explaining, scans } = explainingAdapter(adapter, task.profileFile!, 'lower_bound');
    await explaining.execute('begin');
    for (const s of create) await explaining.execute(s);
    await explaining.execute('rollback');
    result.scanned = scansByStep(scans);
  } else {
    startCpu();
    const t = performance.now();
    for (const s of create) await adapter.execute(s);
    result.seconds = (performance.now() - t) / 1000;
    stopCpu();
    result.outputRows = Number((await adapter.query('select count(*) as n from hs_lower_bound'))[0]?.n);
  }
  await adapter.close();
}

async function hindsight(full: boolean): Promise<void> {
  const dir = task.projectDir!;
  const argv = ['run', '--project-dir', dir, '--as-of', task.asOf!, ...(full ? ['--full-refresh'] : [])];
  if (task.explain) {
    const project = loadProject(dir);
    const target = loadTarget(project);
    const adapter = await openAdapter(target.output);
    const { adapter: explaining, scans } = explainingAdapter(adapter, task.profileFile!);
    const code = await commands.run({ projectDir: dir, asOf: task.asOf, fullRefresh: full }, explaining);
    await adapter.close();
    result.exitCode = code;
    result.scanned = scansByStep(scans);
    result.statements = scans;
    return;
  }
  startCpu();
  const t = performance.now();
  const code = await main(argv);
  result.seconds = (performance.now() - t) / 1000;
  stopCpu();
  result.exitCode = code;
  const runResults = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8'));
  const r = runResults.results[0];
  result.mode = r.mode;
  result.reason = r.reason;
  result.recomputeFrom = r.recompute_from;
  result.rowsWritten = r.rows_written;
  result.steps = r.steps;
  result.monitorSeconds = r.execution_time;
  if (r.status !== 'success') throw new Error(r.message);
}

async function extract(): Promise<void> {
  const w = task.output.type;
  const sql = extractSql(w, new Date(task.asOf!));
  if (task.explain) {
    const adapter = await openAdapter(task.output as never);
    const { adapter: explaining, scans } = explainingAdapter(adapter, task.profileFile!, 'extract');
    await explaining.execute('begin');
    for (const s of adapter.dialect.createTempTable('hs_extract', sql)) await explaining.execute(s);
    await explaining.execute('rollback');
    await adapter.close();
    result.scanned = scansByStep(scans);
    return;
  }
  let rows: ClientMetricRow[];
  let hindsightRows: () => Promise<ClientMetricRow[]>;
  let close: () => Promise<void>;
  startCpu();
  const t = performance.now();
  const metricsQuery = `select granularity, window_start, model_version, segment, segment_value, metric, value, sample_size
    from hindsight.hindsight_metrics where monitor = 'bench' and metric in ('count','positive_rate','mean_score','tp','fp','tn','fn','accuracy','precision','recall','specificity','f1','mcc','roc_auc','average_precision','log_loss','brier_score','ece','ks')`;
  const toRow = (r: Record<string, unknown>): ClientMetricRow => ({
    granularity: String(r.granularity), windowStart: new Date(r.window_start as Date).toISOString(), modelVersion: (r.model_version as string | null) ?? null,
    segment: (r.segment as string | null) ?? null, segmentValue: (r.segment_value as string | null) ?? null, metric: String(r.metric),
    value: r.value === null ? null : Number(r.value), sampleSize: Number(r.sample_size),
  });
  if (w === 'duckdb') {
    const { DuckDBInstance } = await import('@duckdb/node-api');
    const options: Record<string, string> = {};
    for (const [name, value] of Object.entries(task.output.settings ?? {})) options[name] = String(value);
    if (task.output.memory_limit) options.memory_limit = String(task.output.memory_limit);
    const instance = await DuckDBInstance.create(String(task.output.path), options);
    const connection = await instance.connect();
    await connection.run(`set TimeZone = 'UTC'`);
    const cols = await fetchDuckdb(connection, sql);
    result.fetchSeconds = (performance.now() - t) / 1000;
    result.extractedRows = cols.n;
    rows = computeMetrics(cols);
    hindsightRows = async () => (await connection.runAndReadAll(metricsQuery)).getRowObjectsJS().map((r) => toRow({ ...r, window_start: r.window_start as Date, value: r.value, sample_size: Number(r.sample_size) }));
    close = async () => {
      connection.closeSync();
      instance.closeSync();
    };
  } else {
    const pg = (await import('pg')).default;
    const client = new pg.Client({ host: String(task.output.host), port: Number(task.output.port), user: String(task.output.user), database: String(task.output.dbname) });
    await client.connect();
    await client.query(`set time zone 'UTC'`);
    const cols = await fetchPostgres(client, sql);
    result.fetchSeconds = (performance.now() - t) / 1000;
    result.extractedRows = cols.n;
    rows = computeMetrics(cols);
    hindsightRows = async () => (await client.query(metricsQuery)).rows.map((r) => toRow({ ...r, window_start: new Date(`${(r.window_start as Date).toISOString()}`) }));
    close = () => client.end();
  }
  result.seconds = (performance.now() - t) / 1000;
  stopCpu();
  result.metricRows = rows.length;
  sample();
  result.peakBeforeValidation = { ...peak, maxRss: process.resourceUsage().maxRSS * 1024 };
  if (task.validate) result.validation = compareWithHindsight(rows, await hindsightRows());
  await close();
}

// hindsight's adapter and the warehouse's client library load once per process, whatever the data
// (in a new process @duckdb/node-api took 0.17-0.20 s of CPU on the benchmark's machine, `pg` 0.07 s).
// The lower bound opens its adapter before its timed region, so every step loads them before its own:
// the timed regions compare the work on the data, not module loading. A 1M incremental run took
// 1.41-1.47 s of CPU with DuckDB's loaded first, 1.52-1.58 s without (three alternating pairs).
// hindsight's run still opens and closes its database or connection inside its timed region.
async function preloadClient(type: Output['type']): Promise<void> {
  if (type === 'duckdb') await Promise.all([import('../src/adapters/duckdb.js'), import('@duckdb/node-api')]);
  else await Promise.all([import('../src/adapters/postgres.js'), import('pg')]);
}

try {
  await preloadClient(task.output.type);
  switch (task.kind) {
    case 'sql': {
      startCpu();
      const t = performance.now();
      await runSql(task.statements!);
      result.seconds = (performance.now() - t) / 1000;
      stopCpu();
      break;
    }
    case 'lower_bound':
      await lowerBound();
      break;
    case 'full_refresh':
      await hindsight(true);
      break;
    case 'incremental':
      await hindsight(false);
      break;
    case 'extract_and_compute':
      await extract();
      break;
  }
  result.ok = true;
} catch (e) {
  result.ok = false;
  result.error = e instanceof Error ? e.stack ?? e.message : String(e);
}
clearInterval(sampler);
sample();
result.memory = { maxRss: process.resourceUsage().maxRSS * 1024, ...peak };
process.stdout.write(`\nBENCH_RESULT ${JSON.stringify(result)}\n`);
process.exit(result.ok ? 0 : 1);
