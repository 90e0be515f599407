// BigQuery's work per compiled step, counted as table reads with every CTE reference run again
// (src/compiler/shared-expressions.ts, expandedReads): for each example's monitors, the query as
// rendered (what `hindsight compile` writes) against the statements `hindsight run` executes.
//   npx tsx bench/prototypes/cte-reads.ts [dialect=bigquery]
import { join } from 'node:path';
import { loadProject } from '../../src/config/load.js';
import { compileMonitor } from '../../src/compiler/compile.js';
import { expandedReads } from '../../src/compiler/shared-expressions.js';
import { dialects } from '../../src/dialects/index.js';

const dialect = dialects[process.argv[2] ?? 'bigquery']!;
const asOf = new Date('2026-11-21T00:00:00Z');
const reads = (sql: string) => [...expandedReads(sql).values()].reduce((a, b) => a + b, 0);
const totals = { rendered: 0, run: 0, statements: 0 };
console.log(`${'example/monitor/step'.padEnd(52)} ${'rendered'.padStart(9)} ${'as run'.padStart(7)} statements`);
for (const example of ['shop', 'styles', 'resale', 'demand', 'carousel']) {
  const project = loadProject(join('examples', example));
  for (const monitor of project.monitors) {
    for (const step of compileMonitor({ monitor, schema: project.config.schema, dialect, run: { asOf, runId: 'r', computedAt: asOf } })) {
      if (step.kind !== 'table') continue;
      const rendered = reads(step.sql);
      const run = step.statements.reduce((a, s) => a + reads(s), 0);
      totals.rendered += rendered;
      totals.run += run;
      totals.statements += step.statements.length;
      console.log(`${`${example}/${monitor.name}/${step.name}`.padEnd(52)} ${String(rendered).padStart(9)} ${String(run).padStart(7)} ${step.statements.length}`);
    }
  }
}
console.log(`${'total'.padEnd(52)} ${String(totals.rendered).padStart(9)} ${String(totals.run).padStart(7)} ${totals.statements}`);
