import type { OutputConfig } from '../config/schema.js';
import type { Adapter } from './adapter.js';

export type { Adapter, Column, Row } from './adapter.js';

/** Opens the warehouse of a target; each warehouse's client library is loaded only when used. */
export async function openAdapter(output: OutputConfig): Promise<Adapter> {
  switch (output.type) {
    case 'duckdb':
      return (await import('./duckdb.js')).openDuckdb(output);
    case 'postgres':
      return (await import('./postgres.js')).openPostgres(output);
    case 'snowflake':
      return (await import('./snowflake.js')).openSnowflake(output);
    case 'bigquery':
      return (await import('./bigquery.js')).openBigquery(output);
  }
}
