// The normalized monitor the compiler works with: defaults applied, shorthands expanded, durations
// in seconds. Derived from the validated config, never written by hand.
import { createHash } from 'node:crypto';
import type { ForecastConfig, Granularity, MonitorConfig, RecommendationConfig } from './schema.js';
import { durationSeconds, UNIT_SECONDS } from './duration.js';
import { cleanSql } from './sql-text.js';

export interface SourceSpec {
  relation?: string;
  sql?: string;
  key: string[];
  timestamp: string;
  dedupe: 'latest' | 'earliest';
  /** The configuration keys that name `key` and `timestamp`, when not those (forecasts: `series`, `time`, …). */
  configKeys?: { key: string; timestamp: string };
}

/** A column a monitor reads besides keys, timestamps and segments: a score, a class, a label. */
export interface ValueColumn {
  /** Its name in hindsight's tables (e.g. `score`, `label`, or the user's column for class scores). */
  alias: string;
  /** The user's column. */
  column: string;
  /** How it is read (macros/sources.sql): `probability`, a number in [0, 1] (a binary score). */
  kind: 'number' | 'probability' | 'text' | 'label01' | 'timestamp';
  /** The configuration key that names it, for messages. */
  configKey: string;
  /** A fixed name of hindsight's (`score`, `label`, …), written unquoted; else the user's column, quoted. */
  internal: boolean;
}

export interface PredictionSource extends SourceSpec {
  values: ValueColumn[];
  modelVersion?: string;
  where?: string;
}

export interface OutcomeSource extends SourceSpec {
  values: ValueColumn[];
}

/** A forecast monitor's own fields (docs/semantics.md §5d); the shared fields hold the rest. */
export interface ForecastSpec {
  horizonUnit: 'hour' | 'day' | 'week';
  /** Seconds in one horizon unit. */
  unitSeconds: number;
  /** The horizons that get rows of their own, ascending; empty: all. */
  horizons: number[];
  /** MASE's seasonal lag, in horizon units. */
  seasonality: number;
  /** The value columns, also listed in predictions.values / outcomes.values. */
  prediction: ValueColumn;
  targetTime: ValueColumn;
  loggedAt?: ValueColumn;
  interval?: { lower: ValueColumn; upper: ValueColumn; level: number };
  /** In configuration order; `text` is the qualifier of its pinball_loss rows. */
  quantiles: { level: number; text: string; column: ValueColumn }[];
  actual: ValueColumn;
  actualLoggedAt?: ValueColumn;
}

/** A recommendation monitor's own fields (docs/semantics.md §5e); predictions.key is the request key. */
export interface RecommendationSpec {
  /** The prediction-side columns matched to outcomes.key position by position (user or session). */
  match: string[];
  /** The match columns that are not request key columns (carried next to the key). */
  matchOnly: string[];
  /** List columns (also in predictions.values): item (as text), rank, optional score and anchor item. */
  item: ValueColumn;
  rank: ValueColumn;
  score?: ValueColumn;
  anchorItem?: ValueColumn;
  /** Interaction columns (also in outcomes.values): item (as text) and optional relevance. */
  interactionItem: ValueColumn;
  relevance?: ValueColumn;
  /** The cut-offs of the @k metrics, ascending, each once. */
  k: number[];
  /** Where coverage's catalog comes from; absent: the window's items. */
  catalog?: { relation?: string; sql?: string; item: string };
  /** At most this many requests per group are sampled for personalization@k. */
  personalizationSample: number;
}

/** Column names as warehouses that ignore case compare them (BigQuery, Snowflake's unquoted names, DuckDB). */
export const folded = (column: string) => column.toLowerCase();

/** Names of hindsight's own columns in a recommendation pipeline's tables (not for key, match or segment columns). */
export const RECOMMENDATION_COLUMNS = [
  'item', 'list_rank', 'list_position', 'score', 'anchor_item', 'relevance', 'gain', 'copy_rank', 'interaction_class',
  'hits_through', 'list_length', 'relevant_items', 'first_relevant_position', 'predicted_at', 'observed_at', 'model_version',
  'label_status', 'label_delay_hours', 'hs_match_0', 'hs_match_1', 'hs_match_2', 'hs_match_3',
];

/**
 * Names the recommendation templates give columns of their own queries beside a request's key
 * columns (models/recommendation/): a key of such a name would be read in their place (a key
 * `item_row` made list_items.sql keep the first request only).
 */
