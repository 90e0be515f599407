// What other monitors' rows in `hindsight_metrics` cost one monitor's runs on Postgres, between the
// builds of two checkouts (each built), alternating: the benchmark monitor's full refresh and its
// incremental run after day 91, when the metric table also holds the rows of K other monitors (copies
// of the benchmark monitor's own rows under other names: K monitors with the same 90 days).
//   npx tsx bench/prototypes/postgres-metrics-scale.ts <rows> <checkout A> <checkout B> [...] [rounds] --other-monitors K
// With --history-copies H instead (or too), the monitor's evaluations table also holds H earlier copies of its
// 90 days (keys offset, times 90, 180, ... days earlier), as after a history (H + 1) times as long: what of an
// incremental run grows with the history rather than with the days that can change. A checkout may be given
// twice (two schemas), for two samples per round. --type T runs the benchmark's monitor of another problem
// type (bench/project.ts) instead of the binary one; --other-monitors copies the rows of either.
// Each side writes to a schema of its own (hs_a, hs_b, ...), so what one side's setup creates there (an
// index, say) does not serve the other.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements, generateStatements } from '../generate.js';
import { postgresOutput, startBenchPostgres, stopPostgres } from '../postgres.js';
import { benchMonitorConfig, writeProject } from '../project.js';
import { timedCliRun } from './postgres-cli-run.js';

const option = (name: string) => (process.argv.includes(name) ? process.argv[process.argv.indexOf(name) + 1] : undefined);
const flag = (name: string) => Number(option(name) ?? 0);
const others = flag('--other-monitors');
const historyCopies = flag('--history-copies');
const type = option('--type');
const monitor = benchMonitorConfig(type) as { name: string };
const valued = ['--other-monitors', '--history-copies', '--type'];
const [rowsArg, ...rest] = process.argv.slice(2).filter((x, i, all) => !valued.includes(x) && !valued.includes(all[i - 1]!));
const roundsArg = /^\d+$/.test(rest.at(-1) ?? '') ? rest.pop() : undefined;
if (!rowsArg || rest.length < 2) throw new Error('usage: postgres-metrics-scale.ts <rows> <checkout A> <checkout B> [...] [rounds] --other-monitors K');

const server = await startBenchPostgres(() => undefined);
const dirs: string[] = [];
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`set time zone 'UTC'`);
  for (const s of generateStatements('postgres', Number(rowsArg))) await client.query(s);
  for (const s of appendStatements('postgres')) await client.query(s);
  const sides = rest.map((checkout, i) => {
    const name = String.fromCharCode(65 + i);
    const dir = mkdtempSync(join(tmpdir(), 'pg-scale-'));
    dirs.push(dir);
    writeProject(dir, postgresOutput(server.url), [monitor], `hs_${name.toLowerCase()}`);
    return { name, checkout, dir, schema: `hs_${name.toLowerCase()}` };
  });
  const cli = (side: (typeof sides)[number], args: string[]) => timedCliRun(side.checkout, args, side.dir, server.dataDir);
  const full = ['run', '--full-refresh', '--as-of', AS_OF_FULL.toISOString()];
  // a full refresh replaces the evaluations table, so the earlier copies are inserted after each one
  async function padHistory(schema: string) {
    if (!historyCopies) return;
    const evaluations = `${schema}.${monitor.name}__evaluations`;
    const { rows: cols } = await client.query(`select column_name, data_type from information_schema.columns where table_schema = '${schema}' and table_name = '${monitor.name}__evaluations' order by ordinal_position`);
    // every time moves back (a forecast's forecast_time and target_time too, which with its series
    // name its row); a prediction or request key moves out of the way
    const shifted = ({ column_name: c, data_type: type }: { column_name: string; data_type: string }) =>
      c === 'prediction_id' ? `prediction_id + k * 1000000000000` : type.startsWith('timestamp') ? `${c} - k * interval '90 days'` : c;
    await client.query(`insert into ${evaluations}
      select ${cols.map(shifted).join(', ')}
      from ${evaluations} cross join generate_series(1, ${historyCopies}) as k`);
    await client.query(`vacuum analyze ${evaluations}`);
  }
  for (const side of sides) {
    cli(side, full);
    await client.query(`insert into ${side.schema}.hindsight_metrics
      select 'other_' || i, model_version, granularity, window_start, window_end, segment, segment_value, metric, qualifier, value, sample_size, run_id, computed_at
      from ${side.schema}.hindsight_metrics cross join generate_series(1, ${others}) as i
      where monitor = '${monitor.name}'`);
    await padHistory(side.schema);
    await client.query(`vacuum analyze ${side.schema}.hindsight_metrics`);
    const { rows } = await client.query(`select count(*) as n, pg_size_pretty(pg_total_relation_size('${side.schema}.hindsight_metrics')) as size from ${side.schema}.hindsight_metrics`);
    const history = (await client.query(`select count(*) as n from ${side.schema}.${monitor.name}__evaluations`)).rows[0].n;
    console.log(`${side.name}: ${side.checkout}; ${side.schema}.hindsight_metrics holds ${rows[0].n} rows (${others} other monitors), ${rows[0].size} with its indexes; ${monitor.name}__evaluations ${history} rows (${historyCopies} earlier copies)`);
  }
  for (let round = 0; round < Number(roundsArg ?? 2); round++) {
    for (const side of sides) {
      console.log(`${side.name} round ${round + 1} full refresh: ${cli(side, full)}`);
      await padHistory(side.schema);
      console.log(`${side.name} round ${round + 1} incremental: ${cli(side, ['run', '--as-of', AS_OF_NEXT.toISOString()])}`);
    }
  }
  await client.end();
} finally {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await stopPostgres(server);
}
