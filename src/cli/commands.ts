// What each CLI command does, independent of argument parsing (so tests can call them directly).
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import type { Adapter } from '../adapters/index.js';
import { connect } from '../adapters/connect.js';
import { loadProjectAndTarget, subdirectories, type Project, type Target } from '../config/load.js';
import type { Monitor } from '../config/monitor.js';
import { compileMonitor } from '../compiler/compile.js';
import { PACKAGE_ROOT } from '../compiler/environment.js';
import { dialectFor } from '../dialects/index.js';
import { UsageError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { parseYaml as parseYamlFile } from '../config/yaml-validate.js';
import { checkCanDryRun, dryRunMonitor } from '../runner/dry-run.js';
import { runMonitors, threadCount, writeSteps, type MonitorResult } from '../runner/run.js';
import { previousRun } from '../runner/run-log.js';
import { projectTable } from '../compiler/names.js';
import { loadSeed, readSeeds, seedFiles } from '../runner/seed.js';
import { HINDSIGHT_VERSION } from '../version.js';
import { CompiledFiles } from './compiled-files.js';
import { dotted, formatNumber, line, table } from './output.js';
import { parseAsOf } from './as-of.js';
import { selectFrom, type SelectionKind } from './select.js';

export interface CommonOptions {
  projectDir: string;
  profilesDir?: string;
  target?: string;
  /** --select: selectors (select.ts); undefined selects every monitor (seed: every seed). */
  select?: string[];
  /** --exclude: selectors of what to leave out. */
  exclude?: string[];
  /** Reuse target/partial_parse.json for unchanged monitor files (default: false; the CLI's default: true). */
  partialParse?: boolean;
  /** --debug: a failed monitor's message is followed by the stack of what failed. */
  debug?: boolean;
}

/** A usage error with a line per unknown name, each saying it with the closest known name as a hint. */
function unknownNames(unknown: string[], known: string[], says: (name: string, hint: string) => string): UsageError {
  const hint = (u: string) => (closest(u, known) ? ` (did you mean "${closest(u, known)}"?)` : '');
  return new UsageError(unknown.map((u) => says(u, hint(u))).join('\n'));
}

const MONITORS: SelectionKind = { noun: 'monitor', listed: (all) => all.flatMap((s) => s.names) };
const SEEDS: SelectionKind = { noun: 'seed', listed: (all) => all.map((s) => s.names.at(-1)!) };

/**
 * The monitors `--select` and `--exclude` pick (every one without --select), in dbt's syntax
 * (select.ts): names with wildcards, tag:, path:, file:, spaces for either, commas for both. A
 * selector that matches nothing is an error (exit 2), with the closest name or tag.
 */
export function selectMonitors(project: Project, options: { select?: string[]; exclude?: string[] }): Monitor[] {
  return selectFrom(project.monitors, (m) => ({ names: [m.name], tags: m.tags, file: resolve(m.file) }), { ...options, projectDir: project.dir }, MONITORS);
}

/** `show <monitor>`: one monitor, by its exact name. */
function monitorNamed(project: Project, name: string): Monitor {
  const names = project.monitors.map((m) => m.name);
  const monitor = project.monitors.find((m) => m.name === name);
  if (!monitor) throw unknownNames([name], names, (u, hint) => `show: no monitor named "${u}"${hint}; monitors: ${names.join(', ') || 'none'}`);
  return monitor;
}

/** `a/b/c.yml` → [`a`, `a/b`]. */
const ancestors = (file: string) => file.split(/[\\/]/).slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'));

/**
 * Scaffolds a project from templates/project. A directory that already holds one of its files is
 * left as it is, with an error naming them: the user's profiles.yml or monitors are never replaced.
 */
export function initProject(dir: string): string[] {
  const dest = resolve(dir);
  const source = join(PACKAGE_ROOT, 'templates', 'project');
  const files = (readdirSync(source, { recursive: true, withFileTypes: true }) as import('node:fs').Dirent[])
    .filter((f) => f.isFile())
    .map((f) => relative(source, join(f.parentPath, f.name)))
    .sort();
  const shown = (f: string) => join(relative(process.cwd(), dest) || '.', f);
  // a file of the template, or a file where one of its directories goes (monitors/)
  const blocked = (f: string) => existsSync(join(dest, f)) || ancestors(f).some((d) => existsSync(join(dest, d)) && !statSync(join(dest, d)).isDirectory());
  const existing = files.filter(blocked);
  if (existing.length) throw new UsageError(`hindsight init would overwrite ${existing.map(shown).join(', ')}; nothing was written (choose an empty directory)`);
  // The project and its profile are named after the directory, as dbt init names them; editors
  // find the JSON Schemas in this installation of hindsight (schema/), by a path relative to each file.
  const name = projectName(dest);
  for (const f of files) {
    const to = join(dest, f);
    mkdirSync(dirname(to), { recursive: true });
    const schemas = relative(dirname(to), join(PACKAGE_ROOT, 'schema')).split('\\').join('/');
    writeFileSync(to, readFileSync(join(source, f), 'utf8').replaceAll('my_project', name).replaceAll('{{ schemas }}', schemas));
  }
  return files.map(shown);
}

/** A project name from a directory's: lower case letters, digits and underscores, not starting with a digit. */
export function projectName(dir: string): string {
  // (accents dropped, not the letters that carry them: Prüfung is prufung)
  const name = basename(dir).normalize('NFD').replace(/\p{Mn}/gu, '').toLowerCase().replace(/[^a-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return !name ? 'my_project' : /^[0-9]/.test(name) ? `project_${name}` : name;
}

/**
 * Every monitor file is checked (as by any command); the selected monitors (all by default) are
 * also rendered, which proves the templates accept them.
 */
export function validate(options: CommonOptions): { project: Project; target?: Target; monitors: Monitor[] } {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const monitors = selectMonitors(project, options);
  for (const monitor of monitors) compileMonitor({ monitor, schema: project.config.schema, dialect: dialectFor(target.output.type), run: compileContext(parseAsOf(undefined)) });
  return { project, target, monitors };
}

const compileContext = (asOf: Date) => ({ asOf, runId: '00000000-0000-0000-0000-000000000000', computedAt: asOf });

/**
 * Writes target/compiled/<monitor>/<step>.sql: the full-refresh SQL, byte-identical for the same
 * input. A monitor's directory holds only its current steps.
 */
export async function compile(options: CommonOptions & { asOf?: string }): Promise<{ monitor: string; steps: string[]; dir: string }[]> {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const dialect = dialectFor(target.output.type);
  const asOf = parseAsOf(options.asOf);
  const out = [];
  const root = resolve(project.dir, project.config['target-path'], 'compiled');
  const files = new CompiledFiles();
  try {
    for (const monitor of selectMonitors(project, options)) {
      const steps = compileMonitor({ monitor, schema: project.config.schema, dialect, run: compileContext(asOf) });
      const dir = join(root, monitor.name);
      files.write(monitor.name, dir, steps);
      // Names only: holding every monitor's SQL until the end made the heap, and garbage collection, grow.
      out.push({ monitor: monitor.name, steps: steps.map((s) => s.name), dir });
    }
    await files.done();
  } finally {
    await files.close();
  }
  return out;
}

async function withAdapter<T>(target: Target, fn: (adapter: Adapter) => Promise<T>): Promise<T> {
  const adapter = await connect(target);
  try {
    return await fn(adapter);
  } finally {
    await adapter.close();
  }
}

export async function seed(options: CommonOptions, adapter?: Adapter): Promise<number> {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const files = selectSeeds(seedFiles(project), { ...options, projectDir: project.dir });
  // A seed-paths directory that does not exist loads nothing: say so, but not as an error, and not
  // of the default seeds/, which projects of earlier `hindsight init`s name without having it.
  for (const seedPath of project.config['seed-paths']) {
    if (seedPath === 'seeds' || existsSync(resolve(project.dir, seedPath))) continue;
    const suggestion = closest(seedPath, subdirectories(project.dir));
    line(`Note: seed-paths: directory "${seedPath}" does not exist in the project directory${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
  // Every file is read and checked before any is loaded: a bad one stops the command with nothing loaded.
  const seeds = readSeeds(files);
  const go = async (a: Adapter) => {
    line(`Loading ${files.length} seed file(s) into target ${target.name} (${target.output.type})`);
    for (const [i, seed] of seeds.entries()) {
      const t = performance.now();
      let result;
      try {
        result = await loadSeed(a, seed);
      } catch (e) {
        const loaded = i === 0 ? '' : `; the ${i} seed(s) before it are loaded`;
        throw new Error(`seed ${seed.file.schema}.${seed.file.table} (${seed.file.name ?? seed.file.path}) failed, and its table is as it was${loaded}:\n  ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      line(dotted(`  ${i + 1} of ${files.length} seed ${result.table}`, `${result.rows} rows in ${((performance.now() - t) / 1000).toFixed(2)}s`));
    }
  };
  if (adapter) await go(adapter);
  else await withAdapter(target, go);
  return 0;
}

/**
 * `seed --select a b`: the seeds whose table is named so (`orders`, or `raw.orders`), as in dbt, with
 * the rest of --select's syntax but tags, which seeds do not have.
 */
export function selectSeeds<T extends { schema: string; table: string; path: string }>(seeds: T[], options: CommonOptions): T[] {
  return selectFrom(seeds, (s) => ({ names: [s.table, `${s.schema}.${s.table}`], file: resolve(s.path) }), { select: options.select, exclude: options.exclude, projectDir: options.projectDir }, SEEDS);
}

/** `--threads N`: a whole number of 1 or more. */
export function threadsOption(threads: number | undefined): number | undefined {
  if (threads === undefined || (Number.isInteger(threads) && threads >= 1)) return threads;
  throw new UsageError(`--threads expects a whole number of 1 or more, got ${threads}`);
}

export async function run(options: CommonOptions & { asOf?: string; fullRefresh?: boolean; dryRun?: boolean; threads?: number }, adapter?: Adapter): Promise<number> {
  if (options.dryRun) return dryRun(options, adapter);
  removeRunResults(options.projectDir);
  const threadsArg = threadsOption(options.threads);
  const asOf = parseAsOf(options.asOf);
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const monitors = selectMonitors(project, options);
  if (monitors.length === 0) {
    // (--select matched something, or it is an error: only --exclude leaves nothing)
    line(project.monitors.length === 0 ? 'No monitors found: add one under monitors/ (see `hindsight init`).' : `Nothing to run: --exclude leaves none of the ${project.monitors.length} monitor(s) selected.`);
    return 0;
  }
  const started = performance.now();
  const threads = threadCount(threadsArg, target, monitors.length);
  line(`Running ${monitors.length} monitor(s) on target ${target.name} (${target.output.type}), as of ${asOf.toISOString()}${threads > 1 ? `, ${threads} at a time` : ''}`);
  // Ctrl-C (or a SIGTERM) stops the run cleanly: the running monitors roll back, leaving every table
  // as it was, and the run's results are still written. A second one quits at once.
  const interrupted = new AbortController();
  const onSignal = (name: NodeJS.Signals) => {
    if (interrupted.signal.aborted) process.exit(130);
    line(`${name}: stopping; the running monitors roll back (${name} again quits at once, leaving their staged tables)`);
    interrupted.abort(new Error(`interrupted by ${name}`));
  };
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const go = (a: Adapter) =>
    runMonitors({
      project, target, adapter: a, monitors, asOf, fullRefresh: options.fullRefresh ?? false, threads, signal: interrupted.signal,
      onStep: (m, s) => line(dotted(`  ${m.name} ${s.name}`, `${s.rows} rows in ${s.seconds.toFixed(2)}s`)),
    });
  let results: MonitorResult[];
  try {
    results = adapter ? await go(adapter) : await withAdapter(target, go);
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  for (const r of results) {
    const mode = r.mode === 'incremental' ? `incremental from ${r.recomputeFrom?.toISOString()}` : r.mode ? `full refresh${r.reason ? ` (${r.reason})` : ''}` : 'not planned';
    if (r.status === 'success') line(`${r.monitor}: OK, ${mode}, ${r.rowsWritten} rows written in ${r.seconds.toFixed(2)}s`);
    else line(`${r.monitor}: ERROR, ${mode}\n${r.error?.message}${options.debug ? `\n${stackOf(r.error)}` : ''}`);
  }
  writeRunResults(project, target, asOf, threads, results, (performance.now() - started) / 1000);
  const failed = results.filter((r) => r.status === 'error').length;
  line(`Finished: ${results.length - failed} succeeded, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(2)}s`);
  return interrupted.signal.aborted ? 130 : failed > 0 ? 1 : 0;
}

/** The stack of what a monitor's failure wraps (a WarehouseError's cause), else its own. */
function stackOf(error: Error | undefined): string {
  const cause = error?.cause;
  return (cause instanceof Error ? cause.stack : undefined) ?? error?.stack ?? '';
}

// --- run --dry-run --------------------------------------------------------------------------

const formatBytes = (n: number) => (n < 1024 ? `${n} B` : n < 1024 ** 2 ? `${(n / 1024).toFixed(1)} KiB` : n < 1024 ** 3 ? `${(n / 1024 ** 2).toFixed(1)} MiB` : `${(n / 1024 ** 3).toFixed(2)} GiB`);

/** `run --dry-run`: the bytes each step of a full refresh would process; nothing runs (see runner/dry-run.ts). */
async function dryRun(options: CommonOptions & { asOf?: string }, adapter?: Adapter): Promise<number> {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const monitors = selectMonitors(project, options);
  const asOf = parseAsOf(options.asOf);
  const go = async (a: Adapter) => {
    checkCanDryRun(a);
    line(`Dry run of ${monitors.length} monitor(s) on target ${target.name} (${target.output.type}): bytes each step of a full refresh would process`);
    for (const monitor of monitors) {
      for (const step of await dryRunMonitor(a, monitor, project.config.schema, asOf)) {
        line(dotted(`  ${monitor.name} ${step.name}`, formatBytes(step.bytesProcessed)));
      }
    }
  };
  if (adapter) await go(adapter);
  else await withAdapter(target, go);
  line('Nothing was run. A step\'s figure includes what the steps it builds on read.');
  return 0;
}

/** target/run_results.json, versioned like dbt's, for orchestrators and CI. */
function writeRunResults(project: Project, target: Target, asOf: Date, threads: number, results: MonitorResult[], elapsed: number): void {
  mkdirSync(dirname(runResultsPath(project)), { recursive: true });
  const doc = {
    metadata: { schema_version: 'hindsight/run-results/v1', hindsight_version: HINDSIGHT_VERSION, generated_at: new Date().toISOString() },
    target: { name: target.name, type: target.output.type },
    as_of: asOf.toISOString(),
    threads,
    elapsed_time: elapsed,
    results: results.map((r) => ({
      unique_id: `monitor.${project.config.name}.${r.monitor}`,
      status: r.status,
      mode: r.mode ?? null,
      reason: r.reason ?? null,
      run_id: r.runId,
      recompute_from: r.recomputeFrom?.toISOString() ?? null,
      rows_written: r.rowsWritten,
      execution_time: r.seconds,
      sql_sha256: r.sqlSha256,
      steps: r.steps,
      message: r.error?.message ?? null,
    })),
  };
  writeFileSync(runResultsPath(project), JSON.stringify(doc, null, 2) + '\n');
}

const runResultsPath = (project: Project) => resolve(project.dir, project.config['target-path'], 'run_results.json');

/**
 * An orchestrator reads run_results.json after the command: a run stopped before it writes one (a
 * bad option, a configuration error, a column missing from a source) must not leave the previous
 * run's "success" there. So it goes first, from hindsight.yml's target-path, read as the loader
 * reads it; where hindsight.yml cannot be read, the file is left (it might be another tool's: dbt's
 * is target/run_results.json too).
 */
function removeRunResults(projectDir: string): void {
  const file = join(resolve(projectDir), 'hindsight.yml');
  if (!existsSync(file)) return;
  const { parsed, issues } = parseYamlFile('hindsight.yml', readFileSync(file, 'utf8'));
  if (issues.length) return;
  const config = parsed.doc.toJS() as unknown;
  const configured = config && typeof config === 'object' ? (config as Record<string, unknown>)['target-path'] : undefined;
  if (configured !== undefined && typeof configured !== 'string') return;
  rmSync(resolve(projectDir, configured ?? 'target', 'run_results.json'), { force: true });
}

/**
 * What `build` checks before it loads any seed, so that a typo does not reload every seed and then
 * stop: the configuration, --threads, --as-of and --select.
 */
export function checkRunOptions(options: CommonOptions & { asOf?: string; threads?: number }): void {
  removeRunResults(options.projectDir);
  threadsOption(options.threads);
  parseAsOf(options.asOf);
  const { project } = loadProjectAndTarget(options.projectDir, options);
  selectMonitors(project, options);
}

/** What `show` prints by default, per problem type (any metric can be asked for with --metrics). */
const SHOW_METRICS: Record<Monitor['type'], string[]> = {
  binary_classification: ['count', 'positive_rate', 'mean_score', 'roc_auc', 'average_precision', 'log_loss', 'ece', 'label_coverage', 'pending'],
  multiclass_classification: ['count', 'accuracy', 'balanced_accuracy', 'f1_macro', 'cohen_kappa', 'log_loss', 'top_2_accuracy', 'label_coverage', 'pending'],
  regression: ['count', 'mean_error', 'mae', 'rmse', 'r2', 'mape', 'wape', 'label_coverage', 'pending'],
  forecast: ['count', 'bias', 'mae', 'wape', 'mase', 'interval_coverage', 'mean_pinball_loss', 'label_coverage', 'pending'],
  // @k: the monitor's largest k
  recommendation: ['requests', 'hit_rate@k', 'precision@k', 'recall@k', 'ndcg@k', 'coverage@k', 'personalization@k', 'label_coverage', 'pending'],
};

/** A value, with ± its error bound when it has one (approximate_ranking). */
function withBound(value: unknown, bound: unknown): string {
  if (typeof value !== 'number' || typeof bound !== 'number') return formatNumber(value);
  return `${formatNumber(value)} ±${bound.toPrecision(2)}`;
}

/** The latest windows of one monitor, overall, one row per window and model version. */
export async function show(options: CommonOptions & { monitor: string; granularity?: string; windows?: number; metrics?: string[] }): Promise<number> {
  const { project, target } = loadProjectAndTarget(options.projectDir, options);
  const monitor = monitorNamed(project, options.monitor);
  const granularity = options.granularity ?? monitor.granularities[monitor.granularities.length - 1]!;
  if (!monitor.granularities.includes(granularity as never)) {
    throw new UsageError(`--granularity ${granularity}: monitor ${monitor.name} has ${monitor.granularities.join(', ')} windows`);
  }
  const largestK = monitor.recommendation?.k.at(-1);
  const metrics = options.metrics?.length ? options.metrics : SHOW_METRICS[monitor.type].map((x) => x.replace(/@k$/, `@${largestK}`));
  const windows = options.windows ?? 8;
  if (!Number.isInteger(windows) || windows < 1) throw new UsageError(`--windows expects a whole number of 1 or more, got ${windows}`);
  return withAdapter(target, async (a) => {
    const d = a.dialect;
    const metricsTable = projectTable(d, project.config.schema, 'hindsight_metrics');
    const ofMonitor = `monitor = ${d.string(monitor.name)} and granularity = ${d.string(granularity)}`;
    // nothing written yet is said as such, not as the warehouse's "table does not exist" or an empty table
    const notRun = `run it first: hindsight run -s ${monitor.name}${options.target ? ` -t ${options.target}` : ''}`;
    let stored: number;
    try {
      stored = Number((await a.query(`select count(*) as n from ${metricsTable} where ${ofMonitor}`))[0]?.n);
    } catch (e) {
      // (only a table that is not there; a permission or connection problem is the warehouse's to say)
      const said = e instanceof Error ? e.message : String(e);
      if (!/\b(table|relation|object|schema)\b[^\n]* does not exist|not found: (table|dataset)/i.test(said)) throw e;
      // (Snowflake says "does not exist or not authorized" of both: its words are kept, whole)
      throw new Error(`${project.config.schema}.hindsight_metrics does not exist on target ${target.name}: nothing has been run there yet; ${notRun} (the warehouse said: ${said.replace(/\s+/g, ' ').trim()})`);
    }
    if (stored === 0) throw new Error(`monitor ${monitor.name} has no ${granularity} rows in ${project.config.schema}.hindsight_metrics on target ${target.name}; ${notRun}`);
    if (options.metrics?.length) {
      const written = (await a.query(`select distinct metric from ${metricsTable} where ${ofMonitor} and qualifier is null`)).map((r) => String(r.metric)).sort();
      const unknown = options.metrics.filter((x) => !written.includes(x));
      if (written.length && unknown.length) {
        throw unknownNames(unknown, written, (u, hint) => `--metrics: monitor ${monitor.name} has no metric "${u}"${hint}; metrics: ${written.join(', ')}`);
      }
    }
    // the latest windows with one of the metrics shown (a window with only data-quality rows is not one)
    const shown = metrics.map((x) => d.string(x)).join(', ');
    const rows = await a.query(`
select window_start, window_end, model_version, metric, value
from ${metricsTable}
where ${ofMonitor} and segment is null and qualifier is null
  and window_start in (
    select distinct window_start from ${metricsTable}
    where ${ofMonitor} and metric in (${shown}) and value is not null
    order by window_start desc limit ${windows}
  )
order by window_start, model_version`);
    // A window is final once each of its predictions has had its whole `within` by the last run's
    // as-of (README, Output tables); a forecast's never is: a late actual still counts.
    // (unknown, `?`, when the run's configuration is not this one: `within` may have changed)
    const last = await previousRun(a, projectTable(d, project.config.schema, 'hindsight_runs'), monitor);
    const known = last !== undefined && last.configHash === monitor.configHash;
    const final = (windowEnd: Date) =>
      monitor.forecast ? undefined : !known ? '?' : windowEnd.getTime() + monitor.within.seconds * 1000 <= last.asOf.getTime() ? 'yes' : 'no';
    const byKey = new Map<string, Map<string, unknown>>();
    for (const r of rows) {
      const key = [(r.window_start as Date).toISOString().slice(0, 10), r.model_version ?? '—', final(r.window_end as Date)].filter((x) => x !== undefined).join('\t');
      if (!byKey.has(key)) byKey.set(key, new Map());
      byKey.get(key)!.set(String(r.metric), r.value);
    }
    const asOf = last ? `, as of ${last.asOf.toISOString().replace('T00:00:00.000Z', '').replace('.000Z', 'Z')}` : '';
    const unknown = monitor.forecast || known ? '' : last ? '; its configuration was another: final is known after the next run' : '; no successful run is recorded: final is not known';
    process.stdout.write(`${monitor.name}: ${granularity} windows, overall, latest ${windows} (as written by the last run${asOf}${unknown})\n\n`);
    // A version group with none of the shown metrics (e.g. only orphan outcomes) is left out.
    const body = [...byKey.entries()]
      .filter(([, m]) => metrics.some((x) => m.get(x) !== undefined && m.get(x) !== null))
      .map(([k, m]) => [...k.split('\t'), ...metrics.map((x) => withBound(m.get(x), m.get(`${x}_error_bound`)))]);
    const keys = ['window_start', 'version', ...(monitor.forecast ? [] : ['final'])];
    process.stdout.write(table([...keys, ...metrics], body) + '\n');
    return 0;
  });
}
