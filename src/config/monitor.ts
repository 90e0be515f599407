// The normalized monitor the compiler works with: defaults applied, shorthands expanded, durations
// in seconds. Derived from the validated config, never written by hand.
import { createHash } from 'node:crypto';
import type { BinaryClassificationConfig, Granularity, MonitorConfig } from './schema.js';
import { durationSeconds } from './duration.js';

export interface SourceSpec {
  relation?: string;
  sql?: string;
  key: string[];
  timestamp: string;
  dedupe: 'latest' | 'earliest';
}

export interface PredictionSource extends SourceSpec {
  score: string;
  modelVersion?: string;
  where?: string;
}

export interface OutcomeSource extends SourceSpec {
  label: string;
}

export interface SegmentSpec {
  column: string;
  top: number;
}

export interface Monitor {
  name: string;
  type: MonitorConfig['type'];
  /** The file the monitor is declared in, relative to the project dir. */
  file: string;
  predictions: PredictionSource;
  outcomes: OutcomeSource;
  within: { text: string; seconds: number };
  missing: 'drop' | 'negative';
  threshold: number;
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

export function normalizeMonitor(
  config: BinaryClassificationConfig,
  file: string,
  positions: Monitor['positions'] = {},
): Monitor {
  const p = config.predictions;
  const o = config.outcomes;
  const order: Granularity[] = ['day', 'week', 'month'];
  const granularities = order.filter((g) => asList(config.granularity).includes(g));
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
      score: p.score,
      modelVersion: p.model_version,
      where: p.where,
    },
    outcomes: { relation: o.relation, sql: cleanSql(o.sql), key: asList(o.key), timestamp: o.timestamp, dedupe: o.dedupe, label: o.label },
    within: { text: config.join.within.trim(), seconds: durationSeconds(config.join.within) },
    missing: config.join.missing,
    threshold: config.threshold,
    granularities,
    segments: config.segments.map((s) => (typeof s === 'string' ? { column: s, top: 50 } : { column: s.column, top: s.top })),
  };
  const { file: _file, ...semantic } = monitor;
  const configHash = createHash('sha256').update(JSON.stringify(semantic)).digest('hex').slice(0, 16);
  return { ...monitor, configHash, positions };
}
