// Multiclass classification and regression (single and multi-output) on randomized data with the
// edge cases of their contract, equal to the independent reference — on every target.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import type { MonitorResult } from '../../src/runner/run.js';
import {
  referenceMulticlassPipeline, referenceRegressionPipeline,
  type MulticlassOutcomeEvent, type MulticlassPredictionEvent, type RegressionOutcomeEvent, type RegressionPredictionEvent,
} from '../reference/pipeline.js';
import { createTable, expectSameMetrics, readMetrics, runProject, uniqueName, writeProjectWith } from './harness.js';
import { prng } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const start = new Date('2026-04-01T00:00:00Z').getTime();
const asOf = new Date('2026-05-01T00:00:00Z');
const at = (ms: number) => new Date(Math.round(ms / 1000) * 1000);
const common = { granularities: ['day', 'week'] as ('day' | 'week')[], segments: [{ column: 'seg', top: 2 }], asOf, withinMs: 7 * DAY, predictionDedupe: 'latest' as const, outcomeDedupe: 'latest' as const };
const monitorCommon = { join: { within: '7 days' }, granularity: ['day', 'week'], segments: [{ column: 'seg', top: 2 }] };

/** `normalized`: float32 probabilities of two decimals summing to 1, as a model logs them (their sums straddle 1). */
function multiclassData(seed: number, normalized = false) {
  const rand = prng(seed);
  const classes = ['shirt', 'pants', 'dress'];
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const predictions: MulticlassPredictionEvent[] = [];
  const outcomes: MulticlassOutcomeEvent[] = [];
  for (let i = 0; i < 500; i++) {
    const key = [`r${i}`];
    const ts = at(start + rand() * 25 * DAY);
    // unnormalized scores with ties, sometimes NULL or all zero
    const scores: Record<string, number | null> = {};
    const zero = rand() < 0.02;
    for (const c of classes) scores[c] = zero ? 0 : rand() < 0.02 ? null : Math.round(rand() * 10) / 4;
    if (normalized) {
      const first = Math.round(rand() * 100) / 100;
      const second = Math.round(rand() * (1 - first) * 100) / 100;
      // (as float32, as a model's softmax writes them: sums that miss 1 by about 1e-8)
      [scores.shirt, scores.pants, scores.dress] = [Math.fround(first), Math.fround(second), Math.fround(Math.round((1 - first - second) * 100) / 100)];
    }
    const predicted = rand() < 0.03 ? 'hat' : pick(classes);
    const base = { key, ts, predictedClass: predicted, classScores: scores, modelVersion: pick(['v1', 'v2', null]), segments: { seg: pick(['a', 'b', 'c', null]) } };
    predictions.push(base);
    if (rand() < 0.08) predictions.push({ ...base, ts: at(ts.getTime() + rand() * HOUR), predictedClass: pick(classes) });
    // re-logged at the same time with the same version and segment: only the values break the tie
    // (docs/semantics.md §1.2), the predicted class first, then the class scores in configuration order
    if (rand() < 0.08) predictions.push({ ...base, predictedClass: rand() < 0.5 ? predicted : pick([...classes, null]), classScores: { ...scores, [pick(classes)]: rand() < 0.2 ? null : Math.round(rand() * 10) / 4 } });
    if (rand() < 0.8) {
      const label = rand() < 0.05 ? 'accessories' : rand() < 0.6 ? predicted : pick(classes);
      outcomes.push({ key, ts: at(ts.getTime() + rand() * 9 * DAY), label });
    }
  }
  return { classes, predictions, outcomes };
}

function regressionData(seed: number) {
  const rand = prng(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rand() * xs.length)]!;
  const predictions: RegressionPredictionEvent[] = [];
  const outcomes: RegressionOutcomeEvent[] = [];
  for (let i = 0; i < 500; i++) {
    const key = [`i${i}`];
    const ts = at(start + rand() * 25 * DAY);
    const price = Math.round(rand() * 40) / 2;
    const days = Math.round(rand() * 30);
    const base = { key, ts, predictions: { price: Math.round((price + (rand() - 0.5) * 8) * 4) / 4, days: rand() < 0.03 ? null : days + Math.round((rand() - 0.5) * 10) }, modelVersion: pick(['v1', 'v2']), segments: { seg: pick(['a', 'b', 'c']) } };
    predictions.push(base);
    if (rand() < 0.06) predictions.push({ ...base, ts: at(ts.getTime() + rand() * HOUR) });
    // re-logged at the same time with the same version and segment: only the predictions break the tie,
    // in configuration order (price, then days)
    if (rand() < 0.08) predictions.push({ ...base, predictions: { price: rand() < 0.5 ? base.predictions.price : Math.round(rand() * 80) / 4, days: rand() < 0.2 ? null : Math.round(rand() * 30) } });
    if (rand() < 0.85) {
      const labels = { price: rand() < 0.05 ? 0 : price, days: rand() < 0.1 ? null : days };
      outcomes.push({ key, ts: at(ts.getTime() + rand() * 9 * DAY), labels });
    }
  }
  return { predictions, outcomes };
}

