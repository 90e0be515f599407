/**
 * Tests of the independent reference itself (test/reference/*), against values computed by hand
 * (in the comments) or known from scikit-learn's documentation. Every rule of docs/semantics.md
 * sections 1-6 has a small fixture here.
 */
import { describe, expect, it } from 'vitest';
import { APPROXIMATE_RANKING_METRICS, BINARY_METRIC_NAMES, approximateRankingMetrics, binaryMetrics, scoreBin } from './binary-metrics.js';
import { percentileCont } from './quantile.js';
import {
  DATA_QUALITY_METRICS,
  compareMetricRows,
  referencePipeline,
  type EvaluationRow,
  type MetricRow,
  type OutcomeEvent,
  type PredictionEvent,
  type ReferenceConfig,
} from './pipeline.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

type Row = { score: number; label: 0 | 1 };
const rows = (scores: number[], labels: (0 | 1)[]): Row[] => scores.map((score, i) => ({ score, label: labels[i]! }));

// ------------------------------------------------------------------------------------------------
// binaryMetrics

describe('binaryMetrics', () => {
  it('returns exactly the contract metric names', () => {
    const m = binaryMetrics(rows([0.2, 0.7], [0, 1]), 0.5);
    expect(Object.keys(m).sort()).toEqual(
      [
        'count', 'positive_rate', 'mean_score', 'tp', 'fp', 'tn', 'fn', 'accuracy', 'precision', 'recall',
        'specificity', 'f1', 'mcc', 'roc_auc', 'average_precision', 'log_loss', 'brier_score', 'ece', 'ks',
      ].sort(),
    );
    expect([...BINARY_METRIC_NAMES].sort()).toEqual(Object.keys(m).sort());
  });

  it('throws on no rows', () => {
    expect(() => binaryMetrics([], 0.5)).toThrow();
  });

  it('scikit-learn doc example y=[0,0,1,1], s=[0.1,0.4,0.35,0.8]', () => {
    const m = binaryMetrics(rows([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1]), 0.5);
    // roc_auc_score = 0.75 (sklearn docs): pairs (pos,neg): .35>.1 yes, .35>.4 no, .8>.1, .8>.4 -> 3/4
    expect(m.roc_auc).toBeCloseTo(0.75, 12);
    // average_precision_score = 0.8333 (sklearn docs):
    // s=.8: P=1/1, R=1/2 -> .5; s=.4: P=1/2, R=1/2 -> 0; s=.35: P=2/3, R=1 -> .5*2/3; s=.1: R unchanged
    expect(m.average_precision).toBeCloseTo(0.5 + 1 / 3, 12);
    // threshold .5: only .8 predicted positive -> tp=1, fp=0, tn=2, fn=1
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([1, 0, 2, 1]);
    expect(m.count).toBe(4);
    expect(m.positive_rate).toBeCloseTo(0.5, 12);
    expect(m.mean_score).toBeCloseTo(1.65 / 4, 12);
    expect(m.accuracy).toBeCloseTo(0.75, 12);
    expect(m.precision).toBeCloseTo(1, 12);
    expect(m.recall).toBeCloseTo(0.5, 12);
    expect(m.specificity).toBeCloseTo(1, 12);
    expect(m.f1).toBeCloseTo(2 / 3, 12); // 2*1 / (2*1 + 0 + 1)
    expect(m.mcc).toBeCloseTo(2 / Math.sqrt(12), 12); // (1*2 - 0*1) / sqrt(1*2*2*3)
    // log_loss = -(ln .9 + ln .6 + ln .35 + ln .8) / 4 = 0.4722879...
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.9) + Math.log(0.6) + Math.log(0.35) + Math.log(0.8)) / 4, 12);
    expect(m.log_loss).toBeCloseTo(0.47228795, 7);
    // brier = (.01 + .16 + .4225 + .04) / 4 = .158125
    expect(m.brier_score).toBeCloseTo(0.158125, 12);
    // ece: bins 1 (.1, y0), 4 (.4, y0), 3 (.35, y1), 8 (.8, y1): (.1 + .4 + .65 + .2) / 4 = .3375
    expect(m.ece).toBeCloseTo(0.3375, 12);
    // ks: t=.8: .5-0; t=.4: .5-.5; t=.35: 1-.5; t=.1: 1-1; above all: 0 -> .5
    expect(m.ks).toBeCloseTo(0.5, 12);
  });

  it('matthews_corrcoef doc example gives -1/3', () => {
    // sklearn: matthews_corrcoef([+1,+1,+1,-1], [+1,-1,+1,+1]) = -0.333...
    // labels 1,1,1,0; predicted 1,0,1,1 -> tp=2, fn=1, fp=1, tn=0: (0 - 1) / sqrt(3*3*1*1)
    const m = binaryMetrics(rows([0.9, 0.1, 0.8, 0.7], [1, 1, 1, 0]), 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([2, 1, 0, 1]);
    expect(m.mcc).toBeCloseTo(-1 / 3, 12);
    expect(m.specificity).toBe(0); // 0 / (0 + 1): defined, 0
  });

  it('ties count one half in roc_auc and share a threshold in average_precision', () => {
    // scores .9(1) .7(1) .7(0) .3(0)
    const m = binaryMetrics(rows([0.9, 0.7, 0.7, 0.3], [1, 1, 0, 0]), 0.5);
    // pairs: .9>.7 1, .9>.3 1, .7=.7 1/2, .7>.3 1 -> 3.5/4
    expect(m.roc_auc).toBeCloseTo(0.875, 12);
    // s=.9: P=1, R=.5 -> .5; s=.7: P=2/3, R=1 -> + .5*2/3; s=.3: R unchanged
    expect(m.average_precision).toBeCloseTo(0.5 + 1 / 3, 12);
    // ks: t=.9: .5-0=.5; t=.7: 1-.5=.5; t=.3: 0 -> .5
    expect(m.ks).toBeCloseTo(0.5, 12);
  });

  it('all scores tied: roc_auc 1/2, average_precision = positive rate, ks 0', () => {
    const m = binaryMetrics(rows([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1]), 0.5);
    expect(m.roc_auc).toBeCloseTo(0.5, 12);
    expect(m.average_precision).toBeCloseTo(0.5, 12); // one threshold: P=.5, R=1
    expect(m.ks).toBe(0); // t=.5: 1-1; above all: 0-0
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([2, 2, 0, 0]); // .5 >= .5 is positive
  });

  it('perfect and inverted rankings', () => {
    const good = binaryMetrics(rows([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1]), 0.5);
    expect(good.roc_auc).toBe(1);
    expect(good.average_precision).toBeCloseTo(1, 12);
    expect(good.ks).toBeCloseTo(1, 12);
    expect(good.mcc).toBeCloseTo(1, 12);
    const bad = binaryMetrics(rows([0.1, 0.2, 0.8, 0.9], [1, 1, 0, 0]), 0.5);
    expect(bad.roc_auc).toBe(0);
    // ks is max(TPR - FPR), not its absolute value: every threshold gives <= 0, the one above all 0
    expect(bad.ks).toBe(0);
    // s=.9: P=0,R=0; .8: 0,0; .2: P=1/3, R=1/2 -> 1/6; .1: P=2/4, R=1 -> +1/4 => 5/12
    expect(bad.average_precision).toBeCloseTo(5 / 12, 12);
  });

  it('only negatives: roc_auc, ks, average_precision, recall and mcc are NULL; the rest defined', () => {
    // scores .2(0) .7(0), threshold .5: tp=0 fp=1 tn=1 fn=0
    const m = binaryMetrics(rows([0.2, 0.7], [0, 0]), 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([0, 1, 1, 0]);
    expect(m.roc_auc).toBeNull();
    expect(m.ks).toBeNull();
    expect(m.average_precision).toBeNull();
    expect(m.recall).toBeNull(); // tp + fn = 0
    expect(m.mcc).toBeNull(); // tp + fn = 0
    expect(m.precision).toBe(0); // 0 / 1
    expect(m.f1).toBe(0); // 0 / (0 + 1 + 0)
    expect(m.specificity).toBeCloseTo(0.5, 12);
    expect(m.positive_rate).toBe(0);
    expect(m.log_loss).toBeCloseTo(-(Math.log(0.8) + Math.log(0.3)) / 2, 12);
    expect(m.brier_score).toBeCloseTo((0.04 + 0.49) / 2, 12);
    expect(m.ece).toBeCloseTo((0.2 + 0.7) / 2, 12); // bins 2 and 7
  });

  it('only positives: average_precision defined, roc_auc/ks/specificity NULL', () => {
    // s=.6: P=1, R=.5; s=.3: P=1, R=1 -> .5 + .5 = 1
    const m = binaryMetrics(rows([0.3, 0.6], [1, 1]), 0.5);
    expect(m.average_precision).toBeCloseTo(1, 12);
    expect(m.roc_auc).toBeNull();
    expect(m.ks).toBeNull();
    expect(m.specificity).toBeNull(); // tn + fp = 0
    expect(m.mcc).toBeNull();
    expect(m.recall).toBeCloseTo(0.5, 12); // tp=1 (.6), fn=1 (.3)
    expect(m.positive_rate).toBe(1);
  });

  it('nothing predicted positive and no positives: precision, recall, f1, mcc NULL', () => {
    const m = binaryMetrics(rows([0.1, 0.2], [0, 0]), 0.5);
    expect([m.tp, m.fp, m.tn, m.fn]).toEqual([0, 0, 2, 0]);
    expect(m.precision).toBeNull();
    expect(m.recall).toBeNull();
    expect(m.f1).toBeNull(); // 2tp + fp + fn = 0
    expect(m.mcc).toBeNull();
    expect(m.specificity).toBe(1);
    expect(m.accuracy).toBe(1);
  });

  it('a single row', () => {
    const m = binaryMetrics(rows([0.25], [1]), 0.5);
    expect([m.count, m.tp, m.fp, m.tn, m.fn]).toEqual([1, 0, 0, 0, 1]);
    expect(m.precision).toBeNull();
    expect(m.recall).toBe(0);
    expect(m.f1).toBe(0); // 0 / (0 + 0 + 1)
    expect(m.average_precision).toBeCloseTo(1, 12); // one threshold: P=1, R=1
    expect(m.roc_auc).toBeNull();
    expect(m.brier_score).toBeCloseTo(0.5625, 12);
    expect(m.ece).toBeCloseTo(0.75, 12);
  });

  it('threshold edges: score equal to the threshold is positive', () => {
    const at = binaryMetrics(rows([0.5, 0.49999], [1, 0]), 0.5);
    expect([at.tp, at.fp, at.tn, at.fn]).toEqual([1, 0, 1, 0]);
    const above = binaryMetrics(rows([0.5, 0.49999], [1, 0]), 0.5000001);
    expect([above.tp, above.fp, above.tn, above.fn]).toEqual([0, 0, 1, 1]);
    const zero = binaryMetrics(rows([0, 0.3], [0, 1]), 0);
    expect([zero.tp, zero.fp, zero.tn, zero.fn]).toEqual([1, 1, 0, 0]);
    // threshold changes only the confusion metrics
    expect(above.roc_auc).toBe(at.roc_auc);
    expect(above.log_loss).toBe(at.log_loss);
  });

  it('ece sums per bin before the absolute value, bin 10 folds into 9', () => {
    // .5(1) and .5(0) share bin 5: |1 - 1.0| = 0 (not |1-.5| + |0-.5| = 1);
    // .95 and 1.0 go to bin 9 (floor(10) = 10 -> 9): |2 - 1.95| = .05 -> .05 / 4
    const m = binaryMetrics(rows([0.5, 0.5, 0.95, 1.0], [1, 0, 1, 1]), 0.5);
    expect(m.ece).toBeCloseTo(0.0125, 12);
    // bin edges: .0 -> bin 0, .1 -> bin 1 (10 * .1 = 1), .3 -> bin 3, .7 -> bin 7:
    // each alone in its bin with label 0 -> (0 + .1 + .3 + .7) / 4
    const e = binaryMetrics(rows([0, 0.1, 0.3, 0.7], [0, 0, 0, 0]), 0.5);
    expect(e.ece).toBeCloseTo(1.1 / 4, 12);
    // .05(1) and .15(0): different bins (0 and 1): |1 - .05| + |0 - .15| = 1.1 over 2
    const d = binaryMetrics(rows([0.05, 0.15], [1, 0]), 0.5);
    expect(d.ece).toBeCloseTo(0.55, 12);
  });

  it('ece clamps scores outside [0, 1] into bins 0 and 9; brier uses the raw score', () => {
    // -.1 -> floor(-1) = -1 -> bin 0 together with .05: labels 1, scores -.05 -> 1.05
    // 1.2 -> bin 9: |1 - 1.2| = .2 -> (1.05 + .2) / 3
    const m = binaryMetrics(rows([-0.1, 0.05, 1.2], [0, 1, 1]), 0.5);
    expect(m.ece).toBeCloseTo(1.25 / 3, 12);
    expect(m.brier_score).toBeCloseTo((0.01 + 0.9025 + 0.04) / 3, 12);
  });

  it('log_loss clips probabilities to [1e-15, 1 - 1e-15]', () => {
    // -ln(1e-15) = 34.538776394910684
    const m = binaryMetrics(rows([0], [1]), 0.5);
    expect(m.log_loss).toBeCloseTo(34.538776394910684, 9);
    const n = binaryMetrics(rows([1], [0]), 0.5);
    expect(n.log_loss).toBeCloseTo(34.538776394910684, 1); // -ln(1 - (1 - 1e-15)) ~ 34.54 (float rounding)
    expect(Number.isFinite(n.log_loss)).toBe(true);
    const p = binaryMetrics(rows([1, 0], [1, 0]), 0.5);
    expect(p.log_loss).toBeGreaterThan(0);
    expect(p.log_loss).toBeLessThan(1e-14);
    const o = binaryMetrics(rows([1.5, -2], [1, 0]), 0.5); // clipped like 1 and 0
    expect(o.log_loss).toBeCloseTo(p.log_loss!, 20);
  });

  it('rejects labels other than 0/1 and non-finite scores', () => {
    expect(() => binaryMetrics([{ score: 0.5, label: 2 as unknown as 0 }], 0.5)).toThrow();
    expect(() => binaryMetrics([{ score: Number.NaN, label: 1 }], 0.5)).toThrow();
  });

  it('randomized: rank roc_auc equals the pairwise definition; ks and ap are within bounds', () => {
    let seed = 12345;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    for (let trial = 0; trial < 60; trial += 1) {
      const n = 2 + Math.floor(rand() * 40);
      const rs: Row[] = [];
      for (let i = 0; i < n; i += 1) {
        // coarse scores so there are many ties
        rs.push({ score: Math.floor(rand() * 8) / 8, label: rand() < 0.4 ? 1 : 0 });
      }
      const m = binaryMetrics(rs, 0.5);
      const pos = rs.filter((r) => r.label === 1);
      const neg = rs.filter((r) => r.label === 0);
      if (pos.length === 0 || neg.length === 0) {
        expect(m.roc_auc).toBeNull();
        expect(m.ks).toBeNull();
        continue;
      }
      let wins = 0;
      for (const p of pos) for (const q of neg) wins += p.score > q.score ? 1 : p.score === q.score ? 0.5 : 0;
      expect(m.roc_auc).toBeCloseTo(wins / (pos.length * neg.length), 12);
      expect(m.ks!).toBeGreaterThanOrEqual(0);
      expect(m.ks!).toBeLessThanOrEqual(1);
      expect(m.average_precision!).toBeGreaterThan(0);
      expect(m.average_precision!).toBeLessThanOrEqual(1 + 1e-12);
      expect(m.tp! + m.fp! + m.tn! + m.fn!).toBe(n);
    }
  });
});

