// The metric step's SQL in variants, on the evaluations of a benchmark DuckDB file, under a memory_limit:
// which variant completes, in what time, and whether its rows equal the first variant's.
//   npx tsx bench/prototypes/metric-step-memory.ts setup /tmp/bench-1e7.duckdb /tmp/m.duckdb
//     (a copy with the benchmark monitor's evaluations as "hindsight"."ev")
//   npx tsx bench/prototypes/metric-step-memory.ts run /tmp/m.duckdb 300MB a.sql b.sql …
//     (each file: the compiled metric step reading "hindsight"."ev", e.g. from print-step.ts)
import { copyFileSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor, compileSetup } from '../../src/compiler/compile.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { AS_OF_FULL } from '../generate.js';
import { monitorConfig } from '../project.js';

const [mode, ...args] = process.argv.slice(2);
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e6; };
if (mode === 'setup') {
  const [from, to] = args as [string, string];
  copyFileSync(from, to);
  const adapter = await openAdapter({ type: 'duckdb', path: to } as never);
  const monitor = normalizeMonitor(monitorSchema.parse(monitorConfig()) as never, 'bench.yml', {});
  const options = { monitor, schema: 'hindsight', dialect: adapter.dialect, run: { asOf: AS_OF_FULL, runId: 'setup', computedAt: AS_OF_FULL } };
  for (const s of compileSetup(options).statements) await adapter.execute(s);
  const steps = compileMonitor(options);
  for (const step of steps.slice(0, steps.findIndex((s) => s.name === 'evaluations') + 1)) for (const s of step.statements) await adapter.execute(s);
  await adapter.execute(`create or replace table "hindsight"."ev" as select * from ${steps.find((s) => s.name === 'evaluations')!.relation}`);
  await adapter.close();
} else {
  const [path, limit, ...files] = args as [string, string, ...string[]];
  const adapter = await openAdapter({ type: 'duckdb', path, memory_limit: limit } as never);
  let reference: string | undefined;
  for (const file of files) {
    const name = `res_${basename(file, '.sql').replace(/\W/g, '_')}`;
    const t = performance.now();
    const c = cpu();
    try {
      await adapter.execute(`create or replace temporary table ${name} as\n${readFileSync(file, 'utf8')}`);
      const same = reference
        ? Number((await adapter.query(`select (select count(*) from (select * from ${name} except all select * from ${reference})) + (select count(*) from (select * from ${reference} except all select * from ${name})) as n`))[0]!.n) === 0
        : true;
      const rows = Number((await adapter.query(`select count(*) as n from ${name}`))[0]!.n);
      console.log(`${basename(file)}: ${((performance.now() - t) / 1000).toFixed(1)} s, CPU ${(cpu() - c).toFixed(1)} s, ${rows} rows${reference ? (same ? ', equal to the first' : ', DIFFERENT from the first') : ''}`);
      reference ??= name;
    } catch (e) {
      console.log(`${basename(file)}: FAILED after ${((performance.now() - t) / 1000).toFixed(1)} s: ${String(e).split('\n')[0]!.slice(0, 160)}`);
    }
  }
  await adapter.close();
}
