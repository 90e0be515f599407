// Forecast monitors (docs/semantics.md §5d) on every target: a hand-computed fixture with the edge
// cases (re-logged forecasts, horizons, a series without history for MASE, actuals equal to zero,
// late and early actuals), randomized data equal to the independent reference, and incremental runs
// equal to a full refresh.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { ConfigError } from '../../src/errors.js';
import { loadProject } from '../../src/config/load.js';
import { referenceForecastPipeline, type ActualRow, type ForecastConfig, type ForecastRow } from '../reference/forecast.js';
import type { MetricRow } from '../reference/pipeline.js';
import { columnLiteral, createTable, expectSameMetrics, expectStoredInOrder, readMetrics, rejectMetricRows, runProject, uniqueName, writeProjectWith, type Column } from './harness.js';
import { prng } from './random-data.js';
import { openTarget, TARGETS, type TestTarget } from './targets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const t = (s: string) => new Date(`${s.replace(' ', 'T')}:00Z`);

interface Forecast extends ForecastRow {
  env?: string;
}

// ---------------------------------------------------------------------------------------------
// Loading rows and writing the monitor

const FORECAST_COLUMNS: Column[] = [
  { name: 'store', type: 'text' }, { name: 'sku', type: 'integer' }, { name: 'forecast_at', type: 'timestamp' },
  { name: 'target_at', type: 'timestamp' }, { name: 'published_at', type: 'timestamp' }, { name: 'pred', type: 'double' },
  { name: 'lo', type: 'double' }, { name: 'hi', type: 'double' }, { name: 'q10', type: 'double' }, { name: 'q50', type: 'double' },
  { name: 'q90', type: 'double' }, { name: 'mv', type: 'text' }, { name: 'seg', type: 'text' }, { name: 'env', type: 'text' },
];
const ACTUAL_COLUMNS: Column[] = [
  { name: 'store_id', type: 'text' }, { name: 'sku_id', type: 'integer' }, { name: 'day', type: 'timestamp' },
  { name: 'units', type: 'double' }, { name: 'loaded_at', type: 'timestamp' },
];

/** The tables' columns; with `dates`, the target times and the actuals' times are DATE columns. */
const columns = (dates = false) => {
  const day = (c: Column): Column => (dates && (c.name === 'target_at' || c.name === 'day') ? { ...c, type: 'date' } : c);
  return { forecasts: FORECAST_COLUMNS.map(day), actuals: ACTUAL_COLUMNS.map(day) };
};

async function loadRows(adapter: Adapter, schema: string, forecasts: Forecast[], actuals: ActualRow[], append = false, dates = false): Promise<void> {
  const forecastRows = forecasts.map((f) => [
    f.series[0], f.series[1], f.forecastTime, f.targetTime, f.loggedAt ?? null, f.prediction, f.lower ?? null, f.upper ?? null,
    f.quantiles?.['0.1'] ?? null, f.quantiles?.['0.5'] ?? null, f.quantiles?.['0.9'] ?? null, f.modelVersion, f.segments.seg ?? null, f.env ?? 'production',
  ]);
  const actualRows = actuals.map((a) => [a.series[0], a.series[1], a.time, a.value, a.loggedAt ?? null]);
  const types = columns(dates);
  if (!append) {
    await createTable(adapter, schema, 'forecasts', types.forecasts, forecastRows);
    await createTable(adapter, schema, 'actuals', types.actuals, actualRows);
    return;
  }
  const d = adapter.dialect;
  for (const [table, rows] of [['forecasts', forecastRows], ['actuals', actualRows]] as const) {
    const literal = (v: unknown, i: number) => columnLiteral(adapter, v, types[table][i]!.type);
    if (rows.length) await adapter.execute(`insert into ${d.quote(schema)}.${table} values ${rows.map((r) => `(${r.map(literal).join(', ')})`).join(',\n')}`);
  }
}

interface Options {
  forecastLoggedAt: boolean;
  actualLoggedAt: boolean;
  forecastDedupe?: 'latest' | 'earliest';
  actualDedupe?: 'latest' | 'earliest';
  within: [string, number];
  horizonUnit: 'hour' | 'day' | 'week';
  horizons?: number[];
  seasonality?: number;
  granularity: ('day' | 'week' | 'month')[];
  interval?: boolean;
  quantiles?: string[];
  /** Read the actuals through `sql:` (renaming the columns) instead of the relation. */
  actualsSql?: boolean;
  segments?: boolean;
}

function monitorYaml(src: string, o: Options): Record<string, unknown> {
  return {
    type: 'forecast',
    predictions: {
      relation: `${src}.forecasts`,
      series: ['store', 'sku'],
      forecast_time: 'forecast_at',
      target_time: 'target_at',
      prediction: 'pred',
      ...(o.interval ? { interval: { lower: 'lo', upper: 'hi', level: 0.8 } } : {}),
      ...(o.quantiles ? { quantiles: Object.fromEntries(o.quantiles.map((q) => [q, `q${Math.round(Number(q) * 100)}`])) } : {}),
      model_version: 'mv',
      ...(o.forecastLoggedAt ? { logged_at: 'published_at' } : {}),
      dedupe: o.forecastDedupe ?? 'latest',
      where: "env = 'production'",
    },
    outcomes: o.actualsSql
      ? {
          sql: `select store_id as store, sku_id as sku, day as t, units as y, loaded_at from ${src}.actuals`,
          series: ['store', 'sku'], time: 't', value: 'y', ...(o.actualLoggedAt ? { logged_at: 'loaded_at' } : {}), dedupe: o.actualDedupe ?? 'latest',
        }
      : { relation: `${src}.actuals`, series: ['store_id', 'sku_id'], time: 'day', value: 'units', ...(o.actualLoggedAt ? { logged_at: 'loaded_at' } : {}), dedupe: o.actualDedupe ?? 'latest' },
    join: { within: o.within[0] },
    horizon_unit: o.horizonUnit,
    ...(o.horizons ? { horizons: o.horizons } : {}),
    ...(o.seasonality ? { seasonality: o.seasonality } : {}),
    granularity: o.granularity,
    segments: o.segments === false ? [] : ['store', { column: 'seg', top: 2 }],
  };
}

