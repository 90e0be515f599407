// Times every statement of a full refresh (with --log-full) and of the incremental run after day 91
// is appended, on a copy of a benchmark DuckDB file, plus opening and closing the database (DuckDB
// checkpoints on close). Where the incremental run's time goes outside the steps:
//   npx tsx bench/prototypes/incremental-statements.ts /tmp/bench-1e6.duckdb [--log-full] [--type forecast]
// (--type: the benchmark's monitor of another problem type, whose incremental pass `npm run bench` does not run;
// --other-monitors K, --history-copies H, --key-stride S: see below; --keep <file>: the database after the incremental run is moved there, to compare its rows with
// another build's or with a full refresh, e.g. by bench/prototypes/compare-outputs.ts)
import { copyFileSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openAdapter } from '../../src/adapters/index.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { runMonitors } from '../../src/runner/run.js';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements } from '../generate.js';
import { benchMonitorConfig, writeProject } from '../project.js';
const dir = mkdtempSync(join(tmpdir(), 'prof-'));
const db = join(dir, 'w.duckdb');
copyFileSync(process.argv[2]!, db);
const type = process.argv.includes('--type') ? process.argv[process.argv.indexOf('--type') + 1] : undefined;
const monitor = benchMonitorConfig(type) as { name: string };
writeProject(dir, { type: 'duckdb', path: db }, [monitor]);
const project = loadProject(dir);
const target = loadTarget(project);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
async function once(asOf: Date, fullRefresh: boolean, log: boolean) {
  const t0 = performance.now(); const c0 = cpu();
  const adapter = await openAdapter(target.output as never);
  const t1 = performance.now(); const c1 = cpu();
  const timed: [string, number, number][] = [];
  const wrap = (fn: any) => async (sql: string) => { const t = performance.now(); const c = cpu(); try { return await fn(sql); } finally { timed.push([sql.replace(/\s+/g, ' ').slice(0, 90), (performance.now() - t) / 1000, cpu() - c]); } };
  const a: any = new Proxy(adapter, { get(t, p) { const v = Reflect.get(t, p); if (p === 'execute' || p === 'query') return wrap(v.bind(t)); return typeof v === 'function' ? v.bind(t) : v; } });
  const [r] = await runMonitors({ project, target, adapter: a, monitors: project.monitors, asOf, fullRefresh });
  const t2 = performance.now(); const c2 = cpu();
  await adapter.close();
  const t3 = performance.now(); const c3 = cpu();
  if (log) {
    console.log(`${r!.mode}: open ${((t1 - t0) / 1000).toFixed(2)}s cpu ${(c1 - c0).toFixed(2)}, run ${((t2 - t1) / 1000).toFixed(2)}s cpu ${(c2 - c1).toFixed(2)}, close ${((t3 - t2) / 1000).toFixed(2)}s cpu ${(c3 - c2).toFixed(2)}`);
    for (const [s, w, c] of timed) if (w > 0.02) console.log(`  ${w.toFixed(2)}s cpu ${c.toFixed(2)}  ${s}`);
  }
}
await once(AS_OF_FULL, true, process.argv.includes('--log-full'));
// --other-monitors K: the metric table also holds K other monitors' rows (copies of this one's), as
// in a project of many monitors, before the incremental run
const others = process.argv.includes('--other-monitors') ? Number(process.argv[process.argv.indexOf('--other-monitors') + 1]) : 0;
{
  const adapter = await openAdapter(target.output as never);
  for (const s of appendStatements('duckdb')) await adapter.execute(s);
  // --history-copies H: the evaluations table also holds H earlier copies of its 90 days (keys offset,
  // times 90, 180, ... days earlier), as after a history (H + 1) times as long (a monitor whose evaluations have
  // prediction_id, predicted_at and observed_at: not a forecast). The copies' keys lie above every key of the
  // data, a range of their own that DuckDB's min/max filters skip, as with keys that grow with time; with
  // --key-stride S (the database generated with it, S > H) they lie between the data's keys, as random keys
  // (UUIDs) do. They are written in time order, as a history is.
  const copies = process.argv.includes('--history-copies') ? Number(process.argv[process.argv.indexOf('--history-copies') + 1]) : 0;
  const stride = process.argv.includes('--key-stride') ? Number(process.argv[process.argv.indexOf('--key-stride') + 1]) : 0;
  if (stride && stride <= copies) throw new Error('--key-stride must exceed --history-copies');
  const copyKey = stride ? 'prediction_id + k' : 'prediction_id + k * 1000000000000';
  if (copies) await adapter.execute(`insert into hindsight.${monitor.name}__evaluations select e.* replace (${copyKey} as prediction_id, predicted_at - k * interval 90 day as predicted_at, observed_at - k * interval 90 day as observed_at) from hindsight.${monitor.name}__evaluations as e, range(1, ${copies + 1}) as r(k) order by predicted_at`);
  if (others) await adapter.execute(`insert into hindsight.hindsight_metrics select 'other_' || i, m.* exclude (monitor) from hindsight.hindsight_metrics as m, range(${others}) as r(i)`);
  await adapter.close();
}
await once(AS_OF_NEXT, false, true);
const keep = process.argv.includes('--keep') ? process.argv[process.argv.indexOf('--keep') + 1] : undefined;
if (keep) renameSync(db, keep);
rmSync(dir, { recursive: true, force: true });