describe('approximateRankingMetrics (approximate_ranking)', () => {
  it('score bins nest in the calibration bins and clamp outside [0, 1]', () => {
    expect([0, 0.049, 0.05, 0.15, 0.5, 0.999, 1, 1.7, -0.2].map((s) => scoreBin(s, 20))).toEqual([0, 0, 1, 3, 10, 19, 19, 19, 0]);
    expect(scoreBin(0.12345, 1000)).toBe(123);
    expect(scoreBin(0.3, 10)).toBe(3);
  });

  it('by hand: two bins, ties inside them', () => {
    // bins of 10: scores 0.91, 0.95 (bin 9: p = 1, q = 1) and 0.12, 0.15, 0.18 (bin 1: p = 1, q = 2)
    const r = approximateRankingMetrics(rows([0.95, 0.91, 0.18, 0.15, 0.12], [0, 1, 1, 0, 0]), 10);
    // P = 2, N = 3. AUC with bins as tied scores: bin 9's positive beats 2 negatives, ties 1;
    // bin 1's positive ties 2: (2 + 0.5 + 1) / 6
    expect(r.roc_auc).toBeCloseTo(3.5 / 6, 15);
    // bound: (1 * 1 + 1 * 2) / (2 * 6)
    expect(r.roc_auc_error_bound).toBeCloseTo(3 / 12, 15);
    // AP: recall 1/2 at precision 1/2 (bin 9), then 1/2 more at precision 2/5
    expect(r.average_precision).toBeCloseTo(0.5 * 0.5 + 0.5 * 0.4, 15);
    // U = 1/2 * 1/1 + 1/2 * (1 + 1) / (2 + 1) = 0.8333; L = 1/2 * 1/2 + 1/2 * 2/5 = 0.45
    expect(r.average_precision_error_bound).toBeCloseTo(Math.max(0.5 + 1 / 3 - 0.45, 0.45 - 0.45), 15);
    // KS at bin edges: after bin 9: 1/2 - 1/3 = 1/6; after bin 1: 1 - 1 = 0. Inside a bin at most
    // q / N more: bin 9 1/6 + 1/3, bin 1 0 + 2/3. The exact KS is that 2/3 (at 0.18), value + bound.
    expect(r.ks).toBeCloseTo(1 / 6, 15);
    expect(r.ks_error_bound).toBeCloseTo(2 / 3 - 1 / 6, 15);
    expect(binaryMetrics(rows([0.95, 0.91, 0.18, 0.15, 0.12], [0, 1, 1, 0, 0]), 0.5).ks).toBeCloseTo(2 / 3, 15);
  });

  it('one bin per distinct score: the values are exact', () => {
    const rs = rows([0.05, 0.15, 0.15, 0.35, 0.55, 0.85], [0, 0, 1, 0, 1, 1]);
    const exact = binaryMetrics(rs, 0.5);
    const approximate = approximateRankingMetrics(rs, 10);
    for (const m of ['roc_auc', 'average_precision', 'ks'] as const) expect(approximate[m]).toBeCloseTo(exact[m]!, 15);
  });

  it('one class only: the values and bounds are NULL where the exact ones are', () => {
    const negatives = approximateRankingMetrics(rows([0.1, 0.5], [0, 0]), 10);
    expect(APPROXIMATE_RANKING_METRICS.map((m) => negatives[m])).toEqual([null, null, null, null, null, null]);
    const positives = approximateRankingMetrics(rows([0.1, 0.5], [1, 1]), 10);
    expect(positives.roc_auc).toBeNull();
    expect(positives.ks).toBeNull();
    expect(positives.average_precision).toBe(1);
    expect(positives.average_precision_error_bound).toBe(0);
  });

  it('randomized: the exact value is always within value ± bound, and the bound shrinks with finer bins', () => {
    let seed = 777;
    const rand = (): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const widths: Record<number, number[]> = { 10: [], 100: [], 1000: [] };
    for (let trial = 0; trial < 300; trial += 1) {
      const n = 1 + Math.floor(rand() * 300);
      // continuous scores, coarse ones (ties across and inside bins), or a few outside [0, 1]
      const kind = trial % 3;
      const rs: Row[] = [];
      for (let i = 0; i < n; i += 1) {
        const s = kind === 0 ? rand() : kind === 1 ? Math.floor(rand() * 37) / 36 : rand() * 1.4 - 0.2;
        rs.push({ score: s, label: rand() < 0.2 + 0.6 * Math.min(Math.max(s, 0), 1) ? 1 : 0 });
      }
      const exact = binaryMetrics(rs, 0.5);
      for (const bins of [10, 100, 1000]) {
        const a = approximateRankingMetrics(rs, bins);
        for (const m of ['roc_auc', 'average_precision', 'ks'] as const) {
          const bound = a[`${m}_error_bound`];
          if (exact[m] === null) {
            expect(a[m]).toBeNull();
            expect(bound).toBeNull();
            continue;
          }
          expect(bound!).toBeGreaterThanOrEqual(-1e-15);
          expect(Math.abs(exact[m]! - a[m]!), `${m}, ${bins} bins, trial ${trial}`).toBeLessThanOrEqual(bound! + 1e-12);
        }
        if (kind === 0 && a.roc_auc_error_bound !== null) widths[bins]!.push(a.roc_auc_error_bound);
      }
    }
    const mean = (xs: number[]) => xs.reduce((x, y) => x + y, 0) / xs.length;
    expect(mean(widths[100]!)).toBeLessThan(mean(widths[10]!) / 3);
    expect(mean(widths[1000]!)).toBeLessThan(mean(widths[100]!) / 3);
  });

  it('the bounds are reached: the worst order inside a bin is as far from the value as the bound says', () => {
    // one bin, p positives below q negatives (all distinct scores): exact AUC 0, binned 1/2, bound 1/2
    const rs = rows([0.11, 0.12, 0.13, 0.14], [1, 1, 0, 0]);
    const a = approximateRankingMetrics(rs, 10);
    expect(binaryMetrics(rs, 0.5).roc_auc).toBe(0);
    expect(a.roc_auc).toBe(0.5);
    expect(a.roc_auc_error_bound).toBe(0.5);
  });
});

