// `hindsight run`: for each monitor, decide full refresh or incremental, render its steps, execute
// them in one transaction and log the run. A failure rolls everything back and is logged. With
// `threads`, several monitors run at once, each in a session of its own.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { openSession } from '../adapters/connect.js';
import type { Adapter } from '../adapters/index.js';
import type { Project, Target } from '../config/load.js';
import { closedBefore, configChanges, monitorAsOf, monitorConfigJson, sameConfiguration, type Monitor } from '../config/monitor.js';
import { compileMonitor, compileSetup, fullRefreshEvaluations, monitorTable, permanentTables, planIncrementalRange, sqlHash, type RunContext, type Step } from '../compiler/compile.js';
import type { IncrementalRange } from '../compiler/incremental-range.js';
import { ConfigError, WarehouseError, warehouseSaid, type ConfigIssue } from '../errors.js';
import { checkColumns } from './columns.js';
import { monitorTableName, projectTable } from '../compiler/names.js';
import { createPermanentTables, differingTables, dropLeftStagedTables, restoreSetAside, StoredColumnsDiffer, type SetAside } from './stored-tables.js';
import { locateInFile, stepFileText } from './step-file.js';
import { addMissingRunColumns, insertRunRecord, previousRun, previousSeconds, startOrder, type PreviousRun, type RunRecord } from './run-log.js';

export interface StepResult {
  name: string;
  rows: number;
  seconds: number;
  /**
   * The write transaction this attempt ran was cancelled by the warehouse for a concurrent update of
   * a table it writes (Adapter.isConcurrentUpdate), and is run again after a pause: what the warehouse
   * said, which attempt of how many, and the pause. Such a step's `rows` are 0: it was rolled back.
   */
  cancelled?: { error: string; attempt: number; attempts: number; pauseSeconds: number };
}

export interface MonitorResult {
  monitor: string;
  /** `skipped`: the monitor did not start (an interrupted run, another monitor's configuration error, no connection); dbt's word. */
  status: 'success' | 'error' | 'skipped';
  /** Undefined for a monitor that failed before its plan, or did not start (an interrupted run). */
  mode?: 'full_refresh' | 'incremental';
  /** Why the run was a full refresh when incremental was allowed. */
  reason?: string;
  runId: string;
  steps: StepResult[];
  rowsWritten: number;
  seconds: number;
  sqlSha256: string;
  /** The as-of the monitor's data were read as of: the run's, less its `load_delay` (monitorAsOf). */
  asOf?: Date;
  /** Windows ending at or before this are final: the data as-of less `within` (none of a forecast's). */
  finalBefore?: Date;
  recomputeFrom?: Date;
  error?: Error;
}

export interface RunOptions {
  project: Project;
  target: Target;
  adapter: Adapter;
  monitors: Monitor[];
  asOf: Date;
  fullRefresh: boolean;
  /**
   * How many monitors run at once, each in a session of its own (dbt's threads); default the target's
   * `threads`, else 1. Results come back in the order of `monitors` whatever the order they finish in.
   */
  threads?: number;
  /** Per monitor, its time columns that are text (set by runMonitors from the column check: RunContext.textTimes). */
  textTimes?: ReadonlyMap<string, string[]>;
  /** Called with each finished step, for progress lines. */
  onStep?: (monitor: Monitor, step: StepResult) => void;
  /**
   * Aborted (Ctrl-C): the running statements are interrupted where the warehouse can, each running
   * monitor stops before its next statement and rolls back as on any failure (its staged tables
   * dropped, the failure logged), and monitors not started are not run. The reason is their error.
   * A monitor whose commit was sent is not interrupted: it commits, and is reported as it ended.
   */
  signal?: AbortSignal;
  /**
   * How often a write transaction that the warehouse cancelled for a concurrent update runs at most,
   * and the pause before its second attempt, doubled before each next one (with jitter): by default
   * 5 attempts, after about 1, 2, 4 and 8 s (writeTransaction).
   */
  concurrentUpdateRetries?: { attempts: number; firstPauseMs: number };
}

const seconds = (since: number) => (performance.now() - since) / 1000;

/** How many monitors run at once: asked for (--threads), else the target's `threads`, else 1; never more than there are. */
export function threadCount(requested: number | undefined, target: Target, monitors: number): number {
  return Math.max(1, Math.min(requested ?? target.output.threads ?? 1, monitors));
}

