// DuckDB, embedded: the default warehouse. One database instance per run; each session is a
// connection to it, in UTC.
import { mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { OutputConfig } from '../config/schema.js';
import { duckdb } from '../dialects/duckdb.js';
import { plainValue, SessionSettingError, type Adapter, type Row, type StatementPosition } from './adapter.js';

type DuckdbOutput = Extract<OutputConfig, { type: 'duckdb' }>;

export async function openDuckdb(output: DuckdbOutput): Promise<Adapter> {
  // require, not import(): the package is CommonJS re-exporting some 40 files, and an ES import makes
  // Node lex each of them for its export names first. 40-47 ms (55-59 ms of CPU) against 79-90 ms
  // (134-155 ms) in a new process (bench/prototypes/module-load.mjs), paid by every DuckDB command.
  const { DuckDBInstance: Instance } = createRequire(import.meta.url)('@duckdb/node-api') as typeof import('@duckdb/node-api');
  // Nothing hindsight writes relies on the order rows are stored in (every window and aggregate
  // orders or groups explicitly), and keeping it made DuckDB write the incremental run's evaluation
  // rows on one thread: 0.9 s against 0.45 s of wall time for 1.6 M rows at 10M predictions
  // (docs/performance.md, incremental).
  const options: Record<string, string> = { preserve_insertion_order: 'false' };
  for (const [name, value] of Object.entries(output.settings ?? {})) options[name] = String(value);
  if (output.memory_limit) options.memory_limit = output.memory_limit;
  if (output.path !== ':memory:') mkdirSync(dirname(output.path), { recursive: true });
  let instance: DuckDBInstance;
  try {
    instance = await Instance.create(output.path, options);
  } catch (error) {
    // DuckDB names an unknown option, or one whose extension is missing, itself
    if (!/^Failed to set config$/.test((error as Error).message)) throw error;
    throw (await rejectedSetting(Instance, output)) ?? error;
  }
  return session(instance, true);
}

/**
 * DuckDB refuses a bad value of a configuration option at startup with "Failed to set config"
 * alone: each of the profile's options DuckDB itself knows (not an extension's, whose setting might
 * install it) is set again on a throwaway in-memory database, which says which one and why
 * (undefined when none is refused there: the startup error stands).
 */
async function rejectedSetting(Instance: typeof DuckDBInstance, output: DuckdbOutput): Promise<SessionSettingError | undefined> {
  const settings: [string, string, string | undefined][] = [
    ...Object.entries(output.settings ?? {}).map(([name, value]): [string, string, string] => [name, String(value), 'settings']),
    ...(output.memory_limit ? [['memory_limit', output.memory_limit, undefined] as [string, string, undefined]] : []),
  ];
  const probe = await Instance.create(':memory:');
  try {
    const connection = await probe.connect();
    const known = new Set((await connection.runAndReadAll('select name from duckdb_settings()')).getRows().map(([name]) => String(name).toLowerCase()));
    for (const [name, value, group] of settings) {
      if (!known.has(name.toLowerCase())) continue; // (DuckDB's option names are case-insensitive)
      try {
        await connection.run(`set ${duckdb.quote(name)} = ${duckdb.string(value)}`);
      } catch (e) {
        const message = (e as Error).message.replace(/\s+/g, ' ').trim();
        // an option only a new database takes (access_mode) says nothing of its value here
        if (!/while (the )?database is running/i.test(message)) return new SessionSettingError(name, value, message, group);
      }
    }
    return undefined;
  } finally {
    probe.closeSync();
  }
}

/**
 * A connection to the instance. Further sessions (openSession) are connections to the same instance:
 * a second instance of one file would be refused its lock, and one of `:memory:` is another database.
 * Only the first session's close closes the instance.
 */
async function session(instance: DuckDBInstance, ownsInstance: boolean): Promise<Adapter> {
  const connection: DuckDBConnection = await instance.connect();
  try {
    await connection.run(`set TimeZone = 'UTC'`);
  } catch (error) {
    connection.closeSync();
    if (ownsInstance) instance.closeSync();
    throw error;
  }
  return {
    type: 'duckdb',
    dialect: duckdb,
    reportsCreatedRows: true,
    async execute(sql) {
      const reader = await connection.runAndReadAll(sql);
      // DML and `create table … as` answer with one row, Count (rowsChanged is 0 for the latter)
      if (reader.currentRowCount === 1 && reader.columnNames().join() === 'Count') return Number(reader.getRows()[0]![0]);
      return reader.rowsChanged;
    },
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return reader.getRowObjectsJS().map((row) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
        return out;
      });
    },
    async columns(select) {
      const reader = await connection.runAndReadAll(`select * from (\n${select}\n) as probe limit 0`);
      const types = reader.columnTypes();
      return reader.columnNames().map((name, i) => ({ name, type: types[i]!.toString() }));
    },
    openSession: () => session(instance, false),
    async interrupt() {
      connection.interrupt();
    },
    errorPosition: duckdbErrorPosition,
    async close() {
      connection.closeSync();
      if (ownsInstance) instance.closeSync();
    },
  };
}

/**
 * DuckDB ends a message with the statement's line and a caret under the place: "LINE 3:   nosuch"
 * then "          ^". A line too long to show is cut, "..." before it, and the caret's column is then
 * the cut line's; the caret is placed by display width, which a tab (drawn with none) or a wide
 * character (日, two) makes differ from a count of characters. In those cases only the line is kept.
 */
export function duckdbErrorPosition(error: unknown): StatementPosition | undefined {
  const m = /\nLINE (\d+): (.*)\n( *)\^\s*$/.exec(error instanceof Error ? error.message : '');
  if (!m) return undefined;
  const line = Number(m[1]);
  const column = m[3]!.length - `LINE ${line}: `.length + 1;
  if (m[2]!.startsWith('...') || !/^[ -~]*$/.test(m[2]!.slice(0, column - 1))) return { line };
  return { line, column };
}
