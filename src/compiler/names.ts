// The names hindsight makes up for tables and indexes: a step's session table, the staged
// evaluations of a full refresh, a monitor's own tables and their indexes. All but the monitor's
// own tables are fitted to the warehouse's identifier length (Dialect.maxIdentifierLength):
// Postgres cuts a name to 63 bytes without an error, and with a monitor name of 50 characters or
// more "hs_<monitor>__outcome_events" and "hs_<monitor>__outcome_matches" became one table, which
// the outcome-matches step dropped before reading it.
import { createHash } from 'node:crypto';
import type { Dialect } from '../dialects/dialect.js';

/**
 * `name` itself when the warehouse keeps it whole; else its first characters and, after an
 * underscore, the first 10 hex digits of the SHA-256 of the whole name, so that names which differ
 * only past the cut stay apart and the same name always fits the same way.
 */
export function fitName(dialect: Dialect, name: string): string {
  const max = dialect.maxIdentifierLength;
  if (Buffer.byteLength(name) <= max) return name;
  const hash = createHash('sha256').update(name).digest('hex').slice(0, 10);
  // hindsight's names are ASCII (monitor names are lower-case snake_case): a character is a byte
  return `${name.slice(0, max - hash.length - 1)}_${hash}`;
}

/** The session table a step of a monitor's run builds. */
export function sessionTable(dialect: Dialect, monitor: string, step: string): string {
  return fitName(dialect, `hs_${monitor}__${step}`);
}

/**
 * A full refresh on a warehouse with transactional DDL (DuckDB, Postgres) builds a monitor's new
 * table in the schema under this name, and the write step puts it in the stored one's place
 * (Dialect.replaceTable) instead of copying a session table: the copy was a tenth of a
 * 10M-prediction full refresh on DuckDB (5.6 of 61 s). The run's id in the name keeps concurrent runs
 * apart; the runner drops the staged evaluations table when a run fails (the staged MASE history is
 * made in the write step's transaction, which a failure rolls back).
 */
export function stagedTable(dialect: Dialect, monitor: string, name: 'evaluations' | 'mase_history', runId: string): string {
  return fitName(dialect, `hs_${monitor}__${name}_${runId.slice(0, 8)}`);
}

/**
 * A monitor's own permanent table (`evaluations`, `mase_history`), unquoted: not fitted. These are
 * the names users query, and Postgres cuts them the same way in their queries as in hindsight's, so
 * `<monitor>__evaluations` finds the table whatever the name's length. Cut, they stay apart: a
 * monitor name has at most 60 characters, so the cut keeps it whole and `__e` or `__m` after it.
 */
export function monitorTableName(monitor: string, name: 'evaluations' | 'mase_history'): string {
  return `${monitor}__${name}`;
}

/** An index of one of a monitor's tables, `<monitor>__<name>`, unquoted and fitted. */
export function monitorIndex(dialect: Dialect, monitor: string, name: string): string {
  return fitName(dialect, `${monitor}__${name}`);
}

/** One of the tables every monitor of a project writes (`hindsight_metrics`, `hindsight_runs`), quoted and qualified. */
export function projectTable(dialect: Dialect, schema: string, name: 'hindsight_metrics' | 'hindsight_runs'): string {
  return `${dialect.quote(schema)}.${dialect.quote(name)}`;
}
