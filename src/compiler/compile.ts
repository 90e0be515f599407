// Turns one monitor into the ordered SQL steps of its pipeline, for one dialect and one run.
import { createHash } from 'node:crypto';
import { arrivalColumn, type Monitor } from '../config/monitor.js';
import type { Granularity } from '../config/schema.js';
import { windowStart } from '../config/windows.js';
import type { Dialect } from '../dialects/index.js';
import type nunjucks from 'nunjucks';
import { dispatching, templateEnvironment } from './environment.js';
import { maseCheckpoint, rangeFromPlan, sharedDataQuality, type IncrementalRange } from './incremental-range.js';
import { monitorIndex, monitorTableName, projectTable, sessionTable, stagedTable } from './names.js';
import { PIPELINES, stepTemplate } from './pipelines.js';
import { shareExpressions } from './shared-expressions.js';

export interface RunContext {
  asOf: Date;
  runId: string;
  computedAt: Date;
  /** Absent for a full refresh. */
  incremental?: IncrementalRange;
  /** Only for the planning query of an incremental run. */
  previousAsOf?: Date;
  /**
   * Only for the second pass of a plan that has one (planIncrementalRange): the first pass's
   * `replaced_from`, which the second pass reads as a literal.
   */
  replacedFrom?: Date;
  /**
   * The sources' time columns that the run's column check found to be text (BigQuery, Snowflake):
   * their bounds are a day wider (Dialect.timeFilter). `hindsight compile`, which reads no column
   * types, writes those of a timestamp or date column.
   */
  textTimes?: string[];
}

/**
 * The rows of `<monitor>__mase_history` from the MASE step's table `relation`: per series its key and
 * its pairs' count and exact sum, and a row without a series (no pairs) so that a checkpoint with no
 * series differs from none; each row with the checkpoint's time (models/forecast/mase_scales.sql).
 */
export function maseHistoryRows(monitor: Monitor, dialect: Dialect, relation: string): string {
  const columns = [...monitor.predictions.key.map((k) => dialect.quote(k)), 'history_pairs', 'history_sum', 'window_start as checkpoint_at'];
  return `select ${columns.join(', ')}\nfrom ${relation}\nwhere granularity is null`;
}

/**
 * A step either builds a session table from a query (`table`) or runs statements (`statements`).
 * `sql` is what `hindsight compile` writes; `statements` is what `hindsight run` executes.
 */
export interface Step {
  name: string;
  kind: 'table' | 'statements';
  sql: string;
  statements: string[];
  /** For table steps: the table it creates, as SQL (quoted; schema-qualified when staged). */
  relation?: string;
  /**
   * For table steps: session tables that no later step reads, to drop once this step is done (those
   * the write step reads are dropped after the run), as SQL.
   */
  dropAfter?: string[];
}

export interface CompileOptions {
  monitor: Monitor;
  schema: string;
  dialect: Dialect;
  run: RunContext;
  /** The nunjucks environment that renders the templates: the process's own (templateEnvironment) by default. */
  environment?: nunjucks.Environment;
}

/** The evaluations table's time column: rows are placed in windows by it (models/write.sql). */
export const evaluationsTime = (monitor: Monitor): string => (monitor.forecast ? 'target_time' : 'predicted_at');

/**
 * The columns that name one row of the evaluations table, by which an incremental run looks stored
 * rows up (kept_earlier in prediction_events.sql, claimed_earlier in outcome_matches.sql, the
 * replaced predictions or requests of the plan): the prediction key, or a recommendation's request
 * key (one row per kept request). None for forecasts, with a row per series and target time.
 */
const evaluationKey = (monitor: Monitor): string[] => (monitor.forecast ? [] : monitor.predictions.key);

/**
 * The statements that create the evaluations table's indexes, where the dialect has indexes: by key
 * for those lookups, and by time for the range an incremental run reads (the stored first days of a
 * recomputed week) and replaces. Without them, both scanned the whole history on Postgres: 0.45 s
 * more per 90 days of history at 1M predictions (docs/performance.md, the twenty-third session).
 * A forecast has no lookups, only the time index: without it, its write step's delete by
 * target_time took 0.23 s more at 360 days of history than at 90 (1M forecasts; 0.01 s more with
 * it, docs/performance.md, the twenty-fifth session).
 */
