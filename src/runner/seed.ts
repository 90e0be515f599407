// `hindsight seed`: loads <seed-path>/<schema>/<table>.csv into the target as <schema>.<table>
// (a CSV directly in the seed path goes to the project schema). As in dbt, subdirectories below
// that only organize the files: <seed-path>/<schema>/<any>/<path>/<table>.csv loads into
// <schema>.<table> too, and two files that would load into one table are refused. Column types are
// inferred from the values, like dbt seed: integer, double, boolean, timestamp, else text (and text
// for numbers written with a leading zero, which a number would lose); an empty field is NULL.
//
// Every file is read and checked before anything is loaded, and a file that is not what it should
// be (ragged rows, an unclosed quote, a date that does not exist, …) is refused with its
// file:line:column: nothing is loaded then. Each table is replaced atomically: a seed that fails in
// the warehouse leaves its table as it was.
import { readFileSync } from 'node:fs';
import type { Adapter } from '../adapters/index.js';
import type { ColumnType, SeedFile } from '../config/seed-files.js';
import { closest } from '../config/suggest.js';
import { ConfigError, type ConfigIssue } from '../errors.js';
import { CsvSyntaxError, readCsvRecords } from './csv.js';

/**
 * A date, or a date and time, optionally with fractional seconds (up to microseconds) and, after a
 * time, a UTC offset (`Z`, `+01:00`, `+0100`, `+01`). A time without an offset is UTC, as every
 * time hindsight reads is.
 */
const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,6})?)?(Z|[+-]\d{2}(?::?\d{2})?)?|Z)?$/;

const WHOLE = /^-?\d+$/;
/** A whole number a 64-bit integer holds: every warehouse's bigint. */
const INT64 = { test: (v: string) => WHOLE.test(v) && v.replace('-', '').length <= 19 && BigInt(v) >= -(2n ** 63n) && BigInt(v) < 2n ** 63n };

const PATTERNS: [ColumnType, { test(v: string): boolean }][] = [
  ['bigint', INT64],
  ['double', /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/],
  ['boolean', /^(true|false)$/i],
  ['timestamp', TIMESTAMP],
];

/** What a value of each type is, in words, for a value that a column_types entry says is one and is not. */
const VALUE_WORDS: Record<Exclude<ColumnType, 'text'>, string> = {
  bigint: 'a whole number from -9223372036854775808 to 9223372036854775807',
  double: 'a number',
  boolean: 'true or false',
  timestamp: 'a date or date-time',
};

/**
 * The type `hindsight seed` gives a column, from its values. A column with a number written with a
 * leading zero (`00042`, an ID or a postal code) is text: as a number it would lose the zeros. So is
 * one of whole numbers that a bigint cannot hold (a 20-digit ID): as a double it would lose digits.
 */