// ------------------------------------------------------------------------------------------------
// percentileCont

describe('percentileCont', () => {
  it('linear interpolation between closest ranks (numpy default)', () => {
    expect(percentileCont([1, 2, 3, 4], 0.5)).toBeCloseTo(2.5, 12);
    expect(percentileCont([1, 2, 3, 4], 0.9)).toBeCloseTo(3.7, 12); // h = 2.7 -> 3 + .7 * 1
    expect(percentileCont([1, 2, 3, 4], 0)).toBe(1);
    expect(percentileCont([1, 2, 3, 4], 1)).toBe(4);
    expect(percentileCont([0, 10], 0.9)).toBeCloseTo(9, 12);
    expect(percentileCont([1, 2, 3, 10], 0.9)).toBeCloseTo(7.9, 12); // h = 2.7 -> 3 + .7 * 7
  });
  it('sorts its input and handles one value', () => {
    expect(percentileCont([10, 1, 5], 0.5)).toBe(5);
    expect(percentileCont([3, 1, 2], 0.25)).toBeCloseTo(1.5, 12); // h = .5
    expect(percentileCont([7], 0.9)).toBe(7);
    expect(percentileCont([2, 2, 2], 0.3)).toBe(2);
  });
  it('no values -> null; q outside [0, 1] throws', () => {
    expect(percentileCont([], 0.5)).toBeNull();
    expect(() => percentileCont([1], 1.5)).toThrow();
    expect(() => percentileCont([1], -0.1)).toThrow();
  });
});

// ------------------------------------------------------------------------------------------------
// pipeline fixtures

const d = (iso: string): Date => new Date(iso);

function pred(
  key: (string | number)[] | string,
  ts: string | Date,
  score: number | null,
  modelVersion: string | null = null,
  segments: Record<string, string | null> = {},
): PredictionEvent {
  return { key: typeof key === 'string' ? [key] : key, ts: typeof ts === 'string' ? d(ts) : ts, score, modelVersion, segments };
}

function out(key: (string | number)[] | string, ts: string | Date, label: number | boolean | null): OutcomeEvent {
  return { key: typeof key === 'string' ? [key] : key, ts: typeof ts === 'string' ? d(ts) : ts, label };
}

function cfg(over: Partial<ReferenceConfig> = {}): ReferenceConfig {
  return {
    withinMs: DAY,
    missing: 'drop',
    predictionDedupe: 'latest',
    outcomeDedupe: 'latest',
    threshold: 0.5,
    granularities: ['day'],
    segments: [],
    asOf: d('2030-01-01T00:00:00.000Z'),
    ...over,
  };
}

interface Q {
  granularity?: string;
  windowStart: string;
  modelVersion?: string | null;
  segment?: string | null;
  segmentValue?: string | null;
  metric: string;
}

function matches(r: MetricRow, q: Q): boolean {
  return (
    r.granularity === (q.granularity ?? 'day') &&
    r.windowStart === q.windowStart &&
    r.modelVersion === (q.modelVersion ?? null) &&
    r.segment === (q.segment ?? null) &&
    r.segmentValue === (q.segmentValue ?? null) &&
    r.metric === q.metric
  );
}

/** The one metric row matching q (fails the test when there is none or more than one). */
function pick(metrics: MetricRow[], q: Q): MetricRow {
  const found = metrics.filter((r) => matches(r, q));
  expect(found, `rows matching ${JSON.stringify(q)}`).toHaveLength(1);
  return found[0]!;
}

const val = (metrics: MetricRow[], q: Q): number | null => pick(metrics, q).value;
const has = (metrics: MetricRow[], q: Q): boolean => metrics.some((r) => matches(r, q));

