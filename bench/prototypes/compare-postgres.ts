// compare.ts on a throwaway Postgres server (the benchmark's settings) holding freshly generated data:
//   npx tsx bench/prototypes/compare-postgres.ts <rows> [compare.ts options: --type, --variants, --repeat, --explain step, …]
// e.g. `1e6 --type multiclass --variants none --explain metrics` prints the metric step's EXPLAIN ANALYZE.
import { execFileSync } from 'node:child_process';
import pg from 'pg';
import { startBenchPostgres, stopPostgres } from '../postgres.js';
import { generateStatements } from '../generate.js';
const server = await startBenchPostgres(() => undefined);
try {
  const c = new pg.Client({ connectionString: server.url });
  await c.connect();
  await c.query(`set time zone 'UTC'`);
  for (const s of generateStatements('postgres', Number(process.argv[2]))) await c.query(s);
  await c.end();
  execFileSync('npx', ['tsx', 'bench/prototypes/compare.ts', 'postgres', server.url, '--pgdata', server.dataDir, ...process.argv.slice(3)], { stdio: 'inherit' });
} finally {
  await stopPostgres(server);
}