describe.each(TARGETS)('problem types on $name', (target) => {
  let adapter: Adapter;
  beforeAll(async () => {
    if (!target.unavailable) adapter = await openTarget(target);
  });
  afterAll(async () => adapter?.close());
  const on = it.skipIf(!!target.unavailable);

  on.each([[31, false], [32, false], [33, true]])('multiclass classification equals the reference (seed %i, normalized %s)', async (seed, normalized) => {
    const data = multiclassData(seed, normalized);
    const src = uniqueName('src');
    const out = uniqueName('hs');
    await createTable(adapter, src, 'predictions',
      [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'predicted', type: 'text' }, { name: 'p_shirt', type: 'double' }, { name: 'p_pants', type: 'double' }, { name: 'p_dress', type: 'double' }, { name: 'mv', type: 'text' }, { name: 'seg', type: 'text' }],
      data.predictions.map((p) => [p.key[0], p.ts, p.predictedClass, p.classScores!.shirt, p.classScores!.pants, p.classScores!.dress, p.modelVersion, p.segments.seg]));
    await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'y', type: 'text' }],
      data.outcomes.map((o) => [o.key[0], o.ts, o.label]));
    const dir = writeProjectWith(target, out, {
      type: 'multiclass_classification',
      predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', predicted_class: 'predicted', class_scores: { shirt: 'p_shirt', pants: 'p_pants', dress: 'p_dress' }, model_version: 'mv' },
      outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', label: 'y' },
      top_k: [2],
      ...monitorCommon,
    });
    const [result] = await runProject(adapter, dir, { asOf });
    if (result!.error) throw result!.error;
    const expected = referenceMulticlassPipeline(data.predictions, data.outcomes, { ...common, classes: data.classes, topK: [2] });
    expectSameMetrics(await readMetrics(adapter, out), expected.metrics);
  });

  // Class scores are divided by their row's sum, which makes no probabilities of negative ones (logits):
  // logits -3, -2, -1 for a true class c became 0.5, 0.33, 0.17, and top_1_accuracy counted c, the highest,
  // as the lowest (1/3 on three rows where scikit-learn's top_k_accuracy_score gives 2/3; a logit row
  // [-1, 2, 0.5] gave its true class a probability of 1.33 and a log loss of 0). NaN and infinities too,
  // and scores above 1e300, whose row's sum can overflow (two of 1e308 made every probability 0 on DuckDB).
  const scoreSql = (v: number | string) => (typeof v === 'number' ? v : `cast('${v}' as ${adapter.dialect.types.double})`);
  const scoreValues: (number | string)[] = [-1, -0.001, 1e301, ...(['duckdb', 'postgres'].includes(target.name) ? ['NaN', 'Infinity', '-Infinity'] : [])];
  on('stops at a class score that is negative, above 1e300, infinite or NaN, naming its key, and writes nothing', async () => {
    const ts = new Date(start + HOUR);
    const run = async (rows: [string, string, number | string, number | string, number | string][], labels: string[]) => {
      const [src, out] = [uniqueName('src'), uniqueName('hs')];
      await createTable(adapter, src, 'predictions',
        [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'predicted', type: 'text' }, { name: 'p_a', type: 'double' }, { name: 'p_b', type: 'double' }, { name: 'p_c', type: 'double' }],
        rows.map(([id, predicted, a, b, c]) => [id, ts, predicted, scoreSql(a), scoreSql(b), scoreSql(c)]));
      await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'y', type: 'text' }],
        rows.map(([id], i) => [id, new Date(ts.getTime() + HOUR), labels[i]!]));
      const dir = writeProjectWith(target, out, {
        type: 'multiclass_classification',
        predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', predicted_class: 'predicted', class_scores: { a: 'p_a', b: 'p_b', c: 'p_c' } },
        outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', label: 'y' },
        top_k: [1],
        join: { within: '7 days' },
        granularity: ['day'],
      });
      const [result] = await runProject(adapter, dir, { asOf });
      return { result: result!, out };
    };
    for (const bad of scoreValues) {
      const { result, out } = await run([['k1', 'b', 0.2, 2, 0.5], ['k2', 'c', 0.1, 0.2, bad], ['k3', 'a', 0.5, 0.25, 0.25]], ['b', 'c', 'a']);
      expect(result.status).toBe('error');
      const shown = typeof bad === 'number' ? String(bad).replace(/[.+]/g, '\\$&') : '-?(nan|inf)'; // (DuckDB: nan, inf; Postgres: NaN, Infinity)
      expect(result.error!.message).toMatch(new RegExp(`monitor m, step prediction_events failed[^]*predictions\\.class_scores\\.c must be a score from 0 to 1e300[^]*; got ${shown}`, 'i'));
      expect(await adapter.query(`select count(*) as n from ${out}.hindsight_metrics`)).toEqual([{ n: 0 }]);
    }
    // 0, scores above 1 (divided by their sum), and -1e-17, what 1 less the other classes' probabilities
    // can be as doubles: scores (top-1 hits on k1 and k2, none on k3, whose true class a is below c)
    const { result, out } = await run([['k1', 'a', 0, 3, 1], ['k2', 'b', -1e-17, 0.3, 0.7], ['k3', 'c', 0.25, 0.25, 0.5]], ['b', 'c', 'a']);
    expect(result.error).toBeUndefined();
    const rows = await adapter.query(`select value from ${out}.hindsight_metrics where granularity = 'day' and metric = 'top_1_accuracy'`);
    expect(rows).toEqual([{ value: 2 / 3 }]);
  });

  // Every other number a monitor reads must be finite: a regression's NaN or infinite prediction or label
  // failed in the metrics step with the warehouse's words alone ("Could not cast value nan to
  // DECIMAL(38,15)" on DuckDB, "bigint out of range" on Postgres), naming no column; a forecast's too.
  // (BigQuery and Snowflake's fakes load no NaN.)
  it.skipIf(!!target.unavailable || !['duckdb', 'postgres'].includes(target.name))('stops at a NaN or infinite regression or forecast value, naming its key, and writes nothing', async () => {
    const ts = new Date(start + HOUR);
    const double = (v: number | string) => (typeof v === 'number' ? v : `cast('${v}' as ${adapter.dialect.types.double})`);
    const regression = async (prediction: number | string, label: number | string) => {
      const [src, out] = [uniqueName('src'), uniqueName('hs')];
      await createTable(adapter, src, 'predictions', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'p', type: 'double' }],
        [['k1', ts, 1.5], ['k2', ts, double(prediction)]]);
      await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'y', type: 'double' }],
        [['k1', new Date(ts.getTime() + HOUR), 2], ['k2', new Date(ts.getTime() + HOUR), double(label)]]);
      const dir = writeProjectWith(target, out, {
        type: 'regression',
        predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', prediction: 'p' },
        outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', label: 'y' },
        join: { within: '7 days' },
        granularity: ['day'],
      });
      const [result] = await runProject(adapter, dir, { asOf });
      return { result: result!, out };
    };
    const forecast = async (prediction: number | string, actual: number | string) => {
      const [src, out] = [uniqueName('src'), uniqueName('hs')];
      const day = (n: number) => new Date(start + n * DAY);
      await createTable(adapter, src, 'forecasts', [{ name: 's', type: 'text' }, { name: 'made', type: 'timestamp' }, { name: 'target', type: 'timestamp' }, { name: 'p', type: 'double' }],
        [['a', day(0), day(1), 3], ['a', day(0), day(2), double(prediction)]]);
      await createTable(adapter, src, 'actuals', [{ name: 's', type: 'text' }, { name: 't', type: 'timestamp' }, { name: 'y', type: 'double' }],
        [['a', day(1), 2], ['a', day(2), double(actual)]]);
      const dir = writeProjectWith(target, out, {
        type: 'forecast',
        predictions: { relation: `${src}.forecasts`, series: ['s'], forecast_time: 'made', target_time: 'target', prediction: 'p' },
        outcomes: { relation: `${src}.actuals`, series: ['s'], time: 't', value: 'y' },
        join: { within: '7 days' },
        horizon_unit: 'day',
        granularity: ['day'],
      });
      const [result] = await runProject(adapter, dir, { asOf });
      return { result: result!, out };
    };
    const cases: [string, () => Promise<{ result: MonitorResult; out: string }>, string, string][] = [
      ...['NaN', 'Infinity', '-Infinity'].map((bad): [string, () => Promise<{ result: MonitorResult; out: string }>, string, string] => [bad, () => regression(bad, 1), 'prediction_events', 'predictions.prediction']),
      ['NaN', () => regression(1, 'NaN'), 'outcome_events', 'outcomes.label'],
      ['Infinity', () => forecast('Infinity', 1), 'prediction_events', 'predictions.prediction'],
      ['NaN', () => forecast(1, 'NaN'), 'outcome_events', 'outcomes.value'],
    ];
    for (const [bad, go, step, key] of cases) {
      const { result, out } = await go();
      expect(result.status).toBe('error');
      // (DuckDB: nan, inf; Postgres: NaN, Infinity)
      expect(result.error!.message).toMatch(new RegExp(`monitor m, step ${step} failed[^]*${key.replace('.', '\\.')} must be a finite number from -1e308 to 1e308; got ${bad.startsWith('-') ? '-' : ''}(nan|inf)`, 'i'));
      expect(await adapter.query(`select count(*) as n from ${out}.hindsight_metrics`)).toEqual([{ n: 0 }]);
    }
    // finite values run (how large the exact sums let them be is docs/semantics.md's)
    const { result, out } = await regression(12.5, -3);
    expect(result.error).toBeUndefined();
    expect(Number((await adapter.query(`select sum(value) as n from ${out}.hindsight_metrics where metric = 'prediction_events'`))[0]!.n)).toBe(2);
  });

  // Hand-made edge windows, one per day, each with a one-row segment value beside the others: a class
  // never true (only predicted), a window of one class, scores that sum to 3 or 10, all zero or with a
  // NULL, tied top scores, labels and predictions outside the configured classes, one row; and for two
  // outputs, a NULL in one output only, a constant output (r2 NULL, left out of the average), values
  // near 1e15 and 1e9 with small spreads, negative and zero labels (MAPE), one row, an output without a
  // row. Both equal the reference on every target (the randomized data above have none of these windows).
  on('multiclass edge windows equal the reference', async () => {
    type Row = [label: string, predicted: string, scores: (number | null)[]];
    const days: Row[][] = [
      [['a', 'a', [0.7, 0.2, 0.1]], ['a', 'c', [0.3, 0.2, 0.5]], ['b', 'b', [0.1, 0.8, 0.1]], ['b', 'a', [0.5, 0.4, 0.1]]],
      [['a', 'a', [0.9, 0.05, 0.05]], ['a', 'a', [0.8, 0.1, 0.1]], ['a', 'a', [0.6, 0.3, 0.1]]],
      [['a', 'a', [2, 1, 1]], ['b', 'a', [0.5, 0.5, 0.5]], ['c', 'a', [10, 0, 0]], ['c', 'c', [1, 1, 3]]],
      [['a', 'a', [0, 0, 0]], ['b', 'a', [0.5, null, 0.5]], ['c', 'c', [0.2, 0.2, 0.6]], ['b', 'b', [0.1, 0.7, 0.2]]],
      [['b', 'a', [0.4, 0.4, 0.2]], ['a', 'a', [0.4, 0.4, 0.2]], ['c', 'c', [1 / 3, 1 / 3, 1 / 3]]],
      [['z', 'a', [0.6, 0.3, 0.1]], ['a', 'a', [0.6, 0.3, 0.1]], ['b', 'z', [0.2, 0.3, 0.5]]],
      [['b', 'a', [0.6, 0.3, 0.1]]],
    ];
    const classes = ['a', 'b', 'c'];
    const predictions: MulticlassPredictionEvent[] = [];
    const outcomes: MulticlassOutcomeEvent[] = [];
    days.forEach((rows, day) => rows.forEach(([label, predicted, scores], i) => {
      const key = [`d${day}r${i}`];
      const ts = new Date(start + day * DAY + (i + 1) * HOUR);
      predictions.push({ key, ts, predictedClass: predicted, classScores: Object.fromEntries(classes.map((c, j) => [c, scores[j]!])), modelVersion: null, segments: { seg: i === 0 ? 'lone' : 'many' } });
      outcomes.push({ key, ts: new Date(ts.getTime() + HOUR), label });
    }));
    const [src, out] = [uniqueName('src'), uniqueName('hs')];
    await createTable(adapter, src, 'predictions',
      [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'predicted', type: 'text' }, { name: 'p_a', type: 'double' }, { name: 'p_b', type: 'double' }, { name: 'p_c', type: 'double' }, { name: 'seg', type: 'text' }],
      predictions.map((p) => [p.key[0], p.ts, p.predictedClass, p.classScores!.a, p.classScores!.b, p.classScores!.c, p.segments.seg]));
    await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'y', type: 'text' }],
      outcomes.map((o) => [o.key[0], o.ts, o.label]));
    const dir = writeProjectWith(target, out, {
      type: 'multiclass_classification',
      predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', predicted_class: 'predicted', class_scores: { a: 'p_a', b: 'p_b', c: 'p_c' } },
      outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', label: 'y' },
      top_k: [1, 2, 5],
      ...monitorCommon,
    });
    const [result] = await runProject(adapter, dir, { asOf });
    if (result!.error) throw result!.error;
    expectSameMetrics(await readMetrics(adapter, out), referenceMulticlassPipeline(predictions, outcomes, { ...common, classes, topK: [1, 2, 5] }).metrics);
  });

  on('multi-output regression edge windows equal the reference', async () => {
    // [price prediction, price label, days prediction, days label]
    type Row = [number | null, number | null, number | null, number | null];
    const days: Row[][] = [
      [[10, 12, 3, null], [20, 18, null, 5], [15, 15, 4, 6], [30, 25, 7, 7]],
      [[10, 12, 3, 5], [20, 18, 4, 5], [15, 16, 6, 5]],
      [[1e15, 1e15 + 2, 1, 2], [1e15 + 5, 1e15 + 1, 2, 3], [1e15 + 3, 1e15 + 3, 3, 3]],
      [[-5, -4, 0, 0], [3, -2, 1, 0], [-1, 0, 2, 2], [0, 0, -3, 1]],
      [[7, 9, 1, 2]],
      [[7, 9, null, 2], [8, 8, 2, null]],
      [[1.5, 1.25, 1e9, 1.0000001e9], [2.5, 2.75, 1e9 + 5, 1e9 + 1]],
    ];
    const predictions: RegressionPredictionEvent[] = [];
    const outcomes: RegressionOutcomeEvent[] = [];
    days.forEach((rows, day) => rows.forEach(([pp, pl, dp, dl], i) => {
      const key = [`d${day}r${i}`];
      const ts = new Date(start + day * DAY + (i + 1) * HOUR);
      predictions.push({ key, ts, predictions: { price: pp, days: dp }, modelVersion: null, segments: { seg: i === 0 ? 'lone' : 'many' } });
      outcomes.push({ key, ts: new Date(ts.getTime() + HOUR), labels: { price: pl, days: dl } });
    }));
    const [src, out] = [uniqueName('src'), uniqueName('hs')];
    await createTable(adapter, src, 'predictions',
      [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'pred_price', type: 'double' }, { name: 'pred_days', type: 'double' }, { name: 'seg', type: 'text' }],
      predictions.map((p) => [p.key[0], p.ts, p.predictions.price, p.predictions.days, p.segments.seg]));
    await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'price', type: 'double' }, { name: 'days', type: 'double' }],
      outcomes.map((o) => [o.key[0], o.ts, o.labels!.price, o.labels!.days]));
    const dir = writeProjectWith(target, out, {
      type: 'regression',
      predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts' },
      outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts' },
      outputs: { price: { prediction: 'pred_price', label: 'price' }, days: { prediction: 'pred_days', label: 'days' } },
      // (days only: a week of prices near 1e15 and near 10 squares deviations of 1e15, beyond the exact sums)
      ...monitorCommon, granularity: ['day'],
    });
    const [result] = await runProject(adapter, dir, { asOf });
    if (result!.error) throw result!.error;
    expectSameMetrics(await readMetrics(adapter, out), referenceRegressionPipeline(predictions, outcomes, { ...common, granularities: ['day'], outputs: ['price', 'days'], multiOutput: true }).metrics);
  });

  // single output (prediction: / label:), `outputs:` with one output (its average rows too), two outputs
  for (const outputs of [[], ['price'], ['price', 'days']] as const) {
    const multiOutput = outputs.length > 0;
    const kind = outputs.length === 0 ? 'single-output' : outputs.length === 1 ? 'one-entry outputs:' : 'multi-output';
    on.each([41, 42])(`${kind} regression equals the reference (seed %i)`, async (seed) => {
      const data = regressionData(seed);
      const src = uniqueName('src');
      const out = uniqueName('hs');
      await createTable(adapter, src, 'predictions',
        [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'pred_price', type: 'double' }, { name: 'pred_days', type: 'double' }, { name: 'mv', type: 'text' }, { name: 'seg', type: 'text' }],
        data.predictions.map((p) => [p.key[0], p.ts, p.predictions.price, p.predictions.days, p.modelVersion, p.segments.seg]));
      await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'price', type: 'double' }, { name: 'days', type: 'double' }],
        data.outcomes.map((o) => [o.key[0], o.ts, o.labels?.price ?? null, o.labels?.days ?? null]));
      const columns = { price: { prediction: 'pred_price', label: 'price' }, days: { prediction: 'pred_days', label: 'days' } };
      const dir = writeProjectWith(target, out, {
        type: 'regression',
        predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', model_version: 'mv', ...(multiOutput ? {} : { prediction: 'pred_price' }) },
        outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', ...(multiOutput ? {} : { label: 'price' }) },
        ...(multiOutput ? { outputs: Object.fromEntries(outputs.map((o) => [o, columns[o]])) } : {}),
        ...monitorCommon,
      });
      const [result] = await runProject(adapter, dir, { asOf });
      if (result!.error) throw result!.error;
      // the reference sees the price output only, but with both outputs configured
      const named: string[] = outputs.length === 2 ? [...outputs] : ['price'];
      const predictions = outputs.length === 2 ? data.predictions : data.predictions.map((p) => ({ ...p, predictions: { price: p.predictions.price ?? null } }));
      const outcomes = outputs.length === 2 ? data.outcomes : data.outcomes.map((o) => ({ ...o, labels: { price: o.labels?.price ?? null } }));
      const expected = referenceRegressionPipeline(predictions, outcomes, { ...common, outputs: named, multiOutput });
      expectSameMetrics(await readMetrics(adapter, out), expected.metrics);
    });
  }

  // Sums are exact in fixed point (docs/semantics.md, Sums), whose range a warehouse may exceed: ten
  // errors of 2e11 square to 4e22 each, 4e23 in all, beyond DuckDB's 128-bit decimals (1.7e23), and
  // each beyond Postgres's bigint parts (9.2e18). Such a run must fail, naming its step, or write
  // the right values; never wrong ones. (The fakes answer from DuckDB, whose overflow is not the
  // warehouse's: BigQuery's BIGNUMERIC holds these sums.)
  it.skipIf(!!target.unavailable || target.name.endsWith('-fake'))('regression sums beyond the exact range fail the run or are right, never wrapped', async () => {
    const src = uniqueName('src');
    const out = uniqueName('hs');
    const ts = new Date(start + 3600_000);
    await createTable(adapter, src, 'predictions', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'p', type: 'double' }, { name: 'seg', type: 'text' }],
      Array.from({ length: 10 }, (_, i) => [`k${i}`, ts, 2e11 + i, 'a']));
    await createTable(adapter, src, 'outcomes', [{ name: 'id', type: 'text' }, { name: 'ts', type: 'timestamp' }, { name: 'y', type: 'double' }],
      Array.from({ length: 10 }, (_, i) => [`k${i}`, ts, i]));
    const dir = writeProjectWith(target, out, {
      type: 'regression',
      predictions: { relation: `${src}.predictions`, key: 'id', timestamp: 'ts', prediction: 'p' },
      outcomes: { relation: `${src}.outcomes`, key: 'id', timestamp: 'ts', label: 'y' },
      ...monitorCommon,
    });
    const [result] = await runProject(adapter, dir, { asOf });
    if (result!.status === 'error') {
      expect(result!.error!.message).toMatch(/monitor m, step metrics failed[^]*(beyond the range of exact sums|out of range|overflow)/i);
      expect(await adapter.query(`select count(*) as n from ${out}.hindsight_metrics`)).toEqual([{ n: 0 }]);
    } else {
      const rows = await adapter.query(`select metric, value from ${out}.hindsight_metrics where granularity = 'day' and segment is null and metric in ('mse', 'mae')`);
      expect(Object.fromEntries(rows.map((r) => [r.metric, r.value]))).toEqual({ mse: 4e22, mae: 2e11 });
    }
  });
});