export const REQUEST_QUERY_COLUMNS = [
  'item_row', 'sample_rank', 'first_at', 'window_start', 'key_hash', 'ideal_position', 'list_rows',
  // the slices' group keys (macros/slices.sql), beside the request key in the metric step
  'group_key', 'base_key', 'base_group_key',
];
/**
 * And the per-k sums of the metric step (hits_10, dcg_10, …) and the slices' segment value indexes
 * beside the request key in its cell rows (value_1, value_2, … in macros/slices.sql: an integer key
 * value_1 was read as the first segment's, and coverage came out wrong), by their pattern.
 */
export const REQUEST_QUERY_COLUMN_PATTERN = /^(hits|dcg|idcg|ap_sum|value)_\d+$/;

/**
 * Names the forecast templates give columns of their own queries beside the series columns
 * (models/forecast/: MASE's scales, the windows, the actuals' dedupe): a series column of such a
 * name was read in their place (MASE wrong or NULL), or clashed with it.
 */
export const FORECAST_QUERY_COLUMNS = [
  'granularity', 'window_start', 'scale', 'history_pairs', 'history_sum', 'checkpoint_at', 'is_pair', 'pairs_before',
  'abs_change', 'sum_abs_change', 'actual_time', 'actual_rank', 'at_time', 'logged_at', 'duplicate_rank',
];

/**
 * Names the forecast steps give columns beside a quantile column, which keeps its own name
 * (models/forecast/): the forecast rows' logged_at (with predictions.logged_at), predicted_at and
 * MASE's scales (hs_scale_<i>) in forecast_rows.sql, the metric step's window_start, base_key, segment
 * value indexes (value_<n>, macros/slices.sql) and scaled_error. A quantile column of such a name was
 * read in their place (MASE or the pinball losses wrong, with no error) or failed in a step.
 */
export const QUANTILE_QUERY_COLUMNS = ['predicted_at', 'window_start', 'base_key', 'scaled_error'];
export const QUANTILE_QUERY_COLUMN_PATTERN = /^(value_\d+|hs_.*)$/;

/** What a key, series or segment column named like one of hindsight's own columns is told, with the rename to make. */
export const takenName = (col: string, adds = "hindsight's queries add themselves") =>
  `"${col}" is a column ${adds}; rename it in a \`sql:\` source (select ${col} as my_${col} …)`;

export interface SegmentSpec {
  column: string;
  top: number;
}

