// Postgres through `pg`, loaded only when a profile targets Postgres. Sessions are UTC.
import type { OutputConfig } from '../config/schema.js';
import { postgres } from '../dialects/postgres.js';
import { plainValue, SessionSettingError, type Adapter, type Row, type StatementPosition } from './adapter.js';

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
  const config = {
    host: output.host,
    port: output.port,
    user: output.user,
    password: output.password,
    database: output.dbname,
    ssl: output.sslmode && output.sslmode !== 'disable' && output.sslmode !== 'allow' && output.sslmode !== 'prefer' ? { rejectUnauthorized: output.sslmode === 'verify-full' || output.sslmode === 'verify-ca' } : undefined,
    connectionTimeoutMillis: (output.connect_timeout ?? 10) * 1000,
    application_name: 'hindsight',
    types: types as never,
  };
  const client = new pg.Client(config);
  // A connection the server or the network ends (a restart, a failover, an idle-session timeout,
  // pg_terminate_backend) is an 'error' event, which would crash the process without a listener: the
  // statement running fails with it, and every later one says the session is gone.
  let lost: Error | undefined;
  client.on('error', (e: Error) => {
    lost ??= e;
  });
  // names of the built-in types' OIDs, as `pg` knows them (INT4, TEXT, FLOAT8, …)
  const typeNames = new Map(Object.entries(pg.types.builtins).map(([name, oid]) => [oid as number, name]));
  await client.connect();
  // One round trip, whatever the database, role or PGOPTIONS sets:
  // - UTC, which hindsight's windows are in;
  // - times as ISO text, which the TIMESTAMP parser above reads and every warehouse writes a date or
  //   time segment, key or model version as ('SQL, DMY' wrote '30/10/2026 12:00:00': every incremental
  //   run failed in its plan); only the output style, keeping the input order (DMY, MDY) a source's
  //   own SQL may rely on;
  // - doubles as the shortest text that reads back as the same double (extra_float_digits 1, the
  //   default since PostgreSQL 12; 0 or less wrote 15 digits, another segment or class text than
  //   DuckDB's, and the client read values rounded). PostgreSQL 11 has no shortest form: 1 writes 16
  //   significant digits there.
  await client.query(`set time zone 'UTC'; set datestyle to 'ISO'; set extra_float_digits to 1`);
  if (output.schema) await client.query(`set search_path to ${postgres.quote(output.schema)}, public`);
  // JIT compilation of hindsight's statements, without LLVM's optimization and inlining passes. Each
  // step is one statement with dozens of aggregates, and optimizing and inlining its code took about
  // 0.4 s for the data-quality step and 2 s for the metric step, at any data size. Without them, a full
  // refresh of 1M predictions used 8-14% less server CPU and an incremental run a third less, and one
  // of 10M the same as with them; with JIT off entirely, 10M used 5% more (docs/performance.md,
  // "PostgreSQL's JIT"). Through pg_settings: a server without these settings is left alone.
  await client.query(
    `select set_config(name, '-1', false) from pg_settings where name in ('jit_optimize_above_cost', 'jit_inline_above_cost')`,
  );
  // then the profile's session_settings, which may undo the above
  for (const [name, value] of Object.entries(output.session_settings ?? {})) {
    try {
      await client.query('select set_config($1, $2, false)', [name, String(value)]);
    } catch (e) {
      await client.end();
      throw new SessionSettingError(name, String(value), (e as Error).message, 'session_settings');
    }
  }
  let cancelling: Promise<void> | undefined;
  /** A statement, once an interrupt's cancel request (if any) has been delivered. */
  const run = async (sql: string) => {
    if (cancelling) await cancelling.catch(() => undefined);
    cancelling = undefined;
    if (lost) throw new Error(`the connection to PostgreSQL was lost (${lost.message}); nothing more ran in this session`);
    return client.query(sql);
  };
  return {
    type: 'postgres',
    dialect: postgres,
    reportsCreatedRows: true, // `create table … as` answers "SELECT <rows>"
    async execute(sql) {
      const result = await run(sql);
      return result.rowCount ?? 0;
    },
    async query(sql) {
      const result = await run(sql);
      return result.rows.map((row: Row) => {
        const out: Row = {};
        for (const [k, v] of Object.entries(row)) out[k] = plainValue(v);
        return out;
      });
    },
    async columns(select) {
      const result = await run(`select * from (\n${select}\n) as probe limit 0`);
      return result.fields.map((f) => ({ name: f.name, type: f.dataTypeID === NUMERIC ? numericType(f.dataTypeModifier) : typeNames.get(f.dataTypeID) ?? `oid ${f.dataTypeID}` }));
    },
    openSession: () => openPostgres(output),
    errorPosition: postgresErrorPosition,
    createdMeanwhile: postgresCreatedMeanwhile,
    // A cancel request is the server's, for a session's backend: sent from a connection of its own.
    // It cancels whatever the backend runs when it arrives, so the next statement (the rollback)
    // waits until it has been delivered (run): a backend between statements ignores it.
    async interrupt() {
      const pid = (client as unknown as { processID: number | null }).processID;
      // (a lost session's backend is gone, and its pid may be another session's by now)
      if (pid === null || lost) return;
      cancelling = (async () => {
        const canceller = new pg.Client({ ...config, application_name: 'hindsight (cancel)' });
        await canceller.connect();
        try {
          await canceller.query('select pg_cancel_backend($1)', [pid]);
        } finally {
          await canceller.end();
        }
      })();
      await cancelling;
    },
    async close() {
      if (!lost) await client.end();
    },
  };
}

/**
 * A numeric column's type with its precision and scale, from its type modifier: NUMERIC(4,1), or
 * NUMERIC when it declares none (-1), whose values each keep their own scale (the pre-run column
 * check refuses both as classes: their text keeps the scale, '1.0'). The modifier is
 * ((precision << 16) | scale) + 4, the scale in 11 bits, negative from Postgres 15 on.
 */
export function numericType(modifier: number): string {
  if (modifier < 4) return 'NUMERIC';
  const m = modifier - 4;
  const scale = m & 0x7ff;
  return `NUMERIC(${(m >> 16) & 0xffff},${scale >= 0x400 ? scale - 0x800 : scale})`;
}

/**
 * Another session created what a `create … if not exists` makes at the same moment: Postgres checks
 * for it before the other's commit, then waits on the catalog's unique index and fails with
 * `duplicate key value violates unique constraint "pg_type_typname_nsp_index"` (or
 * `pg_namespace_nspname_index`, `pg_class_relname_nsp_index`), or says duplicate_schema,
 * duplicate_table or duplicate_object.
 */
export function postgresCreatedMeanwhile(error: unknown): boolean {
  const e = error as { code?: unknown; message?: unknown } | undefined;
  if (e?.code === '42P06' || e?.code === '42P07' || e?.code === '42710') return true;
  return e?.code === '23505' && /unique constraint "pg_\w+_index"/.test(String(e.message));
}

/** The server's `position` of an error: a count of characters from 1 (pg gives it as text). */
export function postgresErrorPosition(error: unknown): StatementPosition | undefined {
  const position = Number((error as { position?: unknown } | undefined)?.position);
  return Number.isInteger(position) && position > 0 ? { offset: position - 1 } : undefined;
}