function referenceConfig(o: Options, asOf: Date): ForecastConfig {
  return {
    withinMs: o.within[1],
    forecastDedupe: o.forecastDedupe ?? 'latest',
    actualDedupe: o.actualDedupe ?? 'latest',
    forecastLoggedAt: o.forecastLoggedAt,
    actualLoggedAt: o.actualLoggedAt,
    granularities: o.granularity,
    segments: o.segments === false ? [] : [{ column: 'store', top: 50, seriesColumn: true }, { column: 'seg', top: 2 }],
    horizonUnit: o.horizonUnit,
    horizons: o.horizons,
    seasonality: o.seasonality ?? 1,
    interval: o.interval ? { level: 0.8 } : undefined,
    quantiles: o.quantiles?.map((q) => ({ key: q, level: Number(q) })),
    asOf,
  };
}

/** What the reference sees: rows that pass `where`, the store segment written as text. */
const forReference = (forecasts: Forecast[]): ForecastRow[] =>
  forecasts.filter((f) => (f.env ?? 'production') === 'production').map((f) => ({ ...f, segments: { ...f.segments, store: String(f.series[0]) } }));

/** Runs the monitor; `startsFromHistory`: the run took MASE's history from its stored checkpoint. */
async function runMonitor(adapter: Adapter, target: TestTarget, src: string, out: string, o: Options, asOf: Date, fullRefresh = false) {
  const dir = writeProjectWith(target, out, monitorYaml(src, o));
  const [result] = await runProject(adapter, dir, { asOf, fullRefresh });
  if (result!.error) throw result!.error;
  const maseScales = readFileSync(join(dir, 'target', 'run', 'm', 'mase_scales.sql'), 'utf8');
  return { ...result!, startsFromHistory: maseScales.includes('m__mase_history') };
}

// ---------------------------------------------------------------------------------------------
// The hand-computed fixture

// Daily forecasts made at 22:00 for days starting at midnight; weekly windows. Series (a, 1) has
// history from 03-05; series (b, 1) has its first actual on 03-10, after the window start 03-09.
const A = ['a', 1];
const B = ['b', 1];
const f = (series: (string | number)[], forecast: string, target: string, logged: string, prediction: number | null, lo: number, hi: number, q50: number | null, env = 'production'): Forecast => ({
  series, forecastTime: t(forecast), targetTime: t(target), loggedAt: t(logged), prediction, lower: lo, upper: hi,
  quantiles: { '0.5': q50 }, modelVersion: 'v1', segments: { seg: 'x' }, env,
});
const HAND_FORECASTS: Forecast[] = [
  f(A, '2026-03-08 22:00', '2026-03-09 00:00', '2026-03-08 22:05', 10, 6, 12, 9), // F1, horizon 1
  f(A, '2026-03-08 22:00', '2026-03-09 00:00', '2026-03-08 22:05', 9, 6, 12, 9), //  F1 again at the same time: the higher prediction is kept
  f(A, '2026-03-08 22:00', '2026-03-10 00:00', '2026-03-08 22:05', 2, 1, 5, 3), // F2, horizon 2, actual 0
  f(A, '2026-03-09 22:00', '2026-03-10 00:00', '2026-03-09 22:05', 4, 0, 3, 1), // F3, re-published below
  f(A, '2026-03-09 22:00', '2026-03-10 00:00', '2026-03-10 06:00', 1, 0, 3, 1), //  F3 as re-published: the latest is kept
  f(B, '2026-03-09 22:00', '2026-03-10 00:00', '2026-03-09 22:05', 5, 3, 6, 5), // F4: series b has no history
  f(A, '2026-03-10 22:00', '2026-03-11 00:00', '2026-03-10 22:05', 5, 4, 6, 5), // F5
  f(A, '2026-03-10 22:00', '2026-03-11 00:00', '2026-03-10 22:05', 100, 0, 200, 100, 'staging'), // filtered out by `where`
  f(A, '2026-03-08 22:00', '2026-03-12 00:00', '2026-03-08 22:05', 9, 8, 10, null), // F8, horizon 4 (not in `horizons`), actual late
  f(B, '2026-03-12 22:00', '2026-03-10 00:00', '2026-03-12 22:05', 4, 2, 4, 4), // F9, horizon -2: made after its actual was known
  f(B, '2026-03-15 22:00', '2026-03-16 00:00', '2026-03-15 22:05', 3, 1, 5, 3), // F6: no actual, missing
  f(A, '2026-03-17 22:00', '2026-03-18 00:00', '2026-03-17 22:05', 3, 1, 5, 3), // F7: no actual yet, pending
  f(A, '2026-03-19 22:00', '2026-03-20 00:00', '2026-03-20 01:00', 3, 1, 5, 3), // published after the as-of: not read
];
const act = (series: (string | number)[], day: string, value: number | null, logged?: string): ActualRow => ({
  series, time: t(`${day} 00:00`), value, loggedAt: logged ? t(logged) : new Date(t(`${day} 00:00`).getTime() + 30 * HOUR),
});
const HAND_ACTUALS: ActualRow[] = [
  act(A, '2026-03-05', 10), act(A, '2026-03-06', 14), act(A, '2026-03-07', 12), act(A, '2026-03-08', 12),
  act(A, '2026-03-09', 8), act(A, '2026-03-10', 0),
  act(A, '2026-03-11', 6, '2026-03-12 06:00'), act(A, '2026-03-11', 5, '2026-03-12 09:00'), // corrected: 5
  act(A, '2026-03-12', 7, '2026-03-16 06:00'), // 4 days after, more than `within` (3 days): late, still counts
  act(A, '2026-03-18', 4, '2026-03-21 06:00'), // logged after the as-of: not read
  act(B, '2026-03-10', 4), act(B, '2026-03-11', 6), // b 03-11 has no forecast: an orphan
  act(B, '2026-03-12', null), // no value: not read
];
const HAND_OPTIONS: Options = {
  forecastLoggedAt: true, actualLoggedAt: true, within: ['3 days', 3 * DAY], horizonUnit: 'day', horizons: [1, 2],
  granularity: ['week'], interval: true, quantiles: ['0.5'],
};
const HAND_AS_OF = t('2026-03-20 00:00');