export async function runMonitors(options: RunOptions): Promise<MonitorResult[]> {
  const { project, adapter, monitors, signal } = options;
  const schema = project.config.schema;
  const threads = threadCount(options.threads, options.target, monitors.length);
  const sessions = [adapter];
  const shared: Shared = { writes: new Lock(), committing: new Set() };
  // (a session committing is let finish: see Shared.committing)
  const interrupt = () => {
    for (const session of sessions) if (!shared.committing.has(session)) session.interrupt?.().catch(() => undefined);
  };
  signal?.addEventListener('abort', interrupt);
  const results: MonitorResult[] = new Array(monitors.length);
  try {
    const setupContext: RunContext = { asOf: options.asOf, runId: 'setup', computedAt: options.asOf };
    const setup = compileSetup({ monitor: monitors[0]!, schema, dialect: adapter.dialect, run: setupContext });
    for (const statement of setup.statements) {
      signal?.throwIfAborted();
      await executeSetup(adapter, statement);
    }
    await addMissingRunColumns(adapter, runsTable(adapter, options));
    while (sessions.length < threads) {
      const session = await openSession(options.target, adapter);
      if (!session) break;
      sessions.push(session);
    }
    // Every monitor's columns are checked before any monitor runs: a configuration error stops the
    // run with nothing written but its log, whatever the number of threads, and lists every monitor's
    // problems.
    const issues: ConfigIssue[][] = [];
    const textTimes = new Map<string, string[]>();
    await inTurn(sessions, monitors.length, async (session, i) => {
      session.setContext?.({ monitor: monitors[i]!.name });
      await checkColumns(session, monitors[i]!, monitorAsOf(monitors[i]!, options.asOf)).then((text) => textTimes.set(monitors[i]!.name, text), (error: unknown) => {
        if (!(error instanceof ConfigError)) throw error;
        issues[i] = error.issues;
      });
    }, signal);
    // (an interrupted check's "cannot read" is the interrupt's, not a configuration error)
    signal?.throwIfAborted();
    if (issues.length) throw await refusedByColumnCheck(monitors, issues, options);
    adapter.setContext?.({});
    const order = sessions.length > 1 ? startOrder(monitors, await previousSeconds(adapter, runsTable(adapter, options), monitors)) : monitors.map((_, i) => i);
    await inTurn(sessions, monitors.length, async (session, k) => {
      const i = order[k]!;
      results[i] = await runMonitor(monitors[i]!, { ...options, adapter: session, textTimes }, shared);
    }, signal);
  } catch (error) {
    // interrupted before the monitors ran (setup, the column checks, the order): none ran
    if (!signal?.aborted) throw error;
  } finally {
    signal?.removeEventListener('abort', interrupt);
    for (const session of sessions.slice(1)) await session.close().catch(() => undefined);
  }
  // monitors an interrupted run did not start
  for (const [i, monitor] of monitors.entries()) {
    results[i] ??= notRun(monitor, abortReason(signal));
  }
  return results;
}

/**
 * A statement of setup.sql, run once more when it failed because another session created the same
 * object at the same moment. Two processes that start together on an empty schema (two cron jobs of
 * other monitors) both find the schema or a table missing and both create it, and the second can fail
 * (Adapter.createdMeanwhile: on Postgres `if not exists` does not help then). Each setup statement
 * creates only what is missing, so run again it finds the object made and does nothing.
 */
async function executeSetup(adapter: Adapter, statement: string): Promise<void> {
  try {
    await adapter.execute(statement);
  } catch (error) {
    const said = error instanceof Error ? error.message : String(error);
    if (!(adapter.createdMeanwhile?.(error) ?? /already exists/i.test(said))) throw error;
    await adapter.execute(statement);
  }
}

/**
 * task(session, i) for i from 0 to count - 1, each session taking the next i when it is free. A
 * task that throws (a monitor's failure in the warehouse is its result, not an exception) stops the
 * handing out; the running tasks finish, and the exception of the lowest i is thrown.
 */
async function inTurn(sessions: Adapter[], count: number, task: (session: Adapter, i: number) => Promise<void>, signal?: AbortSignal): Promise<void> {
  let next = 0;
  const thrown: { i: number; error: unknown }[] = [];
  await Promise.all(
    sessions.map(async (session) => {
      while (thrown.length === 0 && next < count && !signal?.aborted) {
        const i = next++;
        await task(session, i).catch((error: unknown) => thrown.push({ i, error }));
      }
    }),
  );
  if (thrown.length) throw thrown.reduce((a, b) => (b.i < a.i ? b : a)).error;
}

/** What an aborted signal's reason says. */
const abortReason = (signal: AbortSignal | undefined) => (signal?.reason instanceof Error ? signal.reason.message : String(signal?.reason ?? 'interrupted'));

