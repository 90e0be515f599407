// The notebook approach: let the warehouse dedupe and join, select every joined row to the client
// and compute the metrics there. Written the way a careful notebook would be (columnar typed
// arrays, one sort, cumulative sums), so that it is a fair contender and not a straw man.
//
// It computes the 19 binary-classification metrics of docs/semantics.md §5 per granularity, window,
// model version and slice (overall and both segments, with top-N folding), i.e. the same model
// metric rows hindsight writes (not the data-quality rows).
import type { DuckDBConnection } from '@duckdb/node-api';
import type pg from 'pg';
import { AS_OF_FULL, DAY_MS, SCHEMA, WITHIN_DAYS, type Warehouse } from './generate.js';

export const SEGMENTS = [
  { column: 'customer_type', top: 50 },
  { column: 'region', top: 20 },
] as const;
export const THRESHOLD = 0.5;
export const GRANULARITIES = ['day', 'week'] as const;

const ts = (d: Date) => `timestamp '${d.toISOString().replace('T', ' ').replace('.000Z', '')}'`;

/**
 * One row per kept (deduplicated) prediction with its label, NULL when it is not evaluated
 * (pending or missing with missing: drop). Same dedupe as the lower bound.
 */
export function extractSql(w: Warehouse, asOf = AS_OF_FULL): string {
  const a = ts(asOf);
  if (w === 'duckdb') {
    return `
with p as (
    select prediction_id, max(predicted_at) as predicted_at, arg_max(score, predicted_at) as score,
        arg_max(model_version, predicted_at) as model_version, arg_max(customer_type, predicted_at) as customer_type,
        arg_max(region, predicted_at) as region
    from ${SCHEMA}.predictions
    where predicted_at <= ${a} and prediction_id is not null
    group by prediction_id
),
labels as (
    select p.prediction_id, arg_max(o.label, epoch_ms(o.observed_at) * 2 + o.label) as label
    from p join ${SCHEMA}.outcomes as o
        on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + interval ${WITHIN_DAYS} day
    where o.observed_at <= ${a} and o.label is not null and o.prediction_id is not null
    group by p.prediction_id
)
select epoch_ms(p.predicted_at) as ms, p.model_version, p.customer_type, p.region, p.score, labels.label
from p left join labels on labels.prediction_id = p.prediction_id`;
  }
  return `
with p as (
    select distinct on (prediction_id) prediction_id, predicted_at, score, model_version, customer_type, region
    from ${SCHEMA}.predictions
    where predicted_at <= ${a} and prediction_id is not null
    order by prediction_id, predicted_at desc
),
labels as (
    select distinct on (o.prediction_id) o.prediction_id, o.label
    from p join ${SCHEMA}.outcomes as o
        on o.prediction_id = p.prediction_id
        and o.observed_at between p.predicted_at and p.predicted_at + interval '${WITHIN_DAYS} days'
    where o.observed_at <= ${a} and o.label is not null and o.prediction_id is not null
    order by o.prediction_id, o.observed_at desc, o.label desc
)
select cast(extract(epoch from p.predicted_at) * 1000 as bigint) as ms, p.model_version, p.customer_type, p.region, p.score, labels.label
from p left join labels on labels.prediction_id = p.prediction_id`;
}

/** Growable columns: typed arrays for numbers, dictionary codes for text. */
class Columns {
  n = 0;
  ms = new Float64Array(1 << 16);
  score = new Float64Array(1 << 16);
  label = new Int8Array(1 << 16); // -1 = NULL
  codes = [new Uint16Array(1 << 16), new Uint16Array(1 << 16), new Uint16Array(1 << 16)]; // version, customer_type, region
  dicts: Map<string | null, number>[] = [new Map(), new Map(), new Map()];

  private grow(): void {
    const size = this.ms.length * 2;
    const g = <T extends Float64Array | Int8Array | Uint16Array>(a: T, make: (n: number) => T): T => {
      const b = make(size);
      b.set(a);
      return b;
    };
    this.ms = g(this.ms, (n) => new Float64Array(n));
    this.score = g(this.score, (n) => new Float64Array(n));
    this.label = g(this.label, (n) => new Int8Array(n));
    this.codes = this.codes.map((c) => g(c, (n) => new Uint16Array(n)));
  }

