// Shared integration harness: loads fixture rows into a warehouse, writes a project to a temp dir,
// runs it through the real loader, compiler and runner, and reads the metric tables back in the
// reference's shape so the two can be compared row by row.
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { expect } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { loadProject, loadTarget } from '../../src/config/load.js';
import { runMonitors, type MonitorResult } from '../../src/runner/run.js';
import { compareMetricRows, type MetricRow, type OutcomeEvent, type PredictionEvent, type ReferenceConfig } from '../reference/pipeline.js';
import type { TestTarget } from './targets.js';

let counter = 0;
/** A schema name unique to this process and call, so tests sharing a database never collide. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}_${process.pid}_${counter}`;
}

export interface Fixture {
  predictions: (PredictionEvent & { environment?: string })[];
  outcomes: OutcomeEvent[];
}

const ts = (d: Date, adapter: Adapter) => `cast(${adapter.dialect.string(d.toISOString().replace('T', ' ').replace('Z', ''))} as ${adapter.dialect.types.timestamp})`;
const day = (d: Date, adapter: Adapter) => `cast(${adapter.dialect.string(d.toISOString().slice(0, 10))} as date)`;
const text = (v: string | null | undefined, adapter: Adapter) => (v === null || v === undefined ? 'null' : adapter.dialect.string(v));
const num = (v: number | null) => (v === null ? 'null' : String(v));

async function insertRows(adapter: Adapter, table: string, rows: string[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 500) {
    await adapter.execute(`insert into ${table} values ${rows.slice(i, i + 500).join(',\n')}`);
  }
}

/**
 * Creates <schema>.predictions and <schema>.outcomes; labels as integers or as booleans, times as
 * timestamps or (`dates`) as dates, the day of each event's time.
 */
export async function loadFixture(
  adapter: Adapter,
  schema: string,
  fixture: Fixture,
  options: { segments: string[]; booleanLabels?: boolean; append?: boolean; dates?: boolean },
): Promise<void> {
  const d = adapter.dialect;
  const time = options.dates ? day : ts;
  const timeType = options.dates ? 'date' : d.types.timestamp;
  const segCols = options.segments.map((s) => `${d.quote(s)} ${d.types.text}`).join(', ');
  if (!options.append) {
    await adapter.execute(`create schema if not exists ${d.quote(schema)}`);
    await adapter.execute(
      `create table ${d.quote(schema)}.predictions (pid ${d.types.text}, predicted_at ${timeType}, score ${d.types.double}, model_version ${d.types.text}, environment ${d.types.text}${segCols ? `, ${segCols}` : ''})`,
    );
    await adapter.execute(
      `create table ${d.quote(schema)}.outcomes (outcome_pid ${d.types.text}, observed_at ${timeType}, label ${options.booleanLabels ? d.types.boolean : d.types.integer})`,
    );
  }
  await insertRows(
    adapter,
    `${d.quote(schema)}.predictions`,
    fixture.predictions.map(
      (p) =>
        `(${text(String(p.key[0]), adapter)}, ${time(p.ts, adapter)}, ${num(p.score)}, ${text(p.modelVersion, adapter)}, ${text(p.environment ?? 'production', adapter)}${options.segments.map((s) => `, ${text(p.segments[s], adapter)}`).join('')})`,
    ),
  );
  await insertRows(
    adapter,
    `${d.quote(schema)}.outcomes`,
    fixture.outcomes.map((o) => {
      const label = o.label === null ? 'null' : options.booleanLabels ? String(Boolean(o.label)) : String(Number(o.label));
      return `(${text(String(o.key[0]), adapter)}, ${time(o.ts, adapter)}, ${label})`;
    }),
  );
}

export interface MonitorSpec {
  name?: string;
  within: string;
  withinMs: number;
  missing?: 'drop' | 'negative';
  predictionDedupe?: 'latest' | 'earliest';
  outcomeDedupe?: 'latest' | 'earliest';
  threshold?: number;
  granularity?: ('day' | 'week' | 'month')[];
  segments?: { column: string; top: number }[];
  modelVersion?: boolean;
  /** Read outcomes through `sql:` instead of the relation. */
  outcomesSql?: boolean;
  /** approximate_ranking.score_bins */
  scoreBins?: number;
  /** load_delay */
  loadDelay?: string;
}

export function referenceConfig(spec: MonitorSpec, asOf: Date): ReferenceConfig {
  return {
    withinMs: spec.withinMs,
    missing: spec.missing ?? 'drop',
    predictionDedupe: spec.predictionDedupe ?? 'latest',
    outcomeDedupe: spec.outcomeDedupe ?? 'latest',
    threshold: spec.threshold ?? 0.5,
    ...(spec.scoreBins ? { scoreBins: spec.scoreBins } : {}),
    granularities: spec.granularity ?? ['day'],
    segments: spec.segments ?? [],
    asOf,
  };
}