/** A failure during an interrupted run: a statement the interrupt stopped fails with the warehouse's words, so the reason comes first. */
function interrupted(signal: AbortSignal | undefined, error: unknown): unknown {
  if (!signal?.aborted || error === signal.reason) return error;
  return new Error(`${abortReason(signal)}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

const runsTable = (adapter: Adapter, options: RunOptions) => projectTable(adapter.dialect, options.project.config.schema, 'hindsight_runs');

/** The insert of a run record of `monitor`: what every record of this run takes from it and the options, and `fields`. */
const runRecord = (monitor: Monitor, options: RunOptions, fields: Omit<RunRecord, 'monitor' | 'target' | 'finishedAt' | 'asOf' | 'configHash' | 'config'>) =>
  insertRunRecord(options.adapter, runsTable(options.adapter, options), {
    ...fields, monitor: monitor.name, target: options.target.name, finishedAt: new Date(), asOf: options.asOf,
    configHash: monitor.configHash, config: monitorConfigJson(monitor),
  });

/** What the monitors of one run share. */
interface Shared {
  /** Held from a monitor's `begin` to its commit or rollback (runPlanned). */
  writes: Lock;
  /**
   * The sessions whose monitor has sent its commit, until its outcome is known: an interrupt passes
   * them by, and the commit, one short statement, finishes. DuckDB's commit, interrupted, failed with
   * "Interrupted!" having committed, and the run was reported failed, its success and error records
   * side by side.
   */
  committing: Set<Adapter>;
}

/** One holder at a time, in the order they asked. */
class Lock {
  private tail: Promise<void> = Promise.resolve();
  /** Resolves, once the lock is this caller's, to the function that releases it. */
  acquire(): Promise<() => void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    return previous.then(() => release);
  }
}

/**
 * Before an incremental run commits, inside its transaction and after its writes (which on Snowflake
 * wait for another transaction's table locks): the last successful run is still the one it planned
 * from. Another run of the monitor that committed meanwhile (an overlapping cron job on a warehouse
 * without session locks: BigQuery, Snowflake) added the same late outcomes to the same windows; this
 * run is rolled back rather than count them twice.
 */
async function stillPlannedFrom(adapter: Adapter, runs: string, monitor: Monitor, planned: PreviousRun): Promise<void> {
  const latest = await previousRun(adapter, runs, monitor);
  if (latest?.runId === planned.runId) return;
  throw new Error(
    `another run of monitor ${monitor.name} committed while this one ran (run ${latest?.runId ?? '?'}, as of ${latest?.asOf.toISOString() ?? '?'}): ` +
      'this run planned from the state before it, and was rolled back; run it again',
  );
}

/** The result of a monitor that did not start, and why (an interrupt; a run that failed before it). */
export const notRun = (monitor: Monitor, why: string): MonitorResult => ({
  monitor: monitor.name, status: 'skipped', runId: '', steps: [], rowsWritten: 0, seconds: 0, sqlSha256: '', error: new Error(`not run: ${why}`),
});

/** The mode a run that planned none is logged with: the one asked for. */
const modeAsked = (options: RunOptions) => (options.fullRefresh ? 'full_refresh' : 'incremental');

/**
 * Logs in hindsight_runs a monitor's run that failed before its first step, as any failed run is
 * (best effort: a lost connection cannot log it), so that an alert on its failures sees it too. No
 * SQL ran, so its `sql_sha256` is empty.
 */
const logFailedBeforeSteps = (monitor: Monitor, options: RunOptions, run: { id: string; startedAt: Date }, error: Error) =>
  options.adapter.execute(runRecord(monitor, options, { runId: run.id, startedAt: run.startedAt, status: 'error', error: error.message, rowsWritten: 0, sqlSha256: '', mode: modeAsked(options) })).catch(() => undefined);

/**
 * The result of a monitor that failed before its first step (`plan`: there is no step file to name):
 * another run's lock refused it, or its plan failed; logged as logFailedBeforeSteps says.
 */
async function failedBeforeSteps(monitor: Monitor, options: RunOptions, shared: Shared, run: { id: string; started: number; startedAt: Date }, error: unknown): Promise<MonitorResult> {
  const result: MonitorResult = {
    monitor: monitor.name, status: 'error', runId: run.id, steps: [], asOf: options.asOf,
    rowsWritten: 0, seconds: 0, sqlSha256: '', error: new WarehouseError(monitor.name, 'plan', undefined, interrupted(options.signal, error)),
  };
  const release = await shared.writes.acquire();
  try {
    await logFailedBeforeSteps(monitor, options, run, result.error!);
  } finally {
    release();
  }
  return { ...result, seconds: seconds(run.started) };
}

/**
 * A run the column check stopped: configuration errors (exit code 2), found in the warehouse, so
 * with each monitor's result for run_results.json, as a run that fails there before its monitors has.
 */
export class RefusedByColumnCheck extends ConfigError {
  constructor(issues: ConfigIssue[], readonly results: MonitorResult[]) {
    super(issues);
  }
}

/**
 * No monitor runs when one's configured columns are missing, but each refused monitor's failure is
 * logged in hindsight_runs: a column renamed upstream stops the nightly run, and an alert on the
 * log's errors must see it. The others are not run, saying why.
 */
async function refusedByColumnCheck(monitors: Monitor[], issues: ConfigIssue[][], runOptions: RunOptions): Promise<RefusedByColumnCheck> {
  const refused = issues.filter(Boolean).length;
  const results: MonitorResult[] = [];
  for (const [i, monitor] of monitors.entries()) {
    if (!issues[i]) {
      results.push(notRun(monitor, `the configured columns of ${refused} other monitor(s) are not in their sources`));
      continue;
    }
    const options = { ...runOptions, asOf: monitorAsOf(monitor, runOptions.asOf) };
    const run = { id: randomUUID(), startedAt: new Date() };
    const error = new ConfigError(issues[i]);
    // (the record's statement is tagged with its monitor, not the last one checked)
    options.adapter.setContext?.({ monitor: monitor.name });
    await logFailedBeforeSteps(monitor, options, run, error);
    results.push({ monitor: monitor.name, status: 'error', runId: run.id, steps: [], asOf: options.asOf, rowsWritten: 0, seconds: 0, sqlSha256: '', error });
  }
  return new RefusedByColumnCheck(issues.flat(), results);
}

/**
 * A monitor's run, holding the monitor's lock from its plan to its commit where the warehouse has
 * such locks (Dialect.sessionLock). Two runs of one monitor at once (an overlapping cron job, two CI
 * jobs) would both plan from the same stored state, and both add the late outcomes that came in
 * since to the earlier windows: counted twice, for good. The second run fails instead, having
 * written nothing; the next run takes up what it would have added.
 */
async function runMonitor(monitor: Monitor, runOptions: RunOptions, shared: Shared): Promise<MonitorResult> {
  // from here on, the run's as-of is the monitor's: what its SQL, its record and its plan use
  const options = { ...runOptions, asOf: monitorAsOf(monitor, runOptions.asOf) };
  const { adapter, project } = options;
  const lock = adapter.dialect.sessionLock(`hindsight:${project.config.schema}.${monitor.name}`);
  if (!lock) return runPlanned(monitor, options, shared);
  const run = { id: randomUUID(), started: performance.now(), startedAt: new Date() };
  let taken: boolean;
  try {
    taken = (await adapter.query(lock.take))[0]?.taken === true;
  } catch (e) {
    return failedBeforeSteps(monitor, options, shared, run, e);
  }
  if (!taken) {
    const holder = await adapter.query(lock.holder).then((rows) => rows[0]?.holder as string | undefined, () => undefined);
    const busy = new Error(`another hindsight run of monitor ${monitor.name} is in progress on this database (it holds the monitor's lock${holder ? `: ${holder}` : ''}); this run wrote no metrics: run it again once that one has finished`);
    return failedBeforeSteps(monitor, options, shared, run, busy);
  }
  try {
    return await runPlanned(monitor, options, shared);
  } finally {
    await adapter.query(lock.release).catch(() => undefined); // (a session that ended has released it)
  }
}

/**
 * `writes` is held from a monitor's `begin` to its commit or rollback, and while a failed run is
 * logged: the transactions of monitors run side by side all write the shared metric and run tables,
 * and BigQuery cancels a transaction that mutates a table another one is mutating. Only the write
 * step and the run record wait; the steps that build session tables, nearly all of a run, do not.
 * With `rebuildReason` the run is a full refresh, for that reason (StoredColumnsDiffer).
 */
async function runPlanned(monitor: Monitor, options: RunOptions, shared: Shared, rebuildReason?: string): Promise<MonitorResult> {
  const { project, adapter } = options;
  const { writes, committing } = shared;
  const schema = project.config.schema;
  const dialect = adapter.dialect;
  const runs = runsTable(adapter, options);
  const metricsTable = projectTable(dialect, schema, 'hindsight_metrics');
  const started = performance.now();
  const startedAt = new Date();
  const runId = randomUUID();
  adapter.setContext?.({ monitor: monitor.name });

  // Before any step: the plan's queries, and the compiled steps written to target/run/. A failure
  // here is this monitor's result too, so that the other monitors' results are still reported.
  let plan: Awaited<ReturnType<typeof planRun>>;
  let run: RunContext;
  let steps: Step[];
  const runDir = resolve(project.dir, project.config['target-path'], 'run', monitor.name);
  try {
    plan = rebuildReason ? { reason: rebuildReason } : await planRun(monitor, options);
    run = { asOf: options.asOf, runId, computedAt: startedAt, incremental: plan.range, textTimes: options.textTimes?.get(monitor.name) };
    steps = compileMonitor({ monitor, schema, dialect, run });
    writeSteps(runDir, steps);
  } catch (e) {
    return failedBeforeSteps(monitor, options, shared, { id: runId, started, startedAt }, e);
  }
  // (best effort: a role that may not drop them still runs)
  if (dialect.capabilities.transactionalDdl) await dropLeftStagedTables(adapter, schema, monitor.name).catch(() => undefined);
  const hash = sqlHash(steps);
  const mode = plan.range ? 'incremental' : 'full_refresh';
  const result: MonitorResult = {
    monitor: monitor.name,
    status: 'success',
    mode,
    reason: plan.reason,
    runId,
    steps: [],
    rowsWritten: 0,
    seconds: 0,
    sqlSha256: hash,
    asOf: options.asOf,
    recomputeFrom: plan.range?.windowsFrom,
  };
  // what a successful run records, and reports once it has committed (a forecast's windows are never
  // final: a late actual still counts; a failed run wrote no window)
  const finalBefore = monitor.forecast ? undefined : closedBefore(monitor, options.asOf);
  const record = (status: 'success' | 'error', error?: string) =>
    runRecord(monitor, options, {
      runId, startedAt, status, error, rowsWritten: result.rowsWritten, sqlSha256: hash, mode,
      recomputeFrom: plan.range?.windowsFrom, finalBefore: status === 'success' ? finalBefore : undefined,
    });

  // Session tables are built first, outside any transaction (Snowflake commits an open transaction
  // on DDL); only the write step and the run record are inside it, so a failure anywhere leaves
  // every permanent table as it was.
  let current: Step | undefined;
  // the statement of current's being executed (not a probe or a count around it), for the place of its error
  let executing: number | undefined;
  let inTransaction = false;
  let commitSent = false;
  let release: (() => void) | undefined;
  let rebuild: StoredColumnsDiffer | undefined;
  // stored tables of other columns that this run replaces where DDL is not transactional (createPermanentTables)
  const setAside: SetAside[] = [];
  const matching = new Set<string>();
  // Each session table is dropped once: after the last step that reads it, or at the end of the run
  // (on BigQuery every drop is a job of its own, a round trip of a second or so).
  const dropped = new Set<string>();
  const dropSessionTable = async (relation: string) => {
    await adapter.execute(`drop table if exists ${relation}`);
    dropped.add(relation);
  };
  const dropSessionTables = async () => {
    for (const step of steps) if (step.relation && !dropped.has(step.relation)) await dropSessionTable(step.relation).catch(() => undefined);
  };
  // A step's statements, its rows counted, its progress reported.
  const executeStep = async (step: Step): Promise<StepResult> => {
    const t = performance.now();
    let rows = 0;
    let created: number | undefined;
    for (const [index, statement] of step.statements.entries()) {
      options.signal?.throwIfAborted();
      executing = index;
      const changed = await adapter.execute(statement);
      executing = undefined;
      // rows written = metric rows inserted or changed (late outcomes added to stored windows), whether
      // the warehouse rebuilt the evaluations with CTAS or not: the rows that carry the run's run_id
      if (/^\s*(insert|update)\b/i.test(statement) && statement.includes(metricsTable)) rows += changed;
      if (step.relation && /^\s*create\b/i.test(statement) && statement.includes(step.relation)) created = changed;
    }
    // A step's rows are its table's: as `create table … as` reported them where the warehouse does
    // (a query fewer per step, and on Postgres a scan of the table fewer), else counted.
    if (step.relation) {
      rows = adapter.reportsCreatedRows && created !== undefined ? created : Number((await adapter.query(`select count(*) as n from ${step.relation}`))[0]?.n ?? 0);
    }
    // session tables no later step reads (compileMonitor): their memory goes to the next steps
    for (const relation of step.dropAfter ?? []) await dropSessionTable(relation);
    return report({ name: step.name, rows, seconds: seconds(t) });
  };
  const report = (done: StepResult) => {
    result.steps.push(done);
    options.onStep?.(monitor, done);
    return done;
  };
  // The write step (the last) and the run record, in one transaction. A warehouse that cancels one of
  // two transactions writing the same table (BigQuery) may cancel it: writeTransaction runs it again.
  const transaction = async () => {
    current = steps.at(-1)!;
    adapter.setContext?.({ monitor: monitor.name, step: current.name });
    release ??= await writes.acquire();
    await adapter.execute('begin');
    inTransaction = true;
    result.rowsWritten = (await executeStep(current)).rows;
    current = undefined;
    adapter.setContext?.({ monitor: monitor.name });
    options.signal?.throwIfAborted(); // (interrupted after its write: rolled back, not committed)
    if (plan.previous) await stillPlannedFrom(adapter, runs, monitor, plan.previous);
    await adapter.execute(record('success'));
    // Interrupted until here, the run rolls back; from its commit on, it is let finish (Shared.committing).
    options.signal?.throwIfAborted();
    committing.add(adapter);
    commitSent = true;
    await adapter.execute('commit');
    inTransaction = false;
  };
  // A cancelled transaction rolled back, before it runs again; true if its commit went through after all.
  const rollBack = async (): Promise<boolean> => {
    if (inTransaction) await adapter.execute('rollback').catch(() => undefined);
    inTransaction = false;
    committing.delete(adapter);
    if (commitSent && (await committed(adapter, runs, runId))) return true;
    commitSent = false;
    // Until the next attempt, a failure (an interrupt during the pause, the last attempt's error) is
    // the write step's, at none of its statements: not "committing", where the attempt was cancelled
    // at its commit, and not at the statement an earlier attempt was cancelled at.
    current = steps.at(-1);
    executing = undefined;
    // (the other monitors of this process write meanwhile)
    release?.();
    release = undefined;
    return false;
  };
  try {
    for (const step of steps) {
      current = step;
      adapter.setContext?.({ monitor: monitor.name, step: step.name });
      // The evaluations step of an incremental run reads the stored first days of a recomputed week
      // as they are: the stored table must have the columns a full refresh writes, checked first.
      // The steps before it read stored evaluations by name (the key, predicted_at, model_version; a
      // request's match columns and anchor item): a template change that makes one of them read a
      // column a stored table may lack needs this check before that step.
      if (plan.range && step.name === 'evaluations') {
        const [stored] = permanentTables({ monitor, schema, dialect }, steps);
        const differing = await differingTables(adapter, [{ ...stored!, select: fullRefreshEvaluations({ monitor, schema, dialect, run }) }], true);
        if (differing.length) throw new StoredColumnsDiffer(differing);
        matching.add(stored!.relation);
      }
      if (step.kind === 'statements') {
        // (each probe of columns is a dry-run job on BigQuery: a table found matching is not probed again)
        const tables = permanentTables({ monitor, schema, dialect }, steps).filter((t) => !matching.has(t.relation));
        const differing = plan.range || !dialect.capabilities.transactionalDdl ? await differingTables(adapter, tables, !!plan.range) : [];
        if (plan.range && differing.length) throw new StoredColumnsDiffer(differing);
        if (!dialect.capabilities.transactionalDdl) await createPermanentTables(adapter, differing, { schema, monitor: monitor.name, runId }, setAside);
        break; // (the write step is the last: compileMonitor)
      }
      await executeStep(step);
    }
    await writeTransaction(adapter, options, transaction, rollBack, (error, attempt, attempts, pauseMs, took) => {
      // A write step this attempt finished before it was cancelled (at its run record or commit) was
      // rolled back: the cancelled attempt's entry stands for it in the results, whose write rows then
      // add up to the rows written (its progress line was printed, and the next one says what came of it).
      const last = result.steps.at(-1);
      if (last?.name === 'write' && !last.cancelled) result.steps.pop();
      report({ name: 'write', rows: 0, seconds: took, cancelled: { error: warehouseSaid(error), attempt, attempts, pauseSeconds: pauseMs / 1000 } });
    });
    result.finalBefore = finalBefore;
  } catch (e) {
    if (e instanceof StoredColumnsDiffer) rebuild = e;
    else {
      release ??= await writes.acquire();
      if (inTransaction) await adapter.execute('rollback').catch(() => undefined);
      // A commit that failed may have committed all the same (the client's error came after the
      // warehouse's commit): its success record, read once any open transaction is rolled back, says
      // whether it did. Such a run is this run's success, and gets no error record beside it.
      if (commitSent && (await committed(adapter, runs, runId))) result.finalBefore = finalBefore;
      else {
        // (after the rollback: on Snowflake DDL commits an open transaction)
        const restored = await restoreSetAside(adapter, schema, monitor.name, setAside).then(
          () => undefined,
          (r: unknown) => `; putting back the tables it set aside failed too (${setAside.map((t) => `${t.aside} holds the rows of ${t.table.relation}`).join(', ')}): ${r instanceof Error ? r.message : String(r)}`,
        );
        const path = relative(process.cwd(), join(runDir, `${current?.name ?? 'write'}.sql`));
        result.status = 'error';
        result.rowsWritten = 0; // (rolled back, as the rows of a failed commit are)
        const position = current && executing !== undefined ? adapter.errorPosition?.(e) : undefined;
        const location = position ? locateInFile(stepFileText(current!), current!.statements, executing!, position) : undefined;
        const cause = interrupted(options.signal, e);
        result.error = new WarehouseError(monitor.name, current?.name ?? 'commit', path, restored ? new Error(`${cause instanceof Error ? cause.message : String(cause)}${restored}`, { cause }) : cause, location);
        await adapter.execute(record('error', result.error.message)).catch(() => undefined);
      }
    }
  } finally {
    committing.delete(adapter);
    release?.();
  }
  await dropSessionTables();
  // (committed: the stored tables it replaced are no longer needed; best effort)
  if (result.status === 'success') for (const { aside } of setAside) await adapter.execute(`drop table if exists ${aside}`).catch(() => undefined);
  if (rebuild) {
    // nothing was written: the monitor runs again, in full, and its time includes this attempt's
    const rebuilt = await runPlanned(monitor, { ...options, fullRefresh: true }, shared, rebuild.message);
    return { ...rebuilt, seconds: seconds(started) };
  }
  result.seconds = seconds(started);
  return result;
}

/**
 * Runs `transaction` (a monitor's write transaction: begin, the write step, the run record, commit)
 * and, where the warehouse cancels one of two transactions that mutate the same table (BigQuery:
 * Adapter.isConcurrentUpdate), runs it again when it was so cancelled, at any of its statements: the
 * write transactions of another `hindsight run` process (another cron job's monitors) mutate the
 * same hindsight_metrics, and the turns of Shared.writes are taken within one process only. Before
 * each new attempt `rollBack` ends the cancelled one, and says whether its commit went through all
 * the same (it is then this run's success), and the pause grows (1 s, 2 s, 4 s … by default, with
 * jitter, so that two cancelled processes do not meet again). An interrupt stops the retries; after
 * the last attempt, the error says how many were cancelled. `onCancelled` reports each retry.
 */
async function writeTransaction(
  adapter: Adapter,
  options: RunOptions,
  transaction: () => Promise<void>,
  rollBack: () => Promise<boolean>,
  onCancelled: (error: unknown, attempt: number, attempts: number, pauseMs: number, seconds: number) => void,
): Promise<void> {
  const { attempts, firstPauseMs } = options.concurrentUpdateRetries ?? { attempts: 5, firstPauseMs: 1000 };
  for (let attempt = 1; ; attempt++) {
    const started = performance.now();
    try {
      return await transaction();
    } catch (error) {
      if (!adapter.isConcurrentUpdate?.(error) || options.signal?.aborted) throw error;
      if (await rollBack()) return;
      if (attempt >= attempts) {
        throw new Error(
          `cancelled ${attempt} times by concurrent updates of the tables it writes (another transaction, such as another hindsight process's, was changing them); ` +
            `rolled back. The warehouse said: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error },
        );
      }
      const pauseMs = Math.round(firstPauseMs * 2 ** (attempt - 1) * (0.75 + Math.random() / 2));
      onCancelled(error, attempt, attempts, pauseMs, seconds(started));
      await pause(pauseMs, options.signal);
    }
  }
}

/** Waits `ms`, or until `signal` aborts, then failing with its reason. */
function pause(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const stop = () => {
      clearTimeout(timer);
      reject(signal!.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', stop);
      resolve();
    }, ms);
    signal?.addEventListener('abort', stop, { once: true });
  });
}

/** Whether the run's success record is in `runs`: its commit went through. False when it cannot be read. */
async function committed(adapter: Adapter, runs: string, runId: string): Promise<boolean> {
  const rows = await adapter
    .query(`select count(*) as n from ${runs} where run_id = ${adapter.dialect.string(runId)} and status = 'success'`)
    .catch(() => [{ n: 0 }]);
  return Number(rows[0]?.n ?? 0) > 0;
}

export function writeSteps(dir: string, steps: Step[]): void {
  mkdirSync(dir, { recursive: true });
  for (const step of steps) writeFileSync(join(dir, `${step.name}.sql`), stepFileText(step));
}

/**
 * Why the monitor's stored rows cannot be added to, if they cannot. `hindsight_metrics` has none of
 * its rows, though one of its successful runs wrote some: the table dropped (setup makes it again,
 * empty) or the monitor's rows deleted, an incremental run would write back its recent windows alone,
 * and the earlier ones would be gone for good; as a missing evaluations table does, this makes the
 * run a full refresh. Likewise an evaluations table with no row, though the metrics count
 * predictions: an incremental run would add to it the recomputed days alone, and every later run
 * would compute the weeks and months it recomputes from those days. Emptied by hand, or, where DDL
 * is not transactional, by a full refresh whose process was killed after it set the stored table
 * aside (createPermanentTables) and before its commit. One row is looked for in each table, in one
 * query (by the monitor in the metrics: Postgres's index, BigQuery's clustering lead with it); the
 * rest is read only when one is missing.
 */
async function storedRowsLost(
  query: (sql: string) => Promise<Record<string, unknown>[]>,
  tables: { metrics: string; runs: string; evaluations: string },
  monitor: Monitor,
  d: Adapter['dialect'],
): Promise<string | undefined> {
  const name = d.string(monitor.name);
  const [found] = await query(`select (select 1 from ${tables.metrics} where monitor = ${name} limit 1) as metrics, (select 1 from ${tables.evaluations} limit 1) as evaluations`);
  if (found?.metrics == null) {
    if (!(await query(`select 1 as found from ${tables.runs} where monitor = ${name} and status = 'success' and rows_written > 0 limit 1`)).length) return undefined;
    return 'hindsight_metrics has no rows of this monitor: dropped or emptied since the last run';
  }
  if (found.evaluations != null) return undefined;
  if (!(await query(`select 1 as found from ${tables.metrics} where monitor = ${name} and metric = 'prediction_events' and value > 0 limit 1`)).length) return undefined;
  const killed = d.capabilities.transactionalDdl
    ? ''
    : ` (a full refresh killed after it set the stored table aside leaves it so: its rows are in hs_${monitor.name}__evaluations_<8 hex digits> beside it; drop that table once this run has succeeded)`;
  return `${monitorTableName(monitor.name, 'evaluations')} has no rows, though hindsight_metrics counts predictions of this monitor: emptied since the last run${killed}`;
}

/**
 * Full refresh or incremental, and for incremental the range to recompute: every window from the
 * earliest prediction that data newer than the previous run can have changed (docs/semantics.md §7).
 */
async function planRun(monitor: Monitor, options: RunOptions): Promise<{ range?: IncrementalRange; reason?: string; previous?: PreviousRun }> {
  if (options.fullRefresh) return { reason: '--full-refresh' };
  const { adapter, project } = options;
  const d = adapter.dialect;
  const schema = project.config.schema;
  const previous = await previousRun(adapter, runsTable(adapter, options), monitor);
  if (!previous) return { reason: 'first run' };
  // (the hash holds RESULTS_VERSIONS: an upgrade that computes other rows rebuilds too)
  if (!sameConfiguration(previous, monitor)) {
    return { reason: configChanges(previous.config, monitor) ?? 'configuration changed, or hindsight computes it differently since the last run' };
  }
  if (previous.asOf.getTime() >= options.asOf.getTime()) return { reason: 'as-of is not after the previous run' };
  const plan = {
    monitor, schema, dialect: d,
    run: { asOf: options.asOf, runId: 'plan', computedAt: options.asOf, previousAsOf: previous.asOf, textTimes: options.textTimes?.get(monitor.name) },
  };
  // A planning query that fails means a table the run starts from is gone or unreadable (dropped, or
  // a key column whose type changed in the source since): rebuild from scratch, and say what the
  // warehouse said, which names the table. Anything else (a template error, say) is a bug to report,
  // not a reason to rebuild.
  let queryFailed = false;
  const query = async (sql: string) => {
    try {
      return await adapter.query(sql);
    } catch (error) {
      queryFailed = true;
      throw error;
    }
  };
  try {
    // (the metrics are rebuilt only from a full refresh: an incremental run replaces its recent windows)
    const tables = { metrics: projectTable(d, schema, 'hindsight_metrics'), runs: runsTable(adapter, options), evaluations: monitorTable(plan, 'evaluations') };
    const lost = await storedRowsLost(query, tables, monitor, d);
    if (lost) return { reason: lost };
    return { range: await planIncrementalRange(plan, query), previous };
  } catch (error) {
    // (a query an interrupt cancelled says nothing about the stored tables)
    if (!queryFailed || options.signal?.aborted) throw error;
    // (Snowflake's message starts "SQL compilation error:" and names the table on its next line)
    return { reason: `cannot start from the stored tables (the warehouse said: ${warehouseSaid(error)})` };
  }
}
