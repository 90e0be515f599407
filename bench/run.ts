// `npm run bench`: hindsight against the lower bound and the notebook approach, on DuckDB and
// Postgres side by side, on deterministic synthetic data generated inside each warehouse.
//
//   npm run bench -- --rows 1e5,1e6 [--warehouses duckdb,postgres] [--max-rows postgres=1e6]
//                    [--repeat 3] [--repeat-large 1] [--duckdb-memory-limit 2GB] [--work-dir /tmp/hindsight-bench]
//                    [--no-compile] [--no-explain] [--steps lower_bound,full_refresh] [--out bench/results/<date>.json] [--report docs/performance.md]
//                    [--score-bins 1000] (the approximate step's approximate_ranking)
//                    [--postgres-setting jit=off ...] (server settings beyond bench/postgres.ts's, for every contender)
// Steps: lower_bound, sliced_floor, full_refresh, approximate, extract_and_compute, incremental,
// and for a regression, a multiclass, a forecast and a recommendation monitor on the same data
// (bench/project.ts) <type>_lower_bound and <type>_full_refresh, type = regression, multiclass,
// forecast, recommendation.
//
// Each measured step runs in a child process (bench/child.ts) that reports its own peak memory.
// Per step: one explain pass (EXPLAIN ANALYZE / DuckDB profiling, rolled back) for what the
// warehouse scanned, then --repeat timed passes; the fastest one is reported (the machine may be
// shared, and the fastest run is the one least disturbed). Not a test: nothing fails on time.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Task } from './child.js';
import { benchCompile } from './compile.js';
import { appendStatements, AS_OF_FULL, AS_OF_NEXT, generateStatements, type Warehouse } from './generate.js';
import { postgresCpuSeconds, postgresOutput, postgresVersion, startBenchPostgres, stopPostgres, POSTGRES_SETTINGS } from './postgres.js';
import { monitorConfig, OTHER_MONITOR_CONFIGS, writeProject, type OtherType, type Output } from './project.js';
import { writeReport } from './report.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function arg(name: string, fallback?: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i >= 0) return process.argv[i + 1];
  const eq = process.argv.find((a) => a.startsWith(`--${name}=`));
  return eq ? eq.slice(name.length + 3) : fallback;
}
const flag = (name: string) => process.argv.includes(`--${name}`);

const rowsList = (arg('rows', '1e5') ?? '1e5').split(',').map((s) => Math.round(Number(s)));
const warehouses = (arg('warehouses', 'duckdb,postgres') ?? '').split(',') as Warehouse[];
const maxRows: Partial<Record<Warehouse, number>> = {};
for (const part of (arg('max-rows', '') ?? '').split(',').filter(Boolean)) {
  const [w, n] = part.split('=');
  maxRows[w as Warehouse] = Number(n);
}
process.argv.forEach((a, i) => {
  if (a !== '--postgres-setting') return;
  const setting = process.argv[i + 1];
  if (!setting?.includes('=')) throw new Error('--postgres-setting needs a name=value after it, e.g. --postgres-setting work_mem=64MB');
  const [k = '', ...v] = setting.split('=');
  POSTGRES_SETTINGS[k] = v.join('=');
});
const repeat = Number(arg('repeat', '3'));
/** Timed passes from 1e7 predictions on (a full refresh there takes minutes). */
const repeatLarge = Number(arg('repeat-large', '1'));
const repeatFor = (rows: number) => (rows >= 1e7 ? Math.min(repeat, repeatLarge) : repeat);
const duckdbMemoryLimit = arg('duckdb-memory-limit');
const workDir = resolve(arg('work-dir', join(os.tmpdir(), 'hindsight-bench'))!);
const today = new Date().toISOString().slice(0, 10);
const outFile = resolve(ROOT, arg('out', `bench/results/${today}.json`)!);
const reportFile = arg('report') ? resolve(ROOT, arg('report')!) : undefined;
/** Only these steps (default: all four). */
const onlySteps = arg('steps')?.split(',');
const wanted = (step: string) => !onlySteps || onlySteps.includes(step);

