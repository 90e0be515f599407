/**
 * Independent reference for docs/semantics.md sections 1-6: from raw prediction and outcome events
 * to the evaluation rows and the metric rows (model metrics and data-quality rows).
 *
 * Written from the contract text only. `where` filtering is the caller's job: the events passed in
 * have already passed it. Section 7 (incremental runs) is not modelled: incremental results are
 * checked by comparing them with a full refresh.
 */
import { binaryMetrics, type BinaryRow } from './binary-metrics.js';
import { percentileCont } from './quantile.js';

export interface PredictionEvent {
  key: (string | number)[];
  ts: Date;
  score: number | null;
  modelVersion: string | null;
  segments: Record<string, string | null>;
}

export interface OutcomeEvent {
  key: (string | number)[];
  ts: Date;
  label: number | boolean | null;
}

export type Granularity = 'day' | 'week' | 'month';

export interface ReferenceConfig {
  withinMs: number;
  missing: 'drop' | 'negative';
  predictionDedupe: 'latest' | 'earliest';
  outcomeDedupe: 'latest' | 'earliest';
  threshold: number;
  granularities: Granularity[];
  segments: { column: string; top: number }[];
  asOf: Date;
}

export interface MetricRow {
  modelVersion: string | null;
  granularity: string;
  /** ISO 'YYYY-MM-DDTHH:MM:SS.sssZ' */
  windowStart: string;
  windowEnd: string;
  segment: string | null;
  segmentValue: string | null;
  metric: string;
  qualifier: string | null;
  value: number | null;
  sampleSize: number;
}

export type LabelStatus = 'observed' | 'pending' | 'missing';

export interface EvaluationRow {
  key: (string | number)[];
  predictedAt: Date;
  modelVersion: string | null;
  score: number | null;
  segments: Record<string, string | null>;
  label: number | null;
  labelStatus: LabelStatus;
  observedAt: Date | null;
  labelDelayHours: number | null;
}

export type OutcomeClass = 'counting' | 'late' | 'early' | 'orphan';

/** The value that top-N folding gives to the values outside the top. */
export const OTHER = '__other__';

/** Data-quality metrics written for every granularity, window and model version with a prediction event. */
export const DATA_QUALITY_METRICS = [
  'prediction_events',
  'duplicates_removed',
  'observed',
  'pending',
  'missing',
  'label_coverage',
  'outcomes_late',
  'outcomes_early',
  'label_delay_p50',
  'label_delay_p90',
] as const;

const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

// ---------------------------------------------------------------------------------------------
// Small helpers

/** Text comparison by Unicode code point (= byte order of UTF-8, a binary collation). */
export function compareText(a: string, b: string): number {
  const ca = Array.from(a, (c) => c.codePointAt(0)!);
  const cb = Array.from(b, (c) => c.codePointAt(0)!);
  const n = Math.min(ca.length, cb.length);
  for (let i = 0; i < n; i += 1) {
    if (ca[i]! !== cb[i]!) return ca[i]! < cb[i]! ? -1 : 1;
  }
  return ca.length - cb.length === 0 ? 0 : ca.length < cb.length ? -1 : 1;
}

/** Ascending with NULLs last. */
function ascNullsLast<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  if (a === null && b === null) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return cmp(a, b);
}

/** Ascending with NULLs first. */
function ascNullsFirst<T>(a: T | null, b: T | null, cmp: (x: T, y: T) => number): number {
  if (a === null && b === null) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return cmp(a, b);
}

function isNullish(v: unknown): boolean {
  return v === null || v === undefined;
}

function hasNullKeyColumn(key: readonly unknown[]): boolean {
  return key.some(isNullish);
}

/** Keys compare as tuples of their String() values. */
function keyId(key: readonly (string | number)[]): string {
  return JSON.stringify(key.map((k) => String(k)));
}

