// Scratch: where a 1M DuckDB hindsight run spends the time outside its steps. Full refresh as of day 90,
// day 91 appended, then the incremental run timed in-process (as bench/child.ts does), with the steps'
// own seconds from run_results.json subtracted.
//   npx tsx bench/prototypes/run-overhead.ts <copy of a bench .duckdb> <rounds>
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { main } from '../../src/cli/main.js';
import * as commands from '../../src/cli/commands.js';
import { openAdapter } from '../../src/adapters/index.js';
import { appendStatements, AS_OF_FULL, AS_OF_NEXT } from '../generate.js';
import { writeProject } from '../project.js';
await import('../../src/adapters/duckdb.js');

const [path, roundsArg] = process.argv.slice(2) as [string, string];
const dir = '/tmp/run-overhead-project';
rmSync(dir, { recursive: true, force: true });
writeProject(dir, { type: 'duckdb', path });
const quiet = async (argv: string[]) => {
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as never;
  try { return await main(argv); } finally { process.stdout.write = write; }
};
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
const timed = async (label: string, argv: string[]) => {
  const c0 = cpu(); const t0 = performance.now();
  const code = await quiet(argv);
  const wall = (performance.now() - t0) / 1000; const c = cpu() - c0;
  let stepsWall = 0;
  if (argv[0] === 'run') {
    const r = JSON.parse(readFileSync(join(dir, 'target', 'run_results.json'), 'utf8')).results[0];
    stepsWall = r.steps.reduce((a: number, s: { seconds: number }) => a + s.seconds, 0);
  }
  console.log(`${label}: exit ${code}, wall ${wall.toFixed(3)} s, cpu ${c.toFixed(3)} s, steps ${stepsWall.toFixed(3)} s, outside steps ${(wall - stepsWall).toFixed(3)} s`);
};
await timed('compile (first, templates parsed)', ['compile', '--project-dir', dir]);
await timed('compile (again)', ['compile', '--project-dir', dir]);
await timed('full refresh', ['run', '--project-dir', dir, '--as-of', AS_OF_FULL.toISOString(), '--full-refresh']);
{
  const db = await DuckDBInstance.create(path); const c = await db.connect();
  for (const s of appendStatements('duckdb')) await c.run(s);
  c.closeSync(); db.closeSync();
}
for (let i = 0; i < Number(roundsArg ?? 2); i++) {
  await timed(`full refresh as of day 90`, ['run', '--project-dir', dir, '--as-of', AS_OF_FULL.toISOString(), '--full-refresh']);
  await timed(`incremental as of day 91`, ['run', '--project-dir', dir, '--as-of', AS_OF_NEXT.toISOString()]);
}

// one more incremental pass with the adapter wrapped: seconds per statement kind, and open / close
{
  await timed(`full refresh as of day 90`, ['run', '--project-dir', dir, '--as-of', AS_OF_FULL.toISOString(), '--full-refresh']);
  const by: Record<string, number> = {};
  const add = (k: string, t: number) => { by[k] = (by[k] ?? 0) + (performance.now() - t) / 1000; };
  const kind = (sql: string) => {
    const m = /^\s*(?:--[^\n]*\n\s*)*(\w+(?:\s+\w+)?)/.exec(sql);
    if (/from\s+"?hindsight"?\."?hindsight_runs/.test(sql) && /^\s*select/i.test(sql)) return 'select previous run';
    if (/select count\(\*\) as n from/.test(sql)) return 'count step rows';
    if (/information_schema|limit 0/.test(sql)) return 'column checks';
    return (m?.[1] ?? '?').toLowerCase();
  };
  let t = performance.now();
  const adapter = await openAdapter({ type: 'duckdb', path } as never);
  add('open', t);
  const wrapped = {
    ...adapter,
    async execute(sql: string) { const t0 = performance.now(); try { return await adapter.execute(sql); } finally { add('execute: ' + kind(sql), t0); } },
    async query(sql: string) { const t0 = performance.now(); try { return await adapter.query(sql); } finally { add('query: ' + kind(sql), t0); } },
    async columns(sql: string) { const t0 = performance.now(); try { return await adapter.columns(sql); } finally { add('columns', t0); } },
  };
  t = performance.now();
  const write = process.stdout.write.bind(process.stdout);
  process.stdout.write = (() => true) as never;
  await commands.run({ projectDir: dir, asOf: AS_OF_NEXT.toISOString() } as never, wrapped as never);
  process.stdout.write = write;
  add('commands.run total', t);
  t = performance.now();
  await adapter.close();
  add('close', t);
  for (const [k, v] of Object.entries(by).sort((a, b) => b[1] - a[1])) console.log(`  ${v.toFixed(3)} s  ${k}`);
}
