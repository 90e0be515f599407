/**
 * Independent reference for docs/semantics.md §5e (recommendations): from raw list rows and
 * interaction events to the metric rows (model metrics and data-quality rows).
 *
 * Written from the contract text only, the direct way: every request's list, relevant items and
 * metrics are computed one by one, personalization compares every pair of sampled requests. `where`
 * filtering is the caller's job. Incremental runs are not modelled (they are checked against a full
 * refresh). Shared pieces (windows, text order, row order, percentiles) come from pipeline.ts.
 */
import { createHash } from 'node:crypto';
import { compareMetricRows, compareText, emptyWindows, OTHER, topValues, windowEndOf, windowStartOf, type Granularity, type MetricRow } from './pipeline.js';
import { percentileCont } from './quantile.js';

type Value = string | number | null | undefined;

/** One logged row of a list: one recommended item. */
export interface ListRow {
  /** The request key. */
  key: Value[];
  ts: Date;
  /** The match columns (user or session). */
  match: Value[];
  item: Value;
  rank: number | null;
  score?: number | null;
  anchor?: Value;
  modelVersion: string | null;
  segments: Record<string, string | null>;
}

export interface Interaction {
  key: Value[];
  ts: Date;
  item: Value;
  relevance?: number | null;
}

export interface RecommendationReferenceConfig {
  withinMs: number;
  dedupe: 'latest' | 'earliest';
  granularities: Granularity[];
  segments: { column: string; top: number }[];
  asOf: Date;
  k: number[];
  /** Whether the optional columns are configured. */
  score: boolean;
  anchor: boolean;
  relevance: boolean;
  /** The configured catalog's item column, when there is one. */
  catalog?: Value[];
  /** Personalization's sample per group (the contract says 1,000). */
  sampleSize?: number;
}

export interface RequestEvaluation {
  keyText: string;
  key: string[];
  ts: Date;
  modelVersion: string | null;
  segments: Record<string, string | null>;
  /** Items in list order (position = index + 1). */
  items: string[];
  /** Relevant items with their gains. */
  relevant: Map<string, number>;
  status: 'observed' | 'pending' | 'missing';
  observedAt: Date | null;
  duplicateItems: number;
}

export interface RecommendationReferenceResult {
  requests: RequestEvaluation[];
  metrics: MetricRow[];
}

const isNull = (v: unknown): v is null | undefined => v === null || v === undefined;
const text = (v: Value): string => String(v);
/** Ascending as text byte by byte, NULLs last. */
function textNullsLast(a: Value, b: Value): number {
  if (isNull(a) && isNull(b)) return 0;
  if (isNull(a)) return 1;
  if (isNull(b)) return -1;
  return compareText(text(a), text(b));
}

const HOUR = 3_600_000;