// ---------------------------------------------------------------------------------------------
// Randomized data: every rule of §5d gets exercised somewhere

function randomData(seed: number, o: { days: number; unit: 'hour' | 'day' | 'week'; lateActuals: boolean; pause?: [string, string] }) {
  const rand = prng(seed);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
  const step = o.unit === 'hour' ? HOUR : o.unit === 'day' ? DAY : 7 * DAY;
  const start = new Date('2026-02-02T00:00:00Z').getTime(); // a Monday
  const periods = Math.floor((o.days * DAY) / step);
  const series: (string | number)[][] = [];
  for (const store of ['s1', 's2', 's3']) for (const sku of [1, 2, 3]) series.push([store, sku]);
  const newcomer = ['s9', 7]; // actuals only in the last third: no history for MASE at first
  const forecasts: Forecast[] = [];
  const actuals: ActualRow[] = [];
  const truth = new Map<string, number>();
  for (const s of [...series, newcomer]) {
    let level = 5 + rand() * 20;
    const from = s === newcomer ? Math.floor((periods * 2) / 3) : 0;
    for (let i = from; i < periods; i++) {
      const time = start + i * step;
      level = Math.max(0, level + (rand() - 0.5) * 4);
      // zeros on purpose; tenths, which doubles hold inexactly, so sums in another order would differ
      const value = rand() < 0.1 ? 0 : Math.round(level * 10) / 10;
      truth.set(JSON.stringify([s, time]), value);
      if (rand() < 0.06) continue; // a gap
      // series s1/1 has no actuals in the pause: its MASE history must carry over runs without new pairs
      const paused = o.pause && s === series[0] && time >= new Date(o.pause[0]).getTime() && time < new Date(o.pause[1]).getTime();
      const delay = o.lateActuals && rand() < 0.15 ? rand() * 15 * DAY : rand() * 2 * DAY;
      const actual = { series: s, time: new Date(time), value: rand() < 0.02 ? null : value, loggedAt: at(time + step + delay) };
      if (!paused) actuals.push(actual);
      if (rand() < 0.06 && !paused) {
        // a correction (or without logged_at, a second figure: the higher one counts)
        actuals.push({ series: s, time: new Date(time), value: value + pick([-1, 1, 2]), loggedAt: at(time + step + delay + rand() * DAY) });
      }
    }
  }
  // forecasts made 2 hours before a period starts, for the next 1..5 periods
  for (let i = Math.floor(periods / 3); i < periods + 3; i++) {
    const forecastTime = start + i * step - 2 * HOUR;
    for (const s of [...series, newcomer]) {
      for (let h = 1; h <= 5; h++) {
        if (rand() < 0.6) continue;
        const target = start + (i + h - 1) * step;
        const base = truth.get(JSON.stringify([s, target])) ?? 10;
        const prediction = Math.round((base + (rand() - 0.45) * 3 * Math.sqrt(h)) * 4) / 4;
        const spread = 1 + rand() * 3;
        const row: Forecast = {
          series: s,
          forecastTime: new Date(forecastTime),
          targetTime: new Date(rand() < 0.02 ? target - 6 * step : target), // sometimes a backfill (negative horizon)
          loggedAt: at(forecastTime + rand() * HOUR),
          prediction: rand() < 0.02 ? null : prediction,
          lower: rand() < 0.03 ? null : prediction - spread,
          upper: prediction + spread * (rand() < 0.05 ? -0.5 : 1), // sometimes upper < lower
          quantiles: { '0.1': rand() < 0.03 ? null : prediction - spread, '0.5': prediction, '0.9': prediction + spread },
          modelVersion: rand() < 0.1 ? null : pick(['v1', 'v2']),
          segments: { seg: rand() < 0.1 ? null : pick(['x', 'y', 'z']) },
          env: rand() < 0.04 ? 'staging' : 'production',
        };
        forecasts.push(row);
        const copies = rand() < 0.12 ? 1 + Math.floor(rand() * 2) : 0;
        for (let k = 0; k < copies; k++) {
          const same = rand() < 0.4; // same logged_at: decided by the values
          forecasts.push({
            ...row,
            loggedAt: same ? row.loggedAt : at(row.loggedAt!.getTime() + rand() * 12 * HOUR),
            prediction: rand() < 0.5 ? row.prediction : Math.round((prediction + (rand() - 0.5) * 2) * 4) / 4,
            modelVersion: rand() < 0.3 ? pick(['v1', 'v2', null]) : row.modelVersion,
            segments: { seg: rand() < 0.3 ? pick(['x', 'y', null]) : row.segments.seg! },
          });
        }
      }
    }
  }
  return { forecasts, actuals, start, step, periods };
}

// ---------------------------------------------------------------------------------------------