function ev(evaluations: EvaluationRow[], key: string): EvaluationRow {
  const found = evaluations.filter((e) => e.key.map(String).join('|') === key);
  expect(found, `evaluation ${key}`).toHaveLength(1);
  return found[0]!;
}

const D10 = '2024-03-10T00:00:00.000Z';

describe('referencePipeline: outcome classification (section 2)', () => {
  // T = 2024-03-10T12:00Z, within = 24h
  const T = '2024-03-10T12:00:00.000Z';
  const predictions = ['k1', 'k2', 'k3', 'k4', 'k5'].map((k) => pred(k, T, 0.9));
  const outcomes = [
    out('k1', '2024-03-11T12:00:00.000Z', 1), // T + within exactly: counting (inclusive)
    out('k2', '2024-03-11T12:00:00.001Z', 1), // T + within + 1ms: late
    out('k3', T, 0), // T exactly: counting, delay 0
    out('k4', '2024-03-09T12:00:00.000Z', 1), // T - within exactly: early (inclusive)
    out('k4', '2024-03-10T11:59:59.999Z', 1), // T - 1ms: early
    out('k5', '2024-03-09T11:59:59.999Z', 1), // T - within - 1ms: orphan, window 03-09
    out('k6', '2024-03-10T08:00:00.000Z', 1), // no prediction has the key: orphan, window 03-10
  ];
  const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ granularities: ['day', 'month'] }));

  it('window edges are inclusive; late/early do not count', () => {
    expect(ev(evaluations, 'k1')).toMatchObject({ labelStatus: 'observed', label: 1, labelDelayHours: 24 });
    expect(ev(evaluations, 'k1').observedAt?.toISOString()).toBe('2024-03-11T12:00:00.000Z');
    expect(ev(evaluations, 'k2')).toMatchObject({ labelStatus: 'missing', label: null, observedAt: null, labelDelayHours: null });
    expect(ev(evaluations, 'k3')).toMatchObject({ labelStatus: 'observed', label: 0, labelDelayHours: 0 });
    expect(ev(evaluations, 'k4')).toMatchObject({ labelStatus: 'missing', label: null });
    expect(ev(evaluations, 'k5')).toMatchObject({ labelStatus: 'missing', label: null });
    expect(evaluations).toHaveLength(5);
  });

  it('late/early counted in the prediction window; orphans in their own window', () => {
    expect(val(metrics, { windowStart: D10, metric: 'outcomes_late' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'outcomes_early' })).toBe(2);
    expect(val(metrics, { windowStart: D10, metric: 'outcomes_orphan' })).toBe(1); // k6
    expect(val(metrics, { windowStart: '2024-03-09T00:00:00.000Z', metric: 'outcomes_orphan' })).toBe(1); // k5
    // 03-09 has an orphan but no prediction event: only the outcomes_orphan row
    expect(metrics.filter((r) => r.windowStart === '2024-03-09T00:00:00.000Z')).toHaveLength(1);
    // the late outcome's own day (03-11) has no prediction event: after the first one's day and before
    // the as-of, it has a prediction_events row of 0 and an outcomes_orphan row of 0, model version NULL
    expect(metrics.filter((r) => r.windowStart === '2024-03-11T00:00:00.000Z').map((r) => [r.modelVersion, r.metric, r.value])).toEqual([
      [null, 'outcomes_orphan', 0],
      [null, 'prediction_events', 0],
    ]);
    // month: both orphans in March
    expect(val(metrics, { granularity: 'month', windowStart: '2024-03-01T00:00:00.000Z', metric: 'outcomes_orphan' })).toBe(2);
    expect(pick(metrics, { granularity: 'month', windowStart: '2024-03-01T00:00:00.000Z', metric: 'outcomes_orphan' }).windowEnd).toBe(
      '2024-04-01T00:00:00.000Z',
    );
  });

  it('status counts, coverage and delays', () => {
    expect(val(metrics, { windowStart: D10, metric: 'prediction_events' })).toBe(5);
    expect(val(metrics, { windowStart: D10, metric: 'duplicates_removed' })).toBe(0);
    expect(val(metrics, { windowStart: D10, metric: 'observed' })).toBe(2);
    expect(val(metrics, { windowStart: D10, metric: 'pending' })).toBe(0);
    expect(val(metrics, { windowStart: D10, metric: 'missing' })).toBe(3);
    const cov = pick(metrics, { windowStart: D10, metric: 'label_coverage' });
    expect(cov.value).toBeCloseTo(0.4, 12); // 2 / (2 + 3)
    expect(cov.sampleSize).toBe(5);
    // delays [24, 0]: p50 = 12, p90 = 0 + .9 * 24 = 21.6
    expect(val(metrics, { windowStart: D10, metric: 'label_delay_p50' })).toBeCloseTo(12, 12);
    expect(val(metrics, { windowStart: D10, metric: 'label_delay_p90' })).toBeCloseTo(21.6, 12);
    expect(pick(metrics, { windowStart: D10, metric: 'label_delay_p90' }).sampleSize).toBe(2);
  });

  it('model metrics over the observed ones (missing: drop)', () => {
    // k1 (.9, 1), k3 (.9, 0): tp 1, fp 1
    expect(val(metrics, { windowStart: D10, metric: 'count' })).toBe(2);
    expect(val(metrics, { windowStart: D10, metric: 'tp' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'fp' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'roc_auc' })).toBeCloseTo(0.5, 12); // tie
    expect(pick(metrics, { windowStart: D10, metric: 'roc_auc' }).sampleSize).toBe(2);
  });
});

describe('referencePipeline: outcomes are judged against the kept prediction of their key', () => {
  // key a: predictions 03-01T00 (.2) and 03-03T00 (.9); outcome 03-01T01 label 1
  const predictions = [pred('a', '2024-03-01T00:00:00.000Z', 0.2), pred('a', '2024-03-03T00:00:00.000Z', 0.9)];
  const outcomes = [out('a', '2024-03-01T01:00:00.000Z', 1)];
  const W1 = '2024-03-01T00:00:00.000Z';
  const W3 = '2024-03-03T00:00:00.000Z';

  it('dedupe latest: the outcome is 47h before the kept prediction -> orphan', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ predictionDedupe: 'latest' }));
    expect(evaluations).toHaveLength(1);
    expect(ev(evaluations, 'a')).toMatchObject({ score: 0.9, labelStatus: 'missing' });
    expect(ev(evaluations, 'a').predictedAt.toISOString()).toBe(W3);
    expect(val(metrics, { windowStart: W1, metric: 'outcomes_orphan' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'duplicates_removed' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'prediction_events' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'missing' })).toBe(0);
    expect(val(metrics, { windowStart: W3, metric: 'duplicates_removed' })).toBe(0);
    expect(val(metrics, { windowStart: W3, metric: 'missing' })).toBe(1);
    expect(val(metrics, { windowStart: W3, metric: 'outcomes_orphan' })).toBe(0);
    expect(has(metrics, { windowStart: W3, metric: 'count' })).toBe(false); // drop: nothing evaluated
  });

  it('dedupe earliest: the same outcome is counting', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ predictionDedupe: 'earliest' }));
    expect(ev(evaluations, 'a')).toMatchObject({ score: 0.2, labelStatus: 'observed', label: 1, labelDelayHours: 1 });
    expect(val(metrics, { windowStart: W1, metric: 'outcomes_orphan' })).toBe(0);
    expect(val(metrics, { windowStart: W1, metric: 'duplicates_removed' })).toBe(0);
    expect(val(metrics, { windowStart: W3, metric: 'duplicates_removed' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'observed' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'count' })).toBe(1);
    expect(val(metrics, { windowStart: W1, metric: 'fn' })).toBe(1); // .2 < .5, label 1
  });
});