export function referenceRecommendationPipeline(
  rows: ListRow[],
  interactions: Interaction[],
  config: RecommendationReferenceConfig,
): RecommendationReferenceResult {
  const asOf = config.asOf.getTime();
  const ks = [...new Set(config.k)].sort((a, b) => a - b);
  const sampleSize = config.sampleSize ?? 1000;

  // Requests 1: rows with ts <= as_of and no NULL key, match, item or rank.
  const kept = rows.filter(
    (r) => r.ts.getTime() <= asOf && !r.key.some(isNull) && !r.match.some(isNull) && !isNull(r.item) && r.rank !== null && r.rank !== undefined,
  );

  // Requests 2: copies (same request key, ts, version, match, anchor, segments); one kept per key.
  interface Copy {
    ts: Date;
    modelVersion: string | null;
    match: Value[];
    anchor: Value;
    segments: Record<string, string | null>;
    rows: ListRow[];
  }
  const byRequest = new Map<string, Map<string, Copy>>();
  for (const r of kept) {
    const requestId = JSON.stringify(r.key.map(text));
    const anchor = config.anchor ? r.anchor : null;
    const segs = config.segments.map((s) => r.segments[s.column] ?? null);
    const copyId = JSON.stringify([r.ts.getTime(), r.modelVersion, r.match.map(text), isNull(anchor) ? null : text(anchor), segs]);
    let copies = byRequest.get(requestId);
    if (!copies) byRequest.set(requestId, (copies = new Map()));
    let copy = copies.get(copyId);
    if (!copy) {
      const segments: Record<string, string | null> = {};
      for (const s of config.segments) segments[s.column] = r.segments[s.column] ?? null;
      copies.set(copyId, (copy = { ts: r.ts, modelVersion: r.modelVersion, match: r.match, anchor, segments, rows: [] }));
    }
    copy.rows.push(r);
  }
  const copyOrder = (a: Copy, b: Copy): number => {
    const dt = a.ts.getTime() - b.ts.getTime();
    if (dt !== 0) return config.dedupe === 'latest' ? -dt : dt;
    const c =
      textNullsLast(a.modelVersion, b.modelVersion) ||
      a.match.reduce<number>((acc, v, i) => acc || textNullsLast(v, b.match[i]), 0) ||
      textNullsLast(a.anchor, b.anchor);
    if (c !== 0) return c;
    for (const s of config.segments) {
      const d = textNullsLast(a.segments[s.column], b.segments[s.column]);
      if (d !== 0) return d;
    }
    return 0;
  };

  // Requests 3-4: the kept copy's list, each item once, in list order.
  const listOrder = (a: ListRow, b: ListRow): number => {
    if (a.rank! !== b.rank!) return a.rank! - b.rank!;
    if (config.score) {
      const sa = a.score ?? null;
      const sb = b.score ?? null;
      if (sa !== sb) {
        if (sa === null) return 1;
        if (sb === null) return -1;
        return sb - sa;
      }
    }
    return compareText(text(a.item), text(b.item));
  };

  interface Request extends RequestEvaluation {
    match: string[];
    anchor: string | null;
  }
  const requests: Request[] = [];
  const removedCopies: Copy[] = [];
  const allCopies: Copy[] = [];
  for (const copies of byRequest.values()) {
    const sorted = [...copies.values()].sort(copyOrder);
    allCopies.push(...sorted);
    removedCopies.push(...sorted.slice(1));
    const k = sorted[0]!;
    const listRows = [...k.rows].sort(listOrder);
    const items: string[] = [];
    for (const r of listRows) if (!items.includes(text(r.item))) items.push(text(r.item));
    requests.push({
      keyText: k.rows[0]!.key.map(text).join('|'),
      key: k.rows[0]!.key.map(text),
      ts: k.ts,
      modelVersion: k.modelVersion,
      segments: k.segments,
      items,
      relevant: new Map(),
      status: 'missing',
      observedAt: null,
      duplicateItems: listRows.length - items.length,
      match: k.match.map(text),
      anchor: isNull(k.anchor) ? null : text(k.anchor),
    });
  }

  // Interactions 1: kept events; relevance > 0 when configured, else 1.
  const events = interactions
    .filter((o) => o.ts.getTime() <= asOf && !o.key.some(isNull) && !isNull(o.item))
    .map((o) => ({ ...o, gain: config.relevance ? o.relevance ?? null : 1 }))
    .filter((o) => o.gain !== null && o.gain > 0);

  // Interactions 2-4: which requests each event counts for; the rest are orphans.
  const orphans: Date[] = [];
  const byMatch = new Map<string, Request[]>();
  for (const r of requests) {
    const id = JSON.stringify(r.match);
    if (!byMatch.has(id)) byMatch.set(id, []);
    byMatch.get(id)!.push(r);
  }
  for (const o of events) {
    const item = text(o.item);
    const t = o.ts.getTime();
    let counted = false;
    for (const r of byMatch.get(JSON.stringify(o.key.map(text))) ?? []) {
      if (t < r.ts.getTime() || t > r.ts.getTime() + config.withinMs) continue;
      if (r.anchor !== null && r.anchor === item) continue;
      counted = true;
      r.relevant.set(item, Math.max(r.relevant.get(item) ?? 0, o.gain!));
      if (r.observedAt === null || t < r.observedAt.getTime()) r.observedAt = o.ts;
    }
    if (!counted) orphans.push(o.ts);
  }

  // Label status.
  for (const r of requests) {
    if (asOf < r.ts.getTime() + config.withinMs) r.status = 'pending';
    else r.status = r.relevant.size > 0 ? 'observed' : 'missing';
  }

  const metrics: MetricRow[] = [];
  for (const g of config.granularities) {
    metrics.push(...modelMetrics(g, requests, events, config, ks, sampleSize), ...dataQuality(g, requests, allCopies, removedCopies, orphans, config.asOf));
  }
  metrics.sort(compareMetricRows);
  return { requests, metrics };
}

/** Per-request values of one k. */
function requestMetrics(r: RequestEvaluation, k: number) {
  const top = r.items.slice(0, k);
  const hits = top.filter((i) => r.relevant.has(i)).length;
  const R = r.relevant.size;
  let dcg = 0;
  top.forEach((item, i) => (dcg += (r.relevant.get(item) ?? 0) / Math.log2(i + 2)));
  const ideal = [...r.relevant.values()].sort((a, b) => b - a).slice(0, k);
  let idcg = 0;
  ideal.forEach((g, i) => (idcg += g / Math.log2(i + 2)));
  let apSum = 0;
  let seen = 0;
  top.forEach((item, i) => {
    if (r.relevant.has(item)) {
      seen += 1;
      apSum += seen / (i + 1);
    }
  });
  const first = r.items.findIndex((i) => r.relevant.has(i));
  return {
    top,
    hit: hits > 0 ? 1 : 0,
    precision: hits / k,
    recall: R > 0 ? hits / R : null,
    ndcg: R > 0 ? dcg / idcg : null,
    ap: R > 0 ? apSum / Math.min(k, R) : null,
    rr: R > 0 ? (first >= 0 && first < k ? 1 / (first + 1) : 0) : null,
  };
}

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');

