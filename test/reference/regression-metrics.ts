/**
 * Independent reference for the regression metrics of docs/semantics.md, section 5c (single and
 * multi-output).
 *
 * Written from the contract text only, in the most direct way: two-pass means and variances, exact
 * percentiles by sorting, "the labels are constant" tested by comparing the labels themselves.
 */
import type { GroupMetricRow } from './pipeline.js';
import { percentileCont } from './quantile.js';

export interface RegressionRow {
  prediction: number | null;
  label: number | null;
}

/** The metric names, in the order of the contract's table. */
export const REGRESSION_METRIC_NAMES = [
  'count',
  'mean_prediction',
  'mean_label',
  'mean_error',
  'mae',
  'mse',
  'rmse',
  'r2',
  'explained_variance',
  'mape',
  'smape',
  'wape',
  'median_absolute_error',
  'abs_error_p90',
  'abs_error_p99',
  'max_error',
] as const;

export type RegressionMetricName = (typeof REGRESSION_METRIC_NAMES)[number];

function mean(values: number[]): number {
  let sum = 0;
  for (const v of values) sum += v;
  return sum / values.length;
}

/** Population variance, two-pass: mean of (v - mean)^2. */
function populationVariance(values: number[]): number {
  const m = mean(values);
  return mean(values.map((v) => (v - m) ** 2));
}

function checkValue(v: number | null, what: string): void {
  if (v !== null && (typeof v !== 'number' || !Number.isFinite(v))) {
    throw new Error(`regression: ${what} must be a finite number or NULL, got ${String(v)}`);
  }
}

/** Value and sample size per metric, over the rows whose prediction and label are both non-NULL. */
function regressionValues(rows: RegressionRow[]): Map<RegressionMetricName, { value: number | null; sampleSize: number }> | null {
  for (const r of rows) {
    checkValue(r.prediction, 'prediction');
    checkValue(r.label, 'label');
  }
  const evaluated = rows.filter((r) => r.prediction !== null && r.label !== null) as { prediction: number; label: number }[];
  if (evaluated.length === 0) return null;
  const n = evaluated.length;
  const predictions = evaluated.map((r) => r.prediction);
  const labels = evaluated.map((r) => r.label);
  const errors = evaluated.map((r) => r.prediction - r.label); // e = prediction - label
  const absErrors = errors.map((e) => Math.abs(e));

  const meanLabel = mean(labels);
  const labelsConstant = labels.every((l) => l === labels[0]);

  let sumSquaredErrors = 0;
  for (const e of errors) sumSquaredErrors += e * e;
  let sumSquaredDeviations = 0;
  for (const l of labels) sumSquaredDeviations += (l - meanLabel) ** 2;
  const mse = sumSquaredErrors / n;

  const nonZeroLabels = evaluated.filter((r) => r.label !== 0);
  const mape = nonZeroLabels.length === 0 ? null : mean(nonZeroLabels.map((r) => Math.abs(r.prediction - r.label) / Math.abs(r.label)));

  const smapeTerms = evaluated.map((r) => {
    const den = Math.abs(r.prediction) + Math.abs(r.label);
    return den === 0 ? 0 : (2 * Math.abs(r.prediction - r.label)) / den;
  });

  let sumAbsErrors = 0;
  for (const a of absErrors) sumAbsErrors += a;
  let sumAbsLabels = 0;
  for (const l of labels) sumAbsLabels += Math.abs(l);

  const values: [RegressionMetricName, number | null, number][] = [
    ['count', n, n],
    ['mean_prediction', mean(predictions), n],
    ['mean_label', meanLabel, n],
    ['mean_error', mean(errors), n],
    ['mae', mean(absErrors), n],
    ['mse', mse, n],
    ['rmse', Math.sqrt(mse), n],
    ['r2', labelsConstant ? null : 1 - sumSquaredErrors / sumSquaredDeviations, n],
    ['explained_variance', labelsConstant ? null : 1 - populationVariance(errors) / populationVariance(labels), n],
    ['mape', mape, nonZeroLabels.length],
    ['smape', mean(smapeTerms), n],
    ['wape', sumAbsLabels === 0 ? null : sumAbsErrors / sumAbsLabels, n],
    ['median_absolute_error', percentileCont(absErrors, 0.5), n],
    ['abs_error_p90', percentileCont(absErrors, 0.9), n],
    ['abs_error_p99', percentileCont(absErrors, 0.99), n],
    ['max_error', Math.max(...absErrors), n],
  ];
  return new Map(values.map(([metric, value, sampleSize]) => [metric, { value, sampleSize }]));
}

/**
 * Single output: the rows of section 5c with `qualifier` NULL. Rows with a NULL prediction or label
 * are not evaluated; with no evaluated row there are no metric rows.
 */
export function regressionMetrics(rows: RegressionRow[]): GroupMetricRow[] {
  const values = regressionValues(rows);
  if (values === null) return [];
  return REGRESSION_METRIC_NAMES.map((metric) => ({ metric, qualifier: null, ...values.get(metric)! }));
}

/**
 * Multi-output: per output (`qualifier` = output name) the rows of `regressionMetrics` over that
 * output's evaluated rows (an output with none has no rows), then the uniform average over outputs
 * of each metric (`qualifier` NULL): the mean of the outputs' non-NULL values (NULL when all are NULL),
 * except `count`, which is the largest output count; `sample_size` = the largest output count.
 */
export function multiOutputRegressionMetrics(
  rows: Record<string, RegressionRow>[],
  outputs: string[],
): GroupMetricRow[] {
  if (outputs.length === 0) throw new Error('multiOutputRegressionMetrics: no outputs');
  if (new Set(outputs).size !== outputs.length) throw new Error('multiOutputRegressionMetrics: duplicate output');
  const perOutput: { output: string; values: NonNullable<ReturnType<typeof regressionValues>> }[] = [];
  for (const output of outputs) {
    const values = regressionValues(rows.map((r) => r[output] ?? { prediction: null, label: null }));
    if (values !== null) perOutput.push({ output, values });
  }
  if (perOutput.length === 0) return [];

  const out: GroupMetricRow[] = [];
  for (const { output, values } of perOutput) {
    for (const metric of REGRESSION_METRIC_NAMES) out.push({ metric, qualifier: output, ...values.get(metric)! });
  }
  const largestCount = Math.max(...perOutput.map((o) => o.values.get('count')!.value!));
  for (const metric of REGRESSION_METRIC_NAMES) {
    const present = perOutput.map((o) => o.values.get(metric)!.value).filter((v): v is number => v !== null);
    let value: number | null = null;
    if (metric === 'count') value = largestCount;
    else if (present.length > 0) {
      let sum = 0;
      for (const v of present) sum += v;
      value = sum / present.length;
    }
    out.push({ metric, qualifier: null, value, sampleSize: largestCount });
  }
  return out;
}
