// The physical plan of one DuckDB step of the benchmark monitor (EXPLAIN, not run):
//   npx tsx bench/prototypes/explain-step.ts <warehouse.duckdb> metrics [--score-bins N]
// Runs the full-refresh pipeline up to the step, then prints the step's plan, so that operators such
// as a materialized CTE (CTE / CTE_SCAN) can be seen without running the step itself.
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
const run = { asOf: AS_OF_FULL, runId: 'explain', computedAt: AS_OF_FULL };
for (const step of compileMonitor({ monitor, schema: 'hindsight', dialect: adapter.dialect, run }).filter((s) => s.kind === 'table')) {
  if (step.name === target) {
    const rows = await adapter.query(`explain (format json) ${step.sql}`);
    for (const row of rows) console.log(String(Object.values(row).at(-1)));
    break;
  }
  for (const statement of step.statements) await adapter.execute(statement);
}
await adapter.close();