function modelMetrics(
  g: Granularity,
  requests: RequestEvaluation[],
  events: { ts: Date; item: Value }[],
  config: RecommendationReferenceConfig,
  ks: number[],
  sampleSize: number,
): MetricRow[] {
  const w = (ts: Date) => windowStartOf(ts, g).toISOString();
  // top values per window and segment column, over all kept requests
  const keep = new Map<string, Set<string>>();
  for (const { column, top } of config.segments) {
    const counts = new Map<string, Map<string, number>>();
    for (const r of requests) {
      const v = r.segments[column];
      if (v === null || v === undefined) continue;
      const m = counts.get(w(r.ts)) ?? new Map<string, number>();
      counts.set(w(r.ts), m);
      m.set(v, (m.get(v) ?? 0) + 1);
    }
    for (const [win, m] of counts) keep.set(JSON.stringify([win, column]), topValues(m, top));
  }
  // the windows' catalogs and item popularity
  const windowCatalog = new Map<string, Set<string>>();
  const popularity = new Map<string, number>();
  const addCatalog = (win: string, item: string) => {
    const s = windowCatalog.get(win) ?? new Set<string>();
    windowCatalog.set(win, s);
    s.add(item);
  };
  for (const r of requests) for (const i of r.items) addCatalog(w(r.ts), i);
  for (const e of events) {
    addCatalog(w(e.ts), text(e.item));
    const id = JSON.stringify([w(e.ts), text(e.item)]);
    popularity.set(id, (popularity.get(id) ?? 0) + 1);
  }
  const configured = config.catalog ? new Set(config.catalog.filter((v) => !isNull(v)).map(text)) : undefined;

  const groups = new Map<string, { windowStart: string; modelVersion: string | null; segment: string | null; segmentValue: string | null; rows: RequestEvaluation[] }>();
  const add = (windowStart: string, modelVersion: string | null, segment: string | null, segmentValue: string | null, r: RequestEvaluation) => {
    const id = JSON.stringify([windowStart, modelVersion, segment, segmentValue]);
    let grp = groups.get(id);
    if (!grp) groups.set(id, (grp = { windowStart, modelVersion, segment, segmentValue, rows: [] }));
    grp.rows.push(r);
  };
  for (const r of requests) {
    if (r.status === 'pending') continue;
    const win = w(r.ts);
    add(win, r.modelVersion, null, null, r);
    for (const { column } of config.segments) {
      const v = r.segments[column] ?? null;
      add(win, r.modelVersion, column, v === null ? null : keep.get(JSON.stringify([win, column]))?.has(v) ? v : OTHER, r);
    }
  }

  const out: MetricRow[] = [];
  for (const grp of groups.values()) {
    const row = (metric: string, value: number | null, sampleSize: number): MetricRow => ({
      modelVersion: grp.modelVersion,
      granularity: g,
      windowStart: grp.windowStart,
      windowEnd: windowEndOf(new Date(grp.windowStart), g).toISOString(),
      segment: grp.segment,
      segmentValue: grp.segmentValue,
      metric,
      qualifier: null,
      value,
      sampleSize,
    });
    const n = grp.rows.length;
    const observed = grp.rows.filter((r) => r.status === 'observed');
    const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
    out.push(row('requests', n, n));
    const sample = [...grp.rows]
      .sort((a, b) => compareText(md5(a.keyText), md5(b.keyText)) || a.key.reduce<number>((acc, v, i) => acc || compareText(v, b.key[i]!), 0))
      .slice(0, sampleSize);
    for (const k of ks) {
      const all = grp.rows.map((r) => requestMetrics(r, k));
      const obs = observed.map((r) => requestMetrics(r, k));
      out.push(
        row(`hit_rate@${k}`, mean(all.map((x) => x.hit)), n),
        row(`precision@${k}`, mean(all.map((x) => x.precision)), n),
        row(`recall@${k}`, mean(obs.map((x) => x.recall!)), observed.length),
        row(`ndcg@${k}`, mean(obs.map((x) => x.ndcg!)), observed.length),
        row(`map@${k}`, mean(obs.map((x) => x.ap!)), observed.length),
        row(`mrr@${k}`, mean(obs.map((x) => x.rr!)), observed.length),
      );
      // coverage
      const catalog = configured ?? windowCatalog.get(grp.windowStart)!;
      const covered = new Set(all.flatMap((x) => x.top).filter((i) => catalog.has(i)));
      out.push(row(`coverage@${k}`, catalog.size === 0 ? null : covered.size / catalog.size, n));
      // popularity over every top-k slot
      const slots = all.flatMap((x) => x.top);
      const pops = slots.map((i) => popularity.get(JSON.stringify([grp.windowStart, i])) ?? 0);
      out.push(row(`popularity@${k}`, mean(pops), slots.length));
      // personalization over all pairs of the sample
      let jaccard = 0;
      let pairs = 0;
      const sets = sample.map((r) => new Set(r.items.slice(0, k)));
      for (let i = 0; i < sets.length; i++) {
        for (let j = i + 1; j < sets.length; j++) {
          const inter = [...sets[i]!].filter((x) => sets[j]!.has(x)).length;
          jaccard += inter / (sets[i]!.size + sets[j]!.size - inter);
          pairs += 1;
        }
      }
      out.push(row(`personalization@${k}`, pairs === 0 ? null : 1 - jaccard / pairs, sample.length));
    }
  }
  return out;
}

