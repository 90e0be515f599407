// What the CLI's compile, validate, seed and run commands do, independent of argument parsing (so
// tests can call them directly); init, show and run_results.json have files of their own.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Adapter } from '../adapters/index.js';
import { withConnection } from '../adapters/connect.js';
import { loadProjectAndTarget, subdirectories, type Project, type Target } from '../config/load.js';
import { monitorAsOf, type Monitor } from '../config/monitor.js';
import { compileMonitor } from '../compiler/compile.js';
import { dialectFor } from '../dialects/index.js';
import { ConfigError, UsageError } from '../errors.js';
import { closest } from '../config/suggest.js';
import { checkCanDryRun, dryRunMonitor } from '../runner/dry-run.js';
import { notRun, RefusedByColumnCheck, runMonitors, threadCount, writeSteps, type MonitorResult } from '../runner/run.js';
import { seedFiles, withSeedSettings } from '../config/seed-files.js';
import { hindsightsOwnTables, loadSeed, readSeeds } from '../runner/seed.js';
import { CompiledFiles } from './compiled-files.js';
import { dotted, line } from './output.js';
import { parseAsOf } from './as-of.js';
import { removeRunResults, writeRunResults } from './run-results.js';
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

/**
 * Every monitor file is checked (as by any command); the selected monitors (all by default) are
 * also rendered, which proves the templates accept them.
 */