describe('referencePipeline: outcome dedupe (corrections)', () => {
  const T = '2024-03-10T00:00:00.000Z';
  const at = (h: number): Date => new Date(d(T).getTime() + h * HOUR);
  const predictions = ['c', 't', 'u', 'l'].map((k) => pred(k, T, 0.9));
  const outcomes = [
    out('c', at(1), 1),
    out('c', at(2), 0), // correction
    out('t', at(5), 0), // same timestamp, both orders: the higher label wins
    out('t', at(5), 1),
    out('u', at(5), 1),
    out('u', at(5), 0),
    out('l', at(1), 1),
    out('l', at(30), 0), // late: never replaces the counting one
  ];

  it('latest: later corrections replace earlier ones', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ outcomeDedupe: 'latest' }));
    expect(ev(evaluations, 'c')).toMatchObject({ label: 0, labelDelayHours: 2 });
    expect(ev(evaluations, 't')).toMatchObject({ label: 1, labelDelayHours: 5 });
    expect(ev(evaluations, 'u')).toMatchObject({ label: 1, labelDelayHours: 5 });
    expect(ev(evaluations, 'l')).toMatchObject({ label: 1, labelDelayHours: 1 });
    expect(val(metrics, { windowStart: D10, metric: 'outcomes_late' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'positive_rate' })).toBeCloseTo(0.75, 12); // c=0, t=u=l=1
  });

  it('earliest: the first counting outcome wins', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ outcomeDedupe: 'earliest' }));
    expect(ev(evaluations, 'c')).toMatchObject({ label: 1, labelDelayHours: 1 });
    expect(ev(evaluations, 'c').observedAt?.toISOString()).toBe('2024-03-10T01:00:00.000Z');
    expect(ev(evaluations, 't')).toMatchObject({ label: 1 });
    expect(ev(evaluations, 'u')).toMatchObject({ label: 1 });
    expect(ev(evaluations, 'l')).toMatchObject({ label: 1, labelDelayHours: 1 });
    expect(val(metrics, { windowStart: D10, metric: 'positive_rate' })).toBe(1);
  });
});

describe('referencePipeline: prediction dedupe (section 1)', () => {
  const events = [pred('k', '2024-03-01T10:00:00.000Z', 0.2, 'v1'), pred('k', '2024-03-02T10:00:00.000Z', 0.9, 'v2')];
  const W1 = '2024-03-01T00:00:00.000Z';
  const W2 = '2024-03-02T00:00:00.000Z';

  it('latest keeps the later event; the removed one counts in its own window and version', () => {
    const { evaluations, metrics } = referencePipeline(events, [], cfg({ predictionDedupe: 'latest' }));
    expect(evaluations).toHaveLength(1);
    expect(ev(evaluations, 'k')).toMatchObject({ score: 0.9, modelVersion: 'v2', labelStatus: 'missing' });
    expect(val(metrics, { windowStart: W1, modelVersion: 'v1', metric: 'prediction_events' })).toBe(1);
    expect(val(metrics, { windowStart: W1, modelVersion: 'v1', metric: 'duplicates_removed' })).toBe(1);
    expect(val(metrics, { windowStart: W1, modelVersion: 'v1', metric: 'missing' })).toBe(0);
    expect(val(metrics, { windowStart: W2, modelVersion: 'v2', metric: 'duplicates_removed' })).toBe(0);
    expect(val(metrics, { windowStart: W2, modelVersion: 'v2', metric: 'missing' })).toBe(1);
    expect(has(metrics, { windowStart: W1, modelVersion: 'v2', metric: 'prediction_events' })).toBe(false);
  });

  it('earliest keeps the earlier event', () => {
    const { evaluations, metrics } = referencePipeline(events, [], cfg({ predictionDedupe: 'earliest' }));
    expect(ev(evaluations, 'k')).toMatchObject({ score: 0.2, modelVersion: 'v1' });
    expect(val(metrics, { windowStart: W1, modelVersion: 'v1', metric: 'duplicates_removed' })).toBe(0);
    expect(val(metrics, { windowStart: W1, modelVersion: 'v1', metric: 'missing' })).toBe(1);
    expect(val(metrics, { windowStart: W2, modelVersion: 'v2', metric: 'duplicates_removed' })).toBe(1);
    expect(val(metrics, { windowStart: W2, modelVersion: 'v2', metric: 'missing' })).toBe(0);
  });

  it('timestamp ties: score desc, then model_version asc, then segments in config order; NULLs last', () => {
    const T = '2024-03-10T09:00:00.000Z';
    const tied = [
      pred('s', T, 0.3), pred('s', T, null), pred('s', T, 0.8), // -> .8
      pred('n', T, null), pred('n', T, 0.1), // -> .1 (NULL score last)
      pred('m', T, 0.5, 'b'), pred('m', T, 0.5, null), pred('m', T, 0.5, 'a'), // -> 'a'
      pred('g', T, 0.5, 'a', { s1: null, s2: 'a' }),
      pred('g', T, 0.5, 'a', { s1: 'x', s2: 'q' }),
      pred('g', T, 0.5, 'a', { s1: 'x', s2: null }),
      pred('g', T, 0.5, 'a', { s1: 'x', s2: 'p' }), // s1 first: 'x' beats NULL, then s2 'p' < 'q' < NULL
    ];
    const segs12 = [{ column: 's1', top: 50 }, { column: 's2', top: 50 }];
    for (const dedupe of ['latest', 'earliest'] as const) {
      const { evaluations, metrics } = referencePipeline(tied, [], cfg({ predictionDedupe: dedupe, segments: segs12 }));
      expect(ev(evaluations, 's').score).toBe(0.8);
      expect(ev(evaluations, 'n').score).toBe(0.1);
      expect(ev(evaluations, 'm').modelVersion).toBe('a');
      expect(ev(evaluations, 'g').segments).toEqual({ s1: 'x', s2: 'p' });
      // 12 events, 4 kept: 8 removed; by version: NULL 3+1+1 events (s, n, m's NULL one), 'a' ...
      const removed = metrics.filter((r) => r.metric === 'duplicates_removed').reduce((a, r) => a + r.value!, 0);
      expect(removed).toBe(8);
    }
    // configuration order s2, s1: s2 'a' (of {s1: NULL, s2: 'a'}) wins
    const segs21 = [{ column: 's2', top: 50 }, { column: 's1', top: 50 }];
    const { evaluations } = referencePipeline(tied, [], cfg({ segments: segs21 }));
    expect(ev(evaluations, 'g').segments).toEqual({ s2: 'a', s1: null });
  });

  it('NULL key columns and events after as_of are dropped before everything', () => {
    const events2 = [
      pred('a', '2024-03-10T01:00:00.000Z', 0.9),
      pred([null as unknown as string], '2024-03-10T02:00:00.000Z', 0.9),
      pred(['x', null as unknown as number], '2024-03-10T02:00:00.000Z', 0.9),
      pred('a', '2024-03-10T05:00:00.001Z', 0.1), // after as_of: not a duplicate, not kept
      pred('late', '2024-03-12T00:00:00.000Z', 0.1),
    ];
    const { evaluations, metrics } = referencePipeline(events2, [], cfg({ asOf: d('2024-03-10T05:00:00.000Z') }));
    expect(evaluations).toHaveLength(1);
    expect(ev(evaluations, 'a').score).toBe(0.9);
    expect(ev(evaluations, 'a').labelStatus).toBe('pending');
    expect(val(metrics, { windowStart: D10, metric: 'prediction_events' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'duplicates_removed' })).toBe(0);
    expect(metrics.filter((r) => r.windowStart !== D10)).toHaveLength(0);
  });
});

