// Fuzz: chains of incremental runs of FORECAST and RECOMMENDATION monitors against full refreshes
// (DuckDB). Every incremental run's metric rows, evaluation rows and (forecasts) MASE history must
// equal those of a full refresh at the same as-of over the same data, exactly. Data are appended in
// arrival order (docs/semantics.md §5d/§5e/§7).
// FUZZ_KIND=forecast|recommendation|both (default both), FUZZ_SEED (1), FUZZ_COUNT (12 of each kind), FUZZ_SEEDS=1,2,
// FUZZ_TINY=1 (recommendations: one or two users, many re-logs and runs), FUZZ_VERBOSE=1 (row counts),
// FUZZ_BREAK=1 (self-check: actuals without logged_at and interactions written late, out of contract: must fail).
// Written by a helper session: ~1,180 chains (630 forecast, 550 recommendation), ~6,400 incremental
// runs (~2,000 of them starting from MASE's stored history) found no difference; FUZZ_BREAK=1 does.
import { readFileSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Adapter } from '../../src/adapters/index.js';
import { diffSchemas, insertRows, runChain, type ChainOutcome } from './chains.js';
import { createTable, uniqueName, writeProjectWith, type Column } from './harness.js';
import { prng } from './random-data.js';
import { openTarget, TARGETS } from './targets.js';

const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;
const sec = (ms: number) => new Date(Math.round(ms / SEC) * SEC);

