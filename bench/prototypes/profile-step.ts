// Where a DuckDB step's time goes, operator by operator (DuckDB's JSON profiling of one statement):
//   npx tsx bench/prototypes/profile-step.ts <warehouse.duckdb> metrics [--create] [--score-bins N | --type regression]
// (--create profiles the step's own statements, the table write included, instead of a count over its query)
// Runs the full-refresh pipeline up to the step, then the step once with profiling on, and prints the
// operators with the largest timings (CPU time summed over threads, as DuckDB reports it).
import { openAdapter } from '../../src/adapters/index.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { AS_OF_FULL } from '../generate.js';
import { benchMonitorFromFlags } from './monitor-flags.js';
import { profileStatements } from './duckdb-profile.js';

const [path, target] = process.argv.slice(2) as [string, string];
const adapter = await openAdapter({ type: 'duckdb', path } as never);
const monitor = benchMonitorFromFlags();
const run = { asOf: AS_OF_FULL, runId: 'profile', computedAt: AS_OF_FULL };
// every step as a session table, as compare.ts builds them (a full refresh would stage its evaluations in
// the schema, which this database file does not have)
const dialect = { ...adapter.dialect, capabilities: { ...adapter.dialect.capabilities, transactionalDdl: false } };
const steps = compileMonitor({ monitor, schema: 'hindsight', dialect, run }).filter((s) => s.kind === 'table');
for (const step of steps) {
  if (step.name === target) {
    const statements = process.argv.includes('--create') ? step.statements : [`select count(*) from (${step.sql}) as q`];
    const { operators, latency } = await profileStatements(adapter, statements, `/tmp/profile-${target}.json`);
    const byType: Record<string, number> = {};
    for (const o of operators) byType[o.type] = (byType[o.type] ?? 0) + o.seconds;
    console.log(`latency ${latency}`);
    console.log(Object.entries(byType).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v.toFixed(2)}`).join('\n'));
    console.log('---');
    for (const o of operators.slice(0, 25)) console.log(`${o.seconds.toFixed(3)}s ${o.rows} ${o.label}`);
    break;
  }
  for (const st of step.statements) await adapter.execute(st);
}
await adapter.close();
