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
}

export function insertRunRecord(adapter: Adapter, runsTable: string, r: RunRecord): string {
  const d = adapter.dialect;
  const text = (v: string | undefined) => (v === undefined ? 'null' : d.string(v));
  return `insert into ${runsTable} (run_id, monitor, target, started_at, finished_at, status, error, rows_written, hindsight_version, sql_sha256, as_of, mode, recompute_from, config_hash)
values (${[
    text(r.runId), text(r.monitor), text(r.target), d.timestamp(r.startedAt), d.timestamp(r.finishedAt), text(r.status),
    text(r.error), String(r.rowsWritten), text(HINDSIGHT_VERSION), text(r.sqlSha256), d.timestamp(r.asOf), text(r.mode),
    r.recomputeFrom ? d.timestamp(r.recomputeFrom) : 'null', text(r.configHash),
  ].join(', ')})`;
}

export interface PreviousRun {
  asOf: Date;
  configHash: string;
}

export async function previousRun(adapter: Adapter, runsTable: string, monitor: Monitor): Promise<PreviousRun | undefined> {
  const rows = await adapter.query(
    `select as_of, config_hash from ${runsTable}
where monitor = ${adapter.dialect.string(monitor.name)} and status = 'success'
order by finished_at desc, as_of desc
limit 1`,
  );
  const row = rows[0];
  return row ? { asOf: row.as_of as Date, configHash: String(row.config_hash) } : undefined;
}