function compareKeys(a: readonly (string | number)[], b: readonly (string | number)[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i += 1) {
    const c = compareText(String(a[i]), String(b[i]));
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function isValidDate(d: unknown): d is Date {
  return d instanceof Date && !Number.isNaN(d.getTime());
}

function segmentValue(event: PredictionEvent, column: string): string | null {
  const v = event.segments[column];
  return isNullish(v) ? null : (v as string);
}

function toLabel(label: number | boolean): 0 | 1 {
  if (label === true || label === 1) return 1;
  if (label === false || label === 0) return 0;
  throw new Error(`outcome label must be 1/0 or a boolean, got ${String(label)}`);
}

// ---------------------------------------------------------------------------------------------
// Windows (UTC)

export function windowStartOf(ts: Date, granularity: Granularity): Date {
  const y = ts.getUTCFullYear();
  const m = ts.getUTCMonth();
  const d = ts.getUTCDate();
  switch (granularity) {
    case 'day':
      return new Date(Date.UTC(y, m, d));
    case 'week': {
      // ISO week: Monday 00:00 UTC. getUTCDay(): 0 = Sunday ... 6 = Saturday.
      const daysSinceMonday = (ts.getUTCDay() + 6) % 7;
      return new Date(Date.UTC(y, m, d) - daysSinceMonday * DAY_MS);
    }
    case 'month':
      return new Date(Date.UTC(y, m, 1));
  }
}

export function windowEndOf(start: Date, granularity: Granularity): Date {
  switch (granularity) {
    case 'day':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 1));
    case 'week':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth(), start.getUTCDate() + 7));
    case 'month':
      return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
  }
}

// ---------------------------------------------------------------------------------------------
// Sections 1-3

interface KeptPrediction {
  event: PredictionEvent;
  id: string;
  outcomeLate: number;
  outcomeEarly: number;
  counting: { ts: Date; label: 0 | 1 }[];
}

interface Orphan {
  ts: Date;
}

/** Order of section 1.2: the first event in this order is the one kept. */
function predictionOrder(config: ReferenceConfig): (a: PredictionEvent, b: PredictionEvent) => number {
  return (a, b) => {
    const ta = a.ts.getTime();
    const tb = b.ts.getTime();
    if (ta !== tb) return config.predictionDedupe === 'latest' ? tb - ta : ta - tb;
    // score descending, NULLs last
    const s = ascNullsLast(a.score, b.score, (x, y) => y - x);
    if (s !== 0) return s;
    const mv = ascNullsLast(a.modelVersion, b.modelVersion, compareText);
    if (mv !== 0) return mv;
    for (const { column } of config.segments) {
      const c = ascNullsLast(segmentValue(a, column), segmentValue(b, column), compareText);
      if (c !== 0) return c;
    }
    return 0;
  };
}

export interface ReferenceResult {
  evaluations: EvaluationRow[];
  metrics: MetricRow[];
}

