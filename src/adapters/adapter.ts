// An adapter executes SQL on one warehouse: connection, session settings, statements, rows.
// It knows nothing of monitors; SQL comes rendered from the compiler.
import type { Dialect } from '../dialects/index.js';

export type Row = Record<string, unknown>;

/**
 * A column of a query's result. `type` is the warehouse's name of its type, as precisely as its
 * client reports it (Snowflake's reports the family alone: `fixed`, `text`, `real`, …); it is
 * compared only with the types the same adapter reports, never parsed.
 */
export interface Column {
  name: string;
  type: string;
}

/**
 * Where in a statement the warehouse placed its error: a character offset from 0 (Postgres), or a
 * line and column from 1 (DuckDB, BigQuery, Snowflake), as far as its message says.
 */
export type StatementPosition = { offset: number } | { line: number; column?: number };

export interface Adapter {
  readonly type: string;
  readonly dialect: Dialect;
  /** Runs one statement; returns the rows it changed or created, when the warehouse says. */
  execute(sql: string): Promise<number>;
  /**
   * `execute` of a `create table … as select` returns the rows it created (DuckDB's Count, Postgres's
   * command tag), so the runner need not count a step's table again. Where it does not (BigQuery,
   * Snowflake), the runner counts them.
   */
  readonly reportsCreatedRows?: boolean;
  query(sql: string): Promise<Row[]>;
  /** The columns of a query's result, without reading its rows. */
  columns(select: string): Promise<Column[]>;
  /**
   * Labels the statements that follow (e.g. {monitor, step}) where the warehouse can show them in
   * its query history (Snowflake's QUERY_TAG); an empty object clears the labels. Optional.
   */
  setContext?(tags: Record<string, string>): void;
  /** Validates a statement without running it and says how many bytes it would process (BigQuery). Optional. */
  dryRun?(sql: string): Promise<{ bytesProcessed: number }>;
  /**
   * Opens another session on the same warehouse and database (DuckDB: another connection to the same
   * database, which an in-memory one needs), with the same settings, for monitors run side by side
   * (`threads`). Closing it leaves this one open. Optional: without it monitors run one at a time.
   */
  openSession?(): Promise<Adapter>;
  /**
   * Stops the statement this session is running, if any, which then fails with the warehouse's
   * own error; the session stays usable (a rollback follows). Optional: without it a statement runs
   * to its end. For Ctrl-C during `hindsight run` (RunOptions.signal).
   */
  interrupt?(): Promise<void>;
  /**
   * Where in the failed statement `error` is, when the warehouse says: the runner names that place
   * in the step's compiled file. Optional.
   */
  errorPosition?(error: unknown): StatementPosition | undefined;
  /**
   * Whether `error` says the warehouse cancelled the transaction (or DML statement) because another
   * transaction mutated the same table meanwhile: BigQuery cancels one of two conflicting transactions
   * (cloud.google.com/bigquery/docs/transactions#transaction_concurrency) rather than make it wait.
   * The runner rolls back and runs such a write transaction again, after a pause. Optional: where
   * a transaction waits for another's locks instead (DuckDB, Postgres, Snowflake), it is not defined.
   */
  isConcurrentUpdate?(error: unknown): boolean;
  /**
   * Whether `error` says the object a `create … if not exists` makes was created by another session
   * meanwhile (two processes that start together on an empty schema). Optional: where it is not
   * defined, an error saying "already exists" is taken to.
   */
  createdMeanwhile?(error: unknown): boolean;
  close(): Promise<void>;
}

/**
 * A profile's setting the warehouse rejected while the adapter opened its session: one of a group
 * of settings (Postgres's `session_settings`, DuckDB's `settings`) or a key of its own (DuckDB's
 * `memory_limit`: `group` undefined).
 */
export class SessionSettingError extends Error {
  readonly field: string;
  constructor(
    readonly setting: string,
    readonly value: string,
    readonly serverMessage: string,
    group: string | undefined,
  ) {
    super(`${group ? `${group}: ` : ''}${setting}: ${serverMessage}`);
    this.name = 'SessionSettingError';
    this.field = group ? `${group}.${setting}` : setting;
  }
}

/** Converts driver values to plain JS: exact integers as numbers, timestamps as Dates. */
export function plainValue(value: unknown): unknown {
  if (typeof value === 'bigint') {
    const n = Number(value);
    if (!Number.isSafeInteger(n)) throw new Error(`integer ${value} does not fit a JavaScript number`);
    return n;
  }
  return value;
}
