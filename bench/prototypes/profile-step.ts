// Where a DuckDB step's time goes, operator by operator (DuckDB's JSON profiling of one statement):
//   npx tsx bench/prototypes/profile-step.ts <warehouse.duckdb> metrics [--create]
// (--create profiles the step's own statements, the table write included, instead of a count over its query)
// Runs the full-refresh pipeline up to the step, then the step once with profiling on, and prints the
// operators with the largest timings (CPU time summed over threads, as DuckDB reports it).
import { readFileSync } from 'node:fs';
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { normalizeMonitor } from '../../src/config/monitor.js';
import { monitorSchema } from '../../src/config/schema.js';
import { AS_OF_FULL } from '../generate.js';
import { monitorConfig } from '../project.js';

const [path, target] = process.argv.slice(2) as [string, string];
const adapter = await openAdapter({ type: 'duckdb', path } as never);
const bins = process.argv.indexOf('--score-bins');
const monitor = normalizeMonitor(monitorSchema.parse(monitorConfig(undefined, bins > 0 ? Number(process.argv[bins + 1]) : undefined)) as never, 'bench.yml', {});
const run = { asOf: AS_OF_FULL, runId: 'profile', computedAt: AS_OF_FULL };
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect: adapter.dialect, run }).filter((s) => s.kind === 'table');
for (const step of steps) {
  if (step.name === target) {
    const out = `/tmp/profile-${target}.json`;
    await adapter.execute(`pragma enable_profiling = 'json'`);
    await adapter.execute(`pragma profiling_output = '${out}'`);
    if (process.argv.includes('--create')) for (const st of step.statements) await adapter.execute(st);
    else await adapter.execute(`select count(*) from (${step.sql}) as q`);
    await adapter.execute(`pragma disable_profiling`);
    type Node = { operator_type?: string; operator_name?: string; operator_timing?: number; operator_cardinality?: number; extra_info?: Record<string, unknown>; children?: Node[] };
    const root = JSON.parse(readFileSync(out, 'utf8')) as Node & { latency?: number };
    const rows: [string, number, number][] = [];
    const byType: Record<string, number> = {};
    const walk = (n: Node) => {
      if (n.operator_type) {
        const label = `${n.operator_type} ${JSON.stringify(n.extra_info ?? {}).slice(0, 140)}`;
        rows.push([label, n.operator_timing ?? 0, n.operator_cardinality ?? 0]);
        byType[n.operator_type] = (byType[n.operator_type] ?? 0) + (n.operator_timing ?? 0);
      }
      for (const c of n.children ?? []) walk(c);
    };
    walk(root);
    console.log(`latency ${root.latency}`);
    console.log(Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('\n'));
    console.log('---');
    for (const [l, t, c] of rows.sort((a, b) => b[1] - a[1]).slice(0, 25)) console.log(`${t.toFixed(3)}s ${c} ${l}`);
    break;
  }
  for (const st of step.statements) await adapter.execute(st);
}
await adapter.close();
