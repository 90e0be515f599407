import { bigquery } from './bigquery.js';
import type { Dialect } from './dialect.js';
import { duckdb } from './duckdb.js';
import { postgres } from './postgres.js';
import { snowflake } from './snowflake.js';

export type { Dialect } from './dialect.js';

export const dialects: Record<string, Dialect> = { duckdb, postgres, bigquery, snowflake };

export function dialectFor(name: string): Dialect {
  const dialect = dialects[name];
  if (!dialect) throw new Error(`no SQL dialect for warehouse type "${name}"; known: ${Object.keys(dialects).join(', ')}`);
  return dialect;
}
