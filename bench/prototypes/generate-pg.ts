// Generates the benchmark tables into a Postgres database, for the prototypes:
//   npx tsx bench/prototypes/generate-pg.ts postgres://postgres@127.0.0.1:5432/hindsight_test 1e5
import pg from 'pg';
import { generateStatements } from '../generate.js';
import { POSTGRES_SETTINGS } from '../postgres.js';

const client = new pg.Client({ connectionString: process.argv[2] });
await client.connect();
for (const [k, v] of Object.entries(POSTGRES_SETTINGS)) await client.query(`alter system set ${k} = '${v}'`);
await client.query('select pg_reload_conf()');
await client.query(`set time zone 'UTC'`);
for (const s of generateStatements('postgres', Number(process.argv[3]))) await client.query(s);
await client.end();
