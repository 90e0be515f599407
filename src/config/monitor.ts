// The normalized monitor the compiler works with: defaults applied, shorthands expanded, durations
// in seconds. Derived from the validated config, never written by hand.
import { createHash } from 'node:crypto';
import type { Granularity, MonitorConfig } from './schema.js';
import { durationSeconds } from './duration.js';

export interface SourceSpec {
  relation?: string;
  sql?: string;
  key: string[];
  timestamp: string;
  dedupe: 'latest' | 'earliest';
}

/** A column a monitor reads besides keys, timestamps and segments: a score, a class, a label. */
export interface ValueColumn {
  /** Its name in hindsight's tables (e.g. `score`, `label`, or the user's column for class scores). */
  alias: string;
  /** The user's column. */
  column: string;
  kind: 'number' | 'text' | 'label01';
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
  missing: 'drop' | 'negative';
  /** Binary classification: a score >= threshold predicts the positive class. */
  threshold: number;
  /** Multiclass classification: the classes with a score column (alias = the column). */
  classes: { name: string; alias: string }[];
  /** Multiclass classification: the k of top_<k>_accuracy. */
  topK: number[];
  /** Regression: one entry per output (name NULL for a single output) with its two value columns. */
  outputs: { name: string | null; prediction: ValueColumn; label: ValueColumn }[];
  granularities: Granularity[];
  segments: SegmentSpec[];
  /** Changes whenever anything that affects results changes; a change forces a full refresh. */
  configHash: string;
  /** Where each configured key sits in its file (`predictions.score` -> line, column), for messages. */
  positions: Record<string, { line: number; column: number }>;
}

const asList = <T>(v: T | T[]): T[] => (Array.isArray(v) ? v : [v]);

/** The team's query as written, minus trailing blank lines and a final semicolon. */
const cleanSql = (sql: string | undefined) => sql?.replace(/[\s;]+$/, '');

/** The value columns of each side, per problem type (what the shared pipeline steps carry along). */
function valueColumns(config: MonitorConfig): Pick<Monitor, 'classes' | 'outputs'> & { predictions: ValueColumn[]; outcomes: ValueColumn[] } {
  const v = (alias: string, column: string, kind: ValueColumn['kind'], configKey: string): ValueColumn => ({
    alias, column, kind, configKey, internal: ['score', 'label', 'predicted_class', 'prediction'].includes(alias),
  });
  switch (config.type) {
    case 'binary_classification':
      return {
        predictions: [v('score', config.predictions.score, 'number', 'predictions.score')],
        outcomes: [v('label', config.outcomes.label, 'label01', 'outcomes.label')],
        classes: [],
        outputs: [],
      };
    case 'multiclass_classification': {
      const scores = Object.entries(config.predictions.class_scores ?? {});
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
        ? Object.entries(config.outputs).map(([name, o]) => ({
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
  }
}

/** Rules of one problem type that the schema cannot express: [path under the monitor, message]. */
export function problemTypeRules(config: MonitorConfig): [(string | number)[], string][] {
  if (config.type !== 'regression') return [];
  const single = config.predictions.prediction !== undefined || config.outcomes.label !== undefined;
  if (config.outputs && single) return [[['outputs'], 'give either `outputs` (several outputs) or predictions.prediction with outcomes.label (one output), not both']];
  if (config.outputs && Object.keys(config.outputs).length === 0) return [[['outputs'], 'name at least one output']];
  if (!config.outputs && config.predictions.prediction === undefined) return [[['predictions'], 'give `prediction` (the predicted value column), or `outputs` at the monitor level for several outputs']];
  if (!config.outputs && config.outcomes.label === undefined) return [[['outcomes'], 'give `label` (the true value column), or `outputs` at the monitor level for several outputs']];
  return [];
}

/** Columns of the evaluations table, in order; a name used twice is a configuration error. */
export function evaluationColumns(m: Monitor): string[] {
  return [
    ...m.predictions.key, 'predicted_at', 'model_version', ...m.predictions.values.map((v) => v.alias),
    ...m.segments.map((s) => s.column), ...m.outcomes.values.map((v) => v.alias), 'label_status', 'observed_at', 'label_delay_hours',
  ];
}

export function normalizeMonitor(
  config: MonitorConfig,
  file: string,
  positions: Monitor['positions'] = {},
): Monitor {
  const p = config.predictions;
  const o = config.outcomes;
  const order: Granularity[] = ['day', 'week', 'month'];
  const granularities = order.filter((g) => asList(config.granularity).includes(g));
  const values = valueColumns(config);
  const monitor: Omit<Monitor, 'configHash' | 'positions'> = {
    name: config.name,
    type: config.type,
    file,
    predictions: {
      relation: p.relation,
      sql: cleanSql(p.sql),
      key: asList(p.key),
      timestamp: p.timestamp,
      dedupe: p.dedupe,
      values: values.predictions,
      modelVersion: p.model_version,
      where: p.where,
    },
    outcomes: { relation: o.relation, sql: cleanSql(o.sql), key: asList(o.key), timestamp: o.timestamp, dedupe: o.dedupe, values: values.outcomes },
    within: { text: config.join.within.trim(), seconds: durationSeconds(config.join.within) },
    missing: config.join.missing,
    threshold: config.type === 'binary_classification' ? config.threshold : 0.5,
    classes: values.classes,
    topK: config.type === 'multiclass_classification' ? [...new Set(config.top_k)].sort((a, b) => a - b) : [],
    outputs: values.outputs,
    granularities,
    segments: config.segments.map((s) => (typeof s === 'string' ? { column: s, top: 50 } : { column: s.column, top: s.top })),
  };
  const { file: _file, ...semantic } = monitor;
  const configHash = createHash('sha256').update(JSON.stringify(semantic)).digest('hex').slice(0, 16);
  return { ...monitor, configHash, positions };
}