/** What loading the project at `dir` throws (undefined when it loads). */
function loadError(dir: string): unknown {
  try {
    loadProject(dir);
  } catch (e) {
    return e;
  }
  return undefined;
}

describe('forecast configuration', () => {
  it('rejects series of different lengths and a segment named horizon, in any case', () => {
    const dir = writeProjectWith(TARGETS[0]!, 'hs', {
      ...monitorYaml('src', HAND_OPTIONS),
      outcomes: { relation: 'src.actuals', series: ['store_id'], time: 'day', value: 'units' },
      segments: ['Horizon'], // (case ignored, as the warehouses do)
    });
    const error = loadError(dir);
    expect(error).toBeInstanceOf(ConfigError);
    const messages = (error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`);
    expect(messages).toEqual(expect.arrayContaining([
      expect.stringMatching(/outcomes\.series: has 1 column\(s\) but predictions\.series has 2/),
      expect.stringMatching(/segments\[0\]: .*cannot be named horizon/),
    ]));
  });

  // A series column named like a column of MASE's or the windows' queries was read in its place (a
  // review: MASE NULL with a series `granularity`, 276 rows wrong with `scale`), or clashed with it.
  it("rejects series and segment columns named like the forecast queries' own columns, in any case", () => {
    const yaml = monitorYaml('src', HAND_OPTIONS);
    const dir = writeProjectWith(TARGETS[0]!, 'hs', {
      ...yaml,
      predictions: { ...(yaml.predictions as object), series: ['Scale', 'granularity'] },
      outcomes: { ...(yaml.outcomes as object), series: ['store_id', 'checkpoint_at'] },
      segments: ['logged_at', 'hs_scale_0'],
    });
    const error = loadError(dir);
    expect((error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`)).toEqual(expect.arrayContaining(
      ['predictions.series[0]: "Scale"', 'predictions.series[1]: "granularity"', 'outcomes.series[1]: "checkpoint_at"', 'segments[0]: "logged_at"', 'segments[1]: "hs_scale_0"']
        .map((start) => expect.stringMatching(new RegExp(`\\.${start.replace(/[[\]]/g, '\\$&')} is a column hindsight's queries add themselves; rename it in a \`sql:\` source`))),
    ));
  });

  // A quantile column keeps its own name through the steps, beside the columns the steps add: one
  // named scaled_error, hs_scale_0, base_key or value_1 (with a segment) was read in their place
  // (MASE or the pinball losses wrong, with no error; a review), one named predicted_at,
  // window_start or (with predictions.logged_at) logged_at failed in the metric step.
  it("rejects quantile columns named like the forecast queries' own columns, in any case", () => {
    const yaml = monitorYaml('src', HAND_OPTIONS);
    const names = ['Scaled_Error', 'hs_scale_0', 'base_key', 'value_1', 'predicted_at', 'window_start', 'logged_at'];
    const dir = writeProjectWith(TARGETS[0]!, 'hs', {
      ...yaml,
      predictions: { ...(yaml.predictions as object), quantiles: Object.fromEntries(names.map((n, i) => [`0.${i + 1}`, n])) },
    });
    const error = loadError(dir);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => `${i.key}: ${i.message}`)).toEqual(expect.arrayContaining(
      names.map((n, i) => expect.stringMatching(new RegExp(`quantiles\\.0\\.${i + 1}: "${n}" is a column hindsight's queries add themselves; rename it in a \`sql:\` source`))),
    ));
    // logged_at is a column of the forecast rows only when predictions.logged_at is configured
    const { logged_at: _, ...withoutLoggedAt } = yaml.predictions as Record<string, unknown>;
    const plain = writeProjectWith(TARGETS[0]!, 'hs', { ...yaml, predictions: { ...withoutLoggedAt, quantiles: { '0.5': 'logged_at' } } });
    expect(() => loadProject(plain)).not.toThrow();
  });

  it('rejects a quantile level outside (0, 1), a level given twice and an unknown horizon unit', () => {
    const yaml = monitorYaml('src', HAND_OPTIONS);
    const quantiles = writeProjectWith(TARGETS[0]!, 'hs', { ...yaml, predictions: { ...(yaml.predictions as object), quantiles: { '1.5': 'q50', '0.5': 'q50', '0.50': 'q10' } } });
    expect(() => loadProject(quantiles)).toThrow(/quantiles\.1\.5: "1\.5" is not a quantile level: expected a number strictly between 0 and 1/);
    expect(() => loadProject(quantiles)).toThrow(/quantiles\.0\.50: is the same quantile level as 0\.5/);
    const unit = writeProjectWith(TARGETS[0]!, 'hs', { ...yaml, horizon_unit: 'month' });
    expect(() => loadProject(unit)).toThrow(/horizon_unit: expected one of: hour, day, week; got "month"/);
  });
});

