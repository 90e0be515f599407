// `hindsight seed`: loads <seed-path>/<schema>/<table>.csv into the target as <schema>.<table>
// (a CSV directly in the seed path goes to the project schema). Column types are inferred from the
// values, like dbt seed: integer, double, boolean, timestamp, else text; an empty field is NULL.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { Adapter } from '../adapters/index.js';
import type { Project } from '../config/load.js';
import { parseCsv } from './csv.js';

export type ColumnType = 'bigint' | 'double' | 'boolean' | 'timestamp' | 'text';

const PATTERNS: [ColumnType, RegExp][] = [
  ['bigint', /^-?\d{1,18}$/],
  ['double', /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/],
  ['boolean', /^(true|false)$/i],
  ['timestamp', /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?)?Z?$/],
];

/** The type `hindsight seed` gives a column, from its values. */
export function inferType(values: string[]): ColumnType {
  const present = values.filter((v) => v !== '');
  for (const [type, pattern] of PATTERNS) if (present.every((v) => pattern.test(v))) return type;
  return 'text';
}

export interface SeedResult {
  table: string;
  rows: number;
}

export function seedFiles(project: Project): { schema: string; table: string; path: string }[] {
  const out: { schema: string; table: string; path: string }[] = [];
  for (const seedPath of project.config['seed-paths']) {
    const root = resolve(project.dir, seedPath);
    if (!existsSync(root)) continue;
    for (const entry of readdirSync(root).sort()) {
      const full = join(root, entry);
      if (statSync(full).isDirectory()) {
        for (const file of readdirSync(full).sort()) {
          if (file.endsWith('.csv')) out.push({ schema: entry, table: basename(file, '.csv'), path: join(full, file) });
        }
      } else if (entry.endsWith('.csv')) {
        out.push({ schema: project.config.schema, table: basename(entry, '.csv'), path: full });
      }
    }
  }
  return out;
}

export async function loadSeed(adapter: Adapter, seed: { schema: string; table: string; path: string }): Promise<SeedResult> {
  const d = adapter.dialect;
  const [header, ...rows] = parseCsv(readFileSync(seed.path, 'utf8')).filter((r) => r.length > 1 || r[0] !== '');
  if (!header) throw new Error(`${seed.path} is empty`);
  const types = header.map((_, i) => inferType(rows.map((r) => r[i] ?? '')));
  const sqlType = (t: ColumnType) => (t === 'text' ? d.types.text : t === 'double' ? d.types.double : d.types[t]);
  const literal = (value: string, t: ColumnType) => {
    if (value === '') return 'null';
    if (t === 'bigint' || t === 'double') return value;
    if (t === 'boolean') return value.toLowerCase();
    if (t === 'timestamp') return `cast(${d.string(value)} as ${d.types.timestamp})`;
    return d.string(value);
  };
  const table = `${d.quote(seed.schema)}.${d.quote(seed.table)}`;
  const ddl = [
    `create schema if not exists ${d.quote(seed.schema)}`,
    `drop table if exists ${table}`,
    `create table ${table} (${header.map((h, i) => `${d.quote(h)} ${sqlType(types[i]!)}`).join(', ')})`,
  ];
  // Where a transaction cannot hold DDL (BigQuery rejects it), the table is made first and only
  // the inserts are atomic.
  if (!d.capabilities.transactionalDdl) for (const statement of ddl) await adapter.execute(statement);
  await adapter.execute('begin');
  try {
    if (d.capabilities.transactionalDdl) for (const statement of ddl) await adapter.execute(statement);
    for (let start = 0; start < rows.length; start += 1000) {
      const batch = rows.slice(start, start + 1000);
      const values = batch.map((r) => `(${header.map((_, i) => literal(r[i] ?? '', types[i]!)).join(', ')})`).join(',\n');
      await adapter.execute(`insert into ${table} values\n${values}`);
    }
    await adapter.execute('commit');
  } catch (e) {
    await adapter.execute('rollback').catch(() => undefined);
    throw e;
  }
  return { table: `${seed.schema}.${seed.table}`, rows: rows.length };
}