describe('referencePipeline: missing policies, pending, NULL scores (section 3)', () => {
  // within 24h, as_of = 03-11T06:00
  const T = '2024-03-10T00:00:00.000Z';
  const predictions = [
    pred('o', T, 0.9), // observed, label 1
    pred('m', T, 0.8), // no outcome, as_of >= T + 24h: missing
    pred('p', '2024-03-10T12:00:00.000Z', 0.7), // as_of < 03-11T12:00: pending
    pred('z', T, null), // NULL score, observed: never evaluated
  ];
  const outcomes = [out('o', '2024-03-10T01:00:00.000Z', 1), out('z', '2024-03-10T01:00:00.000Z', 0)];
  const asOf = d('2024-03-11T06:00:00.000Z');

  it('drop: only observed rows with a score are evaluated', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ asOf, missing: 'drop' }));
    expect(ev(evaluations, 'o')).toMatchObject({ labelStatus: 'observed', label: 1 });
    expect(ev(evaluations, 'm')).toMatchObject({ labelStatus: 'missing', label: null });
    expect(ev(evaluations, 'p')).toMatchObject({ labelStatus: 'pending', label: null });
    expect(ev(evaluations, 'z')).toMatchObject({ labelStatus: 'observed', label: 0, score: null });
    expect(val(metrics, { windowStart: D10, metric: 'count' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'positive_rate' })).toBe(1);
    expect(pick(metrics, { windowStart: D10, metric: 'tp' }).sampleSize).toBe(1);
    // statuses include the NULL-score prediction
    expect(val(metrics, { windowStart: D10, metric: 'observed' })).toBe(2);
    expect(val(metrics, { windowStart: D10, metric: 'pending' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'missing' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'label_coverage' })).toBeCloseTo(2 / 3, 12);
  });

  it('negative: missing ones count with label 0, pending ones never', () => {
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg({ asOf, missing: 'negative' }));
    expect(ev(evaluations, 'm')).toMatchObject({ labelStatus: 'missing', label: 0 });
    expect(ev(evaluations, 'p')).toMatchObject({ labelStatus: 'pending', label: null });
    // o (.9, 1) tp; m (.8, 0) fp
    expect(val(metrics, { windowStart: D10, metric: 'count' })).toBe(2);
    expect(val(metrics, { windowStart: D10, metric: 'positive_rate' })).toBeCloseTo(0.5, 12);
    expect(val(metrics, { windowStart: D10, metric: 'tp' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'fp' })).toBe(1);
    expect(val(metrics, { windowStart: D10, metric: 'roc_auc' })).toBe(1); // .9 (pos) > .8 (neg)
    expect(pick(metrics, { windowStart: D10, metric: 'roc_auc' }).sampleSize).toBe(2);
    // the data-quality rows do not depend on the policy
    expect(val(metrics, { windowStart: D10, metric: 'label_coverage' })).toBeCloseTo(2 / 3, 12);
  });

  it('pending vs missing exactly at as_of = predicted_at + within', () => {
    const p = [pred('a', T, 0.9)];
    const before = referencePipeline(p, [], cfg({ asOf: d('2024-03-10T23:59:59.999Z'), missing: 'negative' }));
    expect(ev(before.evaluations, 'a')).toMatchObject({ labelStatus: 'pending', label: null });
    expect(has(before.metrics, { windowStart: D10, metric: 'count' })).toBe(false);
    expect(val(before.metrics, { windowStart: D10, metric: 'label_coverage' })).toBeNull(); // observed + missing = 0
    expect(pick(before.metrics, { windowStart: D10, metric: 'label_coverage' }).sampleSize).toBe(0);
    expect(val(before.metrics, { windowStart: D10, metric: 'label_delay_p50' })).toBeNull();
    const at = referencePipeline(p, [], cfg({ asOf: d('2024-03-11T00:00:00.000Z'), missing: 'negative' }));
    expect(ev(at.evaluations, 'a')).toMatchObject({ labelStatus: 'missing', label: 0 });
    expect(val(at.metrics, { windowStart: D10, metric: 'count' })).toBe(1);
    expect(val(at.metrics, { windowStart: D10, metric: 'label_coverage' })).toBe(0);
    // an outcome exactly at as_of = T + within counts
    const obs = referencePipeline(p, [out('a', '2024-03-11T00:00:00.000Z', 1)], cfg({ asOf: d('2024-03-11T00:00:00.000Z') }));
    expect(ev(obs.evaluations, 'a')).toMatchObject({ labelStatus: 'observed', label: 1, labelDelayHours: 24 });
  });

  it('outcomes after as_of and NULL labels are ignored', () => {
    const p = [pred('a', T, 0.9), pred('b', T, 0.9)];
    const o = [out('a', '2024-03-10T02:00:00.000Z', 1), out('b', '2024-03-10T00:30:00.000Z', null)];
    const r = referencePipeline(p, o, cfg({ asOf: d('2024-03-10T01:00:00.000Z') }));
    expect(ev(r.evaluations, 'a').labelStatus).toBe('pending');
    expect(ev(r.evaluations, 'b').labelStatus).toBe('pending');
    expect(val(r.metrics, { windowStart: D10, metric: 'outcomes_orphan' })).toBe(0);
    // an outcome after as_of for an unknown key is not an orphan either
    const r2 = referencePipeline(p, [out('zz', '2024-03-10T02:00:00.000Z', 1)], cfg({ asOf: d('2024-03-10T01:00:00.000Z') }));
    expect(val(r2.metrics, { windowStart: D10, metric: 'outcomes_orphan' })).toBe(0);
  });
});

describe('referencePipeline: keys and labels', () => {
  it('keys match position by position as text; booleans are labels; orphans otherwise', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const predictions = [pred([1, 'a'], T, 0.9), pred([2, 'a'], T, 0.9), pred([4], T, 0.2), pred(['5'], T, 0.3)];
    const outcomes = [
      out(['1', 'a'], '2024-03-10T01:00:00.000Z', true), // matches [1, 'a']
      out([2, 'b'], '2024-03-10T01:00:00.000Z', 1), // no prediction: orphan
      out([1], '2024-03-10T01:00:00.000Z', 1), // different length: orphan
      out(['4'], '2024-03-10T01:00:00.000Z', false),
      out([5], '2024-03-10T01:00:00.000Z', 1),
    ];
    const { evaluations, metrics } = referencePipeline(predictions, outcomes, cfg());
    expect(ev(evaluations, '1|a')).toMatchObject({ labelStatus: 'observed', label: 1 });
    expect(ev(evaluations, '2|a')).toMatchObject({ labelStatus: 'missing' });
    expect(ev(evaluations, '4')).toMatchObject({ labelStatus: 'observed', label: 0 });
    expect(ev(evaluations, '5')).toMatchObject({ labelStatus: 'observed', label: 1 });
    expect(val(metrics, { windowStart: D10, metric: 'outcomes_orphan' })).toBe(2);
    // [2,'a'] and ['2','a'] are one key
    const dup = referencePipeline([pred([2, 'a'], T, 0.1), pred(['2', 'a'], '2024-03-10T01:00:00.000Z', 0.7)], [], cfg());
    expect(dup.evaluations).toHaveLength(1);
    expect(dup.evaluations[0]!.score).toBe(0.7);
    expect(val(dup.metrics, { windowStart: D10, metric: 'duplicates_removed' })).toBe(1);
  });

  it('rejects labels that are neither 1/0 nor booleans', () => {
    expect(() => referencePipeline([pred('a', D10, 0.5)], [out('a', D10, 2)], cfg())).toThrow();
  });
});