describe.each(TARGETS)('forecast monitors on $name', (target) => {
  let adapter: Adapter;
  beforeAll(async () => {
    if (!target.unavailable) adapter = await openTarget(target);
  });
  afterAll(async () => adapter?.close());
  const on = it.skipIf(!!target.unavailable);

  on('hand-computed fixture: duplicates, horizons, no history for MASE, zero actuals, late and early actuals', async () => {
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadRows(adapter, src, HAND_FORECASTS, HAND_ACTUALS);
    await runMonitor(adapter, target, src, out, HAND_OPTIONS, HAND_AS_OF);
    const rows = await readMetrics(adapter, out);
    const week1 = '2026-03-09T00:00:00.000Z';
    const week2 = '2026-03-16T00:00:00.000Z';
    const get = (metric: string, w = week1, segment: string | null = null, segmentValue: string | null = null, qualifier: string | null = null) => {
      const match = rows.filter((r) => r.metric === metric && r.windowStart === w && r.segment === segment && r.segmentValue === segmentValue && r.qualifier === qualifier);
      expect(match.length, `${metric} ${w} ${segment}=${segmentValue} ${qualifier}`).toBeLessThanOrEqual(1);
      return match[0] ? { value: match[0].value, n: match[0].sampleSize } : undefined;
    };
    const close = (metric: string, value: number | null, n: number, ...where: [string?, (string | null)?, (string | null)?, (string | null)?]) => {
      const got = get(metric, ...where);
      expect(got, metric).toBeDefined();
      if (value === null) expect(got!.value, metric).toBeNull();
      else expect(got!.value, metric).toBeCloseTo(value, 12);
      expect(got!.n, `${metric} sample size`).toBe(n);
    };

    // Week of 03-09, overall: F1 (10 vs 8), F2 (2 vs 0), F3 (1 vs 0), F4 (5 vs 4), F5 (5 vs 5), F8 (9 vs 7), F9 (4 vs 4).
    close('count', 7, 7);
    close('mean_prediction', 36 / 7, 7);
    close('mean_actual', 4, 7);
    close('bias', 8 / 7, 7);
    close('mae', 8 / 7, 7);
    close('rmse', Math.sqrt(2), 7);
    close('mape', (0.25 + 0.25 + 0 + 2 / 7 + 0) / 5, 5); // the two zero actuals are left out
    close('smape', (4 / 18 + 2 + 2 + 2 / 9 + 0 + 4 / 16 + 0) / 7, 7);
    close('wape', 8 / 28, 7);
    // a's scale: mean of |14-10|, |12-14|, |12-12| = 2; b has no pair before 03-09, so F4 and F9 are left out
    close('mase', (1 + 1 + 0.5 + 0 + 1) / 5, 5);
    close('interval_coverage', 5 / 7, 7); // F2 (0 below 1) and F8 (7 below 8) miss; F3 (0 on 0) and F9 (4 on 4) are inside
    close('interval_width', 22 / 7, 7);
    close('interval_score', (6 + (4 + 10 * 1) + 3 + 3 + 2 + (2 + 10 * 1) + 2) / 7, 7); // 2 / (1 - 0.8) = 10
    close('pinball_loss', (0.5 + 1.5 + 0.5 + 0.5 + 0 + 0) / 6, 6, week1, null, null, '0.5'); // F8 has no q50
    close('mean_pinball_loss', 0.5, 6);

    // per horizon: 1 and 2 only (F8 has horizon 4 and F9 -2)
    close('count', 4, 4, week1, 'horizon', '1');
    close('mae', 1, 4, week1, 'horizon', '1');
    close('count', 1, 1, week1, 'horizon', '2');
    close('mae', 2, 1, week1, 'horizon', '2');
    close('mape', null, 0, week1, 'horizon', '2'); // its only actual is 0
    close('wape', null, 1, week1, 'horizon', '2');
    close('mase', 1, 1, week1, 'horizon', '2');
    expect(rows.filter((r) => r.segment === 'horizon').map((r) => r.segmentValue).sort()).toEqual(expect.arrayContaining(['1', '2']));
    expect(new Set(rows.filter((r) => r.segment === 'horizon').map((r) => r.segmentValue))).toEqual(new Set(['1', '2']));

    // per store (a series column as a segment)
    close('count', 5, 5, week1, 'store', 'a');
    close('count', 2, 2, week1, 'store', 'b');
    close('mase', null, 0, week1, 'store', 'b');

    // data quality, week of 03-09: 9 rows read (the staging one is filtered), 2 duplicates
    close('prediction_events', 9, 9);
    close('duplicates_removed', 2, 2);
    close('observed', 7, 7);
    close('pending', 0, 0);
    close('missing', 0, 0);
    close('label_coverage', 1, 7);
    close('outcomes_late', 1, 1); // F8's actual, logged 4 days after its day
    close('outcomes_early', 1, 1); // F9, made after its actual was logged
    // delays from the forecast to the actual's logged_at: -40, 32, 32, 32, 35, 56, 176 hours
    close('label_delay_p50', 32, 7);
    close('label_delay_p90', 56 + 0.4 * (176 - 56), 7);
    close('outcomes_orphan', 1, 1); // b on 03-11
    // week of 03-16: F6 missing, F7 pending, nothing evaluated
    close('prediction_events', 2, 2, week2);
    close('pending', 1, 1, week2);
    close('missing', 1, 1, week2);
    close('label_coverage', 0, 1, week2);
    close('label_delay_p50', null, 0, week2);
    close('outcomes_orphan', 0, 0, week2);
    expect(get('count', week2)).toBeUndefined();
    // no rows for the week of 03-02 (history only) or 03-23 (a forecast published after the as-of)
    expect(rows.filter((r) => r.windowStart !== week1 && r.windowStart !== week2)).toEqual([]);

    // the evaluations table: one row per kept forecast, the re-published F3 and the higher F1
    const evaluations = await adapter.query(`select * from ${adapter.dialect.quote(out)}.m__evaluations order by target_time, forecast_time, store`);
    expect(evaluations.length).toBe(9);
    const f3 = evaluations.find((e) => e.store === 'a' && (e.forecast_time as Date).toISOString() === '2026-03-09T22:00:00.000Z')!;
    expect([Number(f3.prediction), Number(f3.horizon), f3.label_status, Number(f3.actual)]).toEqual([1, 1, 'observed', 0]);
    const f1 = evaluations.find((e) => e.store === 'a' && (e.target_time as Date).toISOString() === '2026-03-09T00:00:00.000Z')!;
    expect(Number(f1.prediction)).toBe(10);
    const f9 = evaluations.find((e) => e.store === 'b' && (e.forecast_time as Date).toISOString() === '2026-03-12T22:00:00.000Z')!;
    expect([Number(f9.horizon), Number(f9.label_delay_hours)]).toEqual([-2, -40]);

    // and the reference agrees on every row
    expectSameMetrics(rows, referenceForecastPipeline(forReference(HAND_FORECASTS), HAND_ACTUALS, referenceConfig(HAND_OPTIONS, HAND_AS_OF)).metrics);
  });

  const randomCases: { seed: number; asOf: string; data: Parameters<typeof randomData>[1]; options: Options }[] = [
    {
      seed: 51, asOf: '2026-04-20T00:00:00Z', data: { days: 70, unit: 'day', lateActuals: true },
      options: { forecastLoggedAt: true, actualLoggedAt: true, within: ['4 days', 4 * DAY], horizonUnit: 'day', horizons: [1, 3], seasonality: 7, granularity: ['day', 'week'], interval: true, quantiles: ['0.1', '0.5', '0.9'] },
    },
    {
      seed: 52, asOf: '2026-06-10T12:00:00Z', data: { days: 140, unit: 'week', lateActuals: true },
      options: { forecastLoggedAt: false, actualLoggedAt: false, forecastDedupe: 'earliest', within: ['10 days', 10 * DAY], horizonUnit: 'week', granularity: ['week', 'month'], interval: true, actualsSql: true },
    },
    {
      seed: 53, asOf: '2026-02-05T18:00:00Z', data: { days: 4, unit: 'hour', lateActuals: false },
      options: { forecastLoggedAt: true, actualLoggedAt: false, forecastDedupe: 'earliest', actualDedupe: 'earliest', within: ['6 hours', 6 * HOUR], horizonUnit: 'hour', horizons: [1, 2, 5], seasonality: 24, granularity: ['day'], quantiles: ['0.9', '0.1'], segments: false },
    },
  ];

  on.each(randomCases)('randomized data equals the reference (seed $seed)', async ({ seed, asOf, data, options }) => {
    const { forecasts, actuals } = randomData(seed, data);
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await loadRows(adapter, src, forecasts, actuals);
    await runMonitor(adapter, target, src, out, options, new Date(asOf));
    if (target.name === 'duckdb') await expectStoredInOrder(adapter, out, 'target_time');
    const actual = await readMetrics(adapter, out);
    const expected = referenceForecastPipeline(forReference(forecasts), actuals, referenceConfig(options, new Date(asOf)));
    expect(expected.metrics.filter((r) => r.metric === 'mase' && r.value !== null).length).toBeGreaterThan(10);
    // the newcomer store's series has no history at first: its segment rows have no MASE
    if (options.segments !== false) expect(expected.metrics.filter((r) => r.metric === 'mase' && r.value === null).length).toBeGreaterThan(0);
    expectSameMetrics(actual, expected.metrics);
  });

  // Each incremental run either starts from MASE's history as the previous run stored it, reading
  // actuals from a seasonal lag before that checkpoint only, or reads every actual again because new
  // data reach back before the checkpoint (late actuals and corrections): `fromHistory`, per run.
  const incrementalCases: { name: string; options: Options; lateActuals: boolean; runs: string[]; fromHistory: boolean[]; pause?: [string, string]; dates?: boolean }[] = [
    {
      name: 'with logged_at on both sides, late actuals',
      lateActuals: true,
      runs: ['2026-03-20T06:00:00Z', '2026-03-27T18:00:00Z', '2026-04-02T00:00:00Z'],
      // the month windows put the checkpoints at 03-01, which no late actual reaches back before
      fromHistory: [true, true],
      options: { forecastLoggedAt: true, actualLoggedAt: true, within: ['3 days', 3 * DAY], horizonUnit: 'day', horizons: [1, 2], seasonality: 7, granularity: ['day', 'week', 'month'], interval: true, quantiles: ['0.1', '0.9'] },
    },
    {
      name: 'without logged_at, actuals in time',
      lateActuals: false,
      runs: ['2026-03-20T06:00:00Z', '2026-03-27T18:00:00Z', '2026-04-02T00:00:00Z'],
      // the second run recomputes from 03-09 (a backfilled forecast), before the checkpoint at 03-16;
      // the third starts from the history that run stored, at 03-23
      fromHistory: [false, true],
      options: { forecastLoggedAt: false, actualLoggedAt: false, within: ['4 days', 4 * DAY], horizonUnit: 'day', granularity: ['day', 'week'], interval: true },
    },
    {
      name: 'daily runs from the stored history, one series without actuals for a while',
      lateActuals: false,
      runs: ['2026-03-10T03:00:00Z', '2026-03-11T03:00:00Z', '2026-03-12T03:00:00Z', '2026-03-13T03:00:00Z', '2026-03-16T03:00:00Z', '2026-03-17T03:00:00Z', '2026-03-25T03:00:00Z', '2026-03-26T03:00:00Z'],
      // every run recomputes from the previous run's checkpoint or later: 03-02, 03-09, 03-16
      fromHistory: [true, true, true, true, true, true, true],
      pause: ['2026-03-01T00:00:00Z', '2026-03-19T00:00:00Z'],
      options: { forecastLoggedAt: true, actualLoggedAt: true, within: ['3 days', 3 * DAY], horizonUnit: 'day', horizons: [1, 3], seasonality: 2, granularity: ['day', 'week'] },
    },
    {
      // a table partitioned by day: DATE target times and actual days (BigQuery compares no DATE with
      // a TIMESTAMP; Dialect.timeFilter)
      name: 'DATE target times and actual days',
      lateActuals: false,
      dates: true,
      runs: ['2026-03-10T03:00:00Z', '2026-03-14T03:00:00Z', '2026-03-15T03:00:00Z', '2026-03-24T15:30:00Z'],
      fromHistory: [true, true, true],
      options: { forecastLoggedAt: true, actualLoggedAt: true, within: ['3 days', 3 * DAY], horizonUnit: 'day', horizons: [1, 2], seasonality: 7, granularity: ['day', 'week'], interval: true },
    },
  ];

  on.each(incrementalCases)('incremental runs equal a full refresh ($name)', async ({ options, lateActuals, runs, fromHistory, pause, dates }) => {
    const { forecasts, actuals } = randomData(61, { days: 60, unit: 'day', lateActuals, pause });
    const asOfs = runs.map((r) => new Date(r));
    const lastAsOf = asOfs.at(-1)!;
    // what had been written by a time: forecasts by their event time, actuals by when they were
    // written (logged_at, configured or not: without it they land within `within` of their time)
    const written = (by: Date) => ({
      forecasts: forecasts.filter((r) => (options.forecastLoggedAt ? r.loggedAt! : r.forecastTime!).getTime() <= by.getTime()),
      actuals: actuals.filter((a) => a.loggedAt!.getTime() <= by.getTime()),
    });
    const between = (from: Date, to: Date) => {
      const a = written(from);
      const b = written(to);
      return { forecasts: b.forecasts.filter((r) => !a.forecasts.includes(r)), actuals: b.actuals.filter((r) => !a.actuals.includes(r)) };
    };
    if (!options.actualLoggedAt) {
      // the contract's condition for exactness without logged_at
      for (const a of actuals) expect(a.loggedAt!.getTime()).toBeLessThanOrEqual(a.time!.getTime() + options.within[1]);
    }

    const srcA = uniqueName('src');
    const outA = uniqueName('hs');
    const first = written(asOfs[0]!);
    await loadRows(adapter, srcA, first.forecasts, first.actuals, false, dates);
    expect((await runMonitor(adapter, target, srcA, outA, options, asOfs[0]!)).mode).toBe('full_refresh');
    for (const [i, asOf] of asOfs.slice(1).entries()) {
      const added = between(asOfs[i]!, asOf);
      await loadRows(adapter, srcA, added.forecasts, added.actuals, true, dates);
      const incremental = await runMonitor(adapter, target, srcA, outA, options, asOf);
      expect(incremental.mode).toBe('incremental');
      expect(incremental.recomputeFrom!.getTime()).toBeGreaterThan(new Date('2026-02-20T00:00:00Z').getTime());
      expect(incremental.startsFromHistory, `run ${i + 2} as of ${asOf.toISOString()}`).toBe(fromHistory[i]);
    }

    const srcB = uniqueName('src');
    const outB = uniqueName('hs');
    const all = written(lastAsOf);
    await loadRows(adapter, srcB, all.forecasts, all.actuals, false, dates);
    await runMonitor(adapter, target, srcB, outB, options, lastAsOf, true);

    const a = await readMetrics(adapter, outA);
    const b = await readMetrics(adapter, outB);
    expect(a.length).toBeGreaterThan(1000);
    expect(a).toEqual(b); // exactly, not approximately
    const order = 'target_time, forecast_time, store, sku';
    const q = (out: string) => adapter.query(`select * from ${adapter.dialect.quote(out)}.m__evaluations order by ${order}`);
    expect(await q(outA)).toEqual(await q(outB));
    if (target.name === 'postgres') {
      // its write step replaces a range of target times through an index (models/write.sql)
      const indexes = await adapter.query(`select indexname from pg_indexes where schemaname = '${outA}' and tablename = 'm__evaluations'`);
      expect(indexes.map((r) => r.indexname)).toEqual(['m__evaluations_by_time']);
    }
    // the checkpoint the runs carried forward is the one the full refresh computes from every actual
    const history = (out: string) => adapter.query(`select * from ${adapter.dialect.quote(out)}.m__mase_history order by store, sku`);
    const stored = await history(outA);
    expect(stored.length).toBeGreaterThan(5);
    expect(stored).toEqual(await history(outB));
    // and both equal the reference
    expectSameMetrics(b, referenceForecastPipeline(forReference(all.forecasts), all.actuals, referenceConfig(options, lastAsOf)).metrics as MetricRow[]);
  });

  // As the evaluations table (test/warehouses/postgres-adapter.test.ts): a BI view on the stored table
  // kept a full refresh from dropping it ("cannot drop table … because other objects depend on it").
  it.skipIf(!!target.unavailable || target.name !== 'postgres')('MASE\'s stored history keeps a view on it through a full refresh (Postgres)', async () => {
    const options = incrementalCases[2]!.options;
    const { forecasts, actuals } = randomData(63, { days: 60, unit: 'day', lateActuals: false });
    const [src, out, fresh] = [uniqueName('src'), uniqueName('hs'), uniqueName('hs')];
    await loadRows(adapter, src, forecasts, actuals);
    await runMonitor(adapter, target, src, out, options, new Date('2026-03-10T03:00:00Z'));
    await adapter.execute(`create view ${out}.history_view as select * from ${out}.m__mase_history`);
    await runMonitor(adapter, target, src, out, options, new Date('2026-03-12T03:00:00Z'), true);
    await runMonitor(adapter, target, src, fresh, options, new Date('2026-03-12T03:00:00Z'), true);
    const rows = (relation: string) => adapter.query(`select * from ${relation} order by store, sku`);
    expect((await rows(`${out}.history_view`)).length).toBeGreaterThan(5);
    expect(await rows(`${out}.history_view`)).toEqual(await rows(`${fresh}.m__mase_history`));
  });

  on('MASE\'s stored history: only the previous run\'s checkpoint is started from, and a failed run leaves it as it was', async () => {
    const options = incrementalCases[2]!.options;
    const { forecasts, actuals } = randomData(62, { days: 60, unit: 'day', lateActuals: false });
    const src = uniqueName('src');
    const out = uniqueName('hs');
    // every row at once: each run sees what was written by its as-of (logged_at on both sides)
    await loadRows(adapter, src, forecasts, actuals);
    const q = (sql: string) => adapter.query(sql);
    const history = () => q(`select * from ${out}.m__mase_history order by store, sku`);
    const metrics = (schema: string) => q(`select * from ${schema}.hindsight_metrics order by granularity, window_start, model_version, segment, segment_value, metric, qualifier`);
    const run = (asOf: string) => runMonitor(adapter, target, src, out, options, new Date(asOf));
    /** The metric rows equal those of a full refresh as of `asOf`, exactly. */
    const expectFullRefreshMetrics = async (asOf: string) => {
      const fresh = uniqueName('hs');
      await runMonitor(adapter, target, src, fresh, options, new Date(asOf), true);
      expect(await readMetrics(adapter, out)).toEqual(await readMetrics(adapter, fresh));
    };
    expect((await run('2026-03-10T03:00:00Z')).mode).toBe('full_refresh');
    // the nine series with actuals before 03-02 (the newcomer has none), and the row without a series
    expect((await history()).length).toBe(10);

    // An empty table (what a failed first run leaves where DDL is not transactional), or one with
    // another checkpoint's time, is not started from: the run reads every actual.
    await adapter.execute(`delete from ${out}.m__mase_history where 1 = 1`);
    const afterEmptied = await run('2026-03-11T03:00:00Z');
    expect([afterEmptied.mode, afterEmptied.startsFromHistory]).toEqual(['incremental', false]);
    await expectFullRefreshMetrics('2026-03-11T03:00:00Z');
    await adapter.execute(`update ${out}.m__mase_history set checkpoint_at = ${adapter.dialect.timestamp(new Date('2026-02-23T00:00:00Z'))}`);
    const afterStale = await run('2026-03-12T03:00:00Z');
    expect([afterStale.mode, afterStale.startsFromHistory]).toEqual(['incremental', false]);
    await expectFullRefreshMetrics('2026-03-12T03:00:00Z');
    // new data since 03-12 reach back to the week of 03-02, before the checkpoint (03-09): every actual
    const reachingBack = await run('2026-03-13T03:00:00Z');
    expect([reachingBack.recomputeFrom!.toISOString(), reachingBack.startsFromHistory]).toEqual(['2026-03-02T00:00:00.000Z', false]);
    // the next run starts from the checkpoint that run stored
    expect((await run('2026-03-14T03:00:00Z')).startsFromHistory).toBe(true);
    await expectFullRefreshMetrics('2026-03-14T03:00:00Z');

    // a history table another version of hindsight wrote, with other columns: the next run is a full
    // refresh, which writes it anew, and says why (src/runner/run.ts, StoredColumnsDiffer)
    await adapter.execute(`alter table ${out}.m__mase_history add column legacy_flag ${adapter.dialect.types.bigint}`);
    const reshaped = await run('2026-03-14T15:00:00Z');
    expect([reshaped.mode, reshaped.reason]).toEqual(['full_refresh', expect.stringMatching(/m__mase_history.* \(no longer written: legacy_flag\)$/)]);
    await expectFullRefreshMetrics('2026-03-14T15:00:00Z');
    expect(Object.keys((await history())[0]!)).not.toContain('legacy_flag');

    // without the table the next run is a full refresh
    await adapter.execute(`drop table ${out}.m__mase_history`);
    const rebuilt = await run('2026-03-15T03:00:00Z');
    expect([rebuilt.mode, rebuilt.reason]).toEqual(['full_refresh', expect.stringMatching(/^cannot start from the stored tables \(the warehouse said: .*m__mase_history/i)]);
    const stored = await history();

    // a run that fails while writing leaves the history as it was (this one would move its
    // checkpoint from 03-09 to 03-16)
    await rejectMetricRows(adapter, out, 'mase');
    const before = { metrics: await metrics(out), evaluations: await q(`select * from ${out}.m__evaluations order by target_time, forecast_time, store, sku`) };
    const [failed] = await runProject(adapter, writeProjectWith(target, out, monitorYaml(src, options)), { asOf: new Date('2026-03-20T03:00:00Z') });
    expect([failed!.status, failed!.mode]).toEqual(['error', 'incremental']);
    expect(failed!.error!.message).toMatch(/monitor m, step write failed/);
    expect(await history()).toEqual(stored);
    expect(await metrics(out)).toEqual(before.metrics);
    expect(await q(`select * from ${out}.m__evaluations order by target_time, forecast_time, store, sku`)).toEqual(before.evaluations);

    // and a full refresh that fails while writing, without the table: where DDL is transactional no
    // table is left; elsewhere an empty one, which the next run does not start from
    await adapter.execute(`drop table ${out}.m__mase_history`);
    const [failedRefresh] = await runProject(adapter, writeProjectWith(target, out, monitorYaml(src, options)), { asOf: new Date('2026-03-20T03:00:00Z') });
    expect([failedRefresh!.status, failedRefresh!.mode]).toEqual(['error', 'full_refresh']);
    await adapter.execute(`drop table ${out}.hindsight_metrics`);
    await adapter.execute(`create table ${out}.hindsight_metrics as select * from ${out}.kept`);
    const recovered = await run('2026-03-20T03:00:00Z');
    expect(recovered.startsFromHistory).toBe(false);
    expect(recovered.mode).toBe(adapter.dialect.capabilities.transactionalDdl ? 'full_refresh' : 'incremental');
    await expectFullRefreshMetrics('2026-03-20T03:00:00Z');
    expect(await history()).not.toEqual(stored);
  });
});
