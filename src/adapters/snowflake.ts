// Snowflake through the official `snowflake-sdk`, loaded only when a profile targets Snowflake.
// Sessions are UTC, with the parameters hindsight's SQL reads pinned (SESSION_PARAMETERS). Every
// statement carries its QUERY_TAG as a statement-level parameter: the profile's query_tag, and
// during a monitor run also the monitor and step (no extra round trip, no session change inside
// the transaction). The tag is not given to the driver's own `queryTag` option, because the
// driver then overwrites every statement-level QUERY_TAG with it.
import type { Column, Connection, ConnectionOptions, RowStatement, SnowflakeError } from 'snowflake-sdk';
import type { OutputConfig } from '../config/schema.js';
import { isReserved, snowflake } from '../dialects/snowflake.js';
import type { Adapter, Row, StatementPosition } from './adapter.js';

type SnowflakeOutput = Extract<OutputConfig, { type: 'snowflake' }>;
type Sdk = typeof import('snowflake-sdk');

/** Snowflake reports unquoted identifiers in upper case; hindsight's SQL names them in lower case. */
export const columnName = (name: string) => (/^[A-Z_][A-Z0-9_$]*$/.test(name) ? name.toLowerCase() : name);

/**
 * A source column as a monitor must name it (the pre-run column check). The dialect leaves a simple
 * lower-case name unquoted, which Snowflake reads upper-cased: a column stored as PREDICTION_ID is
 * `prediction_id`. A reserved word is quoted, so compared exactly: START is `START`, and a column
 * stored lower-case is `start`. Any other column stored lower-case (quoted when it was created, as
 * pandas' write_pandas does) is reached by no name: it is listed quoted, matching none, so that the
 * check says so (rename it in a `sql:` source).
 */
export function configuredName(name: string): string {
  if (/^[A-Z_][A-Z0-9_$]*$/.test(name)) return isReserved(name.toLowerCase()) ? name : name.toLowerCase();
  if (/^[a-z_][a-z0-9_$]*$/.test(name) && !isReserved(name)) return `"${name}"`;
  return name;
}

/** Driver values to plain JS: NUMBER and FLOAT as numbers, timestamps as Dates (TIMESTAMP_NTZ read as UTC). */
function plainSnowflakeValue(value: unknown, column: Column): unknown {
  if (value === null || value === undefined) return null;
  // The driver's dates carry extra methods (and a toJSON in the session's format): keep the instant.
  if (value instanceof Date) return new Date(value.getTime());
  if (typeof value === 'number' && column.isNumber() && column.getScale() === 0 && Number.isFinite(value) && !Number.isSafeInteger(value)) {
    throw new Error(`column ${column.getName()}: integer ${value} does not fit a JavaScript number exactly`);
  }
  return value;
}

/** The connection options of a profile, in the driver's terms. */
export function connectionOptions(output: SnowflakeOutput): ConnectionOptions {
  if (!output.password && !output.private_key_path) {
    throw new Error('a Snowflake profile needs password or private_key_path (key-pair authentication)');
  }
  const options: ConnectionOptions = {
    account: output.account,
    username: output.user,
    database: output.database,
    application: 'hindsight',
  };
  if (output.private_key_path) {
    options.authenticator = 'SNOWFLAKE_JWT';
    options.privateKeyPath = output.private_key_path;
    if (output.private_key_passphrase) options.privateKeyPass = output.private_key_passphrase;
  } else {
    options.password = output.password;
  }
  if (output.role) options.role = output.role;
  if (output.warehouse) options.warehouse = output.warehouse;
  if (output.schema) options.schema = output.schema;
  if (output.client_session_keep_alive !== undefined) options.clientSessionKeepAlive = output.client_session_keep_alive;
  // The driver retries a login that fails with what it deems transient (a network error, HTTP
  // 5xx, 408 or 429) with jittered exponential backoff; connect_retries caps how many times.
  if (output.connect_retries !== undefined) options.sfRetryMaxLoginRetries = output.connect_retries;
  if (output.access_url) options.accessUrl = output.access_url.replace(/\/$/, '');
  return options;
}

/**
 * The session parameters hindsight's SQL depends on, each at the value it was written for, set in
 * one statement (one round trip) before anything else runs. An account or user may set any of them
 * otherwise (a BI team's `DATE_OUTPUT_FORMAT = 'DD/MM/YYYY'`), and a session inherits that. Each is
 * Snowflake's default (docs.snowflake.com/en/sql-reference/parameters) except TIMEZONE:
 * - TIMEZONE: what a TIMESTAMP_LTZ means, which instant a TIMESTAMP_NTZ or DATE column is read as
 *   (Dialect.toTimestamp), and what CURRENT_TIMESTAMP shows. UTC, as hindsight's windows are.
 * - DATE_INPUT_FORMAT, TIMESTAMP_INPUT_FORMAT: how text becomes a date or timestamp, in every cast of
 *   text. hindsight's literals (`'2026-04-20 06:00:00'::timestamp_ntz`, seeds' values) and the day
 *   bounds of a time filter (`col >= '2026-04-19'`, coerced to the column's type, which the compiled
 *   SQL does not know) are ISO text, and a source's time column may be ISO 8601 text of any offset:
 *   AUTO reads all of them, where `DD/MM/YYYY` fails the run or reads another day.
 * - DATE_OUTPUT_FORMAT, TIME_OUTPUT_FORMAT, TIMESTAMP_OUTPUT_FORMAT and its NTZ/LTZ/TZ variants,
 *   BINARY_OUTPUT_FORMAT: how a date, time, timestamp or binary becomes text, in every
 *   `cast(x as varchar)`. A segment, key or model-version column of those types is compared and
 *   stored as that text (Dialect.toText, whose SQL cannot choose a format by a type it does not
 *   know): another format made another segment_value, so an incremental run no longer equalled a
 *   full refresh, nor one user's run another's. The LTZ and TZ formats default to none (then
 *   TIMESTAMP_OUTPUT_FORMAT's applies); a session cannot unset them to that, only to the account's
 *   or user's value, so they are set to the format they fall back to.
 * - AUTOCOMMIT: a statement outside hindsight's BEGIN … COMMIT (the run log's inserts and updates)
 *   is committed when it ends; with AUTOCOMMIT off it would open a transaction nothing commits.
 * WEEK_START and WEEK_OF_YEAR_POLICY are not read (weeks come from DAYOFWEEKISO), nor is
 * TIMESTAMP_TYPE_MAPPING (every type is named TIMESTAMP_NTZ or TIMESTAMP_TZ).
 */