describe('referencePipeline: windows (section 4)', () => {
  const predictions = [
    pred('a', '2024-04-30T10:00:00.000Z', 0.9), // Tuesday
    pred('b', '2024-05-05T23:59:59.999Z', 0.9), // Sunday: same ISO week as Tuesday 04-30
    pred('c', '2024-05-06T00:00:00.000Z', 0.9), // Monday: next week
    pred('d', '2021-01-01T12:00:00.000Z', 0.9), // Friday: ISO week starts Monday 2020-12-28
    pred('e', '2024-12-31T23:00:00.000Z', 0.9), // Tuesday: week 2024-12-30 .. 2025-01-06; month ends 2025-01-01
  ];
  const { metrics } = referencePipeline(predictions, [], cfg({ granularities: ['day', 'week', 'month'] }));
  const events = (granularity: string, windowStart: string): number | null =>
    val(metrics, { granularity, windowStart, metric: 'prediction_events' });
  const end = (granularity: string, windowStart: string): string =>
    pick(metrics, { granularity, windowStart, metric: 'prediction_events' }).windowEnd;

  it('ISO weeks start Monday 00:00 UTC, across month and year boundaries', () => {
    expect(events('week', '2024-04-29T00:00:00.000Z')).toBe(2);
    expect(end('week', '2024-04-29T00:00:00.000Z')).toBe('2024-05-06T00:00:00.000Z');
    expect(events('week', '2024-05-06T00:00:00.000Z')).toBe(1);
    expect(events('week', '2020-12-28T00:00:00.000Z')).toBe(1);
    expect(end('week', '2020-12-28T00:00:00.000Z')).toBe('2021-01-04T00:00:00.000Z');
    expect(events('week', '2024-12-30T00:00:00.000Z')).toBe(1);
    expect(end('week', '2024-12-30T00:00:00.000Z')).toBe('2025-01-06T00:00:00.000Z');
    expect(metrics.filter((r) => r.granularity === 'week' && r.metric === 'prediction_events' && r.value! > 0)).toHaveLength(4);
  });

  it('months start on the 1st; days at midnight', () => {
    expect(events('month', '2024-04-01T00:00:00.000Z')).toBe(1);
    expect(end('month', '2024-04-01T00:00:00.000Z')).toBe('2024-05-01T00:00:00.000Z');
    expect(events('month', '2024-05-01T00:00:00.000Z')).toBe(2);
    expect(events('month', '2021-01-01T00:00:00.000Z')).toBe(1);
    expect(end('month', '2024-12-01T00:00:00.000Z')).toBe('2025-01-01T00:00:00.000Z');
    expect(events('day', '2024-05-05T00:00:00.000Z')).toBe(1);
    expect(end('day', '2024-05-05T00:00:00.000Z')).toBe('2024-05-06T00:00:00.000Z');
    expect(events('day', '2024-05-06T00:00:00.000Z')).toBe(1);
    expect(end('day', '2024-12-31T00:00:00.000Z')).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('referencePipeline: versions and segments (section 4)', () => {
  it('NULL model_version and NULL segment values form their own groups', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const o = (k: string, label: 0 | 1): OutcomeEvent => out(k, '2024-03-10T01:00:00.000Z', label);
    const predictions = [
      pred('a', T, 0.9, 'v1', { country: 'US' }), // 1
      pred('b', T, 0.2, 'v1', { country: null }), // 0
      pred('c', T, 0.4, 'v1', { country: 'US' }), // 0
      pred('d', T, 0.6, 'v1', {}), // 1, column absent = NULL
      pred('e', T, 0.7, 'v1', { country: 'FR' }), // 1
      pred('f', T, 0.3, null, { country: 'US' }), // 1
    ];
    const outcomes = [o('a', 1), o('b', 0), o('c', 0), o('d', 1), o('e', 1), o('f', 1)];
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ segments: [{ column: 'country', top: 50 }] }));
    const q = (modelVersion: string | null, segment: string | null, segmentValue: string | null, metric: string): number | null =>
      val(metrics, { windowStart: D10, modelVersion, segment, segmentValue, metric });
    expect(q('v1', null, null, 'count')).toBe(5);
    expect(q(null, null, null, 'count')).toBe(1);
    expect(q('v1', 'country', 'US', 'count')).toBe(2);
    expect(q('v1', 'country', null, 'count')).toBe(2);
    expect(q('v1', 'country', null, 'positive_rate')).toBeCloseTo(0.5, 12); // b 0, d 1
    expect(q('v1', 'country', null, 'roc_auc')).toBe(1); // d .6 (1) > b .2 (0)
    expect(q('v1', 'country', 'FR', 'count')).toBe(1);
    expect(q(null, 'country', 'US', 'count')).toBe(1);
    expect(q('v1', 'country', 'US', 'roc_auc')).toBe(1); // a .9 (1) > c .4 (0)
    // data-quality rows only overall
    expect(metrics.some((r) => r.segment !== null && r.metric === 'prediction_events')).toBe(false);
    expect(q('v1', null, null, 'prediction_events')).toBe(5);
    expect(q(null, null, null, 'prediction_events')).toBe(1);
  });

  it('top-N: rank by count desc then value asc; the rest fold into __other__; NULL is never folded', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const values = ['c', 'c', 'c', 'a', 'a', 'b', 'b', 'd', null];
    const predictions = values.map((v, i) => pred(`k${i}`, T, 0.1 * (i + 1), null, { s: v }));
    const outcomes = values.map((_, i) => out(`k${i}`, '2024-03-10T01:00:00.000Z', i % 2 === 0 ? 1 : 0));
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ segments: [{ column: 's', top: 2 }] }));
    const count = (segmentValue: string | null): number | null =>
      val(metrics, { windowStart: D10, segment: 's', segmentValue, metric: 'count' });
    // c (3) and a (2, beats b on the tie by value) keep their groups; b (2) + d (1) -> __other__
    expect(count('c')).toBe(3);
    expect(count('a')).toBe(2);
    expect(count('__other__')).toBe(3);
    expect(count(null)).toBe(1);
    expect(has(metrics, { windowStart: D10, segment: 's', segmentValue: 'b', metric: 'count' })).toBe(false);
    expect(has(metrics, { windowStart: D10, segment: 's', segmentValue: 'd', metric: 'count' })).toBe(false);
    // __other__ = k5 (b, .6, label 0), k6 (b, .7, label 1), k7 (d, .8, label 0): positive rate 1/3
    expect(val(metrics, { windowStart: D10, segment: 's', segmentValue: '__other__', metric: 'positive_rate' })).toBeCloseTo(1 / 3, 12);
    expect(val(metrics, { windowStart: D10, metric: 'count' })).toBe(9);
  });

  it('top-N ties by value compare as text', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const predictions = [pred('a', T, 0.9, null, { s: '9' }), pred('b', T, 0.9, null, { s: '10' })];
    const outcomes = [out('a', T, 1), out('b', T, 1)];
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ segments: [{ column: 's', top: 1 }] }));
    // '10' < '9' as text
    expect(val(metrics, { windowStart: D10, segment: 's', segmentValue: '10', metric: 'count' })).toBe(1);
    expect(val(metrics, { windowStart: D10, segment: 's', segmentValue: '__other__', metric: 'count' })).toBe(1);
    expect(has(metrics, { windowStart: D10, segment: 's', segmentValue: '9', metric: 'count' })).toBe(false);
  });

  it('top-N ranks deduplicated predictions of all statuses and versions, per window', () => {
    const D11 = '2024-03-11T00:00:00.000Z';
    const h = (day: string, hour: number): Date => new Date(d(day).getTime() + hour * HOUR);
    const obs = (k: string, at: Date): OutcomeEvent => out(k, new Date(at.getTime() + HOUR), 1);
    const predictions = [
      pred('x1', h(D10, 1), 0.9, 'v1', { s: 'x' }),
      pred('x2', h(D10, 2), 0.9, 'v1', { s: 'x' }),
      pred('y1', h(D10, 3), 0.9, 'v1', { s: 'y' }),
      pred('y2', h(D10, 4), null, 'v2', { s: 'y' }), // NULL score: not evaluated, still ranked
      pred('y3', h(D10, 5), 0.5, 'v2', { s: 'y' }), // missing (drop): not evaluated, still ranked
      // z: one key, four events: counts once
      pred('z1', h(D10, 6), 0.9, 'v1', { s: 'z' }),
      pred('z1', h(D10, 7), 0.9, 'v1', { s: 'z' }),
      pred('z1', h(D10, 8), 0.9, 'v1', { s: 'z' }),
      pred('z1', h(D10, 9), 0.9, 'v1', { s: 'z' }),
      pred('x3', h(D11, 1), 0.9, 'v1', { s: 'x' }),
    ];
    const outcomes = [
      obs('x1', h(D10, 1)), obs('x2', h(D10, 2)), obs('y1', h(D10, 3)), obs('y2', h(D10, 4)),
      obs('z1', h(D10, 9)), obs('x3', h(D11, 1)),
    ];
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ segments: [{ column: 's', top: 1 }] }));
    // day 03-10: x 2, y 3, z 1 -> y keeps its group
    const c = (windowStart: string, mv: string | null, segmentValue: string): number | null =>
      val(metrics, { windowStart, modelVersion: mv, segment: 's', segmentValue, metric: 'count' });
    expect(c(D10, 'v1', 'y')).toBe(1);
    expect(c(D10, 'v1', '__other__')).toBe(3); // x1, x2, z1
    expect(has(metrics, { windowStart: D10, modelVersion: 'v1', segment: 's', segmentValue: 'x', metric: 'count' })).toBe(false);
    // v2 has nothing evaluated: no model-metric rows, but data-quality rows
    expect(metrics.some((r) => r.modelVersion === 'v2' && r.metric === 'count')).toBe(false);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v2', metric: 'prediction_events' })).toBe(2);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'duplicates_removed' })).toBe(3);
    // day 03-11 ranks on its own: x is the top value there
    expect(c(D11, 'v1', 'x')).toBe(1);
    expect(has(metrics, { windowStart: D11, modelVersion: 'v1', segment: 's', segmentValue: '__other__', metric: 'count' })).toBe(false);
  });
});