function evaluationIndexes(options: Omit<CompileOptions, 'run'>): string[] {
  const { monitor, schema, dialect: d } = options;
  const key = evaluationKey(monitor);
  const table = monitorTableName(monitor.name, 'evaluations');
  return [
    ...(key.length ? d.createIndex(schema, table, monitorIndex(d, monitor.name, 'evaluations_by_key'), key) : []),
    ...d.createIndex(schema, table, monitorIndex(d, monitor.name, 'evaluations_by_time'), [evaluationsTime(monitor)]),
  ];
}

/** Whether a step builds the staged evaluations table (beside the stored one, which the write step replaces with it) rather than a session table. */
const isStaged = ({ dialect, run }: CompileOptions, step: string) =>
  step === 'evaluations' && run.incremental === undefined && dialect.capabilities.transactionalDdl;

/** The table each step creates, as SQL. */
function stepRelation(options: CompileOptions, step: string): string {
  const { monitor, schema, dialect, run } = options;
  if (isStaged(options, step)) return `${dialect.quote(schema)}.${dialect.quote(stagedTable(dialect, monitor.name, 'evaluations', run.runId))}`;
  return dialect.quote(sessionTable(dialect, monitor.name, step));
}

/** The instants a run's SQL compares with, by the names templates use (`run.<name>`: literals). */
function runInstants({ monitor, run }: CompileOptions) {
  const minus = (at: Date | undefined, seconds: number) => (at ? new Date(at.getTime() - seconds * 1000) : undefined);
  const f = monitor.forecast;
  const maseHistoryAt = run.incremental?.maseHistoryAt;
  return {
    as_of: run.asOf,
    computed_at: run.computedAt,
    windows_from: run.incremental?.windowsFrom,
    evaluate_from: run.incremental?.evaluateFrom,
    outcomes_from: run.incremental?.outcomesFrom,
    previous_as_of: run.incremental?.previousAsOf ?? run.previousAsOf,
    // the second pass of models/plan.sql: the earliest replaced prediction, and that minus within
    replaced_from: run.replacedFrom,
    replaced_outcomes_from: minus(run.replacedFrom, monitor.within.seconds),
    // the earliest request that can claim an interaction the run reads (from outcomes_from on):
    // models/recommendation/outcome_matches.sql reads the stored requests from here on
    claims_from: minus(run.incremental?.outcomesFrom, monitor.within.seconds),
    // forecasts (models/forecast/mase_scales.sql): the stored MASE history this run starts from and
    // the first actual it needs (a seasonal lag before), and the checkpoint it writes
    mase_history_at: maseHistoryAt,
    actuals_from: f ? minus(maseHistoryAt, f.seasonality * f.unitSeconds) : undefined,
    mase_checkpoint: f ? maseCheckpoint(monitor, run.asOf) : undefined,
  };
}

