// The audit log: one row per monitor per run in <schema>.hindsight_runs, and the state an
// incremental run starts from (the last successful run's as-of and configuration).
import type { Adapter } from '../adapters/index.js';
import type { Monitor } from '../config/monitor.js';
import { HINDSIGHT_VERSION } from '../version.js';

export interface RunRecord {
  runId: string;
  monitor: string;
  target: string;
  startedAt: Date;
  finishedAt: Date;
  status: 'success' | 'error';
  error?: string;
  rowsWritten: number;
  sqlSha256: string;
  asOf: Date;
  mode: 'full_refresh' | 'incremental';
  recomputeFrom?: Date;
  configHash: string;
  /** The data as-of less `within`: windows ending at or before it are final (none of a forecast's). */
  finalBefore?: Date;
  /** monitorConfigJson. */
  config: string;
}

export function insertRunRecord(adapter: Adapter, runsTable: string, r: RunRecord): string {
  const d = adapter.dialect;
  const text = (v: string | undefined) => (v === undefined ? 'null' : d.string(v));
  const time = (v: Date | undefined) => (v === undefined ? 'null' : d.timestamp(v));
  return `insert into ${runsTable} (run_id, monitor, target, started_at, finished_at, status, error, rows_written, hindsight_version, sql_sha256, as_of, mode, recompute_from, config_hash, final_before, config)
values (${[
    text(r.runId), text(r.monitor), text(r.target), time(r.startedAt), time(r.finishedAt), text(r.status),
    text(r.error), String(r.rowsWritten), text(HINDSIGHT_VERSION), text(r.sqlSha256), time(r.asOf), text(r.mode),
    time(r.recomputeFrom), text(r.configHash), time(r.finalBefore), text(r.config),
  ].join(', ')})`;
}

/**
 * Columns later versions of hindsight added to hindsight_runs, which setup.sql creates with them: a
 * table an earlier version made gets them here, once (an ALTER on every run would wait, on
 * Postgres, for every reader of the table).
 */
// (their types as models/setup.sql gives them)
const ADDED_RUN_COLUMNS = [['final_before', 'timestamp'], ['config', 'text']] as const;

export async function addMissingRunColumns(adapter: Adapter, runsTable: string): Promise<void> {
  const existing = new Set((await adapter.columns(`select * from ${runsTable}`)).map((c) => c.name.toLowerCase()));
  for (const [column, type] of ADDED_RUN_COLUMNS) {
    // (if not exists: two runs that start together both see it missing)
    if (!existing.has(column)) await adapter.execute(`alter table ${runsTable} add column if not exists ${column} ${adapter.dialect.types[type]}`);
  }
}

export interface PreviousRun {
  runId: string;
  asOf: Date;
  configHash: string;
  /** Absent for a forecast, and in a record an earlier version of hindsight wrote. */
  finalBefore?: Date;
  /** monitorConfigJson of that run; absent in a record an earlier version of hindsight wrote. */
  config?: string;
}

/**
 * The monitor's last successful run, which an incremental run starts from. Every column is read: a
 * table an earlier version made, which `show` reads before any run has added the later columns, has
 * none of them (the record then has no finalBefore or config).
 */
export async function previousRun(adapter: Adapter, runsTable: string, monitor: Monitor): Promise<PreviousRun | undefined> {
  const rows = await adapter.query(
    `select * from ${runsTable}
where monitor = ${adapter.dialect.string(monitor.name)} and status = 'success'
order by finished_at desc, as_of desc
limit 1`,
  );
  const row = rows[0];
  if (!row) return undefined;
  return {
    runId: String(row.run_id), asOf: row.as_of as Date, configHash: String(row.config_hash),
    ...(row.final_before instanceof Date ? { finalBefore: row.final_before } : {}),
    ...(typeof row.config === 'string' ? { config: row.config } : {}),
  };
}

/**
 * Seconds each monitor's last successful run took, for those that have one: with threads, the
 * longest monitors start first, so that one long monitor does not start last and run alone. (A run's
 * time includes any wait for another monitor's write: a hint for the order, not a measurement.)
 */
export async function previousSeconds(adapter: Adapter, runsTable: string, monitors: readonly Monitor[]): Promise<Map<string, number>> {
  const names = monitors.map((m) => adapter.dialect.string(m.name)).join(', ');
  const rows = await adapter.query(
    `select r.monitor, r.started_at, r.finished_at from ${runsTable} r
join (select monitor, max(finished_at) as finished_at from ${runsTable} where status = 'success' and monitor in (${names}) group by monitor) latest
  on latest.monitor = r.monitor and latest.finished_at = r.finished_at
where r.status = 'success'`,
  );
  const seconds = new Map<string, number>();
  for (const r of rows) {
    const took = ((r.finished_at as Date).getTime() - (r.started_at as Date).getTime()) / 1000;
    seconds.set(String(r.monitor), Math.max(seconds.get(String(r.monitor)) ?? 0, took));
  }
  return seconds;
}

/**
 * The order monitors start in with threads: those never run first (their time is unknown), then the
 * longest last run first; ties keep the configured order. Indexes into `monitors`.
 */
export function startOrder(monitors: readonly Monitor[], seconds: ReadonlyMap<string, number>): number[] {
  const key = (i: number) => seconds.get(monitors[i]!.name) ?? Infinity;
  return monitors.map((_, i) => i).sort((a, b) => key(b) - key(a) || a - b);
}