function dataQuality(
  g: Granularity,
  requests: RequestEvaluation[],
  copies: { ts: Date; modelVersion: string | null }[],
  removed: { ts: Date; modelVersion: string | null }[],
  orphans: Date[],
  asOf: Date,
): MetricRow[] {
  interface Counters {
    windowStart: string;
    modelVersion: string | null;
    copies: number;
    removed: number;
    duplicateItems: number;
    observed: number;
    pending: number;
    missing: number;
    delays: number[];
  }
  const groups = new Map<string, Counters>();
  const at = (ts: Date, modelVersion: string | null) => {
    const windowStart = windowStartOf(ts, g).toISOString();
    const id = JSON.stringify([windowStart, modelVersion]);
    let c = groups.get(id);
    if (!c) groups.set(id, (c = { windowStart, modelVersion, copies: 0, removed: 0, duplicateItems: 0, observed: 0, pending: 0, missing: 0, delays: [] }));
    return c;
  };
  for (const c of copies) at(c.ts, c.modelVersion).copies += 1;
  for (const c of removed) at(c.ts, c.modelVersion).removed += 1;
  for (const r of requests) {
    const c = at(r.ts, r.modelVersion);
    c.duplicateItems += r.duplicateItems;
    c[r.status] += 1;
    if (r.status === 'observed') c.delays.push((r.observedAt!.getTime() - r.ts.getTime()) / HOUR);
  }
  const out: MetricRow[] = [];
  const row = (windowStart: string, modelVersion: string | null, metric: string, value: number | null, sampleSize: number): MetricRow => ({
    modelVersion, granularity: g, windowStart, windowEnd: windowEndOf(new Date(windowStart), g).toISOString(),
    segment: null, segmentValue: null, metric, qualifier: null, value, sampleSize,
  });
  for (const c of groups.values()) {
    const covered = c.observed + c.missing;
    out.push(
      row(c.windowStart, c.modelVersion, 'prediction_events', c.copies, c.copies),
      row(c.windowStart, c.modelVersion, 'duplicates_removed', c.removed, c.removed),
      row(c.windowStart, c.modelVersion, 'duplicate_items', c.duplicateItems, c.duplicateItems),
      row(c.windowStart, c.modelVersion, 'observed', c.observed, c.observed),
      row(c.windowStart, c.modelVersion, 'pending', c.pending, c.pending),
      row(c.windowStart, c.modelVersion, 'missing', c.missing, c.missing),
      row(c.windowStart, c.modelVersion, 'label_coverage', covered === 0 ? null : c.observed / covered, covered),
      row(c.windowStart, c.modelVersion, 'label_delay_p50', percentileCont(c.delays, 0.5), c.observed),
      row(c.windowStart, c.modelVersion, 'label_delay_p90', percentileCont(c.delays, 0.9), c.observed),
    );
  }
  const orphanCounts = new Map<string, number>();
  for (const c of copies) {
    const win = windowStartOf(c.ts, g).toISOString();
    orphanCounts.set(win, orphanCounts.get(win) ?? 0);
  }
  for (const t of orphans) {
    const win = windowStartOf(t, g).toISOString();
    orphanCounts.set(win, (orphanCounts.get(win) ?? 0) + 1);
  }
  for (const w of emptyWindows(g, copies.map((c) => c.ts), asOf)) {
    out.push(row(w.toISOString(), null, 'prediction_events', 0, 0));
    orphanCounts.set(w.toISOString(), orphanCounts.get(w.toISOString()) ?? 0);
  }
  for (const [win, n] of orphanCounts) out.push(row(win, null, 'outcomes_orphan', n, n));
  return out;
}