  code(i: number, v: string | null): number {
    const d = this.dicts[i]!;
    let c = d.get(v);
    if (c === undefined) d.set(v, (c = d.size));
    return c;
  }

  push(ms: number, version: string | null, customerType: string | null, region: string | null, score: number, label: number | null): void {
    if (this.n === this.ms.length) this.grow();
    const i = this.n++;
    this.ms[i] = ms;
    this.score[i] = score;
    this.label[i] = label === null ? -1 : label;
    this.codes[0]![i] = this.code(0, version);
    this.codes[1]![i] = this.code(1, customerType);
    this.codes[2]![i] = this.code(2, region);
  }
}

export async function fetchDuckdb(connection: DuckDBConnection, sql: string): Promise<Columns> {
  const cols = new Columns();
  const result = await connection.stream(sql);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    const [ms, mv, ct, rg, score, label] = [0, 1, 2, 3, 4, 5].map((i) => chunk.getColumnValues(i));
    for (let j = 0; j < chunk.rowCount; j++) {
      cols.push(Number(ms![j]), mv![j] as string | null, ct![j] as string | null, rg![j] as string | null, score![j] as number, label![j] === null ? null : Number(label![j]));
    }
  }
  return cols;
}

export async function fetchPostgres(client: pg.Client, sql: string): Promise<Columns> {
  const cols = new Columns();
  await client.query('begin');
  await client.query(`declare extract_cursor no scroll cursor for ${sql}`);
  for (;;) {
    const r = await client.query({ text: 'fetch 50000 from extract_cursor', rowMode: 'array' });
    for (const row of r.rows as unknown[][]) {
      cols.push(Number(row[0]), row[1] as string | null, row[2] as string | null, row[3] as string | null, Number(row[4]), row[5] === null ? null : Number(row[5]));
    }
    if (r.rows.length < 50000) break;
  }
  await client.query('commit');
  return cols;
}

export interface ClientMetricRow {
  granularity: string;
  windowStart: string;
  modelVersion: string | null;
  segment: string | null;
  segmentValue: string | null;
  metric: string;
  value: number | null;
  sampleSize: number;
}

const CLIP = 1e-15;
const cmpText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0); // ASCII values here

