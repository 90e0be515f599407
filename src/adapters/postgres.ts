// Postgres through `pg`, loaded only when a profile targets Postgres. Sessions are UTC.
import type { OutputConfig } from '../config/schema.js';
import { postgres } from '../dialects/postgres.js';
import { plainValue, type Adapter, type Row } from './adapter.js';

type PostgresOutput = Extract<OutputConfig, { type: 'postgres' }>;

// Type OIDs whose text form we parse ourselves: int8 and numeric to numbers, timestamp (without
// time zone, which is what hindsight writes) as UTC.
const INT8 = 20;
const NUMERIC = 1700;
const TIMESTAMP = 1114;

export async function openPostgres(output: PostgresOutput): Promise<Adapter> {
  const pg = (await import('pg')).default;
  const types = {
    getTypeParser(oid: number, format?: 'text' | 'binary') {
      if (oid === INT8 || oid === NUMERIC) return (text: string) => Number(text);
      if (oid === TIMESTAMP) return (text: string) => new Date(`${text.replace(' ', 'T')}Z`);
      return pg.types.getTypeParser(oid, format as 'text');
    },
  };
  const client = new pg.Client({
    host: output.host,
    port: output.port,
    user: output.user,
    password: output.password,
    database: output.dbname,
    ssl: output.sslmode && output.sslmode !== 'disable' && output.sslmode !== 'allow' && output.sslmode !== 'prefer' ? { rejectUnauthorized: output.sslmode === 'verify-full' || output.sslmode === 'verify-ca' } : undefined,
    connectionTimeoutMillis: (output.connect_timeout ?? 10) * 1000,
    application_name: 'hindsight',
    types: types as never,
  });
  await client.connect();
  await client.query(`set time zone 'UTC'`);
  if (output.schema) await client.query(`set search_path to ${postgres.quote(output.schema)}, public`);
  return {
    type: 'postgres',
    dialect: postgres,
    async execute(sql) {
      const result = await client.query(sql);
      return result.rowCount ?? 0;
    },
    async query(sql) {
      const result = await client.query(sql);
      return result.rows.map((row: Row) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
        return out;
      });
    },
    async columns(select) {
      const result = await client.query(`select * from (\n${select}\n) as probe limit 0`);
      return result.fields.map((f) => f.name);
    },
    async close() {
      await client.end();
    },
  };
}