export const SESSION_PARAMETERS: Record<string, string | boolean> = {
  timezone: 'UTC',
  date_input_format: 'AUTO',
  timestamp_input_format: 'AUTO',
  date_output_format: 'YYYY-MM-DD',
  time_output_format: 'HH24:MI:SS',
  timestamp_output_format: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  timestamp_ntz_output_format: 'YYYY-MM-DD HH24:MI:SS.FF3',
  timestamp_ltz_output_format: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  timestamp_tz_output_format: 'YYYY-MM-DD HH24:MI:SS.FF3 TZHTZM',
  binary_output_format: 'HEX',
  autocommit: true,
};

const SESSION_SETUP = `alter session set ${Object.entries(SESSION_PARAMETERS)
  .map(([name, value]) => `${name} = ${typeof value === 'boolean' ? value : `'${value}'`}`)
  .join(', ')}`;

export async function openSnowflake(output: SnowflakeOutput): Promise<Adapter> {
  const options = connectionOptions(output);
  // The driver's AWS dependency warns on every load under Node 20 about its own future support;
  // it says nothing about this run, so it is silenced unless the user set the variable.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const mod = await import('snowflake-sdk');
  const sdk: Sdk = (mod as unknown as { default?: Sdk }).default ?? mod;
  // The driver logs to ./snowflake.log and the console by default; errors reach us through callbacks.
  sdk.configure({ logLevel: 'OFF' });
  const connection: Connection = sdk.createConnection(options);
  await new Promise<void>((resolve, reject) => {
    connection.connect((err) => (err ? reject(err) : resolve()));
  });

  let statementTag: string | undefined = output.query_tag;
  let running: RowStatement | undefined;
  const run = (sql: string) =>
    new Promise<{ statement: RowStatement; rows: unknown[][] }>((resolve, reject) => {
      const statement = connection.execute({
        sqlText: sql,
        rowMode: 'array',
        ...(statementTag ? { parameters: { QUERY_TAG: statementTag } } : {}),
        complete: (err: SnowflakeError | undefined, done, rows) => {
          if (running === statement) running = undefined;
          if (err) reject(err);
          else resolve({ statement: done, rows: (rows ?? []) as unknown[][] });
        },
      });
      running = statement;
    });

  try {
    await run(SESSION_SETUP);
  } catch (e) {
    await new Promise<void>((resolve) => connection.destroy(() => resolve()));
    throw e;
  }

  return {
    type: 'snowflake',
    dialect: snowflake,
    async execute(sql) {
      const { statement } = await run(sql);
      // -1 for statements that are not DML (DDL, transaction control, queries).
      return Math.max(0, statement.getNumUpdatedRows() ?? 0);
    },
    async query(sql) {
      const { statement, rows } = await run(sql);
      const columns = statement.getColumns() ?? [];
      return rows.map((values) => {
        const out: Row = {};
        columns.forEach((column, i) => {
          out[columnName(column.getName())] = plainSnowflakeValue(values[i], column);
        });
        return out;
      });
    },
    async columns(select) {
      const { statement } = await run(`select * from (\n${select}\n) as probe limit 0`);
      // (a NUMBER with a scale as NUMBER(p,s): the column check refuses it as classes, its text being '1.0')
      return (statement.getColumns() ?? []).map((c) => ({
        name: configuredName(c.getName()),
        type: c.getType() === 'fixed' && c.getScale() > 0 ? `NUMBER(${c.getPrecision()},${c.getScale()})` : c.getType(),
      }));
    },
    setContext(tags) {
      statementTag = Object.keys(tags).length
        ? JSON.stringify({ app: 'hindsight', ...(output.query_tag ? { query_tag: output.query_tag } : {}), ...tags })
        : output.query_tag;
    },
    openSession: () => openSnowflake(output),
    errorPosition: snowflakeErrorPosition,
    // The driver asks the service to abort the statement (by its request ID); the statement then
    // fails with Snowflake's "SQL execution canceled", which the waiting run reports.
    async interrupt() {
      const statement = running;
      if (!statement) return;
      await new Promise<void>((resolve, reject) => statement.cancel((err) => (err ? reject(err) : resolve())));
    },
    async close() {
      await new Promise<void>((resolve, reject) => connection.destroy((err) => (err ? reject(err) : resolve())));
    },
  };
}

/**
 * Snowflake says where in the statement an error is as "error line 3 at position 12" (or "syntax
 * error line 1 at position 0 unexpected …"): a line from 1 and a position in it from 0.
 */
export function snowflakeErrorPosition(error: unknown): StatementPosition | undefined {
  const m = /\bline (\d+) at position (\d+)\b/.exec(error instanceof Error ? error.message : '');
  return m ? { line: Number(m[1]), column: Number(m[2]) + 1 } : undefined;
}
