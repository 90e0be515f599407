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

/** Series of the forecast monitor: the key modulo this, so each series gets about N / 20,000 forecasts. */
export const FORECAST_SERIES = 20000;

/**
 * A forecast monitor on the same data, through the sources' `sql:`: every prediction event becomes a
 * daily forecast of series `prediction_id % 20000`, made at its `predicted_at` for a day 1 to 7 days
 * ahead, with an 80% interval and three quantiles; the actuals are each series' labels summed per day
 * of their arrival. Its metrics are sums (no sort), so it measures slicing alone, with one more slice
 * per horizon and MASE's scale, per series and window, joined to every row.
 */
export function forecastMonitorConfig(name = `${MONITOR_NAME}_forecast`) {
  const binary = monitorConfig(name);
  const { predictions, outcomes } = binary;
  return {
    name,
    type: 'forecast',
    predictions: {
      sql: `select prediction_id % ${FORECAST_SERIES} as series_id, ${predictions.timestamp} as forecast_at,
    date_trunc('day', ${predictions.timestamp}) + (1 + prediction_id % 7) * interval '1 day' as target_day,
    3 * ${predictions.score} as units, 2 * ${predictions.score} as p10, 3 * ${predictions.score} as p50, 5 * ${predictions.score} as p90,
    ${predictions.model_version}, customer_type, region
from ${predictions.relation}`,
      series: ['series_id'],
      forecast_time: 'forecast_at',
      target_time: 'target_day',
      prediction: 'units',
      interval: { lower: 'p10', upper: 'p90', level: 0.8 },
      quantiles: { '0.1': 'p10', '0.5': 'p50', '0.9': 'p90' },
      model_version: predictions.model_version,
      dedupe: 'latest',
    },
    outcomes: {
      sql: `select prediction_id % ${FORECAST_SERIES} as series_id, date_trunc('day', ${outcomes.timestamp}) as day,
    sum(${outcomes.label}) as units, max(${outcomes.timestamp}) as loaded_at
from ${outcomes.relation}
group by 1, 2`,
      series: ['series_id'],
      time: 'day',
      value: 'units',
      logged_at: 'loaded_at',
      dedupe: 'latest',
    },
    join: { within: '2 days' },
    horizon_unit: 'day',
    granularity: binary.granularity,
    segments: binary.segments,
  };
}

/** Items of the recommendation monitor's catalog: a list's items are a function of its key and positions modulo this. */
export const RECOMMENDATION_ITEMS = 10007;
/** Positions of each recommended list (k = 5 and 10 are its cut-offs). */
export const RECOMMENDATION_LIST_LENGTH = 10;

/**
 * A recommendation monitor on the same data, through the sources' `sql:`: every prediction event is a
 * request (one session, its key) shown a list of 10 items, `(key * 7 + position * 131) % 10007`;
 * every outcome event is an interaction of that session with one item, that of position
 * `1 + (key + 3 * label) % 13` (positions 11-13 are relevant items the list missed), with relevance
 * 1 + label. So the interactions join the requests as outcomes join predictions in the binary monitor,
 * and each request brings 10 list rows: the metric step ranks items within lists, counts distinct
 * items per window (coverage), joins item popularity, and compares the top-k sets of up to 1,000
 * sampled requests per group (personalization).
 */
export function recommendationMonitorConfig(name = `${MONITOR_NAME}_recommendation`) {
  const binary = monitorConfig(name);
  const { predictions, outcomes } = binary;
  const positions = Array.from({ length: RECOMMENDATION_LIST_LENGTH }, (_, i) => `(${i + 1})`).join(', ');
  return {
    name,
    type: 'recommendation',
    predictions: {
      sql: `select prediction_id, ${predictions.timestamp}, ${predictions.model_version}, customer_type, region, l.position,
    (prediction_id * 7 + l.position * 131) % ${RECOMMENDATION_ITEMS} as item_id
from ${predictions.relation}
cross join (values ${positions}) as l (position)`,
      key: predictions.key,
      match: predictions.key,
      timestamp: predictions.timestamp,
      item: 'item_id',
      rank: 'position',
      model_version: predictions.model_version,
      dedupe: 'latest',
    },
    outcomes: {
      sql: `select prediction_id, ${outcomes.timestamp},
    (prediction_id * 7 + (1 + (prediction_id + 3 * ${outcomes.label}) % 13) * 131) % ${RECOMMENDATION_ITEMS} as item_id,
    1 + ${outcomes.label} as relevance
from ${outcomes.relation}`,
      key: outcomes.key,
      timestamp: outcomes.timestamp,
      item: 'item_id',
      relevance: 'relevance',
    },
    join: { within: binary.join.within },
    k: [5, 10],
    granularity: binary.granularity,
    segments: binary.segments,
  };
}

/** The benchmark's monitors of the other problem types, by the name `--type` and the bench steps use. */
export const OTHER_MONITOR_CONFIGS = {
  regression: regressionMonitorConfig,
  multiclass: multiclassMonitorConfig,
  forecast: forecastMonitorConfig,
  recommendation: recommendationMonitorConfig,
} as const;
export type OtherType = keyof typeof OTHER_MONITOR_CONFIGS;

/** The monitor of `type` (one of OTHER_MONITOR_CONFIGS; otherwise the binary one, with `scoreBins` if given). */
export function benchMonitorConfig(type?: string, scoreBins?: number): object {
  if (type === undefined) return monitorConfig(undefined, scoreBins);
  if (!(type in OTHER_MONITOR_CONFIGS)) throw new Error(`unknown --type ${type}; one of ${Object.keys(OTHER_MONITOR_CONFIGS).join(', ')}`);
  return OTHER_MONITOR_CONFIGS[type as OtherType]();
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