export function inferType(values: string[]): ColumnType {
  const present = values.filter((v) => v !== '');
  const leadingZero = present.some((v) => /^-?0\d/.test(v));
  const wholeBeyondBigint = present.every((v) => WHOLE.test(v)) && !present.every((v) => INT64.test(v));
  for (const [type, pattern] of PATTERNS) {
    if ((leadingZero || wholeBeyondBigint) && (type === 'bigint' || type === 'double')) continue;
    if (present.every((v) => pattern.test(v))) return type;
  }
  return 'text';
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * A timestamp value as the UTC time it names, `YYYY-MM-DD HH:MM:SS[.ffffff]`, which every
 * warehouse casts to the same timestamp; or why it names none (a date that does not exist).
 */
export function utcTimestamp(value: string): { utc: string } | { error: string } {
  const m = TIMESTAMP.exec(value);
  if (!m) return { error: 'is not a date or date-time' };
  const [, y, mo, d, h = '00', mi = '00', s = '00', fraction = '', zone = ''] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (year < 1 || date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return { error: 'is not a date that exists' };
  if (Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) return { error: 'is not a time of day (00:00:00 to 23:59:59)' };
  let offsetMinutes = 0;
  if (zone && zone !== 'Z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2));
    const om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return { error: `has an offset (${zone}) that is not one` };
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om);
  }
  date.setUTCHours(Number(h), Number(mi) - offsetMinutes, Number(s), 0);
  const utcYear = date.getUTCFullYear();
  if (utcYear < 1 || utcYear > 9999) return { error: 'is outside the years 0001 to 9999 in UTC' };
  const utc =
    `${pad(utcYear, 4)}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())} ` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())}${fraction}`;
  return { utc };
}

export interface SeedResult {
  table: string;
  rows: number;
}

/** A seed file read and checked: its columns, and its values as the warehouse is given them. */
export interface ParsedSeed {
  file: SeedFile;
  columns: { name: string; type: ColumnType }[];
  /** Per row, per column: null for an empty field; a timestamp as its UTC time (utcTimestamp). */
  rows: (string | null)[][];
}

/** One or more seed files that cannot be loaded as they are (exit code 2): nothing was loaded. */
export class SeedFileError extends ConfigError {
  override readonly summary = 'seed file problem(s); nothing was loaded';
  constructor(issues: ConfigIssue[]) {
    super(issues);
    this.name = 'SeedFileError';
  }
}

/** A file for a table that an earlier file loads into already. */
function oneFilePerTable(files: SeedFile[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, SeedFile>();
  for (const seed of files) {
    const key = `${seed.schema}.${seed.table}`.toLowerCase();
    const earlier = first.get(key);
    if (earlier) {
      issues.push({
        file: seed.name ?? seed.path, line: 1, column: 1, key: '',
        message: `loads into ${seed.schema}.${seed.table}, as ${earlier.name ?? earlier.path} does (as in dbt, the directories below the schema's only organize seeds: a table is named by its file alone); rename one of them`,
      });
    } else first.set(key, seed);
  }
  return issues;
}

/**
 * A file that would load into a table hindsight writes in its own schema: `hindsight_metrics`,
 * `hindsight_runs`, or a monitor's `__evaluations` or `__mase_history` (of any monitor: a deleted
 * monitor's tables are kept). Loading it replaced the table, every monitor's metrics with it.
 * Names compare ignoring case, as the files' do.
 */
export function hindsightsOwnTables(schema: string, files: SeedFile[]): ConfigIssue[] {
  const own = (table: string) => /^(hindsight_metrics|hindsight_runs|.+__evaluations|.+__mase_history)$/.test(table.toLowerCase());
  return files
    .filter((seed) => seed.schema.toLowerCase() === schema.toLowerCase() && own(seed.table))
    .map((seed) => ({
      file: seed.name ?? seed.path, line: 1, column: 1, key: '',
      message: `loads into ${seed.schema}.${seed.table}, a table hindsight writes itself in its schema (hindsight.yml's schema: ${schema}); rename the file, or move it under a directory of another schema`,
    }));
}

/** At most this many problems are reported per file (a file of ragged rows would give one per row). */
const MAX_ISSUES_PER_FILE = 10;