/** Writes hindsight.yml, profiles.yml and one monitor file reading the fixture tables. */
export function writeProject(target: TestTarget, sourceSchema: string, outputSchema: string, spec: MonitorSpec): string {
  return writeMonitors(target, outputSchema, [binaryMonitor(sourceSchema, spec)]);
}

/** Writes hindsight.yml, profiles.yml (with `output` merged into the target's) and one file of monitors. */
export function writeMonitors(target: TestTarget, outputSchema: string, monitors: Record<string, unknown>[], output: Record<string, unknown> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hindsight-test-'));
  writeFileSync(join(dir, 'hindsight.yml'), stringify({ name: 'test', profile: 'test', schema: outputSchema }));
  writeFileSync(join(dir, 'profiles.yml'), stringify({ test: { target: target.name, outputs: { [target.name]: { ...target.output(), ...output } } } }));
  mkdirSync(join(dir, 'monitors'));
  writeFileSync(join(dir, 'monitors', 'm.yml'), stringify({ monitors }));
  return dir;
}

/** The YAML object of a binary monitor reading the fixture tables of `sourceSchema`. */
export function binaryMonitor(sourceSchema: string, spec: MonitorSpec): Record<string, unknown> {
  return {
    name: spec.name ?? 'm',
    type: 'binary_classification',
    predictions: {
      relation: `${sourceSchema}.predictions`,
      key: ['pid'],
      timestamp: 'predicted_at',
      score: 'score',
      ...(spec.modelVersion === false ? {} : { model_version: 'model_version' }),
      dedupe: spec.predictionDedupe ?? 'latest',
      where: "environment = 'production'",
    },
    outcomes: spec.outcomesSql
      ? { sql: `select outcome_pid as pid, observed_at, label from ${sourceSchema}.outcomes`, key: ['pid'], timestamp: 'observed_at', label: 'label', dedupe: spec.outcomeDedupe ?? 'latest' }
      : { relation: `${sourceSchema}.outcomes`, key: ['outcome_pid'], timestamp: 'observed_at', label: 'label', dedupe: spec.outcomeDedupe ?? 'latest' },
    join: { within: spec.within, missing: spec.missing ?? 'drop' },
    threshold: spec.threshold ?? 0.5,
    ...(spec.scoreBins ? { approximate_ranking: { score_bins: spec.scoreBins } } : {}),
    granularity: spec.granularity ?? ['day'],
    segments: spec.segments ?? [],
    ...(spec.loadDelay ? { load_delay: spec.loadDelay } : {}),
  };
}

export async function runProject(
  adapter: Adapter,
  dir: string,
  options: { asOf: Date; fullRefresh?: boolean },
): Promise<MonitorResult[]> {
  const project = loadProject(dir);
  const target = loadTarget(project);
  return runMonitors({ project, target, adapter, monitors: project.monitors, asOf: options.asOf, fullRefresh: options.fullRefresh ?? false });
}

/** The metric table of one monitor, in the reference's row shape and order. */
/**
 * DuckDB: a full refresh writes the evaluations table in the order of its time column
 * (src/dialects/duckdb.ts createTable), so that reads and deletes of a time range skip row groups.
 * Storage order is the order of rowid.
 */
export async function expectStoredInOrder(adapter: Adapter, schema: string, timeColumn: string, monitor = 'm'): Promise<void> {
  const d = adapter.dialect;
  const [row] = await adapter.query(
    `select count(*) as n, sum(case when earlier > ${timeColumn} then 1 else 0 end) as out_of_order from (
      select ${timeColumn}, lag(${timeColumn}) over (order by rowid) as earlier from ${d.quote(schema)}.${d.quote(`${monitor}__evaluations`)}
    ) as stored`,
  );
  expect(Number(row!.n)).toBeGreaterThan(100);
  expect(Number(row!.out_of_order)).toBe(0);
}

/**
 * Replaces the output schema's metric table with one whose check constraint rejects `metric`, its
 * other rows kept: a run's write step then deletes, and fails on its insert.
 */
export async function rejectMetricRows(adapter: Adapter, schema: string, metric: string): Promise<void> {
  const d = adapter.dialect;
  const t = d.types;
  await adapter.execute(`create table ${schema}.kept as select * from ${schema}.hindsight_metrics`);
  await adapter.execute(`drop table ${schema}.hindsight_metrics`);
  await adapter.execute(
    `create table ${schema}.hindsight_metrics (monitor ${t.text} not null, model_version ${t.text}, granularity ${t.text} not null, window_start ${t.timestamp} not null, window_end ${t.timestamp} not null, segment ${t.text}, segment_value ${t.text}, metric ${t.text} not null check (metric <> ${d.string(metric)}), qualifier ${t.text}, value ${t.double}, sample_size ${t.bigint}, run_id ${t.text} not null, computed_at ${t.timestamp} not null)`,
  );
  await adapter.execute(`insert into ${schema}.hindsight_metrics select * from ${schema}.kept where metric <> ${d.string(metric)}`);
}

