// hindsight's Postgres pipeline on text prediction keys, in a database whose default collation is the C
// one and in one whose default is ICU en-US (a linguistic collation, as on many servers), side by side:
//   npx tsx bench/prototypes/postgres-collation.ts <rows> [compare.ts options: --variants, --repeat, …]
// The benchmark's keys are bigints; here they become md5 text, the same in both databases.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { startBenchPostgres, stopPostgres } from '../postgres.js';
import { generateStatements } from '../generate.js';

const server = await startBenchPostgres(() => undefined);
try {
  const admin = new pg.Client({ connectionString: server.url });
  await admin.connect();
  await admin.query(`create database icu_db template template0 encoding 'UTF8' locale_provider icu icu_locale 'en-US' locale 'C.UTF-8'`);
  await admin.query(`create database c_db template template0 encoding 'UTF8' locale 'C'`);
  await admin.end();
  for (const db of ['c_db', 'icu_db']) {
    const url = server.url.replace(/\/[^/]*$/, `/${db}`);
    const c = new pg.Client({ connectionString: url });
    await c.connect();
    await c.query(`set time zone 'UTC'`);
    for (const s of generateStatements('postgres', Number(process.argv[2]))) await c.query(s);
    for (const t of ['predictions', 'outcomes', 'predictions_next', 'outcomes_next']) {
      await c.query(`alter table bench.${t} alter column prediction_id type text using md5(prediction_id::text)`);
    }
    const collation = await c.query(`select datcollate, datlocprovider, daticulocale from pg_database where datname = current_database()`);
    await c.end();
    console.log(`--- ${db}: ${JSON.stringify(collation.rows[0])}`);
    execFileSync('npx', ['tsx', 'bench/prototypes/compare.ts', 'postgres', url, '--pgdata', server.dataDir, ...process.argv.slice(3)], { stdio: 'inherit' });
  }
} finally {
  await stopPostgres(server);
}
