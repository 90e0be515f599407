// `hindsight run --dry-run`: for warehouses that can price a query without running it (BigQuery's
// dry-run jobs), the bytes each pipeline step of a full refresh would process. Nothing runs and
// nothing is written.
//
// A step reads the session tables of earlier steps, which a dry run does not create; so each step
// is checked with the steps it builds on inlined as CTEs, and its figure is what it needs read
// from the warehouse's tables, through those steps. Figures of different steps overlap.
import type { Adapter } from '../adapters/index.js';
import type { Monitor } from '../config/monitor.js';
import { compileMonitor, type Step } from '../compiler/compile.js';
import { UsageError } from '../errors.js';
import { checkColumns } from './columns.js';

export interface DryRunStep {
  name: string;
  bytesProcessed: number;
}

/** The step's query with every session table it reads (directly or not) defined as a CTE. */
export function withEarlierSteps(step: Step, steps: Step[]): string {
  const earlier = steps.slice(0, steps.indexOf(step)).filter((s) => s.relation);
  const needed = new Set<Step>();
  const visit = (sql: string) => {
    for (const s of earlier) {
      if (!needed.has(s) && sql.includes(s.relation!)) {
        needed.add(s);
        visit(s.sql);
      }
    }
  };
  visit(step.sql);
  const ctes = earlier.filter((s) => needed.has(s)).map((s) => `${s.relation!} as (\n${s.sql.trimEnd()}\n)`);
  return ctes.length === 0 ? step.sql : `with ${ctes.join(',\n')}\nselect * from (\n${step.sql.trimEnd()}\n)`;
}

/** A target whose warehouse cannot price a query without running it is a usage error (exit 2). */
export function checkCanDryRun(adapter: Adapter): asserts adapter is Adapter & Required<Pick<Adapter, 'dryRun'>> {
  if (!adapter.dryRun) throw new UsageError(`--dry-run needs a warehouse that can estimate a query without running it (BigQuery); this target is ${adapter.type}`);
}

export async function dryRunMonitor(adapter: Adapter, monitor: Monitor, schema: string, asOf: Date): Promise<DryRunStep[]> {
  checkCanDryRun(adapter);
  const textTimes = await checkColumns(adapter, monitor, asOf);
  const steps = compileMonitor({ monitor, schema, dialect: adapter.dialect, run: { asOf, runId: 'dry-run', computedAt: asOf, textTimes } });
  const out: DryRunStep[] = [];
  for (const step of steps) {
    if (step.kind !== 'table') continue;
    const { bytesProcessed } = await adapter.dryRun(withEarlierSteps(step, steps));
    out.push({ name: step.name, bytesProcessed });
  }
  return out;
}
