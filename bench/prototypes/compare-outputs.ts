// Whether two benchmark DuckDB files hold the same output: every metric row (but its run id and
// computed_at) and every evaluation row of the benchmark monitor, compared as multisets. With
// --full-refresh, the second file is first refreshed in full as of the first one's last as-of, so an
// incremental run's output (incremental-statements.ts --keep) is checked against a full refresh of
// the same data:
//   npx tsx bench/prototypes/compare-outputs.ts <a.duckdb> <b.duckdb> [--full-refresh] [--type T]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { openAdapter } from '../../src/adapters/index.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { runMonitors } from '../../src/runner/run.js';
import { benchMonitorConfig, writeProject } from '../project.js';

const [a, b] = process.argv.slice(2);
if (!a || !b) throw new Error('usage: compare-outputs.ts <a.duckdb> <b.duckdb> [--full-refresh] [--type T]');
const type = process.argv.includes('--type') ? process.argv[process.argv.indexOf('--type') + 1] : undefined;

if (process.argv.includes('--full-refresh')) {
  const probe = await (await DuckDBInstance.create(a)).connect();
  const asOf = (await probe.runAndReadAll(`select max(as_of)::varchar from hindsight.hindsight_runs where status = 'success'`)).getRows()[0]![0];
  probe.closeSync();
  const dir = mkdtempSync(join(tmpdir(), 'cmp-out-'));
  writeProject(dir, { type: 'duckdb', path: b }, [benchMonitorConfig(type)]);
  const project = loadProject(dir);
  const target = loadTarget(project);
  const adapter = await openAdapter(target.output as never);
  const [r] = await runMonitors({ project, target, adapter, monitors: project.monitors, asOf: new Date(`${asOf}Z`), fullRefresh: true });
  await adapter.close();
  rmSync(dir, { recursive: true, force: true });
  if (r!.status !== 'success') throw new Error(`full refresh failed: ${r!.error}`);
  console.log(`${b}: full refresh as of ${asOf}`);
}

const db = await (await DuckDBInstance.create(':memory:')).connect();
await db.run(`attach '${a}' as a (read_only); attach '${b}' as b (read_only)`);
const metricColumns = 'monitor, model_version, granularity, window_start, window_end, segment, segment_value, metric, qualifier, value, sample_size';
const tables: [string, string][] = [
  ['hindsight_metrics', metricColumns],
  [`${(await db.runAndReadAll(`select table_name from information_schema.tables where table_catalog = 'a' and table_name like '%\\_\\_evaluations' escape '\\'`)).getRows()[0]![0]}`, '*'],
];
let differ = false;
for (const [table, columns] of tables) {
  const count = async (sql: string) => Number((await db.runAndReadAll(sql)).getRows()[0]![0]);
  const rows = await count(`select count(*) from a.hindsight."${table}"`);
  const onlyA = await count(`select count(*) from (select ${columns} from a.hindsight."${table}" except all select ${columns} from b.hindsight."${table}")`);
  const onlyB = await count(`select count(*) from (select ${columns} from b.hindsight."${table}" except all select ${columns} from a.hindsight."${table}")`);
  console.log(`${table}: ${rows} rows; only in a ${onlyA}, only in b ${onlyB}`);
  differ ||= onlyA + onlyB > 0;
}
console.log(differ ? 'DIFFERENT' : 'identical');
process.exitCode = differ ? 1 : 0;