export function referencePipeline(
  predictions: PredictionEvent[],
  outcomes: OutcomeEvent[],
  config: ReferenceConfig,
): ReferenceResult {
  const asOf = config.asOf.getTime();
  const within = config.withinMs;

  // 1.1 Keep events with timestamp <= as_of and no NULL key column.
  const predictionEvents = predictions.filter(
    (p) => isValidDate(p.ts) && p.ts.getTime() <= asOf && !hasNullKeyColumn(p.key),
  );

  // 1.2 / 1.3 One row per key; every other event is a removed duplicate.
  const byKey = new Map<string, PredictionEvent[]>();
  for (const p of predictionEvents) {
    const id = keyId(p.key);
    const list = byKey.get(id);
    if (list) list.push(p);
    else byKey.set(id, [p]);
  }
  const order = predictionOrder(config);
  const kept = new Map<string, KeptPrediction>();
  const removedDuplicates: PredictionEvent[] = [];
  for (const [id, events] of byKey) {
    const sorted = [...events].sort(order);
    kept.set(id, { event: sorted[0]!, id, outcomeLate: 0, outcomeEarly: 0, counting: [] });
    removedDuplicates.push(...sorted.slice(1));
  }

  // 2.1 Outcome events with timestamp <= as_of, no NULL key column and a non-NULL label.
  // 2.2 Classify every outcome event against the key's deduplicated prediction.
  const orphans: Orphan[] = [];
  for (const o of outcomes) {
    if (!isValidDate(o.ts) || o.ts.getTime() > asOf || hasNullKeyColumn(o.key) || isNullish(o.label)) continue;
    const label = toLabel(o.label as number | boolean);
    const p = kept.get(keyId(o.key));
    const cls = p === undefined ? 'orphan' : classifyOutcome(p.event.ts.getTime(), o.ts.getTime(), within);
    switch (cls) {
      case 'orphan':
        orphans.push({ ts: o.ts });
        break;
      case 'late':
        p!.outcomeLate += 1;
        break;
      case 'early':
        p!.outcomeEarly += 1;
        break;
      case 'counting':
        p!.counting.push({ ts: o.ts, label });
        break;
    }
  }

  // 2.3 + 3: the winning counting outcome and the label status.
  const evaluations: EvaluationRow[] = [];
  const evaluationOf = new Map<string, EvaluationRow>();
  for (const k of kept.values()) {
    const p = k.event;
    const predictedAt = p.ts.getTime();
    let winner: { ts: Date; label: 0 | 1 } | null = null;
    for (const c of k.counting) {
      if (winner === null) {
        winner = c;
        continue;
      }
      const tc = c.ts.getTime();
      const tw = winner.ts.getTime();
      const better =
        tc === tw ? c.label > winner.label : config.outcomeDedupe === 'latest' ? tc > tw : tc < tw;
      if (better) winner = c;
    }
    let status: LabelStatus;
    if (winner !== null) status = 'observed';
    else if (asOf < predictedAt + within) status = 'pending';
    else status = 'missing';

    let label: number | null = null;
    if (status === 'observed') label = winner!.label;
    else if (status === 'missing' && config.missing === 'negative') label = 0;

    const segments: Record<string, string | null> = {};
    for (const { column } of config.segments) segments[column] = segmentValue(p, column);

    const row: EvaluationRow = {
      key: [...p.key],
      predictedAt: new Date(predictedAt),
      modelVersion: p.modelVersion,
      score: p.score,
      segments,
      label,
      labelStatus: status,
      observedAt: winner === null ? null : new Date(winner.ts.getTime()),
      labelDelayHours: winner === null ? null : (winner.ts.getTime() - predictedAt) / HOUR_MS,
    };
    evaluations.push(row);
    evaluationOf.set(k.id, row);
  }
  evaluations.sort(
    (a, b) => a.predictedAt.getTime() - b.predictedAt.getTime() || compareKeys(a.key, b.key),
  );

  const metrics: MetricRow[] = [];
  for (const granularity of config.granularities) {
    metrics.push(
      ...modelMetricRows(granularity, [...kept.values()], evaluationOf, config),
      ...dataQualityRows(granularity, predictionEvents, removedDuplicates, [...kept.values()], evaluationOf, orphans),
    );
  }
  metrics.sort(compareMetricRows);
  return { evaluations, metrics };
}

/** Section 2.2: the class of an outcome at `o` for a deduplicated prediction at `p` (epoch ms). */
export function classifyOutcome(p: number, o: number, within: number): OutcomeClass {
  if (o >= p && o <= p + within) return 'counting';
  if (o > p + within) return 'late';
  if (o >= p - within && o < p) return 'early';
  return 'orphan';
}

// ---------------------------------------------------------------------------------------------
// Sections 4-5: model metrics

function isEvaluated(e: EvaluationRow, config: ReferenceConfig): boolean {
  if (e.score === null) return false;
  if (e.labelStatus === 'observed') return true;
  return e.labelStatus === 'missing' && config.missing === 'negative';
}

