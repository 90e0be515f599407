// What the warehouse proofs compile: every example (each problem type) and a few varied monitors (every
// granularity, segments with top-N, missing: negative, earliest dedupe, boolean labels, outcomes
// read through `sql:`, no model version), each as a full refresh and as an incremental run,
// with the setup and planning statements too.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Monitor } from '../../src/config/monitor.js';
import { seedFiles, type ColumnType } from '../../src/config/seed-files.js';
import { readSeeds } from '../../src/runner/seed.js';
import { loadProject } from '../../src/config/load.js';
import { compileMonitor, compilePlan, compileSetup, permanentTables, type CompileOptions, type RunContext, type Step } from '../../src/compiler/compile.js';
import { incrementalRange } from '../../src/compiler/incremental-range.js';
import type { Dialect } from '../../src/dialects/index.js';
import { writeProject, type MonitorSpec } from '../integration/harness.js';

/** Column types of the source tables, by the names both analyzers use. */
export type ColumnKind = 'STRING' | 'TIMESTAMP' | 'DATE' | 'DATETIME' | 'DOUBLE' | 'INT64' | 'BOOL';
export interface SourceTable {
  path: string[];
  columns: [string, ColumnKind][];
}

/** The integration fixture's tables; their time columns TIMESTAMP unless given (a DATE-partitioned table, say). */
const fixture = (schema: string, label: ColumnKind, times: { predicted?: ColumnKind; observed?: ColumnKind } = {}): SourceTable[] => [
  {
    path: [schema, 'predictions'],
    columns: [['pid', 'STRING'], ['predicted_at', times.predicted ?? 'TIMESTAMP'], ['score', 'DOUBLE'], ['model_version', 'STRING'], ['environment', 'STRING'], ['seg_a', 'STRING'], ['seg_b', 'STRING']],
  },
  { path: [schema, 'outcomes'], columns: [['outcome_pid', 'STRING'], ['observed_at', times.observed ?? 'TIMESTAMP'], ['label', label]] },
];

const EXAMPLES = readdirSync('examples').filter((e) => existsSync(join('examples', e, 'hindsight.yml'))).sort();
const KIND: Record<ColumnType, ColumnKind> = { bigint: 'INT64', double: 'DOUBLE', boolean: 'BOOL', timestamp: 'TIMESTAMP', text: 'STRING' };

/**
 * A monitor's own `sql:` is written in its team's dialect (examples/demand sums daily sales into
 * weeks with DuckDB's date_trunc), so where it is not portable the proof reads the same columns
 * from a table instead: what is analyzed and executed is hindsight's SQL, not the team's.
 */
const PORTABLE_SOURCES: Record<string, { relation: string; columns: [string, ColumnKind][] }> = {
  weekly_demand: {
    relation: 'oltp.weekly_sales',
    columns: [['store_id', 'STRING'], ['category', 'STRING'], ['week_start', 'DATE'], ['units', 'INT64'], ['loaded_at', 'TIMESTAMP']],
  },
};

function portable(monitor: Monitor): Monitor {
  const replacement = PORTABLE_SOURCES[monitor.name];
  return replacement ? { ...monitor, outcomes: { ...monitor.outcomes, sql: undefined, relation: replacement.relation } } : monitor;
}

/** Every example's seed tables, typed as `hindsight seed` types them. */
function exampleTables(): SourceTable[] {
  return EXAMPLES.flatMap((example) =>
    readSeeds(seedFiles(loadProject(join('examples', example)))).map((seed) => ({
      path: [seed.file.schema, seed.file.table],
      columns: seed.columns.map(({ name, type }): [string, ColumnKind] => [name, KIND[type]]),
    })),
  );
}

/** The tables the monitors read: the examples' seeds, and the fixtures. */
export const SOURCE_TABLES: SourceTable[] = [
  ...exampleTables(),
  ...Object.values(PORTABLE_SOURCES).map((p) => ({ path: p.relation.split('.'), columns: p.columns })),
  ...fixture('src', 'INT64'),
  ...fixture('src_bool', 'BOOL'),
  ...fixture('src_dates', 'INT64', { predicted: 'DATE', observed: 'DATETIME' }),
];

