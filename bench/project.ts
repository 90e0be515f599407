// The benchmark's hindsight project, written to a directory: one binary-classification monitor with
// day and week windows, two segments and every metric, reading bench.predictions / bench.outcomes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { SCHEMA, WITHIN_DAYS } from './generate.js';

export type Output = Record<string, string | number | undefined> & { type: 'duckdb' | 'postgres' };

export const MONITOR_NAME = 'bench';

/** `scoreBins`: the monitor with `approximate_ranking` (score bins instead of exact ranks). */
export function monitorConfig(name = MONITOR_NAME, scoreBins?: number) {
  return {
    name,
    type: 'binary_classification',
    predictions: {
      relation: `${SCHEMA}.predictions`,
      key: ['prediction_id'],
      timestamp: 'predicted_at',
      score: 'score',
      model_version: 'model_version',
      dedupe: 'latest',
    },
    outcomes: {
      relation: `${SCHEMA}.outcomes`,
      key: ['prediction_id'],
      timestamp: 'observed_at',
      label: 'label',
      dedupe: 'latest',
    },
    join: { within: `${WITHIN_DAYS} days`, missing: 'drop' },
    threshold: 0.5,
    granularity: ['day', 'week'],
    segments: ['customer_type', { column: 'region', top: 20 }],
    ...(scoreBins ? { approximate_ranking: { score_bins: scoreBins } } : {}),
  };
}

/**
 * A regression monitor on the same data: the score as the prediction of the label (a probability
 * forecast scored as a regression). Its metrics sort every row's absolute error once per group for
 * the exact median and quantiles, as the binary monitor sorts scores for its ranking metrics.
 */
export function regressionMonitorConfig(name = `${MONITOR_NAME}_regression`) {
  const binary = monitorConfig(name);
  const { score, ...predictions } = binary.predictions;
  return {
    name,
    type: 'regression',
    predictions: { ...predictions, prediction: score },
    outcomes: binary.outcomes,
    join: binary.join,
    granularity: binary.granularity,
    segments: binary.segments,
  };
}

/**
 * A multiclass monitor on the same data, through the sources' `sql:`: three classes from the score
 * (low, mid, high; their scores are the terms of (1 - s + s)^2, which sum to 1) against a label class
 * from the binary label and the key's parity. Its metric step ranks every row once per class for
 * one-vs-rest ROC AUC.
 */
export function multiclassMonitorConfig(name = `${MONITOR_NAME}_multiclass`) {
  const binary = monitorConfig(name);
  const { score, relation, ...predictions } = binary.predictions;
  const { label, relation: outcomes, ...outcomeFields } = binary.outcomes;
  return {
    name,
    type: 'multiclass_classification',
    predictions: {
      ...predictions,
      sql: `select prediction_id, predicted_at, model_version, customer_type, region,
    case when ${score} >= 0.66 then 'high' when ${score} >= 0.33 then 'mid' else 'low' end as predicted_class,
    ${score} * ${score} as p_high, 2 * ${score} * (1 - ${score}) as p_mid, (1 - ${score}) * (1 - ${score}) as p_low
from ${relation}`,
      predicted_class: 'predicted_class',
      class_scores: { low: 'p_low', mid: 'p_mid', high: 'p_high' },
    },
    outcomes: {
      ...outcomeFields,
      sql: `select prediction_id, observed_at,
    case when ${label} = 1 then 'high' when prediction_id % 2 = 0 then 'mid' else 'low' end as label_class
from ${outcomes}`,
      label: 'label_class',
    },
    join: { within: binary.join.within },
    top_k: [2],
    granularity: binary.granularity,
    segments: binary.segments,
  };
}

/** `schema`: where hindsight writes (the approximate monitor writes beside the exact one). */
export function writeProject(dir: string, output: Output, monitors: object[] = [monitorConfig()], schema = 'hindsight'): string {
  mkdirSync(join(dir, 'monitors'), { recursive: true });
  writeFileSync(join(dir, 'hindsight.yml'), stringify({ name: 'bench', profile: 'bench', schema }));
  const clean = Object.fromEntries(Object.entries(output).filter(([, v]) => v !== undefined));
  writeFileSync(join(dir, 'profiles.yml'), stringify({ bench: { target: 'bench', outputs: { bench: clean } } }));
  writeFileSync(join(dir, 'monitors', 'bench.yml'), stringify({ monitors }));
  return dir;
}
