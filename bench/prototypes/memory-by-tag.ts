// Which part of DuckDB holds the memory while a step of the benchmark monitor runs: a second
// connection samples duckdb_memory() (memory by tag: hash tables, sorts, column data, …) every
// 200 ms, and the peak of each tag is printed, for the exact step and the approximate one.
//   npx tsx bench/prototypes/memory-by-tag.ts <warehouse.duckdb> [memory_limit] [score bins, 0 for exact] [step] [--keep-tables] [--sql 'set threads = 1']
import { DuckDBInstance } from '@duckdb/node-api';
import { compileMonitor } from '../../src/compiler/compile.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { dialectFor } from '../../src/dialects/index.js';
import { AS_OF_FULL } from '../generate.js';
import { monitorConfig } from '../project.js';

const [path, limit, bins = '0', target = 'metrics'] = process.argv.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--sql') as [string, string | undefined, string, string];
const instance = await DuckDBInstance.create(path, limit ? { memory_limit: limit } : {});
const work = await instance.connect();
const sampler = await instance.connect();
// --sql: a statement run first (a setting, e.g. `set threads = 1`)
const sql = process.argv.indexOf('--sql');
if (sql > 0) await work.run(process.argv[sql + 1]!);
const monitor = normalizeMonitor(monitorSchema.parse(monitorConfig(undefined, Number(bins) || undefined)) as never, 'bench.yml', {});
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect: dialectFor('duckdb'), run: { asOf: AS_OF_FULL, runId: 'm', computedAt: AS_OF_FULL } }).filter((s) => s.kind === 'table');
const gib = (b: number) => (b / 2 ** 30).toFixed(2);
for (const step of steps) {
  const peak = new Map<string, { memory: number; temporary: number }>();
  let peakTotal = 0;
  let running = true;
  const sample = (async () => {
    while (running) {
      const rows = (await sampler.runAndReadAll('select tag, memory_usage_bytes, temporary_storage_bytes from duckdb_memory()')).getRowObjects();
      let total = 0;
      for (const r of rows) {
        const tag = String(r.tag);
        const memory = Number(r.memory_usage_bytes);
        const temporary = Number(r.temporary_storage_bytes);
        total += memory;
        const p = peak.get(tag) ?? { memory: 0, temporary: 0 };
        peak.set(tag, { memory: Math.max(p.memory, memory), temporary: Math.max(p.temporary, temporary) });
      }
      peakTotal = Math.max(peakTotal, total);
      await new Promise((r) => setTimeout(r, 200));
    }
  })();
  const t = performance.now();
  let error = '';
  try {
    for (const s of step.statements) await work.run(s);
    // as the runner does: session tables no later step reads are dropped (--keep-tables: not)
    if (!process.argv.includes('--keep-tables')) for (const done of step.dropAfter ?? []) await work.run(`drop table ${done}`);
  } catch (e) {
    error = String(e).slice(0, 140);
  }
  running = false;
  await sample;
  console.log(`${step.name} ${((performance.now() - t) / 1000).toFixed(1)} s ${error}  peak total ${gib(peakTotal)} GiB`);
  if (step.name === target || error) {
    for (const [tag, p] of [...peak].sort((a, b) => b[1].memory - a[1].memory)) {
      if (p.memory > 0 || p.temporary > 0) console.log(`  ${tag.padEnd(24)} memory ${gib(p.memory)} GiB  temporary ${gib(p.temporary)} GiB`);
    }
  }
  if (error || step.name === target) break;
}