const DAY = 86_400_000;
const VARIED: { source: string; spec: MonitorSpec }[] = [
  { source: 'src', spec: { name: 'all_windows', within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week', 'month'], segments: [{ column: 'seg_a', top: 50 }, { column: 'seg_b', top: 3 }] } },
  { source: 'src_bool', spec: { name: 'earliest_negative', within: '7 days', withinMs: 7 * DAY, missing: 'negative', predictionDedupe: 'earliest', outcomeDedupe: 'earliest', threshold: 0.35, granularity: ['week'], segments: [{ column: 'seg_b', top: 2 }] } },
  { source: 'src', spec: { name: 'outcomes_sql', within: '36 hours', withinMs: 36 * 3_600_000, missing: 'negative', granularity: ['day', 'month'], modelVersion: false, outcomesSql: true } },
  // time columns of other types than TIMESTAMP: GoogleSQL compares neither with a TIMESTAMP
  { source: 'src_dates', spec: { name: 'date_columns', within: '7 days', withinMs: 7 * DAY, granularity: ['day', 'week'], segments: [{ column: 'seg_a', top: 5 }] } },
  { source: 'src', spec: { name: 'score_bins', within: '14 days', withinMs: 14 * DAY, granularity: ['day', 'week'], segments: [{ column: 'seg_a', top: 5 }], scoreBins: 1000 } },
];

export interface CompiledMonitor {
  monitor: Monitor;
  schema: string;
  setup: Step;
  full: Step[];
  /** The planning query, and its second pass where it has one (planIncrementalRange). */
  plans: Step[];
  incremental: Step[];
}

const asOf = new Date('2026-11-21T00:00:00Z');
const full: RunContext = { asOf, runId: '00000000-0000-0000-0000-000000000000', computedAt: asOf };

/** An incremental run as the runner would plan it, a day after the previous one, when data changed scores or labels from `affected` on. */
function incremental(monitor: Monitor, affected: Date): RunContext {
  return { ...full, incremental: incrementalRange(monitor, affected, new Date(asOf.getTime() - 86_400_000)) };
}

function monitors(): { monitor: Monitor; schema: string }[] {
  const target = { name: 'dev', type: 'duckdb' as const, output: () => ({ type: 'duckdb' as const, path: ':memory:' }) };
  return [
    ...EXAMPLES.flatMap((example) => {
      const project = loadProject(join('examples', example));
      return project.monitors.map((monitor) => ({ monitor: portable(monitor), schema: project.config.schema }));
    }),
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
      plans: planPasses(options({ ...full, previousAsOf: new Date(asOf.getTime() - DAY) })),
      incremental: compileMonitor(options(incremental(monitor, new Date('2026-11-05T13:00:00Z')))),
    };
  });
}

/**
 * The plan's first pass, and its second when the template has one: compiled as if the first found
 * replaced predictions two weeks back (at a time with milliseconds, as drivers return them).
 */
function planPasses(options: CompileOptions): Step[] {
  const first = compilePlan(options);
  const second = compilePlan({ ...options, run: { ...options.run, replacedFrom: new Date(asOf.getTime() - 14 * DAY + 123) } });
  return second.sql === first.sql ? [first] : [first, second];
}

/** Every statement of a compiled monitor in execution order, labelled `<run>/<step>`. */
export function statementsInOrder(d: Dialect, c: CompiledMonitor): [string, string][] {
  const steps = (run: string, steps: Step[]) =>
    steps.flatMap((step): [string, string][] => [
      // where DDL is not transactional, the runner creates the monitor's tables before the write step
      ...(step.name === 'write' && !d.capabilities.transactionalDdl && run === 'full_refresh'
        ? permanentTables({ monitor: c.monitor, schema: c.schema, dialect: d }, steps).map((t): [string, string] => [`${run}/runner`, t.create])
        : []),
      ...step.statements.map((sql): [string, string] => [`${run}/${step.name}`, sql]),
    ]);
  return [
    ...c.setup.statements.map((sql): [string, string] => ['setup', sql]),
    ...steps('full_refresh', c.full),
    ...c.plans.map((step): [string, string] => ['plan', step.sql]),
    ...steps('incremental', c.incremental),
  ];
}
