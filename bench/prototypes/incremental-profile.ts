// Where each step of a DuckDB incremental run spends its time, operator by operator:
//   npx tsx bench/prototypes/incremental-profile.ts setup <bench.duckdb> <state.duckdb>
//   npx tsx bench/prototypes/incremental-profile.ts run <state.duckdb> [--variant <dir>] [--dump <dir>] [--top N]
// `setup` copies a benchmark database, runs the 90-day full refresh and appends day 91 (the state the
// benchmark's incremental pass starts from). `run` plans the incremental run as the runner does,
// then runs each table step once with DuckDB's JSON profiling on, in a transaction it rolls back, so
// the state can be profiled again. With --variant, a step whose <dir>/<step>.sql exists runs that
// (already compiled) SQL instead, so a rewrite can be profiled against the same state; --dump writes
// the compiled steps to <dir> to start such a variant from.
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor, planIncrementalRange } from '../../src/compiler/compile.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { runMonitors, writeSteps } from '../../src/runner/run.js';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements, DAY_MS } from '../generate.js';
import { writeProject } from '../project.js';
import { profileStatements } from './duckdb-profile.js';
import { tmpdir } from 'node:os';

const [mode, ...args] = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const dir = mkdtempSync(join(tmpdir(), 'incr-prof-'));

if (mode === 'setup') {
  const [from, state] = args as [string, string];
  copyFileSync(from, state);
  writeProject(dir, { type: 'duckdb', path: state });
  const project = loadProject(dir);
  const target = loadTarget(project);
  const adapter = await openAdapter(target.output as never);
  await runMonitors({ project, target, adapter, monitors: project.monitors, asOf: AS_OF_FULL, fullRefresh: true });
  for (const s of appendStatements('duckdb')) await adapter.execute(s);
  await adapter.close();
  console.log(`${state}: 90-day full refresh done, day 91 appended`);
} else if (mode === 'run') {
  const state = args[0]!;
  const variant = flag('--variant');
  const top = Number(flag('--top') ?? 8);
  writeProject(dir, { type: 'duckdb', path: state });
  const project = loadProject(dir);
  const target = loadTarget(project);
  const monitor = project.monitors[0]!;
  const adapter = await openAdapter(target.output as never);
  const d = adapter.dialect;
  const schema = project.config.schema;
  const previousAsOf = AS_OF_FULL;
  const t = performance.now();
  const range = await planIncrementalRange({ monitor, schema, dialect: d, run: { asOf: AS_OF_NEXT, runId: 'plan', computedAt: AS_OF_NEXT, previousAsOf } }, (sql) => adapter.query(sql));
  console.log(`plan ${((performance.now() - t) / 1000).toFixed(2)}s: evaluate from day ${(range.evaluateFrom.getTime() - AS_OF_FULL.getTime()) / DAY_MS + 90}`);
  const steps = compileMonitor({ monitor, schema, dialect: d, run: { asOf: AS_OF_NEXT, runId: 'profile0', computedAt: AS_OF_NEXT, incremental: range } });
  const dump = flag('--dump');
  if (dump) writeSteps(dump, steps);
  await adapter.execute('begin transaction');
  const out = join(dir, 'profile.json');
  for (const step of steps) {
    const own = variant && existsSync(join(variant, `${step.name}.sql`)) ? readFileSync(join(variant, `${step.name}.sql`), 'utf8').split(/;\s*\n\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0 && !/^(--[^\n]*\n?)*$/.test(s)) : step.statements;
    for (const sql of own) {
      const t0 = performance.now();
      const { operators } = await profileStatements(adapter, [sql], out);
      const wall = (performance.now() - t0) / 1000;
      const total = operators.reduce((sum, o) => sum + o.seconds, 0);
      console.log(`\n== ${step.name}${own !== step.statements ? ' (variant)' : ''}: ${wall.toFixed(2)}s wall, operators ${total.toFixed(2)}s  ${sql.replace(/\s+/g, ' ').slice(0, 80)}`);
      for (const o of operators.slice(0, top)) console.log(`  ${o.seconds.toFixed(3)}s ${String(o.rows).padStart(9)} ${o.label}`);
    }
  }
  await adapter.execute('rollback');
  await adapter.close();
} else {
  rmSync(dir, { recursive: true, force: true });
  console.error('usage: incremental-profile.ts setup <bench.duckdb> <state.duckdb> | run <state.duckdb> [--variant <dir>] [--top N]');
  process.exit(2);
}
rmSync(dir, { recursive: true, force: true });