function templateContext(options: CompileOptions) {
  const { monitor, schema, dialect, run } = options;
  const d = dispatching(dialect);
  const table = (name: string) => `${d.quote(schema)}.${d.quote(name)}`;
  const own = (name: 'evaluations' | 'mase_history') => monitorTable(options, name);
  const timestamps = (byGranularity: Partial<Record<Granularity, Date>> = {}) =>
    Object.fromEntries(Object.entries(byGranularity).map(([g, at]) => [g, d.timestamp(at)]));
  const instants = runInstants(options);
  const literals = Object.fromEntries(Object.entries(instants).map(([name, at]) => [name, at ? d.timestamp(at) : undefined]));
  return {
    m: monitor,
    d,
    /** The column each side's source is bounded on by the as-of (arrivalColumn). */
    arrival: { predictions: arrivalColumn(monitor, 'predictions'), outcomes: arrivalColumn(monitor, 'outcomes') },
    project: { schema },
    tables: {
      metrics: projectTable(d, schema, 'hindsight_metrics'),
      runs: projectTable(d, schema, 'hindsight_runs'),
      evaluations: own('evaluations'),
      mase_history: own('mase_history'),
    },
    /** The evaluations table's name, unqualified: what the staged table of a full refresh is renamed to. */
    evaluations_name: d.quote(monitorTableName(monitor.name, 'evaluations')),
    /** A forecast's MASE history, as evaluations: its name, and the table a full refresh stages it in. */
    mase_history_name: d.quote(monitorTableName(monitor.name, 'mase_history')),
    mase_history_staged: table(stagedTable(dialect, monitor.name, 'mase_history', run.runId)),
    evaluations_time: evaluationsTime(monitor),
    evaluation_key: evaluationKey(monitor),
    evaluation_indexes: evaluationIndexes(options),
    rel: (step: string) => stepRelation(options, step),
    mase_history_rows: monitor.forecast ? maseHistoryRows(monitor, dialect, stepRelation(options, 'mase_scales')) : undefined,
    /**
     * A source's time column against one of the run's instants, as the warehouse prunes by
     * (Dialect.timeFilter): `source_time(column, '>=', 'evaluate_from')`.
     */
    source_time: (column: string, op: '<' | '<=' | '>' | '>=', instant: keyof typeof instants) => {
      const at = instants[instant];
      if (!at) throw new Error(`source_time: this run has no ${instant}`);
      return d.timeFilter(d.quote(column), op, at, run.textTimes?.includes(column));
    },
    run: {
      ...literals,
      run_id: run.runId,
      incremental: run.incremental !== undefined,
      recompute_from: timestamps(run.incremental?.recomputeFrom),
      // the window before each granularity's recompute_from, whose stored row says that the monitor's
      // first window is earlier (macros/data_quality.sql, first_window)
      window_before_recompute: timestamps(Object.fromEntries(Object.entries(run.incremental?.recomputeFrom ?? {}).map(([g, at]) => [g, windowStart(g as Granularity, new Date(at.getTime() - 1))]))),
      // models/data_quality.sql counts the new late outcomes of windows before recompute_from apart,
      // for the write step to add to their stored rows (sharedDataQuality)
      adds_late_outcomes: run.incremental !== undefined && sharedDataQuality(monitor),
      // windows this run recomputes begin before its range: their first days are read as stored
      reads_stored_days: run.incremental !== undefined && run.incremental.evaluateFrom > run.incremental.windowsFrom,
    },
  };
}

/** Renders a template and tidies blank-line runs so the SQL reads like SQL a person wrote. */
function render(template: string, options: CompileOptions, context = templateContext(options)): string {
  return tidy((options.environment ?? templateEnvironment()).render(template, context));
}

/**
 * Trailing spaces and tabs off every line, at most one blank line in a row: the bytes of
 * `sql.replace(/[ \t]+$/gm, '').replace(/\n{3,}/g, '\n\n').trim() + '\n'` (test/compiler). That regex
 * tries every position of the text and was a fifth of compiling the benchmark monitor (0.26 of 1.32 s
 * per 1,000). One pass over the line ends instead, copying the text between the few cuts: 0.05 s.
 */
export function tidy(sql: string): string {
  // JavaScript's multiline $ also ends a line at \r, \u2028 and \u2029; such text takes the slow path.
  // (Three indexOf scans take a quarter of the time of one /[\r\u2028\u2029]/ test.)
  if (sql.includes('\r') || sql.includes('\u2028') || sql.includes('\u2029')) return tidyAnyLineBreaks(sql);
  let out = '';
  let copied = 0; // sql[copied..] is not in out yet
  let emptyRun = 0; // empty lines (after trimming) in a row just before this one
  for (let start = 0; ; ) {
    const newline = sql.indexOf('\n', start);
    const end = newline < 0 ? sql.length : newline;
    let kept = end;
    while (kept > start && (sql.charCodeAt(kept - 1) === 32 || sql.charCodeAt(kept - 1) === 9)) kept--;
    emptyRun = kept === start && newline >= 0 ? emptyRun + 1 : 0;
    if (emptyRun >= 2) {
      // the second empty line of a run and later ones go, with their line breaks
      out += sql.slice(copied, start);
      copied = newline + 1;
    } else if (kept < end) {
      out += sql.slice(copied, kept);
      copied = end;
    }
    if (newline < 0) break;
    start = newline + 1;
  }
  return (out + sql.slice(copied)).trim() + '\n';
}