export function validate(options: CommonOptions): { project: Project; target?: Target; monitors: Monitor[] } {
  const { project, target } = loadProjectAndTarget(options.projectDir, { ...options, seeds: true });
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
      const steps = compileMonitor({ monitor, schema: project.config.schema, dialect, run: compileContext(monitorAsOf(monitor, asOf)) });
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

export async function seed(options: CommonOptions, adapter?: Adapter, signal?: AbortSignal): Promise<number> {
  const { project, target } = loadProjectAndTarget(options.projectDir, { ...options, seeds: true });
  const files = withSeedSettings(project, selectSeeds(seedFiles(project), { ...options, projectDir: project.dir }));
  // A seed-paths directory that does not exist loads nothing: say so, but not as an error, and not
  // of the default seeds/, which projects of earlier `hindsight init`s name without having it.
  for (const seedPath of project.config['seed-paths']) {
    if (seedPath === 'seeds' || existsSync(resolve(project.dir, seedPath))) continue;
    const suggestion = closest(seedPath, subdirectories(project.dir));
    line(`Note: seed-paths: directory "${seedPath}" does not exist in the project directory${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`);
  }
  // Every file is read and checked before any is loaded: a bad one stops the command with nothing loaded.
  const seeds = readSeeds(files, hindsightsOwnTables(project.config.schema, files));
  const go = async (a: Adapter) => {
    line(`Loading ${files.length} seed file(s) into target ${target.name} (${target.output.type})`);
    for (const [i, seed] of seeds.entries()) {
      const t = performance.now();
      let result;
      try {
        result = await loadSeed(a, seed, signal);
      } catch (e) {
        const loaded = i === 0 ? '' : `; the ${i} seed(s) before it are loaded`;
        throw new Error(`seed ${seed.file.schema}.${seed.file.table} (${seed.file.name ?? seed.file.path}) failed, and its table is as it was${loaded}:\n  ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
      line(dotted(`  ${i + 1} of ${files.length} seed ${result.table}`, `${result.rows} rows in ${((performance.now() - t) / 1000).toFixed(2)}s`));
    }
  };
  if (adapter) await go(adapter);
  else await withConnection(target, go);
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
  throw new UsageError(`--threads expects a whole number of 1 or more, got ${Number.isNaN(threads) ? 'a value that is not a number' : threads}`);
}

/**
 * What `run` does on SIGINT or SIGTERM: the first aborts `interrupted` (the run stops cleanly); a
 * later one quits at once, unless it comes within a second of the first, which it is taken for.
 * `stopping` says what stops when it is not the run (build's seeds: the seed being loaded rolls back).
 */
export function signalHandler(
  interrupted: AbortController,
  quit: (code: number) => void = process.exit,
  now: () => number = () => performance.now(),
  stopping: () => string | undefined = () => undefined,
) {
  let first = 0;
  return (name: NodeJS.Signals) => {
    if (interrupted.signal.aborted) {
      if (now() - first >= 1000) quit(130);
      return;
    }
    first = now();
    line(`${name}: stopping; ${stopping() ?? 'the running monitors roll back, a commit under way finishes'} (${name} again quits at once, leaving their staged tables to their next run)`);
    interrupted.abort(new Error(`interrupted by ${name}`));
  };
}

/**
 * `interrupted`: build's, whose handler of SIGINT and SIGTERM it installs for the whole command (the
 * seeds, and the connection's close after the run); without it, run installs one of its own.
 */
export async function run(
  options: CommonOptions & { asOf?: string; fullRefresh?: boolean; dryRun?: boolean; threads?: number },
  adapter?: Adapter,
  interrupted?: AbortController,
): Promise<number> {
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
  // as it was, and the run's results are still written. A second one quits at once, but not one
  // within a second of the first: coreutils' `timeout`, which bounds cron jobs, signals the process
  // and then its process group, and the run quit with no results and its staged tables left.
  const ownHandler = !interrupted;
  interrupted ??= new AbortController();
  const onSignal = signalHandler(interrupted);
  if (ownHandler) process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const go = (a: Adapter) =>
    runMonitors({
      project, target, adapter: a, monitors, asOf, fullRefresh: options.fullRefresh ?? false, threads, signal: interrupted.signal,
      onStep: (m, s) =>
        line(dotted(`  ${m.name} ${s.name}`, s.cancelled
          ? `cancelled by a concurrent update (attempt ${s.cancelled.attempt} of ${s.cancelled.attempts}), rolled back; again in ${s.cancelled.pauseSeconds.toFixed(1)}s`
          : `${s.rows} rows in ${s.seconds.toFixed(2)}s`)),
    });
  let results: MonitorResult[];
  try {
    results = adapter ? await go(adapter) : await withConnection(target, go);
  } catch (error) {
    // The run stopped before its monitors (no connection, the file in use, setup refused, the column
    // check): a scheduler that reads run_results.json still finds every monitor, failed or not run,
    // saying why. (The column check's refusal is a configuration error all the same: exit code 2.)
    if (error instanceof RefusedByColumnCheck) writeRunResults(project, target, asOf, threads, error.results, (performance.now() - started) / 1000);
    if (error instanceof ConfigError) throw error;
    const why = error instanceof Error ? error.message : String(error);
    writeRunResults(project, target, asOf, threads, monitors.map((m) => notRun(m, why)), (performance.now() - started) / 1000);
    throw error;
  } finally {
    if (ownHandler) process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
  for (const r of results) {
    const mode = r.mode === 'incremental' ? `incremental from ${r.recomputeFrom?.toISOString()}` : r.mode ? `full refresh${r.reason ? ` (${r.reason})` : ''}` : 'not planned';
    // (a monitor with a load_delay reads its data as of an earlier time than the run's)
    const dataAsOf = r.asOf && r.asOf.getTime() !== asOf.getTime() ? `, data as of ${r.asOf.toISOString()} (load_delay)` : '';
    if (r.status === 'success') line(`${r.monitor}: OK, ${mode}${dataAsOf}, ${r.rowsWritten} rows written in ${r.seconds.toFixed(2)}s`);
    else if (r.status === 'skipped') line(`${r.monitor}: SKIP, ${r.error?.message}`);
    else line(`${r.monitor}: ERROR, ${mode}${dataAsOf}\n${r.error?.message}${options.debug ? `\n${stackOf(r.error)}` : ''}`);
  }
  writeRunResults(project, target, asOf, threads, results, (performance.now() - started) / 1000);
  const count = (status: MonitorResult['status']) => results.filter((r) => r.status === status).length;
  const failed = count('error');
  const skipped = count('skipped') ? `, ${count('skipped')} skipped` : '';
  line(`Finished: ${count('success')} succeeded, ${failed} failed${skipped} in ${((performance.now() - started) / 1000).toFixed(2)}s`);
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
      for (const step of await dryRunMonitor(a, monitor, project.config.schema, monitorAsOf(monitor, asOf))) {
        line(dotted(`  ${monitor.name} ${step.name}`, formatBytes(step.bytesProcessed)));
      }
    }
  };
  if (adapter) await go(adapter);
  else await withConnection(target, go);
  line('Nothing was run. A step\'s figure includes what the steps it builds on read.');
  return 0;
}

/**
 * `build`: every seed, then the run (--select and --exclude pick monitors), on one connection: an
 * in-memory DuckDB (`path: ':memory:'`, the default) is a database of its own per connection, so the
 * run, on a connection of its own, found none of the tables the seeds had loaded. Before any seed is
 * loaded, the configuration (seeds: included), --threads, --as-of and --select are checked, so that a
 * typo does not reload every seed and then stop.
 */
export async function build(options: CommonOptions & { asOf?: string; fullRefresh?: boolean; threads?: number }): Promise<number> {
  removeRunResults(options.projectDir);
  const threadsArg = threadsOption(options.threads);
  const asOf = parseAsOf(options.asOf);
  const { project, target } = loadProjectAndTarget(options.projectDir, { ...options, seeds: true });
  const monitors = selectMonitors(project, options);
  // Ctrl-C or SIGTERM, from the first seed to the connection's close: the seed being loaded rolls
  // back and the run does not start, or the run stops as `run` does. Without this the seeds were
  // killed at the first signal, with no run_results.json, and a second signal (coreutils' `timeout`
  // signals the process and then its group) killed a stopped run while its connection closed.
  let seeding = true;
  const interrupted = new AbortController();
  const onSignal = signalHandler(interrupted, undefined, undefined, () => (seeding ? 'the seed being loaded rolls back, and no monitor runs' : undefined));
  process.on('SIGINT', onSignal).on('SIGTERM', onSignal);
  const started = performance.now();
  // (as `run` does when it fails before its monitors: a scheduler reading run_results.json finds every monitor, not run, and why)
  let reported = false;
  const notRunResults = (why: string) => {
    reported = true;
    writeRunResults(project, target, asOf, threadCount(threadsArg, target, monitors.length), monitors.map((m) => notRun(m, why)), (performance.now() - started) / 1000);
  };
  try {
    return await withConnection(target, async (adapter) => {
      try {
        await seed({ ...options, select: undefined, exclude: undefined }, adapter, interrupted.signal);
      } catch (error) {
        if (error instanceof ConfigError) throw error;
        const why = error instanceof Error ? error.message : String(error);
        if (!interrupted.signal.aborted) {
          notRunResults(`a seed failed (${why.split('\n')[0]})`);
          throw error;
        }
        line(why);
        notRunResults(`${interrupted.signal.reason instanceof Error ? interrupted.signal.reason.message : 'interrupted'}, while the seeds loaded`);
        return 130;
      }
      seeding = false;
      return run(options, adapter, interrupted);
    });
  } catch (error) {
    // (no connection: nothing was loaded or run)
    if (seeding && !reported && !(error instanceof ConfigError)) notRunResults(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