/** Reads and checks a seed file; its problems, each with the file, line and column, when it has any. */
export function readSeed(file: SeedFile): { seed?: ParsedSeed; issues: ConfigIssue[] } {
  const shown = file.name ?? file.path;
  const issue = (line: number, column: number, message: string, key = ''): ConfigIssue => ({ file: shown, line, column, key, message });
  const bytes = readFileSync(file.path);
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { issues: [issue(1, 1, 'is UTF-16 text; save it as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")')] };
  }
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    const lenient = bytes.toString('utf8');
    const at = lenient.indexOf('\uFFFD');
    const before = lenient.slice(0, Math.max(at, 0)).split(/\r\n|\r|\n/);
    return { issues: [issue(before.length, (before.at(-1)?.length ?? 0) + 1, 'is not UTF-8 text here (Latin-1 or Windows-1252?); save the file as UTF-8 (Excel: "CSV UTF-8 (Comma delimited)")')] };
  }
  // Excel's "CSV UTF-8" starts the file with a byte order mark, which is no part of the first column's name.
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  let records;
  const issues: ConfigIssue[] = [];
  try {
    records = readCsvRecords(text);
  } catch (e) {
    if (!(e instanceof CsvSyntaxError)) throw e;
    // the records before it are checked too: all the file's problems at once
    issues.push(issue(e.line, e.column, e.message));
    records = e.before;
  }
  const [header, ...rows] = records;
  if (!header) return { issues: issues.length ? issues : [issue(1, 1, 'is empty: its first line must name the columns')] };
  const seen = new Map<string, number>();
  header.fields.forEach((name, i) => {
    const at = header.starts[i]!;
    if (name.trim() === '') issues.push(issue(at.line, at.column, `column ${i + 1} has no name${i === header.fields.length - 1 && i > 0 ? ' (a comma at the end of the line?)' : ''}`));
    const earlier = seen.get(name.toLowerCase());
    if (earlier !== undefined && name.trim() !== '') {
      issues.push(issue(at.line, at.column, `column ${i + 1} is named "${name}", as column ${earlier + 1} ("${header.fields[earlier]}") is; column names must differ, ignoring case`));
    } else seen.set(name.toLowerCase(), i);
  });
  const width = header.fields.length;
  const ragged = rows.filter((r) => r.fields.length !== width);
  for (const row of ragged.slice(0, MAX_ISSUES_PER_FILE)) {
    const n = row.fields.length;
    const where = n > width ? row.starts[width]! : row.end;
    const what =
      n > width
        ? n - width === 1 ? `field ${n} ("${row.fields[width]}") is one too many` : `fields ${width + 1} to ${n} are too many`
        : `${header.fields.slice(n).join(', ')} ${width - n === 1 ? 'is' : 'are'} missing (an empty field, as in ",,", is NULL)`;
    issues.push(issue(where.line, where.column, `this row has ${n} field(s), the header ${width}: ${what}`));
  }
  if (ragged.length > MAX_ISSUES_PER_FILE) issues.push(issue(ragged[MAX_ISSUES_PER_FILE]!.line, 1, `and ${ragged.length - MAX_ISSUES_PER_FILE} more row(s) of the wrong number of fields`));
  if (issues.length) return { issues };

  const given: NonNullable<SeedFile['columnTypes']> = file.columnTypes ?? new Map();
  // a column_types entry for a column the file does not have, at its line in hindsight.yml
  const names = new Set(header.fields.map((f) => f.toLowerCase()));
  for (const [column, { at }] of given) {
    if (names.has(column)) continue;
    const suggestion = closest(column, header.fields);
    issues.push({ ...at, message: `${shown} has no column "${at.key.split('.').at(-1)}"${suggestion ? ` (did you mean "${suggestion}"?)` : ''}; its columns: ${header.fields.join(', ')}` });
  }
  if (issues.length) return { issues };
  const columns = header.fields.map((name, i) => {
    const type = given.get(name.toLowerCase())?.type;
    return { name, type: type ?? inferType(rows.map((r) => r.fields[i]!)), given: type !== undefined };
  });
  const badValues: ConfigIssue[] = [];
  const values = rows.map((r) =>
    r.fields.map((v, i) => {
      if (v === '') return null;
      const { name, type, given: isGiven } = columns[i]!;
      const bad = (what: string) => {
        badValues.push(issue(r.starts[i]!.line, r.starts[i]!.column, what, name));
        return null;
      };
      if (type === 'text') return v;
      // (an inferred type matches every value; a given one is checked)
      if (type !== 'timestamp' && !PATTERNS.find(([t]) => t === type)![1].test(v)) {
        return bad(`"${v}" is not ${VALUE_WORDS[type]}: hindsight.yml gives the column the type ${type} (${given.get(name.toLowerCase())!.at.key})`);
      }
      if (type === 'bigint') return BigInt(v).toString();
      if (type === 'boolean') return v.toLowerCase();
      if (type === 'double') return v;
      const t = utcTimestamp(v);
      if ('utc' in t) return t.utc;
      return bad(`"${v}" ${t.error}, in a column of dates and times${isGiven ? ` (${given.get(name.toLowerCase())!.at.key})` : ''}`);
    }),
  );
  if (badValues.length) {
    const more = badValues.length - MAX_ISSUES_PER_FILE;
    return { issues: [...badValues.slice(0, MAX_ISSUES_PER_FILE), ...(more > 0 ? [{ ...badValues[MAX_ISSUES_PER_FILE]!, message: `and ${more} more value(s) not of their column's type` }] : [])] };
  }
  return { seed: { file, columns: columns.map(({ name, type }) => ({ name, type })), rows: values }, issues: [] };
}

