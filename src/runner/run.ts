// `hindsight run`: for each monitor, decide full refresh or incremental, render its steps, execute
// them in one transaction and log the run. A failure rolls everything back and is logged.
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Adapter } from '../adapters/index.js';
import type { Project, Target } from '../config/load.js';
import type { Monitor } from '../config/monitor.js';
import { compileMonitor, compileSetup, permanentTables, planIncrementalRange, sqlHash, type IncrementalRange, type RunContext, type Step } from '../compiler/compile.js';
import { WarehouseError } from '../errors.js';
import { checkColumns } from './columns.js';
import { insertRunRecord, previousRun } from './run-log.js';

export interface StepResult {
  name: string;
  rows: number;
  seconds: number;
}

export interface MonitorResult {
  monitor: string;
  status: 'success' | 'error';
  mode: 'full_refresh' | 'incremental';
  /** Why the run was a full refresh when incremental was allowed. */
  reason?: string;
  runId: string;
  steps: StepResult[];
  rowsWritten: number;
  seconds: number;
  sqlSha256: string;
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
  /** Called with each finished step, for progress lines. */
  onStep?: (monitor: Monitor, step: StepResult) => void;
}

const seconds = (since: number) => (performance.now() - since) / 1000;

export async function runMonitors(options: RunOptions): Promise<MonitorResult[]> {
  const { project, adapter } = options;
  const schema = project.config.schema;
  const setupContext: RunContext = { asOf: options.asOf, runId: 'setup', computedAt: options.asOf };
  const setup = compileSetup({ monitor: options.monitors[0]!, schema, dialect: adapter.dialect, run: setupContext });
  for (const statement of setup.statements) await adapter.execute(statement);
  const results: MonitorResult[] = [];
  for (const monitor of options.monitors) results.push(await runMonitor(monitor, options));
  return results;
}

async function runMonitor(monitor: Monitor, options: RunOptions): Promise<MonitorResult> {
  const { project, adapter, target } = options;
  const schema = project.config.schema;
  const dialect = adapter.dialect;
  const runsTable = `${dialect.quote(schema)}.${dialect.quote('hindsight_runs')}`;
  const metricsTable = `${dialect.quote(schema)}.${dialect.quote('hindsight_metrics')}`;
  const started = performance.now();
  const startedAt = new Date();
  const runId = randomUUID();
  adapter.setContext?.({ monitor: monitor.name });
  await checkColumns(adapter, monitor);

  const plan = await planRun(monitor, options);
  const run: RunContext = { asOf: options.asOf, runId, computedAt: startedAt, incremental: plan.range };
  const steps = compileMonitor({ monitor, schema, dialect, run });
  const runDir = join(project.dir, project.config['target-path'], 'run', monitor.name);
  writeSteps(runDir, steps);
  const hash = sqlHash(steps);
  const result: MonitorResult = {
    monitor: monitor.name,
    status: 'success',
    mode: plan.range ? 'incremental' : 'full_refresh',
    reason: plan.reason,
    runId,
    steps: [],
    rowsWritten: 0,
    seconds: 0,
    sqlSha256: hash,
    recomputeFrom: plan.range?.evaluateFrom,
  };
  const record = (status: 'success' | 'error', error?: string) =>
    insertRunRecord(adapter, runsTable, {
      runId, monitor: monitor.name, target: target.name, startedAt, finishedAt: new Date(), status, error,
      rowsWritten: result.rowsWritten, sqlSha256: hash, asOf: options.asOf, mode: result.mode,
      recomputeFrom: plan.range?.evaluateFrom, configHash: monitor.configHash,
    });

  // Session tables are built first, outside any transaction (Snowflake commits an open transaction
  // on DDL); only the write step and the run record are inside it, so a failure anywhere leaves
  // every permanent table as it was.
  let current: Step | undefined;
  let inTransaction = false;
  const dropSessionTable = (relation: string) => adapter.execute(`drop table if exists ${relation}`);
  const dropSessionTables = async () => {
    for (const step of steps) if (step.relation) await dropSessionTable(step.relation).catch(() => undefined);
  };
  try {
    for (const step of steps) {
      current = step;
      adapter.setContext?.({ monitor: monitor.name, step: step.name });
      const t = performance.now();
      if (step.kind === 'statements' && !inTransaction) {
        if (!dialect.capabilities.transactionalDdl) await preparePermanentTables(adapter, schema, monitor, steps);
        await adapter.execute('begin');
        inTransaction = true;
      }
      let rows = 0;
      for (const statement of step.statements) {
        const changed = await adapter.execute(statement);
        // rows written = metric rows, whether the warehouse rebuilt the evaluations with CTAS or not
        if (/^\s*insert\b/i.test(statement) && statement.includes(metricsTable)) rows += changed;
      }
      // Warehouses disagree on what `create table as` reports; count the session table instead.
      if (step.relation) rows = Number((await adapter.query(`select count(*) as n from ${step.relation}`))[0]?.n ?? 0);
      // session tables no later step reads (compileMonitor): their memory goes to the next steps
      for (const relation of step.dropAfter ?? []) await dropSessionTable(relation);
      if (step.name === 'write') result.rowsWritten = rows;
      const done = { name: step.name, rows, seconds: seconds(t) };
      result.steps.push(done);
      options.onStep?.(monitor, done);
    }
    current = undefined;
    adapter.setContext?.({ monitor: monitor.name });
    await adapter.execute(record('success'));
    await adapter.execute('commit');
    inTransaction = false;
  } catch (e) {
    if (inTransaction) await adapter.execute('rollback').catch(() => undefined);
    const path = relative(process.cwd(), join(runDir, `${current?.name ?? 'write'}.sql`));
    result.status = 'error';
    result.error = new WarehouseError(monitor.name, current?.name ?? 'commit', path, e);
    await adapter.execute(record('error', result.error.message)).catch(() => undefined);
  }
  await dropSessionTables();
  result.seconds = seconds(started);
  return result;
}

