// A Postgres server left running with the benchmark data and one monitor's session tables, to time one
// step and variants of it by hand, without rebuilding the steps before it each time:
//   npx tsx bench/prototypes/postgres-step-tables.ts <rows> [--type recommendation] [--step metrics]
// builds every table step before --step as print-step.ts compiles them (full refresh; the evaluations
// staged in schema `hindsight`), copies the session tables into schema `keep`, and writes <data dir>/../setup.sql,
// which recreates them as the session's temporary tables with the adapter's settings. Then, e.g.:
//   npx tsx bench/prototypes/print-step.ts metrics --type recommendation --postgres [--variant <name>] > step.sql
//   { cat setup.sql; echo 'create temp table m as'; cat step.sql; echo ';'; } | psql -q <url>
// (setup.sql turns psql's \timing on). The server outlives this script: stop it with
// `pg_ctl stop -D <data dir>` as its user, as printed.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import pg from 'pg';
import { compileMonitor } from '../../src/compiler/compile.js';
import { dialects } from '../../src/dialects/index.js';
import { AS_OF_FULL, generateStatements } from '../generate.js';
import { startBenchPostgres } from '../postgres.js';
import { benchMonitorFromFlags, flagValue } from './monitor-flags.js';

const target = flagValue('step') ?? 'metrics';
const server = await startBenchPostgres(() => undefined);
const c = new pg.Client({ connectionString: server.url });
await c.connect();
await c.query(`set time zone 'UTC'`);
for (const s of generateStatements('postgres', Number(process.argv[2]))) await c.query(s);
// the steps as print-step.ts compiles them: the same run id, so the same staged evaluations table
const run = { asOf: AS_OF_FULL, runId: 'print', computedAt: AS_OF_FULL };
const steps = compileMonitor({ monitor: benchMonitorFromFlags(), schema: 'hindsight', dialect: dialects.postgres!, run });
await c.query('create schema if not exists hindsight; create schema keep');
for (const step of steps.filter((s) => s.kind === 'table')) {
  if (step.name === target) break;
  for (const s of step.statements) await c.query(s);
}
const temps = (await c.query(`select relname from pg_class where relpersistence = 't' and relkind = 'r' order by 1`)).rows.map((r) => String(r.relname));
for (const t of temps) await c.query(`create table keep.${t} as select * from ${t}`);
await c.query('analyze');
await c.end();
const setup = [
  `set time zone 'UTC';`,
  // the adapter's session settings (src/adapters/postgres.ts)
  `set jit_optimize_above_cost = -1; set jit_inline_above_cost = -1;`,
  ...temps.map((t) => `create temp table ${t} as select * from keep.${t}; analyze ${t};`),
  '\\timing on',
].join('\n');
const setupFile = join(dirname(server.dataDir), 'setup.sql');
writeFileSync(setupFile, setup + '\n');
console.log(`${server.url}\nsession tables before ${target}: ${temps.join(', ')}\nsetup: ${setupFile}\nstop: pg_ctl stop -D ${server.dataDir}`);