export interface Monitor {
  name: string;
  type: MonitorConfig['type'];
  /** The file the monitor is declared in, as config errors name it (relative to the working dir). */
  file: string;
  predictions: PredictionSource;
  outcomes: OutcomeSource;
  within: { text: string; seconds: number };
  /**
   * `load_delay:`: rows arrive in the warehouse up to this long after their timestamps, so a run as
   * of T reads data as of T less this (monitorAsOf). Absent when not configured (then not part of
   * configHash, which stays that of a monitor written before the key existed).
   */
  loadDelay?: { seconds: number };
  missing: 'drop' | 'negative';
  /** Binary classification: a score >= threshold predicts the positive class. */
  threshold: number;
  /** Binary classification: rank metrics from this many score bins, with error bounds (undefined: exact). */
  scoreBins?: number;
  /** Multiclass classification: the classes with a score column (alias = the column). */
  classes: { name: string; alias: string }[];
  /** Multiclass classification: the k of top_<k>_accuracy. */
  topK: number[];
  /** Regression: one entry per output (name NULL for a single output) with its two value columns. */
  outputs: { name: string | null; prediction: ValueColumn; label: ValueColumn }[];
  /** Forecasts only: predictions.key is the series, predictions.timestamp forecast_time, outcomes.timestamp time. */
  forecast?: ForecastSpec;
  /** Recommendations only: the list, match and interaction columns, k and the catalog. */
  recommendation?: RecommendationSpec;
  granularities: Granularity[];
  segments: SegmentSpec[];
  /** `tags:`, for --select tag:<tag>; not part of configHash (they change nothing computed). */
  tags: string[];
  /** Changes whenever anything that affects results changes; a change forces a full refresh. */
  configHash: string;
  /**
   * Where each configured key sits in its file, for messages: `predictions.score` -> its line, column
   * and key as validation names it (`monitors[0].predictions.score`).
   */
  positions: Record<string, { line: number; column: number; key: string }>;
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The value columns of each side, per problem type (what the shared pipeline steps carry along). */
function valueColumns(config: MonitorConfig, keyOrder: KeyOrder): Pick<Monitor, 'classes' | 'outputs'> & { predictions: ValueColumn[]; outcomes: ValueColumn[] } {
  // a mapping's entries in the file's order (class scores break ties in it, §1.2)
  const entries = <T>(record: Record<string, T>, key: string): [string, T][] => {
    const order = keyOrder[key] ?? [];
    const rank = (name: string) => (order.includes(name) ? order.indexOf(name) : order.length);
    return Object.entries(record).sort(([a], [b]) => rank(a) - rank(b));
  };
  const v = (alias: string, column: string, kind: ValueColumn['kind'], configKey: string): ValueColumn => ({
    alias, column, kind, configKey, internal: ['score', 'label', 'predicted_class', 'prediction'].includes(alias),
  });
  switch (config.type) {
    case 'binary_classification':
      return {
        predictions: [v('score', config.predictions.score, 'probability', 'predictions.score')],
        outcomes: [v('label', config.outcomes.label, 'label01', 'outcomes.label')],
        classes: [],
        outputs: [],
      };
    case 'multiclass_classification': {
      const scores = entries(config.predictions.class_scores ?? {}, 'predictions.class_scores');
      return {
        predictions: [
          v('predicted_class', config.predictions.predicted_class, 'text', 'predictions.predicted_class'),
          ...scores.map(([name, column]) => v(column, column, 'number', `predictions.class_scores.${name}`)),
        ],
        outcomes: [v('label', config.outcomes.label, 'text', 'outcomes.label')],
        classes: scores.map(([name, column]) => ({ name, alias: column })),
        outputs: [],
      };
    }
    case 'regression': {
      const outputs = config.outputs
        ? entries(config.outputs, 'outputs').map(([name, o]) => ({
            name,
            prediction: v(o.prediction, o.prediction, 'number', `outputs.${name}.prediction`),
            label: v(o.label, o.label, 'number', `outputs.${name}.label`),
          }))
        : [{
            name: null,
            prediction: v('prediction', config.predictions.prediction!, 'number', 'predictions.prediction'),
            label: v('label', config.outcomes.label!, 'number', 'outcomes.label'),
          }];
      return {
        predictions: outputs.map((o) => o.prediction),
        outcomes: outputs.map((o) => o.label),
        classes: [],
        outputs,
      };
    }
    case 'recommendation': {
      const r = recommendationSpec(config);
      return {
        predictions: [r.item, r.rank, ...(r.score ? [r.score] : []), ...(r.anchorItem ? [r.anchorItem] : [])],
        outcomes: [r.interactionItem, ...(r.relevance ? [r.relevance] : [])],
        classes: [],
        outputs: [],
      };
    }
    case 'forecast': {
      const f = forecastSpec(config);
      return {
        predictions: [
          f.prediction, f.targetTime, ...(f.loggedAt ? [f.loggedAt] : []),
          ...(f.interval ? [f.interval.lower, f.interval.upper] : []), ...f.quantiles.map((q) => q.column),
        ],
        outcomes: [f.actual, ...(f.actualLoggedAt ? [f.actualLoggedAt] : [])],
        classes: [],
        outputs: [],
      };
    }
  }
}


/** The forecast fields of a forecast monitor: value columns under hindsight's names, horizons, quantiles. */
function forecastSpec(config: ForecastConfig): ForecastSpec {
  const p = config.predictions;
  const o = config.outcomes;
  const own = (alias: string, column: string, kind: ValueColumn['kind'], configKey: string): ValueColumn => ({ alias, column, kind, configKey, internal: true });
  return {
    horizonUnit: config.horizon_unit,
    unitSeconds: UNIT_SECONDS[config.horizon_unit],
    horizons: [...new Set(config.horizons ?? [])].sort((a, b) => a - b),
    seasonality: config.seasonality,
    prediction: own('prediction', p.prediction, 'number', 'predictions.prediction'),
    targetTime: own('target_time', p.target_time, 'timestamp', 'predictions.target_time'),
    ...(p.logged_at ? { loggedAt: own('logged_at', p.logged_at, 'timestamp', 'predictions.logged_at') } : {}),
    ...(p.interval
      ? {
          interval: {
            lower: own('interval_lower', p.interval.lower, 'number', 'predictions.interval.lower'),
            upper: own('interval_upper', p.interval.upper, 'number', 'predictions.interval.upper'),
            level: p.interval.level,
          },
        }
      : {}),
    // the user's column names, quoted, like class scores
    quantiles: Object.entries(p.quantiles ?? {}).map(([level, column]) => ({
      level: Number(level),
      text: String(Number(level)),
      column: { alias: column, column, kind: 'number', configKey: `predictions.quantiles.${level}`, internal: false },
    })),
    actual: own('actual', o.value, 'number', 'outcomes.value'),
    ...(o.logged_at ? { actualLoggedAt: own('logged_at', o.logged_at, 'timestamp', 'outcomes.logged_at') } : {}),
  };
}

/** The recommendation fields of a recommendation monitor: list and interaction columns under hindsight's names. */
function recommendationSpec(config: RecommendationConfig): RecommendationSpec {
  const p = config.predictions;
  const o = config.outcomes;
  const own = (alias: string, column: string, kind: ValueColumn['kind'], configKey: string): ValueColumn => ({ alias, column, kind, configKey, internal: true });
  const key = asList(p.key);
  const match = asList(p.match);
  return {
    match,
    matchOnly: match.filter((c) => !key.includes(c)),
    item: own('item', p.item, 'text', 'predictions.item'),
    rank: own('list_rank', p.rank, 'number', 'predictions.rank'),
    ...(p.score ? { score: own('score', p.score, 'number', 'predictions.score') } : {}),
    ...(p.anchor_item ? { anchorItem: own('anchor_item', p.anchor_item, 'text', 'predictions.anchor_item') } : {}),
    interactionItem: own('item', o.item, 'text', 'outcomes.item'),
    ...(o.relevance ? { relevance: own('relevance', o.relevance, 'number', 'outcomes.relevance') } : {}),
    k: [...new Set(config.k)].sort((a, b) => a - b),
    ...(config.catalog ? { catalog: { relation: config.catalog.relation, sql: cleanSql(config.catalog.sql), item: config.catalog.item } } : {}),
    personalizationSample: 1000,
  };
}

type Rule = [(string | number)[], string];
type Written = Record<string, unknown>;
const isWritten = (v: unknown): v is Written => v !== null && typeof v === 'object' && !Array.isArray(v);
/** The columns of a key as written (`id` or `[a, b]`), each with its path under the key; none when it is not well-formed (the schema says so). */
const keyColumnsOf = (v: unknown): [string, number[]][] =>
  typeof v === 'string' ? [[v, []]] : Array.isArray(v) && v.length > 0 && v.every((c) => typeof c === 'string') ? v.map((c: string, i): [string, number[]] => [c, [i]]) : [];
/** The segment columns as written (`- country` or `- {column: country}`), each with its index; those not well-formed left out. */
const segmentColumnsOf = (v: unknown): [string, number][] =>
  Array.isArray(v) ? v.flatMap((s: unknown, i): [string, number][] => (typeof s === 'string' ? [[s, i]] : isWritten(s) && typeof s.column === 'string' ? [[s.column, i]] : [])) : [];

function recommendationRules(m: Written): Rule[] {
  const rules: Rule[] = [];
  const p = isWritten(m.predictions) ? m.predictions : {};
  // outcomes.key has as many columns as predictions.match: checked with the other keys (load.ts)
  const match = keyColumnsOf(p.match);
  const c = m.catalog;
  if (isWritten(c) && (c.relation === undefined) === (c.sql === undefined)) {
    rules.push([['catalog'], 'give either `relation` (a table or view) or `sql` (a query), exactly one']);
  }
  const own = (col: string) => RECOMMENDATION_COLUMNS.includes(folded(col));
  for (const [col, i] of match) {
    if (own(col)) rules.push([['predictions', 'match', ...i], `"${col}" is a column hindsight writes itself; rename it in a \`sql:\` source`]);
  }
  for (const [col, i] of keyColumnsOf(p.key)) {
    const at = ['predictions', 'key', ...i];
    if (own(col)) rules.push([at, `"${col}" is a column hindsight writes itself; rename it in a \`sql:\` source`]);
    else if (REQUEST_QUERY_COLUMNS.includes(folded(col)) || REQUEST_QUERY_COLUMN_PATTERN.test(folded(col))) rules.push([at, takenName(col)]);
  }
  for (const [col, i] of segmentColumnsOf(m.segments)) {
    if (own(col)) rules.push([['segments', i], `"${col}" is a column hindsight writes itself; rename it in a \`sql:\` source`]);
    else if (match.some(([x]) => folded(x) === folded(col))) rules.push([['segments', i], `"${col}" is a match column; segment by another column`]);
  }
  return rules;
}

/**
 * Rules of one problem type that the schema cannot express: [path under the monitor, message]. They
 * read the monitor as written, and skip what is not well-formed, so that they are reported beside
 * the schema's errors in one pass (a regression monitor without `prediction` or `outputs` was told
 * so only after its other errors were fixed).
 */
export function problemTypeRules(m: Written): Rule[] {
  if (m.type === 'recommendation') return recommendationRules(m);
  if (m.type === 'forecast') return forecastRules(m);
  if (m.type !== 'regression') return [];
  const [p, o, outputs] = [m.predictions, m.outcomes, m.outputs];
  // (a side or `outputs` that is not a mapping is the schema's error)
  if (!isWritten(p) || !isWritten(o) || (outputs !== undefined && !isWritten(outputs))) return [];
  const single = p.prediction !== undefined || o.label !== undefined;
  if (outputs && single) return [[['outputs'], 'give either `outputs` (several outputs) or predictions.prediction with outcomes.label (one output), not both']];
  if (outputs && Object.keys(outputs).length === 0) return [[['outputs'], 'name at least one output']];
  if (!outputs && p.prediction === undefined) return [[['predictions'], 'give `prediction` (the predicted value column), or `outputs` at the monitor level for several outputs']];
  if (!outputs && o.label === undefined) return [[['outcomes'], 'give `label` (the true value column), or `outputs` at the monitor level for several outputs']];
  return [];
}

function forecastRules(m: Written): Rule[] {
  const rules: Rule[] = [];
  const p = isWritten(m.predictions) ? m.predictions : {};
  const o = isWritten(m.outcomes) ? m.outcomes : {};
  const series = keyColumnsOf(p.series);
  const actualSeries = keyColumnsOf(o.series);
  if (series.length && actualSeries.length && series.length !== actualSeries.length) {
    rules.push([['outcomes', 'series'], `has ${actualSeries.length} column(s) but predictions.series has ${series.length}; series are matched position by position`]);
  }
  const quantiles = isWritten(p.quantiles) ? p.quantiles : {};
  const levels = new Map<string, string>();
  for (const level of Object.keys(quantiles)) {
    if (!/^\s*(0|\d*\.\d+)\s*$/.test(level) || !(Number(level) > 0 && Number(level) < 1)) {
      rules.push([['predictions', 'quantiles', level], `"${level}" is not a quantile level: expected a number strictly between 0 and 1, like 0.1 or 0.95`]);
      continue;
    }
    const text = String(Number(level));
    const before = levels.get(text);
    if (before !== undefined) rules.push([['predictions', 'quantiles', level], `is the same quantile level as ${before}; give each level once`]);
    else levels.set(text, level);
  }
  for (const [level, column] of Object.entries(quantiles)) {
    if (typeof column !== 'string') continue;
    const col = folded(column);
    if (QUANTILE_QUERY_COLUMNS.includes(col) || QUANTILE_QUERY_COLUMN_PATTERN.test(col) || (col === 'logged_at' && typeof p.logged_at === 'string' && p.logged_at)) {
      rules.push([['predictions', 'quantiles', level], takenName(column)]);
    }
  }
  for (const [side, written] of [['predictions', series], ['outcomes', actualSeries]] as const) {
    for (const [col, i] of written) {
      if (FORECAST_QUERY_COLUMNS.includes(folded(col)) || folded(col).startsWith('hs_')) rules.push([[side, 'series', ...i], takenName(col)]);
    }
  }
  for (const [col, i] of segmentColumnsOf(m.segments)) {
    if (folded(col) === 'horizon') {
      rules.push([['segments', i], 'a forecast monitor has its own `horizon` slice; a segment column cannot be named horizon (rename it in a `sql:` source)']);
    } else if (folded(col) === 'logged_at' || folded(col).startsWith('hs_')) rules.push([['segments', i], takenName(col)]);
  }
  return rules;
}

/** Columns of the evaluations table, in order; a name used twice is a configuration error. */
export function evaluationColumns(m: Monitor): string[] {
  if (m.recommendation) {
    const r = m.recommendation;
    return [
      ...m.predictions.key, 'predicted_at', 'model_version', ...r.matchOnly, ...(r.anchorItem ? ['anchor_item'] : []),
      ...m.segments.map((s) => s.column), 'list_length', 'relevant_items', 'first_relevant_position',
      ...r.k.flatMap((k) => [`hits_at_${k}`, `ndcg_at_${k}`, `ap_at_${k}`]), 'label_status', 'observed_at', 'label_delay_hours',
    ];
  }
  if (m.forecast) {
    const f = m.forecast;
    const series = m.predictions.key;
    return [
      ...series, 'forecast_time', 'target_time', 'horizon', 'model_version', 'prediction',
      ...(f.interval ? ['interval_lower', 'interval_upper'] : []), ...f.quantiles.map((q) => q.column.alias),
      ...m.segments.map((s) => s.column).filter((c) => !series.includes(c)), 'actual', 'label_status', 'observed_at', 'label_delay_hours',
    ];
  }
  return [
    ...m.predictions.key, 'predicted_at', 'model_version', ...m.predictions.values.map((v) => v.alias),
    ...m.segments.map((s) => s.column), ...m.outcomes.values.map((v) => v.alias), 'label_status', 'observed_at', 'label_delay_hours',
  ];
}

/**
 * Predictions made at or before this, in a run as of `asOf`, have had their whole `within`: their
 * labels can no longer change without new data, and a window ending here is final (a run's
 * final_before; where an incremental run's range starts at the latest).
 */
export function closedBefore(monitor: Monitor, asOf: Date): Date {
  return new Date(asOf.getTime() - monitor.within.seconds * 1000);
}

/**
 * The column of a side's source that a run bounds by its as-of: the time a row is known from. That
 * is its timestamp, or a forecast's `logged_at` (a forecast is logged before the time it is for, an
 * actual after). The steps read each source up to the as-of on it (models/forecast/*.sql:
 * `arrival.predictions`, `arrival.outcomes`), and so does the column check. None for a
 * recommendation's catalog, which has no time.
 */
export function arrivalColumn(monitor: Monitor, side: 'predictions' | 'outcomes' | 'catalog'): string | undefined {
  const f = monitor.forecast;
  if (side === 'predictions') return f?.loggedAt?.column ?? monitor.predictions.timestamp;
  if (side === 'outcomes') return f?.actualLoggedAt?.column ?? monitor.outcomes.timestamp;
  return undefined;
}

/**
 * The as-of a monitor's run reads its data as of, in a run as of `asOf`: that less the monitor's
 * `load_delay`, before which every row has arrived. It is the as-of the run's SQL, its run record
 * and the next incremental run's plan use.
 */
export function monitorAsOf(monitor: Monitor, asOf: Date): Date {
  return monitor.loadDelay ? new Date(asOf.getTime() - monitor.loadDelay.seconds * 1000) : asOf;
}

/**
 * Per problem type, raised whenever this version of hindsight writes other rows for a configuration
 * than the one before it (a fixed rule, a value written another way): part of every monitor's
 * configHash, so the first run after an upgrade is a full refresh, and no incremental run adds rows
 * written the new way to rows written the old way. 2 (every type): DuckDB's text of whole doubles, a
 * one-output `outputs:` monitor's average rows, the `__other__` value, class scores in the file's
 * order. 3 (multiclass): a row whose scores sum to 1 up to rounding is not divided by its sum.
 * Then one more for every type but forecasts (0.3.0): a window without a prediction event, from the
 * first to the as-of, gets a prediction_events row of 0 (docs/semantics.md §6, empty windows).
 * 5 (multiclass, 0.4.0): the macro and weighted averages count an undefined per-class value as 0,
 * and top-k accuracy credits a row with ties by the share of them that fit in k (§5b).
 */
export const RESULTS_VERSIONS: Record<MonitorConfig['type'], number> = {
  binary_classification: 3,
  multiclass_classification: 5,
  regression: 3,
  forecast: 2,
  recommendation: 3,
};

/**
 * The order of a mapping's keys in the file, by its key (`predictions.class_scores`, `outputs`):
 * a parsed mapping is a JavaScript object, which puts keys like "2" before "1" whatever the file says.
 */
export type KeyOrder = Record<string, string[]>;

export function normalizeMonitor(config: MonitorConfig, file: string, keyOrder: KeyOrder = {}): Monitor {
  const p = config.predictions;
  const o = config.outcomes;
  const order: Granularity[] = ['day', 'week', 'month'];
  const granularities = order.filter((g) => asList(config.granularity).includes(g));
  const values = valueColumns(config, keyOrder);
  // A forecast's series is the key of both sides; its forecast_time and the actuals' time their timestamps.
  const [key, timestamp, outcomeKey, outcomeTimestamp] = config.type === 'forecast'
    ? [asList(config.predictions.series), config.predictions.forecast_time, asList(config.outcomes.series), config.outcomes.time]
    : [asList(config.predictions.key), config.predictions.timestamp, asList(config.outcomes.key), config.outcomes.timestamp];
  const forecastKeys = (side: string, timestampKey: string) =>
    config.type === 'forecast' ? { configKeys: { key: `${side}.series`, timestamp: `${side}.${timestampKey}` } } : {};
  const monitor: Omit<Monitor, 'configHash' | 'positions' | 'tags'> = {
    name: config.name,
    type: config.type,
    file,
    predictions: {
      relation: p.relation,
      sql: cleanSql(p.sql),
      key,
      timestamp,
      dedupe: p.dedupe,
      values: values.predictions,
      modelVersion: p.model_version,
      where: cleanSql(p.where),
      ...forecastKeys('predictions', 'forecast_time'),
    },
    outcomes: {
      relation: o.relation, sql: cleanSql(o.sql), key: outcomeKey, timestamp: outcomeTimestamp,
      // interactions have no dedupe: several with one item count once (§5e)
      dedupe: 'dedupe' in o ? o.dedupe : 'latest', values: values.outcomes,
      ...forecastKeys('outcomes', 'time'),
    },
    within: { text: config.join.within.trim(), seconds: durationSeconds(config.join.within) },
    // (seconds only, and none for 0: `1 day` and `24 hours`, or `0 days` and none, are one configuration)
    ...(config.load_delay && durationSeconds(config.load_delay) > 0 ? { loadDelay: { seconds: durationSeconds(config.load_delay) } } : {}),
    // recommendations: a request without a relevant item is a miss, like `missing: negative`
    missing: 'missing' in config.join ? config.join.missing : 'negative',
    threshold: config.type === 'binary_classification' ? config.threshold : 0.5,
    ...(config.type === 'binary_classification' && config.approximate_ranking ? { scoreBins: config.approximate_ranking.score_bins } : {}),
    classes: values.classes,
    topK: config.type === 'multiclass_classification' ? [...new Set(config.top_k)].sort((a, b) => a - b) : [],
    outputs: values.outputs,
    ...(config.type === 'forecast' ? { forecast: forecastSpec(config) } : {}),
    ...(config.type === 'recommendation' ? { recommendation: recommendationSpec(config) } : {}),
    granularities,
    segments: config.segments.map((s) => (typeof s === 'string' ? { column: s, top: 50 } : { column: s.column, top: s.top })),
  };
  const configHash = createHash('sha256').update(`${RESULTS_VERSIONS[config.type]}\n${semanticJson(monitor)}`).digest('hex').slice(0, 16);
  // tags select monitors; a new tag must not make the next run a full refresh
  return { ...monitor, tags: [...new Set(asList(config.tags))], configHash, positions: {} };
}

/**
 * What a monitor's configHash is a hash of, as JSON (`{results_version, monitor}`): kept with each run
 * (hindsight_runs.config), so that the next run can say what changed (configChanges).
 */
export function monitorConfigJson(m: Monitor): string {
  return `{"results_version":${RESULTS_VERSIONS[m.type]},"monitor":${semanticJson(m)}}`;
}

/** What of a monitor affects its rows, as JSON: all but its file, tags, hash and positions. */
function semanticJson(m: Omit<Monitor, 'configHash' | 'positions' | 'tags'> & Partial<Monitor>): string {
  const { file: _file, tags: _tags, configHash: _hash, positions: _positions, ...semantic } = m;
  return JSON.stringify(semantic);
}

/**
 * Whether a previous run computed its rows from this monitor's configuration: the same configHash, or
 * the configuration it kept (hindsight_runs.config) the same but for how `join.within` is spelt
 * (`14 days`, `2 weeks`). The hash holds the spelling, which stays so that no monitor's hash
 * changes; the rows depend on the seconds only.
 */
export function sameConfiguration(previous: { configHash: string; config?: string }, monitor: Monitor): boolean {
  if (previous.configHash === monitor.configHash) return true;
  const spelling = (json: string) => {
    try {
      const kept = JSON.parse(json) as { monitor?: { within?: { text?: string } } };
      if (kept.monitor?.within) delete kept.monitor.within.text;
      return JSON.stringify(kept);
    } catch {
      return undefined;
    }
  };
  return previous.config !== undefined && spelling(previous.config) !== undefined && spelling(previous.config) === spelling(monitorConfigJson(monitor));
}

/** Names of the monitor object's keys as a monitor file writes them, where they differ. */
const CONFIG_NAMES: Record<string, string> = {
  within: 'join.within', missing: 'join.missing', loadDelay: 'load_delay', scoreBins: 'approximate_ranking',
  topK: 'top_k', granularities: 'granularity', modelVersion: 'model_version',
};

/**
 * What differs between a monitor's configuration as a previous run kept it (monitorConfigJson) and
 * now, in words: the keys that changed (one level into predictions and outcomes), or that this
 * version of hindsight computes the rows another way. Undefined when the previous one is not known.
 */
export function configChanges(previousJson: string | undefined, monitor: Monitor): string | undefined {
  let before: { results_version?: number; monitor?: Record<string, unknown> };
  try {
    before = previousJson ? JSON.parse(previousJson) : undefined;
  } catch {
    return undefined;
  }
  if (!before?.monitor) return undefined;
  const now = { results_version: RESULTS_VERSIONS[monitor.type], monitor: JSON.parse(semanticJson(monitor)) as Record<string, unknown> };
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  const changed: string[] = [];
  for (const key of new Set([...Object.keys(before.monitor), ...Object.keys(now.monitor)])) {
    const [a, b] = [before.monitor[key], now.monitor[key]];
    // (`within` by its seconds: `2 weeks` for `14 days` changes nothing)
    if (key === 'within' ? same((a as { seconds?: number })?.seconds, (b as { seconds?: number })?.seconds) : same(a, b)) continue;
    if ((key === 'predictions' || key === 'outcomes') && a && b && typeof a === 'object' && typeof b === 'object') {
      const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
      for (const inner of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (same(x[inner], y[inner]) || inner === 'configKeys') continue;
        if (inner === 'values') {
          // each value column by the key that names it (predictions.score, outputs.price.label, …)
          const values = (v: unknown) => new Map((Array.isArray(v) ? v : []).map((c: { alias: string; configKey: string }) => [c.alias, c]));
          const [was, is] = [values(x.values), values(y.values)];
          for (const alias of new Set([...was.keys(), ...is.keys()])) {
            if (!same(was.get(alias), is.get(alias))) changed.push((is.get(alias) ?? was.get(alias))!.configKey);
          }
        } else if (inner === 'key' || inner === 'timestamp') {
          changed.push(monitor[key].configKeys?.[inner] ?? `${key}.${inner}`); // (a forecast's series, forecast_time, time)
        } else changed.push(`${key}.${CONFIG_NAMES[inner] ?? inner}`);
      }
    } else if ((key === 'forecast' || key === 'recommendation') && a && b && typeof a === 'object' && typeof b === 'object') {
      // their settings by name (seasonality, k); a column by its key, once (it is a value column too)
      const [x, y] = [a as Record<string, unknown>, b as Record<string, unknown>];
      for (const inner of new Set([...Object.keys(x), ...Object.keys(y)])) {
        if (same(x[inner], y[inner])) continue;
        const column = (y[inner] ?? x[inner]) as { configKey?: unknown } | null;
        changed.push(column && typeof column.configKey === 'string' ? column.configKey : inner.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
      }
    } else if (key !== 'classes' && key !== 'outputs') {
      // (classes and outputs follow the value columns, named above)
      changed.push(CONFIG_NAMES[key] ?? key);
    }
  }
  const version = before.results_version !== now.results_version
    ? `this version of hindsight computes ${monitor.type} rows another way than the last run's (results version ${before.results_version ?? '?'} → ${now.results_version})`
    : undefined;
  if (changed.length) return `configuration changed since the last run: ${[...new Set(changed)].join(', ')}${version ? `; and ${version}` : ''}`;
  return version;
}
