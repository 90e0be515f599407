// Where each step of a Postgres incremental run spends its time, plan node by plan node:
//   npx tsx bench/prototypes/incremental-profile-postgres.ts <rows> [--full] [--rounds N] [--variant <dir>] [--dump <dir>] [--type T]
// Starts the benchmark's Postgres server, generates <rows> predictions, runs the 90-day full refresh
// and appends day 91 (the state the benchmark's incremental pass starts from), then plans the
// incremental run as the runner does and runs every statement of its steps with EXPLAIN (ANALYZE) in
// a transaction that is rolled back, N rounds, so the same state is profiled each time. With
// --variant, a step whose <dir>/<step>.sql exists runs that (compiled) SQL instead; --dump writes the
// compiled steps to <dir> to start such a variant from. With --full, the steps profiled are those of a
// full refresh as of day 90 instead (the state is the same).
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor, planIncrementalRange } from '../../src/compiler/compile.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { runMonitors, writeSteps } from '../../src/runner/run.js';
import { AS_OF_FULL, AS_OF_NEXT, appendStatements, DAY_MS, generateStatements } from '../generate.js';
import { postgresCpuSeconds, postgresOutput, startBenchPostgres, stopPostgres } from '../postgres.js';
import { benchMonitorConfig, writeProject } from '../project.js';

const args = process.argv.slice(2);
const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
const rows = Number(args[0]);
const rounds = Number(flag('--rounds') ?? 1);
const variant = flag('--variant');
const dir = mkdtempSync(join(tmpdir(), 'incr-prof-pg-'));
const server = await startBenchPostgres(() => undefined);
try {
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  await client.query(`set time zone 'UTC'`);
  for (const s of generateStatements('postgres', rows)) await client.query(s);
  await client.end();
  writeProject(dir, postgresOutput(server.url), [benchMonitorConfig(flag('--type'))]);
  const project = loadProject(dir);
  const target = loadTarget(project);
  const adapter = await openAdapter(target.output as never);
  await runMonitors({ project, target, adapter, monitors: project.monitors, asOf: AS_OF_FULL, fullRefresh: true });
  for (const s of appendStatements('postgres')) await adapter.execute(s);
  await adapter.execute('vacuum analyze');
  const monitor = project.monitors[0]!;
  const d = adapter.dialect;
  const schema = project.config.schema;
  const range = await planIncrementalRange({ monitor, schema, dialect: d, run: { asOf: AS_OF_NEXT, runId: 'plan', computedAt: AS_OF_NEXT, previousAsOf: AS_OF_FULL } }, (sql) => adapter.query(sql));
  const day = (t: Date) => (t.getTime() - AS_OF_FULL.getTime()) / DAY_MS + 90;
  console.log(`evaluate (and rewrite) from day ${day(range.evaluateFrom)}`);
  const full = args.includes('--full');
  const steps = compileMonitor({ monitor, schema, dialect: d, run: full ? { asOf: AS_OF_FULL, runId: 'profile0', computedAt: AS_OF_FULL } : { asOf: AS_OF_NEXT, runId: 'profile0', computedAt: AS_OF_NEXT, incremental: range } });
  const dump = flag('--dump');
  if (dump) writeSteps(dump, steps);
  for (let round = 0; round < rounds; round++) {
    await adapter.execute('begin');
    const cpu0 = postgresCpuSeconds(server.dataDir);
    for (const step of steps) {
      const file = variant && join(variant, `${step.name}.sql`);
      const own = file && existsSync(file) ? readFileSync(file, 'utf8').split(/;\s*\n\s*\n/).map((s) => s.trim()).filter((s) => s.length > 0 && !/^(--[^\n]*\n?)*$/.test(s)) : step.statements;
      for (const sql of own) {
        // (`create index` cannot be explained: the write step's evaluation indexes run as they are)
        const explainable = /^\s*(create\s+(temporary\s+|unlogged\s+)?table|insert|delete|update|select|with)\b/i.test(sql.replace(/^(\s*--[^\n]*\n)*/, ''));
        const t0 = performance.now();
        const plan = explainable ? await adapter.query(`explain (analyze, buffers) ${sql}`) : (await adapter.execute(sql), []);
        const wall = (performance.now() - t0) / 1000;
        console.log(`\n== ${step.name}${own !== step.statements ? ' (variant)' : ''}: ${wall.toFixed(3)}s  ${sql.replace(/\s+/g, ' ').slice(0, 90)}`);
        if (round === rounds - 1) for (const r of plan) console.log(`   ${String(Object.values(r)[0])}`);
      }
    }
    console.log(`\nround ${round + 1}: server CPU ${(postgresCpuSeconds(server.dataDir) - cpu0).toFixed(2)} s`);
    await adapter.execute('rollback');
  }
  await adapter.close();
} finally {
  await stopPostgres(server);
  rmSync(dir, { recursive: true, force: true });
}