type Rand = () => number;
const picker = (rand: Rand) => <T>(xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

// ---------------------------------------------------------------------------------------------
// Forecasts

const F_COLUMNS: Column[] = [
  { name: 'store', type: 'text' }, { name: 'sku', type: 'integer' }, { name: 'forecast_at', type: 'timestamp' },
  { name: 'target_at', type: 'timestamp' }, { name: 'published_at', type: 'timestamp' }, { name: 'pred', type: 'double' },
  { name: 'lo', type: 'double' }, { name: 'hi', type: 'double' }, { name: 'q10', type: 'double' }, { name: 'q50', type: 'double' },
  { name: 'q90', type: 'double' }, { name: 'mv', type: 'text' }, { name: 'seg', type: 'text' }, { name: 'env', type: 'text' },
];
const A_COLUMNS: Column[] = [
  { name: 'store_id', type: 'text' }, { name: 'sku_id', type: 'integer' }, { name: 'day', type: 'timestamp' },
  { name: 'units', type: 'double' }, { name: 'loaded_at', type: 'timestamp' },
];

interface FRow {
  store: string | null; sku: number | null; forecast_at: Date; target_at: Date; published_at: Date | null; pred: number | null;
  lo: number | null; hi: number | null; q10: number | null; q50: number | null; q90: number | null; mv: string | null; seg: string | null; env: string;
}
interface ARow { store_id: string | null; sku_id: number | null; day: Date; units: number | null; loaded_at: Date; arrival: number }

interface FConfig {
  kind: 'forecast';
  unit: 'hour' | 'day' | 'week';
  withinText: string; withinMs: number;
  horizons?: number[];
  seasonality: number;
  granularity: ('day' | 'week' | 'month')[];
  fLogged: boolean; aLogged: boolean;
  fDedupe: 'latest' | 'earliest'; aDedupe: 'latest' | 'earliest';
  interval: boolean; quantiles?: string[];
  twoSeries: boolean;
  /** series: sku alone (an integer column) */
  skuOnly?: boolean;
  /** predictions through `sql:` */
  predictionsSql?: boolean;
  segments: (string | { column: string; top: number })[];
  modelVersion: boolean;
  where: boolean;
  actualsSql: boolean;
}

function forecastYaml(src: string, c: FConfig): Record<string, unknown> {
  const series = c.twoSeries ? ['store', 'sku'] : c.skuOnly ? ['sku'] : ['store'];
  const aSeries = c.twoSeries ? ['store_id', 'sku_id'] : c.skuOnly ? ['sku_id'] : ['store_id'];
  return {
    type: 'forecast',
    predictions: {
      ...(c.predictionsSql ? { sql: `select * from ${src}.forecasts where pred is null or pred > -1000` } : { relation: `${src}.forecasts` }),
      series, forecast_time: 'forecast_at', target_time: 'target_at', prediction: 'pred',
      ...(c.interval ? { interval: { lower: 'lo', upper: 'hi', level: 0.8 } } : {}),
      ...(c.quantiles ? { quantiles: Object.fromEntries(c.quantiles.map((q) => [q, { '0.1': 'q10', '0.5': 'q50', '0.9': 'q90' }[q]!])) } : {}),
      ...(c.modelVersion ? { model_version: 'mv' } : {}),
      ...(c.fLogged ? { logged_at: 'published_at' } : {}),
      dedupe: c.fDedupe,
      ...(c.where ? { where: "env = 'production'" } : {}),
    },
    outcomes: c.actualsSql
      ? { sql: `select store_id as store, sku_id as sku, day as t, units as y, loaded_at from ${src}.actuals`, series, time: 't', value: 'y', ...(c.aLogged ? { logged_at: 'loaded_at' } : {}), dedupe: c.aDedupe }
      : { relation: `${src}.actuals`, series: aSeries, time: 'day', value: 'units', ...(c.aLogged ? { logged_at: 'loaded_at' } : {}), dedupe: c.aDedupe },
    join: { within: c.withinText },
    horizon_unit: c.unit,
    ...(c.horizons ? { horizons: c.horizons } : {}),
    seasonality: c.seasonality,
    granularity: c.granularity,
    segments: c.segments,
  };
}

const UNIT_MS = { hour: HOUR, day: DAY, week: 7 * DAY };

function randomForecastConfig(rand: Rand): FConfig {
  const pick = picker(rand);
  const unit = pick(['hour', 'day', 'day', 'week'] as const);
  const withins: Record<string, [string, number][]> = {
    hour: [['0 seconds', 0], ['1 hour', HOUR], ['6 hours', 6 * HOUR], ['90 minutes', 90 * MIN], ['1 day', DAY], ['30 minutes', 30 * MIN], ['1 second', SEC]],
    day: [['0 days', 0], ['60 days', 60 * DAY], ['1 day', DAY], ['3 days', 3 * DAY], ['36 hours', 36 * HOUR], ['1 week', 7 * DAY], ['10 days', 10 * DAY], ['2 hours', 2 * HOUR]],
    week: [['1 week', 7 * DAY], ['10 days', 10 * DAY], ['3 days', 3 * DAY], ['3 weeks', 21 * DAY], ['5 weeks', 35 * DAY]],
  };
  const [withinText, withinMs] = pick(withins[unit]!);
  let granularity = (['day', 'week', 'month'] as const).filter(() => rand() < 0.45);
  if (granularity.length === 0) granularity = [pick(['day', 'week', 'month'] as const)];
  const segments: FConfig['segments'] = [];
  if (rand() < 0.5) segments.push(rand() < 0.5 ? 'store' : { column: 'store', top: pick([1, 2]) });
  if (rand() < 0.5) segments.push({ column: 'seg', top: pick([1, 2, 50]) });
  const twoSeries = rand() < 0.6;
  if (twoSeries && rand() < 0.2) segments.push('sku');
  const skuOnly = !twoSeries && rand() < 0.3;
  if (skuOnly) for (let i = segments.length - 1; i >= 0; i--) if (segments[i] === 'store' || (segments[i] as { column: string }).column === 'store') segments.splice(i, 1);
  const predictionsSql = rand() < 0.2;
  if (rand() < 0.15) segments.push(pick<string | { column: string; top: number }>(['env', 'mv', { column: 'published_at', top: 2 }]));
  const seasonality = unit === 'hour' ? pick([1, 24, 6]) : unit === 'day' ? pick([1, 7, 2]) : pick([1, 4, 2]);
  return {
    kind: 'forecast', unit, withinText, withinMs, seasonality, granularity: [...granularity],
    horizons: rand() < 0.4 ? pick([[1], [1, 2], [1, 3, 5], [0, 1, -1], [2]]) : undefined,
    fLogged: rand() < 0.5, aLogged: rand() < 0.5,
    fDedupe: rand() < 0.6 ? 'latest' : 'earliest', aDedupe: rand() < 0.7 ? 'latest' : 'earliest',
    interval: rand() < 0.5, quantiles: rand() < 0.4 ? pick([['0.1', '0.5', '0.9'], ['0.5'], ['0.9', '0.1']]) : undefined,
    twoSeries, skuOnly, predictionsSql, segments, modelVersion: rand() < 0.7, where: rand() < 0.5, actualsSql: rand() < 0.25,
  };
}

interface FData { forecasts: FRow[]; actuals: ARow[]; start: number; end: number }

function randomForecastData(rand: Rand, c: FConfig, o: { periods: number; base: number; intense: boolean; special: number[] }): FData {
  const pick = picker(rand);
  const step = UNIT_MS[c.unit];
  const base = o.base;
  const periods = o.periods;
  const series: [string | null, number | null][] = [];
  for (const s of ['s1', 's2', 's3']) for (const k of [1, 2]) if (rand() < 0.8) series.push([s, k]);
  if (series.length === 0) series.push(['s1', 1]);
  const newcomer: [string, number] = ['s9', 7];
  const nullish: [string | null, number | null] = [null, 1];
  const all = [...series, newcomer, nullish, ['s4', null] as [string, null]];
  const forecasts: FRow[] = [];
  const actuals: ARow[] = [];
  const truth = new Map<string, number>();
  const paused = series[0]!;
  const pauseFrom = Math.floor(periods * (0.3 + rand() * 0.3));
  const pauseTo = pauseFrom + Math.floor(periods * (0.1 + rand() * 0.3));
  const lateFrom = Math.floor(periods * (0.4 + rand() * 0.4));
  // within-limited arrival when actuals have no logged_at
  const arrivalDelay = (time: number) => {
    const r = rand();
    if (c.aLogged) {
      // anything: on time, late, far late, before its time
      if (r < 0.55) return step * (0.1 + rand());
      if (r < 0.7) return c.withinMs;
      if (r < 0.85) return c.withinMs + step * rand() * 6;
      if (r < 0.92) return c.withinMs + SEC;
      return -rand() * step;
    }
    // without logged_at: written by time + within (the contract), sometimes exactly then
    if (r < 0.15) return c.withinMs;
    if (r < 0.25) return 0;
    return rand() * c.withinMs;
  };
  for (const s of all) {
    let level = 5 + rand() * 20;
    const from = s === newcomer ? lateFrom : 0;
    for (let i = from; i < periods; i++) {
      const time = base + i * step;
      level = Math.max(0, level + (rand() - 0.5) * 4);
      const value = rand() < 0.08 ? 0 : Math.round(level * 10) / 10;
      truth.set(JSON.stringify([s, time]), value);
      if (rand() < 0.07) continue;
      if (s === paused && i >= pauseFrom && i < pauseTo) continue;
      const d = arrivalDelay(time);
      let arrival = sec(time + d).getTime();
      // logged exactly at an as-of (or a second off it)
      if (c.aLogged && rand() < 0.05) arrival = pick(o.special) + pick([-SEC, 0, SEC]);
      actuals.push({ store_id: s[0], sku_id: s[1], day: new Date(time), units: rand() < 0.02 ? null : value, loaded_at: new Date(arrival), arrival });
      const nCorr = rand() < (o.intense ? 0.2 : 0.07) ? 1 + Math.floor(rand() * 2) : 0;
      for (let j = 0; j < nCorr; j++) {
        // a correction: with logged_at, any time later; without, by time + within
        let a2 = arrival + (c.aLogged ? rand() * (rand() < 0.3 ? 10 * step : step) : 0);
        if (!c.aLogged) a2 = sec(Math.min(time + c.withinMs, arrival + rand() * c.withinMs)).getTime();
        if (rand() < 0.2) a2 = arrival; // same logged_at: value decides
        a2 = sec(a2).getTime();
        actuals.push({ store_id: s[0], sku_id: s[1], day: new Date(time), units: value + pick([-1, 1, 2.5, 0]), loaded_at: new Date(a2), arrival: a2 });
      }
    }
  }
  // forecasts, made at forecast cycles (every period, sometimes off-grid), for 1..5 periods ahead
  const offsetMs = c.unit === 'hour' ? pick([5 * MIN, 20 * MIN, 0]) : pick([2 * HOUR, 30 * MIN, 0, 13 * HOUR]);
  for (let i = Math.floor(periods / 4); i < periods + 3; i++) {
    const forecastTime = base + i * step - offsetMs + (rand() < 0.1 ? Math.round(rand() * step / SEC) * SEC : 0);
    for (const s of all) {
      if (s === newcomer && i < lateFrom - 3) continue;
      for (let h = 1; h <= 5; h++) {
        if (rand() < 0.55) continue;
        let target = base + (i + h - 1) * step;
        if (rand() < 0.03) target -= 6 * step; // a backfill: negative horizon
        const tv = truth.get(JSON.stringify([s, target])) ?? 10;
        const prediction = Math.round((tv + (rand() - 0.45) * 3 * Math.sqrt(h)) * 4) / 4;
        const spread = 1 + Math.round(rand() * 12) / 4;
        let publish = c.fLogged ? sec(forecastTime + rand() * Math.min(step, HOUR)).getTime() : forecastTime;
        if (c.fLogged && rand() < 0.05) publish = pick(o.special) + pick([-SEC, 0, SEC]);
        if (c.fLogged && rand() < 0.03) publish = forecastTime - HOUR; // published before its forecast time
        const row: FRow = {
          store: s[0], sku: s[1], forecast_at: new Date(forecastTime), target_at: new Date(target),
          published_at: c.fLogged && rand() < 0.01 ? null : new Date(publish),
          pred: rand() < 0.03 ? null : prediction,
          lo: rand() < 0.03 ? null : prediction - spread, hi: prediction + spread * (rand() < 0.05 ? -0.5 : 1),
          q10: rand() < 0.03 ? null : prediction - spread, q50: prediction, q90: prediction + spread,
          mv: rand() < 0.1 ? null : pick(['v1', 'v2']), seg: rand() < 0.1 ? null : pick(['x', 'y', 'z']),
          env: rand() < 0.05 ? 'staging' : 'production',
        };
        forecasts.push(row);
        const copies = rand() < (o.intense ? 0.35 : 0.12) ? 1 + Math.floor(rand() * 2) : 0;
        for (let k = 0; k < copies; k++) {
          const r = rand();
          // re-logged: same time (values decide), hours later, days later (with logged_at only)
          const later = !c.fLogged || r < 0.35 ? 0 : r < 0.7 ? rand() * 12 * HOUR : rand() * 10 * step;
          forecasts.push({
            ...row,
            published_at: row.published_at === null ? null : sec(row.published_at.getTime() + later),
            pred: rand() < 0.5 ? row.pred : Math.round((prediction + (rand() - 0.5) * 2) * 4) / 4,
            mv: rand() < 0.3 ? pick(['v1', 'v2', null]) : row.mv,
            seg: rand() < 0.3 ? pick(['x', 'y', null]) : row.seg,
            lo: rand() < 0.2 ? row.lo! - 1 : row.lo,
            q90: rand() < 0.2 ? null : row.q90,
            env: rand() < 0.05 ? 'staging' : row.env,
          });
        }
      }
    }
  }
  return { forecasts, actuals, start: base, end: base + periods * step };
}

const fArrival = (c: FConfig, f: FRow) => (c.fLogged ? (f.published_at ?? f.forecast_at).getTime() : f.forecast_at.getTime());
const fValues = (f: FRow) => F_COLUMNS.map((col) => (f as unknown as Record<string, unknown>)[col.name]);
const aValues = (a: ARow) => A_COLUMNS.map((col) => (a as unknown as Record<string, unknown>)[col.name]);

// ---------------------------------------------------------------------------------------------
// Recommendations

const L_COLUMNS: Column[] = [
  { name: 'request_id', type: 'text' }, { name: 'site', type: 'text' }, { name: 'shown_at', type: 'timestamp' }, { name: 'user_id', type: 'text' },
  { name: 'shop', type: 'text' }, { name: 'item_id', type: 'text' }, { name: 'pos', type: 'double' }, { name: 'score', type: 'double' },
  { name: 'anchor', type: 'text' }, { name: 'mv', type: 'text' }, { name: 'seg', type: 'text' }, { name: 'env', type: 'text' },
];
const I_COLUMNS: Column[] = [
  { name: 'customer', type: 'text' }, { name: 'cshop', type: 'text' }, { name: 'interacted_at', type: 'timestamp' }, { name: 'sku', type: 'text' }, { name: 'rel', type: 'double' },
];
interface LRow { request_id: string | null; site: string; shown_at: Date; user_id: string | null; shop: string; item_id: string | null; pos: number | null; score: number | null; anchor: string | null; mv: string | null; seg: string | null; env: string }
interface IRow { customer: string | null; cshop: string; interacted_at: Date; sku: string | null; rel: number | null }

interface RConfig {
  kind: 'recommendation';
  withinText: string; withinMs: number;
  k: number[];
  granularity: ('day' | 'week' | 'month')[];
  segments: (string | { column: string; top: number })[];
  anchor: boolean; score: boolean; relevance: boolean; catalog: 'none' | 'relation' | 'sql';
  dedupe: 'latest' | 'earliest'; where: boolean; twoMatch: boolean; compositeKey: boolean; modelVersion: boolean; outcomesSql: boolean;
  /** key [request_id, user_id]: a match column in the key */
  keyUser?: boolean;
  predictionsSql?: boolean;
}

function recommendationYaml(src: string, c: RConfig): Record<string, unknown> {
  return {
    type: 'recommendation',
    predictions: {
      ...(c.predictionsSql ? { sql: `select * from ${src}.lists where pos is null or pos < 1000` } : { relation: `${src}.lists` }),
      key: c.compositeKey ? ['request_id', 'site'] : c.keyUser ? ['request_id', 'user_id'] : 'request_id', timestamp: 'shown_at',
      match: c.twoMatch ? ['user_id', 'shop'] : ['user_id'], item: 'item_id', rank: 'pos',
      ...(c.score ? { score: 'score' } : {}), ...(c.anchor ? { anchor_item: 'anchor' } : {}),
      ...(c.modelVersion ? { model_version: 'mv' } : {}), dedupe: c.dedupe,
      ...(c.where ? { where: "env <> 'test'" } : {}),
    },
    outcomes: c.outcomesSql
      ? { sql: `select customer as cust, cshop as cs, interacted_at as at, sku as it, rel as r from ${src}.interactions`, key: c.twoMatch ? ['cust', 'cs'] : ['cust'], timestamp: 'at', item: 'it', ...(c.relevance ? { relevance: 'r' } : {}) }
      : { relation: `${src}.interactions`, key: c.twoMatch ? ['customer', 'cshop'] : ['customer'], timestamp: 'interacted_at', item: 'sku', ...(c.relevance ? { relevance: 'rel' } : {}) },
    join: { within: c.withinText },
    k: c.k,
    granularity: c.granularity,
    segments: c.segments,
    ...(c.catalog === 'relation' ? { catalog: { relation: `${src}.catalog`, item: 'item_id' } } : {}),
    ...(c.catalog === 'sql' ? { catalog: { sql: `select item_id as cat_item from ${src}.catalog where item_id <> 'i05'`, item: 'cat_item' } } : {}),
  };
}

function randomRecommendationConfig(rand: Rand): RConfig {
  const pick = picker(rand);
  const [withinText, withinMs] = pick<[string, number]>([['1 day', DAY], ['3 days', 3 * DAY], ['6 hours', 6 * HOUR], ['1 week', 7 * DAY], ['2 weeks', 14 * DAY], ['90 minutes', 90 * MIN], ['36 hours', 36 * HOUR], ['1 second', SEC], ['0 minutes', 0], ['8 weeks', 56 * DAY]]);
  let granularity = (['day', 'week', 'month'] as const).filter(() => rand() < 0.45);
  if (granularity.length === 0) granularity = [pick(['day', 'week', 'month'] as const)];
  const segments: RConfig['segments'] = [];
  if (rand() < 0.5) segments.push(rand() < 0.4 ? 'seg' : { column: 'seg', top: pick([1, 2, 50]) });
  const compositeKey = rand() < 0.3;
  if (!compositeKey && rand() < 0.3) segments.push({ column: 'site', top: pick([1, 3]) });
  // odd but valid: a segment that varies inside a list (each row its own copy), or the anchor
  if (rand() < 0.15) segments.push(pick<string | { column: string; top: number }>(['env', 'anchor', { column: 'item_id', top: 3 }, 'mv']));
  return {
    kind: 'recommendation', withinText, withinMs, granularity: [...granularity], segments,
    k: pick([[1], [3, 5], [10], [2, 3, 20], [5]]),
    anchor: rand() < 0.5, score: rand() < 0.6, relevance: rand() < 0.5, catalog: pick(['none', 'none', 'relation', 'sql']),
    dedupe: rand() < 0.6 ? 'latest' : 'earliest', where: rand() < 0.5, twoMatch: rand() < 0.3, compositeKey, modelVersion: rand() < 0.7, outcomesSql: rand() < 0.2,
    keyUser: !compositeKey && rand() < 0.25, predictionsSql: rand() < 0.2,
  };
}

interface RData { lists: LRow[]; interactions: IRow[]; catalog: (string | null)[]; start: number; end: number }

function randomRecommendationData(rand: Rand, c: RConfig, o: { requests: number; users: number; start: number; days: number; intense: boolean; special: number[] }): RData {
  const pick = picker(rand);
  const items = Array.from({ length: 30 }, (_, i) => `i${String(i).padStart(2, '0')}`);
  const popular = () => items[Math.floor(rand() * rand() * items.length)]!;
  const lists: LRow[] = [];
  const interactions: IRow[] = [];
  const versions = ['v1', 'v2', null];
  const time = () => {
    const r = rand();
    if (r < 0.05 && o.special.length) return new Date(pick(o.special) + pick([-SEC, 0, SEC]));
    if (r < 0.08 && o.special.length) return new Date(pick(o.special) - c.withinMs + pick([-SEC, 0, SEC]));
    if (r < 0.1) return new Date(Math.floor((o.start + rand() * o.days * DAY) / DAY) * DAY);
    return sec(o.start + rand() * o.days * DAY);
  };
  for (let i = 0; i < o.requests; i++) {
    const request = `q${String(i).padStart(4, '0')}`;
    const site = rand() < 0.85 ? 'web' : 'app';
    const user = `u${Math.floor(rand() * o.users)}`;
    const shop = c.twoMatch && rand() < 0.3 ? 'sB' : 'sA';
    const ts = time();
    const anchor = c.anchor ? (rand() < 0.05 ? null : popular()) : null;
    const copy = (t: Date, mv: string | null, seg: string | null, u = user): LRow[] => {
      const list: LRow[] = [];
      const n = 1 + Math.floor(rand() * 7);
      let rank = 0;
      for (let p = 0; p < n; p++) {
        rank = rand() < 0.15 && p > 0 ? rank : rank + (rand() < 0.1 ? 2 : 1);
        list.push({ request_id: request, site, shown_at: t, user_id: u, shop, item_id: popular(), pos: rank, score: rand() < 0.15 ? null : Math.round(rand() * 4) / 4, anchor, mv, seg, env: rand() < 0.03 ? 'test' : 'prod' });
      }
      if (anchor !== null && rand() < 0.3) list.push({ ...list[0]!, item_id: anchor, pos: 1 + Math.floor(rand() * n) });
      if (rand() < 0.1) list.push({ ...list[Math.floor(rand() * list.length)]!, pos: 1 + Math.floor(rand() * n) }); // an item listed twice
      if (rand() < 0.03) list.push({ ...list[0]!, item_id: null });
      if (rand() < 0.03) list.push({ ...list[0]!, pos: null });
      if (rand() < 0.02) list.push({ ...list[0]!, user_id: null });
      return list;
    };
    const mv = pick(versions);
    const seg = pick(['a', 'b', 'c', null]);
    lists.push(...copy(ts, mv, seg));
    const relogs = rand() < (o.intense ? 0.4 : 0.15) ? 1 + Math.floor(rand() * 2) : 0;
    const times = [ts];
    for (let j = 0; j < relogs; j++) {
      const r = rand();
      const t2 = r < 0.3 ? ts : r < 0.6 ? sec(ts.getTime() + rand() * 3 * HOUR) : r < 0.85 ? sec(ts.getTime() + rand() * 10 * DAY) : sec(ts.getTime() - rand() * 2 * DAY);
      times.push(t2);
      const same = t2.getTime() === ts.getTime();
      lists.push(...copy(t2, same ? pick(versions) : rand() < 0.3 ? pick(versions) : mv, same ? pick(['a', 'b']) : seg, rand() < 0.1 ? `u${Math.floor(rand() * o.users)}` : user));
    }
    const listed = lists.filter((r) => r.request_id === request && r.item_id !== null).map((r) => r.item_id as string);
    const count = rand() < 0.3 ? 0 : 1 + Math.floor(rand() * 4);
    for (let j = 0; j < count; j++) {
      const t0 = pick(times).getTime();
      const u = rand();
      const delay = u < 0.06 ? c.withinMs : u < 0.1 ? c.withinMs + SEC : u < 0.12 ? -SEC : u < 0.14 ? 0 : rand() * c.withinMs * 1.4 - c.withinMs * 0.1;
      const v = rand();
      interactions.push({
        customer: user, cshop: shop, interacted_at: sec(t0 + delay),
        sku: anchor !== null && rand() < 0.1 ? anchor : rand() < 0.55 ? pick(listed) : popular(),
        rel: v < 0.04 ? null : v < 0.08 ? 0 : v < 0.1 ? -1 : 1 + Math.floor(rand() * 3),
      });
      if (rand() < 0.05) interactions.push({ ...interactions[interactions.length - 1]! }); // the same event twice
    }
  }
  for (let i = 0; i < o.requests / 15; i++) interactions.push({ customer: rand() < 0.5 ? `nobody${i}` : `u${Math.floor(rand() * o.users)}`, cshop: 'sA', interacted_at: time(), sku: popular(), rel: 1 });
  const catalog: (string | null)[] = [...items.filter((_, i) => i % 7 !== 3), 'retired1', null];
  return { lists, interactions, catalog, start: o.start, end: o.start + o.days * DAY };
}

const lValues = (r: LRow) => L_COLUMNS.map((col) => (r as unknown as Record<string, unknown>)[col.name]);
const iValues = (r: IRow) => I_COLUMNS.map((col) => (r as unknown as Record<string, unknown>)[col.name]);

// ---------------------------------------------------------------------------------------------
// Chains

function randomAsOfs(rand: Rand, start: number, end: number, runs: number, fine: boolean, grid?: { base: number; step: number; within: number }): number[] {
  const span = end - start;
  const first = sec(start + (0.25 + rand() * 0.45) * span).getTime();
  const out = [rand() < 0.25 ? Math.floor(first / DAY) * DAY : first];
  for (let i = 0; i < runs; i++) {
    const prev = out[out.length - 1]!;
    const r = rand();
    let next: number;
    if (r < 0.3) next = prev + (fine ? HOUR : DAY);
    else if (r < 0.5) next = prev + Math.max(SEC, Math.round(rand() * 12 * HOUR / SEC) * SEC);
    else if (r < 0.7) next = sec(prev + (1 + rand() * 9) * (fine ? HOUR * 6 : DAY)).getTime();
    else if (r < 0.8) next = (Math.floor(prev / DAY) + 1) * DAY;
    else if (r < 0.9) next = grid && rand() < 0.6 ? grid.base + (Math.floor((prev - grid.within - grid.base) / grid.step) + 1 + Math.floor(rand() * 2)) * grid.step + grid.within : prev + SEC;
    else next = (Math.floor((prev - 4 * DAY) / (7 * DAY)) + 1) * 7 * DAY + 4 * DAY; // the next Monday midnight
    if (next <= prev) next = prev + SEC;
    out.push(next);
  }
  return out;
}

interface ChainResult extends ChainOutcome { rows?: number[]; history: boolean[]; asOfs: string[] }

interface Variations { config2?: FConfig | RConfig; dates?: boolean; micros?: boolean; millis?: boolean }
type Case =
  | { config: FConfig; data: FData; asOfs: number[]; v: Variations }
  | { config: RConfig; data: RData; asOfs: number[]; v: Variations };

async function runCase(adapter: Adapter, kase: Case): Promise<ChainResult> {

  const target = TARGETS[0]!;
  const src = uniqueName('src');
  const out = uniqueName('hs');
  const { asOfs } = kase;
  const yamlOf = (c: FConfig | RConfig) => (c.kind === 'forecast' ? forecastYaml(src, c) : recommendationYaml(src, c));
  const monitors = kase.v.config2 ? ['m', 'm2'] : ['m'];
  const project = (schema: string) => {
    const dir = writeProjectWith(target, schema, yamlOf(kase.config));
    if (kase.v.config2) writeFileSync(join(dir, 'monitors', 'm.yml'), stringify({ monitors: [{ name: 'm', ...yamlOf(kase.config) }, { name: 'm2', ...yamlOf(kase.v.config2) }] }));
    return dir;
  };
  const dateCols = (cs: Column[]) => (kase.v.dates ? cs.map((c) => (c.name === 'target_at' || c.name === 'day' ? { ...c, type: 'date' as const } : c)) : cs);
  // microseconds on the event times just loaded (not the forecasts' target times nor the actuals' times)
  const prepare = async () => {
    if (!kase.v.micros) return;
    const micros = (text: string) => `to_microseconds(cast(1 + hash(${text}) % 999 as bigint))`;
    const cols = kase.config.kind === 'forecast' ? [['forecasts', 'published_at'], ['actuals', 'loaded_at']] : [['lists', 'shown_at'], ['interactions', 'interacted_at']];
    for (const [t, c] of cols) await adapter.execute(`update ${src}.${t} set ${c} = ${c} + ${micros(`cast(${c} as varchar) || cast(rowid as varchar)`)} where epoch_us(${c}) % 1000 = 0`);
  };
  const tables: { name: string; columns: Column[]; rows: { arrival: number; values: unknown[] }[] }[] = [];
  if (kase.config.kind === 'forecast') {
    const c = kase.config;
    const d = kase.data as FData;
    tables.push({ name: 'forecasts', columns: dateCols(F_COLUMNS), rows: d.forecasts.map((f) => ({ arrival: fArrival(c, f), values: fValues(f) })) });
    // FUZZ_BREAK=1 (a check of the test itself): actuals written 20 days after they should be, out of contract without logged_at
    tables.push({ name: 'actuals', columns: dateCols(A_COLUMNS), rows: d.actuals.map((a) => ({ arrival: a.arrival + (process.env.FUZZ_BREAK === '1' && !c.aLogged ? 20 * DAY : 0), values: aValues(a) })) });
  } else {
    const d = kase.data as RData;
    tables.push({ name: 'lists', columns: L_COLUMNS, rows: d.lists.map((r) => ({ arrival: r.shown_at.getTime(), values: lValues(r) })) });
    // FUZZ_BREAK=1 (a check of the test itself): interactions written 5 days late, out of contract
    tables.push({ name: 'interactions', columns: I_COLUMNS, rows: d.interactions.map((r) => ({ arrival: r.interacted_at.getTime() + (process.env.FUZZ_BREAK === '1' ? 5 * DAY : 0), values: iValues(r) })) });
  }
  const compare = (a: string, b: string) => diffSchemas(adapter, a, b, monitors, kase.config.kind === 'forecast' ? ['evaluations', 'mase_history'] : ['evaluations']);
  const history: boolean[] = [];
  let rows: number[] | undefined;
  try {
    const outcome = await runChain(adapter, {
      asOfs,
      out,
      project,
      async load(asOf) {
        for (const t of tables) await createTable(adapter, src, t.name, t.columns, t.rows.filter((r) => r.arrival <= asOf).map((r) => r.values));
        if (kase.config.kind === 'recommendation') await createTable(adapter, src, 'catalog', [{ name: 'item_id', type: 'text' }], (kase.data as RData).catalog.map((i) => [i]));
        await prepare();
      },
      async append(from, to) {
        for (const t of tables) await insertRows(adapter, `${src}.${t.name}`, t.columns, t.rows.filter((r) => r.arrival > from && r.arrival <= to).map((r) => r.values));
        await prepare();
      },
      compare,
      async inspect(i, dir, outB) {
        // whether the run started from MASE's stored history
        if (kase.config.kind === 'forecast') history.push(readFileSync(join(dir, 'target', 'run', 'm', 'mase_scales.sql'), 'utf8').includes('m__mase_history'));
        // one evaluation row per request key, which the incremental steps' lookups and Postgres's
        // changed-row write (Dialect.replaceRange) rely on
        if (kase.config.kind === 'recommendation') {
          const c = kase.config as RConfig;
          const key = (c.compositeKey ? ['request_id', 'site'] : c.keyUser ? ['request_id', 'user_id'] : ['request_id']).join(', ');
          for (const schema of [out, outB]) {
            const [row] = await adapter.query(`select count(*) as n from (select ${key} from ${schema}.m__evaluations group by ${key} having count(*) > 1) as repeated`);
            expect(Number(row!.n)).toBe(0);
          }
        }
        if (i === asOfs.length - 1) {
          const [row] = await adapter.query(`select count(*) as n, count(case when metric = 'mase' and value is not null then 1 end) as mase, count(case when metric in ('count', 'requests') then 1 end) as model from ${outB}.hindsight_metrics`);
          rows = [Number(row!.n), Number(row!.mase), Number(row!.model)];
        }
      },
    });
    return { ...outcome, rows, history, asOfs: asOfs.map((t) => new Date(t).toISOString()) };
  } finally {
    await adapter.execute(`drop schema if exists ${src} cascade`);
    await adapter.execute(`drop schema if exists ${out} cascade`);
  }
}

function seedCase(seed: number, kind: 'forecast' | 'recommendation'): Case {
  const rand = prng(seed * 104729 + (kind === 'forecast' ? 17 : 31));
  const intense = rand() < 0.3;
  if (kind === 'forecast') {
    const config = randomForecastConfig(rand);
    const periods = config.unit === 'hour' ? 72 + Math.floor(rand() * 150) : config.unit === 'day' ? 30 + Math.floor(rand() * 50) : 16 + Math.floor(rand() * 20);
    // a period grid that starts anywhere: a Monday midnight, or hours off it
    const monday = Date.UTC(2026, 0, 5) + Math.floor(rand() * 20) * 7 * DAY;
    const base = monday + (rand() < 0.5 ? 0 : config.unit === 'hour' ? Math.floor(rand() * 60) * MIN : Math.floor(rand() * 24) * HOUR + (rand() < 0.3 ? 2 * DAY : 0));
    const vr = prng(seed * 7 + 3);
    const v: Variations = {};
    v.dates = config.unit !== 'hour' && vr() < 0.2;
    const base2 = v.dates ? Math.floor(base / DAY) * DAY : base;
    const step = UNIT_MS[config.unit];
    const runs = (intense ? 5 : 2) + Math.floor(rand() * 5);
    let asOfs = randomAsOfs(rand, base2 + periods * step * 0.1, base2 + periods * step + 3 * step, runs, config.unit === 'hour', { base: base2, step, within: config.withinMs });
    if (vr() < 0.1) asOfs = [base2 - Math.round(vr() * 3 * DAY / SEC) * SEC, ...asOfs]; // the first run before any data
    const data = randomForecastData(rand, config, { periods, base: base2, intense, special: asOfs });
    v.micros = vr() < 0.2;
    if (!v.micros && vr() < 0.3) {
      v.millis = true;
      for (let i = 0; i < asOfs.length; i++) asOfs[i] = asOfs[i]! + 1 + Math.floor(vr() * 998);
      for (let i = 1; i < asOfs.length; i++) if (asOfs[i]! <= asOfs[i - 1]!) asOfs[i] = asOfs[i - 1]! + 1;
      const near = () => asOfs[Math.floor(vr() * asOfs.length)]! + [-1, 0, 1][Math.floor(vr() * 3)]!;
      if (config.aLogged) for (const a of data.actuals) if (vr() < 0.05) { a.arrival = near(); a.loaded_at = new Date(a.arrival); }
      if (config.fLogged) for (const f of data.forecasts) if (vr() < 0.05 && f.published_at) f.published_at = new Date(near());
    }
    if (vr() < 0.2) {
      const c2 = randomForecastConfig(prng(seed * 11 + 5));
      v.config2 = { ...c2, unit: config.unit, fLogged: config.fLogged, aLogged: config.aLogged, withinText: config.withinText, withinMs: config.withinMs, seasonality: config.unit === c2.unit ? c2.seasonality : 1 };
    }
    return { config, data, asOfs, v };
  }
  const config = randomRecommendationConfig(rand);
  const start = Date.UTC(2026, 2, 2) + Math.floor(rand() * 30) * DAY + (rand() < 0.5 ? 0 : Math.floor(rand() * 86400) * SEC);
  const days = 10 + Math.floor(rand() * 35);
  const runs = (intense ? 5 : 2) + Math.floor(rand() * 5);
  const asOfs = randomAsOfs(rand, start, start + days * DAY, runs, false);
  // FUZZ_TINY=1: one or two users, few requests, many re-logs and runs
  const tiny = process.env.FUZZ_TINY === '1';
  if (tiny) asOfs.push(...randomAsOfs(rand, asOfs[asOfs.length - 1]!, asOfs[asOfs.length - 1]! + 3 * DAY, 6, false).slice(1).filter((t) => t > asOfs[asOfs.length - 1]!));
  const data = randomRecommendationData(rand, config, { requests: tiny ? 20 + Math.floor(rand() * 60) : 80 + Math.floor(rand() * 300), users: tiny ? pick2(rand, [1, 2]) : pick2(rand, [5, 20, 60]), start, days: tiny ? Math.min(days, 12) : days, intense: tiny || intense, special: asOfs });
  const vr = prng(seed * 7 + 3);
  const v: Variations = { micros: vr() < 0.25 };
  if (!v.micros && vr() < 0.3) {
    v.millis = true;
    for (let i = 0; i < asOfs.length; i++) asOfs[i] = asOfs[i]! + 1 + Math.floor(vr() * 998);
    for (let i = 1; i < asOfs.length; i++) if (asOfs[i]! <= asOfs[i - 1]!) asOfs[i] = asOfs[i - 1]! + 1;
    const near = () => new Date(asOfs[Math.floor(vr() * asOfs.length)]! + [-1, 0, 1][Math.floor(vr() * 3)]!);
    for (const r of data.lists) if (vr() < 0.03) { const t = near(); for (const q of data.lists) if (q.request_id === r.request_id && q.shown_at.getTime() === r.shown_at.getTime() && q !== r) q.shown_at = t; r.shown_at = t; }
    for (const r of data.interactions) if (vr() < 0.05) r.interacted_at = near();
  }
  if (vr() < 0.2) {
    const c2 = randomRecommendationConfig(prng(seed * 11 + 5));
    v.config2 = { ...c2, twoMatch: config.twoMatch };
  }
  if (vr() < 0.1) asOfs.unshift(start - Math.round(vr() * 3 * DAY / SEC) * SEC);
  return { config, data, asOfs, v };
}
const pick2 = <T>(rand: Rand, xs: T[]): T => xs[Math.floor(rand() * xs.length)]!;

const env = process.env;
const FIRST = Number(env.FUZZ_SEED ?? 1);
const COUNT = Number(env.FUZZ_COUNT ?? 12);
const KINDS: ('forecast' | 'recommendation')[] = env.FUZZ_KIND === 'forecast' ? ['forecast'] : env.FUZZ_KIND === 'recommendation' ? ['recommendation'] : ['forecast', 'recommendation'];
const seeds = env.FUZZ_SEEDS ? env.FUZZ_SEEDS.split(',').map(Number) : Array.from({ length: COUNT }, (_, i) => FIRST + i);
const stats = { seeds: 0, incremental: 0, fromHistory: 0, failures: [] as string[] };

describe('forecast and recommendation chains of incremental runs equal full refreshes (duckdb)', () => {
  let adapter: Adapter;
  beforeAll(async () => {
    adapter = await openTarget(TARGETS[0]!);
  });
  afterAll(async () => {
    await adapter?.close();
    if (env.FUZZ_VERBOSE) console.log(`FUZZSTATS ${JSON.stringify({ ...stats, failures: stats.failures.length })}`);
  });
  const cases = KINDS.flatMap((kind) => seeds.map((seed) => [kind, seed] as const));
  it.each(cases)('%s seed %i', async (kind, seed) => {
    const kase = seedCase(seed, kind);
    const r = await runCase(adapter, kase);
    stats.seeds += 1;
    stats.incremental += r.steps;
    stats.fromHistory += r.history.filter(Boolean).length;
    if (env.FUZZ_VERBOSE) console.log(`FUZZROWS ${kind} ${seed} ${JSON.stringify(r.rows)} modes ${r.modes.join(',')}`);
    if (r.error || r.diffs) {
      stats.failures.push(`${kind} ${seed}`);
      console.log(`FUZZFAIL ${kind} ${seed} run ${r.failedAt} asOfs ${r.asOfs.join(',')} config ${JSON.stringify(kase.config)} history ${JSON.stringify(r.history)}\n${JSON.stringify(r.diffs?.slice(0, 15), null, 1)} ${r.error ?? ''}`);
    }
    expect(r.error).toBeUndefined();
    expect(r.diffs?.length ?? 0).toBe(0);
  }, 170_000);
});
