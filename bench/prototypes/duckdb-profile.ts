// DuckDB's JSON profiling of one statement, flattened to its operators (timings are CPU seconds
// summed over threads, as DuckDB reports them). Shared by profile-step.ts and incremental-profile.ts.
import { readFileSync } from 'node:fs';
import type { Adapter } from '../../src/adapters/index.js';

export interface ProfiledOperator {
  type: string;
  /** the operator type and the start of its details (projections, join conditions, filters) */
  label: string;
  seconds: number;
  rows: number;
}

type Node = { operator_type?: string; operator_timing?: number; operator_cardinality?: number; extra_info?: Record<string, unknown>; children?: Node[] };

/** Runs the statements with profiling on (written to `file`) and returns the last one's operators and latency. */
export async function profileStatements(adapter: Adapter, statements: string[], file: string): Promise<{ operators: ProfiledOperator[]; latency: number }> {
  await adapter.execute(`pragma enable_profiling = 'json'`);
  await adapter.execute(`pragma profiling_output = '${file}'`);
  try {
    for (const sql of statements) await adapter.execute(sql);
  } finally {
    await adapter.execute(`pragma disable_profiling`);
  }
  const root = JSON.parse(readFileSync(file, 'utf8')) as Node & { latency?: number };
  const operators: ProfiledOperator[] = [];
  const walk = (n: Node) => {
    if (n.operator_type) {
      operators.push({ type: n.operator_type, label: `${n.operator_type} ${JSON.stringify(n.extra_info ?? {}).slice(0, 150)}`, seconds: n.operator_timing ?? 0, rows: n.operator_cardinality ?? 0 });
    }
    for (const c of n.children ?? []) walk(c);
  };
  walk(root);
  return { operators: operators.sort((a, b) => b.seconds - a.seconds), latency: root.latency ?? 0 };
}