describe('referencePipeline: rows (sections 5 and 6)', () => {
  it('model-metric rows equal binaryMetrics of the group, with sample_size = count and qualifier NULL', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const data: [string, number, 0 | 1][] = [
      ['a', 0.1, 0], ['b', 0.4, 0], ['c', 0.35, 1], ['d', 0.8, 1],
    ];
    const predictions = data.map(([k, s]) => pred(k, T, s, 'v1'));
    const outcomes = data.map(([k, , y]) => out(k, '2024-03-10T03:00:00.000Z', y));
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ threshold: 0.35 }));
    const model = metrics.filter((r) => r.modelVersion === 'v1' && r.segment === null && (BINARY_METRIC_NAMES as readonly string[]).includes(r.metric));
    expect(model).toHaveLength(19);
    const expected = binaryMetrics(data.map(([, score, label]) => ({ score, label })), 0.35);
    for (const r of model) {
      expect(r.value).toBe(expected[r.metric]);
      expect(r.sampleSize).toBe(4);
      expect(r.qualifier).toBeNull();
      expect(r.windowStart).toBe(D10);
      expect(r.windowEnd).toBe('2024-03-11T00:00:00.000Z');
      expect(r.granularity).toBe('day');
    }
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'roc_auc' })).toBeCloseTo(0.75, 12);
    // threshold .35: .35 and .8 positive (both label 1), .4 positive (label 0): tp 2, fp 1
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'tp' })).toBe(2);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'fp' })).toBe(1);
  });

  it('data-quality rows exist for every window and version with a prediction event; zero counts are 0', () => {
    const predictions = [pred('a', '2024-03-10T05:00:00.000Z', 0.9, 'v1')];
    const outcomes = [out('zz', '2024-03-12T05:00:00.000Z', 1)]; // orphan two days later
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ asOf: d('2024-03-13T00:00:00.000Z') }));
    const v1 = metrics.filter((r) => r.windowStart === D10 && r.modelVersion === 'v1');
    expect(v1.map((r) => r.metric).sort()).toEqual([...DATA_QUALITY_METRICS].sort());
    for (const r of v1) {
      expect(r.segment).toBeNull();
      expect(r.segmentValue).toBeNull();
      expect(r.qualifier).toBeNull();
    }
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'prediction_events' })).toBe(1);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'missing' })).toBe(1);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'observed' })).toBe(0);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'outcomes_late' })).toBe(0);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'label_coverage' })).toBe(0);
    expect(val(metrics, { windowStart: D10, modelVersion: 'v1', metric: 'label_delay_p50' })).toBeNull();
    // outcomes_orphan: model_version NULL, every window with an orphan or a prediction event, and
    // every window without a prediction event from the first one's to the as-of (03-11, 03-12)
    const orphanRows = metrics.filter((r) => r.metric === 'outcomes_orphan');
    expect(orphanRows.map((r) => [r.windowStart, r.modelVersion, r.value, r.sampleSize])).toEqual([
      [D10, null, 0, 0],
      ['2024-03-11T00:00:00.000Z', null, 0, 0],
      ['2024-03-12T00:00:00.000Z', null, 1, 1],
    ]);
    // those two days' prediction_events are 0, model_version NULL
    expect(metrics.filter((r) => r.metric === 'prediction_events' && r.modelVersion === null).map((r) => [r.windowStart, r.value, r.sampleSize])).toEqual([
      ['2024-03-11T00:00:00.000Z', 0, 0],
      ['2024-03-12T00:00:00.000Z', 0, 0],
    ]);
    // nothing else: 10 data-quality rows, 3 orphan rows and 2 empty days' prediction_events, no model
    // metrics (drop, nothing observed)
    expect(metrics).toHaveLength(15);
  });

  // Section 6: a gap in the predictions (logging broken, a model taken down) is a zero, not a missing
  // point: every window from the first with a prediction event to the last starting before the as-of.
  it('windows without a prediction event between the first and the as-of get prediction_events 0', () => {
    const predictions = [pred('a', '2024-03-10T05:00:00.000Z', 0.9, 'v1'), pred('b', '2024-03-13T05:00:00.000Z', 0.9, 'v2')];
    const zeros = (asOf: string, granularities: ReferenceConfig['granularities']) =>
      referencePipeline(predictions, [], cfg({ asOf: d(asOf), granularities }))
        .metrics.filter((r) => r.metric === 'prediction_events' && r.value === 0)
        .map((r) => `${r.granularity} ${r.windowStart.slice(0, 10)} ${r.modelVersion} ${r.sampleSize}`);
    // 03-09 is before the first prediction; 03-15 under way at 12:00; 03-10 (Sunday) ends the week of
    // 03-04, 03-13 is in the week of 03-11, and March has both
    expect(zeros('2024-03-15T12:00:00.000Z', ['day', 'week', 'month'])).toEqual([
      'day 2024-03-11 null 0', 'day 2024-03-12 null 0', 'day 2024-03-14 null 0', 'day 2024-03-15 null 0',
    ]);
    // a window that starts at the as-of has not begun
    expect(zeros('2024-03-15T00:00:00.000Z', ['day'])).toEqual(['day 2024-03-11 null 0', 'day 2024-03-12 null 0', 'day 2024-03-14 null 0']);
    // the weeks after the last prediction's, to the as-of's; months likewise
    expect(zeros('2024-05-02T00:00:00.000Z', ['week', 'month'])).toEqual([
      'month 2024-04-01 null 0', 'month 2024-05-01 null 0',
      ...['03-18', '03-25', '04-01', '04-08', '04-15', '04-22', '04-29'].map((w) => `week 2024-${w} null 0`),
    ]);
    // no prediction event at all: no window
    expect(referencePipeline([], [], cfg({ asOf: d('2024-03-15T00:00:00.000Z') })).metrics).toEqual([]);
  });

  it('label delay percentiles over observed predictions', () => {
    const T = '2024-03-10T00:00:00.000Z';
    const at = (h: number): Date => new Date(d(T).getTime() + h * HOUR);
    const predictions = ['a', 'b', 'c', 'e', 'f'].map((k) => pred(k, T, 0.5));
    const outcomes = [out('a', at(10), 1), out('b', at(1), 0), out('c', at(3), 1), out('e', at(2), 1)]; // f pending/missing
    const { metrics } = referencePipeline(predictions, outcomes, cfg({ asOf: at(12) }));
    // delays [1, 2, 3, 10]: p50 = 2.5; p90: h = .9 * 3 = 2.7 -> 3 + .7 * 7 = 7.9
    expect(val(metrics, { windowStart: D10, metric: 'label_delay_p50' })).toBeCloseTo(2.5, 12);
    expect(val(metrics, { windowStart: D10, metric: 'label_delay_p90' })).toBeCloseTo(7.9, 12);
    expect(pick(metrics, { windowStart: D10, metric: 'label_delay_p50' }).sampleSize).toBe(4);
    expect(val(metrics, { windowStart: D10, metric: 'pending' })).toBe(1); // f: 12h < 24h
    expect(val(metrics, { windowStart: D10, metric: 'label_coverage' })).toBe(1); // 4 / (4 + 0)
    expect(pick(metrics, { windowStart: D10, metric: 'label_coverage' }).sampleSize).toBe(4);
  });

  it('rows are sorted by granularity, window, version, segment, value, metric; NULLs first', () => {
    const predictions = [
      pred('a', '2024-03-11T01:00:00.000Z', 0.9, 'v1', { s: 'x' }),
      pred('b', '2024-03-10T01:00:00.000Z', 0.8, null, { s: null }),
      pred('c', '2024-03-10T02:00:00.000Z', 0.3, 'v0', { s: 'x' }),
    ];
    const outcomes = [
      out('a', '2024-03-11T02:00:00.000Z', 1),
      out('b', '2024-03-10T02:00:00.000Z', 0),
      out('c', '2024-03-10T03:00:00.000Z', 1),
    ];
    // (as of the day after: no window without a prediction event, section 6)
    const { metrics, evaluations } = referencePipeline(predictions, outcomes, cfg({ granularities: ['week', 'day'], segments: [{ column: 's', top: 5 }], asOf: d('2024-03-12T00:00:00.000Z') }));
    for (let i = 1; i < metrics.length; i += 1) expect(compareMetricRows(metrics[i - 1]!, metrics[i]!)).toBeLessThan(0);
    const first = metrics[0]!;
    expect([first.granularity, first.windowStart, first.modelVersion, first.segment, first.segmentValue, first.metric]).toEqual([
      'day', D10, null, null, null, 'accuracy',
    ]);
    const last = metrics[metrics.length - 1]!;
    expect([last.granularity, last.modelVersion, last.segment, last.segmentValue]).toEqual(['week', 'v1', 's', 'x']);
    // the NULL-valued segment group comes before 'x' within (day, 03-10, NULL version)
    const d10null = metrics.filter((r) => r.granularity === 'day' && r.windowStart === D10 && r.modelVersion === null && r.segment === 's');
    expect(d10null.every((r) => r.segmentValue === null)).toBe(true);
    // evaluations by predicted_at
    expect(evaluations.map((e) => e.key[0])).toEqual(['b', 'c', 'a']);
    // week of Monday 03-04 has b, c (Sunday 03-10); week of 03-11 has a
    expect(val(metrics, { granularity: 'week', windowStart: '2024-03-04T00:00:00.000Z', modelVersion: 'v0', metric: 'count' })).toBe(1);
    expect(val(metrics, { granularity: 'week', windowStart: '2024-03-11T00:00:00.000Z', modelVersion: 'v1', metric: 'count' })).toBe(1);
  });
});
