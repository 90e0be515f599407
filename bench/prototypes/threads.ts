// Monitors side by side (`threads`): a project of several monitors on the benchmark data, run by the
// CLI in a new process per run, alternating --threads values, side by side in one run. Prints each
// run's wall seconds and CPU seconds: the CLI process's user + system time (with DuckDB, the warehouse
// is in it; from /usr/bin/time), and with Postgres also the server's.
//   npx tsx bench/prototypes/threads.ts <duckdb|postgres> <rows> [--threads 1,2] [--rounds 2] [--copies K] [--incremental]
//   npx tsx bench/prototypes/threads.ts shop <K> [--threads 1,2] [--rounds 2]
// The project holds the benchmark's five monitors (binary, regression, multiclass, forecast,
// recommendation: bench/project.ts), or with --copies K, K copies of the binary one. Each timed run is
// `run --full-refresh` as of day 90; with --incremental, the default run as of day 91 after an untimed
// full refresh as of day 90 (day 91 is appended once, before the first round). `shop K`: K copies of
// the shop example's monitor on its seeds (small monitors, on DuckDB), `run --full-refresh` as of
// 2026-11-21.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import pg from 'pg';
import { parse, stringify } from 'yaml';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements, generateStatements } from '../generate.js';
import { postgresCpuSeconds, postgresOutput, startBenchPostgres, stopPostgres } from '../postgres.js';
import { benchMonitorConfig, monitorConfig, OTHER_MONITOR_CONFIGS, writeProject, type Output } from '../project.js';

const args = process.argv.slice(2);
const option = (name: string, fallback: string) => (args.includes(name) ? args[args.indexOf(name) + 1]! : fallback);
const [warehouse, rowsArg] = args;
if ((warehouse !== 'duckdb' && warehouse !== 'postgres' && warehouse !== 'shop') || !rowsArg) throw new Error('usage: threads.ts <duckdb|postgres> <rows> [--threads 1,2] [--rounds 2] [--copies K] [--incremental], or threads.ts shop <K> [...]');
const rows = Number(rowsArg);
const threads = option('--threads', '1,2').split(',').map(Number);
const rounds = Number(option('--rounds', '2'));
const copies = args.includes('--copies') ? Number(option('--copies', '4')) : undefined;
const incremental = args.includes('--incremental');
const cli = resolve('bin/hindsight.js');

let monitors: object[] = copies
  ? Array.from({ length: copies }, (_, i) => monitorConfig(`bench_${i + 1}`))
  : [benchMonitorConfig(), ...Object.keys(OTHER_MONITOR_CONFIGS).map((t) => benchMonitorConfig(t))];
let asOf = AS_OF_FULL.toISOString();

async function run(statements: string[], exec: (sql: string) => Promise<unknown>) {
  for (const s of statements) await exec(s);
}

const dir = mkdtempSync(join(tmpdir(), 'threads-bench-'));
let server: Awaited<ReturnType<typeof startBenchPostgres>> | undefined;
try {
  let output: Output | undefined;
  if (warehouse === 'shop') {
    // the example's own profile (DuckDB under target/), its seeds, and K copies of its monitor
    cpSync('examples/shop', dir, { recursive: true, filter: (src) => !src.includes(join('shop', 'target')) });
    const file = join(dir, 'monitors', 'keep_probability.yml');
    const [monitor] = (parse(readFileSync(file, 'utf8')) as { monitors: { name: string }[] }).monitors;
    monitors = Array.from({ length: rows }, (_, i) => ({ ...monitor, name: `keep_probability_${i + 1}` }));
    writeFileSync(file, stringify({ monitors }));
    execFileSync('node', [cli, 'seed'], { cwd: dir });
    asOf = '2026-11-21T00:00:00.000Z';
  } else if (warehouse === 'postgres') {
    server = await startBenchPostgres(() => undefined);
    const client = new pg.Client({ connectionString: server.url });
    await client.connect();
    await client.query(`set time zone 'UTC'`);
    await run(generateStatements('postgres', rows), (s) => client.query(s));
    if (incremental) await run(appendStatements('postgres'), (s) => client.query(s));
    await client.end();
    output = postgresOutput(server.url);
  } else {
    const path = join(dir, 'data.duckdb');
    const instance = await DuckDBInstance.create(path);
    const connection = await instance.connect();
    await run(generateStatements('duckdb', rows), (s) => connection.run(s));
    if (incremental) await run(appendStatements('duckdb'), (s) => connection.run(s));
    connection.closeSync();
    instance.closeSync();
    output = { type: 'duckdb', path };
  }
  if (output) writeProject(dir, output, monitors);
  console.log(`${warehouse}, ${warehouse === 'shop' ? 'its seeds' : `${rowsArg} predictions`}, ${monitors.length} monitors, ${incremental ? 'incremental run' : 'full refresh'}; --threads ${threads.join(' / ')}, ${rounds} rounds`);
  const timeFile = join(dir, 'time.txt');
  for (let round = 1; round <= rounds; round++) {
    for (const t of threads) {
      if (incremental) execFileSync('node', [cli, 'run', '--full-refresh', '--as-of', asOf, '--threads', String(Math.max(...threads))], { cwd: dir });
      const runArgs = incremental ? ['run', '--as-of', AS_OF_NEXT.toISOString()] : ['run', '--full-refresh', '--as-of', asOf];
      const server0 = server ? postgresCpuSeconds(server.dataDir) : 0;
      const started = performance.now();
      const out = execFileSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S', 'node', cli, ...runArgs, '--threads', String(t)], { cwd: dir, encoding: 'utf8' });
      const wall = (performance.now() - started) / 1000;
      const [user, sys] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).map(Number);
      const serverCpu = server ? postgresCpuSeconds(server.dataDir) - server0 : 0;
      const ok = /Finished: (\d+) succeeded, 0 failed/.exec(out)?.[1];
      if (Number(ok) !== monitors.length) throw new Error(`a run failed:\n${out}`);
      const perMonitor = [...out.matchAll(/(\S+): OK, .* in ([\d.]+)s$/gm)].map((m) => `${m[1]} ${m[2]}`).join(', ');
      console.log(
        `round ${round}, --threads ${t}: wall ${wall.toFixed(2)} s, CPU ${(user! + sys!).toFixed(2)} s (CLI process)${server ? ` + ${serverCpu.toFixed(2)} s (server)` : ''}  [${perMonitor}]`,
      );
    }
  }
} finally {
  if (server) await stopPostgres(server);
  rmSync(dir, { recursive: true, force: true });
}
