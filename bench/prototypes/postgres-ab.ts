// A/B of `hindsight run --full-refresh` on Postgres between the builds of two checkouts (each with
// `npx tsc -p tsconfig.build.json` done), alternating, on one copy of the benchmark data: the CLI in a
// new process per run, wall seconds and the server's CPU seconds. Where a change to the SQL moves
// Postgres's cost, side by side in one run:
//   npx tsx bench/prototypes/postgres-ab.ts 1e6 <checkout A> <checkout B> [<checkout C> ...] [rounds] [--incremental] [--score-bins N]
// A checkout may carry server settings for its runs, `<checkout>:jit=off,work_mem=64MB`: set with ALTER
// SYSTEM before each of its runs (and reset before the other sides'), so one build can be compared with
// itself under other settings.
// With --incremental, day 91 is appended once, and each timed run is the default (incremental) run as
// of day 91 after an untimed full refresh as of day 90 by the same checkout, as in the benchmark.
// With --score-bins N, the monitor has approximate_ranking with N score bins; with --type regression,
// --type multiclass, forecast or recommendation, that monitor on the same data (bench/project.ts).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements, generateStatements } from '../generate.js';
import { POSTGRES_SETTINGS, postgresOutput, startBenchPostgres, stopPostgres } from '../postgres.js';
import { benchMonitorConfig, writeProject } from '../project.js';
import { timedCliRun } from './postgres-cli-run.js';

const incremental = process.argv.includes('--incremental');
const binsAt = process.argv.indexOf('--score-bins');
const scoreBins = binsAt > 0 ? Number(process.argv[binsAt + 1]) : undefined;
const type = process.argv.includes('--type') ? process.argv[process.argv.indexOf('--type') + 1] : undefined;
const valued = ['--score-bins', '--type'];
const [rowsArg, ...rest] = process.argv.slice(2).filter((x, i, all) => x !== '--incremental' && !valued.includes(x) && !valued.includes(all[i - 1]!));
const roundsArg = /^\d+$/.test(rest.at(-1) ?? '') ? rest.pop() : undefined;
if (!rowsArg || rest.length < 2) throw new Error('usage: postgres-ab.ts <rows> <checkout A> <checkout B> [...] [rounds]');
const sides = rest.map((spec, i) => {
  const [checkout = '', settings = ''] = spec.split(':');
  return { name: String.fromCharCode(65 + i), checkout, settings: settings.split(',').filter(Boolean).map((kv) => kv.split('=') as [string, string]) };
});
const settingNames = [...new Set(sides.flatMap((s) => s.settings.map(([k]) => k)))];
for (const s of sides) console.log(`${s.name}: ${s.checkout}${s.settings.length ? ` with ${s.settings.map((kv) => kv.join(' = ')).join(', ')}` : ''}`);
const server = await startBenchPostgres(() => undefined);
const dir = mkdtempSync(join(tmpdir(), 'pg-ab-'));
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`set time zone 'UTC'`);
  for (const s of generateStatements('postgres', Number(rowsArg))) await client.query(s);
  if (incremental) for (const s of appendStatements('postgres')) await client.query(s);
  await client.end();
  writeProject(dir, postgresOutput(server.url), [benchMonitorConfig(type, scoreBins)]);
  const asOf = AS_OF_FULL.toISOString();
  for (let round = 0; round < Number(roundsArg ?? 2); round++) {
    for (const { name, checkout, settings } of sides) {
      const admin = new pg.Client({ connectionString: server.url });
      await admin.connect();
      // back to the benchmark's own value (bench/postgres.ts) or the server's default, then this side's
      for (const k of settingNames) await admin.query(k in POSTGRES_SETTINGS ? `alter system set ${k} = '${POSTGRES_SETTINGS[k]}'` : `alter system reset ${k}`);
      for (const [k, v] of settings) await admin.query(`alter system set ${k} = '${v}'`);
      await admin.query('select pg_reload_conf()');
      await admin.end();
      const cli = join(checkout, 'bin/hindsight.js');
      if (incremental) execFileSync('node', [cli, 'run', '--full-refresh', '--as-of', asOf], { cwd: dir });
      const args = incremental ? ['run', '--as-of', AS_OF_NEXT.toISOString()] : ['run', '--full-refresh', '--as-of', asOf];
      console.log(`${name} round ${round + 1}: ${timedCliRun(checkout, args, dir, server.dataDir)}`);
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
  await stopPostgres(server);
}