const log = (m: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${m}\n`);

interface ChildResult {
  ok: boolean;
  seconds?: number;
  error?: string;
  memory: { maxRss: number; rss: number; heapUsed: number; external: number; arrayBuffers: number };
  [k: string]: unknown;
}

/** Set while a Postgres server is up: the child's CPU plus the server's is the step's CPU. */
let serverDataDir: string | undefined;

async function runChild(task: Task): Promise<ChildResult> {
  const serverCpu = () => (task.output.type === 'postgres' && serverDataDir ? postgresCpuSeconds(serverDataDir) : 0);
  const before = serverCpu();
  const r = await spawnChild(task);
  const server = serverCpu() - before;
  if (task.output.type === 'postgres') r.serverCpuSeconds = server;
  if (typeof r.cpuSeconds === 'number') r.totalCpuSeconds = r.cpuSeconds + server;
  return r;
}

function spawnChild(task: Task): Promise<ChildResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'bench', 'child.ts'), JSON.stringify(task)], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (!line) {
        resolvePromise({ ok: false, error: `child exited ${code ?? signal} without a result: ${err.slice(-2000)}`, memory: { maxRss: 0, rss: 0, heapUsed: 0, external: 0, arrayBuffers: 0 } });
        return;
      }
      const r = JSON.parse(line.slice('BENCH_RESULT '.length)) as ChildResult;
      if (!r.ok) log(`  ${task.kind} failed: ${String(r.error).split('\n').slice(0, 3).join(' | ')}`);
      resolvePromise(r);
    });
  });
}

function machine() {
  const mem = os.totalmem();
  let duckdb = '';
  try {
    duckdb = JSON.parse(readFileSync(join(ROOT, 'node_modules', '@duckdb', 'node-api', 'package.json'), 'utf8')).version;
  } catch {
    /* unknown */
  }
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: ROOT, encoding: 'utf8' }).trim();
    } catch {
      return '';
    }
  };
  return {
    nproc: os.availableParallelism(),
    cpu: os.cpus()[0]?.model ?? '',
    memoryGiB: Math.round((mem / 2 ** 30) * 10) / 10,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    duckdbNodeApi: duckdb,
    postgres: '',
    git: git(['rev-parse', '--short', 'HEAD']),
    gitDirty: git(['status', '--porcelain', '--', 'src', 'models', 'macros']).length > 0,
    loadAverageAtStart: os.loadavg(),
  };
}

const mb = (b: number) => Math.round(b / 2 ** 20);

/** Explain pass, then `repeat` timed passes; the fastest is kept, with every time listed. */
async function measure(name: string, base: Task, opts: { before?: () => Promise<void>; after?: () => void; repeats: number; explain?: boolean }) {
  const out: Record<string, unknown> = {};
  if (opts.explain !== false && !flag('no-explain')) {
    if (opts.before) await opts.before();
    const ex = await runChild({ ...base, explain: true, profileFile: join(workDir, `profile-${process.pid}.json`) });
    out.scanned = ex.scanned;
    if (ex.statements) out.statements = ex.statements;
    if (!ex.ok) out.explainError = ex.error;
  }
  const runs: ChildResult[] = [];
  for (let i = 0; i < opts.repeats; i++) {
    if (opts.before) await opts.before();
    const load = os.loadavg()[0];
    const r = await runChild(base);
    opts.after?.();
    r.loadAverage1m = load;
    runs.push(r);
    log(`  ${name} run ${i + 1}: ${r.ok ? `${r.seconds?.toFixed(2)} s (cpu ${(r.totalCpuSeconds as number)?.toFixed(2)} s)` : 'FAILED'}, max RSS ${mb(r.memory.maxRss)} MB, load ${load?.toFixed(1)}`);
    if (!r.ok) break;
  }
  const ok = runs.filter((r) => r.ok);
  const best = ok.sort((a, b) => a.seconds! - b.seconds!)[0];
  out.ok = Boolean(best) && ok.length === runs.length;
  out.seconds = best?.seconds ?? null;
  out.allSeconds = runs.map((r) => r.seconds ?? null);
  // CPU time (this process's threads, plus the Postgres server's processes): less disturbed by
  // other load on the machine than wall time; the least over the passes.
  const cpus = ok.map((r) => r.totalCpuSeconds as number).filter((x) => typeof x === 'number');
  out.cpuSeconds = cpus.length ? Math.min(...cpus) : null;
  out.allCpuSeconds = runs.map((r) => (r.totalCpuSeconds as number | undefined) ?? null);
  out.loadAverage1m = runs.map((r) => r.loadAverage1m);
  out.maxRssBytes = Math.max(...runs.map((r) => ((r.peakBeforeValidation as ChildResult['memory'] | undefined) ?? r.memory).maxRss));
  out.peakHeapUsedBytes = Math.max(...runs.map((r) => ((r.peakBeforeValidation as ChildResult['memory'] | undefined) ?? r.memory).heapUsed));
  out.peakExternalBytes = Math.max(...runs.map((r) => ((r.peakBeforeValidation as ChildResult['memory'] | undefined) ?? r.memory).external + ((r.peakBeforeValidation as ChildResult['memory'] | undefined) ?? r.memory).arrayBuffers));
  if (best) for (const k of ['mode', 'reason', 'recomputeFrom', 'rowsWritten', 'steps', 'outputRows', 'extractedRows', 'metricRows', 'fetchSeconds', 'validation']) if (best[k] !== undefined) out[k] = best[k];
  if (!best) out.error = runs[runs.length - 1]?.error;
  return out;
}

/** approximate_ranking's score_bins for the `approximate` step. */
const scoreBins = Number(arg('score-bins', '1000'));
const APPROXIMATE_SCHEMA = 'hindsight_approximate';

/** The other problem types' monitors (bench/project.ts), each written to a schema of its own. */
const OTHER_MONITORS = Object.fromEntries(
  Object.entries(OTHER_MONITOR_CONFIGS).map(([type, config]) => [type, { config, schema: `hindsight_${type}` }]),
) as { [T in OtherType]: { config: (typeof OTHER_MONITOR_CONFIGS)[T]; schema: string } };

/**
 * Per ranking metric, over every group: the approximate value's distance from the exact one, its
 * bound, and how many distances exceed their bound (the contract says none can).
 */
function approximationErrorSql(): string {
  const table = (schema: string) => `${schema}.hindsight_metrics`;
  const key = ['granularity', 'window_start', 'model_version', 'segment', 'segment_value'];
  const same = key.map((k) => `a.${k} is not distinct from e.${k}`).join(' and ');
  return `
select e.metric,
    count(*) as values_compared,
    max(abs(a.value - e.value)) as max_error,
    avg(abs(a.value - e.value)) as mean_error,
    max(b.value) as max_bound,
    avg(b.value) as mean_bound,
    sum(case when abs(a.value - e.value) > b.value + 1e-12 then 1 else 0 end) as beyond_bound
from ${table('hindsight')} as e
join ${table(APPROXIMATE_SCHEMA)} as a on a.metric = e.metric and ${same}
join ${table(APPROXIMATE_SCHEMA)} as b on b.metric = e.metric || '_error_bound' and ${same.replaceAll('a.', 'b.')}
where e.metric in ('roc_auc', 'average_precision', 'ks') and e.value is not null
group by e.metric
order by e.metric`;
}

async function benchWarehouse(w: Warehouse, rows: number, output: Output) {
  const dir = join(workDir, `${w}-${rows}`);
  rmSync(join(dir, 'project'), { recursive: true, force: true });
  const projectDir = writeProject(join(dir, 'project'), output);
  const sql = (statements: string[]) => runChild({ kind: 'sql', output, statements });
  const result: Record<string, unknown> = { warehouse: w, rows, output: { ...output, path: undefined } };

  log(`${w} ${rows.toExponential()}: generating`);
  const gen = await runChild({ kind: 'sql', output, statements: generateStatements(w, rows), count: ['bench.predictions', 'bench.outcomes', 'bench.predictions_next', 'bench.outcomes_next'] });
  if (!gen.ok) throw new Error(`generation failed: ${gen.error}`);
  result.generateSeconds = gen.seconds;
  result.tables = gen.counts;

  const asOfFull = AS_OF_FULL.toISOString();
  const asOfNext = AS_OF_NEXT.toISOString();
  const steps: Record<string, unknown> = {};
  result.steps = steps;

  log(`${w} ${rows.toExponential()}: lower_bound`);
  const repeats = repeatFor(rows);
  result.repeats = repeats;
  if (wanted('lower_bound')) steps.lower_bound = await measure('lower_bound', { kind: 'lower_bound', output, asOf: asOfFull }, { repeats });
  if (wanted('sliced_floor')) {
    log(`${w} ${rows.toExponential()}: sliced_floor`);
    steps.sliced_floor = await measure('sliced_floor', { kind: 'lower_bound', output, asOf: asOfFull, lowerBound: 'sliced' }, { repeats });
  }
  log(`${w} ${rows.toExponential()}: full_refresh`);
  if (wanted('full_refresh') || wanted('incremental') || wanted('extract_and_compute')) steps.full_refresh = await measure('full_refresh', { kind: 'full_refresh', output, projectDir, asOf: asOfFull }, { repeats });
  // the same monitor with approximate_ranking, written to its own schema; then, if the exact full
  // refresh ran, how far its ranking metrics are from the exact ones, against their bounds (untimed)
  if (wanted('approximate')) {
    log(`${w} ${rows.toExponential()}: approximate (score_bins ${scoreBins})`);
    const approximateDir = writeProject(join(dir, 'project-approximate'), output, [monitorConfig(undefined, scoreBins)], APPROXIMATE_SCHEMA);
    steps.approximate = await measure('approximate', { kind: 'full_refresh', output, projectDir: approximateDir, asOf: asOfFull }, { repeats });
    if (steps.full_refresh) {
      const accuracy = await runChild({ kind: 'sql', output, statements: [], query: approximationErrorSql() });
      (steps.approximate as Record<string, unknown>).accuracy = accuracy.ok ? accuracy.rows : accuracy.error;
    }
  }
  // the other problem types' monitors on the same data, each against its own lower bound (lower-bound.ts)
  for (const [type, other] of Object.entries(OTHER_MONITORS) as [keyof typeof OTHER_MONITORS, (typeof OTHER_MONITORS)[keyof typeof OTHER_MONITORS]][]) {
    if (wanted(`${type}_lower_bound`)) {
      log(`${w} ${rows.toExponential()}: ${type}_lower_bound`);
      steps[`${type}_lower_bound`] = await measure(`${type}_lower_bound`, { kind: 'lower_bound', output, asOf: asOfFull, lowerBound: type }, { repeats });
    }
    if (wanted(`${type}_full_refresh`)) {
      log(`${w} ${rows.toExponential()}: ${type}_full_refresh`);
      const otherDir = writeProject(join(dir, `project-${type}`), output, [other.config()], other.schema);
      steps[`${type}_full_refresh`] = await measure(`${type}_full_refresh`, { kind: 'full_refresh', output, projectDir: otherDir, asOf: asOfFull }, { repeats });
    }
  }
  log(`${w} ${rows.toExponential()}: extract_and_compute`);
  if (wanted('extract_and_compute')) steps.extract_and_compute = await measure('extract_and_compute', { kind: 'extract_and_compute', output, asOf: asOfFull, validate: true }, { repeats });

  // incremental: the 91st day is appended once; before each pass the 90-day state is rebuilt by a
  // full refresh as of day 90 (which ignores the appended rows), so every pass starts alike.
  if (!wanted('incremental')) return finish(result, steps, rows);
  log(`${w} ${rows.toExponential()}: appending day 91, incremental`);
  const appended = await sql(appendStatements(w));
  if (!appended.ok) throw new Error(`append failed: ${appended.error}`);
  let dirty = false; // the explain pass rolls back; a timed pass commits
  steps.incremental = await measure('incremental', { kind: 'incremental', output, projectDir, asOf: asOfNext }, {
    before: async () => {
      if (!dirty) return;
      const r = await runChild({ kind: 'full_refresh', output, projectDir, asOf: asOfFull });
      if (!r.ok) throw new Error(`reset failed: ${r.error}`);
    },
    after: () => {
      dirty = true;
    },
    repeats,
  });

  return finish(result, steps, rows);
}

function finish(result: Record<string, unknown>, steps: Record<string, unknown>, rows: number) {
  const s = (k: string) => (steps[k] as { seconds: number | null } | undefined)?.seconds ?? null;
  const c = (k: string) => (steps[k] as { cpuSeconds: number | null } | undefined)?.cpuSeconds ?? null;
  const ratio = (a: number | null, b: number | null) => (a && b ? a / b : null);
  result.ratios = {
    full_refresh_over_lower_bound: ratio(s('full_refresh'), s('lower_bound')),
    incremental_over_full_refresh: ratio(s('incremental'), s('full_refresh')),
    extract_over_full_refresh: ratio(s('extract_and_compute'), s('full_refresh')),
    approximate_over_lower_bound: ratio(s('approximate'), s('lower_bound')),
    approximate_over_full_refresh: ratio(s('approximate'), s('full_refresh')),
    sliced_floor_over_lower_bound: ratio(s('sliced_floor'), s('lower_bound')),
    full_refresh_over_sliced_floor: ratio(s('full_refresh'), s('sliced_floor')),
    ...Object.fromEntries(Object.keys(OTHER_MONITORS).map((t) => [`${t}_full_refresh_over_lower_bound`, ratio(s(`${t}_full_refresh`), s(`${t}_lower_bound`))])),
  };
  result.cpuRatios = {
    full_refresh_over_lower_bound: ratio(c('full_refresh'), c('lower_bound')),
    incremental_over_full_refresh: ratio(c('incremental'), c('full_refresh')),
    extract_over_full_refresh: ratio(c('extract_and_compute'), c('full_refresh')),
    approximate_over_lower_bound: ratio(c('approximate'), c('lower_bound')),
    approximate_over_full_refresh: ratio(c('approximate'), c('full_refresh')),
    sliced_floor_over_lower_bound: ratio(c('sliced_floor'), c('lower_bound')),
    full_refresh_over_sliced_floor: ratio(c('full_refresh'), c('sliced_floor')),
    ...Object.fromEntries(Object.keys(OTHER_MONITORS).map((t) => [`${t}_full_refresh_over_lower_bound`, ratio(c(`${t}_full_refresh`), c(`${t}_lower_bound`))])),
  };
  for (const k of Object.keys(steps)) {
    const st = steps[k] as { seconds: number | null; rowsPerSecond?: number | null };
    st.rowsPerSecond = st.seconds ? rows / st.seconds : null;
  }
  return result;
}

async function main() {
  mkdirSync(workDir, { recursive: true });
  const info = machine();
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`;
  const doc: Record<string, unknown> = {
    schema: 'hindsight/bench/v1',
    startedAt: new Date().toISOString(),
    command,
    machine: info,
    settings: { repeat, repeatFrom1e7: Math.min(repeat, repeatLarge), scoreBins, duckdbMemoryLimit: duckdbMemoryLimit ?? 'default (80% of RAM)', postgres: POSTGRES_SETTINGS, asOfFull: AS_OF_FULL, asOfIncremental: AS_OF_NEXT },
    results: [] as unknown[],
  };
  const save = () => {
    mkdirSync(dirname(outFile), { recursive: true });
    writeFileSync(outFile, JSON.stringify(doc, null, 2) + '\n');
  };

  if (!flag('no-compile')) {
    log('compiling 1,000 monitors');
    doc.compile = await benchCompile(1000);
    save();
  }

  let server: Awaited<ReturnType<typeof startBenchPostgres>> | undefined;
  try {
    if (warehouses.includes('postgres') && rowsList.some((n) => n <= (maxRows.postgres ?? Infinity))) {
      server = await startBenchPostgres((m) => log(`[postgres] ${m}`));
      serverDataDir = server.dataDir;
      const stop = server;
      for (const sig of ['SIGINT', 'SIGTERM'] as const) {
        process.once(sig, () => {
          log(`${sig}: stopping the Postgres server`);
          void stopPostgres(stop).finally(() => process.exit(130));
        });
      }
      info.postgres = await postgresVersion(server.url);
    }
    for (const rows of rowsList) {
      for (const w of warehouses) {
        if (rows > (maxRows[w] ?? Infinity)) continue;
        let output: Output;
        if (w === 'duckdb') {
          const dbDir = join(workDir, `${w}-${rows}`);
          rmSync(dbDir, { recursive: true, force: true });
          mkdirSync(dbDir, { recursive: true });
          output = { type: 'duckdb', path: join(dbDir, 'warehouse.duckdb'), memory_limit: duckdbMemoryLimit };
        } else {
          output = postgresOutput(server!.url);
        }
        try {
          (doc.results as unknown[]).push(await benchWarehouse(w, rows, output));
        } catch (e) {
          log(`${w} ${rows}: ${e instanceof Error ? e.message : String(e)}`);
          (doc.results as unknown[]).push({ warehouse: w, rows, error: e instanceof Error ? e.message : String(e) });
        }
        doc.finishedAt = new Date().toISOString();
        save();
        if (w === 'duckdb' && !flag('keep-data')) rmSync(join(workDir, `${w}-${rows}`, 'warehouse.duckdb'), { force: true });
      }
    }
  } finally {
    serverDataDir = undefined;
    if (server) await stopPostgres(server);
  }
  doc.finishedAt = new Date().toISOString();
  save();
  log(`results: ${outFile}`);
  if (reportFile) {
    writeReport([outFile], reportFile);
    log(`report: ${reportFile}`);
  }
}

if (!existsSync(join(ROOT, 'node_modules', 'tsx'))) throw new Error('tsx is missing: npm install');
await main();