/** The model metric rows, computed in the client from the extracted rows. */
export function computeMetrics(cols: Columns): ClientMetricRow[] {
  const n = cols.n;
  const names = cols.dicts.map((d) => {
    const out: (string | null)[] = [];
    for (const [k, v] of d) out[v] = k;
    return out;
  });
  // window index per granularity: days since epoch; ISO weeks (epoch day 0 is a Thursday)
  const day = new Int32Array(n);
  const week = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    day[i] = Math.floor(cols.ms[i]! / DAY_MS);
    week[i] = Math.floor((day[i]! + 3) / 7);
  }
  const windows = [day, week];
  const windowStartMs = [(w: number) => w * DAY_MS, (w: number) => (w * 7 - 3) * DAY_MS];

  // top-N per granularity, window and segment, over all kept predictions
  const folded: Int32Array[][] = []; // [g][s] -> code, or -1 for __other__, -2 for NULL
  for (let g = 0; g < 2; g++) {
    folded.push([]);
    SEGMENTS.forEach((s, si) => {
      const codes = cols.codes[si + 1]!;
      const counts = new Map<number, Map<number, number>>();
      for (let i = 0; i < n; i++) {
        if (names[si + 1]![codes[i]!] === null) continue;
        const w = windows[g]![i]!;
        let m = counts.get(w);
        if (!m) counts.set(w, (m = new Map()));
        m.set(codes[i]!, (m.get(codes[i]!) ?? 0) + 1);
      }
      const keep = new Map<number, Set<number>>();
      for (const [w, m] of counts) {
        const ranked = [...m.entries()].sort((a, b) => b[1] - a[1] || cmpText(names[si + 1]![a[0]]!, names[si + 1]![b[0]]!));
        keep.set(w, new Set(ranked.slice(0, s.top).map(([c]) => c)));
      }
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) {
        const c = codes[i]!;
        out[i] = names[si + 1]![c] === null ? -2 : keep.get(windows[g]![i]!)!.has(c) ? c : -1;
      }
      folded[g]!.push(out);
    });
  }

  // groups: (granularity, window, version, slice, value); 6 per evaluated row
  const SLOTS = GRANULARITIES.length * (1 + SEGMENTS.length);
  const groupIndex = new Map<string, number>();
  const groupKeys: [number, number, number, number, number][] = [];
  const evaluated: number[] = [];
  for (let i = 0; i < n; i++) if (cols.label[i] !== -1 && !Number.isNaN(cols.score[i]!)) evaluated.push(i);
  const m = evaluated.length;
  const rowGroups = new Int32Array(m * SLOTS);
  for (let e = 0; e < m; e++) {
    const i = evaluated[e]!;
    let slot = 0;
    for (let g = 0; g < 2; g++) {
      for (let s = 0; s <= SEGMENTS.length; s++) {
        const value = s === 0 ? -3 : folded[g]![s - 1]![i]!;
        const key = `${g}|${windows[g]![i]}|${cols.codes[0]![i]}|${s}|${value}`;
        let gi = groupIndex.get(key);
        if (gi === undefined) {
          groupIndex.set(key, (gi = groupKeys.length));
          groupKeys.push([g, windows[g]![i]!, cols.codes[0]![i]!, s, value]);
        }
        rowGroups[e * SLOTS + slot++] = gi;
      }
    }
  }
  const G = groupKeys.length;
  const count = new Float64Array(G), pos = new Float64Array(G), sumScore = new Float64Array(G);
  const tp = new Float64Array(G), fp = new Float64Array(G), logLoss = new Float64Array(G), brier = new Float64Array(G);
  const binLabels = new Float64Array(G * 10), binScores = new Float64Array(G * 10);
  for (let e = 0; e < m; e++) {
    const i = evaluated[e]!;
    const p = cols.score[i]!;
    const y = cols.label[i]!;
    const q = Math.min(Math.max(p, CLIP), 1 - CLIP);
    const ll = -(y * Math.log(q) + (1 - y) * Math.log(1 - q));
    const bin = Math.max(0, Math.min(Math.floor(10 * p), 9));
    for (let slot = 0; slot < SLOTS; slot++) {
      const gi = rowGroups[e * SLOTS + slot]!;
      count[gi]! += 1;
      pos[gi]! += y;
      sumScore[gi]! += p;
      if (p >= THRESHOLD) {
        if (y === 1) tp[gi]! += 1;
        else fp[gi]! += 1;
      }
      logLoss[gi]! += ll;
      brier[gi]! += (p - y) * (p - y);
      binLabels[gi * 10 + bin]! += y;
      binScores[gi * 10 + bin]! += p;
    }
  }

  // one sort of the evaluated rows by score, then an ascending pass over runs of equal scores
  const order = new Uint32Array(m);
  for (let e = 0; e < m; e++) order[e] = e;
  const scoreOf = new Float64Array(m);
  for (let e = 0; e < m; e++) scoreOf[e] = cols.score[evaluated[e]!]!;
  order.sort((a, b) => scoreOf[a]! - scoreOf[b]!);
  const posLt = new Float64Array(G), negLt = new Float64Array(G), runPos = new Float64Array(G), runNeg = new Float64Array(G);
  const runScore = new Float64Array(G).fill(Number.NaN);
  const auc2 = new Float64Array(G), ap = new Float64Array(G), ks = new Float64Array(G).fill(Number.NEGATIVE_INFINITY);
  const flush = (gi: number) => {
    const P = pos[gi]!, N = count[gi]! - pos[gi]!;
    const rp = runPos[gi]!, rn = runNeg[gi]!;
    if (rp + rn === 0) return;
    const posGe = P - posLt[gi]!, negGe = N - negLt[gi]!;
    ap[gi]! += (rp * posGe) / (posGe + negGe);
    if (P > 0 && N > 0) ks[gi] = Math.max(ks[gi]!, posGe / P - negGe / N);
    auc2[gi]! += rp * (2 * negLt[gi]! + rn);
    posLt[gi]! += rp;
    negLt[gi]! += rn;
    runPos[gi] = 0;
    runNeg[gi] = 0;
  };
  for (let k = 0; k < m; k++) {
    const e = order[k]!;
    const s = scoreOf[e]!;
    const y = cols.label[evaluated[e]!]!;
    for (let slot = 0; slot < SLOTS; slot++) {
      const gi = rowGroups[e * SLOTS + slot]!;
      if (runScore[gi] !== s) {
        flush(gi);
        runScore[gi] = s;
      }
      if (y === 1) runPos[gi]! += 1;
      else runNeg[gi]! += 1;
    }
  }
  for (let gi = 0; gi < G; gi++) flush(gi);

  const out: ClientMetricRow[] = [];
  const div = (a: number, b: number) => (b === 0 ? null : a / b);
  for (let gi = 0; gi < G; gi++) {
    const [g, w, v, s, value] = groupKeys[gi]!;
    const c = count[gi]!, P = pos[gi]!, N = c - P, TP = tp[gi]!, FP = fp[gi]!, TN = N - FP, FN = P - TP;
    let eceGap = 0;
    for (let b = 0; b < 10; b++) eceGap += Math.abs(binLabels[gi * 10 + b]! - binScores[gi * 10 + b]!);
    const mccDen = Math.sqrt((TP + FP) * (TP + FN) * (TN + FP) * (TN + FN));
    const values: [string, number | null][] = [
      ['count', c], ['positive_rate', P / c], ['mean_score', sumScore[gi]! / c], ['tp', TP], ['fp', FP], ['tn', TN], ['fn', FN],
      ['accuracy', (TP + TN) / c], ['precision', div(TP, TP + FP)], ['recall', div(TP, P)], ['specificity', div(TN, N)],
      ['f1', div(2 * TP, 2 * TP + FP + FN)], ['mcc', div(TP * TN - FP * FN, mccDen)], ['roc_auc', div(auc2[gi]!, 2 * P * N)],
      ['average_precision', div(ap[gi]!, P)], ['log_loss', logLoss[gi]! / c], ['brier_score', brier[gi]! / c], ['ece', eceGap / c],
      ['ks', P > 0 && N > 0 ? Math.max(ks[gi]!, 0) : null],
    ];
    const segment = s === 0 ? null : SEGMENTS[s - 1]!.column;
    const segmentValue = s === 0 || value === -2 ? null : value === -1 ? '__other__' : names[s]![value]!;
    for (const [metric, val] of values) {
      out.push({
        granularity: GRANULARITIES[g]!, windowStart: new Date(windowStartMs[g]!(w)).toISOString(), modelVersion: names[0]![v]!,
        segment, segmentValue, metric, value: val, sampleSize: c,
      });
    }
  }
  return out;
}