/** tidy() for text with \r, \u2028 or \u2029: lines split on every terminator, which are kept. */
function tidyAnyLineBreaks(sql: string): string {
  const parts = sql.split(/(\r\n|[\n\r\u2028\u2029])/);
  for (let i = 0; i < parts.length; i += 2) parts[i] = parts[i]!.replace(/[ \t]+$/, '');
  return parts.join('').replace(/\n{3,}/g, '\n\n').trim() + '\n';
}

/**
 * Splits a rendered file of `;`-terminated statements (our own SQL only, never user SQL) at each
 * `;` that ends a line outside a dollar-quoted body (a Postgres `do $tag$ … $tag$` block).
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let start = 0;
  // (a dollar quote opens after a space, never inside a name: "hs$v2$" is an identifier)
  for (const m of sql.matchAll(/(?<![^\s(])\$(\w*)\$[^]*?\$\1\$|;[ \t]*(?=[\r\n]|$)/g)) {
    if (!m[0].startsWith(';')) continue;
    statements.push(sql.slice(start, m.index));
    start = m.index + m[0].length;
  }
  statements.push(sql.slice(start));
  return statements.map((s) => s.replace(/^(\s*--[^\n]*\n)+/g, '').trim()).filter((s) => s.length > 0);
}

export function compileSetup(options: CompileOptions): Step {
  const sql = render('models/setup.sql', options);
  return { name: 'setup', kind: 'statements', sql, statements: splitStatements(sql) };
}

export function compilePlan(options: CompileOptions): Step {
  const sql = render(stepTemplate(options.monitor.type, 'plan'), options);
  return { name: 'plan', kind: 'table', sql, statements: [sql] };
}

/**
 * Plans an incremental run after the one as of `options.run.previousAsOf`: runs the monitor's
 * planning query through `query` and returns the range to recompute. A plan whose row has
 * `replaced_from` instead of `affected_from` (models/plan.sql under `dedupe: latest`) is run again with
 * that time as a literal, or is done when it is NULL. The second pass bounds the outcome source by
 * a literal: BigQuery prunes partitions by constant filters only, so a bound computed by a
 * subquery in the same statement read the source's whole history.
 */
export async function planIncrementalRange(
  options: CompileOptions,
  query: (sql: string) => Promise<Record<string, unknown>[]>,
): Promise<IncrementalRange> {
  const previousAsOf = options.run.previousAsOf;
  if (!previousAsOf) throw new Error('planIncrementalRange needs the previous run\'s as-of');
  let [row] = await query(compilePlan(options).sql);
  if (row && 'replaced_from' in row) {
    const found = row.replaced_from;
    if (!(found instanceof Date)) return rangeFromPlan(options.monitor, previousAsOf, { affected_from: null });
    // A millisecond earlier: the warehouse keeps microseconds and drivers cut them to milliseconds,
    // toward zero, which rounds up before 1970. The literal must not be after the earliest
    // replaced prediction, or the second pass would lose it.
    const replacedFrom = new Date(found.getTime() - 1);
    [row] = await query(compilePlan({ ...options, run: { ...options.run, replacedFrom } }).sql);
  }
  return rangeFromPlan(options.monitor, previousAsOf, row);
}

/**
 * The statements that build a step's session table `name` from its query. A warehouse that runs a
 * CTE once per reference first gets the step's CTEs read more than once as session tables of their
 * own, `<name>__<cte>`, dropped once the step's table is built (shared-expressions.ts); the compiled
 * file keeps the query as rendered, which gives the same rows.
 */
function tableStatements(dialect: Dialect, monitor: Monitor, name: string, sql: string): string[] {
  if (dialect.capabilities.reusesCommonTableExpressions) return dialect.createTempTable(name, sql);
  const userSql = [monitor.predictions.sql, monitor.predictions.where, monitor.outcomes.sql, monitor.recommendation?.catalog?.sql];
  const shared = shareExpressions(sql, {
    tableName: (cte) => `${name}__${cte}`,
    quote: (table) => dialect.quote(table),
    userSql: userSql.filter((text): text is string => text !== undefined),
  });
  return [
    ...shared.tables.flatMap((t) => dialect.createTempTable(t.name, t.select)),
    ...dialect.createTempTable(name, shared.query),
    ...shared.tables.map((t) => `drop table if exists ${dialect.quote(t.name)}`),
  ];
}

