// What the warehouse proofs compile: the shop example and a few varied monitors (every
// granularity, segments with top-N, missing: negative, earliest dedupe, boolean labels, outcomes
// read through `sql:`, no model version), each as a full refresh and as an incremental run,
// with the setup and planning statements too.
import type { Monitor } from '../../src/config/monitor.js';
import { loadProject } from '../../src/config/load.js';
import type { Granularity } from '../../src/config/schema.js';
import { windowStart } from '../../src/config/windows.js';
import { compileMonitor, compilePlan, compileSetup, tempRelation, type RunContext, type Step } from '../../src/compiler/compile.js';
import type { Dialect } from '../../src/dialects/index.js';
import { writeProject, type MonitorSpec } from '../integration/harness.js';

/** Column types of the source tables, by the names both analyzers use. */
export type ColumnKind = 'STRING' | 'TIMESTAMP' | 'DOUBLE' | 'INT64' | 'BOOL';
export interface SourceTable {
  path: string[];
  columns: [string, ColumnKind][];
}

const fixture = (schema: string, label: ColumnKind): SourceTable[] => [
  {
    path: [schema, 'predictions'],
    columns: [['pid', 'STRING'], ['predicted_at', 'TIMESTAMP'], ['score', 'DOUBLE'], ['model_version', 'STRING'], ['environment', 'STRING'], ['seg_a', 'STRING'], ['seg_b', 'STRING']],
  },
  { path: [schema, 'outcomes'], columns: [['outcome_pid', 'STRING'], ['observed_at', 'TIMESTAMP'], ['label', label]] },
];

/** The tables the monitors read: the shop's seeds as `hindsight seed` types them, and the fixtures. */
export const SOURCE_TABLES: SourceTable[] = [
  {
    path: ['raw', 'prediction_events'],
    columns: [['event_id', 'STRING'], ['prediction_id', 'STRING'], ['predicted_at', 'TIMESTAMP'], ['keep_probability', 'DOUBLE'], ['model_version', 'STRING'], ['customer_type', 'STRING'], ['region', 'STRING'], ['environment', 'STRING']],
  },
  { path: ['oltp', 'shipment_items'], columns: [['shipment_item_id', 'STRING'], ['checked_in_at', 'TIMESTAMP'], ['kept', 'BOOL'], ['status', 'STRING']] },
  ...fixture('src', 'INT64'),
  ...fixture('src_bool', 'BOOL'),
];

const DAY = 86_400_000;
const VARIED: { source: string; spec: MonitorSpec }[] = [
  { source: 'src', spec: { name: 'all_windows', within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week', 'month'], segments: [{ column: 'seg_a', top: 50 }, { column: 'seg_b', top: 3 }] } },
  { source: 'src_bool', spec: { name: 'earliest_negative', within: '7 days', withinMs: 7 * DAY, missing: 'negative', predictionDedupe: 'earliest', outcomeDedupe: 'earliest', threshold: 0.35, granularity: ['week'], segments: [{ column: 'seg_b', top: 2 }] } },
  { source: 'src', spec: { name: 'outcomes_sql', within: '36 hours', withinMs: 36 * 3_600_000, missing: 'negative', granularity: ['day', 'month'], modelVersion: false, outcomesSql: true } },
];

export interface CompiledMonitor {
  monitor: Monitor;
  schema: string;
  setup: Step;
  full: Step[];
  plan: Step;
  incremental: Step[];
}

const asOf = new Date('2026-11-21T00:00:00Z');
const full: RunContext = { asOf, runId: '00000000-0000-0000-0000-000000000000', computedAt: asOf };

/** An incremental run as the runner would plan it when data changed from `affected` on. */
function incremental(monitor: Monitor, affected: Date): RunContext {
  const recomputeFrom: Partial<Record<Granularity, Date>> = {};
  for (const g of monitor.granularities) recomputeFrom[g] = windowStart(g, affected);
  const evaluateFrom = new Date(Math.min(...Object.values(recomputeFrom).map((t) => t.getTime())));
  const outcomesFrom = new Date(evaluateFrom.getTime() - monitor.within.seconds * 1000);
  return { ...full, incremental: { recomputeFrom, evaluateFrom, outcomesFrom } };
}

function monitors(): { monitor: Monitor; schema: string }[] {
  const shop = loadProject('examples/shop');
  const target = { name: 'dev', output: () => ({ type: 'duckdb' as const, path: ':memory:' }) };
  return [
    ...shop.monitors.map((monitor) => ({ monitor, schema: shop.config.schema })),
    ...VARIED.map(({ source, spec }) => {
      const project = loadProject(writeProject(target, source, 'hindsight', spec));
      return { monitor: project.monitors[0]!, schema: project.config.schema };
    }),
  ];
}

export function compiledMonitors(dialect: Dialect): CompiledMonitor[] {
  return monitors().map(({ monitor, schema }) => {
    const options = (run: RunContext) => ({ monitor, schema, dialect, run });
    return {
      monitor,
      schema,
      setup: compileSetup(options(full)),
      full: compileMonitor(options(full)),
      plan: compilePlan(options({ ...full, previousAsOf: new Date(asOf.getTime() - DAY) })),
      incremental: compileMonitor(options(incremental(monitor, new Date('2026-11-05T13:00:00Z')))),
    };
  });
}

/**
 * Where DDL is not transactional (BigQuery, Snowflake), models/write.sql only deletes and inserts:
 * the runner must create the evaluations table before its transaction begins. This statement
 * stands in for that, after the pipeline's session tables exist.
 */
export function createEvaluationsTable(d: Dialect, monitor: Monitor, schema: string): string {
  return `create table if not exists ${d.quote(schema)}.${d.quote(`${monitor.name}__evaluations`)} as\nselect * from ${d.quote(tempRelation(monitor.name, 'evaluations'))} where false`;
}

/** Every statement of a compiled monitor in execution order, labelled `<run>/<step>`. */
export function statementsInOrder(d: Dialect, c: CompiledMonitor): [string, string][] {
  const steps = (run: string, steps: Step[]) =>
    steps.flatMap((step): [string, string][] => [
      ...(step.name === 'write' && !d.capabilities.transactionalDdl && run === 'full_refresh'
        ? [[`${run}/runner`, createEvaluationsTable(d, c.monitor, c.schema)] as [string, string]]
        : []),
      ...step.statements.map((sql): [string, string] => [`${run}/${step.name}`, sql]),
    ]);
  return [
    ...c.setup.statements.map((sql): [string, string] => ['setup', sql]),
    ...steps('full_refresh', c.full),
    ['plan', c.plan.sql],
    ...steps('incremental', c.incremental),
  ];
}