/**
 * Where DDL cannot be rolled back (BigQuery, Snowflake) the monitor's permanent tables are made
 * before the transaction (permanentTables), with the columns of what this run writes to them. A
 * table is recreated only when its columns changed (a configuration change), which is the one case
 * where such a warehouse cannot replace it atomically.
 */
async function preparePermanentTables(adapter: Adapter, schema: string, monitor: Monitor, steps: Step[]): Promise<void> {
  for (const table of permanentTables({ monitor, schema, dialect: adapter.dialect }, steps)) {
    const wanted = await adapter.columns(table.select);
    const existing = await adapter.columns(`select * from ${table.relation}`).catch(() => undefined);
    if (existing && existing.join(',') === wanted.join(',')) continue;
    if (existing) await adapter.execute(`drop table ${table.relation}`);
    await adapter.execute(table.create);
  }
}

export function writeSteps(dir: string, steps: Step[]): void {
  mkdirSync(dir, { recursive: true });
  for (const step of steps) writeFileSync(join(dir, `${step.name}.sql`), step.kind === 'table' ? step.statements.join(';\n\n') + ';\n' : step.sql);
}

/**
 * Full refresh or incremental, and for incremental the range to recompute: every window from the
 * earliest prediction that data newer than the previous run can have changed (docs/semantics.md §7).
 */
async function planRun(monitor: Monitor, options: RunOptions): Promise<{ range?: IncrementalRange; reason?: string }> {
  if (options.fullRefresh) return { reason: '--full-refresh' };
  const { adapter, project } = options;
  const d = adapter.dialect;
  const schema = project.config.schema;
  const previous = await previousRun(adapter, `${d.quote(schema)}.${d.quote('hindsight_runs')}`, monitor);
  if (!previous) return { reason: 'first run' };
  if (previous.configHash !== monitor.configHash) return { reason: 'configuration changed' };
  if (previous.asOf.getTime() >= options.asOf.getTime()) return { reason: 'as-of is not after the previous run' };
  const plan = {
    monitor, schema, dialect: d,
    run: { asOf: options.asOf, runId: 'plan', computedAt: options.asOf, previousAsOf: previous.asOf },
  };
  // A planning query that fails means a table the run starts from is gone or unreadable: rebuild from
  // scratch. Anything else (a template error, say) is a bug to report, not a reason to rebuild.
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
    return { range: await planIncrementalRange(plan, query) };
  } catch (error) {
    if (!queryFailed) throw error;
    return { reason: 'no stored tables to start from' };
  }
}