export const rowKey = (r: Pick<ClientMetricRow, 'granularity' | 'windowStart' | 'modelVersion' | 'segment' | 'segmentValue' | 'metric'>) =>
  [r.granularity, r.windowStart, r.modelVersion, r.segment, r.segmentValue, r.metric].join('|');

/** Compares client rows with hindsight's metric table (model metrics only). */
export function compareWithHindsight(client: ClientMetricRow[], hindsight: ClientMetricRow[]) {
  const mine = new Map(client.map((r) => [rowKey(r), r]));
  const theirs = new Map(hindsight.map((r) => [rowKey(r), r]));
  let maxRelDiff = 0;
  let worst = '';
  const missing = [...theirs.keys()].filter((k) => !mine.has(k));
  const extra = [...mine.keys()].filter((k) => !theirs.has(k));
  let sampleSizeDiffs = 0;
  for (const [k, a] of mine) {
    const b = theirs.get(k);
    if (!b) continue;
    if (a.sampleSize !== b.sampleSize) sampleSizeDiffs++;
    if (a.value === null || b.value === null) {
      if (a.value !== b.value) {
        maxRelDiff = Number.POSITIVE_INFINITY;
        worst = k;
      }
      continue;
    }
    const d = Math.abs(a.value - b.value) / Math.max(1, Math.abs(b.value));
    if (d > maxRelDiff) {
      maxRelDiff = d;
      worst = k;
    }
  }
  return { rows: client.length, hindsightRows: hindsight.length, missing: missing.length, extra: extra.length, sampleSizeDiffs, maxRelDiff, worst, examples: [...missing.slice(0, 3), ...extra.slice(0, 3)] };
}