/** The monitor's pipeline: table steps in order, then the write. */
export function compileMonitor(options: CompileOptions): Step[] {
  const { monitor, dialect } = options;
  const context = templateContext(options);
  const steps: Step[] = PIPELINES[monitor.type].map((name) => {
    const sql = render(stepTemplate(monitor.type, name), options, context);
    const relation = stepRelation(options, name);
    if (isStaged(options, name)) return { name, kind: 'table', sql, relation, statements: dialect.createTable(relation, sql.trimEnd(), evaluationsTime(monitor)) };
    return { name, kind: 'table', sql, relation, statements: tableStatements(dialect, monitor, sessionTable(dialect, monitor.name, name), sql.trimEnd()) };
  });
  const write = render('models/write.sql', options, context);
  steps.push({ name: 'write', kind: 'statements', sql: write, statements: splitStatements(write) });
  // A session table is dropped as soon as the last step that reads it is done: at 100M predictions
  // on DuckDB the first steps' tables filled the memory the metric step's sorts needed.
  for (const [i, step] of steps.entries()) {
    if (!step.relation) continue;
    let last = i;
    for (let j = i + 1; j < steps.length; j++) if (steps[j]!.sql.includes(step.relation)) last = j;
    if (steps[last]!.kind === 'table') (steps[last]!.dropAfter ??= []).push(step.relation);
  }
  return steps;
}

/** A monitor's own permanent table, and the query of the rows a run writes to it (models/write.sql). */
export interface PermanentTable {
  relation: string;
  /** Which of the monitor's tables it is (its name, unqualified: monitorTableName). */
  kind: 'evaluations' | 'mase_history';
  select: string;
  /** Creates the table, empty, with the query's columns. */
  create: string;
}

/**
 * The monitor's own permanent tables: its evaluations, and a forecast's MASE history. Where DDL
 * is not transactional (BigQuery, Snowflake) the runner creates them before the write step's
 * transaction, which then only deletes and inserts.
 */
export function permanentTables(options: Omit<CompileOptions, 'run'>, steps: Step[]): PermanentTable[] {
  const { monitor, dialect: d } = options;
  const built = (step: string) => steps.find((s) => s.name === step)!.relation!;
  const table = (name: 'evaluations' | 'mase_history', select: string, time?: string): PermanentTable => {
    const relation = monitorTable(options, name);
    const layout = time ? d.tableLayout(time, []) : '';
    return { relation, kind: name, select, create: `create table ${relation}${layout ? `\n${layout}` : ''} as\nselect * from (\n${select}\n) as rows_written\nwhere 1 = 0` };
  };
  const tables = [table('evaluations', `select * from ${built('evaluations')}`, evaluationsTime(monitor))];
  if (monitor.forecast) tables.push(table('mase_history', maseHistoryRows(monitor, d, built('mase_scales'))));
  return tables;
}

/**
 * The query of the evaluations a full refresh writes, over the session tables of the steps before
 * it: the columns a stored evaluations table must have for an incremental run to add to it (an
 * earlier version of hindsight may have written it with others; src/runner/stored-tables.ts).
 */
export function fullRefreshEvaluations(options: CompileOptions): string {
  const full = { ...options, run: { ...options.run, incremental: undefined } };
  return render(stepTemplate(options.monitor.type, 'evaluations'), full, templateContext(full));
}

/** A monitor's own permanent table, `<schema>.<monitor>__<name>`, as SQL. */
export function monitorTable({ monitor, schema, dialect: d }: Omit<CompileOptions, 'run'>, name: 'evaluations' | 'mase_history'): string {
  return `${d.quote(schema)}.${d.quote(monitorTableName(monitor.name, name))}`;
}

export function sqlHash(steps: Step[]): string {
  const hash = createHash('sha256');
  for (const s of steps) hash.update(`-- ${s.name}\n${s.sql}`);
  return hash.digest('hex');
}