export async function readMetrics(adapter: Adapter, schema: string, monitor = 'm'): Promise<MetricRow[]> {
  const d = adapter.dialect;
  const rows = await adapter.query(
    `select * from ${d.quote(schema)}.hindsight_metrics where monitor = ${d.string(monitor)}`,
  );
  return rows
    .map((r) => ({
      modelVersion: (r.model_version as string | null) ?? null,
      granularity: String(r.granularity),
      windowStart: (r.window_start as Date).toISOString(),
      windowEnd: (r.window_end as Date).toISOString(),
      segment: (r.segment as string | null) ?? null,
      segmentValue: (r.segment_value as string | null) ?? null,
      metric: String(r.metric),
      qualifier: (r.qualifier as string | null) ?? null,
      value: r.value === null ? null : Number(r.value),
      sampleSize: Number(r.sample_size),
    }))
    .sort(compareMetricRows);
}

/** A metric row's group and metric, as one string (JSON: a NULL and an empty segment value differ). */
export const rowKey = (r: MetricRow) => JSON.stringify([r.granularity, r.windowStart, r.modelVersion, r.segment, r.segmentValue, r.metric, r.qualifier]);

/** Same rows, same sample sizes and window ends, values equal to 1e-9 (relative). */
export function expectSameMetrics(actual: MetricRow[], expected: MetricRow[]): void {
  const a = new Map(actual.map((r) => [rowKey(r), r]));
  const e = new Map(expected.map((r) => [rowKey(r), r]));
  expect([...a.keys()].filter((k) => !e.has(k)), 'rows the reference does not have').toEqual([]);
  expect([...e.keys()].filter((k) => !a.has(k)), 'rows missing from the metric table').toEqual([]);
  const mismatches: string[] = [];
  for (const [k, exp] of e) {
    const act = a.get(k)!;
    const close =
      exp.value === null || act.value === null
        ? exp.value === act.value
        : Math.abs(exp.value - act.value) <= 1e-9 * Math.max(1, Math.abs(exp.value));
    if (!close || act.sampleSize !== exp.sampleSize || act.windowEnd !== exp.windowEnd) {
      mismatches.push(`${k}: got ${act.value} (n=${act.sampleSize}, end ${act.windowEnd}), expected ${exp.value} (n=${exp.sampleSize}, end ${exp.windowEnd})`);
    }
  }
  expect(mismatches.slice(0, 20), `${mismatches.length} values differ`).toEqual([]);
}

/** Looks one value up: metric in a window, overall unless a segment is given. */
export function valueOf(rows: MetricRow[], metric: string, where: Partial<MetricRow> = {}): number | null | undefined {
  const match = rows.filter(
    (r) =>
      r.metric === metric &&
      (where.granularity ?? 'day') === r.granularity &&
      (where.windowStart === undefined || where.windowStart === r.windowStart) &&
      (where.modelVersion === undefined ? true : where.modelVersion === r.modelVersion) &&
      (where.segment ?? null) === r.segment &&
      (where.segmentValue === undefined ? true : where.segmentValue === r.segmentValue),
  );
  if (match.length > 1) throw new Error(`${match.length} rows match ${metric} ${JSON.stringify(where)}`);
  return match[0]?.value;
}

export interface Column {
  name: string;
  /** `date`: a Date at midnight UTC, stored as its day. */
  type: 'text' | 'timestamp' | 'date' | 'double' | 'integer' | 'boolean';
}

/** A value of a Column as a SQL literal. */
export function columnLiteral(adapter: Adapter, v: unknown, t: Column['type']): string {
  if (v === null || v === undefined) return 'null';
  if (t === 'timestamp') return ts(v as Date, adapter);
  if (t === 'date') return day(v as Date, adapter);
  if (t === 'text') return adapter.dialect.string(String(v));
  return String(v);
}

/** Creates <schema>.<table> with typed columns and inserts the rows (values in column order). */
export async function createTable(adapter: Adapter, schema: string, table: string, columns: Column[], rows: unknown[][]): Promise<void> {
  const d = adapter.dialect;
  const sqlType = (t: Column['type']) => (t === 'date' ? 'date' : d.types[t]);
  await adapter.execute(`create schema if not exists ${d.quote(schema)}`);
  await adapter.execute(`create table ${d.quote(schema)}.${d.quote(table)} (${columns.map((c) => `${d.quote(c.name)} ${sqlType(c.type)}`).join(', ')})`);
  await insertRows(adapter, `${d.quote(schema)}.${d.quote(table)}`, rows.map((r) => `(${r.map((v, i) => columnLiteral(adapter, v, columns[i]!.type)).join(', ')})`));
}

/** Writes a project with one monitor given as its YAML object. */
export function writeProjectWith(target: TestTarget, outputSchema: string, monitor: Record<string, unknown>): string {
  return writeMonitors(target, outputSchema, [{ name: 'm', ...monitor }]);
}