/**
 * Reads and checks every file before any is loaded: all their problems at once (SeedFileError),
 * among them two files that would load into the same table, compared ignoring case, as DuckDB and
 * Snowflake's unquoted names do (only among the files given: those --select picked), and the
 * `others` found before.
 */
export function readSeeds(files: SeedFile[], others: ConfigIssue[] = []): ParsedSeed[] {
  const read = files.map(readSeed);
  const issues = [...others, ...oneFilePerTable(files), ...read.flatMap((r) => r.issues)];
  if (issues.length) throw new SeedFileError(issues);
  return read.map((r) => r.seed!);
}

/**
 * Loads one seed into its table, replacing the table atomically: on DuckDB and Postgres in one
 * transaction; where DDL is not transactional (BigQuery, Snowflake) into a staging table first,
 * which then replaces the table in one statement. A failure leaves the table as it was, as does an
 * abort of `signal` (`build` interrupted), checked before each statement but a commit.
 */
export async function loadSeed(adapter: Adapter, input: SeedFile | ParsedSeed, signal?: AbortSignal): Promise<SeedResult> {
  const seed = 'columns' in input ? input : readSeeds([input])[0]!;
  const { schema, table: tableName } = seed.file;
  const d = adapter.dialect;
  const sqlType = (t: ColumnType) => (t === 'text' ? d.types.text : t === 'double' ? d.types.double : d.types[t]);
  const literal = (value: string | null, t: ColumnType) => {
    if (value === null) return 'null';
    if (t === 'bigint' || t === 'boolean') return value;
    // a double from its text, not a numeric literal: DuckDB types 0.9990000000000001 as a DECIMAL and
    // rounds it again into a double (0.999), one unit in the last place off the file's value
    if (t === 'double') return `cast(${d.string(value)} as ${d.types.double})`;
    if (t === 'timestamp') return `cast(${d.string(value)} as ${d.types.timestamp})`;
    return d.string(value);
  };
  const qualified = (name: string) => `${d.quote(schema)}.${d.quote(name)}`;
  const table = qualified(tableName);
  const createAs = (target: string) => `create table ${target} (${seed.columns.map((c) => `${d.quote(c.name)} ${sqlType(c.type)}`).join(', ')})`;
  const insertInto = async (target: string) => {
    for (let start = 0; start < seed.rows.length; start += 1000) {
      const batch = seed.rows.slice(start, start + 1000);
      signal?.throwIfAborted();
      const values = batch.map((r) => `(${r.map((v, i) => literal(v, seed.columns[i]!.type)).join(', ')})`).join(',\n');
      await adapter.execute(`insert into ${target} values\n${values}`);
    }
  };
  const createSchema = `create schema if not exists ${d.quote(schema)}`;
  if (d.capabilities.transactionalDdl) {
    await adapter.execute('begin');
    try {
      await adapter.execute(createSchema);
      await adapter.execute(`drop table if exists ${table}`);
      await adapter.execute(createAs(table));
      await insertInto(table);
      signal?.throwIfAborted();
      await adapter.execute('commit');
    } catch (e) {
      await adapter.execute('rollback').catch(() => undefined);
      throw e;
    }
  } else {
    // A table of this name left behind (the process was killed while it loaded) can be dropped.
    const staged = qualified(`hs_${tableName}__seed`);
    await adapter.execute(createSchema);
    try {
      await adapter.execute(`drop table if exists ${staged}`);
      await adapter.execute(createAs(staged));
      await insertInto(staged);
      signal?.throwIfAborted();
      await adapter.execute(`create or replace table ${table} as select * from ${staged}`);
    } finally {
      await adapter.execute(`drop table if exists ${staged}`).catch(() => undefined);
    }
  }
  return { table: `${schema}.${tableName}`, rows: seed.rows.length };
}