function modelMetricRows(
  granularity: Granularity,
  keptPredictions: KeptPrediction[],
  evaluationOf: Map<string, EvaluationRow>,
  config: ReferenceConfig,
): MetricRow[] {
  // Top values per window and segment column, over all deduplicated predictions of the window.
  const keepByWindowAndColumn = new Map<string, Set<string>>();
  for (const { column, top } of config.segments) {
    const countsByWindow = new Map<string, Map<string, number>>();
    for (const k of keptPredictions) {
      const v = segmentValue(k.event, column);
      if (v === null) continue;
      const w = windowStartOf(k.event.ts, granularity).toISOString();
      let counts = countsByWindow.get(w);
      if (!counts) countsByWindow.set(w, (counts = new Map()));
      counts.set(v, (counts.get(v) ?? 0) + 1);
    }
    for (const [w, counts] of countsByWindow) {
      const ranked = [...counts.entries()].sort((a, b) => b[1] - a[1] || compareText(a[0], b[0]));
      keepByWindowAndColumn.set(
        JSON.stringify([w, column]),
        new Set(ranked.slice(0, Math.max(0, top)).map(([v]) => v)),
      );
    }
  }

  interface Group {
    windowStart: Date;
    modelVersion: string | null;
    segment: string | null;
    segmentValue: string | null;
    rows: BinaryRow[];
  }
  const groups = new Map<string, Group>();
  const add = (g: Omit<Group, 'rows'>, row: BinaryRow): void => {
    const id = JSON.stringify([g.windowStart.toISOString(), g.modelVersion, g.segment, g.segmentValue]);
    let group = groups.get(id);
    if (!group) groups.set(id, (group = { ...g, rows: [] }));
    group.rows.push(row);
  };

  for (const k of keptPredictions) {
    const e = evaluationOf.get(k.id)!;
    if (!isEvaluated(e, config)) continue;
    const row: BinaryRow = { score: e.score!, label: e.label === 1 ? 1 : 0 };
    const windowStart = windowStartOf(e.predictedAt, granularity);
    add({ windowStart, modelVersion: e.modelVersion, segment: null, segmentValue: null }, row);
    for (const { column } of config.segments) {
      const v = segmentValue(k.event, column);
      let folded: string | null = v;
      if (v !== null) {
        const keep = keepByWindowAndColumn.get(JSON.stringify([windowStart.toISOString(), column]));
        if (!keep || !keep.has(v)) folded = OTHER;
      }
      add({ windowStart, modelVersion: e.modelVersion, segment: column, segmentValue: folded }, row);
    }
  }

  const out: MetricRow[] = [];
  for (const g of groups.values()) {
    const values = binaryMetrics(g.rows, config.threshold);
    const sampleSize = g.rows.length;
    for (const [metric, value] of Object.entries(values)) {
      out.push({
        modelVersion: g.modelVersion,
        granularity,
        windowStart: g.windowStart.toISOString(),
        windowEnd: windowEndOf(g.windowStart, granularity).toISOString(),
        segment: g.segment,
        segmentValue: g.segmentValue,
        metric,
        qualifier: null,
        value,
        sampleSize,
      });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Section 6: data-quality rows

function dataQualityRows(
  granularity: Granularity,
  predictionEvents: PredictionEvent[],
  removedDuplicates: PredictionEvent[],
  keptPredictions: KeptPrediction[],
  evaluationOf: Map<string, EvaluationRow>,
  orphans: Orphan[],
): MetricRow[] {
  interface Counters {
    windowStart: Date;
    modelVersion: string | null;
    predictionEvents: number;
    duplicatesRemoved: number;
    observed: number;
    pending: number;
    missing: number;
    late: number;
    early: number;
    delays: number[];
  }
  const groups = new Map<string, Counters>();
  const groupOf = (ts: Date, modelVersion: string | null, create: boolean): Counters => {
    const windowStart = windowStartOf(ts, granularity);
    const id = JSON.stringify([windowStart.toISOString(), modelVersion]);
    let g = groups.get(id);
    if (!g) {
      if (!create) throw new Error(`internal: no prediction event in window ${id}`);
      g = {
        windowStart,
        modelVersion,
        predictionEvents: 0,
        duplicatesRemoved: 0,
        observed: 0,
        pending: 0,
        missing: 0,
        late: 0,
        early: 0,
        delays: [],
      };
      groups.set(id, g);
    }
    return g;
  };

  for (const p of predictionEvents) groupOf(p.ts, p.modelVersion, true).predictionEvents += 1;
  for (const p of removedDuplicates) groupOf(p.ts, p.modelVersion, false).duplicatesRemoved += 1;
  for (const k of keptPredictions) {
    const g = groupOf(k.event.ts, k.event.modelVersion, false);
    const e = evaluationOf.get(k.id)!;
    g[e.labelStatus] += 1;
    if (e.labelStatus === 'observed') g.delays.push(e.labelDelayHours!);
    g.late += k.outcomeLate;
    g.early += k.outcomeEarly;
  }

  const out: MetricRow[] = [];
  const row = (windowStart: Date, modelVersion: string | null, metric: string, value: number | null, sampleSize: number): MetricRow => ({
    modelVersion,
    granularity,
    windowStart: windowStart.toISOString(),
    windowEnd: windowEndOf(windowStart, granularity).toISOString(),
    segment: null,
    segmentValue: null,
    metric,
    qualifier: null,
    value,
    sampleSize,
  });
  for (const g of groups.values()) {
    const w = g.windowStart;
    const mv = g.modelVersion;
    const covered = g.observed + g.missing;
    out.push(
      row(w, mv, 'prediction_events', g.predictionEvents, g.predictionEvents),
      row(w, mv, 'duplicates_removed', g.duplicatesRemoved, g.duplicatesRemoved),
      row(w, mv, 'observed', g.observed, g.observed),
      row(w, mv, 'pending', g.pending, g.pending),
      row(w, mv, 'missing', g.missing, g.missing),
      row(w, mv, 'label_coverage', covered === 0 ? null : g.observed / covered, covered),
      row(w, mv, 'outcomes_late', g.late, g.late),
      row(w, mv, 'outcomes_early', g.early, g.early),
      row(w, mv, 'label_delay_p50', percentileCont(g.delays, 0.5), g.observed),
      row(w, mv, 'label_delay_p90', percentileCont(g.delays, 0.9), g.observed),
    );
  }

  // outcomes_orphan: by the window of the orphan's own timestamp, model_version NULL, for every
  // window that has an orphan or a prediction event.
  const orphanCounts = new Map<string, { windowStart: Date; n: number }>();
  const touch = (ts: Date): { windowStart: Date; n: number } => {
    const windowStart = windowStartOf(ts, granularity);
    const id = windowStart.toISOString();
    let c = orphanCounts.get(id);
    if (!c) orphanCounts.set(id, (c = { windowStart, n: 0 }));
    return c;
  };
  for (const p of predictionEvents) touch(p.ts);
  for (const o of orphans) touch(o.ts).n += 1;
  for (const c of orphanCounts.values()) out.push(row(c.windowStart, null, 'outcomes_orphan', c.n, c.n));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Deterministic order: granularity, windowStart, modelVersion, segment, segmentValue, metric,
// qualifier; NULLs first; text by code point.

export function compareMetricRows(a: MetricRow, b: MetricRow): number {
  return (
    compareText(a.granularity, b.granularity) ||
    compareText(a.windowStart, b.windowStart) ||
    ascNullsFirst(a.modelVersion, b.modelVersion, compareText) ||
    ascNullsFirst(a.segment, b.segment, compareText) ||
    ascNullsFirst(a.segmentValue, b.segmentValue, compareText) ||
    compareText(a.metric, b.metric) ||
    ascNullsFirst(a.qualifier, b.qualifier, compareText)
  );
}
